import { handle } from "@/lib/api/v1/define";
import { listConnectionsRoute } from "@/lib/api/v1/routes";

export const GET = handle(listConnectionsRoute);
