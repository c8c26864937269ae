import { z } from "zod";
import { CONNECTION_STATUSES } from "@/db/schema";
import { WEBHOOK_EVENTS } from "@/lib/webhooks/events";

/**
 * The public API's resource shapes: the single source for the handlers' responses and
 * for the OpenAPI document (`/api/v1/openapi.json`). Every JSON field is snake_case;
 * amounts are decimal strings (never floats); dates are `YYYY-MM-DD`; instants are ISO 8601 UTC.
 */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

function component<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  apiSchemas.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/).describe("A decimal amount as a string, e.g. \"-12.50\".");
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe("A calendar date, YYYY-MM-DD.");
const instant = z.iso.datetime().describe("An instant in ISO 8601 UTC.");
const id = z.uuid();

export const errorSchema = component(
  "Error",
  z.object({
    error: z.object({
      code: z.string().describe("Stable machine-readable code: invalid_input, unauthorized, forbidden, not_found, rate_limited, conflict, …"),
      message: z.string().describe("A sentence safe to show to a person."),
      field_errors: z.record(z.string(), z.array(z.string())).optional().describe("For invalid_input: messages per parameter or body field."),
    }),
  }),
  "Every error response has this shape.",
);

const page = <K extends string, T extends z.ZodType>(name: string, key: K, item: T) =>
  component(
    name,
    z.object({
      [key]: z.array(item),
      next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page."),
      next: z.string().nullable().describe("Relative URL of the next page (same filters), or null."),
    } as { [P in K]: z.ZodArray<T> } & { next_cursor: z.ZodNullable<z.ZodString>; next: z.ZodNullable<z.ZodString> }),
  );

// ------------------------------------------------------------------ connections

export const connectionSchema = component(
  "Connection",
  z.object({
    id,
    provider: z.string(),
    name: z.string(),
    institution: z.string().nullable(),
    status: z.enum(CONNECTION_STATUSES),
    account_count: z.number().int(),
    last_synced_at: instant.nullable(),
    next_sync_at: instant.nullable(),
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
    retry_at: instant.nullable(),
    consent_expires_at: instant.nullable(),
    created_at: instant,
  }),
);
export const connectionPageSchema = page("ConnectionPage", "connections", connectionSchema);

export const syncRunSchema = component(
  "SyncRun",
  z.object({
    id,
    connection_id: id,
    trigger: z.string(),
    dry_run: z.boolean(),
    status: z.enum(["running", "success", "partial", "error", "skipped"]).describe("`partial`: finished, but some accounts could not be read (see warnings)."),
    started_at: instant,
    finished_at: instant.nullable(),
    added: z.number().int(),
    modified: z.number().int(),
    removed: z.number().int(),
    accounts: z.number().int(),
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
  }),
);
export const syncRunPageSchema = page("SyncRunPage", "runs", syncRunSchema);

export const refreshResultSchema = component(
  "RefreshResult",
  z.object({
    run_id: id.describe("The run this refresh is recorded under: follow it in the connection's runs (a queued sync's run appears there when a worker starts it)."),
    dry_run: z.boolean().describe("A dry run computes the same diff and writes nothing."),
    status: z.enum(["queued", "success", "error"]).describe("`queued`: the sync runs as a background job. A dry run answers `success` or `error` at once."),
    not_before: instant.nullable().describe("The provider does not allow a refresh before this time (Retry-After or a daily budget): the queued sync starts then."),
    added: z.number().int().nullable().describe("Null while queued."),
    modified: z.number().int().nullable(),
    removed: z.number().int().nullable(),
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
    runs: z.string().describe("Relative URL of this connection's runs."),
  }),
);

export const disconnectBodySchema = z.object({
  keep_data: z.boolean({ error: "keep_data must be true or false." }).default(true).describe("Keep imported accounts and transactions (default) or delete them."),
});
export const disconnectResultSchema = component(
  "DisconnectResult",
  z.object({ id, status: z.literal("disconnected"), kept_data: z.boolean(), revoked_remotely: z.boolean() }),
);

// ------------------------------------------------------------------ accounts

export const accountSchema = component(
  "Account",
  z.object({
    id,
    connection_id: id,
    name: z.string(),
    official_name: z.string().nullable(),
    type: z.string(),
    subtype: z.string().nullable(),
    currency: z.string(),
    mask: z.string().nullable(),
    iban: z.string().nullable(),
    institution: z.string().nullable(),
    current_balance: decimal.nullable(),
    available_balance: decimal.nullable(),
    balance_updated_at: instant.nullable(),
    hidden: z.boolean(),
    closed: z.boolean(),
  }),
);
export const accountPageSchema = page("AccountPage", "accounts", accountSchema);

