import { toIsoDate } from "@/lib/dates";
import type { AccountType, NormalizedAccount, NormalizedBalance, NormalizedTransaction } from "../contract";
import { canonical, isDecimal } from "@/lib/money/decimal";
import type { SimplefinHolding, SimplefinWarning } from "@/db/schema/simplefin";

/**
 * SimpleFIN Account Set → normalised rows. Both protocol shapes are accepted:
 * v1 (`errors: string[]`, `org` on each account) and v2 (`errlist: [{code, msg, conn_id?,
 * account_id?}]`, `connections`, `conn_id` on each account).
 *
 * - Money: decimal strings, positive = deposit; liabilities are already negative, so
 *   nothing is negated (unlike Teller).
 * - Dates: SimpleFIN sends epoch seconds and no time zone. We take the calendar date in
 *   UTC: banks that stamp postings at local midnight anywhere in the US (00:00 ET…PT =
 *   05:00…08:00 UTC) keep their own day, and the result never depends on the server's
 *   zone. A pending row (posted = 0) is dated by `transacted_at`.
 * - Transaction ids are unique per account only: every row carries its account's id.
 * - Holdings are kept; an investment account's balance is its value.
 */

export const MESSAGE_MAX = 200;
export const MESSAGES_MAX = 10;

/** Text only: no markup, no control characters, one line, length-capped. */
export function sanitizeMessage(raw: unknown): string | null {
  if (typeof raw !== "string") return null;
  const s = raw
    .replace(/<[^>]*>/g, " ")
    .replace(/&(lt|gt|amp|quot|#39|nbsp);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&", quot: '"', "#39": "'", nbsp: " " })[e] ?? " ")
    .replace(/[<>]/g, "")
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!s) return null;
  return s.length > MESSAGE_MAX ? `${s.slice(0, MESSAGE_MAX - 1)}…` : s;
}

export const epochDay = (secs: number) => toIsoDate(secs * 1000);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : null);
const dec = (v: unknown): string | null => (typeof v === "string" && isDecimal(v.trim()) ? canonical(v.trim()) : typeof v === "number" && Number.isInteger(v) ? String(v) : null);

export type Institution = { id: string; name: string; url: string | null };

export type ParsedAccountSet = {
  accounts: NormalizedAccount[];
  balances: NormalizedBalance[];
  transactions: NormalizedTransaction[];
  /** Connection-level messages for the user (sanitised). */
  messages: string[];
  /** Per-account problems: the account's other data is still used. */
  warnings: SimplefinWarning[];
  holdings: SimplefinHolding[];
  institutionOf: Map<string, Institution>;
  /** Accounts whose transaction list the bridge did not send (failed or balances only). */
  withoutTransactions: Set<string>;
  version: 1 | 2;
};

/** SimpleFIN has no account type: infer it from holdings and the name. */
export function inferType(name: string, hasHoldings: boolean): { type: AccountType; subtype: string | null } {
  if (hasHoldings || /brokerage|invest|ira\b|401k|roth|stock|securities/i.test(name)) return { type: "investment", subtype: "brokerage" };
  if (/mortgage|loan|heloc|lending/i.test(name)) return { type: "loan", subtype: /mortgage/i.test(name) ? "mortgage" : "loan" };
  if (/credit|card|visa|mastercard|amex|american express|discover/i.test(name)) return { type: "credit", subtype: "credit card" };
  if (/saving|pot\b|money market/i.test(name)) return { type: "depository", subtype: "savings" };
  return { type: "depository", subtype: "checking" };
}

const currencyOf = (v: unknown) => {
  const c = str(v);
  return c && /^[A-Za-z]{3}$/.test(c) ? c.toUpperCase() : "XXX"; // custom-currency URLs have no ISO code
};

