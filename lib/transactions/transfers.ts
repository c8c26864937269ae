import { addDays } from "@/lib/dates";
import { and, eq, inArray, isNotNull, isNull, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { transactions } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { minorScaleSql } from "@/lib/fx/sql";
import { withEditedFields } from "./edited";

/**
 * Transfers between the user's own accounts.
 *
 * A pair is money out of one account and money in to ANOTHER account of the same user,
 * posted (not pending) within `days` calendar days of each other, for the same amount —
 * or, across currencies, for an amount that converted at the outflow day's ECB rate
 * (lib/fx, rounded to the cent) is within `tolerancePct` % of the inflow.
 *
 * Pairing is one-to-one and deterministic: candidates are ranked by (relative amount
 * difference, day gap, outflow date, outflow id, inflow id) and taken greedily, so the same
 * rows always give the same pairs. A paired row gets type 'transfer' (which leaves it out of
 * spending and income everywhere) and `transfer_id` → its counterpart; its previous type is
 * kept for an undo.
 *
 * The user's word wins: rows whose pairing the user confirmed or undid carry `transfer` in
 * `user_edited_fields` and are never (re)paired; rows whose type the user set to something
 * other than 'transfer' are left alone too. Sync keeps the type of a paired row.
 */

export const TRANSFER_DEFAULTS = { days: 3, tolerancePct: "2" } as const;

export type DetectOptions = {
  userId: string;
  days?: number;
  /** Percent, as a decimal string (exact): the cross-currency tolerance. */
  tolerancePct?: string;
  /** Only pairs where at least one side was written at or after this time (a sync's new rows). */
  touchedSince?: Date;
  /** Only outflows dated in this range (widened by `days` on both sides). */
  from?: string;
  to?: string;
  /**
   * Leave out the unlinking of pairs whose counterpart is gone (default: done first). For a
   * caller that already did it since the last deletion (a sync page committed in steps).
   */
  skipOrphans?: boolean;
};

/** Rows that may still be paired (same conditions for both sides). */
function eligible(alias: string): SQL {
  const c = (col: string) => sql.raw(`${alias}.${col}`);
  return sql`${c("deleted_at")} is null and ${c("pending")} = false and ${c("transfer_id")} is null and ${c("excluded")} = false
    and not ('transfer' = any(${c("user_edited_fields")}))
    and not ('type' = any(${c("user_edited_fields")}) and coalesce(${c("type")}, '') <> 'transfer')`;
}

/**
 * Find and mark new transfer pairs for one user. Returns the pairs made (outflow id, inflow id).
 * Also unlinks automatic pairs whose counterpart is gone (deleted by the provider or the user).
 */
export async function detectTransfers(db: Db, opts: DetectOptions): Promise<{ pairs: { outId: string; inId: string }[]; unlinked: number }> {
  const days = opts.days ?? TRANSFER_DEFAULTS.days;
  if (!Number.isInteger(days) || days < 0 || days > 31) throw new Error("days must be a whole number from 0 to 31");
  const tol = opts.tolerancePct ?? TRANSFER_DEFAULTS.tolerancePct;
  if (!/^\d{1,2}(\.\d{1,4})?$/.test(tol)) throw new Error("tolerancePct must be a decimal percentage");
  const { userId } = opts;

  const unlinked = opts.skipOrphans ? 0 : await unlinkOrphans(db, userId);

  const lastDay = sql`(select max(day) from fx_daily where currency = 'EUR')`;
  // -o.amount in i's currency at o's day: amount × to ÷ from, rounded once to i's currency's minor units (lib/fx/sql.ts).
  const scale = minorScaleSql(sql`i.currency`);
  const converted = sql`(div(2 * abs(o.amount) * fi.per_eur * ${scale} + fo.per_eur, 2 * fo.per_eur) / ${scale})`;
  const scope: SQL[] = [];
  if (opts.from) scope.push(sql`o.date >= ${addDays(opts.from, -days)}::date`);
  if (opts.to) scope.push(sql`o.date <= ${addDays(opts.to, days)}::date`);
  if (opts.touchedSince) scope.push(sql`(o.updated_at >= ${opts.touchedSince.toISOString()}::timestamptz or i.updated_at >= ${opts.touchedSince.toISOString()}::timestamptz)`);
  const scoped = scope.length ? sql`and ${sql.join(scope, sql` and `)}` : sql``;

  // Two disjoint kinds of candidate, ranked together exactly as one list would be:
  // same currency (rank 0) — an equal and opposite amount, found through the (user, |amount|)
  // index instead of every row in the date window — and across currencies, looked for only
  // when more than one currency occurs where the pairs could be (the sync asks once per page).
  // lateral: one (user, |amount|) index lookup per outflow whatever the planner's statistics
  // say (stale ones — a table analyzed when it was tiny — made it scan every row of the
  // user for each outflow: 0.7 s a page on PGlite)
  const sameCurrency = sql`
    select o.id as out_id, i.id as in_id, 0::numeric as rank, abs(i.date - o.date) as gap, o.date as out_date
    from transactions o
    cross join lateral (
      select * from transactions i
      where i.user_id = o.user_id and abs(i.amount) = abs(o.amount) and i.amount = -o.amount
        and i.currency = o.currency and i.account_id <> o.account_id
        and i.date between o.date - ${days}::int and o.date + ${days}::int
      offset 0 -- not flattened into the join
    ) i
    where o.user_id = ${userId} and o.amount < 0
      and ${eligible("o")} and ${eligible("i")}
      ${scoped}`;
  // Across currencies: for each outflow, the other currencies found where its inflow could be,
  // and through the (user, |amount|) index only inflows near its converted amount (a range
  // the exact test below implies, widened by a ten-thousandth against rounding).
  const lowest = sql`(${converted} * 100 / (100 + ${tol}::numeric) - 0.0001)`;
  const highest = sql`(${converted} * 100 / (100 - ${tol}::numeric) + 0.0001)`;
  const currencies = await currenciesWhere(db, userId, opts.from && addDays(opts.from, -2 * days), opts.to && addDays(opts.to, 2 * days));
  const crossCurrency = sql`
    select o.id as out_id, i.id as in_id, abs(${converted} - i.amount) / i.amount as rank, abs(i.date - o.date) as gap, o.date as out_date
    from transactions o
    join fx_daily fo on fo.currency = o.currency and fo.day = least(o.date, ${lastDay})
    join fx_daily fi on fi.currency <> o.currency and fi.day = least(o.date, ${lastDay})
      and fi.currency in (${sql.join(currencies.map((c) => sql`${c}`), sql`, `)})
    -- lateral: looked up per outflow and rate (none where no rate is known), never a scan of the window first
    cross join lateral (
      select * from transactions i
      where i.user_id = o.user_id and i.currency = fi.currency and i.account_id <> o.account_id
        and abs(i.amount) between ${lowest} and ${highest} and i.amount > 0
        and i.date between o.date - ${days}::int and o.date + ${days}::int
      offset 0 -- not flattened into the join
    ) i
    where o.user_id = ${userId} and o.amount < 0
      and ${eligible("o")} and ${eligible("i")}
      ${scoped}
      and abs(${converted} - i.amount) * 100 <= i.amount * ${tol}::numeric`;
  const kinds = currencies.length > 1 ? sql`${sameCurrency} union all ${crossCurrency}` : sameCurrency;
  const candidates = rowsOf<{ out_id: string; in_id: string }>(
    await db.execute(sql`select out_id, in_id from (${kinds}) c order by rank, gap, out_date, out_id, in_id`),
  );

  const used = new Set<string>();
  const pairs: { outId: string; inId: string }[] = [];
  for (const c of candidates) {
    if (used.has(c.out_id) || used.has(c.in_id)) continue;
    used.add(c.out_id);
    used.add(c.in_id);
    pairs.push({ outId: c.out_id, inId: c.in_id });
  }
  for (let i = 0; i < pairs.length; i += 500) {
    const links = pairs.slice(i, i + 500).flatMap((p) => [
      { id: p.outId, other: p.inId },
      { id: p.inId, other: p.outId },
    ]);
    // `t.id = any(array[…])`: the rows are found through the primary key whatever the planner's
    // statistics say. Joined to the jsonb rows alone, stale ones (PGlite has no autovacuum)
    // made it read every row of the user and probe the list for each: 0.3 s for one pair.
    const ids = sql`array[${sql.join(
      links.map((l) => sql`${l.id}`),
      sql`, `,
    )}]::uuid[]`;
    await db.execute(sql`
      update transactions t set transfer_id = x.other, pre_transfer_type = t.type, type = 'transfer'
      from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as x(id uuid, other uuid)
      where t.id = any(${ids}) and t.id = x.id and t.user_id = ${userId} and t.transfer_id is null`);
  }
  return { pairs, unlinked };
}

/**
 * The currencies of the user's live, posted rows dated in [from, to] (all dates when open):
 * a pair across currencies needs two of them there (both of its rows are inside).
 */
async function currenciesWhere(db: Db, userId: string, from: string | undefined, to: string | undefined): Promise<string[]> {
  const rows = rowsOf<{ currency: string }>(
    await db.execute(sql`
      select distinct currency from transactions
      where user_id = ${userId} and deleted_at is null and not pending
        ${from ? sql`and date >= ${from}::date` : sql``} ${to ? sql`and date <= ${to}::date` : sql``}`),
  );
  return rows.map((r) => r.currency);
}

/** Automatic pairs whose counterpart was deleted or unlinked: back to the row's own type. */
async function unlinkOrphans(db: Db, userId: string): Promise<number> {
  const r = rowsOf<{ id: string }>(
    await db.execute(sql`
      update transactions t set transfer_id = null, type = t.pre_transfer_type, pre_transfer_type = null
      where t.user_id = ${userId} and t.transfer_id is not null and t.deleted_at is null
        and not ('transfer' = any(t.user_edited_fields))
        and not exists (select 1 from transactions c where c.id = t.transfer_id and c.user_id = t.user_id and c.deleted_at is null and c.transfer_id = t.id)
      returning t.id`),
  );
  return r.length;
}

/** Both rows of the pair `id` belongs to (the user's own, live), or a not-found error. */
async function pairOf(db: Db, userId: string, id: string): Promise<string[]> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError("not_found", "That transaction does not exist.");
  const [row] = await db
    .select({ id: transactions.id, other: transactions.transferId })
    .from(transactions)
    .where(and(eq(transactions.id, id), eq(transactions.userId, userId), isNull(transactions.deletedAt)));
  if (!row) throw new AppError("not_found", "That transaction does not exist.");
  if (!row.other) throw new AppError("invalid_input", "This transaction is not paired with another.");
  return [row.id, row.other];
}

