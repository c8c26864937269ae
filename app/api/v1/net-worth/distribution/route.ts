import { handle } from "@/lib/api/v1/define";
import { netWorthDistributionRoute } from "@/lib/api/v1/routes";

export const GET = handle(netWorthDistributionRoute);
