import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceSnapshots, financialAccounts } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { seedEcbHistory } from "@/lib/fx/rates";
import { eq } from "drizzle-orm";
import { addManualTransaction, createManualAccount, listManualAccounts, recordValuation, setManualAccountArchived } from "./manual";
import { accountValuesOn, changeSince, distribute, netWorthDaily, netWorthReport, totalOf } from "./net-worth";
import { manualAccountSchema, valuationSchema } from "./schemas";
import { distributionJson, netWorthJson } from "./api";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedEcbHistory(t.db, { from: "2022-05-01" }); // real ECB rows, only the years this test needs
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

const acct = (input: Record<string, string>) => manualAccountSchema.parse(input);
const val = (input: Record<string, string>) => valuationSchema.parse(input);

/**
 * Three years, base EUR: linked USD checking and EUR savings, a property, a mortgage,
 * a crypto holding (USD) and a manual GBP cash account. Expected totals computed by hand
 * from the ECB file (each account rounded to the cent, half away from zero, then summed).
 */
async function scenario() {
  const u = await seedUser(t.db);
  const usd = await u.account("Checking", "USD");
  const eur = await u.account("Savings", "EUR");
  const snap = (accountId: string, date: string, current: string, currency: string) =>
    t.db.insert(balanceSnapshots).values({ accountId, userId: u.userId, date, current, currency });
  await snap(usd, "2022-06-01", "1000.00", "USD");
  await snap(usd, "2024-01-02", "2500.50", "USD");
  await snap(usd, "2025-05-09", "3000.00", "USD");
  await snap(eur, "2022-06-01", "5000.00", "EUR");
  await snap(eur, "2023-06-01", "6000.00", "EUR");
  const house = await createManualAccount(t.db, { userId: u.userId, input: acct({ name: "House", kind: "property", currency: "EUR" }) });
  const mortgage = await createManualAccount(t.db, { userId: u.userId, input: acct({ name: "Mortgage", kind: "mortgage", currency: "eur", institution: "Bank" }) });
  const btc = await createManualAccount(t.db, { userId: u.userId, input: acct({ name: "Bitcoin", kind: "crypto", currency: "USD" }) });
  const cash = await createManualAccount(t.db, { userId: u.userId, input: acct({ name: "Wallet", kind: "cash", currency: "GBP" }) });
  for (const [a, date, value] of [
    [house, "2022-06-01", "300000"],
    [house, "2024-06-03", "320000"],
    [mortgage, "2022-06-01", "250000"],
    [mortgage, "2024-06-03", "230000"],
    [cash, "2023-01-02", "100"],
  ] as const)
    await recordValuation(t.db, { userId: u.userId, input: val({ accountId: a.id, date, value }) });
  await recordValuation(t.db, { userId: u.userId, input: val({ accountId: btc.id, date: "2023-01-02", quantity: "0.5", unitPrice: "16625.08" }) });
  await addManualTransaction(t.db, { userId: u.userId, input: { accountId: cash.id, date: "2023-02-01", amount: "50.25", description: "ATM" } });
  await addManualTransaction(t.db, { userId: u.userId, input: { accountId: cash.id, date: "2023-03-01", amount: "-20", description: "" } });
  return { ...u, usd, eur, house, mortgage, btc, cash };
}

