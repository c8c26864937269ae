import { addDays, toIsoDate } from "@/lib/dates";
import { CountryCode, Products, type PlaidApi } from "plaid";
import { z } from "zod";
import type { Connector, TransactionPage, WebhookEvent } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { createPlaidApi, plaidCall, type PlaidSettings } from "./client";
import { normalizeAccount, normalizeBalance, normalizeTransaction } from "./normalize";
import { createKeyCache, plaidWebhookEvent, verifyPlaidWebhook } from "./webhook";

const credentialsSchema = z.object({ accessToken: z.string().min(1), itemId: z.string().min(1) });
export type PlaidCredentials = z.infer<typeof credentialsSchema>;

const linkInput = z.object({
  public_token: z.string().min(1, "Plaid Link did not return a public token."),
  metadata: z.object({ institution: z.object({ name: z.string(), institution_id: z.string() }).nullable().optional() }).passthrough().optional(),
});

export const PLAID_PAGE_SIZE = 500;
const PLAID_MAX_HISTORY_DAYS = 730;
/** How long to wait before asking again while Plaid prepares an Item's first pull. */
export const PLAID_NOT_READY_RETRY_MS = 10_000;

const notReady = () =>
  new ConnectorError("provider_unavailable", "Plaid is still preparing this bank's transactions (this takes a minute or two after linking). The sync waits and tries again.", {
    providerCode: "PRODUCT_NOT_READY",
    retryAfterMs: PLAID_NOT_READY_RETRY_MS,
  });

export type PlaidConnector = Connector<PlaidCredentials> & {
  /** A Link token for a new Item, or (with credentials) for update mode: no products, same access token. */
  createLinkToken(input: { userId: string; credentials?: PlaidCredentials; webhookUrl: string | null }): Promise<{ linkToken: string; expiration: string }>;
  readonly mode: PlaidSettings["environment"];
  /** Verify a webhook; `replayId` names this exact signed message (the route refuses it twice). */
  parseWebhook(req: { headers: Headers; rawBody: string }): Promise<{ event: WebhookEvent; replayId: string }>;
};

