import "server-only";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { auditLog } from "@/db/schema";
import { log } from "@/lib/log";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The uuid-shaped strings in a request's input (path params, query, body, form fields), at most 10. */
export function idsIn(...inputs: unknown[]): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number) => {
    if (out.size >= 10 || depth > 3) return;
    if (typeof v === "string") {
      if (UUID.test(v)) out.add(v.toLowerCase());
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v && typeof v === "object" && !(v instanceof Blob)) Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  inputs.forEach((i) => walk(i, 0));
  return [...out];
}

/**
 * A request was answered "not found". If an id it named belongs to ANOTHER user, that is a
 * failed authorization: record it in the requester's own audit trail (`authz.denied`, with
 * what kind of object it was — never whose). The answer itself stays the same 404 as for an id
 * that does not exist, so the trail tells the user, not the caller, that something probed.
 * Never throws (an audit failure must not change the answer).
 */
export async function auditForeignIds(db: Db, { userId, ids, ip }: { userId: string; ids: string[]; ip?: string | null }): Promise<number> {
  if (!ids.length) return 0;
  try {
    const list = sql`array[${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )}]::uuid[]`;
    const found = rowsOf<{ kind: string; id: string }>(
      await db.execute(sql`
        select 'connection' as kind, id::text from connections where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'account', id::text from financial_accounts where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'transaction', id::text from transactions where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'manual_account', id::text from manual_accounts where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'valuation', id::text from manual_valuations where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'rule', id::text from transaction_rules where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'webhook_subscription', id::text from webhook_subscriptions where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'api_token', id::text from api_tokens where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'statement_import', id::text from statement_imports where id = any(${list}) and user_id <> ${userId}::uuid
        union all select 'consent_session', id::text from consent_sessions where id = any(${list}) and user_id <> ${userId}::uuid
        limit 10`),
    );
    if (!found.length) return 0;
    await db.insert(auditLog).values(found.map((f) => ({ userId, action: "authz.denied", targetType: f.kind, targetId: f.id, ip: ip ?? null, metadata: {} })));
    log.warn("refused access to another user's object", { userId, kinds: found.map((f) => f.kind) });
    return found.length;
  } catch (e) {
    log.error("could not record a refused access", { error: e });
    return 0;
  }
}
