import { randomBytes } from "node:crypto";
import { and, eq, gt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, authThrottle, sessions, users } from "@/db/schema";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "./password";

/**
 * Account, session and sign-in-throttle logic against the database. Everything
 * takes `db` so it runs unchanged in tests on PGlite and PostgreSQL.
 */

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

export type SignUpResult = { ok: true; userId: string } | { ok: false; reason: "email_taken" };

export async function createUser(
  db: Db,
  input: { email: string; password: string; name?: string },
): Promise<SignUpResult> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ email: input.email, name: input.name ?? null, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning({ id: users.id });
  if (!row) return { ok: false, reason: "email_taken" };
  await db.insert(auditLog).values({ userId: row.id, action: "user.sign_up" });
  return { ok: true, userId: row.id };
}

// ---------------------------------------------------------------- throttling

export const THROTTLE = {
  windowMs: 15 * 60 * 1000,
  email: { freeFailures: 5 },
  ip: { freeFailures: 30 },
  /** Sign-ups from one address that hit an existing email (enumeration attempts). */
  signup: { freeFailures: 5 },
  baseBlockMs: 30 * 1000,
  maxBlockMs: 15 * 60 * 1000,
} as const;

export type ThrottleLimits = { windowMs: number; email: { freeFailures: number }; ip: { freeFailures: number }; signup: { freeFailures: number }; baseBlockMs: number; maxBlockMs: number };

export type ThrottleKey = `email:${string}` | `ip:${string}` | `signup:${string}`;

/** When is this key allowed again? null = now. */
export async function throttleBlockedUntil(db: Db, keys: ThrottleKey[], now = new Date()): Promise<Date | null> {
  let until: Date | null = null;
  for (const key of keys) {
    const [row] = await db.select().from(authThrottle).where(eq(authThrottle.key, key));
    if (row?.blockedUntil && row.blockedUntil > now && (!until || row.blockedUntil > until)) until = row.blockedUntil;
  }
  return until;
}

const freeFor = (key: ThrottleKey, l: ThrottleLimits) =>
  key.startsWith("email:") ? l.email.freeFailures : key.startsWith("signup:") ? l.signup.freeFailures : l.ip.freeFailures;
const blockFor = (over: number, l: ThrottleLimits) => Math.min(l.baseBlockMs * 2 ** (over - 1), l.maxBlockMs);

/**
 * Count an attempt BEFORE the password is checked, atomically (the key's row is locked):
 * an attempt is allowed only while the key is not blocked, and the attempt that reaches
 * `freeFailures` blocks the key at once, for an exponentially growing time (30 s, 1 min,
 * 2 min … capped at 15 min). So however many guesses arrive together, at most
 * `freeFailures` of them are ever verified. A success undoes its own count (see
 * `settleSuccess`). The counter resets when its window has passed: never a permanent lockout.
 */
export async function reserveAttempt(
  db: Db,
  key: ThrottleKey,
  now = new Date(),
  limits: ThrottleLimits = THROTTLE,
): Promise<{ allowed: true } | { allowed: false; retryAt: Date }> {
  await db.insert(authThrottle).values({ key, failures: 0, windowStartedAt: now }).onConflictDoNothing({ target: authThrottle.key });
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(authThrottle).where(eq(authThrottle.key, key)).for("update");
    if (row!.blockedUntil && row!.blockedUntil > now) return { allowed: false as const, retryAt: row!.blockedUntil };
    const expired = now.getTime() - row!.windowStartedAt.getTime() > limits.windowMs;
    const failures = expired ? 1 : row!.failures + 1;
    const windowStartedAt = expired ? now : row!.windowStartedAt;
    const over = failures - freeFor(key, limits) + 1; // the free-th attempt starts the first block
    const blockedUntil = over > 0 ? new Date(now.getTime() + blockFor(over, limits)) : null;
    await tx.update(authThrottle).set({ failures, windowStartedAt, blockedUntil }).where(eq(authThrottle.key, key));
    return { allowed: true as const };
  });
}

/** Count a failure without an attempt in flight (e.g. a refused sign-up). */
export async function recordFailure(db: Db, key: ThrottleKey, now = new Date()): Promise<void> {
  await reserveAttempt(db, key, now);
}

/** A success: the attempt counted in advance was not a failure. */
async function settleSuccess(db: Db, key: ThrottleKey, limits: ThrottleLimits): Promise<void> {
  await db
    .update(authThrottle)
    .set({
      failures: sql`greatest(${authThrottle.failures} - 1, 0)`,
      blockedUntil: sql`case when ${authThrottle.failures} - 1 < ${freeFor(key, limits)} then null else ${authThrottle.blockedUntil} end`,
    })
    .where(eq(authThrottle.key, key));
}

export async function clearThrottle(db: Db, key: ThrottleKey): Promise<void> {
  await db.delete(authThrottle).where(eq(authThrottle.key, key));
}

/**
 * Sign-up from a client address: an attempt is counted before anything else, and only
 * a sign-up that hits an existing email keeps its count, so probing which emails are
 * registered is throttled while creating accounts is not. The password is hashed first
 * either way, so both answers take as long.
 */
