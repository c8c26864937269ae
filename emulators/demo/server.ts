import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import {
  balancesOf,
  buildLedger,
  centsToDecimal,
  DEMO_INSTITUTIONS,
  DEMO_MODES,
  type DemoItem,
  type DemoMode,
  type DemoTransaction,
  type Ledger,
} from "./ledger";

/**
 * The Demo Bank API: a small aggregator-style JSON API (bearer tokens, a change-log
 * cursor, typed errors, Retry-After) served as a `(Request) => Response` handler. The
 * app mounts it in-process and over HTTP at /sandbox/demo; tests call it directly.
 *
 * Tokens are self-describing (signed item parameters), so the emulator needs no storage
 * and survives restarts; only revocations and fault switches live in memory.
 */

export type Fault = { status: number; code: string; message?: string; retryAfterSeconds?: number; times?: number };

export type DemoEmulatorOptions = {
  now?: () => number;
  /** Default tick length for new items (ms). */
  tickMs?: number;
};

const SIGNING_KEY = "ledgerlink-demo-bank-emulator";

function sign(payload: string): string {
  return createHmac("sha256", SIGNING_KEY).update(payload).digest("base64url");
}

export function encodeToken(item: DemoItem): string {
  const payload = Buffer.from(JSON.stringify(item)).toString("base64url");
  return `demo-access-${payload}.${sign(payload)}`;
}

