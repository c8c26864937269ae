import { handle } from "@/lib/api/v1/define";
import { netWorthChangesRoute } from "@/lib/api/v1/routes";

export const GET = handle(netWorthChangesRoute);
