import type { z } from "zod";

/**
 * The connector contract: what every provider folder (lib/connectors/<id>/) implements.
 * Connectors talk to the provider and normalise; they never touch the database. The
 * sync engine (lib/sync/engine.ts) does all reconciliation.
 *
 * Conventions of the normalised types:
 * - money is a decimal string, signed: negative = money out of the account;
 * - dates are calendar dates `YYYY-MM-DD` in the bank's own day (no time zone).
 */

export type Decimal = string;
export type IsoDate = string;

export const ACCOUNT_TYPES = ["depository", "credit", "loan", "investment", "other"] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export type NormalizedAccount = {
  providerAccountId: string;
  name: string;
  officialName?: string | null;
  type: AccountType;
  subtype?: string | null;
  currency: string;
  mask?: string | null;
  iban?: string | null;
  closed?: boolean;
};

export type NormalizedBalance = {
  providerAccountId: string;
  current: Decimal | null;
  available: Decimal | null;
  limit?: Decimal | null;
  currency: string;
  /** The bank's day the balance belongs to. */
  asOf: IsoDate;
};

export type NormalizedTransaction = {
  providerTransactionId: string;
  providerAccountId: string;
  pending: boolean;
  /** For a posted transaction: the provider id of the pending one it replaces, if the provider links them. */
  pendingTransactionId?: string | null;
  date: IsoDate;
  authorizedDate?: IsoDate | null;
  amount: Decimal;
  currency: string;
  description: string;
  merchant?: string | null;
  counterparty?: string | null;
  category?: string | null;
  type?: string | null;
  /** The provider's own record, kept for the row-detail view and for change detection. */
  raw: unknown;
};

export type RemovedTransaction = { providerTransactionId: string; providerAccountId?: string | null };

export type TransactionPage = {
  added: NormalizedTransaction[];
  modified: NormalizedTransaction[];
  removed: RemovedTransaction[];
  /** Position after this page; committed with the page. */
  nextCursor: string | null;
  hasMore: boolean;
  /**
   * Window providers (no change log): this page holds ALL of the account's transactions
   * dated inside `[from, to]` (both inclusive). The engine diffs the window against what
   * is stored: stored rows inside the window missing from it (a pending that vanished, a
   * reversed charge) become removals; rows outside the window are never touched, so a
   * source read in chunks (30-day bank limits, monthly statements) loses nothing.
   * Build these pages with lib/sync/window.ts rather than by hand.
   */
  window?: TransactionWindow;
  /**
   * Accounts this page could not read (an outage or a limit on one account): the run goes on
   * with the others and ends "partial", each warning recorded on the run. Build these with
   * `AccountReadFailed` (lib/connectors/errors.ts) so the engine retries the read first.
   */
  accountWarnings?: AccountWarning[];
};

export type AccountWarning = { providerAccountId: string; code: string; message: string };

export type DateRange = { from: IsoDate; to: IsoDate };
export type TransactionWindow = DateRange & { providerAccountId: string };

export type Identity = {
  names: string[];
  emails: string[];
  phones: string[];
  addresses: string[];
};

/**
 * When a connection is refreshed without the user asking (read by sync.due and the engine):
 * - auto: on schedule (every LEDGERLINK_SYNC_EVERY, within `rateBudget`);
 * - manual: never scheduled (a statement file: there is nothing to fetch until the user uploads one);
 * - interactive: never scheduled, refreshed only when the user asks (a login that needs them present).
 * Manual and interactive connections have no next_sync_at; "Refresh" works for all three.
 */
export type SchedulePolicy = "auto" | "manual" | "interactive";

export type Capabilities = {
  /** cursor: the provider keeps a change log; window: we read date windows and diff (see lib/sync/window.ts). */
  syncModel: "cursor" | "window";
  schedule: SchedulePolicy;
  maxHistoryDays: number | null;
  /**
   * Longest date window one read may cover (a bank's 30/60/90-day limit); the window adapters
   * split longer ranges, and the engine drops (removes nothing for) a window page longer than this.
   */
  maxWindowDays?: number | null;
  supportsPending: boolean;
  /**
   * Do transaction ids survive across refreshes? If not (false), the engine gives each row a
   * content-hash id plus its occurrence within the page (lib/sync/source.ts withContentIds);
   * such a provider must send window pages.
   */
  stableIds: boolean;
  consentLifetimeDays: number | null;
  /**
   * syncsPerDay: refreshes the provider allows per day (PSD2: 4 reads per account per day); the engine will not attempt more.
   * perMinute: provider calls (accounts, balances, snapshot, each transactions page, retries included) the engine
   * makes in any 60 seconds of one run; it sleeps (through its clock) rather than make more (lib/sync/pace.ts).
   */
  rateBudget: { perMinute?: number; perDay?: number; syncsPerDay?: number } | null;
  /**
   * Linking an institution the user already linked would create a second login with new
   * account and transaction ids (duplicates). When true, such a link is refused (and the
   * new login revoked) in favour of reconnecting the existing connection.
   */
  oneLoginPerInstitution?: boolean;
};