export function decodeToken(token: string): DemoItem | null {
  const m = /^demo-access-([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!m) return null;
  const expected = Buffer.from(sign(m[1]!));
  const given = Buffer.from(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    return JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")) as DemoItem;
  } catch {
    return null;
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json({ error: { code, message } }, status, headers);

export function wireTransaction(t: DemoTransaction) {
  return {
    transaction_id: t.transaction_id,
    account_id: t.account_id,
    pending: t.pending,
    pending_transaction_id: t.pending_transaction_id,
    date: t.date,
    authorized_date: t.authorized_date,
    amount: centsToDecimal(t.amount_cents),
    iso_currency_code: t.currency,
    description: t.description,
    merchant_name: t.merchant_name,
    counterparty: t.counterparty,
    category: t.category,
    type: t.type,
  };
}

export type DemoWireTransaction = ReturnType<typeof wireTransaction>;

export class DemoEmulator {
  readonly now: () => number;
  readonly tickMs: number;
  private readonly revoked = new Set<string>();
  private readonly faults: Fault[] = [];
  private readonly requestCounts = new Map<string, number>();
  private cache = new Map<string, { ticks: number; ledger: Ledger }>();

  constructor(opts: DemoEmulatorOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.tickMs = opts.tickMs ?? 60_000;
  }

  /** Fault switch: the next data requests fail like this (each fault `times` times, default 1). */
  injectFault(f: Fault): void {
    this.faults.push({ times: 1, ...f });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** The ledger as of now (ground truth for tests). */
  ledger(item: DemoItem): Ledger {
    const ticks = Math.max(0, Math.floor((this.now() - item.linkedAt) / item.tickMs));
    const hit = this.cache.get(item.itemId);
    if (hit && hit.ticks === ticks) return hit.ledger;
    const ledger = buildLedger(item, this.now());
    if (this.cache.size > 50) this.cache.clear();
    this.cache.set(item.itemId, { ticks, ledger });
    return ledger;
  }

  readonly handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^.*?\/(?=(institutions|link|accounts|transactions|identity|item)(\/|$))/, "/");
    try {
      if (req.method === "GET" && path === "/institutions") return json({ institutions: DEMO_INSTITUTIONS });
      if (req.method === "POST" && path === "/link") return await this.link(req);

      const auth = req.headers.get("authorization") ?? "";
      const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
      const item = decodeToken(token);
      if (!item || this.revoked.has(item.itemId)) return error(401, "INVALID_ACCESS_TOKEN", "the access token is invalid or was revoked");

      if (req.method === "POST" && path === "/item/remove") {
        this.revoked.add(item.itemId);
        return json({ removed: true });
      }
      const failure = this.failure(item);
      if (failure) return failure;

      if (req.method === "GET" && path === "/accounts") return this.accounts(item);
      if (req.method === "GET" && path === "/transactions/sync") return this.sync(item, url);
      if (req.method === "GET" && path === "/identity")
        return json({
          owners: [{ names: ["Alex Demo"], emails: ["alex.demo@example.com"], phone_numbers: ["+1 555 0100"], addresses: ["1 Platypus Way, Springfield, US"] }],
        });
      return error(404, "NOT_FOUND", `no route for ${req.method} ${path}`);
    } catch (e) {
      if (e instanceof SyntaxError) return error(400, "INVALID_BODY", "request body must be JSON");
      throw e;
    }
  };

  private failure(item: DemoItem): Response | null {
    const f = this.faults[0];
    if (f) {
      if (--f.times! <= 0) this.faults.shift();
      return error(f.status, f.code, f.message ?? "injected fault", f.retryAfterSeconds !== undefined ? { "retry-after": String(f.retryAfterSeconds) } : {});
    }
    switch (item.mode) {
      case "error":
        return error(500, "INTERNAL_SERVER_ERROR", "the bank's systems are unavailable");
      case "reauth":
        return error(401, "ITEM_LOGIN_REQUIRED", "the login details of this item have changed; a user login is required");
      case "flaky": {
        const n = (this.requestCounts.get(item.itemId) ?? 0) + 1;
        this.requestCounts.set(item.itemId, n);
        if (n % 3 === 1) return error(503, "TEMPORARILY_UNAVAILABLE", "try again shortly", { "retry-after": "1" });
        return null;
      }
      default:
        return null;
    }
  }

  private async link(req: Request): Promise<Response> {
    const body = (await req.json()) as Record<string, unknown>;
    if (body.password === "wrong") return error(401, "INVALID_CREDENTIALS", "the username or password is incorrect");
    const mode = (body.mode ?? "default") as DemoMode;
    if (!DEMO_MODES.includes(mode)) return error(400, "INVALID_FIELD", `mode must be one of ${DEMO_MODES.join(", ")}`);

    // Update mode: re-authenticate an existing item (same accounts, same history).
    if (typeof body.access_token === "string") {
      const prev = decodeToken(body.access_token);
      if (!prev) return error(400, "INVALID_ACCESS_TOKEN", "cannot reconnect: unknown item");
      this.revoked.delete(prev.itemId);
      const item = { ...prev, mode };
      return json({ access_token: encodeToken(item), item_id: item.itemId, institution: DEMO_INSTITUTIONS.find((i) => i.institution_id === item.institutionId) });
    }

    const inst = DEMO_INSTITUTIONS.find((i) => i.institution_id === body.institution_id);
    if (!inst) return error(400, "INVALID_INSTITUTION", "unknown institution_id");
    const historyDays = body.history_days === undefined ? 730 : Number(body.history_days);
    if (!Number.isInteger(historyDays) || historyDays < 1 || historyDays > 3660)
      return error(400, "INVALID_FIELD", "history_days must be a whole number from 1 to 3660");
    const density = body.density === undefined ? 1 : Number(body.density);
    if (!(density > 0 && density <= 10)) return error(400, "INVALID_FIELD", "density must be in (0, 10]");
    if (body.tick_seconds !== undefined && !(typeof body.tick_seconds === "number" && body.tick_seconds >= 10 && body.tick_seconds <= 86_400))
      return error(400, "INVALID_FIELD", "tick_seconds must be a number from 10 to 86400");
    const itemId = typeof body.item_id === "string" ? body.item_id.slice(0, 100) : `item-${randomUUID().slice(0, 8)}`;
    const item: DemoItem = {
      itemId,
      institutionId: inst.institution_id,
      seed: typeof body.seed === "number" ? body.seed : Math.floor(Math.random() * 2 ** 31),
      mode,
      historyDays,
      linkedAt: this.now(),
      density,
      tickMs: typeof body.tick_seconds === "number" ? body.tick_seconds * 1000 : this.tickMs,
    };
    return json({ access_token: encodeToken(item), item_id: itemId, institution: inst });
  }

  private accounts(item: DemoItem): Response {
    const ledger = this.ledger(item);
    const balances = balancesOf(ledger);
    return json({
      item: { item_id: item.itemId, institution_id: item.institutionId },
      as_of: new Date(this.now()).toISOString(),
      accounts: ledger.accounts.map((a) => {
        const b = balances.get(a.account_id)!;
        return {
          account_id: a.account_id,
          name: a.name,
          official_name: a.official_name,
          type: a.type,
          subtype: a.subtype,
          mask: a.mask,
          iban: a.iban,
          balances: {
            current: centsToDecimal(b.current),
            available: centsToDecimal(b.available),
            limit: b.limit === null ? null : centsToDecimal(b.limit),
            iso_currency_code: a.currency,
          },
        };
      }),
    });
  }

  private sync(item: DemoItem, url: URL): Response {
    const countRaw = url.searchParams.get("count");
    const count = countRaw === null ? 100 : Number(countRaw);
    if (!Number.isInteger(count) || count < 1 || count > 500) return error(400, "INVALID_FIELD", "count must be a whole number from 1 to 500");
    const cursor = url.searchParams.get("cursor");
    let from = 0;
    if (cursor) {
      const m = /^v1:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
      if (!m) return error(400, "INVALID_CURSOR", "cursor is not valid");
      from = Number(m[1]);
    }
    const { events } = this.ledger(item);
    if (from > events.length) return error(400, "INVALID_CURSOR", "cursor is from the future");
    const slice = events.slice(from, from + count);
    const added = [];
    const modified = [];
    const removed = [];
    for (const e of slice) {
      if (e.kind === "add") added.push(wireTransaction(e.tx));
      else if (e.kind === "modify") modified.push(wireTransaction(e.tx));
      else removed.push({ transaction_id: e.transaction_id, account_id: e.account_id });
    }
    const next = from + slice.length;
    return json({
      added,
      modified,
      removed,
      next_cursor: Buffer.from(`v1:${next}`).toString("base64url"),
      has_more: next < events.length,
    });
  }
}

const g = globalThis as unknown as { __ledgerlinkDemoEmulator?: DemoEmulator };

/** The process-wide emulator the app uses in demo mode. */
export function demoEmulator(): DemoEmulator {
  g.__ledgerlinkDemoEmulator ??= new DemoEmulator();
  return g.__ledgerlinkDemoEmulator;
}
