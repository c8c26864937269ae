import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEcbHistory } from "@/lib/fx/rates";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { addMonths } from "@/lib/dates";
import { listRecurring, yearlyTotal } from "./recurring";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedEcbHistory(t.db, { from: "2024-03-01", to: "2024-03-25" }); // 2024-03-20: 1.0844 USD per EUR
}, 120_000);
afterAll(() => t.close());

const out = (date: string, amount: string, merchant: string, extra: Record<string, string> = {}) => ({ date, amount: `-${amount}`, merchant, description: merchant.toUpperCase(), type: "card", ...extra });

describe("recurring payments", () => {
  it("adds months keeping the day, clamped to the month's end", () => {
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
    expect(addMonths("2023-11-30", 3)).toBe("2024-02-29");
    expect(addMonths("2024-12-15", 1)).toBe("2025-01-15");
  });

  it("finds subscriptions and bills in demo-like data with next date, yearly cost, missed and changed flags", async () => {
    const u = await seedUser(t.db);
    const chk = await u.account("Everyday Checking", "USD");
    const eur = await u.account("Euro Account", "EUR");
    await seedTransactions(t.db, u.userId, chk, [
      // Netflix: monthly 15.49 → next 04-05, 12 × 15.49 = 185.88.
      ...["2023-11-05", "2023-12-05", "2024-01-05", "2024-02-05", "2024-03-05"].map((d) => out(d, "15.49", "Netflix")),
      // Spotify: last paid 01-12, due 02-12; on 03-20 that is 37 days late (> 7): missed. 12 × 10.99 = 131.88.
      ...["2023-10-12", "2023-11-12", "2023-12-12", "2024-01-12"].map((d) => out(d, "10.99", "Spotify")),
      // Gym: 40 → 45 in March: a changed amount; yearly from the last amount 12 × 45 = 540.
      ...["2023-12-01", "2024-01-01", "2024-02-01"].map((d) => out(d, "40.00", "City Gym")),
      out("2024-03-01", "45.00", "City Gym"),
      // Weekly dog walker: 4 payments 7 days apart, next 03-20 (due today: active). 52 × 25 = 1300.
      ...["2024-02-21", "2024-02-28", "2024-03-06", "2024-03-13"].map((d) => out(d, "25.00", "Dog Walker")),
      // Yearly insurance: 363 days apart → next 2024-04-08, 480 a year.
      out("2022-04-10", "480.00", "Insurance Co"),
      out("2023-04-08", "480.00", "Insurance Co"),
      // Groceries: gaps 4, 9, 4, 13, 7 days — no cadence.
      ...[["2024-02-02", "52.10"], ["2024-02-06", "31.00"], ["2024-02-15", "77.45"], ["2024-02-19", "12.00"], ["2024-03-03", "48.00"], ["2024-03-10", "60.00"]].map(([d, a]) => out(d!, a!, "Fresh Market")),
      // Ended: last paid 11-01, due 12-01, 110 days ago (> two months).
      ...["2023-09-01", "2023-10-01", "2023-11-01"].map((d) => out(d, "5.00", "Old Magazine")),
      // Monthly dates but amounts far apart (50, 120): not one series.
      out("2023-12-20", "50.00", "Utility"),
      out("2024-01-20", "120.00", "Utility"),
      out("2024-02-20", "55.00", "Utility"),
      // Money in and transfers are not bills.
      ...["2024-01-25", "2024-02-25", "2024-03-25"].map((d) => ({ date: d, amount: "2000.00", merchant: "Employer", description: "SALARY", type: "deposit" })),
      ...["2024-01-02", "2024-02-02", "2024-03-02"].map((d) => out(d, "500.00", "Savings", { type: "transfer" })),
    ]);
    // A EUR subscription: 12 × 9.99 = 119.88 EUR; × 1.0844 (2024-03-20) = 129.997872 → 130.00 USD.
    await seedTransactions(t.db, u.userId, eur, ["2024-01-15", "2024-02-15", "2024-03-15"].map((d) => ({ ...out(d, "9.99", "Cloud Storage EU"), currency: "EUR" })));
    // Another user's Netflix is not ours.
    const other = await seedUser(t.db);
    const theirs = await other.account("Theirs");
    await seedTransactions(t.db, other.userId, theirs, ["2024-01-07", "2024-02-07", "2024-03-07"].map((d) => out(d, "99.00", "Netflix")));

    const items = await listRecurring(t.db, { userId: u.userId, asOf: "2024-03-20" });
    expect(items.map((i) => [i.merchant, i.cadence, i.count, i.lastDate, i.lastAmount, i.nextDate, i.status, i.amountChanged, i.yearlyCost, i.yearlyCostBase])).toEqual([
      ["Spotify", "monthly", 4, "2024-01-12", "10.9900", "2024-02-12", "missed", false, "131.8800", "131.8800"],
      ["Dog Walker", "weekly", 4, "2024-03-13", "25.0000", "2024-03-20", "active", false, "1300.0000", "1300.0000"],
      ["City Gym", "monthly", 4, "2024-03-01", "45.0000", "2024-04-01", "active", true, "540.0000", "540.0000"],
      ["Netflix", "monthly", 5, "2024-03-05", "15.4900", "2024-04-05", "active", false, "185.8800", "185.8800"],
      ["Insurance Co", "yearly", 2, "2023-04-08", "480.0000", "2024-04-08", "active", false, "480.0000", "480.0000"],
      ["Cloud Storage EU", "monthly", 3, "2024-03-15", "9.9900", "2024-04-15", "active", false, "119.8800", "130.00"],
    ]);
    expect(items.find((i) => i.merchant === "City Gym")).toMatchObject({ previousAmount: "40.0000", accountName: "Everyday Checking", baseCurrency: "USD" });
    expect(items.find((i) => i.merchant === "Cloud Storage EU")).toMatchObject({ currency: "EUR", accountName: "Euro Account" });
    // 131.88 + 1300 + 540 + 185.88 + 480 + 130.00 = 2767.76
    expect(yearlyTotal(items)).toEqual({ total: "2767.7600", unconverted: 0 });

    // The other user sees only their own series.
    expect((await listRecurring(t.db, { userId: other.userId, asOf: "2024-03-20" })).map((i) => [i.merchant, i.lastAmount])).toEqual([["Netflix", "99.0000"]]);
  });
});
