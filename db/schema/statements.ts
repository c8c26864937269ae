import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { connections } from "./connections";
import { financialAccounts, transactions } from "./banking";

/** One uploaded statement file that was imported (a run of the `file` source). */
export const statementImports = pgTable(
  "statement_imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").references(() => connections.id, { onDelete: "set null" }),
    fileName: text("file_name").notNull(),
    /** sha256 of the file's bytes: the same file imported again is recognised. */
    fileHash: text("file_hash").notNull(),
    format: text("format").notNull(),
    status: text("status", { enum: ["imported", "undone"] }).notNull().default("imported"),
    added: integer("added").notNull().default(0),
    alreadyImported: integer("already_imported").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    /** Per-account summary as previewed (account, target, range, sums, balances). */
    summary: jsonb("summary").$type<unknown>().notNull().default([]),
    /** Accounts and balance snapshots this import created (undo removes exactly these). */
    createdAccountIds: jsonb("created_account_ids").$type<string[]>().notNull().default([]),
    createdSnapshots: jsonb("created_snapshots").$type<{ accountId: string; date: string }[]>().notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    undoneAt: timestamp("undone_at", { withTimezone: true }),
  },
  (t) => [index("statement_imports_user_idx").on(t.userId, t.createdAt), index("statement_imports_hash_idx").on(t.userId, t.fileHash)],
);

/** The transactions an import added. */
export const statementImportRows = pgTable(
  "statement_import_rows",
  {
    importId: uuid("import_id")
      .notNull()
      .references(() => statementImports.id, { onDelete: "cascade" }),
    transactionId: uuid("transaction_id")
      .notNull()
      .references(() => transactions.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.importId, t.transactionId] }), index("statement_import_rows_txn_idx").on(t.transactionId)],
);

/**
 * A CSV column mapping chosen on the mapping screen, saved per account and reused for the
 * next CSV of that account with the same header (signature = its normalised column names).
 */
export const csvMappingProfiles = pgTable(
  "csv_mapping_profiles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accountId: uuid("account_id")
      .notNull()
      .references(() => financialAccounts.id, { onDelete: "cascade" }),
    headerSignature: text("header_signature").notNull(),
    /** Role → column name or index (CsvMapping). */
    mapping: jsonb("mapping").$type<Record<string, string | number | (string | number)[]>>().notNull(),
    dateOrder: text("date_order", { enum: ["dmy", "mdy", "ymd"] }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("csv_mapping_profiles_account_sig_uq").on(t.accountId, t.headerSignature), index("csv_mapping_profiles_user_sig_idx").on(t.userId, t.headerSignature)],
);
