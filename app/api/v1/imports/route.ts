import { handle } from "@/lib/api/v1/define";
import { createImportRoute, listImportsRoute } from "@/lib/api/v1/routes";

export const POST = handle(createImportRoute);
export const GET = handle(listImportsRoute);
