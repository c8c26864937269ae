import { handle } from "@/lib/api/v1/define";
import { listRunsRoute } from "@/lib/api/v1/routes";

export const GET = handle(listRunsRoute);
