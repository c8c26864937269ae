import { handle } from "@/lib/api/v1/define";
import { getTransactionRoute, patchTransactionRoute } from "@/lib/api/v1/routes";

export const GET = handle(getTransactionRoute);
export const PATCH = handle(patchTransactionRoute);