/**
 * A provider that counts requests per credential per day (SimpleFIN: 24): what the next
 * run would spend, worked out from stored state only (no provider call).
 */
export type RequestPlan = {
  perDay: number;
  /** Requests already spent today (UTC day). */
  used: number;
  /** Kept back from scheduled runs and from backfill, so a manual refresh stays possible. */
  reserve: number;
  /** Requests the next run must make in one go (reads that cannot be split). */
  required: number;
  /** Further requests it would like (the rest of a backfill); spent one committed page at a time, only while the budget allows. */
  optional: number;
  /** When today's budget refills (ms since epoch). */
  resetsAt: number;
};

export type FormField =
  | { name: string; label: string; kind: "select"; options: { value: string; label: string }[]; defaultValue?: string }
  | { name: string; label: string; kind: "text" | "password" | "number"; defaultValue?: string; hint?: string; autoComplete?: string };

/** A line of help shown with a form step: text, optionally followed by a link. */
export type HelpLine = { text: string; link?: { href: string; label: string } };

/**
 * A step of a link (or reconnect) flow. Pages render a step by its kind (and a widget by
 * its widget name) — never by connector id; whatever a step's UI needs travels in the step.
 */
export type LinkStrategy =
  /** The provider's own widget. `emulator`: the local stand-in is loaded instead of the provider's script. */
  | { kind: "widget"; widget: "plaid_link"; emulator?: boolean }
  | { kind: "widget"; widget: "teller_connect"; emulator?: boolean; applicationId?: string; environment?: "sandbox" | "development" | "production" }
  /** A guided consent (lib/consent/sessions.ts): pick a bank from the catalogue, approve at the bank. */
  | { kind: "consent_session" }
  /** A plain form; its fields are the connector's completeLink input. */
  | {
      kind: "form";
      fields: FormField[];
      /** Numbered instructions above the form, and notes (`sandboxNotes` only while the sandbox is on). */
      help?: { steps?: HelpLine[]; notes?: HelpLine[]; sandboxNotes?: HelpLine[] };
      /** Accessible name of the form. */
      label?: string;
    }
  | { kind: "file_upload"; accept: string[] };

export type WidgetStep = Extract<LinkStrategy, { kind: "widget" }>;

/**
 * What a provider widget needs from the server each time it opens, by widget (the same
 * names as the widget steps): Plaid Link a link token (new Item, or update mode on
 * reconnect); Teller Connect a one-time nonce it signs into the enrollment it returns.
 * Opaque to pages: the widget's own component reads it.
 */
export type WidgetStart = { widget: "plaid_link"; linkToken: string } | { widget: "teller_connect"; nonce: string };

/** Who the widget is opened for; `reconnect`: the stored credentials of the connection being repaired (ownership already checked). */
export type PrepareWidgetContext<C> = { userId: string; reconnect?: { credentials: C } };

/**
 * How a connection that needs the user (reauth_required) is repaired: the widget again in
 * update mode, a renewed consent session, a form with what the repair needs (a new setup
 * token, a one-time code), or `confirm` — one click, the stored credentials are tried again.
 */
export type ReconnectStrategy = Exclude<LinkStrategy, { kind: "file_upload" }> | { kind: "confirm" };

export type InstitutionInfo = {
  providerInstitutionId: string;
  name: string;
  country?: string | null;
  url?: string | null;
};

export type LinkResult<C> = {
  credentials: C;
  /** The provider's id of this login (Plaid item, Teller enrollment…), used to find it again. */
  providerItemId: string;
  institution: InstitutionInfo;
  displayName: string;
  consentExpiresAt?: Date | null;
};

export type FetchTransactionsInput = {
  cursor: string | null;
  /** Limit to these provider account ids (engine option). */
  accountIds?: string[];
  /**
   * Only transactions dated in this range (engine option; the cursor is not advanced).
   * Windowed sources pass it to the provider's own date filter instead of reading the
   * whole history and filtering afterwards.
   */
  dateRange?: { from?: IsoDate; to?: IsoDate };
  /**
   * At most this many rows a page (engine option: the embedded database keeps its page
   * transactions short). A connector whose provider API takes a page size (Plaid's `count`)
   * asks for min(this, its own page size); others ignore it.
   */
  pageSize?: number;
};

