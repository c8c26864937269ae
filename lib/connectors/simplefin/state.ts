import { toIsoDate } from "@/lib/dates";
import { createHash } from "node:crypto";
import { and, eq, ne, sql } from "drizzle-orm";
import { openSecret } from "@/lib/crypto";
import type { Db } from "@/db/client";
import { connections, financialAccounts, simplefinStatus, simplefinUsage, type SimplefinHolding, type SimplefinWarning } from "@/db/schema";

/**
 * What the SimpleFIN connector keeps in the database, keyed by a SHA-256 of the Access URL
 * (the URL itself is only ever stored encrypted, in connections.credentials):
 * requests spent per UTC day (reserved atomically BEFORE a request is sent, so the 25th
 * request of a day is never sent, even with several processes), and the bridge's latest
 * messages, per-account warnings and holdings for the Connections page.
 */

export const tokenKey = (accessUrl: string) => createHash("sha256").update(`simplefin:${accessUrl}`).digest("hex");
export const utcDay = (ms: number) => toIsoDate(ms);

export type BridgeStatus = { messages: string[]; accountWarnings: SimplefinWarning[]; holdings: SimplefinHolding[] };

export interface SimplefinStore {
  /** Take one request from today's budget; false (nothing taken) when it is spent. */
  reserve(key: string, now: number, limit: number): Promise<boolean>;
  used(key: string, now: number): Promise<number>;
  report(key: string, status: BridgeStatus): Promise<void>;
  forget(key: string): Promise<void>;
  isForgotten(key: string): Promise<boolean>;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? (r as T[]) : ((r as { rows: T[] }).rows ?? []));

export function dbStore(getDb: () => Promise<Db>): SimplefinStore {
  return {
    async reserve(key, now, limit) {
      const db = await getDb();
      const r = await db.execute(sql`
        insert into simplefin_usage (token_key, day, requests) values (${key}, ${utcDay(now)}, 1)
        on conflict (token_key, day) do update set requests = simplefin_usage.requests + 1
          where simplefin_usage.requests < ${limit}
        returning requests`);
      return rowsOf(r).length > 0;
    },
    async used(key, now) {
      const db = await getDb();
      const [row] = await db.select({ n: simplefinUsage.requests }).from(simplefinUsage).where(and(eq(simplefinUsage.tokenKey, key), eq(simplefinUsage.day, utcDay(now))));
      return row?.n ?? 0;
    },
    async report(key, status) {
      const db = await getDb();
      await db
        .insert(simplefinStatus)
        .values({ tokenKey: key, ...status, updatedAt: new Date() })
        .onConflictDoUpdate({ target: simplefinStatus.tokenKey, set: { ...status, updatedAt: new Date() } });
    },
    async forget(key) {
      const db = await getDb();
      await db.insert(simplefinStatus).values({ tokenKey: key, forgotten: true }).onConflictDoUpdate({ target: simplefinStatus.tokenKey, set: { forgotten: true, messages: [], accountWarnings: [], holdings: [] } });
    },
    async isForgotten(key) {
      const db = await getDb();
      const [row] = await db.select({ f: simplefinStatus.forgotten }).from(simplefinStatus).where(eq(simplefinStatus.tokenKey, key));
      return Boolean(row?.f);
    },
  };
}

export type SimplefinConnectionInfo = BridgeStatus & { requestsToday: number; updatedAt: Date; accountNames: Map<string, string> };

/**
 * For the Connections page: what the bridge last said about each of the user's own SimpleFIN
 * connections, by connection id. The key is recomputed from the decrypted Access URL on the
 * server (so a reconnect with a new token is followed); nothing secret is returned.
 */
export async function simplefinInfo(db: Db, userId: string, now = Date.now()): Promise<Map<string, SimplefinConnectionInfo>> {
  const conns = await db
    .select({ id: connections.id, credentials: connections.credentials })
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.connectorId, "simplefin"), ne(connections.status, "disconnected")));
  const out = new Map<string, SimplefinConnectionInfo>();
  for (const c of conns) {
    let key: string;
    try {
      key = tokenKey(openSecret<{ accessUrl: string }>(c.credentials, c.id).accessUrl);
    } catch {
      continue;
    }
    const [status] = await db.select().from(simplefinStatus).where(eq(simplefinStatus.tokenKey, key));
    if (!status) continue;
    const [usage] = await db.select({ n: simplefinUsage.requests }).from(simplefinUsage).where(and(eq(simplefinUsage.tokenKey, key), eq(simplefinUsage.day, utcDay(now))));
    const names = await db.select({ p: financialAccounts.providerAccountId, name: financialAccounts.name }).from(financialAccounts).where(eq(financialAccounts.connectionId, c.id));
    out.set(c.id, { messages: status.messages, accountWarnings: status.accountWarnings, holdings: status.holdings, requestsToday: usage?.n ?? 0, updatedAt: status.updatedAt, accountNames: new Map(names.map((n) => [n.p, n.name])) });
  }
  return out;
}