export const balancesSchema = component(
  "Balances",
  z.object({
    account_id: id,
    currency: z.string(),
    current: decimal.nullable(),
    available: decimal.nullable(),
    updated_at: instant.nullable(),
  }),
);

export const balancePointSchema = component(
  "BalancePoint",
  z.object({ date, current: decimal.nullable(), available: decimal.nullable(), currency: z.string(), derived: z.boolean().describe("Computed back from transactions rather than reported by the bank.") }),
);
export const balanceHistoryPageSchema = page("BalanceHistoryPage", "balances", balancePointSchema);

export const balanceHistoryQuerySchema = z
  .object({
    from: date.optional().describe("First day, inclusive."),
    to: date.optional().describe("Last day, inclusive."),
    limit: z.coerce.number().int().min(1).max(1000).default(366),
    cursor: z.string().max(200).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["to"], message: "The end date is before the start date." });

// ------------------------------------------------------------------ transactions

export const transactionSchema = component(
  "Transaction",
  z.object({
    id,
    account_id: id,
    account: z.string(),
    date,
    authorized_date: date.nullable(),
    description: z.string(),
    merchant: z.string().nullable(),
    counterparty: z.string().nullable(),
    category: z.string().nullable(),
    type: z.string().nullable(),
    note: z.string().nullable(),
    amount: decimal.describe("Negative = money out."),
    currency: z.string(),
    pending: z.boolean(),
    excluded: z.boolean().describe("Excluded from totals and reports by the user."),
  }),
);
export const transactionExportSchema = component("TransactionExport", z.object({ transactions: z.array(transactionSchema) }), "The JSON export file: every filtered transaction.");
export const transactionPageSchema = page("TransactionPage", "transactions", transactionSchema);

export const transactionPatchSchema = z
  .object({
    category: z.string().trim().max(100, "Use at most 100 characters.").nullable().optional().describe("null or \"\" clears it."),
    note: z.string().trim().max(2000, "Use at most 2000 characters.").nullable().optional().describe("null or \"\" clears it."),
    excluded: z.boolean({ error: "excluded must be true or false." }).optional(),
  })
  .strict()
  .refine((v) => v.category !== undefined || v.note !== undefined || v.excluded !== undefined, { message: "Send at least one of category, note, excluded." });

// ------------------------------------------------------------------ categories

export const categoryListSchema = component(
  "CategoryList",
  z.object({ categories: z.array(z.object({ name: z.string(), transaction_count: z.number().int() })) }),
);

export const pageQuerySchema = z.object({
  limit: z.coerce.number({ error: "limit must be a number." }).int("limit must be a whole number.").min(1, "limit is at least 1.").max(200, "limit is at most 200.").default(50),
  cursor: z.string().max(200, "Invalid page cursor.").optional(),
});

// ------------------------------------------------------------------ identity

export const identitySchema = component(
  "AccountIdentity",
  z.object({
    account_id: id,
    available: z.boolean().describe("False when the provider offers no identity data or it was not consented (owners is then empty)."),
    owners: z.array(
      z.object({
        names: z.array(z.string()),
        emails: z.array(z.string()),
        phone_numbers: z.array(z.string()),
        addresses: z.array(z.string()),
      }),
    ),
  }),
  "The account's owners as the bank reported them (stored encrypted; only what the connection consented to).",
);

// ------------------------------------------------------------------ webhooks

const webhookEvent = z.enum(WEBHOOK_EVENTS);

export const webhookSchema = component(
  "Webhook",
  z.object({
    id,
    url: z.string(),
    events: z.array(webhookEvent),
    active: z.boolean(),
    created_at: instant,
    failing_since: instant.nullable().describe("First failed delivery since the last success."),
    disabled_at: instant.nullable().describe("Set when the webhook was turned off after failing for 3 days."),
    disabled_reason: z.string().nullable(),
    previous_secret_valid_until: instant.nullable().describe("After a rotation, the previous secret also signs until then."),
  }),
  "An outbound webhook subscription (its secret is never shown again after creation or rotation).",
);
export const webhookListSchema = component("WebhookList", z.object({ webhooks: z.array(webhookSchema) }), "Your webhooks, newest first (at most 10: no pages).");
export const webhookCreatedSchema = component(
  "WebhookCreated",
  webhookSchema.extend({ secret: z.string().describe("The signing secret (`whsec_…`). Shown only in this response.") }),
);
export const webhookSecretSchema = component(
  "WebhookSecret",
  z.object({ id, secret: z.string().describe("The new signing secret, shown only in this response."), previous_secret_valid_until: instant }),
);
export const webhookDeletedSchema = component("WebhookDeleted", z.object({ id, deleted: z.literal(true) }));

