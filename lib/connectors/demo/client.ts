import { ConnectorError, parseRetryAfter } from "../errors";

/**
 * HTTP client for the Demo Bank API (emulators/demo). Knows the wire format and the
 * error codes; maps every failure to the connector error vocabulary.
 */
export type DemoClientOptions = { baseUrl: string; fetch?: typeof fetch };

export type DemoWireAccount = {
  account_id: string;
  name: string;
  official_name: string | null;
  type: string;
  subtype: string | null;
  mask: string | null;
  iban: string | null;
  balances: { current: string | null; available: string | null; limit: string | null; iso_currency_code: string };
};

export type DemoWireTransaction = {
  transaction_id: string;
  account_id: string;
  pending: boolean;
  pending_transaction_id: string | null;
  date: string;
  authorized_date: string | null;
  amount: string;
  iso_currency_code: string;
  description: string;
  merchant_name: string | null;
  counterparty: string | null;
  category: string | null;
  type: string | null;
};

export type DemoSyncResponse = {
  added: DemoWireTransaction[];
  modified: DemoWireTransaction[];
  removed: { transaction_id: string; account_id: string }[];
  next_cursor: string;
  has_more: boolean;
};

export type DemoLinkResponse = {
  access_token: string;
  item_id: string;
  institution: { institution_id: string; name: string; country: string; url: string };
};

export class DemoClient {
  private readonly fetchImpl: typeof fetch;
  constructor(private readonly opts: DemoClientOptions) {
    this.fetchImpl = opts.fetch ?? fetch;
  }

  private async call<T>(method: "GET" | "POST", path: string, init: { token?: string; body?: unknown } = {}): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.opts.baseUrl}${path}`, {
        method,
        headers: {
          accept: "application/json",
          ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      });
    } catch {
      throw new ConnectorError("provider_unavailable", "Could not reach the demo bank.");
    }
    if (res.ok) return (await res.json()) as T;
    let code = "UNKNOWN";
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      /* non-JSON error body */
    }
    const opts = { providerCode: code, status: res.status, retryAfterMs: parseRetryAfter(res.headers.get("retry-after")) };
    if (res.status === 401 && code === "INVALID_CREDENTIALS") throw new ConnectorError("invalid_credentials", undefined, opts);
    if (res.status === 401) throw new ConnectorError("reauth_required", undefined, opts);
    if (res.status === 429) throw new ConnectorError("rate_limited", undefined, opts);
    if (res.status >= 500) throw new ConnectorError("provider_unavailable", undefined, opts);
    throw new ConnectorError("invalid_request", `The demo bank rejected the request: ${message}`, opts);
  }

  link(body: Record<string, unknown>) {
    return this.call<DemoLinkResponse>("POST", "/link", { body });
  }
  accounts(token: string) {
    return this.call<{ accounts: DemoWireAccount[]; as_of: string }>("GET", "/accounts", { token });
  }
  sync(token: string, cursor: string | null, count: number) {
    const q = new URLSearchParams({ count: String(count), ...(cursor ? { cursor } : {}) });
    return this.call<DemoSyncResponse>("GET", `/transactions/sync?${q}`, { token });
  }
  identity(token: string) {
    return this.call<{ owners: { names: string[]; emails: string[]; phone_numbers: string[]; addresses: string[] }[] }>("GET", "/identity", { token });
  }
  remove(token: string) {
    return this.call<{ removed: boolean }>("POST", "/item/remove", { token, body: {} });
  }
}
