import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { connections } from "./connections";

export const SYNC_TRIGGERS = ["initial", "manual", "scheduled", "webhook"] as const;
export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];
/** partial: finished, but some accounts could not be read (see warnings); the others were committed. */
export const SYNC_RUN_STATUSES = ["running", "success", "partial", "error", "skipped"] as const;

/** Every sync attempt, dry runs included. */
export const syncRuns = pgTable(
  "sync_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id, { onDelete: "cascade" }),
    trigger: text("trigger", { enum: SYNC_TRIGGERS }).notNull(),
    dryRun: boolean("dry_run").notNull().default(false),
    status: text("status", { enum: SYNC_RUN_STATUSES }).notNull().default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    added: integer("added").notNull().default(0),
    modified: integer("modified").notNull().default(0),
    removed: integer("removed").notNull().default(0),
    accounts: integer("accounts").notNull().default(0),
    pages: integer("pages").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    options: jsonb("options").$type<Record<string, unknown>>().notNull().default({}),
    /** Rows skipped and other problems that did not stop the run, shown with it. */
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
  },
  (t) => [index("sync_runs_connection_idx").on(t.connectionId, t.startedAt)],
);
