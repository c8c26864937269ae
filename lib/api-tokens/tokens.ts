import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, lt, ne, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { apiTokens, auditLog } from "@/db/schema";

/**
 * Personal API tokens for spreadsheets and other tools. The token is shown once; only
 * its SHA-256 is stored (a 256-bit random token needs no slow hash), so a database leak
 * does not leak usable tokens.
 */
const PREFIX = "ll_";

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export async function createApiToken(
  db: Db,
  { userId, name, scope = "read", expiresAt = null }: { userId: string; name: string; scope?: TokenScope; expiresAt?: Date | null },
) {
  const token = `${PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(apiTokens)
    .values({ userId, name, tokenHash: hashToken(token), prefix: token.slice(0, 10), scope, expiresAt })
    .returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, scope: apiTokens.scope, expiresAt: apiTokens.expiresAt, createdAt: apiTokens.createdAt });
  await db.insert(auditLog).values({ userId, action: "api_token.created", targetType: "api_token", targetId: row!.id, metadata: { scope, expiresAt: expiresAt?.toISOString() ?? null } });
  return { ...row!, token };
}

export async function listApiTokens(db: Db, { userId }: { userId: string }) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      scope: apiTokens.scope,
      expiresAt: apiTokens.expiresAt,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      lastUsedIp: apiTokens.lastUsedIp,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt));
}

export async function revokeApiToken(db: Db, { userId, id }: { userId: string; id: string }): Promise<boolean> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (rows.length) await db.insert(auditLog).values({ userId, action: "api_token.revoked", targetType: "api_token", targetId: id });
  return rows.length > 0;
}

/** Revoke every active token of this user (sign out everywhere, with the box ticked); each one is audited. */
export async function revokeAllApiTokens(db: Db, { userId, via }: { userId: string; via: string }): Promise<number> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (rows.length)
    await db.insert(auditLog).values(rows.map((r) => ({ userId, action: "api_token.revoked", targetType: "api_token", targetId: r.id, metadata: { via } })));
  return rows.length;
}

export type AuthenticatedToken = { tokenId: string; userId: string; scope: TokenScope };

/**
 * The user and scope a bearer token grants, or null (unknown, revoked or expired). Records
 * the last use — time and client address (lib/auth/request-meta: the TCP peer, or
 * X-Forwarded-For only behind TRUST_PROXY) — at most once a minute, or at once when the
 * address changes.
 */
export async function authenticateApiToken(db: Db, token: string, now = new Date(), meta: { ip?: string } = {}): Promise<AuthenticatedToken | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const [row] = await db
    .select({ id: apiTokens.id, userId: apiTokens.userId, scope: apiTokens.scope, expiresAt: apiTokens.expiresAt, lastUsedAt: apiTokens.lastUsedAt, lastUsedIp: apiTokens.lastUsedIp })
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)));
  if (!row || (row.expiresAt && row.expiresAt <= now)) return null;
  const ip = meta.ip ?? null;
  const moved = ip !== null && row.lastUsedIp !== ip;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000 || moved) {
    const touched = await db
      .update(apiTokens)
      .set({ lastUsedAt: now, lastUsedIp: ip })
      .where(
        and(
          eq(apiTokens.id, row.id),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - 60_000)), ...(ip !== null ? [isNull(apiTokens.lastUsedIp), ne(apiTokens.lastUsedIp, ip)] : [])),
        ),
      )
      .returning({ id: apiTokens.id });
    // Audited with the same once-a-minute granularity as the last-use time.
    if (touched.length) await db.insert(auditLog).values({ userId: row.userId, action: "api_token.used", targetType: "api_token", targetId: row.id, ip: meta.ip ?? null });
  }
  return { tokenId: row.id, userId: row.userId, scope: row.scope };
}
