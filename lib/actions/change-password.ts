"use server";

import { changePassword } from "@/lib/auth/accounts";
import { changePasswordSchema } from "@/lib/auth/validation";
import { authedAction, actionResult } from "./safe-action";

export const changePasswordAction = authedAction(changePasswordSchema, async (input, { db, user }) => {
  const result = await changePassword(db, {
    userId: user.id,
    currentPassword: input.currentPassword,
    newPassword: input.newPassword,
    keepSessionId: user.sessionId,
  });
  if (!result.ok) return actionResult({ status: "invalid" as const, fieldErrors: { currentPassword: ["Your current password is incorrect."] } });
  return actionResult({
    status: "success" as const,
    data: null,
    message: `Password changed. ${result.endedSessions} other session${result.endedSessions === 1 ? "" : "s"} signed out.`,
  });
});
