import { addDays, daysBetween as signedDaysBetween } from "@/lib/dates";
import { applyRulesToNew } from "@/lib/rules/rules";
import { detectTransfers } from "@/lib/transactions/transfers";
import { and, eq, gte, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { balanceSnapshots, financialAccounts, transactions } from "@/db/schema";
import type { NormalizedAccount, NormalizedBalance, NormalizedTransaction, TransactionPage } from "@/lib/connectors/contract";
import { rowsOf } from "@/db/rows";
import { canonical, isDecimal } from "@/lib/money/decimal";

/**
 * Let waiting requests in. With an in-process provider (the demo bank) and embedded PGlite
 * a whole import is otherwise one chain of promise callbacks that never yields to I/O:
 * health checks and progress polls would wait for it to end. The engine calls it before
 * the first page and around each page; the backfill between its statements.
 */
export const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

/**
 * Reconciliation: apply what a connector returned to the database. Every function is
 * idempotent — applying the same accounts, balances or page twice changes nothing —
 * which is what makes crash recovery and pagination restarts safe.
 */

export const CHUNK_SIZE = 1000;
/** How far apart (days) a pending and its posted transaction may be to match without a provider link. */
export const PENDING_MATCH_DAYS = 5;

export type Counts = { added: number; modified: number; removed: number };
export type Diff = Counts & { sample: { added: string[]; modified: string[]; removed: string[] }; warnings: string[] };

export const emptyDiff = (): Diff => ({ added: 0, modified: 0, removed: 0, sample: { added: [], modified: [], removed: [] }, warnings: [] });

const WARNINGS_MAX = 50;
export function warn(diff: Diff, message: string) {
  if (diff.warnings.length < WARNINGS_MAX) diff.warnings.push(message);
  else if (diff.warnings.length === WARNINGS_MAX) diff.warnings.push("More problems were skipped.");
}

/** numeric(19,4) holds 15 integer digits: anything at or above 10^15 cannot be stored. */
const MAX_INT_DIGITS = 15;
export function storableAmount(v: string): boolean {
  if (!isDecimal(v)) return false;
  const int = v.replace(/^-/, "").split(".")[0]!.replace(/^0+(?=\d)/, "");
  return int.length <= MAX_INT_DIGITS;
}

const SAMPLE_MAX = 50;
function note(diff: Diff, kind: keyof Counts, id: string) {
  diff[kind]++;
  if (diff.sample[kind].length < SAMPLE_MAX) diff.sample[kind].push(id);
}

// ------------------------------------------------------------------ accounts and balances

/** Upsert accounts; returns provider account id → our account id. */
export async function applyAccounts(
  db: Db,
  ctx: { userId: string; connectionId: string; now: Date },
  accounts: NormalizedAccount[],
): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (!accounts.length) return map;
  const rows = await db
    .insert(financialAccounts)
    .values(
      accounts.map((a) => ({
        userId: ctx.userId,
        connectionId: ctx.connectionId,
        providerAccountId: a.providerAccountId,
        name: a.name,
        officialName: a.officialName ?? null,
        type: a.type,
        subtype: a.subtype ?? null,
        currency: a.currency.toUpperCase(),
        mask: a.mask ?? null,
        iban: a.iban ?? null,
        closedAt: a.closed ? ctx.now : null,
      })),
    )
    .onConflictDoUpdate({
      target: [financialAccounts.connectionId, financialAccounts.providerAccountId],
      set: {
        // A name the user gave the account wins over the provider's.
        name: sql`case when ${financialAccounts.nameEdited} then ${financialAccounts.name} else excluded.name end`,
        officialName: sql`excluded.official_name`,
        type: sql`excluded.type`,
        subtype: sql`excluded.subtype`,
        currency: sql`excluded.currency`,
        mask: sql`excluded.mask`,
        iban: sql`excluded.iban`,
        closedAt: sql`coalesce(${financialAccounts.closedAt}, excluded.closed_at)`,
        updatedAt: ctx.now,
      },
    })
    .returning({ id: financialAccounts.id, providerAccountId: financialAccounts.providerAccountId });
  for (const r of rows) map.set(r.providerAccountId, r.id);
  return map;
}

