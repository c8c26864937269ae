import { handle } from "@/lib/api/v1/define";
import { disconnectConnectionRoute } from "@/lib/api/v1/routes";

export const POST = handle(disconnectConnectionRoute);
