import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { convertAmount } from "./convert";
import { convertOn, rateOn, ratesStatus, seedEcbHistory } from "./rates";
import { convertSql, minorScaleSql } from "./sql";

let t: TestDatabase;
let seedMs = 0;
beforeAll(async () => {
  t = await createTestDatabase();
  const started = Date.now();
  await seedEcbHistory(t.db); // the full shipped history
  seedMs = Date.now() - started;
}, 300_000); // the whole 26-year history: slow on a busy machine
afterAll(async () => t?.close());

describe("ECB rates in the database", () => {
  it("loads the whole history (and can run twice)", async () => {
    expect(seedMs).toBeGreaterThan(0);
    const before = await t.db.execute(sql`select count(*)::int as n from fx_rates`);
    await seedEcbHistory(t.db, { from: "2025-05-01" });
    const after = await t.db.execute(sql`select count(*)::int as n from fx_rates`);
    const n = (r: unknown) => ((r as { rows?: { n: number }[] }).rows ?? (r as { n: number }[]))[0]!.n;
    expect(n(after)).toBe(n(before));
    expect(await ratesStatus(t.db)).toMatchObject({ lastDate: "2025-05-09" });
  });

  it("converts a known day by hand: 100 USD → GBP on 2025-05-09", async () => {
    expect(await convertOn(t.db, "100", "USD", "GBP", "2025-05-09")).toEqual({
      status: "ok",
      amount: "75.34",
      currency: "GBP",
      rate: "0.753377",
      rateDate: "2025-05-09",
      stale: false,
    });
  });

  it("uses the previous business day on weekends and holidays", async () => {
    expect(await convertOn(t.db, "250", "EUR", "USD", "2025-05-10")).toMatchObject({ amount: "281.30", rateDate: "2025-05-09" }); // Saturday
    expect(await convertOn(t.db, "1000", "EUR", "GBP", "2025-04-21")).toMatchObject({ amount: "858.73", rateDate: "2025-04-17" }); // Easter Monday
  });

  it("a currency quoted only from a date: RON from 2005-07-01", async () => {
    expect(await convertOn(t.db, "100", "EUR", "RON", "2005-07-01")).toMatchObject({ status: "ok", amount: "360.30" });
    expect(await convertOn(t.db, "100", "EUR", "RON", "2005-06-30")).toEqual({ status: "no_rate", currency: "RON", day: "2005-06-30" });
  });

  it("a currency the ECB never quoted, or a day before 1999, is 'no rate' — not zero", async () => {
    expect(await convertOn(t.db, "100", "ARS", "EUR", "2024-01-02")).toEqual({ status: "no_rate", currency: "ARS", day: "2024-01-02" });
    expect(await rateOn(t.db, "USD", "1998-12-31")).toBeNull();
    // CYP stopped at 2007-12-31: a 2015 rate does not exist (no carrying across years)
    expect(await rateOn(t.db, "CYP", "2015-06-01")).toBeNull();
  });

  it("after the last published day, carries the last known rate forward and says so", async () => {
    expect(await rateOn(t.db, "USD", "2026-11-21")).toEqual({ currency: "USD", perEur: "1.125200", rateDate: "2025-05-09", stale: true });
    expect(await convertOn(t.db, "100", "EUR", "USD", "2026-11-21")).toMatchObject({ amount: "112.52", stale: true, rateDate: "2025-05-09" });
  });

  it("SQL and TypeScript apply the same rounding rule, exact to the cent over 5,000 rows", async () => {
    // Amounts with 4 decimals chosen to hit many half-cent cases; rates from the file.
    const amounts = Array.from({ length: 5000 }, (_, i) => `${(i % 2 ? "-" : "")}${(i * 7919) % 100000}.${String((i * 37) % 10000).padStart(4, "0")}`);
    const values = sql.join(
      amounts.map((a) => sql`(${a}::numeric)`),
      sql`,`,
    );
    const res = await t.db.execute(sql`
      with a(amount) as (values ${values})
      select sum(${convertSql(sql`a.amount`, sql`'USD'`, sql`u.per_eur`, sql`g.per_eur`, "GBP")})::text as total,
             count(*)::int as n
      from a, fx_daily u, fx_daily g
      where u.currency = 'USD' and u.day = '2025-05-09' and g.currency = 'GBP' and g.day = '2025-05-09'`);
    const row = ((res as { rows?: unknown[] }).rows ?? (res as unknown[]))[0] as { total: string; n: number };
    expect(row.n).toBe(5000);
    let cents = 0n;
    for (const a of amounts) cents += BigInt(convertAmount(a, "1.1252", "0.8477", "GBP").replace(".", ""));
    const neg = cents < 0n;
    const abs = neg ? -cents : cents;
    const expected = `${neg ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
    expect(Number.isNaN(Number(row.total))).toBe(false);
    expect(row.total.replace(/0+$/, "").replace(/\.$/, "")).toBe(expected.replace(/0+$/, "").replace(/\.$/, ""));
  });

  it("into yen the SQL and TypeScript rules both round to whole yen, row by row", async () => {
    const amounts = Array.from({ length: 500 }, (_, i) => `${i % 2 ? "-" : ""}${(i * 7919) % 1000}.${String((i * 37) % 10000).padStart(4, "0")}`);
    const values = sql.join(
      amounts.map((a, i) => sql`(${i}::int, ${a}::numeric)`),
      sql`,`,
    );
    const res = await t.db.execute(sql`
      with a(i, amount) as (values ${values})
      select ${convertSql(sql`a.amount`, sql`'USD'`, sql`u.per_eur`, sql`j.per_eur`, "JPY")}::text as yen
      from a, fx_daily u, fx_daily j
      where u.currency = 'USD' and u.day = '2025-05-09' and j.currency = 'JPY' and j.day = '2025-05-09'
      order by a.i`);
    const rows = ((res as { rows?: unknown[] }).rows ?? (res as unknown[])) as { yen: string }[];
    // JPY 163.36 per EUR on 2025-05-09 (db/seed/fx/ecb_eurofxref-hist.csv)
    const ts = amounts.map((a) => convertAmount(a, "1.1252", "163.36", "JPY"));
    expect(ts.every((y) => /^-?\d+$/.test(y))).toBe(true);
    expect(rows.map((r) => r.yen.replace(/\.0+$/, ""))).toEqual(ts);
  });

  it("minorScaleSql: 10^(ISO 4217 minor units) of a currency column", async () => {
    const res = await t.db.execute(sql`
      select c, ${minorScaleSql(sql`c`)}::int as scale from (values ('JPY'), ('KRW'), ('ISK'), ('USD'), ('EUR'), ('BHD'), ('KWD'), ('XYZ')) v(c)`);
    const rows = ((res as { rows?: unknown[] }).rows ?? (res as unknown[])) as { c: string; scale: number }[];
    expect(Object.fromEntries(rows.map((r) => [r.c, r.scale]))).toEqual({ JPY: 1, KRW: 1, ISK: 1, USD: 100, EUR: 100, BHD: 1000, KWD: 1000, XYZ: 100 });
  });
});

describe("refreshing from the ECB feed", () => {
  it("loads a newer day from the 90-day XML (a local response), and a failure changes nothing", async () => {
    const { refreshEcbRates } = await import("./fetch");
    const xml = `<?xml version="1.0"?><gesmes:Envelope><Cube><Cube time="2025-05-12"><Cube currency="USD" rate="1.1106"/><Cube currency="GBP" rate="0.84325"/></Cube></Cube></gesmes:Envelope>`;
    const ok = await refreshEcbRates(t.db, { fetch: async () => new Response(xml, { status: 200 }) });
    expect(ok).toEqual({ status: "ok", rates: 2, lastDate: "2025-05-12" });
    // Sunday 2025-05-11 still uses Friday; Monday 2025-05-12 the new rate; later days carry it forward
    expect(await rateOn(t.db, "USD", "2025-05-11")).toMatchObject({ perEur: "1.125200", rateDate: "2025-05-09", stale: false });
    expect(await rateOn(t.db, "USD", "2025-05-12")).toMatchObject({ perEur: "1.110600", rateDate: "2025-05-12", stale: false });
    expect(await rateOn(t.db, "USD", "2026-01-01")).toMatchObject({ rateDate: "2025-05-12", stale: true });
    const failed = await refreshEcbRates(t.db, { fetch: async () => new Response("busy", { status: 503 }) });
    expect(failed).toEqual({ status: "failed", reason: "ECB answered 503" });
    const offline = await refreshEcbRates(t.db, { fetch: async () => { throw new TypeError("fetch failed"); } });
    expect(offline).toEqual({ status: "failed", reason: "fetch failed" });
    expect((await ratesStatus(t.db)).lastDate).toBe("2025-05-12");
  });
});
