"use client";

import Link from "next/link";
import { useActionState } from "react";
import { signInAction } from "@/lib/actions/sign-in";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";

export function SignInForm({ callbackUrl }: { callbackUrl?: string }) {
  const [state, action, pending] = useActionState(signInAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  const values = state.status === "invalid" ? (state.values ?? {}) : {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormError message={state.status === "error" ? state.message : state.status === "invalid" ? state.formError : undefined} />
      {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={values.email} errors={fe.email} autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required errors={fe.password} />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-stone-500">
        New to Ledgerlink?{" "}
        <Link href="/sign-up" className="font-medium text-brand-700 hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
