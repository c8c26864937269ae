import { handle } from "@/lib/api/v1/define";
import { listTransactionsRoute } from "@/lib/api/v1/routes";

export const GET = handle(listTransactionsRoute);
