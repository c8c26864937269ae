import { handle } from "@/lib/api/v1/define";
import { getBalancesRoute } from "@/lib/api/v1/routes";

export const GET = handle(getBalancesRoute);
