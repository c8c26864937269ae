import { index, integer, jsonb, pgTable, text, timestamp, uuid, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { institutions, skills } from "./catalog";

export const CONNECTION_STATUSES = ["active", "syncing", "reauth_required", "error", "disconnected"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** One per user per linked login (a Plaid item, a Teller enrollment, a PSD2 consent…). */
export const connections = pgTable(
  "connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    connectorId: text("connector_id").notNull(),
    institutionId: uuid("institution_id").references(() => institutions.id, { onDelete: "set null" }),
    skillId: uuid("skill_id").references(() => skills.id, { onDelete: "set null" }),
    displayName: text("display_name").notNull(),
    status: text("status", { enum: CONNECTION_STATUSES }).notNull().default("active"),
    /** Provider's id for the login (Plaid item_id, Teller enrollment id, …). Not secret. */
    providerItemId: text("provider_item_id"),
    /** Envelope-encrypted JSON of the provider secrets (lib/crypto). Never leaves the server. */
    credentials: text("credentials").notNull(),
    /** Opaque incremental-sync position, committed in the same tx as the page it follows. */
    syncCursor: text("sync_cursor"),
    /** Connector-specific non-secret state (e.g. last synced window end). */
    syncState: jsonb("sync_state").$type<Record<string, unknown>>().notNull().default({}),
    consentExpiresAt: timestamp("consent_expires_at", { withTimezone: true }),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    lastErrorCode: text("last_error_code"),
    lastErrorMessage: text("last_error_message"),
    nextSyncAt: timestamp("next_sync_at", { withTimezone: true }),
    /** Earliest time the provider lets us call again (rate limits, Retry-After). */
    retryAt: timestamp("retry_at", { withTimezone: true }),
    /** Sync lease: a run holds the connection until this time (renewed per page). */
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lockOwner: text("lock_owner"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    disconnectedAt: timestamp("disconnected_at", { withTimezone: true }),
  },
  (t) => [
    index("connections_user_idx").on(t.userId),
    index("connections_next_sync_idx").on(t.nextSyncAt),
    uniqueIndex("connections_provider_item_uq").on(t.connectorId, t.providerItemId),
  ],
);

/** Guided consent sessions (PSD2 / Finqware-style), persisted as a state machine. */
export const consentSessions = pgTable(
  "consent_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    connectorId: text("connector_id").notNull(),
    institutionId: uuid("institution_id").references(() => institutions.id, { onDelete: "set null" }),
    skillId: uuid("skill_id").references(() => skills.id, { onDelete: "set null" }),
    /** Set when the session renews the consent of an existing connection. */
    connectionId: uuid("connection_id").references(() => connections.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["created", "in_progress", "awaiting_sca", "completed", "rejected", "expired"] })
      .notNull()
      .default("created"),
    currentStep: text("current_step").notNull(),
    /** sha256 of the one-time nonce the next step must present. */
    nonceHash: text("nonce_hash"),
    providerSessionId: text("provider_session_id"),
    consentDays: integer("consent_days"),
    scope: jsonb("scope").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [index("consent_sessions_user_idx").on(t.userId)],
);

export const consentSessionSteps = pgTable(
  "consent_session_steps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => consentSessions.id, { onDelete: "cascade" }),
    step: text("step").notNull(),
    status: text("status", { enum: ["accepted", "refused"] }).notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("consent_session_steps_session_idx").on(t.sessionId)],
);

/**
 * One-time nonces the server issues before a provider widget opens (Teller Connect signs
 * the nonce into its onSuccess payload): bound to the user, consumed (deleted) on use,
 * valid for a short time.
 */
export const linkNonces = pgTable(
  "link_nonces",
  {
    nonce: text("nonce").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    connectorId: text("connector_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("link_nonces_user_idx").on(t.userId)],
);