/** Current balances on the account rows, and one snapshot per account per day (the latest wins). */
export async function applyBalances(
  db: Db,
  ctx: { userId: string; now: Date; accountIdByProvider: Map<string, string>; diff?: Diff },
  balances: NormalizedBalance[],
): Promise<void> {
  for (const b of balances) {
    const accountId = ctx.accountIdByProvider.get(b.providerAccountId);
    if (!accountId) continue;
    for (const v of [b.current, b.available, b.limit]) if (v != null && !isDecimal(v)) throw new Error(`bad balance ${v}`);
    if (![b.current, b.available, b.limit].every((v) => v == null || storableAmount(v))) {
      if (ctx.diff) warn(ctx.diff, `Skipped the balance of account ${b.providerAccountId}: the amount is too large to store.`);
      continue;
    }
    await db
      .update(financialAccounts)
      .set({ currentBalance: b.current, availableBalance: b.available, creditLimit: b.limit ?? null, balanceUpdatedAt: ctx.now })
      .where(and(eq(financialAccounts.id, accountId), eq(financialAccounts.userId, ctx.userId)));
    await db
      .insert(balanceSnapshots)
      .values({ accountId, userId: ctx.userId, date: b.asOf, current: b.current, available: b.available, currency: b.currency.toUpperCase() })
      .onConflictDoUpdate({
        target: [balanceSnapshots.accountId, balanceSnapshots.date],
        set: { current: sql`excluded.current`, available: sql`excluded.available`, currency: sql`excluded.currency`, derived: false },
      });
    await yieldToIo();
  }
}

// ------------------------------------------------------------------ transactions

export type PageContext = {
  userId: string;
  accountIdByProvider: Map<string, string>;
  now: Date;
  /** Only rows dated inside this range are written (engine option). */
  dateRange?: { from?: string; to?: string };
};

/**
 * One chunk as a single jsonb parameter expanded by Postgres (jsonb_to_recordset): far
 * less driver and query-builder work than thousands of bind parameters, same SQL on
 * PGlite and PostgreSQL. Upsert rules:
 * - a field the user edited keeps the user's value;
 * - a provider-removed row that comes back is live again, a user-deleted one stays deleted;
 * - rows that did not change are not touched, so a repeated import writes (and reports) nothing.
 */
function upsertSql(chunk: Row[]) {
  const payload = JSON.stringify(
    chunk.map((r) => ({
      user_id: r.userId,
      account_id: r.accountId,
      provider_transaction_id: r.providerTransactionId,
      pending: r.pending,
      pending_transaction_id: r.pendingTransactionId,
      date: r.date,
      authorized_date: r.authorizedDate,
      amount: r.amount,
      currency: r.currency,
      description: r.description,
      merchant: r.merchant,
      counterparty: r.counterparty,
      category: r.category,
      type: r.type,
      raw: r.raw,
      updated_at: (r.updatedAt as Date).toISOString(),
    })),
  );
  const edited = (f: string) => sql.raw(`case when '${f}' = any(transactions.user_edited_fields) then transactions.${f} else excluded.${f} end`);
  return sql`
    insert into transactions (user_id, account_id, provider_transaction_id, pending, pending_transaction_id, date, authorized_date,
      amount, currency, description, merchant, counterparty, category, type, raw, updated_at)
    select user_id, account_id, provider_transaction_id, pending, pending_transaction_id, date, authorized_date,
      amount, currency, description, merchant, counterparty, category, type, raw, updated_at
    from jsonb_to_recordset(${payload}::jsonb) as x(user_id uuid, account_id uuid, provider_transaction_id text, pending boolean,
      pending_transaction_id text, date date, authorized_date date, amount numeric, currency text, description text, merchant text,
      counterparty text, category text, type text, raw jsonb, updated_at timestamptz)
    on conflict (account_id, provider_transaction_id) do update set
      pending = excluded.pending,
      pending_transaction_id = coalesce(excluded.pending_transaction_id, transactions.pending_transaction_id),
      date = excluded.date,
      authorized_date = excluded.authorized_date,
      amount = excluded.amount,
      currency = excluded.currency,
      description = ${edited("description")},
      merchant = ${edited("merchant")},
      counterparty = excluded.counterparty,
      category = ${edited("category")},
      -- A row paired as a transfer keeps type 'transfer'; the provider's type is kept for an undo.
      type = case when 'type' = any(transactions.user_edited_fields) or transactions.transfer_id is not null then transactions.type else excluded.type end,
      pre_transfer_type = case when transactions.transfer_id is not null then excluded.type else transactions.pre_transfer_type end,
      raw = excluded.raw,
      deleted_at = case when transactions.deleted_reason = 'user_deleted' then transactions.deleted_at else null end,
      deleted_reason = case when transactions.deleted_reason = 'user_deleted' then transactions.deleted_reason else null end,
      updated_at = excluded.updated_at
    where transactions.raw is distinct from excluded.raw
      or transactions.amount <> excluded.amount or transactions.date <> excluded.date
      or transactions.pending <> excluded.pending or transactions.deleted_reason = 'provider_removed'
    returning id, provider_transaction_id, (xmax = 0) as inserted`;
}

