import { handle } from "@/lib/api/v1/define";
import { netWorthMonthRoute } from "@/lib/api/v1/routes";

export const GET = handle(netWorthMonthRoute);
