"use server";

import { getDb } from "@/db";
import { signOut } from "@/lib/auth";
import { revokeSession, revokeUserSessions } from "@/lib/auth/accounts";
import { currentUser } from "@/lib/auth/current-user";

/** End this session (its server-side row too, so the JWT is dead even if copied). */
export async function signOutAction(): Promise<void> {
  const user = await currentUser();
  if (user) await revokeSession(await getDb(), user.sessionId);
  await signOut({ redirectTo: "/sign-in" });
}

/** End every session of this user, this one included. */
export async function signOutEverywhereAction(): Promise<void> {
  const user = await currentUser();
  if (user) await revokeUserSessions(await getDb(), user.id);
  await signOut({ redirectTo: "/sign-in" });
}