/** The user agrees the pair is a transfer: it stays paired whatever later syncs or detections do. */
export async function confirmTransfer(db: Db, { userId, id }: { userId: string; id: string }, now = new Date()): Promise<number> {
  const ids = await pairOf(db, userId, id);
  const r = await db
    .update(transactions)
    .set({ userEditedFields: withEditedFields(["transfer"]), updatedAt: now })
    .where(and(eq(transactions.userId, userId), inArray(transactions.id, ids), isNotNull(transactions.transferId)))
    .returning({ id: transactions.id });
  return r.length;
}

/**
 * Not a transfer: both rows are unpaired, get their own type back (a payment or deposit if
 * that was 'transfer' too) and are marked as the user's decision, so neither a re-sync nor a
 * later detection pairs or retypes them again.
 */
export async function undoTransfer(db: Db, { userId, id }: { userId: string; id: string }, now = new Date()): Promise<number> {
  const ids = await pairOf(db, userId, id);
  const r = await db
    .update(transactions)
    .set({
      type: sql`case when ${transactions.preTransferType} is null or ${transactions.preTransferType} = 'transfer'
        then (case when ${transactions.amount} < 0 then 'payment' else 'deposit' end) else ${transactions.preTransferType} end`,
      transferId: null,
      preTransferType: null,
      userEditedFields: withEditedFields(["transfer", "type"]),
      updatedAt: now,
    })
    .where(and(eq(transactions.userId, userId), inArray(transactions.id, ids), isNotNull(transactions.transferId)))
    .returning({ id: transactions.id });
  return r.length;
}

