import { handle } from "@/lib/api/v1/define";
import { exportTransactionsRoute } from "@/lib/api/v1/routes";

export const GET = handle(exportTransactionsRoute);
