import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceSnapshots } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { seedEcbHistory } from "@/lib/fx/rates";
import { addManualTransaction, createManualAccount, recordValuation } from "./manual";
import { manualAccountSchema, valuationSchema } from "./schemas";
import { accountChanges, monthChanges } from "./changes";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedEcbHistory(t.db, { from: "2025-04-01" });
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

/**
 * Hand-computed case, base EUR, today Friday 2025-05-09, month start S = 2025-04-30.
 * ECB: USD 1.1373 (30 Apr), 1.1252 (9 May); GBP 0.8518 (30 Apr), 0.8477 (9 May).
 *
 * USD checking: 1000.00 on 30 Apr; +200 (2 May) and −50 (5 May); 1200.00 on 9 May.
 *   start 1000/1.1373 = 879.2755 → 879.28; end 1200/1.1252 = 1066.4771 → 1066.48; change 187.20
 *   FX: 1000/1.1252 = 888.7309 → 888.73 − 879.28 = 9.45
 *   cash flow: 150/1.1252 = 133.3096 → 133.31; revaluation 187.20 − 9.45 − 133.31 = 44.44
 * House (EUR): 300000 (1 Apr) → 310000 (5 May): revaluation 10000, no FX, no cash flow.
 * Wallet (GBP cash): 100.00 valued 15 Apr; +20 on 3 May → 120.
 *   start 100/0.8518 = 117.3984 → 117.40; end 120/0.8477 = 141.5595 → 141.56; change 24.16
 *   FX: 100/0.8477 = 117.9663 → 117.97 − 117.40 = 0.57; cash flow 20/0.8477 = 23.5933 → 23.59; revaluation 0.00
 */
async function scenario() {
  const u = await seedUser(t.db);
  const usd = await u.account("Checking", "USD");
  await t.db.insert(balanceSnapshots).values([
    { accountId: usd, userId: u.userId, date: "2025-04-30", current: "1000.00", currency: "USD" },
    { accountId: usd, userId: u.userId, date: "2025-05-09", current: "1200.00", currency: "USD" },
  ]);
  await seedTransactions(t.db, u.userId, usd, [
    { date: "2025-05-02", amount: "200.00", currency: "USD" },
    { date: "2025-05-05", amount: "-50.00", currency: "USD" },
    { date: "2025-04-29", amount: "-999.00", currency: "USD" }, // last month: not this month's flow
  ]);
  const house = await createManualAccount(t.db, { userId: u.userId, input: manualAccountSchema.parse({ name: "House", kind: "property", currency: "EUR" }) });
  const wallet = await createManualAccount(t.db, { userId: u.userId, input: manualAccountSchema.parse({ name: "Wallet", kind: "cash", currency: "GBP" }) });
  await recordValuation(t.db, { userId: u.userId, input: valuationSchema.parse({ accountId: house.id, date: "2025-04-01", value: "300000" }) });
  await recordValuation(t.db, { userId: u.userId, input: valuationSchema.parse({ accountId: house.id, date: "2025-05-05", value: "310000" }) });
  await recordValuation(t.db, { userId: u.userId, input: valuationSchema.parse({ accountId: wallet.id, date: "2025-04-15", value: "100" }) });
  await addManualTransaction(t.db, { userId: u.userId, input: { accountId: wallet.id, date: "2025-05-03", amount: "20", description: "ATM" } });
  return u;
}

describe("what changed this month", () => {
  it("splits each account's change into cash flow, revaluation and FX effect (hand-computed)", async () => {
    const u = await scenario();
    const r = await monthChanges(t.db, { userId: u.userId, base: "EUR", today: "2025-05-09" });
    expect(r.from).toBe("2025-04-30");
    const row = (name: string) => r.accounts.find((a) => a.name === name);
    expect(row("Checking")).toMatchObject({ start: "879.2800", end: "1066.4800", change: "187.2000", fx: "9.4500", cashFlow: "133.3100", revaluation: "44.4400" });
    expect(row("House")).toMatchObject({ start: "300000.0000", end: "310000.0000", change: "10000.0000", fx: "0.0000", cashFlow: "0.0000", revaluation: "10000.0000" });
    expect(row("Wallet")).toMatchObject({ start: "117.4000", end: "141.5600", change: "24.1600", fx: "0.5700", cashFlow: "23.5900", revaluation: "0.0000" });
    expect(r.totals).toEqual({ change: "10211.3600", cashFlow: "156.9000", revaluation: "10044.4400", fx: "10.0200" });
  });

  it("per-account change since a date, in money and percent, like the total", async () => {
    const u = await scenario();
    const rows = await accountChanges(t.db, { userId: u.userId, base: "EUR", today: "2025-05-09", since: "2025-04-30" });
    const by = (name: string) => rows.find((a) => a.name === name)!;
    expect(by("Checking").since).toEqual({ from: "2025-04-30", start: "879.2800", end: "1066.4800", change: "187.2000", percent: "21.29" });
    expect(by("House").since).toEqual({ from: "2025-04-30", start: "300000.0000", end: "310000.0000", change: "10000.0000", percent: "3.33" });
    expect(by("Wallet").since).toMatchObject({ change: "24.1600", percent: "20.58" });
    // Day: Thursday 8 May (USD 1.1297: 1000/1.1297 = 885.1907 → 885.19; the 30 Apr balance carried) → 9 May 1066.48
    expect(by("Checking").day).toEqual({ from: "2025-05-08", start: "885.1900", end: "1066.4800", change: "181.2900", percent: "20.48" });
    // A year ago the account did not exist yet: no figure, not zero.
    expect(by("Checking").year).toBeNull();
  });
});
