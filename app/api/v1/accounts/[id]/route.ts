import { handle } from "@/lib/api/v1/define";
import { getAccountRoute } from "@/lib/api/v1/routes";

export const GET = handle(getAccountRoute);
