import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { auditLog, manualAccounts, manualTransactions, manualValuations } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { tooManyDecimals } from "@/lib/money/currency";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import type { ManualAccountInput, ManualTransactionInput, ValuationInput } from "./schemas";

/**
 * Manual accounts and assets (no bank connection). Every function takes the owner and
 * checks it in SQL: one user never reads or writes another's rows.
 */

/** quantity × unit price, exact, rounded half away from zero to 4 decimals (numeric(19,4)). */
export function holdingValue(quantity: string, unitPrice: string): string {
  const p = toUnits(quantity, 10) * toUnits(unitPrice, 10); // scale 20
  const d = 10n ** 16n;
  const neg = p < 0n;
  const a = neg ? -p : p;
  const q = (2n * a + d) / (2n * d);
  return fromUnits(neg ? -q : q, 4);
}

export async function createManualAccount(db: Db, { userId, input }: { userId: string; input: ManualAccountInput }) {
  const [row] = await db.insert(manualAccounts).values({ userId, ...input }).returning();
  return row!;
}

/** An amount the user typed has no more decimals than the account's currency (no yen cents): else a clear refusal, nothing written. */
function fitsCurrency(amount: string | undefined, currency: string, label: string): void {
  const problem = amount === undefined ? null : tooManyDecimals(amount, currency, label);
  if (problem) throw new AppError("invalid_input", problem);
}

async function ownedAccount(db: Db, userId: string, id: string) {
  const [row] = await db
    .select()
    .from(manualAccounts)
    .where(and(eq(manualAccounts.id, id), eq(manualAccounts.userId, userId)));
  if (!row) throw new AppError("not_found", "That account does not exist.");
  return row;
}

export async function updateManualAccount(db: Db, { userId, id, input }: { userId: string; id: string; input: ManualAccountInput }) {
  await ownedAccount(db, userId, id);
  const [row] = await db
    .update(manualAccounts)
    .set({ ...input, updatedAt: new Date() })
    .where(and(eq(manualAccounts.id, id), eq(manualAccounts.userId, userId)))
    .returning();
  return row!;
}

/** Archive (stops counting from today on; history is kept) or restore. */
export async function setManualAccountArchived(db: Db, { userId, id, archived }: { userId: string; id: string; archived: boolean }) {
  await ownedAccount(db, userId, id);
  await db
    .update(manualAccounts)
    .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
    .where(and(eq(manualAccounts.id, id), eq(manualAccounts.userId, userId)));
}

export async function recordValuation(db: Db, { userId, input }: { userId: string; input: ValuationInput }) {
  const account = await ownedAccount(db, userId, input.accountId);
  fitsCurrency(input.value, account.currency, "The value");
  const holding = input.value === undefined;
  const value = holding ? holdingValue(input.quantity!, input.unitPrice!) : input.value!;
  const [row] = await db
    .insert(manualValuations)
    .values({
      userId,
      accountId: account.id,
      date: input.date,
      value,
      quantity: holding ? input.quantity! : null,
      unitPrice: holding ? input.unitPrice! : null,
    })
    .onConflictDoUpdate({
      target: [manualValuations.accountId, manualValuations.date],
      set: { value: sql`excluded.value`, quantity: sql`excluded.quantity`, unitPrice: sql`excluded.unit_price`, createdAt: new Date() },
    })
    .returning();
  return row!;
}

export async function addManualTransaction(db: Db, { userId, input }: { userId: string; input: ManualTransactionInput }) {
  const account = await ownedAccount(db, userId, input.accountId);
  if (account.kind !== "cash") throw new AppError("invalid_input", "Transactions can only be added to a manual cash account.");
  fitsCurrency(input.amount, account.currency, "The amount");
  const [row] = await db.insert(manualTransactions).values({ userId, ...input }).returning();
  return row!;
}

async function ownedValuation(db: Db, userId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "That valuation does not exist.");
  const [row] = await db
    .select()
    .from(manualValuations)
    .where(and(eq(manualValuations.id, id), eq(manualValuations.userId, userId)));
  if (!row) throw new AppError("not_found", "That valuation does not exist.");
  return row;
}

