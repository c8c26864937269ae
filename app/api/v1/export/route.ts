import { handle } from "@/lib/api/v1/define";
import { exportAliasRoute } from "@/lib/api/v1/routes";

export const GET = handle(exportAliasRoute);
