import { sql } from "drizzle-orm";
import { char, date, index, integer, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";

/** Money: numeric(19,4) in the database, decimal strings in TypeScript. Never floats. */
const money = (name: string) => numeric(name, { precision: 19, scale: 4 });
/** An ECB reference rate: units of the currency per 1 EUR (up to 6 decimals, e.g. 18606.59 IDR). */
const rate = (name: string) => numeric(name, { precision: 20, scale: 6 });

/**
 * ECB euro reference rates as published, one row per business day and quoted currency
 * (EUR itself is stored as 1 on every published day so every lookup has one shape).
 * Source: ECB statistics (seeded from db/seed/fx/ecb_eurofxref-hist.csv).
 */
export const fxRates = pgTable(
  "fx_rates",
  {
    currency: char("currency", { length: 3 }).notNull(),
    date: date("date", { mode: "string" }).notNull(),
    perEur: rate("per_eur").notNull(),
    source: text("source").notNull().default("ECB"),
  },
  (t) => [primaryKey({ columns: [t.currency, t.date] })],
);

/**
 * The same rates on every calendar day: a weekend or holiday carries the previous
 * business day's rate, and `rateDate` says which published day it is. Derived from
 * fx_rates (rebuilt whenever rates are loaded), so conversion is a plain join on the
 * amount's own date. Days after the last published day are served by clamping to it.
 */
export const fxDaily = pgTable(
  "fx_daily",
  {
    currency: char("currency", { length: 3 }).notNull(),
    day: date("day", { mode: "string" }).notNull(),
    perEur: rate("per_eur").notNull(),
    rateDate: date("rate_date", { mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.currency, t.day] })],
);

export const MANUAL_ASSET_KINDS = ["cash", "property", "vehicle", "investment", "crypto", "other_asset"] as const;
export const MANUAL_LIABILITY_KINDS = ["loan", "mortgage", "other_liability"] as const;
export const MANUAL_KINDS = [...MANUAL_ASSET_KINDS, ...MANUAL_LIABILITY_KINDS] as const;
export type ManualKind = (typeof MANUAL_KINDS)[number];

/** Accounts and assets with no bank connection: a house, a car, cash, crypto, a family loan. */
export const manualAccounts = pgTable(
  "manual_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** One of MANUAL_KINDS; liabilities (loan, mortgage, other_liability) count negatively. */
    kind: text("kind").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    /** Where it is held (a broker, a wallet, "under the mattress"); shown as its institution. */
    institution: text("institution"),
    note: text("note"),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("manual_accounts_user_idx").on(t.userId)],
);

/**
 * A manual account's value on a date (one per day; recording again replaces it). Values
 * are positive amounts owned or owed; liabilities are negated when summed. For holdings,
 * `quantity × unitPrice` gave the value (both kept so the history shows them).
 */
export const manualValuations = pgTable(
  "manual_valuations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => manualAccounts.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    value: money("value").notNull(),
    quantity: numeric("quantity", { precision: 28, scale: 10 }),
    unitPrice: numeric("unit_price", { precision: 28, scale: 10 }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("manual_valuations_account_date_uq").on(t.accountId, t.date), index("manual_valuations_user_idx").on(t.userId)],
);

/** Money in/out of a manual cash account after its last valuation (signed: negative = out). */
export const manualTransactions = pgTable(
  "manual_transactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => manualAccounts.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    amount: money("amount").notNull(),
    description: text("description").notNull().default(sql`''`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("manual_transactions_account_date_idx").on(t.accountId, t.date), index("manual_transactions_user_idx").on(t.userId)],
);

// ------------------------------------------------------------------ maintained aggregates (lib/reports/aggregates.ts)

/**
 * The converted Overview's figures per user and calendar month, in the user's base
 * currency: each row is a sum of amounts ALREADY converted one by one (lib/fx rounding
 * rule per amount), so adding months together gives exactly what a scan of every row
 * gives. dim: months (non-transfer rows), in, out, category, merchant, fee, unconverted.
 * Recomputed per dirty month (see aggregateDirty), never edited by hand.
 */
export const overviewMonthly = pgTable(
  "overview_monthly",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    month: date("month", { mode: "string" }).notNull(),
    dim: text("dim").notNull(),
    key: text("key").notNull(),
    amount: money("amount").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.dim, t.month, t.key] })],
);

/** Net worth per user and day in the base currency (the same figure lib/wealth/net-worth.ts computes). */
export const netWorthDays = pgTable(
  "net_worth_days",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    total: money("total").notNull(),
    unconverted: integer("unconverted").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

/** Months whose overview_monthly rows are out of date (written by triggers on transactions, and by rate loads). */
export const aggregateDirty = pgTable(
  "aggregate_dirty",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    month: date("month", { mode: "string" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.month] })],
);

/** Per user: the base currency the aggregates are in, how far net_worth_days reaches, and from which day it is stale. */
export const aggregateState = pgTable("aggregate_state", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  base: char("base", { length: 3 }),
  nwThrough: date("nw_through", { mode: "string" }),
  nwDirtyFrom: date("nw_dirty_from", { mode: "string" }),
});
