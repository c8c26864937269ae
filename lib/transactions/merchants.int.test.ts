import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { transactions } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";
import { renameMerchant } from "./merchants";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const shown = sql<string>`coalesce(${transactions.merchant}, ${transactions.description})`;
const countNamed = async (userId: string, name: string) =>
  (await t.db.select({ id: transactions.id }).from(transactions).where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), sql`${shown} = ${name}`))).length;

describe("renameMerchant", () => {
  it("renames every row of that merchant for this user only, and a later sync keeps the new name", async () => {
    const a = await demoHarness(t.db);
    const b = await demoHarness(t.db);
    const ca = await a.link();
    const cb = await b.link();
    expect((await a.sync(ca)).status).toBe("success");
    expect((await b.sync(cb)).status).toBe("success");

    const [top] = await t.db
      .select({ name: shown, n: sql<number>`count(*)::int` })
      .from(transactions)
      .where(eq(transactions.userId, a.userId))
      .groupBy(shown)
      .orderBy(sql`count(*) desc`)
      .limit(1);
    const before = top!.n;
    expect(before).toBeGreaterThan(1);
    const bBefore = await countNamed(b.userId, top!.name);

    expect(await renameMerchant(t.db, { userId: a.userId, from: top!.name, to: "My Landlord" })).toBe(before);
    expect(await countNamed(a.userId, "My Landlord")).toBe(before);
    expect(await countNamed(a.userId, top!.name)).toBe(0);
    // The other user's rows are untouched.
    expect(await countNamed(b.userId, top!.name)).toBe(bBefore);
    expect(await countNamed(b.userId, "My Landlord")).toBe(0);

    // A full re-sync (the provider still says the old name) keeps the rename on every row that
    // is still live (the bank may have reversed some meanwhile); the raw description stays.
    const renamed = await t.db.select({ id: transactions.id }).from(transactions).where(and(eq(transactions.userId, a.userId), eq(transactions.merchant, "My Landlord")));
    await t.db.execute(sql`update connections set sync_cursor = null where id = ${ca}`);
    a.clock.advance(3600_000);
    const again = await a.sync(ca);
    expect(again.status === "success" && again.diff.modified + again.diff.added).toBeGreaterThan(0);
    const after = await t.db
      .select({ id: transactions.id, merchant: transactions.merchant })
      .from(transactions)
      .where(and(eq(transactions.userId, a.userId), isNull(transactions.deletedAt), sql`${transactions.id} in ${renamed.map((r) => r.id)}`));
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.merchant === "My Landlord")).toBe(true);
    const [row] = await t.db.select({ d: transactions.description, f: transactions.userEditedFields }).from(transactions).where(and(eq(transactions.userId, a.userId), eq(transactions.merchant, "My Landlord"))).limit(1);
    expect(row!.f).toContain("merchant");
    expect(row!.d).not.toBe("My Landlord");
  });

  it("renames nothing for a name the user does not have", async () => {
    const a = await demoHarness(t.db);
    expect(await renameMerchant(t.db, { userId: a.userId, from: "Nobody", to: "X" })).toBe(0);
  });
});