type Row = typeof transactions.$inferInsert;

function toRow(t: NormalizedTransaction, userId: string, accountId: string, now: Date): Row {
  if (!isDecimal(t.amount)) throw new Error(`connector returned a non-decimal amount for ${t.providerTransactionId}`);
  return {
    userId,
    accountId,
    providerTransactionId: t.providerTransactionId,
    pending: t.pending,
    pendingTransactionId: t.pendingTransactionId ?? null,
    date: t.date,
    authorizedDate: t.authorizedDate ?? null,
    amount: t.amount,
    currency: t.currency.toUpperCase(),
    description: t.description,
    merchant: t.merchant ?? null,
    counterparty: t.counterparty ?? null,
    category: t.category ?? null,
    type: t.type ?? null,
    raw: t.raw ?? null,
    updatedAt: now,
  };
}

const daysBetween = (a: string, b: string) => Math.abs(signedDaysBetween(a, b));

/**
 * Apply one page in one go (the caller's transaction, or a dry run's). Order: pending→posted
 * replacements, then upserts (added + modified, in chunks), then removals (tombstones). Rows
 * the user deleted stay deleted; fields the user edited keep the user's value.
 */
export async function applyTransactionPage(db: Db, ctx: PageContext, page: TransactionPage, diff: Diff): Promise<void> {
  const plan = await planPage(db, ctx, page, diff);
  await writeRows(db, ctx, plan.rows, plan.replacedDates, diff);
  await applyRemovals(db, ctx, plan.removedKeys, diff);
}

/** Rows a page is committed in per transaction on the embedded database (see commitTransactionPage). */
export const EMBEDDED_STEP_ROWS = 125;

export type PageCommit = {
  /**
   * Runs in every step's transaction after its writes; `last` in the page's last one, which
   * carries the cursor (and the run's counters). A throw rolls that step back.
   */
  finish: (tx: Db, last: boolean) => Promise<void>;
  /** Rows per transaction; without it the page is one transaction. */
  stepRows?: number;
  /** Fault injection: after step `step` (1-based, not the last) is committed. */
  afterStep?: (step: number) => void | Promise<void>;
};

/**
 * Commit one page, as one transaction or, with `stepRows`, as several short ones with a
 * yield between them: on embedded PGlite one transaction holds the only connection and the
 * event loop, and a 500-row page would keep every request waiting for it.
 *
 * Steps give the same ledger and the same diff as one transaction: the window's removals
 * are worked out from ALL of the page's ids, and the pending→posted replacements for all
 * of its posted rows, in the first step, before any row is written (as one transaction
 * does); each step then upserts its rows, applies the rules to the new ones and pairs
 * transfers among what is written; the removals and the cursor come with the last step.
 * A crash after a step leaves the cursor on the previous page, so the next run applies this
 * page again: what the steps wrote is there and unchanged (not written nor counted again),
 * the rest is written then. Only the order in which transfers are paired follows the steps
 * (as it follows the provider's pages), which matters only for an outflow with two equally
 * good inflows in different steps.
 */
