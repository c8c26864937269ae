import { integer, jsonb, pgTable, text, timestamp, uuid, char, uniqueIndex, index } from "drizzle-orm/pg-core";

/** Banks / servicers, per connector. New ones are data (seeded), not code. */
export const institutions = pgTable(
  "institutions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    connectorId: text("connector_id").notNull(),
    providerInstitutionId: text("provider_institution_id").notNull(),
    name: text("name").notNull(),
    country: char("country", { length: 2 }),
    bic: text("bic"),
    logoUrl: text("logo_url"),
    url: text("url"),
    /** How far back the bank lets us read, in days (null = unknown / unlimited). */
    maxHistoryDays: integer("max_history_days"),
    /** Longest consent the bank grants, in days (PSD2 banks: usually 90 or 180). */
    maxConsentDays: integer("max_consent_days"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("institutions_connector_provider_uq").on(t.connectorId, t.providerInstitutionId),
    index("institutions_name_idx").on(t.name),
  ],
);

/** What can be done with a servicer (account information now, payments later). */
export const skills = pgTable(
  "skills",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    institutionId: uuid("institution_id")
      .notNull()
      .references(() => institutions.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    kind: text("kind", { enum: ["ais", "pis"] }).notNull(),
    name: text("name").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("skills_code_uq").on(t.code)],
);
