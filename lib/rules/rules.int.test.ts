import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { financialAccounts, transactions } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";
import { AppError } from "@/lib/errors";
import { applyRuleToPast, createRule, deleteRule, previewRule, ruleInputSchema } from "./rules";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const input = (v: Record<string, unknown>) => ruleInputSchema.parse(v);
const live = (userId: string) => and(eq(transactions.userId, userId), isNull(transactions.deletedAt));
const uber = (userId: string) => and(live(userId), sql`lower(coalesce(${transactions.merchant}, '') || ' ' || ${transactions.description}) like '%uber%'`);
const count = async (where: ReturnType<typeof and>) => ((await t.db.select({ n: sql<number>`count(*)::int` }).from(transactions).where(where)) as [{ n: number }])[0].n;

describe("transaction rules", () => {
  it("previews exactly the rows it would change, applies to the past, and leaves other users alone", async () => {
    const a = await demoHarness(t.db);
    const b = await demoHarness(t.db);
    const ca = await a.link();
    const cb = await b.link();
    await a.sync(ca);
    await b.sync(cb);
    const uberRows = await count(uber(a.userId));
    expect(uberRows).toBeGreaterThan(0);
    const bUberBefore = await count(and(uber(b.userId), eq(transactions.category, "Rides")));
    expect(bUberBefore).toBe(0);

    const rule = input({ matchText: "UBER", direction: "out", setCategory: "Rides", renameTo: "Uber" });
    const preview = await previewRule(t.db, a.userId, rule);
    // Uber rows are card payments out of the account: all of them change.
    expect(preview.count).toBe(await count(and(uber(a.userId), sql`${transactions.amount} < 0`)));
    expect(preview.sample.length).toBe(Math.min(5, preview.count));

    const { applied } = await createRule(t.db, a.userId, rule, { applyToPast: true });
    expect(applied).toBe(preview.count);
    expect(await count(and(uber(a.userId), eq(transactions.category, "Rides")))).toBe(preview.count);
    // Nothing left to change: a second preview says 0, and B's rows are untouched.
    expect((await previewRule(t.db, a.userId, rule)).count).toBe(0);
    expect(await count(and(uber(b.userId), eq(transactions.category, "Rides")))).toBe(0);
    const [row] = await t.db.select({ f: transactions.userEditedFields, m: transactions.merchant }).from(transactions).where(and(uber(a.userId), eq(transactions.category, "Rides"))).limit(1);
    expect(row!.f).toEqual(expect.arrayContaining(["category", "merchant"]));
    expect(row!.m).toBe("Uber");
  });

  it("runs on new transactions at sync, and what it set survives a full re-sync", async () => {
    const a = await demoHarness(t.db);
    const ca = await a.link();
    await a.sync(ca);
    const before = await count(live(a.userId));
    const { rule } = await createRule(t.db, a.userId, input({ matchText: "uber", setCategory: "Rides", markTransfer: "on" }));
    expect(await count(and(live(a.userId), eq(transactions.category, "Rides")))).toBe(0); // not applied to the past

    const beforeIds = new Set((await t.db.select({ id: transactions.id }).from(transactions).where(eq(transactions.userId, a.userId))).map((r) => r.id));
    a.clock.advance(3 * 3600_000); // 180 bank ticks: new pending card payments, some posted
    const r = await a.sync(ca);
    expect(r.status).toBe("success");
    expect(await count(live(a.userId))).toBeGreaterThan(before);
    const newUber = (await t.db.select({ id: transactions.id }).from(transactions).where(uber(a.userId))).filter((x) => !beforeIds.has(x.id)).length;
    const ruled = await count(and(live(a.userId), eq(transactions.category, "Rides"), eq(transactions.type, "transfer")));
    expect(newUber).toBeGreaterThan(0);
    expect(ruled).toBe(newUber);

    // Full re-sync (and an hour of new bank activity): the provider still says its own
    // category/type; what the rule set stays, old rows stay un-ruled, new ones are ruled.
    await t.db.execute(sql`update connections set sync_cursor = null where id = ${ca}`);
    a.clock.advance(3600_000);
    expect((await a.sync(ca)).status).toBe("success");
    const rows = await t.db.select({ id: transactions.id, c: transactions.category, type: transactions.type }).from(transactions).where(uber(a.userId));
    const isRuled = (x: (typeof rows)[number]) => x.c === "Rides" && x.type === "transfer";
    expect(rows.filter((x) => beforeIds.has(x.id)).some(isRuled)).toBe(false);
    expect(rows.filter((x) => !beforeIds.has(x.id)).every(isRuled)).toBe(true);
    const ruledNow = rows.filter(isRuled).length;
    expect(ruledNow).toBeGreaterThanOrEqual(ruled);

    // A deleted rule no longer runs on what arrives next.
    await deleteRule(t.db, a.userId, rule.id);
    const seen = new Set((await t.db.select({ id: transactions.id }).from(transactions).where(eq(transactions.userId, a.userId))).map((r) => r.id));
    a.clock.advance(3 * 3600_000);
    await a.sync(ca);
    const later = (await t.db.select({ id: transactions.id, c: transactions.category }).from(transactions).where(uber(a.userId))).filter((x) => !seen.has(x.id));
    expect(later.length).toBeGreaterThan(0);
    expect(later.some((x) => x.c === "Rides")).toBe(false);
  });

  it("hide removes matching rows from every list (kept deleted across syncs)", async () => {
    const a = await demoHarness(t.db);
    const ca = await a.link();
    await a.sync(ca);
    const n = await count(uber(a.userId));
    const { rule } = await createRule(t.db, a.userId, input({ matchText: "uber", hide: true }));
    expect(await applyRuleToPast(t.db, a.userId, rule.id)).toBe(n);
    expect(await count(uber(a.userId))).toBe(0);
    await t.db.execute(sql`update connections set sync_cursor = null where id = ${ca}`);
    await a.sync(ca);
    expect(await count(uber(a.userId))).toBe(0);
  });

  it("refuses another user's account or rule, and bad input", async () => {
    const a = await demoHarness(t.db);
    const b = await demoHarness(t.db);
    await a.sync(await a.link());
    await b.sync(await b.link());
    const [bAccount] = await t.db.select({ id: financialAccounts.id }).from(financialAccounts).where(eq(financialAccounts.userId, b.userId)).limit(1);
    await expect(createRule(t.db, a.userId, input({ accountId: bAccount!.id, setCategory: "Other" }))).rejects.toThrow(AppError);
    const { rule } = await createRule(t.db, b.userId, input({ matchText: "x", setCategory: "Other" }));
    await expect(applyRuleToPast(t.db, a.userId, rule.id)).rejects.toThrow("does not exist");
    await expect(deleteRule(t.db, a.userId, rule.id)).rejects.toThrow("does not exist");

    const bad = (v: Record<string, unknown>) => {
      const r = ruleInputSchema.safeParse(v);
      return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(bad({ setCategory: "Other" })).toEqual(["matchText: Give at least one condition (text, amount or account), so the rule doesn't match everything."]);
    expect(bad({ matchText: "x" })).toEqual(["setCategory: Choose at least one thing the rule does."]);
    expect(bad({ matchText: "x", setCategory: "A", amountMin: "abc" })?.[0]).toMatch(/^amountMin: /);
    expect(bad({ matchText: "x", setCategory: "A", amountMin: "20", amountMax: "10" })).toEqual(["amountMax: The maximum is below the minimum."]);
    expect(ruleInputSchema.parse({ matchText: "x", setCategory: "groceries" }).setCategory).toBe("Groceries");
  });
});