export async function commitTransactionPage(db: Db, ctx: PageContext, page: TransactionPage, diff: Diff, commit: PageCommit): Promise<void> {
  const size = commit.stepRows && commit.stepRows > 0 ? commit.stepRows : Infinity;
  let plan: PagePlan | undefined;
  for (let step = 1, done = 0; ; step++) {
    let last = false;
    await db.transaction(async (tx) => {
      let replacedDates: string[] = [];
      if (!plan) {
        plan = await planPage(tx, ctx, page, diff);
        replacedDates = plan.replacedDates;
      }
      const rows = plan.rows.slice(done, done + size);
      last = done + rows.length >= plan.rows.length;
      await writeRows(tx, ctx, rows, replacedDates, diff, step > 1);
      if (last) await applyRemovals(tx, ctx, plan.removedKeys, diff);
      await commit.finish(tx, last);
      done += rows.length;
    });
    if (last) return;
    await commit.afterStep?.(step);
    await yieldToIo();
  }
}

type PagePlan = { rows: Row[]; removedKeys: Set<string>; replacedDates: string[] };

/**
 * Which rows a page writes and which it removes, and its pending→posted replacements
 * (written here, before any row: a replaced pending row becomes its posted row in place).
 */
async function planPage(db: Db, ctx: PageContext, page: TransactionPage, diff: Diff): Promise<PagePlan> {
  if (page.window) page = { ...page, removed: [...page.removed, ...(await windowRemovals(db, ctx, page))] };
  const inRange = (d: string) => (!ctx.dateRange?.from || d >= ctx.dateRange.from) && (!ctx.dateRange?.to || d <= ctx.dateRange.to);

  // Last version of each transaction in this page wins.
  const incoming = new Map<string, Row>();
  for (const t of [...page.added, ...page.modified]) {
    const accountId = ctx.accountIdByProvider.get(t.providerAccountId);
    if (!accountId || !inRange(t.date)) continue;
    if (isDecimal(t.amount) && !storableAmount(t.amount)) {
      // One absurd amount must not stop the connection syncing forever: skip the row, say so.
      warn(diff, `Skipped transaction ${t.providerTransactionId.slice(0, 64)}: its amount (${t.amount.slice(0, 24)}) is too large to store.`);
      continue;
    }
    incoming.set(`${accountId}|${t.providerTransactionId}`, toRow(t, ctx.userId, accountId, ctx.now));
  }
  const accountIds = [...new Set(ctx.accountIdByProvider.values())];
  const removedKeys = new Set<string>();
  for (const r of page.removed) {
    if (r.providerAccountId) {
      const a = ctx.accountIdByProvider.get(r.providerAccountId);
      if (a) removedKeys.add(`${a}|${r.providerTransactionId}`);
    } else for (const a of accountIds) removedKeys.add(`${a}|${r.providerTransactionId}`);
  }

  // An id both added and removed in one page is gone: providers never revive a removed id.
  for (const key of removedKeys) incoming.delete(key);

  const before = new Map(incoming);
  await replacePending(db, ctx, incoming, removedKeys, diff);
  // The replaced rows were written in place: transfer pairing looks at their dates too.
  const replacedDates = [...before].filter(([key]) => !incoming.has(key)).map(([, r]) => r.date);
  return { rows: [...incoming.values()], removedKeys, replacedDates };
}