export function parseAccountSet(body: unknown): ParsedAccountSet {
  const root = obj(body) ?? {};
  const version: 1 | 2 = Array.isArray(root.errlist) || Array.isArray(root.connections) ? 2 : 1;
  const messages: string[] = [];
  const warnings: SimplefinWarning[] = [];
  const failed = new Set<string>();
  for (const e of Array.isArray(root.errors) ? root.errors : []) {
    const m = sanitizeMessage(e);
    if (m) messages.push(m);
  }
  for (const raw of Array.isArray(root.errlist) ? root.errlist : []) {
    const e = obj(raw);
    if (!e) continue;
    const m = sanitizeMessage(e.msg) ?? sanitizeMessage(e.code);
    if (!m) continue;
    const code = str(e.code);
    const accountId = str(e.account_id);
    if (accountId) {
      warnings.push({ providerAccountId: accountId, code, message: m });
      if (code?.startsWith("act.")) failed.add(accountId);
    } else messages.push(m);
  }

  const connections = new Map<string, Institution>();
  for (const raw of Array.isArray(root.connections) ? root.connections : []) {
    const c = obj(raw);
    const id = c && (str(c.org_id) ?? str(c.conn_id));
    if (c && str(c.conn_id) && id) connections.set(str(c.conn_id)!, { id, name: sanitizeMessage(c.name) ?? sanitizeMessage(c.org_name) ?? "SimpleFIN connection", url: str(c.org_url) });
  }

  const out: ParsedAccountSet = { accounts: [], balances: [], transactions: [], messages: [...new Set(messages)].slice(0, MESSAGES_MAX), warnings, holdings: [], institutionOf: new Map(), withoutTransactions: new Set(), version };
  for (const raw of Array.isArray(root.accounts) ? root.accounts : []) {
    const a = obj(raw);
    const id = a && str(a.id);
    if (!a || !id) continue;
    const name = sanitizeMessage(a.name) ?? "Account";
    const currency = currencyOf(a.currency);
    const holdingsRaw = Array.isArray(a.holdings) ? a.holdings.map(obj).filter((h): h is Obj => h !== null) : [];
    const { type, subtype } = inferType(name, holdingsRaw.length > 0);
    const org = obj(a.org);
    const inst: Institution | undefined = org
      ? { id: str(org.id) ?? str(org.domain) ?? str(org.name) ?? "simplefin", name: sanitizeMessage(org.name) ?? str(org.domain) ?? "SimpleFIN connection", url: str(org.url) }
      : str(a.conn_id)
        ? (connections.get(str(a.conn_id)!) ?? { id: str(a.conn_id)!, name: sanitizeMessage(a.conn_name) ?? "SimpleFIN connection", url: null })
        : undefined;
    if (inst) out.institutionOf.set(id, inst);
    out.accounts.push({ providerAccountId: id, name, officialName: inst?.name ?? null, type, subtype, currency });

    const balanceDate = num(a["balance-date"]);
    const balance = dec(a.balance);
    if (balance === null) warnings.push({ providerAccountId: id, code: null, message: "The bridge sent no readable balance for this account." });
    out.balances.push({ providerAccountId: id, current: balance, available: dec(a["available-balance"]), currency, asOf: epochDay(balanceDate ?? 0) });

    for (const h of holdingsRaw) {
      out.holdings.push({
        providerAccountId: id,
        symbol: str(h.symbol),
        description: sanitizeMessage(h.description) ?? str(h.symbol) ?? "Holding",
        shares: dec(h.shares),
        marketValue: dec(h.market_value),
        costBasis: dec(h.cost_basis),
        currency: str(h.currency) ? currencyOf(h.currency) : currency,
      });
    }

    if (!Array.isArray(a.transactions)) {
      out.withoutTransactions.add(id);
      continue;
    }
    if (failed.has(id)) out.withoutTransactions.add(id);
    let skipped = 0;
    for (const rawTx of a.transactions) {
      const t = obj(rawTx);
      const txId = t && str(t.id);
      const amount = t && dec(t.amount);
      const posted = t ? num(t.posted) : null;
      const transactedAt = t ? num(t.transacted_at) : null;
      const when = posted || transactedAt;
      if (!t || !txId || amount === null || !when) {
        skipped++;
        continue;
      }
      const payee = sanitizeMessage(t.payee);
      out.transactions.push({
        providerTransactionId: txId,
        providerAccountId: id,
        pending: t.pending === true || posted === 0,
        date: epochDay(when),
        authorizedDate: transactedAt ? epochDay(transactedAt) : null,
        amount,
        currency,
        description: sanitizeMessage(t.description) ?? payee ?? sanitizeMessage(t.memo) ?? "Transaction",
        merchant: payee,
        counterparty: null,
        category: null,
        type: null,
        raw: t,
      });
    }
    if (skipped) warnings.push({ providerAccountId: id, code: null, message: `${skipped} transaction${skipped === 1 ? "" : "s"} from the bridge could not be read and were skipped.` });
  }
  out.warnings = warnings.slice(0, 50);
  return out;
}