describe("net worth across currencies, linked and manual", () => {
  it("equals the hand-computed series at several dates", async () => {
    const s = await scenario();
    const series = await netWorthDaily(t.db, { userId: s.userId, base: "EUR", from: "2022-06-01", to: "2025-05-10" });
    const at = (d: string) => series.find((p) => p.date === d)?.total;
    // 2022-06-01: 1000 USD / 1.0712 = 933.53; + 5000 + 300000 − 250000
    expect(at("2022-06-01")).toBe("55933.5300");
    // Saturday 2023-03-04 → rates of 2023-03-03 (USD 1.0615, GBP 0.8853):
    // 942.06 + 5000 + 300000 − 250000 + 7830.94 (BTC 8312.54 USD) + 147.13 (130.25 GBP)
    expect(at("2023-03-04")).toBe("63920.1300");
    // 2024-06-03 (USD 1.0842, GBP 0.85175): 2306.31 + 6000 + 320000 − 230000 + 7666.98 + 152.92
    expect(at("2024-06-03")).toBe("106126.2100");
    // Saturday 2025-05-10 → 2025-05-09 (USD 1.1252, GBP 0.8477): 2666.19 + 6000 + 90000 + 7387.61 + 153.65
    expect(at("2025-05-10")).toBe("106207.4500");
    expect(series).toHaveLength(1075); // every calendar day
    expect(series.every((p) => p.unconverted === 0)).toBe(true);
  });

  it("shows each account with its rate and date; distribution sums to the total", async () => {
    const s = await scenario();
    const values = await accountValuesOn(t.db, { userId: s.userId, base: "EUR", day: "2025-05-10" });
    const btc = values.find((v) => v.name === "Bitcoin")!;
    expect(btc).toMatchObject({ native: "8312.5400", converted: "7387.6100", rate: "0.888731", rateDate: "2025-05-09", assetType: "crypto" });
    expect(values.find((v) => v.name === "Mortgage")).toMatchObject({ native: "-230000.0000", liability: true, rate: "1" });
    const total = totalOf(values);
    expect(total).toBe("106207.4500");
    for (const by of [(v: (typeof values)[number]) => v.assetType, (v: (typeof values)[number]) => v.currency, (v: (typeof values)[number]) => v.institution ?? "—", (v: (typeof values)[number]) => v.key]) {
      const slices = distribute(values, by);
      let sum = 0n;
      for (const sl of slices) sum += BigInt(sl.total.replace(".", ""));
      expect(sum).toBe(BigInt(total.replace(".", "")));
    }
    expect(distribute(values, (v) => v.currency).map((x) => x.key)).toEqual(["EUR", "USD", "GBP"]);
  });

  it("changes over periods, in money and percent", async () => {
    const s = await scenario();
    const series = await netWorthDaily(t.db, { userId: s.userId, base: "EUR", from: "2024-05-10", to: "2025-05-10" });
    // 2024-06-03 → 2025-05-10: 106207.45 − 106126.21 = 81.24; 81.24 / 106126.21 = 0.0766 %
    expect(changeSince(series, "2024-06-03")).toEqual({ from: "2024-06-03", start: "106126.2100", end: "106207.4500", change: "81.2400", percent: "0.08" });
    const report = await netWorthReport(t.db, { userId: s.userId, base: "EUR", today: "2025-05-10" });
    expect(report.total).toBe("106207.4500");
    expect(report.changes.day).toMatchObject({ from: "2025-05-09", change: "0.0000" });
    expect(report.series.at(-1)?.total).toBe(report.total);
  });

  it("a currency with no rate is reported, not counted as zero; archived accounts stop counting", async () => {
    const s = await scenario();
    const [acc] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.id, s.usd));
    await t.db.update(financialAccounts).set({ currency: "ARS" }).where(eq(financialAccounts.id, acc!.id));
    const values = await accountValuesOn(t.db, { userId: s.userId, base: "EUR", day: "2025-05-10" });
    expect(values.find((v) => v.name === "Checking")).toMatchObject({ converted: null, rate: null });
    const series = await netWorthDaily(t.db, { userId: s.userId, base: "EUR", from: "2025-05-10", to: "2025-05-10" });
    expect(series[0]).toEqual({ date: "2025-05-10", total: "103541.2600", unconverted: 1 });

    await setManualAccountArchived(t.db, { userId: s.userId, id: s.house.id, archived: true });
    expect((await listManualAccounts(t.db, { userId: s.userId })).map((a) => a.name)).not.toContain("House");
    const today = new Date().toISOString().slice(0, 10);
    const now = await accountValuesOn(t.db, { userId: s.userId, base: "EUR", day: today });
    expect(now.map((v) => v.name)).not.toContain("House");
  });

  it("one user never sees or writes another's manual accounts", async () => {
    const s = await scenario();
    const other = await seedUser(t.db);
    expect(await listManualAccounts(t.db, { userId: other.userId })).toEqual([]);
    expect(await accountValuesOn(t.db, { userId: other.userId, base: "EUR", day: "2025-05-10" })).toEqual([]);
    await expect(recordValuation(t.db, { userId: other.userId, input: val({ accountId: s.house.id, date: "2024-01-01", value: "1" }) })).rejects.toThrow(/does not exist/);
    await expect(setManualAccountArchived(t.db, { userId: other.userId, id: s.house.id, archived: true })).rejects.toThrow(/does not exist/);
    expect((await listManualAccounts(t.db, { userId: s.userId })).map((a) => a.name)).toContain("House");
  });

  it("transactions only on a manual cash account", async () => {
    const s = await scenario();
    await expect(addManualTransaction(t.db, { userId: s.userId, input: { accountId: s.house.id, date: "2024-01-01", amount: "5", description: "" } })).rejects.toThrow(/cash account/);
  });

  it("API shapes: /api/v1/net-worth and /distribution (base from the user or ?base=)", async () => {
    const s = await scenario();
    const d = await distributionJson(t.db, s.userId, new URLSearchParams({ date: "2025-05-10", base: "EUR" }));
    expect(d.total).toBe("106207.4500");
    expect(d.by_currency).toEqual([
      { key: "EUR", label: "EUR", total: "96000.0000" },
      { key: "USD", label: "USD", total: "10053.8000" },
      { key: "GBP", label: "GBP", total: "153.6500" },
    ]);
    expect(d.accounts.find((a) => a.name === "Checking")).toMatchObject({ value: "3000.0000", converted: "2666.1900", rate: "0.888731", rate_date: "2025-05-09" });
    const n = await netWorthJson(t.db, s.userId, new URLSearchParams({ from: "2024-06-03", to: "2025-05-10", base: "EUR" }));
    expect(n).toMatchObject({ base: "EUR", total: "106207.4500", changes: { since_from: { amount: "81.2400", percent: "0.08" } }, fx: { source: "Source: ECB statistics", latest_rate_date: "2025-05-09", carried_forward: true } });
    expect(n.series).toHaveLength(342);
    await expect(netWorthJson(t.db, s.userId, new URLSearchParams({ base: "XXX" }))).rejects.toMatchObject({ code: "invalid_input" });
    await expect(netWorthJson(t.db, s.userId, new URLSearchParams({ from: "2025-01-02", to: "2025-01-01" }))).rejects.toMatchObject({ code: "invalid_input" });
    const other = await seedUser(t.db);
    expect((await distributionJson(t.db, other.userId, new URLSearchParams({ date: "2025-05-10" }))).accounts).toEqual([]);
  });
});
