import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { financialAccounts } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { exportStream } from "@/lib/transactions/export";
import { parseFilters } from "@/lib/transactions/filters";
import { parseStatement, summarize } from "./index";
import { commitImport } from "./import";

let database: TestDatabase;
// opening and migrating an embedded database can take a while on a busy machine
beforeAll(async () => {
  database = await createTestDatabase();
}, 180_000);
afterAll(async () => database?.close());
beforeEach(async () => truncateAll(database));

const require = createRequire(import.meta.url);
const reference = require("node-ofx-parser") as { parse: (text: string) => { OFX: Record<string, Record<string, unknown>> } };

async function exportOfx(userId: string): Promise<Uint8Array> {
  const parsed = parseFilters(new URLSearchParams());
  if (!parsed.ok) throw new Error("filters");
  const reader = exportStream(database.db, { userId, filters: parsed.filters, format: "ofx" }).getReader();
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** Per account in the file: kind of statement, rows (day, amount, text), sum and ledger balance. */
function shape(bytes: Uint8Array) {
  const result = parseStatement(bytes);
  expect(result.errors).toEqual([]);
  return summarize(result)
    .map((s) => ({
      type: s.accountType,
      currency: s.currency,
      rows: s.statements.flatMap((st) => st.transactions.map((t) => `${t.date} ${t.amount} ${t.description}`)).sort(),
      pending: s.pending,
      sum: s.sum,
      ledger: s.closingBalance,
    }))
    .sort((a, b) => a.type.localeCompare(b.type));
}

describe(`OFX round trip (${process.env.LL_TEST_DB ?? "pglite"})`, () => {
  it("export is conformant (ledger balance in every statement, card statements, no pending rows) and export → import → export gives the same rows and sums", async () => {
    const a = await seedUser(database.db);
    const checking = await a.account("Checking", "EUR");
    const card = await a.account("Card", "EUR");
    await database.db.update(financialAccounts).set({ type: "credit", subtype: "credit card", currentBalance: "-99.9900", balanceUpdatedAt: new Date("2025-01-08T10:00:00Z") }).where(eq(financialAccounts.id, card));
    await database.db.update(financialAccounts).set({ subtype: "savings" }).where(eq(financialAccounts.id, checking));
    await seedTransactions(database.db, a.userId, checking, [
      { date: "2025-01-02", amount: "-12.3400", currency: "EUR", description: "Bakery & Co <Main St>" },
      { date: "2025-01-02", amount: "-12.3400", currency: "EUR", description: "Bakery & Co <Main St>" },
      { date: "2025-01-05", amount: "2500.0000", currency: "EUR", description: "Salary" },
      { date: "2025-01-06", amount: "-40.0000", currency: "EUR", description: "Still pending", pending: true },
    ]);
    await seedTransactions(database.db, a.userId, card, [{ date: "2025-01-07", amount: "-99.9900", currency: "EUR", description: "Shop" }]);

    const bytes = await exportOfx(a.userId);
    const text = Buffer.from(bytes).toString("utf8");
    // bank statement in the bank message set with the account's type; the card in the card message set
    expect(text).toMatch(/<BANKMSGSRSV1>\n<STMTTRNRS>.*<STMTRS><CURDEF>EUR<\/CURDEF><BANKACCTFROM><BANKID>LEDGERLINK<\/BANKID><ACCTID>[^<]+<\/ACCTID><ACCTTYPE>SAVINGS<\/ACCTTYPE><\/BANKACCTFROM>/);
    expect(text).toMatch(/<CREDITCARDMSGSRSV1>\n<CCSTMTTRNRS>.*<CCSTMTRS><CURDEF>EUR<\/CURDEF><CCACCTFROM><ACCTID>[^<]+<\/ACCTID><\/CCACCTFROM>/);
    expect(text.match(/<LEDGERBAL>/g)).toHaveLength(2);
    expect(text).not.toContain("Still pending");

    const first = shape(bytes);
    // balances: the card's as the bank reported it; the account without one: its booked rows
    expect(first).toEqual([
      { type: "credit", currency: "EUR", rows: ["2025-01-07 -99.99 Shop"], pending: 0, sum: "-99.99", ledger: "-99.99" },
      {
        type: "depository",
        currency: "EUR",
        rows: ["2025-01-02 -12.34 Bakery & Co <Main St>", "2025-01-02 -12.34 Bakery & Co <Main St>", "2025-01-05 2500 Salary"],
        pending: 0,
        sum: "2475.32",
        ledger: "2475.32",
      },
    ]);

    // a published parser reads the export too, with the same rows
    const ref = reference.parse(text);
    const bankRows = ref.OFX.BANKMSGSRSV1!.STMTTRNRS as { STMTRS: { BANKTRANLIST: { STMTTRN: { TRNAMT: string }[] }; LEDGERBAL: { BALAMT: string } } };
    expect(bankRows.STMTRS.BANKTRANLIST.STMTTRN.map((t) => t.TRNAMT).sort()).toEqual(["-12.34", "-12.34", "2500.00"]);
    expect(bankRows.STMTRS.LEDGERBAL.BALAMT).toBe("2475.32");
    const cardRs = (ref.OFX.CREDITCARDMSGSRSV1!.CCSTMTTRNRS as { CCSTMTRS: { LEDGERBAL: { BALAMT: string } } }).CCSTMTRS;
    expect(cardRs.LEDGERBAL.BALAMT).toBe("-99.99");

    // into another user's ledger and out again: same rows, sums and balances
    const b = await seedUser(database.db);
    const res = await commitImport(database.db, { userId: b.userId, files: [{ name: "export.ofx", bytes }] });
    expect(res.imports[0]!.added).toBe(4);
    expect(shape(await exportOfx(b.userId))).toEqual(first);
  });
});
