import { describe, expect, it } from "vitest";
import { ebankHarness, ebankUser } from "@/test/ebank-harness";
import { ConnectorError } from "../errors";
import { parsePage } from "./client";
import type { EbankCredentials } from "./connector";

const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e as ConnectorError,
  );

const logins = (h: ReturnType<typeof ebankHarness>) => h.emulator.log.filter((l) => l.path === "/oauth2-server/login" && l.status !== 404).length;

describe("e-bank login dance (cookie jar + HTML form + token in the fragment)", () => {
  it("logs in without a code: credentials keep the login, never a token or cookie", async () => {
    const h = ebankHarness();
    const r = await h.connector.completeLink({ username: "anna", password: "correct horse" }, { userId: "u1" });
    expect(r.credentials).toEqual({ username: "anna", password: "correct horse", deviceToken: null, custId: expect.any(String) });
    expect(r.providerItemId).toBe(`fibank:${r.credentials.custId}`);
    expect(JSON.stringify(r)).not.toMatch(/access_token|JSESSIONID/);
    const accounts = await h.connector.listAccounts(r.credentials);
    expect(accounts.map((a) => a.currency).sort()).toEqual(["EUR", "USD"]);
    expect(accounts.every((a) => /^BG\d\dFINV/.test(a.iban!))).toBe(true);
    // The anti-forgery token was sent: a login without it is refused by the bank.
    const page = await h.emulator.handle(new Request("http://ebank.test/oauth2-server/login?client_id=E_BANK"));
    const sid = page.headers.get("set-cookie")!.split(";")[0]!;
    const forged = await h.emulator.handle(new Request("http://ebank.test/oauth2-server/login", { method: "POST", headers: { cookie: sid, "content-type": "application/x-www-form-urlencoded" }, body: "username=anna&password=correct+horse" }));
    expect(forged.status).toBe(403);
  });

  it("asks for the one-time code as a link step, rejects a wrong one, then trusts the device for later logins", async () => {
    const h = ebankHarness({ users: [ebankUser("bob", { otp: "135790" })] });
    const first = await fail(h.connector.completeLink({ username: "bob", password: "correct horse" }, { userId: "u1" }));
    expect(first.opts.providerCode).toBe("otp_required");
    expect(first.message).toMatch(/one-time code/);
    const wrong = await fail(h.connector.completeLink({ username: "bob", password: "correct horse", otp: "111111" }, { userId: "u1" }));
    expect(wrong.code).toBe("invalid_credentials");
    expect(wrong.opts.providerCode).toBe("bad_otp");
    const ok = await h.connector.completeLink({ username: "bob", password: "correct horse", otp: "135790" }, { userId: "u1" });
    expect(ok.credentials.deviceToken).toEqual(expect.any(String));
    // A later (scheduled) login with the trusted device needs no code.
    h.emulator.expireSessions("bob");
    expect(await h.connector.listAccounts(ok.credentials)).toHaveLength(2);
    // Without the device trust a scheduled run does not block: it says it needs the code.
    h.emulator.expireSessions("bob");
    const noDevice: EbankCredentials = { ...ok.credentials, deviceToken: null, password: "correct horse" };
    h.emulator.failNext("require_otp", 1, "bob");
    const e = await fail(h.connector.listAccounts(noDevice));
    expect(e.code).toBe("reauth_required");
    expect(e.message).toMatch(/one-time code/);
  });

  it("reconnect reuses the stored login and takes the code (and a new password) when the bank asks", async () => {
    const h = ebankHarness({ users: [ebankUser("bob", { otp: "135790" })] });
    await fail(h.connector.completeLink({ username: "bob", password: "correct horse" }, { userId: "u1" }));
    const linked = await h.connector.completeLink({ username: "bob", password: "correct horse", otp: "135790" }, { userId: "u1" });
    const stale = { ...linked.credentials, deviceToken: null }; // the bank forgot the device
    const ask = await fail(h.connector.completeLink({}, { userId: "u1", reconnect: { credentials: stale } }));
    expect(ask.opts.providerCode).toBe("otp_required");
    const again = await h.connector.completeLink({ otp: "135790" }, { userId: "u1", reconnect: { credentials: stale } });
    expect(again.providerItemId).toBe(linked.providerItemId);
    expect(again.credentials.deviceToken).toEqual(expect.any(String));
    h.emulator.addUser(ebankUser("bob", { otp: "135790", password: "new password" }));
    const changed = await h.connector.completeLink({ password: "new password" }, { userId: "u1", reconnect: { credentials: again.credentials } });
    expect(changed.credentials.password).toBe("new password");
  });

  it("a wrong password is a clear error with no retry; five lock the user and the message says so", async () => {
    const h = ebankHarness();
    const before = logins(h);
    const e = await fail(h.connector.completeLink({ username: "anna", password: "nope" }, { userId: "u1" }));
    expect(e.code).toBe("invalid_credentials");
    expect(e.message).toMatch(/did not accept that username and password/);
    expect(e.message).not.toContain("nope");
    expect(logins(h) - before).toBe(2); // one GET of the form, one POST: no retry storm
    for (let i = 0; i < 3; i++) await fail(h.connector.completeLink({ username: "anna", password: `nope${i}` }, { userId: "u1" }));
    const locked = await fail(h.connector.completeLink({ username: "anna", password: "nope5" }, { userId: "u1" }));
    expect(h.emulator.isLocked("anna")).toBe(true);
    expect(locked.code).toBe("invalid_credentials");
    expect(locked.opts.providerCode).toBe("user_locked");
    expect(locked.message).toMatch(/locked/);
    // Even the right password is refused while locked.
    expect((await fail(h.connector.completeLink({ username: "anna", password: "correct horse" }, { userId: "u1" }))).opts.providerCode).toBe("user_locked");
  });

  it("re-logs in transparently when the session or the token expires", async () => {
    const h = ebankHarness();
    const { credentials } = await h.connector.completeLink({ username: "anna", password: "correct horse" }, { userId: "u1" });
    h.emulator.failNext("expire_session", 1, "anna");
    expect(await h.connector.listAccounts(credentials)).toHaveLength(2);
    h.clock.advance(301_000); // past expires_in
    expect(await h.connector.listAccounts(credentials)).toHaveLength(2);
    expect(logins(h)).toBe(6); // link + two re-logins, each GET + POST
  });
});