/** Upsert rows (added + modified), shape the new ones by the user's rules, pair transfers among what was written. */
async function writeRows(db: Db, ctx: PageContext, rows: Row[], replacedDates: string[], diff: Diff, orphansDone = false): Promise<void> {
  const touchedDates = [...rows.map((r) => r.date), ...replacedDates].sort();
  const insertedIds: string[] = [];
  let modified = 0;
  for (let i = 0; i < rows.length; i += CHUNK_SIZE) {
    const result = rowsOf<{ id: string; provider_transaction_id: string; inserted: boolean }>(await db.execute(upsertSql(rows.slice(i, i + CHUNK_SIZE))));
    for (const r of result) {
      note(diff, r.inserted ? "added" : "modified", r.provider_transaction_id);
      if (r.inserted) insertedIds.push(r.id);
      else modified++;
    }
  }
  // The user's rules shape new rows as they arrive (same transaction as the insert).
  for (let i = 0; i < insertedIds.length; i += CHUNK_SIZE) await applyRulesToNew(db, ctx.userId, insertedIds.slice(i, i + CHUNK_SIZE), ctx.now);
  // Transfers between the user's own accounts among the rows this page wrote (same transaction).
  if (touchedDates.length) {
    // Orphaned pairs come from deleted rows (and a paired row the provider had removed coming
    // back): a later step of a page that only inserted has none the first step left behind.
    const skipOrphans = orphansDone && modified === 0;
    await detectTransfers(db, { userId: ctx.userId, touchedSince: ctx.now, from: touchedDates[0], to: touchedDates[touchedDates.length - 1], skipOrphans });
  }
}

/** Removals → tombstones (grouped per account; ids are unique per account). */
async function applyRemovals(db: Db, ctx: PageContext, removedKeys: Set<string>, diff: Diff): Promise<void> {
  const byAccount = new Map<string, string[]>();
  for (const key of removedKeys) {
    const [a, id] = key.split("|", 2) as [string, string];
    (byAccount.get(a) ?? byAccount.set(a, []).get(a)!).push(id);
  }
  for (const [accountId, ids] of byAccount) {
    for (let i = 0; i < ids.length; i += CHUNK_SIZE) {
      const gone = await db
        .update(transactions)
        .set({ deletedAt: ctx.now, deletedReason: "provider_removed", updatedAt: ctx.now })
        .where(
          and(
            eq(transactions.accountId, accountId),
            eq(transactions.userId, ctx.userId),
            inArray(transactions.providerTransactionId, ids.slice(i, i + CHUNK_SIZE)),
            isNull(transactions.deletedAt),
            ctx.dateRange?.from ? gte(transactions.date, ctx.dateRange.from) : undefined,
            ctx.dateRange?.to ? sql`${transactions.date} <= ${ctx.dateRange.to}` : undefined,
          ),
        )
        .returning({ providerTransactionId: transactions.providerTransactionId });
      for (const g of gone) note(diff, "removed", g.providerTransactionId);
    }
  }
}

/**
 * Pending → posted. A posted transaction replaces the stored pending one — matched by the
 * provider's link (pendingTransactionId), or else by same account + same amount + date
 * within PENDING_MATCH_DAYS among pendings the provider has dropped — by rewriting that
 * row in place, so its id, the user's edits and notes carry over and both never coexist.
 */
