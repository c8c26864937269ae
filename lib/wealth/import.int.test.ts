import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { manualValuations } from "@/db/schema";
import { importValuationsCsv } from "./import";
import { listManualAccounts, valuationHistory } from "./manual";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

describe("CSV import of valuations and holdings", () => {
  it("creates named accounts and records values and quantity × unit price", async () => {
    const u = await seedUser(t.db);
    const csv = "Account,Date,Value,Quantity,Unit price,Currency,Kind\nHouse,2024-06-30,320000,,,EUR,property\nBitcoin,2024-06-30,,0.5,61000.10,USD,crypto\nhouse,2024-12-31,330000,,,,\n";
    expect(await importValuationsCsv(t.db, { userId: u.userId, text: csv })).toEqual({ status: "ok", valuations: 3, created: ["House", "Bitcoin"] });
    const accounts = await listManualAccounts(t.db, { userId: u.userId });
    expect(accounts.map((a) => [a.name, a.kind, a.currency, a.latestDate, a.latestValue])).toEqual([
      ["Bitcoin", "crypto", "USD", "2024-06-30", "30500.0500"],
      ["House", "property", "EUR", "2024-12-31", "330000.0000"],
    ]);
    const btc = accounts[0]!;
    expect((await valuationHistory(t.db, { userId: u.userId, accountId: btc.id }))[0]).toMatchObject({ quantity: "0.5000000000", unitPrice: "61000.1000000000" });
  });

  it("any bad row → every error by line, nothing written", async () => {
    const u = await seedUser(t.db);
    const csv = "account,date,value,currency,kind\nHouse,2024-06-30,320000,EUR,property\nBoat,2024-06-30,100,XXX,other_asset\nCar,2099-01-01,5000,EUR,vehicle\nHouse,2024-07-01,-5,EUR,property\n";
    const r = await importValuationsCsv(t.db, { userId: u.userId, text: csv });
    expect(r.status).toBe("invalid");
    expect(r.status === "invalid" && r.errors).toEqual([
      expect.stringMatching(/^Line 3: no manual account named "Boat".*Unknown currency/),
      "Line 4: The date is in the future.",
      expect.stringMatching(/^Line 5: A value can't be negative/),
    ]);
    expect(await listManualAccounts(t.db, { userId: u.userId, includeArchived: true })).toEqual([]);
    expect(await t.db.select().from(manualValuations)).toEqual([]);
    expect(await importValuationsCsv(t.db, { userId: u.userId, text: "foo,bar\n1,2\n" })).toMatchObject({ status: "invalid", errors: [expect.stringMatching(/name the columns/)] });
  });

  it("a value with more decimals than its currency has is refused by line, nothing written", async () => {
    const u = await seedUser(t.db);
    const csv = "account,date,value,currency,kind\nTokyo flat,2024-06-30,25000000.00,JPY,property\nTokyo flat,2024-07-31,25000000.5,JPY,property\nCar,2024-06-30,5000.125,EUR,vehicle\n";
    const r = await importValuationsCsv(t.db, { userId: u.userId, text: csv });
    expect(r).toEqual({
      status: "invalid",
      errors: ["Line 3: the value can't have decimals: JPY has no minor unit.", "Line 4: the value can have at most 2 decimals in EUR."],
    });
    expect(await listManualAccounts(t.db, { userId: u.userId, includeArchived: true })).toEqual([]);
    expect(await t.db.select().from(manualValuations)).toEqual([]);
  });

  it("matches only the importing user's accounts", async () => {
    const a = await seedUser(t.db);
    const b = await seedUser(t.db);
    await importValuationsCsv(t.db, { userId: a.userId, text: "account,date,value,currency,kind\nHouse,2024-06-30,1,EUR,property\n" });
    const r = await importValuationsCsv(t.db, { userId: b.userId, text: "account,date,value\nHouse,2024-06-30,2\n" });
    expect(r).toMatchObject({ status: "invalid", errors: [expect.stringMatching(/no manual account named "House"/)] });
    expect((await listManualAccounts(t.db, { userId: a.userId }))[0]?.latestValue).toBe("1.0000");
  });
});
