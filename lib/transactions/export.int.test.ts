import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { CSV_COLUMNS, exportFileName, exportStream, type ExportFormat } from "./export";
import { parseFilters, type TransactionFilters } from "./filters";
import { queryTransactions } from "./query";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const filters = (q: Record<string, string> = {}): TransactionFilters => {
  const r = parseFilters(q);
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.filters;
};

/** The exported bytes as text, keeping a BOM visible (Response.text() would strip it). */
async function text(userId: string, format: ExportFormat, f = filters()) {
  const bytes = await new Response(exportStream(t.db, { userId, filters: f, format })).arrayBuffer();
  return new TextDecoder("utf-8", { ignoreBOM: true, fatal: true }).decode(bytes);
}

const NASTY = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", 'quote " and, comma', "multi\nline", "Café 🍰 naïve"];

describe("export", () => {
  it("CSV (RFC 4180, UTF-8) parses back to exactly the filtered rows; free text is neutralised, amounts stay numeric", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, [
      ...NASTY.map((d, i) => ({ date: `2026-01-${String(10 + i).padStart(2, "0")}`, amount: i % 2 ? "-12.34" : "0.01", description: d, merchant: d, note: d })),
      { date: "2025-12-31", amount: "-99.00", description: "OUTSIDE THE FILTER" },
    ]);
    const f = filters({ from: "2026-01-01", to: "2026-01-31" });
    const csv = await text(u.userId, "csv", f);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const records = parse(csv.slice(1), { columns: true, relax_quotes: false }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...CSV_COLUMNS]);
    const expected = (await queryTransactions(t.db, { userId: u.userId, filters: { ...f, limit: 200 } })).rows;
    expect(records.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    for (const [i, r] of records.entries()) {
      const e = expected[i]!;
      expect(r.amount).toMatch(/^-?\d+\.\d{2}$/);
      expect(r.amount).toBe(e.amount.replace(/00$/, ""));
      expect(r.date).toBe(e.date);
      // Dangerous leading characters get an apostrophe; everything else is byte-identical.
      const safe = /^[=+\-@\t\r]/.test(e.description) ? `'${e.description}` : e.description;
      expect(r.description).toBe(safe);
      expect(r.note).toBe(safe);
    }
    expect(records.every((r) => !/^[=+\-@\t\r]/.test(r.description!))).toBe(true);
    expect(csv).not.toContain("OUTSIDE THE FILTER");
  });

  it("JSON is one valid document with the same rows", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Checking");
    await seedTransactions(t.db, u.userId, acct, NASTY.map((d, i) => ({ date: "2026-01-01", amount: `-${i}.50`, description: d })));
    const doc = JSON.parse(await text(u.userId, "json")) as { transactions: { description: string; amount: string }[] };
    expect(doc.transactions.map((r) => r.description).sort()).toEqual([...NASTY].sort());
    expect(doc.transactions.map((r) => r.amount).sort()).toContain("-0.50");
    const empty = await seedUser(t.db);
    expect(JSON.parse(await text(empty.userId, "json"))).toEqual({ transactions: [] });
  });

  it("OFX has one statement per account and every transaction once, XML-escaped", async () => {
    const u = await seedUser(t.db);
    const a = await u.account("Checking");
    const b = await u.account("Euro", "EUR");
    await seedTransactions(t.db, u.userId, a, [{ date: "2026-01-02", amount: "-5.00", description: "A & B <tag>" }, { date: "2026-01-01", amount: "10", description: "IN" }]);
    await seedTransactions(t.db, u.userId, b, [{ date: "2026-01-03", amount: "-1.25", description: "EURO", currency: "EUR" }]);
    const ofx = await text(u.userId, "ofx");
    expect(ofx.match(/<STMTTRNRS>/g)).toHaveLength(2);
    expect(ofx.match(/<STMTTRN>/g)).toHaveLength(3);
    expect(ofx).toContain("<NAME>A &amp; B &lt;tag&gt;</NAME>");
    expect(ofx).toContain("<CURDEF>EUR</CURDEF>");
    expect(ofx).toContain("<TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260101</DTPOSTED>");
    expect(ofx.trim().endsWith("</OFX>")).toBe(true);
  });

  it("CSV and OFX write each amount with its currency's decimals: none for yen, three for dinars", async () => {
    const u = await seedUser(t.db);
    const yen = await u.account("Yen", "JPY");
    const dinar = await u.account("Dinar", "BHD");
    const usd = await u.account("Dollars", "USD");
    await seedTransactions(t.db, u.userId, yen, [{ date: "2026-01-02", amount: "-1500", description: "YEN", currency: "JPY" }]);
    await seedTransactions(t.db, u.userId, dinar, [{ date: "2026-01-03", amount: "12.345", description: "DINAR", currency: "BHD" }]);
    await seedTransactions(t.db, u.userId, usd, [{ date: "2026-01-04", amount: "7.5", description: "DOLLAR" }]);
    const records = parse((await text(u.userId, "csv")).slice(1), { columns: true }) as Record<string, string>[];
    expect(Object.fromEntries(records.map((r) => [r.description, `${r.amount} ${r.currency}`]))).toEqual({ YEN: "-1500 JPY", DINAR: "12.345 BHD", DOLLAR: "7.50 USD" });
    const ofx = await text(u.userId, "ofx");
    expect(ofx).toContain("<TRNAMT>-1500</TRNAMT>");
    expect(ofx).toContain("<TRNAMT>12.345</TRNAMT>");
    expect(ofx).toContain("<TRNAMT>7.50</TRNAMT>");
    // the ledger balance of an account with no reported balance: the sum of its rows, same decimals
    expect(ofx).toContain("<BALAMT>-1500</BALAMT>");
    expect(ofx).toContain("<BALAMT>12.345</BALAMT>");
  });

  it("another user's export is empty", async () => {
    const a = await seedUser(t.db);
    const b = await seedUser(t.db);
    const acct = await a.account("A");
    await seedTransactions(t.db, a.userId, acct, [{ date: "2026-01-01", amount: "-1", description: "A ONLY" }]);
    const csv = await text(b.userId, "csv", filters({ account: acct }));
    expect(csv.trim().split("\r\n")).toHaveLength(1); // header only
  });

  it("has a sensible file name", () => {
    expect(exportFileName("csv", filters({ from: "2026-01-01", to: "2026-03-31" }))).toBe("ledgerlink-transactions-2026-01-01_to_2026-03-31.csv");
    expect(exportFileName("ofx", filters(), "2026-11-21")).toBe("ledgerlink-transactions-all_to_2026-11-21.ofx");
  });

  it("a 100k-row export streams in constant memory (peak heap does not grow with row count)", async () => {
    const u = await seedUser(t.db);
    const acct = await u.account("Big");
    const fill = async (n: number) => {
      await t.db.execute(sql`delete from transactions`);
      await t.db.execute(sql`
        insert into transactions (user_id, account_id, provider_transaction_id, date, amount, currency, description, merchant, category)
        select ${u.userId}::uuid, ${acct}::uuid, 'g' || i, date '2016-01-01' + (i % 3650), ((i % 2000) - 1000) / 100.0, 'USD',
               'SOME MERCHANT PURCHASE #' || i, 'Merchant ' || (i % 300), 'Category ' || (i % 12)
        from generate_series(1, ${n}) as i`);
    };
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc).toBeTypeOf("function");
    const measure = async () => {
      gc!();
      const base = process.memoryUsage().heapUsed;
      let peak = 0;
      let rows = 0;
      let chunks = 0;
      const reader = exportStream(t.db, { userId: u.userId, filters: filters(), format: "csv" }).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rows += new TextDecoder().decode(value).split("\r\n").length - 1;
        if (++chunks % 10 === 0) {
          gc!();
          peak = Math.max(peak, process.memoryUsage().heapUsed - base);
        }
      }
      return { rows, peak };
    };
    await fill(10_000);
    const small = await measure();
    await fill(100_000);
    const large = await measure();
    expect(small.rows).toBe(10_000 + 1);
    expect(large.rows).toBe(100_000 + 1);
    // Ten times the rows must not mean meaningfully more retained memory (a buffered export would be ~10x).
    expect(large.peak).toBeLessThan(small.peak * 2 + 8 * 1024 * 1024);
    // 110k rows inserted and exported twice with a GC every ten chunks: generous bound for a loaded CI machine.
  }, 240_000);
});