async function replacePending(db: Db, ctx: PageContext, incoming: Map<string, Row>, removedKeys: Set<string>, diff: Diff) {
  const posted = [...incoming.entries()].filter(([, r]) => !r.pending);
  if (!posted.length) return;
  const accountIds = [...new Set(posted.map(([, r]) => r.accountId))];
  const minDate = posted.reduce((m, [, r]) => (r.date < m ? r.date : m), posted[0]![1].date);
  const floor = addDays(minDate, -(PENDING_MATCH_DAYS + 30));
  const candidates = await db
    .select({
      id: transactions.id,
      accountId: transactions.accountId,
      providerTransactionId: transactions.providerTransactionId,
      amount: transactions.amount,
      date: transactions.date,
      deletedReason: transactions.deletedReason,
    })
    .from(transactions)
    .where(
      and(
        inArray(transactions.accountId, accountIds),
        eq(transactions.pending, true),
        or(isNull(transactions.deletedReason), eq(transactions.deletedReason, "provider_removed")),
        gte(transactions.date, floor),
      ),
    );
  if (!candidates.length) return;

  const byKey = new Map(candidates.map((c) => [`${c.accountId}|${c.providerTransactionId}`, c]));
  const used = new Set<string>();
  const matches: { key: string; row: Row; cand: (typeof candidates)[number] }[] = [];
  for (const [key, row] of posted) {
    let cand = row.pendingTransactionId ? byKey.get(`${row.accountId}|${row.pendingTransactionId}`) : undefined;
    if (!cand && !row.pendingTransactionId) {
      const amount = canonical(row.amount);
      cand = candidates.find(
        (c) =>
          !used.has(c.id) &&
          c.accountId === row.accountId &&
          canonical(c.amount) === amount &&
          daysBetween(c.date, row.date) <= PENDING_MATCH_DAYS &&
          (c.deletedReason === "provider_removed" || removedKeys.has(`${c.accountId}|${c.providerTransactionId}`)),
      );
    }
    if (!cand || used.has(cand.id)) continue;
    used.add(cand.id);
    matches.push({ key, row, cand });
  }
  if (!matches.length) return;

  // If the posted row already exists (e.g. a replayed page), drop the pending instead of rewriting it.
  const existing = await db
    .select({ accountId: transactions.accountId, providerTransactionId: transactions.providerTransactionId })
    .from(transactions)
    .where(
      and(
        inArray(transactions.accountId, accountIds),
        inArray(
          transactions.providerTransactionId,
          matches.map((m) => m.row.providerTransactionId),
        ),
      ),
    );
  const exists = new Set(existing.map((e) => `${e.accountId}|${e.providerTransactionId}`));

  for (const { key, row, cand } of matches) {
    const pendingKey = `${cand.accountId}|${cand.providerTransactionId}`;
    if (exists.has(key)) {
      if (!cand.deletedReason) {
        await db
          .update(transactions)
          .set({ deletedAt: ctx.now, deletedReason: "provider_removed", updatedAt: ctx.now })
          .where(eq(transactions.id, cand.id));
        note(diff, "removed", cand.providerTransactionId);
      }
      removedKeys.delete(pendingKey);
      continue;
    }
    await db
      .update(transactions)
      .set({
        providerTransactionId: row.providerTransactionId,
        pendingTransactionId: cand.providerTransactionId,
        pending: false,
        date: row.date,
        authorizedDate: row.authorizedDate,
        amount: row.amount,
        currency: row.currency,
        description: keepEditedUpdate("description", row.description),
        merchant: keepEditedUpdate("merchant", row.merchant ?? null),
        counterparty: row.counterparty,
        category: keepEditedUpdate("category", row.category ?? null),
        type: sql`case when 'type' = any(${transactions.userEditedFields}) or ${transactions.transferId} is not null then ${transactions.type} else ${row.type ?? null} end`,
        raw: row.raw,
        deletedAt: null,
        deletedReason: null,
        updatedAt: ctx.now,
      })
      .where(eq(transactions.id, cand.id));
    note(diff, "modified", row.providerTransactionId);
    incoming.delete(key);
    removedKeys.delete(pendingKey);
  }
}

const keepEditedUpdate = (field: "description" | "merchant" | "category", value: string | null) =>
  sql`case when ${field} = any(${transactions.userEditedFields}) then ${sql.identifier(field)} else ${value} end`;

/**
 * Daily balance history before (and between) provider snapshots, derived from the
 * transactions: balance at the end of day d = the latest provider balance minus every
 * posted amount after d. Provider snapshots are never overwritten; derived ones are
 * recomputed, so a removed or corrected transaction fixes the history too.
 */
export async function backfillSnapshots(db: Db, { userId, connectionId }: { userId: string; connectionId: string }): Promise<void> {
  // One statement per account, yielding between them: on embedded PGlite (one connection)
  // a single statement over ten years of every account stalls every other request.
  const accounts = await db
    .select({ id: financialAccounts.id })
    .from(financialAccounts)
    .where(and(eq(financialAccounts.connectionId, connectionId), eq(financialAccounts.userId, userId)));
  for (const a of accounts) {
    await backfillAccountSnapshots(db, { userId, connectionId, accountId: a.id });
    await yieldToIo();
  }
}

