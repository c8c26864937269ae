import { boolean, index, integer, numeric, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { financialAccounts } from "./banking";

/**
 * A user's transaction rule: when every given condition matches, do every given action.
 * Applied to new transactions at sync (in rule order, later rules win a field) and, on
 * request, to past ones. What a rule sets counts as the user's edit, so sync keeps it.
 */
export const transactionRules = pgTable(
  "transaction_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    position: integer("position").notNull().default(0),
    enabled: boolean("enabled").notNull().default(true),
    // Conditions (null = any).
    /** Case-insensitive substring of the merchant or the description. */
    matchText: text("match_text"),
    /** Size of the amount (absolute value) between min and max, inclusive. */
    amountMin: numeric("amount_min", { precision: 19, scale: 4 }),
    amountMax: numeric("amount_max", { precision: 19, scale: 4 }),
    direction: text("direction", { enum: ["any", "out", "in"] })
      .notNull()
      .default("any"),
    accountId: uuid("account_id").references(() => financialAccounts.id, { onDelete: "cascade" }),
    // Actions.
    setCategory: text("set_category"),
    renameTo: text("rename_to"),
    markTransfer: boolean("mark_transfer").notNull().default(false),
    hide: boolean("hide").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("transaction_rules_user_idx").on(t.userId, t.position)],
);

export type TransactionRule = typeof transactionRules.$inferSelect;
