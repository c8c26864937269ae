import { toIsoDate } from "@/lib/dates";
import { z } from "zod";
import type { Connector, WebhookEvent } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { TellerClient, TellerGone, type TellerClientOptions } from "./client";
import { normalizeAccount, normalizeBalance, normalizeTransaction, type TellerAccount, type TellerBalances, type TellerTransaction } from "./normalize";
import { windowedFetch } from "@/lib/sync/window";
import { tellerWebhookEvent, verifyTellerSignature, type TellerWebhook } from "./webhook";
import { parseTokenSigningKey, verifyTellerEnrollment } from "./signature";

const credentialsSchema = z.object({ accessToken: z.string().min(1), enrollmentId: z.string().min(1) });
export type TellerCredentials = z.infer<typeof credentialsSchema>;

/**
 * What Teller Connect's onSuccess hands the browser (opened with the nonce the server
 * issued, which the browser sends back beside it).
 */
const enrollmentSchema = z.object({
  accessToken: z.string().min(1, "Teller Connect did not return an access token.").max(500),
  user: z.object({ id: z.string().min(1).max(200) }, { error: "Teller Connect did not return a user." }),
  enrollment: z.object({ id: z.string().min(1).max(200), institution: z.object({ name: z.string().max(200) }) }),
  nonce: z.string({ error: "This Teller Connect session was not started by Ledgerlink. Open Teller Connect again." }).min(1).max(200),
  signatures: z.array(z.string().max(200), { error: "Teller Connect's answer is not signed. Nothing was linked." }).min(1, "Teller Connect's answer is not signed. Nothing was linked.").max(10),
});

export const TELLER_NONCE_REFUSED = "This Teller Connect session is not valid (expired, already used or started for another user). Open Teller Connect again.";
export const TELLER_SIGNATURE_REFUSED = "Teller Connect's signature did not verify. Nothing was linked.";

export const TELLER_PAGE = 100;
/** Pending rows can change or vanish within this many days before the newest synced date. */
export const TELLER_OVERLAP_DAYS = 10;


export type TellerConnector = Connector<TellerCredentials> & {
  readonly mode: "emulator" | "sandbox" | "development" | "production";
  readonly applicationId: string;
  parseWebhook(req: { headers: Headers; rawBody: string }): Promise<{ webhook: TellerWebhook; event: WebhookEvent }>;
};

/**
 * Teller: no change log, so each sync pages back through every account (newest first,
 * `count` + `from_id`, stop on a short page) to the last synced date minus an overlap
 * window, and hands the engine each account's window to diff (see TransactionPage.window).
 */