export function createPlaidConnector(
  settings: PlaidSettings,
  /** webhookUrl: where Plaid posts this app's Item events (set on every Link token; null: none). */
  opts: { now?: () => number; pageSize?: number; webhookUrl?: string | null } = {},
): PlaidConnector {
  const api: PlaidApi = createPlaidApi(settings);
  const keyFor = createKeyCache(() => api, { now: opts.now });
  const today = () => toIsoDate(opts.now?.() ?? Date.now());
  const pageSize = opts.pageSize ?? PLAID_PAGE_SIZE;

  /**
   * A partial run's date range goes to Plaid: /transactions/get with start_date/end_date
   * (paged by count/offset), instead of replaying the whole change log and filtering here.
   * The cursor is the offset of the next page (a partial run never stores it).
   */
  async function windowRead(c: PlaidCredentials, cursor: string | null, range: { from?: string; to?: string }, accountIds?: string[]): Promise<TransactionPage> {
    const offset = cursor ? Number(JSON.parse(cursor).offset) : 0;
    const end = range.to ?? addDays(today(), 1); // a bank ahead of UTC may already be on tomorrow
    const start = range.from ?? addDays(end, -(PLAID_MAX_HISTORY_DAYS - 1));
    const res = await plaidCall(() =>
      api.transactionsGet({ access_token: c.accessToken, start_date: start, end_date: end, options: { count: pageSize, offset, ...(accountIds ? { account_ids: accountIds } : {}) } }),
    );
    const next = offset + res.transactions.length;
    const hasMore = res.transactions.length > 0 && next < res.total_transactions;
    return { added: res.transactions.map(normalizeTransaction), modified: [], removed: [], nextCursor: JSON.stringify({ offset: next }), hasMore };
  }

  const createLinkToken: PlaidConnector["createLinkToken"] = async ({ userId, credentials, webhookUrl }) => {
    const res = await plaidCall(() =>
      api.linkTokenCreate({
        client_name: "Ledgerlink",
        language: "en",
        country_codes: [CountryCode.Us],
        user: { client_user_id: userId },
        ...(credentials ? { access_token: credentials.accessToken } : { products: [Products.Transactions], optional_products: [Products.Identity] }),
        ...(webhookUrl ? { webhook: webhookUrl } : {}),
        transactions: credentials ? undefined : { days_requested: 730 },
      }),
    );
    return { linkToken: res.link_token, expiration: res.expiration };
  };

  return {
    id: "plaid",
    mode: settings.environment,
    displayName: "Plaid",
    description: settings.environment === "emulator" ? "Thousands of US and EU banks through Plaid Link (local Plaid sandbox: user_good / pass_good)." : `Thousands of US and EU banks through Plaid Link (${settings.environment}).`,
    capabilities: {
      syncModel: "cursor",
      schedule: "auto",
      maxHistoryDays: 730,
      supportsPending: true,
      stableIds: true,
      consentLifetimeDays: null,
      rateBudget: { perMinute: 15 },
      oneLoginPerInstitution: true,
    },
    link: { kind: "widget", widget: "plaid_link", emulator: settings.environment === "emulator" },
    // Update mode: Link opens straight at the bank's login for the same Item.
    reconnect: { kind: "widget", widget: "plaid_link", emulator: settings.environment === "emulator" },
    credentialsSchema,

    createLinkToken,

    // Link opens with a fresh link token: for a new Item, or update mode on reconnect.
    async prepareWidget({ userId, reconnect }) {
      const t = await createLinkToken({ userId, credentials: reconnect?.credentials, webhookUrl: opts.webhookUrl ?? null });
      return { widget: "plaid_link", linkToken: t.linkToken };
    },

    async completeLink(raw, ctx) {
      if (ctx.reconnect) {
        // Update mode keeps the access token; confirm the Item is healthy again.
        const item = await plaidCall(() => api.itemGet({ access_token: ctx.reconnect!.credentials.accessToken }));
        if (item.item.error) throw new ConnectorError("reauth_required", item.item.error.display_message ?? undefined);
        return {
          credentials: ctx.reconnect.credentials,
          providerItemId: item.item.item_id,
          institution: { providerInstitutionId: item.item.institution_id ?? "unknown", name: item.item.institution_name ?? "Plaid" },
          displayName: item.item.institution_name ?? "Plaid",
        };
      }
      const parsed = linkInput.safeParse(raw);
      if (!parsed.success) throw new ConnectorError("invalid_request", parsed.error.issues[0]?.message);
      const ex = await plaidCall(() => api.itemPublicTokenExchange({ public_token: parsed.data.public_token }));
      const item = await plaidCall(() => api.itemGet({ access_token: ex.access_token }));
      const institutionId = item.item.institution_id ?? parsed.data.metadata?.institution?.institution_id ?? "unknown";
      const name = item.item.institution_name ?? parsed.data.metadata?.institution?.name ?? "Plaid";
      return {
        credentials: { accessToken: ex.access_token, itemId: ex.item_id },
        providerItemId: ex.item_id,
        institution: { providerInstitutionId: institutionId, name, country: "US" },
        displayName: name,
      };
    },

    checkAuth: (c) =>
      probeAuth(async () => {
        const item = await plaidCall(() => api.itemGet({ access_token: c.accessToken }));
        // Plaid reports a broken login on the Item itself, not as an error of /item/get.
        if (item.item.error?.error_code === "ITEM_LOGIN_REQUIRED") throw new ConnectorError("reauth_required");
      }),

    async listAccounts(c) {
      return (await plaidCall(() => api.accountsGet({ access_token: c.accessToken }))).accounts.map(normalizeAccount);
    },

    async getBalances(c) {
      const res = await plaidCall(() => api.accountsBalanceGet({ access_token: c.accessToken }));
      return res.accounts.map((a) => normalizeBalance(a, today()));
    },

    async fetchTransactions(c, { cursor, accountIds, dateRange, pageSize: wanted }) {
      if (dateRange) return windowRead(c, cursor, dateRange, accountIds);
      const res = await plaidCall(() => api.transactionsSync({ access_token: c.accessToken, cursor: cursor ?? undefined, count: wanted ? Math.min(wanted, pageSize) : pageSize }));
      // An empty cursor: Plaid has not finished the Item's first pull. Not "nothing new": wait and ask again.
      if (res.next_cursor === "" || res.transactions_update_status === "NOT_READY") throw notReady();
      const keep = accountIds ? new Set(accountIds) : null;
      const inScope = (a: string) => !keep || keep.has(a);
      return {
        added: res.added.filter((t) => inScope(t.account_id)).map(normalizeTransaction),
        modified: res.modified.filter((t) => inScope(t.account_id)).map(normalizeTransaction),
        removed: res.removed.filter((r) => inScope(r.account_id ?? "")).map((r) => ({ providerTransactionId: r.transaction_id, providerAccountId: r.account_id ?? null })),
        nextCursor: res.next_cursor,
        hasMore: res.has_more,
      };
    },

    async getIdentity(c) {
      const res = await plaidCall(() => api.identityGet({ access_token: c.accessToken }));
      const owners = res.accounts.flatMap((a) => a.owners);
      const uniq = (xs: string[]) => [...new Set(xs)];
      return {
        names: uniq(owners.flatMap((o) => o.names)),
        emails: uniq(owners.flatMap((o) => o.emails.map((e) => e.data))),
        phones: uniq(owners.flatMap((o) => o.phone_numbers.map((p) => p.data))),
        addresses: uniq(owners.flatMap((o) => o.addresses.map((a) => [a.data.street, a.data.city, a.data.region, a.data.postal_code, a.data.country].filter(Boolean).join(", ")))),
      };
    },

    async disconnect(c) {
      try {
        await plaidCall(() => api.itemRemove({ access_token: c.accessToken }));
      } catch (e) {
        if (!(e instanceof ConnectorError && e.code === "reauth_required")) throw e; // already gone
      }
    },

    async parseWebhook(req) {
      const { body, replayId } = await verifyPlaidWebhook(req, keyFor, Math.floor((opts.now?.() ?? Date.now()) / 1000));
      return { event: plaidWebhookEvent(body), replayId };
    },

    async verifyWebhook(req) {
      return (await this.parseWebhook(req)).event;
    },
  };
}
