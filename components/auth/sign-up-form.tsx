"use client";

import Link from "next/link";
import { useActionState } from "react";
import { signUpAction } from "@/lib/actions/sign-up";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { PASSWORD_MIN } from "@/lib/auth/password-policy";

export function SignUpForm() {
  const [state, action, pending] = useActionState(signUpAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  const values = state.status === "invalid" ? (state.values ?? {}) : {};
  return (
    <form action={action} className="space-y-4" noValidate>
      <FormError message={state.status === "error" ? state.message : state.status === "invalid" ? state.formError : undefined} />
      <Field label="Name (optional)" name="name" autoComplete="name" defaultValue={values.name} errors={fe.name} />
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={values.email} errors={fe.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={PASSWORD_MIN}
        hint={`At least ${PASSWORD_MIN} characters.`}
        errors={fe.password}
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Creating your account…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-stone-500">
        Already have an account?{" "}
        <Link href="/sign-in" className="font-medium text-brand-700 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
