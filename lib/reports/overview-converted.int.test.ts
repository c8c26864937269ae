import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { seedEcbHistory } from "@/lib/fx/rates";
import { convertAmount } from "@/lib/fx/convert";
import { overviewConverted } from "./overview-converted";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedEcbHistory(t.db, { from: "2019-01-01", to: "2019-12-31" });
  await seedEcbHistory(t.db, { from: "2025-05-01" });
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

describe("Overview converted at each transaction's own date", () => {
  it("converts a 2019 purchase at the 2019 rate and a 2025 one at the 2025 rate", async () => {
    const u = await seedUser(t.db);
    const usd = await u.account("Checking", "USD");
    const gbp = await u.account("UK", "GBP");
    await seedTransactions(t.db, u.userId, usd, [
      // 2019-03-01: USD 1.1383 → −100 USD = −87.85 EUR (87.8503…)
      { date: "2019-03-01", amount: "-100.00", currency: "USD", merchant: "Shop", category: "Food" },
      // Sunday 2025-05-04 → rate of Friday 2025-05-02 (USD 1.1343): −100 USD = −88.16 EUR (88.1601…)
      { date: "2025-05-04", amount: "-100.00", currency: "USD", merchant: "Shop", category: "Food" },
      { date: "2025-05-05", amount: "1000.00", currency: "USD", description: "Salary" },
      { date: "2025-05-05", amount: "-5.00", currency: "USD", type: "fee", category: "Fees", description: "Fee" },
      { date: "2025-05-06", amount: "-10.00", currency: "ARS", description: "No rate" },
    ]);
    // 2025-05-09: GBP 0.8477 → −50 GBP = −58.98 EUR (58.9831…)
    await seedTransactions(t.db, u.userId, gbp, [{ date: "2025-05-09", amount: "-50.00", currency: "GBP", merchant: "Shop", category: "Food" }]);

    const o = await overviewConverted(t.db, { userId: u.userId, base: "EUR", filters: {}, today: "2025-05-10" });
    expect(o.merchants).toEqual([
      { merchant: "Shop", spent: "234.9900", count: 3, currency: "EUR" }, // 87.85 + 88.16 + 58.98
      { merchant: "Fee", spent: "4.4100", count: 1, currency: "EUR" },
    ]);
    expect(o.categories).toEqual([
      { category: "Food", spent: "234.9900", currency: "EUR" },
      { category: "Fees", spent: "4.4100", currency: "EUR" }, // 5 USD on 2025-05-05 (1.1343): 4.408…
    ]);
    expect(o.fees).toEqual([{ total: "4.4100", count: 1, currency: "EUR" }]);
    expect(o.cashflow).toEqual([
      { bucket: "2019-03-01", moneyIn: "0.0000", moneyOut: "87.8500", currency: "EUR" },
      // 1000 USD / 1.1343 = 881.6010… → 881.60; out 88.16 + 4.41 + 58.98
      { bucket: "2025-05-01", moneyIn: "881.6000", moneyOut: "151.5500", currency: "EUR" },
    ]);
    expect(o.unconverted).toBe(1);
    // the TypeScript rule agrees
    expect(convertAmount("-100", "1.1383", "1", "EUR")).toBe("-87.85");
  });
});