/** Delete one of the user's valuations (audited). Another user's id is "not found". */
export async function deleteValuation(db: Db, { userId, id }: { userId: string; id: string }) {
  return db.transaction(async (tx) => {
    const row = await ownedValuation(tx as unknown as Db, userId, id);
    await tx.delete(manualValuations).where(and(eq(manualValuations.id, id), eq(manualValuations.userId, userId)));
    await tx.insert(auditLog).values({
      userId,
      action: "valuation.deleted",
      targetType: "manual_valuation",
      targetId: id,
      metadata: { accountId: row.accountId, date: row.date, value: row.value },
    });
    return row;
  });
}

/**
 * Change one of the user's valuations: its date, and its value or quantity × unit price
 * (audited). Moving it onto a date that already has a valuation is refused, nothing written.
 */
export async function updateValuation(db: Db, { userId, id, input }: { userId: string; id: string; input: ValuationInput }) {
  return db.transaction(async (tx) => {
    const before = await ownedValuation(tx as unknown as Db, userId, id);
    if (before.accountId !== input.accountId) throw new AppError("not_found", "That valuation does not exist.");
    const [clash] = await tx
      .select({ id: manualValuations.id })
      .from(manualValuations)
      .where(and(eq(manualValuations.accountId, before.accountId), eq(manualValuations.date, input.date)));
    if (clash && clash.id !== id) throw new AppError("invalid_input", `There is already a valuation on ${input.date}: edit or delete that one.`);
    fitsCurrency(input.value, (await ownedAccount(tx as unknown as Db, userId, before.accountId)).currency, "The value");
    const holding = input.value === undefined;
    const value = holding ? holdingValue(input.quantity!, input.unitPrice!) : input.value!;
    const [row] = await tx
      .update(manualValuations)
      .set({ date: input.date, value, quantity: holding ? input.quantity! : null, unitPrice: holding ? input.unitPrice! : null })
      .where(and(eq(manualValuations.id, id), eq(manualValuations.userId, userId)))
      .returning();
    await tx.insert(auditLog).values({
      userId,
      action: "valuation.updated",
      targetType: "manual_valuation",
      targetId: id,
      metadata: { accountId: before.accountId, from: { date: before.date, value: before.value }, to: { date: row!.date, value: row!.value } },
    });
    return row!;
  });
}

/** The user's manual accounts with their latest valuation. */
export async function listManualAccounts(db: Db, { userId, includeArchived = false }: { userId: string; includeArchived?: boolean }) {
  const latest = db
    .selectDistinctOn([manualValuations.accountId], {
      accountId: manualValuations.accountId,
      date: manualValuations.date,
      value: manualValuations.value,
    })
    .from(manualValuations)
    .where(eq(manualValuations.userId, userId))
    .orderBy(manualValuations.accountId, desc(manualValuations.date))
    .as("latest");
  return db
    .select({
      id: manualAccounts.id,
      name: manualAccounts.name,
      kind: manualAccounts.kind,
      currency: manualAccounts.currency,
      institution: manualAccounts.institution,
      note: manualAccounts.note,
      archivedAt: manualAccounts.archivedAt,
      latestDate: latest.date,
      latestValue: latest.value,
    })
    .from(manualAccounts)
    .leftJoin(latest, eq(latest.accountId, manualAccounts.id))
    .where(and(eq(manualAccounts.userId, userId), includeArchived ? undefined : isNull(manualAccounts.archivedAt)))
    .orderBy(asc(manualAccounts.name));
}

export async function getManualAccount(db: Db, { userId, id }: { userId: string; id: string }) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db
    .select()
    .from(manualAccounts)
    .where(and(eq(manualAccounts.id, id), eq(manualAccounts.userId, userId)));
  return row ?? null;
}

export async function valuationHistory(db: Db, { userId, accountId }: { userId: string; accountId: string }) {
  return db
    .select()
    .from(manualValuations)
    .where(and(eq(manualValuations.userId, userId), eq(manualValuations.accountId, accountId)))
    .orderBy(desc(manualValuations.date));
}

export async function manualTransactionList(db: Db, { userId, accountId }: { userId: string; accountId: string }) {
  return db
    .select()
    .from(manualTransactions)
    .where(and(eq(manualTransactions.userId, userId), eq(manualTransactions.accountId, accountId)))
    .orderBy(desc(manualTransactions.date), desc(manualTransactions.createdAt));
}