export type TransferCounterpart = { id: string; accountId: string; date: string; amount: string; currency: string; description: string; accountName: string; confirmed: boolean };

/** The other side of each paired row among `ids`, for the row detail (the user's own rows only). */
export async function transferCounterparts(db: Db, { userId, ids }: { userId: string; ids: string[] }): Promise<Map<string, TransferCounterpart>> {
  const clean = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (!clean.length) return new Map();
  const r = rowsOf<{ row_id: string; id: string; account_id: string; date: string; amount: string; currency: string; description: string; account_name: string; confirmed: boolean | string }>(
    await db.execute(sql`
      select t.id as row_id, c.id, c.account_id, c.date::text as date, c.amount::text as amount, c.currency, coalesce(c.merchant, c.description) as description,
        a.name as account_name, ('transfer' = any(t.user_edited_fields)) as confirmed
      from transactions t
      join transactions c on c.id = t.transfer_id and c.user_id = t.user_id and c.deleted_at is null
      join financial_accounts a on a.id = c.account_id and a.user_id = c.user_id
      where t.user_id = ${userId} and t.id in (${sql.join(clean.map((id) => sql`${id}::uuid`), sql`, `)})`),
  );
  return new Map(
    r.map((c) => [
      c.row_id,
      { id: c.id, accountId: c.account_id, date: c.date, amount: c.amount, currency: c.currency.trim(), description: c.description, accountName: c.account_name, confirmed: c.confirmed === true || c.confirmed === "t" },
    ]),
  );
}

/** The other side of one transfer (null when the row is not paired or not the user's). */
export async function transferCounterpart(db: Db, { userId, id }: { userId: string; id: string }): Promise<TransferCounterpart | null> {
  return (await transferCounterparts(db, { userId, ids: [id] })).get(id) ?? null;
}
