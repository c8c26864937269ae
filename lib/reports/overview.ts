import { addDays, addMonthsRollingOver } from "@/lib/dates";
import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { balanceSnapshots, financialAccounts, transactions } from "@/db/schema";
import type { TransactionFilters } from "@/lib/transactions/filters";
import { whereForFilters } from "@/lib/transactions/query";
import type { BucketUnit } from "./buckets";

/**
 * Overview aggregations, all in SQL (never JS over every row), all scoped by user and
 * built on the same transaction filters as the table. Amounts come back as decimal
 * strings, per currency: nothing is converted between currencies.
 *
 * Every figure counts exactly the rows the transaction table's totals count for the same
 * filter (rows the user excluded are left out of both), so a chart element and the table
 * it links to agree to the cent. Nothing is left out silently: the Overview leaves
 * transfers out through the filter (`exclude_type=transfer`), visible in every link.
 */

type Scope = { userId: string; filters: Partial<TransactionFilters> };

/** What the table's totals count (lib/transactions/query.ts summarizeTransactions). */
export const counted = sql`${transactions.excluded} = false`;

export type { BucketUnit };
/** Start of the row's week (Monday) / month / quarter, as a calendar date; no time zone involved. */
export const bucketSql = (unit: BucketUnit) => sql`date_trunc(${sql.raw(`'${unit}'`)}, ${transactions.date}::timestamp)::date`;

export const PERIODS = { "3m": 3, "1y": 12, all: null } as const;
export type Period = keyof typeof PERIODS;

/** First day of the period (a calendar date), counted back from `today`. */
export function periodStart(period: Period, today: string): string | undefined {
  const months = PERIODS[period];
  if (months === null) return undefined;
  return addDays(addMonthsRollingOver(today, -months), 1);
}

/** Sum of daily balance snapshots per currency (net worth over time). */
export async function netWorthSeries(db: Db, { userId, filters }: Scope) {
  return db
    .select({
      date: balanceSnapshots.date,
      currency: balanceSnapshots.currency,
      total: sql<string>`sum(${balanceSnapshots.current})::text`,
    })
    .from(balanceSnapshots)
    .innerJoin(financialAccounts, eq(financialAccounts.id, balanceSnapshots.accountId))
    .where(
      and(
        eq(balanceSnapshots.userId, userId),
        eq(financialAccounts.hidden, false),
        filters.from ? gte(balanceSnapshots.date, filters.from) : undefined,
        filters.to ? lte(balanceSnapshots.date, filters.to) : undefined,
        filters.account?.length ? inArray(balanceSnapshots.accountId, filters.account) : undefined,
      ),
    )
    .groupBy(balanceSnapshots.date, balanceSnapshots.currency)
    .orderBy(balanceSnapshots.date);
}

/** Money in and out per week, month or quarter (the transaction's own date; `bucket` is the first day). */
export async function cashflowByBucket(db: Db, { userId, filters }: Scope, unit: BucketUnit = "month") {
  const bucket = bucketSql(unit);
  return db
    .select({
      bucket: sql<string>`${bucket}::text`,
      currency: transactions.currency,
      moneyIn: sql<string>`coalesce(sum(${transactions.amount}) filter (where ${transactions.amount} > 0), 0)::text`,
      moneyOut: sql<string>`coalesce(-sum(${transactions.amount}) filter (where ${transactions.amount} < 0), 0)::text`,
    })
    .from(transactions)
    .where(and(whereForFilters(userId, filters), counted))
    .groupBy(bucket, transactions.currency)
    .orderBy(bucket);
}

export async function spendingByCategory(db: Db, { userId, filters }: Scope, limit = 10) {
  const cat = sql<string>`coalesce(${transactions.category}, 'Uncategorised')`;
  return db
    .select({ category: cat, currency: transactions.currency, spent: sql<string>`(-sum(${transactions.amount}))::text` })
    .from(transactions)
    .where(and(whereForFilters(userId, filters), counted, sql`${transactions.amount} < 0`))
    .groupBy(cat, transactions.currency)
    .orderBy(sql`sum(${transactions.amount})`)
    .limit(limit);
}

export async function topMerchants(db: Db, { userId, filters }: Scope, limit = 10) {
  const name = sql<string>`coalesce(${transactions.merchant}, ${transactions.description})`;
  return db
    .select({ merchant: name, currency: transactions.currency, spent: sql<string>`(-sum(${transactions.amount}))::text`, count: sql<number>`count(*)::int` })
    .from(transactions)
    .where(and(whereForFilters(userId, filters), counted, sql`${transactions.amount} < 0`))
    .groupBy(name, transactions.currency)
    .orderBy(sql`sum(${transactions.amount})`)
    .limit(limit);
}

/** Bank fees: the taxonomy's "Fees" category (what the fees link filters on). */
export async function feesPaid(db: Db, { userId, filters }: Scope) {
  return db
    .select({ currency: transactions.currency, total: sql<string>`(-sum(${transactions.amount}))::text`, count: sql<number>`count(*)::int` })
    .from(transactions)
    .where(and(whereForFilters(userId, filters), counted, sql`${transactions.amount} < 0`, eq(transactions.category, "Fees")))
    .groupBy(transactions.currency);
}

export async function overview(db: Db, scope: Scope & { unit?: BucketUnit }) {
  const [netWorth, cashflow, categories, merchants, fees] = await Promise.all([
    netWorthSeries(db, scope),
    cashflowByBucket(db, scope, scope.unit),
    spendingByCategory(db, scope),
    topMerchants(db, scope),
    feesPaid(db, scope),
  ]);
  return { netWorth, cashflow, categories, merchants, fees };
}

export type Overview = Awaited<ReturnType<typeof overview>>;
