import { scryptSync, randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { vi } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { auditLog, users } from "@/db/schema";
import {
  changePassword,
  createSession,
  createUser,
  getSessionUser,
  endSessionOfToken,
  revokeUserSessions,
  signUpFrom,
  THROTTLE,
  throttleBlockedUntil,
  verifyCredentials,
} from "./accounts";
import { signUpSchema } from "./validation";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

// The per-IP limit is lowered in tests that must verify that many passwords (each a 128 MiB scrypt).
const SMALL = { ...THROTTLE, ip: { freeFailures: 8 } };

const signUp = async (raw: Record<string, unknown>) => {
  const parsed = signUpSchema.safeParse(raw);
  if (!parsed.success) return { invalid: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) };
  return createUser(t.db, parsed.data);
};

describe("sign-up", () => {
  it("creates a user with a normalised email and a scrypt hash", async () => {
    const r = await signUp({ email: "  Ada@Example.COM ", password: "correct horse battery" });
    expect(r).toMatchObject({ ok: true });
    const [u] = await t.db.select().from(users);
    expect(u!.email).toBe("ada@example.com");
    expect(u!.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(u!.passwordHash).not.toContain("correct horse");
  });

  it("refuses short passwords, malformed and duplicate emails, and creates nothing", async () => {
    expect(await signUp({ email: "a@example.com", password: "short" })).toEqual({ invalid: ["password: Use at least 10 characters."] });
    expect(await signUp({ email: "not-an-email", password: "long enough pass" })).toMatchObject({
      invalid: [expect.stringMatching(/^email: Enter a valid email/)],
    });
    expect(await t.db.select().from(users)).toHaveLength(0);
    await signUp({ email: "a@example.com", password: "long enough pass" });
    expect(await signUp({ email: "A@example.com", password: "another long pass" })).toEqual({ ok: false, reason: "email_taken" });
    expect(await t.db.select().from(users)).toHaveLength(1);
  });
});

describe("sign-in", () => {
  beforeEach(() => signUp({ email: "ada@example.com", password: "correct horse battery" }));

  it("accepts the right password and rejects a wrong one or an unknown email alike", async () => {
    const ok = await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "1.1.1.1" });
    expect(ok).toMatchObject({ ok: true, user: { email: "ada@example.com" } });
    expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "wrong password!", ip: "1.1.1.1" })).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyCredentials(t.db, { email: "nobody@example.com", password: "whatever", ip: "1.1.1.1" })).toEqual({ ok: false, reason: "invalid" });
  });

  it("unknown emails cost a real hash (timing does not reveal which emails exist)", async () => {
    const time = async (email: string) => {
      const s = performance.now();
      await verifyCredentials(t.db, { email, password: "wrong password!", ip: `ip-${email}` });
      return performance.now() - s;
    };
    await time("warmup@example.com");
    const unknown = await time("nobody@example.com");
    const known = await time("ada@example.com");
    // Both include a ~128 MiB scrypt; an early return would be orders of magnitude faster.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  it("throttles per email with a growing, temporary block — never a permanent lockout", async () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const attempt = (password: string, at: Date, ip = "2.2.2.2") =>
      verifyCredentials(t.db, { email: "ada@example.com", password, ip }, at);
    for (let i = 0; i < THROTTLE.email.freeFailures; i++) expect((await attempt("bad password!", now)).ok).toBe(false);
    const blocked = await attempt("correct horse battery", now, "3.3.3.3");
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    if (blocked.ok || blocked.reason !== "throttled") throw new Error("unreachable");
    expect(blocked.retryAt.getTime() - now.getTime()).toBe(THROTTLE.baseBlockMs);
    // Once the block has passed, the right password works again and resets the counter.
    const later = new Date(now.getTime() + THROTTLE.baseBlockMs + 1);
    expect(await attempt("correct horse battery", later, "3.3.3.3")).toMatchObject({ ok: true });
  });

  it("throttles per IP across many emails", async () => {
    const now = new Date("2026-01-01T12:00:00Z");
    for (let i = 0; i < SMALL.ip.freeFailures; i++) {
      await verifyCredentials(t.db, { email: `x${i}@example.com`, password: "nope nope", ip: "9.9.9.9" }, now, SMALL);
    }
    expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "9.9.9.9" }, now, SMALL)).toMatchObject({
      reason: "throttled",
    });
    expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "8.8.8.8" }, now, SMALL)).toMatchObject({ ok: true });
  });
});

