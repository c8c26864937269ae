import { sql } from "drizzle-orm";
import type { Database } from "./client";

/**
 * Triggers drizzle-kit cannot express, applied (idempotently) after the migrations.
 *
 * They keep the wealth aggregates honest whatever writes the data — the sync's page
 * commit, a user's edit, a rule, a bulk edit, an undone import, the API — in the
 * writer's own transaction: they only MARK what is stale (a month of transactions, a
 * day from which net worth must be recomputed). lib/reports/aggregates.ts recomputes
 * the marked part with the very SQL a full scan uses, so results stay exactly equal.
 *
 * Statement-level triggers with transition tables: one cheap insert per statement (a
 * 1000-row sync chunk marks its one or two months once), never per row.
 */

/** Rows of a transition table that still belong to a live user (a cascaded user delete marks nothing). */
const live = (t: string) => `${t} x where exists (select 1 from users u where u.id = x.user_id)`;

const txMonths = (t: string) => `
  insert into aggregate_dirty (user_id, month)
  select distinct x.user_id, date_trunc('month', x.date)::date from ${live(t)}
  on conflict do nothing;`;

const nwFrom = (t: string, day: string) => `
  insert into aggregate_state (user_id, nw_dirty_from)
  select x.user_id, min(${day}) from ${live(t)} group by x.user_id
  on conflict (user_id) do update set nw_dirty_from = least(aggregate_state.nw_dirty_from, excluded.nw_dirty_from);`;

/** [function name, body, table, event, referencing]. */
const TRIGGERS: (readonly [string, string, string, "insert" | "update" | "delete", string])[] = [
  ["ll_tx_ins", txMonths("nt"), "transactions", "insert", "new table as nt"],
  ["ll_tx_upd", txMonths("nt") + txMonths("ot"), "transactions", "update", "old table as ot new table as nt"],
  ["ll_tx_del", txMonths("ot"), "transactions", "delete", "old table as ot"],
  ...(["balance_snapshots", "manual_valuations", "manual_transactions"] as const).flatMap((table, i) => [
    [`ll_nw${i}_ins`, nwFrom("nt", "x.date"), table, "insert", "new table as nt"] as const,
    [`ll_nw${i}_upd`, nwFrom("nt", "x.date") + nwFrom("ot", "x.date"), table, "update", "old table as ot new table as nt"] as const,
    [`ll_nw${i}_del`, nwFrom("ot", "x.date"), table, "delete", "old table as ot"] as const,
  ]),
  // An account's kind, currency, visibility or archive date changes its whole history.
  [
    "ll_nw_fa_upd",
    nwFrom(
      "(select n.* from nt n join ot o on o.id = n.id where (n.hidden, n.type, n.currency, n.user_id) is distinct from (o.hidden, o.type, o.currency, o.user_id))",
      "'0001-01-01'::date",
    ),
    "financial_accounts",
    "update",
    "old table as ot new table as nt",
  ],
  [
    "ll_nw_ma_upd",
    nwFrom(
      "(select n.* from nt n join ot o on o.id = n.id where (n.kind, n.currency, n.archived_at) is distinct from (o.kind, o.currency, o.archived_at))",
      "'0001-01-01'::date",
    ),
    "manual_accounts",
    "update",
    "old table as ot new table as nt",
  ],
];

/** One transaction: another process never writes while a trigger is being replaced. */
export async function applyTriggers(database: Database): Promise<void> {
  await database.db.transaction(async (tx) => {
    for (const [name, body, table, event, referencing] of TRIGGERS) {
      await tx.execute(
      sql.raw(`create or replace function ${name}() returns trigger language plpgsql as $fn$
begin ${body}
  return null;
end $fn$`),
    );
      await tx.execute(sql.raw(`drop trigger if exists ${name} on ${table}`));
      await tx.execute(sql.raw(`create trigger ${name} after ${event} on ${table} referencing ${referencing} for each statement execute function ${name}()`));
    }
  });
}
