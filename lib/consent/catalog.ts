import fs from "node:fs";
import path from "node:path";
import { and, eq, ilike, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { institutions, skills } from "@/db/schema";
import { escapeLike } from "@/lib/transactions/query";

/**
 * The bank catalogue (servicers and their skills) is data: db/seed/catalog.json, loaded
 * idempotently (`npm run db:seed` and on first use). Adding a bank is a JSON edit.
 */
type CatalogFile = {
  connector: string;
  servicers: { id: string; name: string; country: string; bic: string; maxHistoryDays: number; maxConsentDays: number; skills: { code: string; kind: "ais" | "pis"; name: string }[] }[];
};

export function readCatalog(file = path.join(process.cwd(), "db", "seed", "catalog.json")): CatalogFile {
  return JSON.parse(fs.readFileSync(file, "utf8")) as CatalogFile;
}

export async function seedCatalog(db: Db, catalog = readCatalog()): Promise<void> {
  for (const s of catalog.servicers) {
    const [inst] = await db
      .insert(institutions)
      .values({ connectorId: catalog.connector, providerInstitutionId: s.id, name: s.name, country: s.country, bic: s.bic, maxHistoryDays: s.maxHistoryDays, maxConsentDays: s.maxConsentDays })
      .onConflictDoUpdate({
        target: [institutions.connectorId, institutions.providerInstitutionId],
        set: { name: s.name, country: s.country, bic: s.bic, maxHistoryDays: s.maxHistoryDays, maxConsentDays: s.maxConsentDays },
      })
      .returning({ id: institutions.id });
    for (const k of s.skills)
      await db
        .insert(skills)
        .values({ institutionId: inst!.id, code: k.code, kind: k.kind, name: k.name })
        .onConflictDoUpdate({ target: skills.code, set: { institutionId: inst!.id, kind: k.kind, name: k.name } });
  }
}

/** Load the catalogue if the database has none yet (the seed is idempotent, so races are harmless). */
export async function ensureCatalog(db: Db): Promise<void> {
  const [any] = await db.select({ id: skills.id }).from(skills).limit(1);
  if (!any) await seedCatalog(db);
}

export type CatalogEntry = Awaited<ReturnType<typeof searchCatalog>>[number];

/** Banks offering account information (of one consent connector, if named), searchable by name and country. */
export async function searchCatalog(db: Db, { q, country, connectorId }: { q?: string; country?: string; connectorId?: string }) {
  await ensureCatalog(db);
  return db
    .select({
      institutionId: institutions.id,
      name: institutions.name,
      country: institutions.country,
      bic: institutions.bic,
      maxConsentDays: institutions.maxConsentDays,
      maxHistoryDays: institutions.maxHistoryDays,
      skillCode: skills.code,
    })
    .from(skills)
    .innerJoin(institutions, eq(institutions.id, skills.institutionId))
    .where(
      and(
        eq(skills.kind, "ais"),
        connectorId ? eq(institutions.connectorId, connectorId) : undefined,
        q ? or(ilike(institutions.name, `%${escapeLike(q)}%`), ilike(institutions.bic, `%${escapeLike(q)}%`)) : undefined,
        country ? eq(institutions.country, country.toUpperCase()) : undefined,
      ),
    )
    .orderBy(institutions.country, sql`lower(${institutions.name})`);
}

export async function skillByCode(db: Db, code: string) {
  await ensureCatalog(db);
  const [row] = await db
    .select({
      skillId: skills.id,
      code: skills.code,
      institutionId: institutions.id,
      servicerId: institutions.providerInstitutionId,
      name: institutions.name,
      maxConsentDays: institutions.maxConsentDays,
      /** The consent connector this bank is reached through. */
      connectorId: institutions.connectorId,
    })
    .from(skills)
    .innerJoin(institutions, eq(institutions.id, skills.institutionId))
    .where(eq(skills.code, code));
  return row ?? null;
}
