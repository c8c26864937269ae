import { boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * SimpleFIN bookkeeping, keyed by a SHA-256 of the Access URL (never the URL itself):
 * the requests spent per UTC day (the bridge allows about 24 a day per access token and
 * disables tokens that keep going), and what the bridge last said about the login.
 */
export const simplefinUsage = pgTable(
  "simplefin_usage",
  {
    tokenKey: text("token_key").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    requests: integer("requests").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tokenKey, t.day] })],
);

export type SimplefinWarning = { providerAccountId: string | null; code: string | null; message: string };
export type SimplefinHolding = { providerAccountId: string; symbol: string | null; description: string; shares: string | null; marketValue: string | null; costBasis: string | null; currency: string };

export const simplefinStatus = pgTable("simplefin_status", {
  tokenKey: text("token_key").primaryKey(),
  /** Sanitised messages from the bridge's `errors` / `errlist` (connection-level). */
  messages: jsonb("messages").$type<string[]>().notNull().default([]),
  /** Per-account problems (v2 errlist entries with an account id). */
  accountWarnings: jsonb("account_warnings").$type<SimplefinWarning[]>().notNull().default([]),
  holdings: jsonb("holdings").$type<SimplefinHolding[]>().notNull().default([]),
  /** Set on disconnect: the Access URL is never used again. */
  forgotten: boolean("forgotten").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
