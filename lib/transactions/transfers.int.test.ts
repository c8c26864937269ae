import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { transactions } from "@/db/schema";
import { seedEcbHistory } from "@/lib/fx/rates";
import { cashflowByBucket } from "@/lib/reports/overview";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { demoHarness } from "@/test/sync-harness";
import { confirmTransfer, detectTransfers, transferCounterpart, undoTransfer } from "./transfers";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  // ECB rates of early March 2024 (USD per EUR: 03-04 1.0846, 03-05 1.0849, 03-06 1.0874).
  await seedEcbHistory(t.db, { from: "2024-02-20", to: "2024-03-20" });
}, 120_000);
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const row = async (id: string) => (await t.db.select().from(transactions).where(eq(transactions.id, id)))[0]!;

describe("transfer detection", () => {
  it("pairs the same amount out of one account and in to another within 3 days, one to one", async () => {
    const u = await seedUser(t.db);
    const chk = await u.account("Checking");
    const sav = await u.account("Savings");
    const [out1, outFar, outOdd] = await seedTransactions(t.db, u.userId, chk, [
      { date: "2024-03-01", amount: "-500.00", description: "TO SAVINGS", type: "payment" },
      { date: "2024-03-01", amount: "-75.00", description: "TO SAVINGS LATER" }, // its "pair" is 4 days later
      { date: "2024-03-10", amount: "-120.00", description: "SOMETHING" }, // in is 119.99: a different amount
    ]);
    const [in1, in1dup, inFar, inOdd] = await seedTransactions(t.db, u.userId, sav, [
      { date: "2024-03-03", amount: "500.00", description: "FROM CHECKING", type: "deposit" },
      { date: "2024-03-04", amount: "500.00", description: "FROM CHECKING AGAIN" }, // second candidate: left over
      { date: "2024-03-05", amount: "75.00", description: "FROM CHECKING" },
      { date: "2024-03-10", amount: "119.99", description: "REFUND" },
    ]);
    // Same account: money out and back in to Checking is no transfer.
    const [sameOut, sameIn] = await seedTransactions(t.db, u.userId, chk, [
      { date: "2024-03-15", amount: "-40.00", description: "CARD" },
      { date: "2024-03-15", amount: "40.00", description: "CARD REFUND" },
    ]);
    // Another user's account with the exact counterpart of a row of ours.
    const other = await seedUser(t.db);
    const theirs = await other.account("Theirs");
    const [ourOut] = await seedTransactions(t.db, u.userId, chk, [{ date: "2024-03-18", amount: "-60.00", description: "TO FRIEND" }]);
    const [theirIn] = await seedTransactions(t.db, other.userId, theirs, [{ date: "2024-03-18", amount: "60.00", description: "FROM FRIEND" }]);

    const r = await detectTransfers(t.db, { userId: u.userId });
    expect(r.pairs).toEqual([{ outId: out1, inId: in1 }]); // the nearer day wins over 03-04
    const a = await row(out1!);
    const b = await row(in1!);
    expect([a.type, a.transferId, a.preTransferType]).toEqual(["transfer", in1, "payment"]);
    expect([b.type, b.transferId, b.preTransferType]).toEqual(["transfer", out1, "deposit"]);
    for (const id of [outFar, outOdd, in1dup, inFar, inOdd, sameOut, sameIn, ourOut]) expect((await row(id!)).transferId).toBeNull();
    expect((await detectTransfers(t.db, { userId: other.userId })).pairs).toEqual([]);
    expect((await row(theirIn!)).transferId).toBeNull();

    // Deterministic and idempotent: running again pairs nothing new.
    expect((await detectTransfers(t.db, { userId: u.userId })).pairs).toEqual([]);
    // The counterpart is only visible to its owner.
    expect(await transferCounterpart(t.db, { userId: u.userId, id: out1! })).toMatchObject({ id: in1, amount: "500.0000", accountName: "Savings", confirmed: false });
    expect(await transferCounterpart(t.db, { userId: other.userId, id: out1! })).toBeNull();
    await expect(undoTransfer(t.db, { userId: other.userId, id: out1! })).rejects.toMatchObject({ code: "not_found" });
  });

  it("a window of 4 days pairs what 3 days did not", async () => {
    const u = await seedUser(t.db);
    const [chk, sav] = [await u.account("Checking"), await u.account("Savings")];
    const [o] = await seedTransactions(t.db, u.userId, chk, [{ date: "2024-03-01", amount: "-75.00" }]);
    const [i] = await seedTransactions(t.db, u.userId, sav, [{ date: "2024-03-05", amount: "75.00" }]);
    expect((await detectTransfers(t.db, { userId: u.userId })).pairs).toEqual([]);
    expect((await detectTransfers(t.db, { userId: u.userId, days: 4 })).pairs).toEqual([{ outId: o, inId: i }]);
  });

  it("pairs across currencies within 2 % at the outflow day's ECB rate, not beyond", async () => {
    const u = await seedUser(t.db);
    const eur = await u.account("Euro account", "EUR");
    const usd = await u.account("Dollar account", "USD");
    const usd2 = await u.account("Second dollar account", "USD");
    // 1000.00 EUR on 2024-03-05 at 1.0849 = 1084.90 USD. 1080.00 differs by 4.90 (0.45 %); 1050.00 by 34.90 (3.3 %).
    const [o] = await seedTransactions(t.db, u.userId, eur, [{ date: "2024-03-05", amount: "-1000.00", currency: "EUR" }]);
    const [far] = await seedTransactions(t.db, u.userId, usd2, [{ date: "2024-03-05", amount: "1050.00", currency: "USD" }]);
    const [i] = await seedTransactions(t.db, u.userId, usd, [{ date: "2024-03-06", amount: "1080.00", currency: "USD" }]);
    // 200.00 EUR = 216.98 USD: 212.00 is 2.3 % off — no pair.
    const [o2] = await seedTransactions(t.db, u.userId, eur, [{ date: "2024-03-12", amount: "-200.00", currency: "EUR" }]);
    const [i2] = await seedTransactions(t.db, u.userId, usd, [{ date: "2024-03-12", amount: "212.00", currency: "USD" }]);
    const r = await detectTransfers(t.db, { userId: u.userId });
    expect(r.pairs).toEqual([{ outId: o, inId: i }]);
    for (const id of [far, o2, i2]) expect((await row(id!)).transferId).toBeNull();
    // A looser tolerance (3 %) takes the second one too.
    expect((await detectTransfers(t.db, { userId: u.userId, tolerancePct: "3" })).pairs).toEqual([{ outId: o2, inId: i2 }]);
  });

  it("leaves transfers out of spending and income but keeps them in the list", async () => {
    const u = await seedUser(t.db);
    const [chk, sav] = [await u.account("Checking"), await u.account("Savings")];
    await seedTransactions(t.db, u.userId, chk, [
      { date: "2024-03-01", amount: "-500.00", type: "payment" },
      { date: "2024-03-02", amount: "-20.00", type: "card" },
    ]);
    await seedTransactions(t.db, u.userId, sav, [{ date: "2024-03-01", amount: "500.00", type: "deposit" }]);
    // The Overview's filter: transfers left out explicitly (exclude_type=transfer, visible in its links).
    const filters = { from: "2024-03-01", to: "2024-03-31", exclude_type: ["transfer"] };
    const before = await cashflowByBucket(t.db, { userId: u.userId, filters }, "month");
    await detectTransfers(t.db, { userId: u.userId });
    const after = await cashflowByBucket(t.db, { userId: u.userId, filters }, "month");
    expect(before).toMatchObject([{ bucket: "2024-03-01", currency: "USD", moneyIn: "500.0000", moneyOut: "520.0000" }]);
    expect(after).toMatchObject([{ bucket: "2024-03-01", currency: "USD", moneyIn: "0", moneyOut: "20.0000" }]);
    const live = await t.db.select({ id: transactions.id }).from(transactions).where(and(eq(transactions.userId, u.userId), isNull(transactions.deletedAt)));
    expect(live).toHaveLength(3);
  });

  it("confirm and undo act on both rows; an undone pair is not paired again", async () => {
    const u = await seedUser(t.db);
    const [chk, sav, cc] = [await u.account("Checking"), await u.account("Savings"), await u.account("Card")];
    const [o, o2] = await seedTransactions(t.db, u.userId, chk, [
      { date: "2024-03-01", amount: "-300.00", type: "transfer" },
      { date: "2024-03-08", amount: "-90.00", type: "payment" },
    ]);
    const [i] = await seedTransactions(t.db, u.userId, sav, [{ date: "2024-03-01", amount: "300.00", type: "transfer" }]);
    const [i2] = await seedTransactions(t.db, u.userId, cc, [{ date: "2024-03-09", amount: "90.00", type: "payment" }]);
    expect((await detectTransfers(t.db, { userId: u.userId })).pairs).toHaveLength(2);

    expect(await undoTransfer(t.db, { userId: u.userId, id: i! })).toBe(2);
    const [a, b] = [await row(o!), await row(i!)];
    // The provider said 'transfer' before: an undone pair becomes a payment and a deposit.
    expect([a.type, a.transferId, b.type, b.transferId]).toEqual(["payment", null, "deposit", null]);
    expect(a.userEditedFields).toEqual(expect.arrayContaining(["transfer", "type"]));
    expect((await detectTransfers(t.db, { userId: u.userId })).pairs).toEqual([]);

    expect(await confirmTransfer(t.db, { userId: u.userId, id: o2! })).toBe(2);
    expect((await row(i2!)).userEditedFields).toContain("transfer");
    await expect(confirmTransfer(t.db, { userId: u.userId, id: o! })).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("unlinks an automatic pair whose counterpart was deleted", async () => {
    const u = await seedUser(t.db);
    const [chk, sav] = [await u.account("Checking"), await u.account("Savings")];
    const [o] = await seedTransactions(t.db, u.userId, chk, [{ date: "2024-03-01", amount: "-10.00", type: "payment" }]);
    const [i] = await seedTransactions(t.db, u.userId, sav, [{ date: "2024-03-01", amount: "10.00" }]);
    await detectTransfers(t.db, { userId: u.userId });
    await t.db.update(transactions).set({ deletedAt: new Date(), deletedReason: "user_deleted" }).where(eq(transactions.id, i!));
    expect((await detectTransfers(t.db, { userId: u.userId })).unlinked).toBe(1);
    expect(await row(o!)).toMatchObject({ type: "payment", transferId: null });
  });
});

describe("transfers and sync", () => {
  it("detects the demo bank's transfers at sync; an undo survives a full re-sync", async () => {
    const a = await demoHarness(t.db);
    const other = await demoHarness(t.db);
    const conn = await a.link();
    expect((await a.sync(conn)).status).toBe("success");
    await other.sync(await other.link());
    const paired = await t.db
      .select({ id: transactions.id, other: transactions.transferId, amount: transactions.amount, accountId: transactions.accountId, userId: transactions.userId })
      .from(transactions)
      .where(and(eq(transactions.userId, a.userId), isNotNull(transactions.transferId)));
    expect(paired.length).toBeGreaterThanOrEqual(2);
    const byId = new Map(paired.map((p) => [p.id, p]));
    for (const p of paired) {
      const c = byId.get(p.other!)!;
      expect(c.other).toBe(p.id); // both directions
      expect(c.accountId).not.toBe(p.accountId);
      expect(BigInt(c.amount.replace(".", "")) + BigInt(p.amount.replace(".", ""))).toBe(0n);
    }
    // Never paired with another user's rows.
    const cross = await t.db.execute(sql`select count(*)::int as n from transactions t join transactions c on c.id = t.transfer_id where t.user_id <> c.user_id`);
    expect(((cross as { rows?: { n: number }[] }).rows ?? (cross as unknown as { n: number }[]))[0]!.n).toBe(0);

    const victim = paired[0]!;
    await undoTransfer(t.db, { userId: a.userId, id: victim.id });
    await t.db.execute(sql`update connections set sync_cursor = null where id = ${conn}`);
    a.clock.advance(3600_000);
    expect((await a.sync(conn)).status).toBe("success");
    await detectTransfers(t.db, { userId: a.userId });
    const after = await t.db.select({ id: transactions.id, type: transactions.type, other: transactions.transferId }).from(transactions).where(inArray(transactions.id, [victim.id, victim.other!]));
    for (const r of after) {
      expect(r.other).toBeNull();
      expect(r.type).not.toBe("transfer");
    }
    // The other pairs are still there after the re-sync.
    const still = await t.db.select({ id: transactions.id, other: transactions.transferId }).from(transactions).where(inArray(transactions.id, paired.map((p) => p.id)));
    const stillById = new Map(still.map((r) => [r.id, r.other]));
    for (const p of paired) expect(stillById.get(p.id)).toBe(p.id === victim.id || p.id === victim.other ? null : p.other);
  }, 120_000);
});