describe("sign-in under a concurrent burst", () => {
  beforeEach(() => signUp({ email: "ada@example.com", password: "correct horse battery" }));

  const verifiedFailures = async () => (await t.db.select().from(auditLog).where(eq(auditLog.action, "user.sign_in_failed"))).length;

  it("200 concurrent wrong guesses against one email: at most the limit are verified, and the right password inside the burst is refused", async () => {
    const guess = (i: number) => verifyCredentials(t.db, { email: "ada@example.com", password: `wrong guess ${i}`, ip: `10.0.${i >> 8}.${i & 255}` });
    let settled = 0;
    const burst = Array.from({ length: 200 }, (_, i) => guess(i).finally(() => settled++));
    // Once the limit is reached the email is blocked; the burst is still being verified.
    await vi.waitUntil(async () => (await throttleBlockedUntil(t.db, ["email:ada@example.com"])) !== null, { timeout: 30_000, interval: 5 });
    const right = verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "10.9.9.9" });
    expect(settled).toBeLessThan(200);
    const results = await Promise.all(burst);
    expect(await right).toMatchObject({ ok: false, reason: "throttled" });
    const invalid = results.filter((r) => !r.ok && r.reason === "invalid").length;
    expect(invalid).toBeLessThanOrEqual(THROTTLE.email.freeFailures);
    expect(results.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(200 - invalid);
    expect(await verifiedFailures()).toBe(invalid);
    const throttled = await t.db.select().from(auditLog).where(eq(auditLog.action, "user.sign_in_throttled"));
    expect(throttled.length).toBe(200 - invalid + 1);
  });

  it("200 concurrent guesses from one address across many emails: at most the per-IP limit are verified", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => verifyCredentials(t.db, { email: `x${i}@example.com`, password: "wrong guess!", ip: "7.7.7.7" }, undefined, SMALL)),
    );
    const invalid = results.filter((r) => !r.ok && r.reason === "invalid").length;
    expect(invalid).toBeLessThanOrEqual(SMALL.ip.freeFailures);
    expect(await verifiedFailures()).toBe(invalid);
    expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "7.7.7.7" }, undefined, SMALL)).toMatchObject({
      reason: "throttled",
    });
  });

  it("a success does not count against the address", async () => {
    for (let i = 0; i < SMALL.ip.freeFailures + 2; i++) {
      expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "6.6.6.6" }, undefined, SMALL)).toMatchObject({ ok: true });
    }
  });
});

describe("sign-up throttle", () => {
  it("probing existing emails from one address is throttled; creating accounts is not", async () => {
    const now = new Date("2026-01-01T12:00:00Z");
    const limits = { ...THROTTLE, signup: { freeFailures: 2 } };
    for (let i = 0; i < 4; i++) expect(await signUpFrom(t.db, { email: `n${i}@example.com`, password: "long enough pass", ip: "5.5.5.5" }, now, limits)).toMatchObject({ ok: true });
    expect(await signUpFrom(t.db, { email: "n0@example.com", password: "long enough pass", ip: "5.5.5.5" }, now, limits)).toEqual({ ok: false, reason: "email_taken" });
    expect(await signUpFrom(t.db, { email: "n1@example.com", password: "long enough pass", ip: "5.5.5.5" }, now, limits)).toEqual({ ok: false, reason: "email_taken" });
    // Blocked now: neither a probe nor a new account from this address, nothing created.
    expect(await signUpFrom(t.db, { email: "n2@example.com", password: "long enough pass", ip: "5.5.5.5" }, now, limits)).toMatchObject({ ok: false, reason: "throttled" });
    expect(await signUpFrom(t.db, { email: "fresh@example.com", password: "long enough pass", ip: "5.5.5.5" }, now, limits)).toMatchObject({ ok: false, reason: "throttled" });
    expect(await t.db.select().from(users)).toHaveLength(4);
    expect(await signUpFrom(t.db, { email: "fresh@example.com", password: "long enough pass", ip: "4.4.4.4" }, now, limits)).toMatchObject({ ok: true });
  });
});

