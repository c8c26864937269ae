"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/lib/auth";
import { headers } from "next/headers";
import { signUpFrom } from "@/lib/auth/accounts";
import { clientIp } from "@/lib/auth/request-meta";
import { signUpSchema } from "@/lib/auth/validation";
import { publicAction, actionResult } from "./safe-action";

export const signUpAction = publicAction(signUpSchema, async (input, { db }) => {
  const created = await signUpFrom(db, { ...input, ip: clientIp(await headers()) });
  if (!created.ok && created.reason === "throttled") {
    return actionResult({
      status: "invalid" as const,
      fieldErrors: {},
      formError: "Too many attempts from your network. Please wait a few minutes and try again.",
      values: { email: input.email, name: input.name ?? "" },
    });
  }
  if (!created.ok) {
    return actionResult({
      status: "invalid" as const,
      fieldErrors: { email: ["An account with this email already exists. Sign in instead?"] },
      values: { email: input.email, name: input.name ?? "" },
    });
  }
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirectTo: "/" });
  } catch (e) {
    if (e instanceof AuthError) {
      return actionResult({ status: "error" as const, code: "internal" as const, message: "Your account was created, but signing in failed. Please sign in." });
    }
    throw e;
  }
  return null;
});