/** Days of derived history written per statement (a year): bounded work for every statement. */
export const BACKFILL_CHUNK_DAYS = 366;

/**
 * One account's derived history, newest year first, one statement per year. Each statement
 * gets the sum of every posted amount after its year (carried from the years already done,
 * exact numeric), so a year's balances are the same as one statement over all of them would give.
 */
async function backfillAccountSnapshots(db: Db, { userId, connectionId, accountId }: { userId: string; connectionId: string; accountId: string }): Promise<void> {
  const [bounds] = rowsOf<{ currency: string; anchor_date: string; anchor: string; first_date: string | null; on_anchor: string }>(
    await db.execute(sql`
      select a.currency, s.date::text as anchor_date, s.current::text as anchor,
        (select min(t.date)::text from transactions t where t.account_id = a.id and t.deleted_at is null and not t.pending) as first_date,
        (select coalesce(sum(t.amount), 0)::text from transactions t
          where t.account_id = a.id and t.deleted_at is null and not t.pending and t.date = s.date) as on_anchor
      from financial_accounts a
      join lateral (
        select b.date, b.current from balance_snapshots b
        where b.account_id = a.id and not b.derived and b.current is not null
        order by b.date desc limit 1
      ) s on true
      where a.connection_id = ${connectionId} and a.user_id = ${userId} and a.id = ${accountId}::uuid`),
  );
  if (!bounds?.first_date || bounds.first_date >= bounds.anchor_date) return;
  // The sum of posted amounts dated after the current chunk, up to and with the anchor's day.
  let after = bounds.on_anchor;
  for (let to = addDays(bounds.anchor_date, -1); to >= bounds.first_date; to = addDays(to, -BACKFILL_CHUNK_DAYS)) {
    const from = [addDays(to, -(BACKFILL_CHUNK_DAYS - 1)), bounds.first_date].reduce((a, b) => (a > b ? a : b));
    const [r] = rowsOf<{ after: string }>(
      await db.execute(sql`
        with daily as (
          select t.date, sum(t.amount) as s from transactions t
          where t.account_id = ${accountId}::uuid and not t.pending and t.deleted_at is null and t.date between ${from}::date and ${to}::date
          group by t.date
        ),
        series as (
          select gs::date as d,
            ${bounds.anchor}::numeric - ${after}::numeric - coalesce(sum(coalesce(daily.s, 0)) over (
              order by gs desc rows between unbounded preceding and 1 preceding), 0) as bal
          from generate_series(${from}::date, ${to}::date, interval '1 day') gs
          left join daily on daily.date = gs::date
        ),
        written as (
          insert into balance_snapshots (account_id, user_id, date, current, currency, derived)
          select ${accountId}::uuid, ${userId}::uuid, d, bal, ${bounds.currency}, true from series
          on conflict (account_id, date) do update set current = excluded.current
            where balance_snapshots.derived and balance_snapshots.current is distinct from excluded.current
        )
        select (${after}::numeric + coalesce((select sum(s) from daily), 0))::text as after`),
    );
    after = r!.after;
    await yieldToIo();
  }
}

/**
 * For a window page: the stored, live rows of that account dated inside the window
 * `[from, to]` that the provider no longer returns (never a row outside it). They are removals (and, for a pending row, the
 * pending→posted matcher gets its chance first).
 */
async function windowRemovals(db: Db, ctx: PageContext, page: TransactionPage) {
  const w = page.window!;
  const accountId = ctx.accountIdByProvider.get(w.providerAccountId);
  if (!accountId) return [];
  const present = new Set([...page.added, ...page.modified].map((t) => t.providerTransactionId));
  const stored = await db
    .select({ id: transactions.providerTransactionId })
    .from(transactions)
    .where(and(eq(transactions.accountId, accountId), eq(transactions.userId, ctx.userId), isNull(transactions.deletedAt), gte(transactions.date, w.from), lte(transactions.date, w.to)));
  return stored.filter((r) => !present.has(r.id)).map((r) => ({ providerTransactionId: r.id, providerAccountId: w.providerAccountId }));
}
