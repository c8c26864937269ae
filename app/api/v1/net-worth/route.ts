import { handle } from "@/lib/api/v1/define";
import { netWorthRoute } from "@/lib/api/v1/routes";

export const GET = handle(netWorthRoute);