export async function signUpFrom(
  db: Db,
  input: { email: string; password: string; name?: string; ip: string },
  now = new Date(),
  limits: ThrottleLimits = THROTTLE,
): Promise<SignUpResult | { ok: false; reason: "throttled"; retryAt: Date }> {
  const key: ThrottleKey = `signup:${input.ip}`;
  const r = await reserveAttempt(db, key, now, limits);
  if (!r.allowed) {
    await db.insert(auditLog).values({ userId: null, action: "user.sign_up_throttled", ip: input.ip });
    return { ok: false, reason: "throttled", retryAt: r.retryAt };
  }
  const created = await createUser(db, input);
  if (created.ok) await settleSuccess(db, key, limits);
  return created;
}

// ---------------------------------------------------------------- sign-in

export type VerifyResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAt: Date };

/**
 * Check an email + password. Unknown emails are verified against a dummy hash so
 * they take as long as a wrong password; throttled keys are refused before hashing.
 */
export async function verifyCredentials(
  db: Db,
  input: { email: string; password: string; ip: string },
  now = new Date(),
  limits: ThrottleLimits = THROTTLE,
): Promise<VerifyResult> {
  const keys: ThrottleKey[] = [`ip:${input.ip}`, `email:${input.email}`];
  for (const key of keys) {
    const r = await reserveAttempt(db, key, now, limits);
    if (!r.allowed) {
      if (key.startsWith("email:")) await settleSuccess(db, keys[0]!, limits); // the IP's count was not a verified guess
      const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email));
      await db.insert(auditLog).values({ userId: u?.id ?? null, action: "user.sign_in_throttled", ip: input.ip, metadata: { key: key.split(":")[0] } });
      return { ok: false, reason: "throttled", retryAt: r.retryAt };
    }
  }

  const [user] = await db.select().from(users).where(eq(users.email, input.email));
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !valid) {
    await db.insert(auditLog).values({ userId: user?.id ?? null, action: "user.sign_in_failed", ip: input.ip });
    return { ok: false, reason: "invalid" };
  }
  await clearThrottle(db, `email:${input.email}`);
  await settleSuccess(db, `ip:${input.ip}`, limits);
  if (needsRehash(user.passwordHash)) {
    // Parameters below today's: store a fresh hash of the password just proven right.
    await db.update(users).set({ passwordHash: await hashPassword(input.password) }).where(eq(users.id, user.id));
  }
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}

// ---------------------------------------------------------------- sessions

export async function createSession(
  db: Db,
  input: { userId: string; ip?: string; userAgent?: string },
  now = new Date(),
): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  await db.insert(sessions).values({
    id,
    userId: input.userId,
    ip: input.ip ?? null,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
  });
  await db.insert(auditLog).values({ userId: input.userId, action: "user.sign_in", ip: input.ip ?? null });
  return id;
}

export type SessionUser = { id: string; email: string; name: string | null; baseCurrency: string; sessionId: string };

/** The user behind a live session id, or null if it was revoked or has expired. */
export async function getSessionUser(db: Db, sessionId: string, now = new Date()): Promise<SessionUser | null> {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      baseCurrency: users.baseCurrency,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)));
  if (!row) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > 5 * 60 * 1000) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, sessionId));
  }
  return { id: row.id, email: row.email, name: row.name, baseCurrency: row.baseCurrency, sessionId };
}

/** End one session (sign-out); audited once, whichever path ends it first. */
export async function revokeSession(db: Db, sessionId: string, meta: { ip?: string } = {}): Promise<boolean> {
  const [row] = await db.delete(sessions).where(eq(sessions.id, sessionId)).returning({ userId: sessions.userId });
  if (row) await db.insert(auditLog).values({ userId: row.userId, action: "user.sign_out", ip: meta.ip ?? null });
  return !!row;
}

/**
 * next-auth's own sign-out (POST /api/auth/signout) only clears the cookie: end the
 * server-side session behind the token too, so a copied token is dead as well.
 */
export async function endSessionOfToken(db: Db, message: { token?: { sid?: unknown } | null } | object): Promise<boolean> {
  const sid = "token" in message ? message.token?.sid : undefined;
  return typeof sid === "string" && sid ? revokeSession(db, sid) : false;
}

/** Sign out everywhere (optionally keeping the current session). Returns how many ended. */
export async function revokeUserSessions(db: Db, userId: string, keepSessionId?: string): Promise<number> {
  const where = keepSessionId
    ? and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId))
    : eq(sessions.userId, userId);
  const rows = await db.delete(sessions).where(where).returning({ id: sessions.id });
  await db.insert(auditLog).values({ userId, action: "user.sessions_revoked", metadata: { count: rows.length } });
  return rows.length;
}

export async function listSessions(db: Db, userId: string) {
  return db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, userAgent: sessions.userAgent, ip: sessions.ip })
    .from(sessions)
    .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(sessions.lastSeenAt);
}

export type ChangePasswordResult = { ok: true; endedSessions: number } | { ok: false; reason: "wrong_password" };

/** Change the password; every other session of the user ends. */
export async function changePassword(
  db: Db,
  input: { userId: string; currentPassword: string; newPassword: string; keepSessionId: string },
): Promise<ChangePasswordResult> {
  const [user] = await db.select().from(users).where(eq(users.id, input.userId));
  if (!user || !(await verifyPassword(input.currentPassword, user.passwordHash))) return { ok: false, reason: "wrong_password" };
  const passwordHash = await hashPassword(input.newPassword);
  await db.update(users).set({ passwordHash, passwordChangedAt: new Date() }).where(eq(users.id, input.userId));
  const endedSessions = await revokeUserSessions(db, input.userId, input.keepSessionId);
  await db.insert(auditLog).values({ userId: input.userId, action: "user.password_changed" });
  return { ok: true, endedSessions };
}
