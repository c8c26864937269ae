import { describe, expect, it } from "vitest";
import { entriesOf, formatBankTime, sofiaDay, sofiaInstant, sofiaOffsetMin, visibleAt } from "./ledger";
import { EBANK_SANDBOX_USERS, EbankEmulator } from "./server";

const user = EBANK_SANDBOX_USERS[0]!;

describe("e-bank ledger", () => {
  it("keeps Sofia time across summer time (EU rule)", () => {
    expect(sofiaOffsetMin(Date.UTC(2026, 0, 15))).toBe(120);
    expect(sofiaOffsetMin(Date.UTC(2026, 6, 15))).toBe(180);
    // 2026-03-29 is the last Sunday of March: 01:00 UTC switches to +0300.
    expect(sofiaOffsetMin(Date.UTC(2026, 2, 29, 0, 59))).toBe(120);
    expect(sofiaOffsetMin(Date.UTC(2026, 2, 29, 1, 0))).toBe(180);
    expect(formatBankTime(sofiaInstant("2026-01-10", 30))).toBe("2026-01-10T00:30:00+0200");
    expect(formatBankTime(sofiaInstant("2026-07-10", 23 * 60 + 50))).toBe("2026-07-10T23:50:00+0300");
    expect(sofiaDay(Date.UTC(2026, 0, 9, 22, 30))).toBe("2026-01-10"); // 00:30 local is the next day
  });

  it("is deterministic, has fees, card payments and salaries, and unique entry serials", () => {
    const a = entriesOf(user, 0, "2025-01-01", "2025-12-31");
    expect(entriesOf(user, 0, "2025-01-01", "2025-12-31")).toEqual(a);
    const types = new Set(a.map((e) => e.trnType));
    for (const t of ["FE", "CP", "TI", "TO"]) expect(types.has(t)).toBe(true);
    expect(a.filter((e) => e.trnType === "FE" && e.trname.startsWith("Такса обслужване")).length).toBe(12);
    expect(new Set(a.map((e) => e.srNo)).size).toBe(a.length);
    const usd = entriesOf(user, 1, "2025-01-01", "2025-12-31");
    expect(usd.filter((e) => e.trnType === "TI")).toHaveLength(12);
    // Some card payments are made just after midnight: their UTC day is the day before.
    expect(a.some((e) => new Date(e.at).toISOString().slice(0, 10) !== sofiaDay(e.at))).toBe(true);
  });

  it("a reversed payment is visible for a day, then gone", () => {
    const e = entriesOf(user, 0, "2025-01-01", "2025-12-31").find((x) => x.reversed)!;
    expect(e).toBeDefined();
    expect(visibleAt(e, e.at + 3600_000)).toBe(true);
    expect(visibleAt(e, e.at + 86_400_000)).toBe(false);
    expect(visibleAt(e, e.at - 1)).toBe(false);
  });

  it("the statement's opening + entries = closing, amounts as strings, OP/DT/CT/CL rows", async () => {
    const em = new EbankEmulator({ now: () => Date.UTC(2026, 10, 21, 10) });
    const login = async () => {
      const page = await em.handle(new Request("http://x/oauth2-server/login?client_id=E_BANK"));
      const sid = page.headers.get("set-cookie")!.split(";")[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const post = await em.handle(new Request("http://x/oauth2-server/login", { method: "POST", headers: { cookie: sid, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ username: user.username, password: user.password, _csrf: csrf }).toString() }));
      expect(post.status).toBe(302);
      const sid2 = post.headers.get("set-cookie")!.split(";")[0]!;
      const auth = await em.handle(new Request(`http://x${post.headers.get("location")}`, { headers: { cookie: sid2 } }));
      expect(auth.status).toBe(302);
      const frag = new URLSearchParams(new URL(auth.headers.get("location")!, "http://x").hash.slice(1));
      expect(frag.get("token_type")).toBe("bearer");
      expect(Number(frag.get("expires_in"))).toBeGreaterThan(0);
      return { cookie: sid2, token: frag.get("access_token")! };
    };
    const s = await login();
    const iban = em.ibans(user.username)[0]!;
    const q = new URLSearchParams({ FromDate: "2026-09-01T00:00:00+0300", ToDate: "2026-09-30T23:59:59+0300", Iban: iban, StmtType: "T" });
    const res = await em.handle(new Request(`http://x/EBank/api/v1/sywsquery/sywsquery/GetCustBal?${q}`, { headers: { cookie: s.cookie, authorization: `Bearer ${s.token}`, "ebank-cust-id": user.custId } }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { acc: { stmt: { trnType: string; amount: string; dtkt: string }[] }[] };
    const stmt = body.acc[0]!.stmt;
    expect(stmt[0]!.trnType).toBe("OP");
    expect(stmt.slice(-3).map((r) => r.trnType)).toEqual(["DT", "CT", "CL"]);
    const cents = (r: { amount: string; dtkt: string }) => (r.dtkt === "D" ? -1 : 1) * Math.round(Number(r.amount.replace(".", "")));
    expect(stmt.every((r) => /^\d+\.\d\d$/.test(r.amount))).toBe(true);
    const body2 = stmt.slice(1, -3);
    expect(body2.length).toBeGreaterThan(20);
    expect(cents(stmt[0]!) + body2.reduce((s2, r) => s2 + cents(r), 0)).toBe(cents(stmt.at(-1)!));
    // Without the session cookie the token alone is not enough.
    const noCookie = await em.handle(new Request(`http://x/EBank/api/v1/sywsquery/sywsquery/GetCustBal?${q}`, { headers: { authorization: `Bearer ${s.token}`, "ebank-cust-id": user.custId } }));
    expect(noCookie.status).toBe(401);
    // Before the account was opened: no account in the answer.
    const old = new URLSearchParams({ FromDate: "2019-01-01T00:00:00+0200", ToDate: "2019-01-30T23:59:59+0200", Iban: iban, StmtType: "T" });
    const none = await em.handle(new Request(`http://x/EBank/api/v1/sywsquery/sywsquery/GetCustBal?${old}`, { headers: { cookie: s.cookie, authorization: `Bearer ${s.token}`, "ebank-cust-id": user.custId } }));
    expect(await none.json()).toEqual({ acc: [] });
  });
});
