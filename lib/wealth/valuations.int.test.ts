import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditLog, manualTransactions, manualValuations } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { AppError } from "@/lib/errors";
import { addManualTransaction, createManualAccount, deleteValuation, recordValuation, updateValuation } from "./manual";
import { manualAccountSchema, manualTransactionSchema, valuationSchema, valuationUpdateSchema } from "./schemas";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

async function setup() {
  const a = await seedUser(t.db);
  const b = await seedUser(t.db);
  const house = await createManualAccount(t.db, { userId: a.userId, input: manualAccountSchema.parse({ name: "House", kind: "property", currency: "EUR" }) });
  const v1 = await recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: house.id, date: "2024-01-02", value: "300000" }) });
  const v2 = await recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: house.id, date: "2024-06-03", value: "310000" }) });
  return { a, b, house, v1, v2 };
}
const values = async (accountId: string) =>
  (await t.db.select().from(manualValuations).where(eq(manualValuations.accountId, accountId)).orderBy(manualValuations.date)).map((v) => [v.date, v.value, v.quantity]);
const audits = async (userId: string) => (await t.db.select().from(auditLog).where(eq(auditLog.userId, userId))).map((r) => r.action).sort();

describe("editing and deleting valuations", () => {
  it("deletes the owner's valuation and records it in the audit trail", async () => {
    const { a, house, v1 } = await setup();
    await deleteValuation(t.db, { userId: a.userId, id: v1.id });
    expect(await values(house.id)).toEqual([["2024-06-03", "310000.0000", null]]);
    const [row] = await t.db.select().from(auditLog).where(and(eq(auditLog.userId, a.userId), eq(auditLog.action, "valuation.deleted")));
    expect(row?.targetId).toBe(v1.id);
    expect(row?.metadata).toEqual({ accountId: house.id, date: "2024-01-02", value: "300000.0000" });
  });

  it("another user's valuation is not found and nothing is written", async () => {
    const { a, b, house, v1 } = await setup();
    await expect(deleteValuation(t.db, { userId: b.userId, id: v1.id })).rejects.toMatchObject({ code: "not_found" });
    await expect(
      updateValuation(t.db, { userId: b.userId, id: v1.id, input: valuationSchema.parse({ accountId: house.id, date: "2024-01-02", value: "1" }) }),
    ).rejects.toBeInstanceOf(AppError);
    await expect(deleteValuation(t.db, { userId: a.userId, id: "not-a-uuid" })).rejects.toMatchObject({ code: "not_found" });
    expect(await values(house.id)).toEqual([
      ["2024-01-02", "300000.0000", null],
      ["2024-06-03", "310000.0000", null],
    ]);
    expect(await audits(b.userId)).toEqual([]);
  });

  it("changes date and value, or quantity × unit price; a clash with another date is refused", async () => {
    const { a, house, v1 } = await setup();
    const input = valuationUpdateSchema.parse({ id: v1.id, accountId: house.id, date: "2024-02-01", value: "305000.5" });
    await updateValuation(t.db, { userId: a.userId, id: input.id, input });
    await updateValuation(t.db, { userId: a.userId, id: v1.id, input: valuationSchema.parse({ accountId: house.id, date: "2024-02-01", quantity: "2", unitPrice: "100.125" }) });
    expect(await values(house.id)).toEqual([
      ["2024-02-01", "200.2500", "2.0000000000"],
      ["2024-06-03", "310000.0000", null],
    ]);
    await expect(
      updateValuation(t.db, { userId: a.userId, id: v1.id, input: valuationSchema.parse({ accountId: house.id, date: "2024-06-03", value: "1" }) }),
    ).rejects.toMatchObject({ code: "invalid_input" });
    expect((await values(house.id))[0]).toEqual(["2024-02-01", "200.2500", "2.0000000000"]);
    expect(await audits(a.userId)).toEqual(["valuation.updated", "valuation.updated"]);
    expect(valuationUpdateSchema.safeParse({ id: v1.id, accountId: house.id, date: "2999-01-01", value: "1" }).success).toBe(false);
  });
});

describe("amounts are held to the account's currency", () => {
  it("no yen cents in a value, an edit or a cash transaction; a third decimal in EUR is refused too; nothing written", async () => {
    const { a, house, v1 } = await setup();
    const flat = await createManualAccount(t.db, { userId: a.userId, input: manualAccountSchema.parse({ name: "Tokyo flat", kind: "property", currency: "JPY" }) });
    const cash = await createManualAccount(t.db, { userId: a.userId, input: manualAccountSchema.parse({ name: "Yen wallet", kind: "cash", currency: "JPY" }) });
    const refused = async (p: Promise<unknown>, message: string) => {
      const e = await p.then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      expect(e).toMatchObject({ code: "invalid_input", message });
    };
    await refused(recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: flat.id, date: "2024-01-02", value: "25000000.5" }) }), "The value can't have decimals: JPY has no minor unit.");
    await refused(addManualTransaction(t.db, { userId: a.userId, input: manualTransactionSchema.parse({ accountId: cash.id, date: "2024-01-02", amount: "-1500.25" }) }), "The amount can't have decimals: JPY has no minor unit.");
    await refused(updateValuation(t.db, { userId: a.userId, id: v1.id, input: valuationUpdateSchema.parse({ id: v1.id, accountId: house.id, date: "2024-01-02", value: "300000.125" }) }), "The value can have at most 2 decimals in EUR.");
    expect(await values(flat.id)).toEqual([]);
    expect(await values(house.id)).toEqual([["2024-01-02", "300000.0000", null], ["2024-06-03", "310000.0000", null]]);
    expect(await t.db.select().from(manualTransactions).where(eq(manualTransactions.accountId, cash.id))).toEqual([]);
    // whole yen, and trailing zeros, are fine; a holding's computed value is not a typed amount
    await recordValuation(t.db, { userId: a.userId, input: valuationSchema.parse({ accountId: flat.id, date: "2024-01-02", value: "25000000.00" }) });
    await addManualTransaction(t.db, { userId: a.userId, input: manualTransactionSchema.parse({ accountId: cash.id, date: "2024-01-02", amount: "-1500" }) });
    expect(await values(flat.id)).toEqual([["2024-01-02", "25000000.0000", null]]);
  });
});
