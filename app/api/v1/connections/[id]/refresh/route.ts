import { handle } from "@/lib/api/v1/define";
import { refreshConnectionRoute } from "@/lib/api/v1/routes";

export const POST = handle(refreshConnectionRoute);
