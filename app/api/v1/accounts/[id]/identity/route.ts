import { handle } from "@/lib/api/v1/define";
import { accountIdentityRoute } from "@/lib/api/v1/routes";

export const GET = handle(accountIdentityRoute);
