"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/lib/auth";
import { createUser } from "@/lib/auth/accounts";
import { signUpSchema } from "@/lib/auth/validation";
import { publicAction } from "./safe-action";

export const signUpAction = publicAction(signUpSchema, async (input, { db }) => {
  const created = await createUser(db, input);
  if (!created.ok) {
    return {
      status: "invalid" as const,
      fieldErrors: { email: ["An account with this email already exists. Sign in instead?"] },
      values: { email: input.email, name: input.name ?? "" },
    };
  }
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirectTo: "/" });
  } catch (e) {
    if (e instanceof AuthError) {
      return { status: "error" as const, code: "internal" as const, message: "Your account was created, but signing in failed. Please sign in." };
    }
    throw e;
  }
  return null;
});
