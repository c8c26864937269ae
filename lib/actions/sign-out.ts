"use server";

import { getDb } from "@/db";
import { signOut } from "@/lib/auth";
import { revokeSession, revokeUserSessions } from "@/lib/auth/accounts";
import { currentUser } from "@/lib/auth/current-user";
import { revokeAllApiTokens } from "@/lib/api-tokens/tokens";

/** End this session (its server-side row too, so the JWT is dead even if copied). */
export async function signOutAction(): Promise<void> {
  const user = await currentUser();
  if (user) await revokeSession(await getDb(), user.sessionId);
  await signOut({ redirectTo: "/sign-in" });
}

/** End every session of this user, this one included; with `revokeTokens` ticked, every API token too. */
export async function signOutEverywhereAction(form?: FormData): Promise<void> {
  const user = await currentUser();
  if (user) {
    const db = await getDb();
    if (form instanceof FormData && form.get("revokeTokens") === "on") await revokeAllApiTokens(db, { userId: user.id, via: "sign_out_everywhere" });
    await revokeUserSessions(db, user.id);
  }
  await signOut({ redirectTo: "/sign-in" });
}
