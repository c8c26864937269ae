import { toIsoDate } from "@/lib/dates";
import { canonicalCategory } from "@/lib/categories/taxonomy";
import { z } from "zod";
import type { ConsentSessionConnector, FetchTransactionsInput, NormalizedAccount, NormalizedBalance, NormalizedTransaction, TransactionPage } from "../contract";
import { AccountReadFailed, ConnectorError, isAccountScoped, probeAuth } from "../errors";
import { canonical } from "@/lib/money/decimal";
import { negate } from "../plaid/normalize";
import { FinqwareClient, type FinqwareSettings } from "./client";

/**
 * Finqware-style PSD2 consents. Accounts are identified by IBAN (Finqware's account ids
 * change with every consent; a renewed consent must land on the same accounts), and
 * transactions by `utx_id` (stable across consents). Sync is incremental by
 * `timestamp_gte` (Finqware's insert/change time) minus an overlap; a partial run asks the
 * bank for its booking-date range only.
 */
const credentialsSchema = z.object({ credentialsId: z.string().min(1), accessToken: z.string().min(1), tenantUserId: z.string().min(1), skill: z.string().min(1) });
export type FinqwareCredentials = z.infer<typeof credentialsSchema>;

/** What a completed consent session hands over (the bank comes from our catalogue, not an extra read). */
const linkInput = z.object({ temp_token: z.string().min(1), skill: z.string().min(1), tenant_user_id: z.string().min(1), servicer_id: z.string().min(1), servicer_name: z.string().min(1) });

type FqAccount = {
  id: string;
  servicer_id: string;
  servicer_name: string;
  data: {
    account_schemes: { scheme_name: string; identification: string }[];
    balances: { balance_amount: string; balance_currency: string; balance_type: string; credit_debit_indicator: "credit" | "debit" }[];
    account_sub_type: string;
    currency: string;
    name: string;
  };
};
type FqTransaction = {
  id: string;
  utx_id: string;
  account_id: string;
  timestamp: string;
  data: { amount: string; credit_debit_indicator: "credit" | "debit"; currency: string; booking_date_time: string; info: string; status: string; details?: { merchant?: string | null; counterparty?: string | null; category?: string | null } };
};

/** ts: the newest Finqware timestamp a complete sync saw; i/max: progress of this sync; failed: an account was skipped. */
type FqCursor = { ts: number | null; i: number; max: number | null; failed?: boolean };

export const FQ_OVERLAP_MS = 5 * 60_000;
/** One refresh reads each account twice (accounts/get, transactions/get); banks allow 4 a day. */
export const FQ_SYNCS_PER_DAY = 2;

const iban = (a: FqAccount) => a.data.account_schemes.find((s) => s.scheme_name === "IBAN")?.identification ?? a.id;
const signed = (amount: string, ind: "credit" | "debit") => (ind === "debit" ? negate(canonical(amount)) : canonical(amount));

export type FinqwareConnector = ConsentSessionConnector<FinqwareCredentials>;

