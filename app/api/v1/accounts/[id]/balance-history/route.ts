import { handle } from "@/lib/api/v1/define";
import { balanceHistoryRoute } from "@/lib/api/v1/routes";

export const GET = handle(balanceHistoryRoute);
