"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/lib/auth";
import { signInSchema } from "@/lib/auth/validation";
import { publicAction, actionResult } from "./safe-action";
import { z } from "zod";

const schema = signInSchema.extend({ callbackUrl: z.string().optional() });

/** Only same-site paths are allowed as a post-sign-in destination. */
function safeCallback(url?: string): string {
  return url && url.startsWith("/") && !url.startsWith("//") ? url : "/";
}

export const signInAction = publicAction(schema, async (input) => {
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirectTo: safeCallback(input.callbackUrl) });
  } catch (e) {
    if (e instanceof CredentialsSignin && e.code === "throttled") {
      return actionResult({
        status: "invalid" as const,
        fieldErrors: {},
        formError: "Too many sign-in attempts. Please wait a few minutes and try again.",
        values: { email: input.email },
      });
    }
    if (e instanceof AuthError) {
      return actionResult({ status: "invalid" as const, fieldErrors: {}, formError: "Email or password is incorrect.", values: { email: input.email } });
    }
    throw e;
  }
  return null;
});