/** One refresh's accounts and balances from one provider call (a PSD2 accounts/get carries both). */
export type Snapshot = { accounts: NormalizedAccount[]; balances: NormalizedBalance[] };

/** What the engine hands a run's session. */
export type SyncRunContext<C> = {
  /**
   * Persist credentials the provider rotated during this run (a refreshed OAuth token, a
   * re-issued device cookie). Stored encrypted at once, before the call returns, so a crash
   * right after a refresh never loses the new token. Not fenced on the run's lease: once the
   * provider has rotated them, the new credentials are its truth even for a run that lost its lease.
   */
  saveCredentials(next: C): Promise<void>;
  /** Aborted when the run stops early (its lease was lost). */
  signal: AbortSignal;
};

/**
 * A per-run session (optional): state that lives exactly as long as one sync run — a login,
 * an accounts read shared by balances and transaction pages — instead of module memory.
 * The engine calls `close` once whatever happens (success, failure, abort).
 */
export interface SyncSession {
  /** Accounts and balances in one call (replaces listAccounts + getBalances for this run). */
  snapshot?(): Promise<Snapshot>;
  /** Transaction pages read through this session (replaces the connector's fetchTransactions for this run). */
  fetchTransactions?(input: FetchTransactionsInput): Promise<TransactionPage>;
  close(): Promise<void>;
}

export type WebhookEvent =
  | { kind: "sync"; providerItemId: string }
  | { kind: "reauth_required"; providerItemId: string; reason: string }
  | { kind: "ignored" };

export interface Connector<C = unknown> {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly capabilities: Capabilities;
  readonly link: LinkStrategy;
  /** How Reconnect repairs a login (absent: `confirm`, the stored credentials are tried again). */
  readonly reconnect?: ReconnectStrategy;
  /** Validates decrypted credentials before use. */
  readonly credentialsSchema: z.ZodType<C>;
  /**
   * Widget connectors: what the widget needs to open (called by the one generic action,
   * lib/actions/prepare-link-step.ts, right before it opens). Throws ConnectorError.
   */
  prepareWidget?(ctx: PrepareWidgetContext<C>): Promise<WidgetStart>;
  /** Finish the provider's link flow with what the user submitted. Throws ConnectorError. */
  completeLink(input: unknown, ctx: { userId: string; reconnect?: { credentials: C } }): Promise<LinkResult<C>>;
  /** Cheap check that the credentials still work. */
  checkAuth(credentials: C): Promise<{ ok: true } | { ok: false; code: "reauth_required" | "invalid_credentials" }>;
  listAccounts(credentials: C): Promise<NormalizedAccount[]>;
  getBalances(credentials: C): Promise<NormalizedBalance[]>;
  fetchTransactions(credentials: C, input: FetchTransactionsInput): Promise<TransactionPage>;
  /** Open a session for one sync run (see SyncSession). */
  openSession?(credentials: C, ctx: SyncRunContext<C>): Promise<SyncSession>;
  getIdentity?(credentials: C): Promise<Identity>;
  /** Request-budget providers: what the next run from `cursor` (or a partial run of `dateRange`) would spend (see RequestPlan). Never calls the provider. */
  planRequests?(credentials: C, input: { cursor: string | null; dateRange?: FetchTransactionsInput["dateRange"] }): Promise<RequestPlan>;
  /** Revoke access at the provider. Must succeed if already revoked. */
  disconnect(credentials: C): Promise<void>;
  verifyWebhook?(req: { headers: Headers; rawBody: string }): Promise<WebhookEvent>;
}

/** What a consent-session connector (link kind `consent_session`) does at the provider; lib/consent/sessions.ts drives it. */
export type ConsentSessionSteps = {
  startSession(input: { tenantUserId: string; skill: string }): Promise<{ sessionId: string; nonce: string }>;
  step(input: { sessionId: string; nonce: string; skill: string; step: "consent" | "finalize"; data?: Record<string, unknown> }): Promise<{ nonce: string; status: string; data: Record<string, unknown> }>;
};
export type ConsentSessionConnector<C = unknown> = Connector<C> & ConsentSessionSteps;

export function isConsentSessionConnector<C>(c: Connector<C>): c is ConsentSessionConnector<C> {
  const s = c as Partial<ConsentSessionSteps>;
  return c.link.kind === "consent_session" && typeof s.startSession === "function" && typeof s.step === "function";
}

/** Is this connector refreshed on schedule (`schedule: "auto"`)? Manual and interactive ones wait for the user. */
export function isScheduled(c: Pick<Connector<unknown>, "capabilities">): boolean {
  return c.capabilities.schedule === "auto";
}
