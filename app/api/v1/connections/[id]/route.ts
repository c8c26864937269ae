import { handle } from "@/lib/api/v1/define";
import { getConnectionRoute } from "@/lib/api/v1/routes";

export const GET = handle(getConnectionRoute);
