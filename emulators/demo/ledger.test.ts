import { describe, expect, it } from "vitest";
import { balancesOf, buildLedger, TEN_YEAR_BENCH, type DemoItem } from "./ledger";
import { DemoEmulator, encodeToken } from "./server";

const item = (over: Partial<DemoItem> = {}): DemoItem => ({
  itemId: "item-test",
  institutionId: "demo_platypus",
  seed: 1234,
  mode: "default",
  historyDays: 90,
  linkedAt: Date.UTC(2026, 2, 10, 9),
  density: 1,
  tickMs: 60_000,
  ...over,
});

describe("demo ledger", () => {
  it("is deterministic from its seed and different across seeds", () => {
    const a = buildLedger(item(), item().linkedAt);
    const b = buildLedger(item(), item().linkedAt);
    expect(JSON.stringify(a.events)).toBe(JSON.stringify(b.events));
    const c = buildLedger(item({ seed: 99 }), item().linkedAt);
    expect(JSON.stringify(c.events)).not.toBe(JSON.stringify(a.events));
  });

  it("only appends as time moves on, so cursors stay valid", () => {
    const early = buildLedger(item(), item().linkedAt + 5 * 60_000);
    const late = buildLedger(item(), item().linkedAt + 20 * 60_000);
    expect(late.events.length).toBeGreaterThan(early.events.length);
    expect(JSON.stringify(late.events.slice(0, early.events.length))).toBe(JSON.stringify(early.events));
    const kinds = new Set(late.events.slice(early.events.length).map((e) => e.kind));
    expect(kinds).toEqual(new Set(["add", "modify", "remove"]));
  });

  it("has realistic content: salary, rent, fees, transfers, two currencies, pending rows", () => {
    const l = buildLedger(item(), item().linkedAt);
    const txs = [...l.live.values()];
    const cats = new Set(txs.map((t) => t.category));
    for (const c of ["Income", "Rent", "Fees", "Transfer", "Groceries", "Restaurants"]) expect(cats).toContain(c);
    expect(new Set(txs.map((t) => t.currency))).toEqual(new Set(["USD", "EUR"]));
    expect(txs.some((t) => t.pending)).toBe(true);
    expect(txs.every((t) => Number.isInteger(t.amount_cents))).toBe(true);
  });

  it("balances are opening + posted (exact cents)", () => {
    const l = buildLedger(item(), item().linkedAt);
    const chk = l.accounts.find((a) => a.subtype === "checking" && a.currency === "USD")!;
    const posted = [...l.live.values()].filter((t) => t.account_id === chk.account_id && !t.pending).reduce((s, t) => s + t.amount_cents, 0);
    expect(balancesOf(l).get(chk.account_id)!.current).toBe(chk.opening_balance_cents + posted);
  });

  it("ten years at benchmark density is about 100k transactions", () => {
    const l = buildLedger(item(TEN_YEAR_BENCH), item().linkedAt);
    expect(l.live.size).toBeGreaterThan(85_000);
    expect(l.live.size).toBeLessThan(130_000);
  }, 60_000); // builds ~100k rows: ~1 s alone, 7 s when the CPU is shared

  it("empty mode has accounts and no transactions", () => {
    const l = buildLedger(item({ mode: "empty" }), item().linkedAt + 10 * 60_000);
    expect(l.accounts).toHaveLength(4);
    expect(l.events).toHaveLength(0);
  });
});

describe("demo emulator HTTP surface", () => {
  const emu = new DemoEmulator({ now: () => item().linkedAt });
  const call = (path: string, init: RequestInit = {}) => emu.handle(new Request(`http://x${path}`, init));

  it("rejects missing or forged tokens", async () => {
    expect((await call("/accounts")).status).toBe(401);
    const forged = encodeToken(item()).replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    const res = await call("/accounts", { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "INVALID_ACCESS_TOKEN", message: expect.any(String) } });
  });

  it("validates link input and count", async () => {
    const bad = await call("/link", { method: "POST", body: JSON.stringify({ institution_id: "nope" }) });
    expect(bad.status).toBe(400);
    const tok = encodeToken(item());
    const r = await call("/transactions/sync?count=501", { headers: { authorization: `Bearer ${tok}` } });
    expect(r.status).toBe(400);
  });

  it("pages the change log with a cursor until has_more is false", async () => {
    const tok = encodeToken(item());
    let cursor = "";
    let n = 0;
    for (let i = 0; i < 100; i++) {
      const r = (await (await call(`/transactions/sync?count=200${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization: `Bearer ${tok}` } })).json()) as {
        added: unknown[];
        next_cursor: string;
        has_more: boolean;
      };
      n += r.added.length;
      cursor = r.next_cursor;
      if (!r.has_more) break;
    }
    expect(n).toBe(buildLedger(item(), item().linkedAt).events.length);
  });
});
