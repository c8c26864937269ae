import { NextRequest } from "next/server";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { count, eq } from "drizzle-orm";
import { sessions } from "@/db/schema";
import { createUser } from "@/lib/auth/accounts";
import { useDatabase } from "@/test/api-harness";
import { createTestDatabase, type TestDatabase } from "@/test/db";

/**
 * A failed sign-in through next-auth's real credentials callback (POST
 * /api/auth/callback/credentials, the route the sign-in form ends in) writes exactly one
 * log line: no stack trace, no password, no email.
 */
describe("failed sign-in logging", () => {
  let t: TestDatabase;
  let userId: string;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await createTestDatabase();
    useDatabase(t);
    const r = await createUser(t.db, { email: "ada@example.com", password: "correct horse battery" });
    if (!r.ok) throw new Error("setup");
    userId = r.userId;
  });
  afterAll(() => t.close());
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.LEDGERLINK_LOG_LEVEL;
  });

  const capture = () => {
    lines.length = 0;
    process.env.LEDGERLINK_LOG_LEVEL = "debug"; // everything the server would print
    for (const m of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(args.map((a) => (a instanceof Error ? (a.stack ?? String(a)) : typeof a === "string" ? a : JSON.stringify(a))).join(" ")));
  };

  const attempt = async (password: string) => {
    const { handlers } = await import("@/lib/auth");
    const base = "http://127.0.0.1:3999";
    const csrf = await handlers.GET(new NextRequest(`${base}/api/auth/csrf`));
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookie = csrf.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const res = await handlers.POST(
      new NextRequest(`${base}/api/auth/callback/credentials`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-ledgerlink-peer": "203.0.113.9" },
        body: new URLSearchParams({ email: "ada@example.com", password, csrfToken, callbackUrl: `${base}/` }).toString(),
      }),
    );
    return { res, cookie };
  };

  it("a wrong password: refused, and one line without stack, password or email", async () => {
    capture();
    const { res } = await attempt("wrong-password-XYZZY-123");
    expect(res.headers.get("location") ?? "").toMatch(/error=CredentialsSignin/);
    const text = lines.join("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split("\n")).toHaveLength(1);
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toContain("wrong-password-XYZZY-123");
    expect(text).not.toContain("ada@example.com");
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", msg: "sign-in refused", reason: "credentials" });
  });

  it("the right password signs in (so the path above is the real one), logging no error", async () => {
    capture();
    const { res } = await attempt("correct horse battery");
    expect(res.headers.get("location") ?? "").not.toMatch(/error=/);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token="))).toBe(true);
    expect(lines.filter((l) => /"level":"(warn|error)"/.test(l))).toEqual([]);
  });

  it("next-auth's own POST /api/auth/signout ends the server-side session: the copied session cookie is dead", async () => {
    const { handlers } = await import("@/lib/auth");
    const { getSessionUser } = await import("@/lib/auth/accounts");
    const base = "http://127.0.0.1:3999";
    await t.db.delete(sessions).where(eq(sessions.userId, userId)); // the sessions the earlier tests signed in
    const { res, cookie: csrfCookie } = await attempt("correct horse battery");
    const sessionCookie = res.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="))!.split(";")[0]!;
    const cookie = `${csrfCookie}; ${sessionCookie}`;
    expect((await t.db.select({ n: count() }).from(sessions))[0]!.n).toBe(1);
    const [row] = await t.db.select({ id: sessions.id }).from(sessions);
    expect(await getSessionUser(t.db, row!.id)).not.toBeNull();

    const { csrfToken } = (await (await handlers.GET(new NextRequest(`${base}/api/auth/csrf`, { headers: { cookie } }))).json()) as { csrfToken: string };
    const out = await handlers.POST(
      new NextRequest(`${base}/api/auth/signout`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ csrfToken, callbackUrl: `${base}/sign-in` }).toString(),
      }),
    );
    expect([200, 302, 303]).toContain(out.status);
    // The row behind the JWT is gone, so the copied cookie no longer resolves to a user.
    expect(await getSessionUser(t.db, row!.id)).toBeNull();
    expect((await t.db.select({ n: count() }).from(sessions))[0]!.n).toBe(0);
  });
});
