import { handle } from "@/lib/api/v1/define";
import { listAccountsRoute } from "@/lib/api/v1/routes";

export const GET = handle(listAccountsRoute);
