"use client";

import { useActionState } from "react";
import { changePasswordAction } from "@/lib/actions/change-password";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { PASSWORD_MIN } from "@/lib/auth/password-policy";

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form action={action} className="max-w-sm space-y-4" noValidate>
      <FormError message={state.status === "error" ? state.message : state.status === "invalid" ? state.formError : undefined} />
      {state.status === "success" && (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          {state.message}
        </p>
      )}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" errors={fe.currentPassword} />
      <Field label="New password" name="newPassword" type="password" autoComplete="new-password" minLength={PASSWORD_MIN} hint={`At least ${PASSWORD_MIN} characters.`} errors={fe.newPassword} />
      <Field label="Repeat new password" name="confirmPassword" type="password" autoComplete="new-password" errors={fe.confirmPassword} />
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Change password"}
      </Button>
    </form>
  );
}
