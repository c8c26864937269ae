import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditLog, manualValuations } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { AppError } from "@/lib/errors";
import { createManualAccount, deleteValuation, recordValuation, updateValuation } from "./manual";
import { manualAccountSchema, valuationSchema, valuationUpdateSchema } from "./schemas";

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
