import { sql } from "drizzle-orm";
import {
  boolean,
  char,
  date,
  index,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./auth";
import { connections } from "./connections";

/** Money: numeric(19,4) in the database, decimal strings in TypeScript. Never floats. */
const money = (name: string) => numeric(name, { precision: 19, scale: 4 });

export const financialAccounts = pgTable(
  "financial_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    providerAccountId: text("provider_account_id").notNull(),
    name: text("name").notNull(),
    /** The user renamed the account: syncs keep `name` instead of taking the provider's. */
    nameEdited: boolean("name_edited").notNull().default(false),
    officialName: text("official_name"),
    /** depository | credit | loan | investment | other */
    type: text("type").notNull(),
    subtype: text("subtype"),
    currency: char("currency", { length: 3 }).notNull(),
    mask: text("mask"),
    iban: text("iban"),
    currentBalance: money("current_balance"),
    availableBalance: money("available_balance"),
    creditLimit: money("credit_limit"),
    balanceUpdatedAt: timestamp("balance_updated_at", { withTimezone: true }),
    hidden: boolean("hidden").notNull().default(false),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** Envelope-encrypted owner identity (names, emails, phones, addresses). */
    identity: text("identity"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("financial_accounts_provider_uq").on(t.connectionId, t.providerAccountId),
    index("financial_accounts_user_idx").on(t.userId),
    index("financial_accounts_iban_idx").on(t.userId, t.iban),
  ],
);

/** One balance per account per calendar day (the provider's day, stored as a plain date). */
export const balanceSnapshots = pgTable(
  "balance_snapshots",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => financialAccounts.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    date: date("date", { mode: "string" }).notNull(),
    current: money("current"),
    available: money("available"),
    currency: char("currency", { length: 3 }).notNull(),
    /** True when computed back from transactions (history before we linked); provider balances win. */
    derived: boolean("derived").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.date] }), index("balance_snapshots_user_date_idx").on(t.userId, t.date)],
);

/** Fields a user can edit; sync never overwrites a field listed in `userEditedFields`. */
/** `transfer`: the user confirmed or undid this row's transfer pairing; detection leaves it alone. */
export const USER_EDITABLE_FIELDS = ["description", "merchant", "category", "type", "note", "transfer"] as const;
export type UserEditableField = (typeof USER_EDITABLE_FIELDS)[number];

export const transactions = pgTable(
  "transactions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => financialAccounts.id, { onDelete: "cascade" }),
    providerTransactionId: text("provider_transaction_id").notNull(),
    pending: boolean("pending").notNull().default(false),
    /** Provider id of the pending transaction this posted one replaced. */
    pendingTransactionId: text("pending_transaction_id"),
    /** Posted date (or occurrence date while pending): a calendar date, no time zone. */
    date: date("date", { mode: "string" }).notNull(),
    authorizedDate: date("authorized_date", { mode: "string" }),
    /** Signed: negative = money out of the account. */
    amount: money("amount").notNull(),
    currency: char("currency", { length: 3 }).notNull(),
    description: text("description").notNull(),
    merchant: text("merchant"),
    counterparty: text("counterparty"),
    category: text("category"),
    /** card | transfer | fee | interest | deposit | withdrawal | payment | other */
    type: text("type"),
    note: text("note"),
    /** The counterpart of a transfer between the user's own accounts (lib/transactions/transfers.ts). */
    transferId: uuid("transfer_id"),
    /** The type this row had before it was paired as a transfer (put back on undo). */
    preTransferType: text("pre_transfer_type"),
    raw: jsonb("raw").$type<unknown>(),
    userEditedFields: text("user_edited_fields").array().notNull().default(sql`'{}'::text[]`),
    /** The user excluded this row from totals and reports (it stays visible in the list). */
    excluded: boolean("excluded").notNull().default(false),
    /** Tombstone: set when the provider removed the row or the user deleted it. */
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
    deletedReason: text("deleted_reason", { enum: ["provider_removed", "user_deleted"] }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("transactions_provider_uq").on(t.accountId, t.providerTransactionId),
    // Keyset pagination by (user, date, id), scanned in either direction. (Plain ascending
    // columns on purpose: drizzle's .desc() emits NULLS LAST, which ORDER BY … DESC cannot use.)
    index("transactions_user_date_id_idx").on(t.userId, t.date, t.id),
    index("transactions_user_abs_amount_id_idx").on(t.userId, sql`abs(${t.amount})`, t.id),
    index("transactions_user_merchant_id_idx").on(t.userId, sql`lower(coalesce(${t.merchant}, ${t.description}))`, t.id),
    index("transactions_account_date_idx").on(t.accountId, t.date),
    index("transactions_transfer_idx").on(t.transferId).where(sql`${t.transferId} is not null`),
    // A user's paired rows (transfer detection's orphan check on every sync page): without it, a scan of all the user's rows.
    index("transactions_user_transfer_idx").on(t.userId).where(sql`${t.transferId} is not null`),
    index("transactions_pending_idx").on(t.accountId).where(sql`${t.pending} and ${t.deletedAt} is null`),
  ],
);

export type Transaction = typeof transactions.$inferSelect;
export type FinancialAccount = typeof financialAccounts.$inferSelect;