describe("password hashing upgrade", () => {
  it("a hash with older scrypt parameters still signs in and is re-hashed at N=2^17, r=8, p=1", async () => {
    const salt = randomBytes(16);
    const key = scryptSync("correct horse battery".normalize("NFKC"), salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const old = `scrypt$32768$8$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    await t.db.insert(users).values({ email: "old@example.com", passwordHash: old });
    expect(await verifyCredentials(t.db, { email: "old@example.com", password: "wrong password!", ip: "1.2.3.4" })).toMatchObject({ ok: false });
    const [still] = await t.db.select().from(users).where(eq(users.email, "old@example.com"));
    expect(still!.passwordHash).toBe(old);
    expect(await verifyCredentials(t.db, { email: "old@example.com", password: "correct horse battery", ip: "1.2.3.4" })).toMatchObject({ ok: true });
    const [u] = await t.db.select().from(users).where(eq(users.email, "old@example.com"));
    expect(u!.passwordHash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyCredentials(t.db, { email: "old@example.com", password: "correct horse battery", ip: "1.2.3.4" })).toMatchObject({ ok: true });
  });
});

describe("sessions", () => {
  it("can be revoked: sign out everywhere, and a password change ends the other sessions", async () => {
    const r = await signUp({ email: "ada@example.com", password: "correct horse battery" });
    if (!("ok" in r) || !r.ok) throw new Error("sign-up failed");
    const a = await createSession(t.db, { userId: r.userId });
    const b = await createSession(t.db, { userId: r.userId });
    const c = await createSession(t.db, { userId: r.userId });
    expect(await getSessionUser(t.db, a)).toMatchObject({ email: "ada@example.com", sessionId: a });

    expect(await changePassword(t.db, { userId: r.userId, currentPassword: "wrong", newPassword: "new password 123", keepSessionId: a })).toEqual({
      ok: false,
      reason: "wrong_password",
    });
    expect(await getSessionUser(t.db, b)).not.toBeNull();
    expect(await changePassword(t.db, { userId: r.userId, currentPassword: "correct horse battery", newPassword: "new password 123", keepSessionId: a })).toEqual({
      ok: true,
      endedSessions: 2,
    });
    expect(await getSessionUser(t.db, a)).not.toBeNull();
    expect(await getSessionUser(t.db, b)).toBeNull();
    expect(await getSessionUser(t.db, c)).toBeNull();
    expect((await verifyCredentials(t.db, { email: "ada@example.com", password: "new password 123", ip: "x" })).ok).toBe(true);

    await revokeUserSessions(t.db, r.userId);
    expect(await getSessionUser(t.db, a)).toBeNull();
  });

  it("next-auth's own sign-out ends the server-side session behind the token, audited once", async () => {
    const r = await signUp({ email: "ada@example.com", password: "correct horse battery" });
    if (!("ok" in r) || !r.ok) throw new Error("sign-up failed");
    const sid = await createSession(t.db, { userId: r.userId });
    expect(await endSessionOfToken(t.db, { token: { sid } })).toBe(true);
    expect(await getSessionUser(t.db, sid)).toBeNull();
    expect(await endSessionOfToken(t.db, { token: { sid } })).toBe(false);
    expect(await endSessionOfToken(t.db, { session: null })).toBe(false);
    const outs = await t.db.select().from(auditLog).where(eq(auditLog.action, "user.sign_out"));
    expect(outs).toHaveLength(1);
    expect(outs[0]!.userId).toBe(r.userId);
  });

  it("expire", async () => {
    const r = await signUp({ email: "ada@example.com", password: "correct horse battery" });
    if (!("ok" in r) || !r.ok) throw new Error("sign-up failed");
    const past = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const sid = await createSession(t.db, { userId: r.userId }, past);
    expect(await getSessionUser(t.db, sid)).toBeNull();
    expect(await t.db.select().from(users).where(eq(users.id, r.userId))).toHaveLength(1);
  });
});
