import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { transactions } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";
import { bulkEdit, bulkEditSchema } from "./bulk";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const pick = async (userId: string, n: number) =>
  (await t.db.select({ id: transactions.id }).from(transactions).where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), eq(transactions.pending, false))).orderBy(transactions.id).limit(n)).map((r) => r.id);

describe("bulk edit", () => {
  it("changes only the caller's selected rows, and a full re-sync keeps the change", async () => {
    const a = await demoHarness(t.db);
    const b = await demoHarness(t.db);
    const ca = await a.link();
    await a.sync(ca);
    await b.sync(await b.link());
    const mine = await pick(a.userId, 5);
    const theirs = await pick(b.userId, 2);

    const n = await bulkEdit(t.db, a.userId, bulkEditSchema.parse({ ids: [...mine, ...theirs], category: "pets" }));
    expect(n).toBe(5);
    const rows = await t.db.select({ id: transactions.id, c: transactions.category, f: transactions.userEditedFields }).from(transactions).where(inArray(transactions.id, [...mine, ...theirs]));
    for (const r of rows) {
      if (mine.includes(r.id)) {
        expect(r.c).toBe("Pets");
        expect(r.f).toContain("category");
      } else expect(r.c).not.toBe("Pets");
    }

    expect(await bulkEdit(t.db, a.userId, bulkEditSchema.parse({ ids: mine.slice(0, 2), markTransfer: true }))).toBe(2);
    expect(await bulkEdit(t.db, a.userId, bulkEditSchema.parse({ ids: mine.slice(4), hide: true }))).toBe(1);

    await t.db.execute(sql`update connections set sync_cursor = null where id = ${ca}`);
    a.clock.advance(3600_000);
    expect((await a.sync(ca)).status).toBe("success");
    const after = await t.db.select({ id: transactions.id, c: transactions.category, type: transactions.type, d: transactions.deletedAt }).from(transactions).where(inArray(transactions.id, mine));
    const byId = new Map(after.map((r) => [r.id, r]));
    expect(mine.slice(0, 4).every((id) => byId.get(id)!.c === "Pets")).toBe(true);
    expect(mine.slice(0, 2).every((id) => byId.get(id)!.type === "transfer")).toBe(true);
    expect(byId.get(mine[4]!)!.d).not.toBeNull();
  });

  it("refuses an empty, oversized or ambiguous change", () => {
    const id = "00000000-0000-4000-8000-000000000000";
    expect(bulkEditSchema.safeParse({ ids: [], category: "Other" }).success).toBe(false);
    expect(bulkEditSchema.safeParse({ ids: Array(201).fill(id), category: "Other" }).success).toBe(false);
    expect(bulkEditSchema.safeParse({ ids: [id], category: "Other", hide: true }).success).toBe(false);
    expect(bulkEditSchema.safeParse({ ids: [id] }).success).toBe(false);
    expect(bulkEditSchema.safeParse({ ids: ["nope"], hide: true }).success).toBe(false);
  });
});
