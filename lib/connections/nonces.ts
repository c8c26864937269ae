import { randomBytes } from "node:crypto";
import { and, eq, gt, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { linkNonces } from "@/db/schema";

/**
 * One-time nonces issued before a provider widget opens (Teller Connect signs it into the
 * enrollment it hands back). A nonce belongs to one user and one provider, lives
 * LINK_NONCE_TTL_MS, and is consumed by deleting it: a second use, another user's nonce
 * or an expired one finds no row.
 */
export const LINK_NONCE_TTL_MS = 30 * 60_000;
/** Outstanding nonces kept per user (older ones are dropped when more are issued). */
const MAX_OUTSTANDING = 20;

export async function issueLinkNonce(db: Db, { userId, connectorId }: { userId: string; connectorId: string }, now = new Date()): Promise<string> {
  const nonce = randomBytes(24).toString("base64url");
  await db.insert(linkNonces).values({ nonce, userId, connectorId, createdAt: now });
  const mine = await db.select({ nonce: linkNonces.nonce, createdAt: linkNonces.createdAt }).from(linkNonces).where(eq(linkNonces.userId, userId));
  const stale = mine
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .filter((r, i) => i >= MAX_OUTSTANDING || now.getTime() - r.createdAt.getTime() > LINK_NONCE_TTL_MS);
  for (const r of stale) await db.delete(linkNonces).where(eq(linkNonces.nonce, r.nonce));
  return nonce;
}

/** True once for a nonce this user was issued for this provider within its lifetime. */
export async function consumeLinkNonce(db: Db, { userId, connectorId, nonce }: { userId: string; connectorId: string; nonce: string }, now = new Date()): Promise<boolean> {
  if (!nonce || nonce.length > 200) return false;
  const rows = await db
    .delete(linkNonces)
    .where(and(eq(linkNonces.nonce, nonce), eq(linkNonces.userId, userId), eq(linkNonces.connectorId, connectorId), gt(linkNonces.createdAt, new Date(now.getTime() - LINK_NONCE_TTL_MS))))
    .returning({ nonce: linkNonces.nonce });
  // An expired nonce of this user is removed too (it can never be used).
  if (!rows.length) await db.delete(linkNonces).where(and(eq(linkNonces.nonce, nonce), eq(linkNonces.userId, userId), lt(linkNonces.createdAt, new Date(now.getTime() - LINK_NONCE_TTL_MS))));
  return rows.length > 0;
}