export function createTellerConnector(opts: {
  settings: () => Promise<TellerClientOptions>;
  applicationId: string;
  mode: TellerConnector["mode"];
  webhookSecrets: () => Promise<string[]>;
  /** Teller's token-signing public key (Ed25519, base64); null → every link is refused. */
  tokenSigningKey: () => Promise<string | null>;
  /** Issue a one-time nonce bound to this user, before Connect opens (lib/connections/nonces.ts). */
  issueNonce: (input: { userId: string }) => Promise<string>;
  /** Consume (once) the nonce the server issued this user before Connect opened. */
  consumeNonce: (input: { userId: string; nonce: string }) => Promise<boolean>;
  now?: () => number;
  pageSize?: number;
  /** A bank's limit on one read's date range (tests use it to read in chunks). */
  maxWindowDays?: number | null;
  maxHistoryDays?: number | null;
}): TellerConnector {
  const client = new TellerClient(opts.settings);
  const pageSize = opts.pageSize ?? TELLER_PAGE;
  const today = () => toIsoDate(opts.now?.() ?? Date.now());

  const accounts = (c: TellerCredentials) => client.request<TellerAccount[]>("GET", "/accounts", c.accessToken);

  /**
   * Every transaction of the account dated in [from, to]: Teller filters by date itself
   * (start_date/end_date); pages go back newest first (`count` + `from_id`) until a short
   * page. Rows outside the range are dropped in case a provider ignores the filter.
   */
  async function read(c: TellerCredentials, accountId: string, range: { from: string | null; to: string }): Promise<TellerTransaction[]> {
    const out: TellerTransaction[] = [];
    let fromId: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ count: String(pageSize), ...(range.from ? { start_date: range.from } : {}), end_date: range.to, ...(fromId ? { from_id: fromId } : {}) });
      const page = await client.request<TellerTransaction[]>("GET", `/accounts/${accountId}/transactions?${q}`, c.accessToken);
      for (const t of page) if ((!range.from || t.date >= range.from) && t.date <= range.to) out.push(t);
      const last = page[page.length - 1];
      if (page.length < pageSize || !last || (range.from && last.date < range.from)) return out;
      fromId = last.id;
    }
  }

  const openAccounts = async (c: TellerCredentials) => (await accounts(c)).filter((a) => a.status === "open");
  const currencyOf = new Map<string, string>();
  const fetchTransactions = windowedFetch<TellerCredentials>({
    overlapDays: TELLER_OVERLAP_DAYS,
    maxWindowDays: opts.maxWindowDays ?? null,
    maxHistoryDays: opts.maxHistoryDays ?? null,
    now: opts.now,
    accounts: async (c) => {
      const list = await openAccounts(c);
      for (const a of list) currencyOf.set(a.id, a.currency);
      return list.map((a) => a.id);
    },
    read: async (c, accountId, range) => {
      try {
        const txs = await read(c, accountId, range);
        return { transactions: txs.map((t) => normalizeTransaction(t, currencyOf.get(accountId) ?? "USD")) };
      } catch (e) {
        if (!(e instanceof TellerGone)) throw e;
        return { transactions: [], complete: false }; // closed mid-sync: keep its history, diff nothing
      }
    },
  });

  const widget = {
    kind: "widget",
    widget: "teller_connect",
    emulator: opts.mode === "emulator",
    applicationId: opts.applicationId,
    environment: opts.mode === "emulator" ? "sandbox" : opts.mode,
  } as const;
  return {
    id: "teller",
    mode: opts.mode,
    applicationId: opts.applicationId,
    displayName: "Teller",
    description: opts.mode === "emulator" ? "US banks through Teller Connect (local Teller sandbox: username / password, or otp, challenge)." : `US banks through Teller Connect (${opts.mode}).`,
    capabilities: { syncModel: "window", schedule: "auto", maxHistoryDays: opts.maxHistoryDays ?? null, maxWindowDays: opts.maxWindowDays ?? null, supportsPending: true, stableIds: true, consentLifetimeDays: null, rateBudget: null, oneLoginPerInstitution: true },
    link: widget,
    // Connect repairs the same enrollment in place.
    reconnect: widget,
    credentialsSchema,

    // Every opening of Connect (link or reconnect) gets a fresh nonce; Connect signs it into the enrollment.
    async prepareWidget({ userId }) {
      return { widget: "teller_connect", nonce: await opts.issueNonce({ userId }) };
    },

    async completeLink(raw, ctx) {
      const parsed = enrollmentSchema.safeParse(raw);
      if (!parsed.success) throw new ConnectorError("invalid_request", parsed.error.issues[0]?.message);
      const e = parsed.data;
      // Nothing is trusted (or stored) before Teller's signature over our one-time nonce verifies.
      const keyText = await opts.tokenSigningKey();
      if (!keyText) throw new ConnectorError("invalid_request", "Teller links are disabled: TELLER_TOKEN_SIGNING_KEY is not configured.");
      if (!(await opts.consumeNonce({ userId: ctx.userId, nonce: e.nonce }))) throw new ConnectorError("invalid_request", TELLER_NONCE_REFUSED);
      const signed = { nonce: e.nonce, accessToken: e.accessToken, userId: e.user.id, enrollmentId: e.enrollment.id, environment: opts.mode === "emulator" ? "sandbox" : opts.mode };
      if (!verifyTellerEnrollment(signed, e.signatures, parseTokenSigningKey(keyText))) throw new ConnectorError("invalid_request", TELLER_SIGNATURE_REFUSED);
      if (ctx.reconnect && ctx.reconnect.credentials.enrollmentId !== e.enrollment.id)
        throw new ConnectorError("invalid_request", "Teller repaired a different enrollment than this connection's.");
      const creds = { accessToken: e.accessToken, enrollmentId: e.enrollment.id };
      const list = await accounts(creds); // proves the token works (and the mTLS setup)
      const inst = list[0]?.institution ?? { id: e.enrollment.institution.name.toLowerCase().replace(/\W+/g, "_"), name: e.enrollment.institution.name };
      return { credentials: creds, providerItemId: e.enrollment.id, institution: { providerInstitutionId: inst.id, name: inst.name, country: "US" }, displayName: inst.name };
    },

    checkAuth: (c) => probeAuth(() => accounts(c)),

    async listAccounts(c) {
      return (await accounts(c)).map(normalizeAccount);
    },

    async getBalances(c) {
      const out = [];
      for (const a of await accounts(c)) {
        if (a.status !== "open") continue;
        try {
          out.push(normalizeBalance(a, await client.request<TellerBalances>("GET", `/accounts/${a.id}/balances`, c.accessToken), today()));
        } catch (e) {
          if (!(e instanceof TellerGone)) throw e; // closed since we listed it: keep, no balance
        }
      }
      return out;
    },

    fetchTransactions,

    async getIdentity(c) {
      const res = await client.request<{ owners: { names: { data: string }[]; emails: { data: string }[]; phone_numbers: { data: string }[]; addresses: { data: Record<string, string> }[] }[] }[]>("GET", "/identity", c.accessToken);
      const owners = res.flatMap((r) => r.owners);
      const uniq = (xs: string[]) => [...new Set(xs)];
      return {
        names: uniq(owners.flatMap((o) => o.names.map((n) => n.data))),
        emails: uniq(owners.flatMap((o) => o.emails.map((e) => e.data))),
        phones: uniq(owners.flatMap((o) => o.phone_numbers.map((p) => p.data))),
        addresses: uniq(owners.flatMap((o) => o.addresses.map((a) => [a.data.street, a.data.city, a.data.region, a.data.postal_code, a.data.country].filter(Boolean).join(", ")))),
      };
    },

    async disconnect(c) {
      try {
        await client.request("DELETE", "/accounts", c.accessToken);
      } catch (e) {
        if (!(e instanceof ConnectorError && e.code === "reauth_required")) throw e;
      }
    },

    async parseWebhook(req) {
      const webhook = verifyTellerSignature(req, await opts.webhookSecrets(), Math.floor((opts.now?.() ?? Date.now()) / 1000));
      return { webhook, event: tellerWebhookEvent(webhook) };
    },

    async verifyWebhook(req) {
      return (await this.parseWebhook(req)).event;
    },
  };
}