export const webhookDeliverySchema = component(
  "WebhookDelivery",
  z.object({
    id,
    event_id: id.describe("The event's id: the same on every retry and redelivery (dedupe on it)."),
    event: webhookEvent,
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    response_status: z.number().int().nullable(),
    duration_ms: z.number().int().nullable(),
    response_excerpt: z.string().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: instant.nullable(),
    created_at: instant,
    delivered_at: instant.nullable(),
  }),
);
export const webhookDeliveryPageSchema = page("WebhookDeliveryPage", "deliveries", webhookDeliverySchema);

const webhookUrl = z.string({ error: "Enter the URL that should receive the events." }).trim().min(1, "Enter the URL that should receive the events.").max(2000, "Use at most 2000 characters.");
const webhookEvents = z.array(webhookEvent, { error: "events must be a list of event types." }).min(1, "Pick at least one event.");

export const webhookCreateSchema = z
  .object({
    url: webhookUrl.describe("https URL that resolves to a public address (see LEDGERLINK_WEBHOOK_ALLOW_PRIVATE)."),
    events: webhookEvents,
  })
  .strict();

export const webhookPatchSchema = z
  .object({ url: webhookUrl.optional(), events: webhookEvents.optional(), active: z.boolean({ error: "active must be true or false." }).optional() })
  .strict()
  .refine((v) => v.url !== undefined || v.events !== undefined || v.active !== undefined, { message: "Send at least one of url, events, active." });

// ------------------------------------------------------------------ net worth changes

const changeSchema = component(
  "NetWorthChange",
  z
    .object({
      from: date.describe("The day the change starts from: the last day with a value on or before the asked start."),
      start: decimal.describe("Value on `from`, in the base currency."),
      end: decimal.describe("Value on `date`, in the base currency."),
      amount: decimal.describe("end − start."),
      percent: decimal.nullable().describe("amount as a percent of |start|, 2 decimals, half away from zero; null when start is 0."),
    })
    .nullable(),
  "A change in the base currency; null when there is no value on the start day (no history, or no rate), never zero.",
);
const changePeriodsSchema = z.object({
  day: changeSchema.describe("Since the day before."),
  month: changeSchema.describe("Since the same day a month before."),
  year: changeSchema.describe("Since the same day a year before."),
  since: changeSchema.describe("Since `since` (null when not asked)."),
});
const wealthSource = z.enum(["linked", "manual"]).describe("A linked (bank) account or a manual account/asset.");

export const netWorthChangesQuerySchema = z.object({
  date: date.optional().describe("The day the changes end on (default today)."),
  since: date.optional().describe("Also the change since this day."),
  base: z.string().max(3).optional().describe("Currency to convert into (default your base currency)."),
});

export const netWorthChangesSchema = component(
  "NetWorthChanges",
  z.object({
    base: z.string(),
    date,
    since: date.nullable(),
    total: decimal.describe("Net worth on `date`."),
    changes: changePeriodsSchema,
    accounts: z.array(z.object({ id, source: wealthSource, name: z.string(), currency: z.string(), changes: changePeriodsSchema })),
    fx: z.object({ source: z.string() }),
  }),
  "Net worth and each account's change over a day, a month, a year and since a date, in money and percent.",
);

export const netWorthMonthQuerySchema = z.object({
  date: date.optional().describe("The day the month's change ends on (default today)."),
  base: z.string().max(3).optional().describe("Currency to convert into (default your base currency)."),
});

export const netWorthMonthSchema = component(
  "NetWorthMonth",
  z.object({
    base: z.string(),
    from: date.describe("Last day of the previous month."),
    to: date,
    accounts: z.array(
      z.object({
        id,
        source: wealthSource,
        name: z.string(),
        currency: z.string(),
        start: decimal.nullable(),
        end: decimal.nullable(),
        change: decimal.nullable().describe("cash_flow + revaluation + fx; all null when the account's currency has no rate."),
        cash_flow: decimal.nullable().describe("Money in and out during the month, converted at the end day's rate."),
        revaluation: decimal.nullable().describe("Value changes that are not money moving (valuations, prices, unbooked interest)."),
        fx: decimal.nullable().describe("What the exchange-rate move alone did to the opening value."),
      }),
    ),
    totals: z.object({ change: decimal, cash_flow: decimal, revaluation: decimal, fx: decimal }),
    fx: z.object({ source: z.string() }),
  }),
  "What changed this month, per account: cash flow vs revaluation vs FX effect (each row sums exactly to its change).",
);
