import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { users } from "@/db/schema";
import {
  changePassword,
  createSession,
  createUser,
  getSessionUser,
  revokeUserSessions,
  THROTTLE,
  verifyCredentials,
} from "./accounts";
import { signUpSchema } from "./validation";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

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
    expect(u!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
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
    // Both include a ~32 MiB scrypt; an early return would be orders of magnitude faster.
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
    for (let i = 0; i < THROTTLE.ip.freeFailures; i++) {
      await verifyCredentials(t.db, { email: `x${i}@example.com`, password: "nope nope", ip: "9.9.9.9" }, now);
    }
    expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "9.9.9.9" }, now)).toMatchObject({
      reason: "throttled",
    });
    expect(await verifyCredentials(t.db, { email: "ada@example.com", password: "correct horse battery", ip: "8.8.8.8" }, now)).toMatchObject({ ok: true });
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

  it("expire", async () => {
    const r = await signUp({ email: "ada@example.com", password: "correct horse battery" });
    if (!("ok" in r) || !r.ok) throw new Error("sign-up failed");
    const past = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const sid = await createSession(t.db, { userId: r.userId }, past);
    expect(await getSessionUser(t.db, sid)).toBeNull();
    expect(await t.db.select().from(users).where(eq(users.id, r.userId))).toHaveLength(1);
  });
});