describe("e-bank statements", () => {
  it("the bank refuses a range over 30 days with its own error shape; 30 days are fine", async () => {
    const h = ebankHarness();
    const { credentials } = await h.connector.completeLink({ username: "anna", password: "correct horse" }, { userId: "u1" });
    const [iban] = h.emulator.ibans("anna");
    const client = h.connector.client;
    const s = await (async () => {
      const out = await client.login(credentials.username, credentials.password);
      if (out.kind !== "session") throw new Error("otp");
      return out.session;
    })();
    const q = (from: string, to: string) => ({ FromDate: `${from}T00:00:00+0200`, ToDate: `${to}T23:59:59+0200`, Iban: iban!, StmtType: "T" });
    const ok = await client.api<{ acc: { stmt: unknown[] }[] }>(s, "sywsquery/sywsquery/GetCustBal", q("2026-10-01", "2026-10-30"));
    expect(ok.acc).toHaveLength(1);
    const e = await fail(client.api(s, "sywsquery/sywsquery/GetCustBal", q("2026-10-01", "2026-10-31")));
    expect(e.code).toBe("invalid_request");
    expect(e.opts).toMatchObject({ status: 400, providerCode: "EB-STM-030" });
    const raw = await h.emulator.handle(
      new Request(`http://ebank.test/EBank/api/v1/sywsquery/sywsquery/GetCustBal?${new URLSearchParams(q("2026-09-01", "2026-10-31"))}`, {
        headers: { authorization: `Bearer ${s.token}`, cookie: await s.jar.getCookieString("http://ebank.test/EBank/"), "ebank-cust-id": s.custId },
      }),
    );
    expect(await raw.json()).toEqual({ errCode: "EB-STM-030", errMsg: expect.stringContaining("30"), status: "E" });
  });

  it("waits out the bank's per-minute limit instead of failing (Retry-After)", async () => {
    const h = ebankHarness();
    h.emulator.requestsPerMinute = 3;
    const { credentials } = await h.connector.completeLink({ username: "anna", password: "correct horse" }, { userId: "u1" });
    for (let i = 0; i < 6; i++) await h.connector.listAccounts(credentials);
    expect(h.emulator.log.some((l) => l.status === 429)).toBe(true);
    expect(h.clock.slept.some((ms) => ms >= 1000)).toBe(true);
  });

  it("parses the bank's pages with an HTML parser: hidden fields, meta token, error box", () => {
    const p = parsePage(
      `<html><head><meta name="_csrf" content="abc"></head><body><div class="alert alert-danger" role="alert"> Грешно <b>име</b> </div>
       <form id="f" action="/x"><input type=hidden name=_csrf value="abc"><input name=username><input type=checkbox name=keep value=on><select name=lang></select></form></body></html>`,
    );
    expect(p.meta._csrf).toBe("abc");
    expect(p.error).toBe("Грешно име");
    expect(p.forms).toEqual([{ id: "f", action: "/x", fields: { _csrf: "abc", username: "", lang: "" }, names: ["_csrf", "username", "keep", "lang"] }]);
  });
});
