import { withEditedFields } from "@/lib/transactions/edited";
import { and, asc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { financialAccounts, transactionRules, transactions, type TransactionRule, type UserEditableField } from "@/db/schema";
import { CANONICAL_CATEGORIES } from "@/lib/categories/taxonomy";
import { AppError } from "@/lib/errors";
import { toUnits } from "@/lib/money/decimal";

export const MAX_RULES = 200;
const amount = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,2})?$/, "Enter an amount like 12.50.")
  .or(z.literal("").transform(() => undefined))
  .optional();
const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters.`)
    .refine((s) => !s.includes("\u0000"), "Contains an invalid character.")
    .transform((s) => s || undefined)
    .optional();
const checkbox = z
  .union([z.boolean(), z.literal("on"), z.literal("true"), z.literal("")])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

/** A rule as a form or the API sends it: at least one condition and one action. */
export const ruleInputSchema = z
  .object({
    matchText: text(100),
    amountMin: amount,
    amountMax: amount,
    direction: z.enum(["any", "out", "in"], { error: "Choose money out, money in or either." }).default("any"),
    accountId: z
      .uuid({ error: "Unknown account." })
      .or(z.literal("").transform(() => undefined))
      .optional(),
    setCategory: text(100).transform((c) => (c ? (CANONICAL_CATEGORIES.find((k) => k.toLowerCase() === c.toLowerCase()) ?? c) : c)),
    renameTo: text(100),
    markTransfer: checkbox,
    hide: checkbox,
  })
  .superRefine((r, ctx) => {
    if (r.amountMin && r.amountMax && toUnits(r.amountMin) > toUnits(r.amountMax)) ctx.addIssue({ code: "custom", path: ["amountMax"], message: "The maximum is below the minimum." });
    if (!r.matchText && !r.amountMin && !r.amountMax && !r.accountId && r.direction === "any")
      ctx.addIssue({ code: "custom", path: ["matchText"], message: "Give at least one condition (text, amount or account), so the rule doesn't match everything." });
    if (!r.setCategory && !r.renameTo && !r.markTransfer && !r.hide) ctx.addIssue({ code: "custom", path: ["setCategory"], message: "Choose at least one thing the rule does." });
  });
export type RuleInput = z.output<typeof ruleInputSchema>;
type RuleLike = Pick<TransactionRule, "matchText" | "amountMin" | "amountMax" | "direction" | "accountId" | "setCategory" | "renameTo" | "markTransfer" | "hide">;

const toRule = (r: RuleInput): RuleLike => ({
  matchText: r.matchText ?? null,
  amountMin: r.amountMin ?? null,
  amountMax: r.amountMax ?? null,
  direction: r.direction,
  accountId: r.accountId ?? null,
  setCategory: r.setCategory ?? null,
  renameTo: r.renameTo ?? null,
  markTransfer: r.markTransfer,
  hide: r.hide,
});

/** Where a rule's conditions hold (on live rows of the user). */
function matches(rule: RuleLike): SQL {
  const parts: (SQL | undefined)[] = [
    rule.matchText ? sql`position(lower(${rule.matchText}) in lower(coalesce(${transactions.merchant}, '') || ' ' || ${transactions.description})) > 0` : undefined,
    rule.amountMin ? sql`abs(${transactions.amount}) >= ${rule.amountMin}::numeric` : undefined,
    rule.amountMax ? sql`abs(${transactions.amount}) <= ${rule.amountMax}::numeric` : undefined,
    rule.direction === "out" ? sql`${transactions.amount} < 0` : rule.direction === "in" ? sql`${transactions.amount} > 0` : undefined,
    rule.accountId ? eq(transactions.accountId, rule.accountId) : undefined,
  ];
  return and(...parts.filter(Boolean))!;
}

/** …and applying it would change something. */
function wouldChange(rule: RuleLike): SQL {
  const parts: SQL[] = [];
  if (rule.setCategory) parts.push(sql`${transactions.category} is distinct from ${rule.setCategory}`);
  if (rule.renameTo) parts.push(sql`${transactions.merchant} is distinct from ${rule.renameTo}`);
  if (rule.markTransfer) parts.push(sql`${transactions.type} is distinct from 'transfer'`);
  if (rule.hide) parts.push(sql`true`);
  return sql`(${sql.join(parts, sql` or `)})`;
}

async function runRule(db: Db, userId: string, rule: RuleLike, now: Date, only?: string[]): Promise<number> {
  const edited = [rule.setCategory && "category", rule.renameTo && "merchant", rule.markTransfer && "type"].filter(Boolean) as UserEditableField[];
  const set: Record<string, unknown> = { updatedAt: now };
  if (rule.setCategory) set.category = rule.setCategory;
  if (rule.renameTo) set.merchant = rule.renameTo;
  if (rule.markTransfer) set.type = "transfer";
  if (edited.length) set.userEditedFields = withEditedFields(edited);
  if (rule.hide) {
    set.deletedAt = now;
    set.deletedReason = "user_deleted";
  }
  const changed = await db
    .update(transactions)
    .set(set)
    .where(and(eq(transactions.userId, userId), isNull(transactions.deletedAt), only ? inArray(transactions.id, only) : undefined, matches(rule), wouldChange(rule)))
    .returning({ id: transactions.id });
  return changed.length;
}

async function assertOwnAccount(db: Db, userId: string, accountId: string | undefined) {
  if (!accountId) return;
  const [a] = await db
    .select({ id: financialAccounts.id })
    .from(financialAccounts)
    .where(and(eq(financialAccounts.id, accountId), eq(financialAccounts.userId, userId)));
  if (!a) throw new AppError("not_found", "That account does not exist.");
}

export async function listRules(db: Db, userId: string): Promise<TransactionRule[]> {
  return db.select().from(transactionRules).where(eq(transactionRules.userId, userId)).orderBy(asc(transactionRules.position), asc(transactionRules.createdAt));
}

/** How many live transactions a rule would change now, with a few examples. */
export async function previewRule(db: Db, userId: string, input: RuleInput): Promise<{ count: number; sample: { id: string; date: string; description: string; amount: string; currency: string }[] }> {
  await assertOwnAccount(db, userId, input.accountId);
  const rule = toRule(input);
  const where = and(eq(transactions.userId, userId), isNull(transactions.deletedAt), matches(rule), wouldChange(rule));
  const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(transactions).where(where)) as [{ n: number }];
  const sample = await db
    .select({ id: transactions.id, date: transactions.date, description: sql<string>`coalesce(${transactions.merchant}, ${transactions.description})`, amount: transactions.amount, currency: transactions.currency })
    .from(transactions)
    .where(where)
    .orderBy(sql`${transactions.date} desc`, transactions.id)
    .limit(5);
  return { count: n, sample };
}

/** Save a rule (last in order); optionally apply it to past transactions at once. */
export async function createRule(db: Db, userId: string, input: RuleInput, { applyToPast = false, now = new Date() } = {}): Promise<{ rule: TransactionRule; applied: number }> {
  await assertOwnAccount(db, userId, input.accountId);
  return db.transaction(async (tx) => {
    const [{ n, next }] = (await tx
      .select({ n: sql<number>`count(*)::int`, next: sql<number>`coalesce(max(${transactionRules.position}) + 1, 0)::int` })
      .from(transactionRules)
      .where(eq(transactionRules.userId, userId))) as [{ n: number; next: number }];
    if (n >= MAX_RULES) throw new AppError("invalid_input", `You can keep at most ${MAX_RULES} rules. Delete one first.`);
    const [rule] = await tx
      .insert(transactionRules)
      .values({ userId, position: next, ...toRule(input) })
      .returning();
    const applied = applyToPast ? await runRule(tx as unknown as Db, userId, rule!, now) : 0;
    return { rule: rule!, applied };
  });
}

/** Apply one saved rule to every past (live) transaction; returns the number changed. */
export async function applyRuleToPast(db: Db, userId: string, ruleId: string, now = new Date()): Promise<number> {
  const [rule] = await db
    .select()
    .from(transactionRules)
    .where(and(eq(transactionRules.id, ruleId), eq(transactionRules.userId, userId)));
  if (!rule) throw new AppError("not_found", "That rule does not exist.");
  return runRule(db, userId, rule, now);
}

export async function deleteRule(db: Db, userId: string, ruleId: string): Promise<void> {
  const gone = await db
    .delete(transactionRules)
    .where(and(eq(transactionRules.id, ruleId), eq(transactionRules.userId, userId)))
    .returning({ id: transactionRules.id });
  if (!gone.length) throw new AppError("not_found", "That rule does not exist.");
}

export async function setRuleEnabled(db: Db, userId: string, ruleId: string, enabled: boolean): Promise<void> {
  const done = await db
    .update(transactionRules)
    .set({ enabled })
    .where(and(eq(transactionRules.id, ruleId), eq(transactionRules.userId, userId)))
    .returning({ id: transactionRules.id });
  if (!done.length) throw new AppError("not_found", "That rule does not exist.");
}

/**
 * Sync: run the user's enabled rules, in order, over transactions that were just inserted.
 * Called inside the page's transaction, so a crash never leaves new rows un-ruled.
 */
export async function applyRulesToNew(db: Db, userId: string, transactionIds: string[], now: Date): Promise<number> {
  if (!transactionIds.length) return 0;
  const rules = (await listRules(db, userId)).filter((r) => r.enabled);
  let changed = 0;
  for (const rule of rules) changed += await runRule(db, userId, rule, now, transactionIds);
  return changed;
}
