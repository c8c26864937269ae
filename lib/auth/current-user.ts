import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db";
import { getSessionUser, type SessionUser } from "./accounts";
import { auth } from "./index";

/**
 * The signed-in user, or null. This — not proxy.ts — is the auth boundary: it checks
 * the JWT (next-auth) and that its server-side session row is still live.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const sid = (session as { sid?: string } | null)?.sid;
  if (!sid) return null;
  return getSessionUser(await getDb(), sid);
});

/** For pages: the user, or a redirect to sign-in. */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
}