export function createFinqwareConnector(settings: FinqwareSettings, opts: { now?: () => number } = {}): FinqwareConnector {
  const client = new FinqwareClient(settings);
  const now = () => opts.now?.() ?? Date.now();
  const auth = (c: FinqwareCredentials) => ({ credentials_id: c.credentialsId, access_token: c.accessToken, tenant_user_id: c.tenantUserId });
  // Each accounts/get counts against the bank's daily per-account budget: a sync run reads it
  // once through its session (openSession), never from module memory.
  const readAccounts = (c: FinqwareCredentials) => client.post<FqAccount[]>("/v1/accounts/get", auth(c));

  const normalizeAccount = (a: FqAccount): NormalizedAccount => ({
    providerAccountId: iban(a),
    name: a.data.name,
    type: a.data.account_sub_type === "CreditCard" ? ("credit" as const) : ("depository" as const),
    subtype: a.data.account_sub_type === "Savings" ? "savings" : a.data.account_sub_type === "CreditCard" ? "credit card" : "checking",
    currency: a.data.currency,
    iban: iban(a),
    mask: iban(a).slice(-4),
  });
  const normalizeBalance = (a: FqAccount): NormalizedBalance => {
    const b = a.data.balances[0];
    const v = b ? signed(b.balance_amount, b.credit_debit_indicator) : null;
    return { providerAccountId: iban(a), current: v, available: v, currency: a.data.currency, asOf: toIsoDate(now()) };
  };

  /**
   * One account's transactions per page. Incremental by `timestamp_gte` (minus an overlap);
   * a partial run's date range goes to the bank as `booking_date_gte`/`booking_date_lte`.
   * An account that cannot be read is skipped (AccountReadFailed) and the sync's timestamp
   * is then kept, so the next sync reads that account's gap.
   */
  async function page(c: FinqwareCredentials, accounts: FqAccount[], { cursor, accountIds, dateRange }: FetchTransactionsInput): Promise<TransactionPage> {
    const state: FqCursor = cursor ? (JSON.parse(cursor) as FqCursor) : { ts: null, i: 0, max: null };
    const end = (max: number | null, failed: boolean | undefined): FqCursor => ({ ts: failed ? state.ts : (max ?? state.ts), i: 0, max: null });
    const list = accounts.filter((a) => !accountIds || accountIds.includes(iban(a))).sort((a, b) => (iban(a) < iban(b) ? -1 : 1));
    const acct = list[state.i];
    if (!acct) return { added: [], modified: [], removed: [], nextCursor: JSON.stringify(end(state.max, state.failed)), hasMore: false };
    const last = state.i + 1 >= list.length;
    const filter: Record<string, string> = { account_id: acct.id };
    if (state.ts !== null) filter.timestamp_gte = new Date(state.ts - FQ_OVERLAP_MS).toISOString();
    if (dateRange?.from) filter.booking_date_gte = dateRange.from;
    if (dateRange?.to) filter.booking_date_lte = dateRange.to;
    let txs: FqTransaction[];
    try {
      txs = await client.post<FqTransaction[]>("/v1/transactions/get", { ...auth(c), filter });
    } catch (e) {
      if (!isAccountScoped(e)) throw e;
      const skip: FqCursor = last ? end(state.max, true) : { ts: state.ts, i: state.i + 1, max: state.max, failed: true };
      throw new AccountReadFailed(iban(acct), e, {
        added: [],
        modified: [],
        removed: [],
        nextCursor: JSON.stringify(skip),
        hasMore: !last,
        accountWarnings: [{ providerAccountId: iban(acct), code: e.code, message: e.message }],
      });
    }
    const added: NormalizedTransaction[] = [];
    const removed = [];
    let max = state.max;
    for (const t of txs) {
      const ts = Date.parse(t.timestamp);
      if (max === null || ts > max) max = ts;
      if (t.data.status === "cancelled" || t.data.status === "rejected") {
        removed.push({ providerTransactionId: t.utx_id, providerAccountId: iban(acct) });
        continue;
      }
      added.push({
        providerTransactionId: t.utx_id,
        providerAccountId: iban(acct),
        pending: t.data.status === "pending",
        date: t.data.booking_date_time.slice(0, 10),
        amount: signed(t.data.amount, t.data.credit_debit_indicator),
        currency: t.data.currency,
        description: t.data.info,
        merchant: t.data.details?.merchant ?? null,
        counterparty: t.data.details?.counterparty ?? null,
        category: canonicalCategory(t.data.details?.category),
        type: null,
        raw: t,
      });
    }
    const failed = state.failed ? { failed: true } : {};
    return {
      added,
      modified: [],
      removed,
      nextCursor: JSON.stringify(last ? end(max, state.failed) : { ts: state.ts, i: state.i + 1, max, ...failed }),
      hasMore: !last,
    };
  }

  return {
    id: "finqware",
    displayName: "European banks (PSD2)",
    description: "Banks in Romania and Bulgaria through a PSD2 consent you approve at your bank (local sandbox).",
    capabilities: { syncModel: "cursor", schedule: "auto", maxHistoryDays: 730, supportsPending: true, stableIds: true, consentLifetimeDays: 180, rateBudget: { syncsPerDay: FQ_SYNCS_PER_DAY }, oneLoginPerInstitution: true },
    link: { kind: "consent_session" },
    reconnect: { kind: "consent_session" },
    credentialsSchema,

    async startSession({ tenantUserId, skill }) {
      const r = await client.post<{ session_id: string; nonce: string }>("/v1/sessions", { tenant_user_id: tenantUserId, skill }, false);
      return { sessionId: r.session_id, nonce: r.nonce };
    },

    async step({ sessionId, nonce, skill, step, data }) {
      return client.post<{ nonce: string; status: string; data: Record<string, unknown> }>(`/v1/sessions/${sessionId}/steps`, { nonce, skill, step, data: data ?? {} }, false);
    },

    async completeLink(raw) {
      const p = linkInput.safeParse(raw);
      if (!p.success) throw new ConnectorError("invalid_request", "The consent did not complete.");
      const r = await client.post<{ credentials_id: string; access_token: string; consent_exp: string }>("/v1/tokens", { temp_token: p.data.temp_token });
      // No account read here: each read counts against the bank's daily per-account budget.
      return {
        credentials: { credentialsId: r.credentials_id, accessToken: r.access_token, tenantUserId: p.data.tenant_user_id, skill: p.data.skill },
        providerItemId: r.credentials_id,
        institution: { providerInstitutionId: p.data.servicer_id, name: p.data.servicer_name },
        displayName: p.data.servicer_name,
        consentExpiresAt: new Date(r.consent_exp),
      };
    },

    checkAuth: (c) => probeAuth(() => readAccounts(c)),

    async listAccounts(c) {
      return (await readAccounts(c)).map(normalizeAccount);
    },

    async getBalances(c) {
      return (await readAccounts(c)).map(normalizeBalance);
    },

    async fetchTransactions(c, input) {
      return page(c, await readAccounts(c), input);
    },

    /** One accounts/get per sync run: the snapshot (accounts + balances) and every page share it. */
    async openSession(c) {
      let accounts: FqAccount[] | null = null;
      const read = async () => (accounts ??= await readAccounts(c));
      return {
        async snapshot() {
          const list = await read();
          return { accounts: list.map(normalizeAccount), balances: list.map(normalizeBalance) };
        },
        fetchTransactions: async (input) => page(c, await read(), input),
        async close() {
          accounts = null;
        },
      };
    },

    async disconnect(c) {
      // Revoke the consent (endpoint shape inferred: Finqware documents consent endpoints without public schemas).
      try {
        await client.post("/v1/consents/revoke", auth(c));
      } catch (e) {
        if (!(e instanceof ConnectorError && e.code === "reauth_required")) throw e; // already expired or revoked
      }
    },
  };
}
