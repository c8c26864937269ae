import { z } from "zod";
import type { Connector } from "../contract";
import { ConnectorError, probeAuth } from "../errors";
import { DemoClient, type DemoClientOptions } from "./client";
import { normalizeAccount, normalizeBalance, normalizeTransaction } from "./normalize";

const credentialsSchema = z.object({ accessToken: z.string().min(1), itemId: z.string().min(1) });
export type DemoCredentials = z.infer<typeof credentialsSchema>;

export const DEMO_TICK_SECONDS = { min: 10, max: 86_400 } as const;

const linkInput = z.object({
  institutionId: z.enum(["demo_platypus", "demo_northwind", "demo_eurobank"], { error: "Choose a bank." }),
  mode: z.enum(["default", "empty", "error", "flaky", "reauth"]).default("default"),
  historyDays: z.coerce.number().int().min(1, "At least one day.").max(3660, "At most 10 years (3660 days).").default(730),
  /** Sandbox knobs (tests, benchmarks). */
  seed: z.coerce.number().int().optional(),
  density: z.coerce.number().positive().max(10).optional(),
  /** Bounded: a tiny tick made one refresh replay millions of ticks (1.9 GB, never finished). */
  tickSeconds: z.coerce
    .number()
    .min(DEMO_TICK_SECONDS.min, `A tick is at least ${DEMO_TICK_SECONDS.min} seconds.`)
    .max(DEMO_TICK_SECONDS.max, "A tick is at most one day (86400 seconds).")
    .optional(),
});
export type DemoLinkInput = z.input<typeof linkInput>;

export const DEMO_PAGE_SIZE = 500;

/** The deterministic demo bank: a cursor-model provider with every error path switchable. */
export function createDemoConnector(opts: DemoClientOptions & { pageSize?: number }): Connector<DemoCredentials> {
  const client = new DemoClient(opts);
  const pageSize = opts.pageSize ?? DEMO_PAGE_SIZE;
  return {
    id: "demo",
    displayName: "Demo Bank",
    description: "A deterministic sandbox bank with years of realistic history. No real data.",
    capabilities: {
      syncModel: "cursor",
      schedule: "auto",
      maxHistoryDays: 3660,
      supportsPending: true,
      stableIds: true,
      consentLifetimeDays: null,
      rateBudget: null,
    },
    link: {
      kind: "form",
      fields: [
        {
          name: "institutionId",
          label: "Bank",
          kind: "select",
          options: [
            { value: "demo_platypus", label: "First Platypus Bank" },
            { value: "demo_northwind", label: "Northwind Credit Union" },
            { value: "demo_eurobank", label: "Gänseblümchen Sparkasse" },
          ],
        },
        {
          name: "mode",
          label: "Scenario",
          kind: "select",
          defaultValue: "default",
          options: [
            { value: "default", label: "Normal — works as expected" },
            { value: "empty", label: "Empty — accounts with no history" },
            { value: "flaky", label: "Flaky — fails now and then, retries succeed" },
            { value: "error", label: "Outage — the bank is down" },
            { value: "reauth", label: "Needs re-login — asks you to reconnect" },
          ],
        },
        { name: "historyDays", label: "Days of history", kind: "number", defaultValue: "730", hint: "Up to 3660 (10 years)." },
      ],
    },
    credentialsSchema,

    async completeLink(raw, ctx) {
      if (ctx.reconnect) {
        const res = await client.link({ access_token: ctx.reconnect.credentials.accessToken, mode: "default" });
        return {
          credentials: { accessToken: res.access_token, itemId: res.item_id },
          providerItemId: res.item_id,
          institution: { providerInstitutionId: res.institution.institution_id, name: res.institution.name, country: res.institution.country, url: res.institution.url },
          displayName: res.institution.name,
        };
      }
      const parsed = linkInput.safeParse(raw);
      if (!parsed.success) throw new ConnectorError("invalid_request", parsed.error.issues[0]?.message ?? "Invalid link request.");
      const i = parsed.data;
      const res = await client.link({
        institution_id: i.institutionId,
        mode: i.mode,
        history_days: i.historyDays,
        seed: i.seed,
        density: i.density,
        tick_seconds: i.tickSeconds,
      });
      return {
        credentials: { accessToken: res.access_token, itemId: res.item_id },
        providerItemId: res.item_id,
        institution: { providerInstitutionId: res.institution.institution_id, name: res.institution.name, country: res.institution.country, url: res.institution.url },
        displayName: res.institution.name,
      };
    },

    checkAuth: (c) => probeAuth(() => client.accounts(c.accessToken)),

    async listAccounts(c) {
      return (await client.accounts(c.accessToken)).accounts.map(normalizeAccount);
    },

    async getBalances(c) {
      const res = await client.accounts(c.accessToken);
      return res.accounts.map((a) => normalizeBalance(a, res.as_of));
    },

    async fetchTransactions(c, { cursor, accountIds, pageSize: wanted }) {
      const res = await client.sync(c.accessToken, cursor, wanted ? Math.min(wanted, pageSize) : pageSize);
      const keep = accountIds ? new Set(accountIds) : null;
      const inScope = (a: string) => !keep || keep.has(a);
      return {
        added: res.added.filter((t) => inScope(t.account_id)).map(normalizeTransaction),
        modified: res.modified.filter((t) => inScope(t.account_id)).map(normalizeTransaction),
        removed: res.removed.filter((r) => inScope(r.account_id)).map((r) => ({ providerTransactionId: r.transaction_id, providerAccountId: r.account_id })),
        nextCursor: res.next_cursor,
        hasMore: res.has_more,
      };
    },

    async getIdentity(c) {
      const res = await client.identity(c.accessToken);
      return {
        names: res.owners.flatMap((o) => o.names),
        emails: res.owners.flatMap((o) => o.emails),
        phones: res.owners.flatMap((o) => o.phone_numbers),
        addresses: res.owners.flatMap((o) => o.addresses),
      };
    },

    async disconnect(c) {
      try {
        await client.remove(c.accessToken);
      } catch (e) {
        // Already revoked counts as disconnected.
        if (!(e instanceof ConnectorError && e.code === "reauth_required")) throw e;
      }
    },
  };
}
