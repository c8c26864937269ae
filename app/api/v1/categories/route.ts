import { handle } from "@/lib/api/v1/define";
import { listCategoriesRoute } from "@/lib/api/v1/routes";

export const GET = handle(listCategoriesRoute);
