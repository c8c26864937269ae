import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { auditLog, connections, financialAccounts } from "@/db/schema";
import { applyAccounts } from "@/lib/sync/apply";
import { AppError } from "@/lib/errors";
import { connectionAccounts, displayNameSchema, renameAccount, renameConnection } from "./names";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());
beforeEach(async () => truncateAll(t));

describe("renaming connections and accounts", () => {
  it("display names are trimmed, whitespace collapsed, 1–80 characters, no control characters", () => {
    expect(displayNameSchema.parse("  Joint   checking \n")).toBe("Joint checking");
    expect(displayNameSchema.safeParse("   ").success).toBe(false);
    expect(displayNameSchema.safeParse("x".repeat(81)).success).toBe(false);
    expect(displayNameSchema.parse("x".repeat(80))).toHaveLength(80);
    expect(displayNameSchema.safeParse("a\u0000b").success).toBe(false);
  });

  it("renames the owner's connection with an audit entry; another user's id is not found and changes nothing", async () => {
    const a = await seedUser(t.db);
    const b = await seedUser(t.db);
    expect(await renameConnection(t.db, { userId: a.userId, connectionId: a.connectionId, name: "Chase (joint)" })).toEqual({ name: "Chase (joint)", changed: true });
    const [row] = await t.db.select({ n: connections.displayName }).from(connections).where(eq(connections.id, a.connectionId));
    expect(row!.n).toBe("Chase (joint)");
    const audit = await t.db.select().from(auditLog).where(and(eq(auditLog.userId, a.userId), eq(auditLog.action, "connection.renamed")));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.metadata).toEqual({ from: "Test Bank", to: "Chase (joint)" });

    await expect(renameConnection(t.db, { userId: b.userId, connectionId: a.connectionId, name: "Mine now" })).rejects.toMatchObject({ code: "not_found" });
    await expect(renameConnection(t.db, { userId: b.userId, connectionId: "not-a-uuid", name: "x" })).rejects.toBeInstanceOf(AppError);
    const [still] = await t.db.select({ n: connections.displayName }).from(connections).where(eq(connections.id, a.connectionId));
    expect(still!.n).toBe("Chase (joint)");
    expect(await t.db.select().from(auditLog).where(eq(auditLog.userId, b.userId))).toHaveLength(0);
  });

  it("an account keeps the user's name through later syncs; the provider's other fields still update", async () => {
    const a = await seedUser(t.db);
    const now = new Date();
    const ids = await applyAccounts(t.db, { userId: a.userId, connectionId: a.connectionId, now }, [{ providerAccountId: "p-1", name: "CHK 1234", type: "depository", subtype: "checking", currency: "USD", mask: "1234" }]);
    const id = ids.get("p-1")!;
    await renameAccount(t.db, { userId: a.userId, accountId: id, name: "Bills account" });
    await applyAccounts(t.db, { userId: a.userId, connectionId: a.connectionId, now }, [{ providerAccountId: "p-1", name: "CHK 1234 NEW", type: "depository", subtype: "savings", currency: "USD", mask: "9999" }]);
    const [row] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.id, id));
    expect(row!.name).toBe("Bills account");
    expect(row!.mask).toBe("9999");
    expect(row!.subtype).toBe("savings");
    // Not renamed: the provider's name is taken as before.
    const ids2 = await applyAccounts(t.db, { userId: a.userId, connectionId: a.connectionId, now }, [{ providerAccountId: "p-2", name: "SAV", type: "depository", currency: "USD" }]);
    await applyAccounts(t.db, { userId: a.userId, connectionId: a.connectionId, now }, [{ providerAccountId: "p-2", name: "SAVINGS", type: "depository", currency: "USD" }]);
    const [row2] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.id, ids2.get("p-2")!));
    expect(row2!.name).toBe("SAVINGS");

    const b = await seedUser(t.db);
    await expect(renameAccount(t.db, { userId: b.userId, accountId: id, name: "Stolen" })).rejects.toMatchObject({ code: "not_found" });
    expect(await t.db.select().from(auditLog).where(and(eq(auditLog.userId, a.userId), eq(auditLog.action, "account.renamed")))).toHaveLength(1);
  });

  it("what a connection brought in: accounts with mask, balance, transaction count and dates covered — the owner's only", async () => {
    const a = await seedUser(t.db);
    const chk = await a.account("Checking");
    const sav = await a.account("Savings");
    await t.db.update(financialAccounts).set({ mask: "0042", currentBalance: "1234.5600" }).where(eq(financialAccounts.id, chk));
    await seedTransactions(t.db, a.userId, chk, [
      { date: "2025-03-04", amount: "-1.00" },
      { date: "2026-01-31", amount: "-2.00" },
      { date: "2026-02-01", amount: "-3.00", deletedAt: new Date() },
    ]);
    const rows = await connectionAccounts(t.db, { userId: a.userId, connectionId: a.connectionId });
    const c = rows.find((r) => r.id === chk)!;
    expect(c).toMatchObject({ name: "Checking", mask: "0042", currentBalance: "1234.5600", transactions: 2, firstDate: "2025-03-04", lastDate: "2026-01-31" });
    expect(rows.find((r) => r.id === sav)).toMatchObject({ transactions: 0, firstDate: null, lastDate: null });
    const b = await seedUser(t.db);
    expect(await connectionAccounts(t.db, { userId: b.userId, connectionId: a.connectionId })).toEqual([]);
  });
});
