import { handle } from "@/lib/api/v1/define";
import { undoImportRoute } from "@/lib/api/v1/routes";

export const DELETE = handle(undoImportRoute);
