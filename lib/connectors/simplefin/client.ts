import { ConnectorError } from "../errors";
import { sanitizeMessage } from "./normalize";

/**
 * SimpleFIN over plain HTTP. The Access URL's credentials are taken out of the URL and
 * sent as an HTTP Basic header (fetch() refuses credentials in URLs); neither the URL nor
 * a response body ever ends up in an error message.
 */

export type SimplefinSettings = {
  /** Defaults to global fetch; the sandbox routes to the in-process emulator. */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
};

export const TOKEN_MALFORMED =
  "That doesn't look like a SimpleFIN setup token. Copy the whole token from your SimpleFIN Bridge (a long string of letters and digits) and paste it again.";
export const TOKEN_REFUSED =
  "SimpleFIN Bridge refused this setup token: it is unknown or was already claimed. If you did not claim it yourself it may be compromised — disable it at your bridge, then create a new token and paste that.";

/** Setup token → claim URL. Throws (with a user-facing message, no request made) when malformed. */
export function decodeSetupToken(token: unknown): URL {
  if (typeof token !== "string" || !token.trim()) throw new ConnectorError("invalid_request", "Paste your SimpleFIN setup token.");
  const compact = token.replace(/\s+/g, "");
  if (compact.length > 2048 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) throw new ConnectorError("invalid_request", TOKEN_MALFORMED);
  const decoded = Buffer.from(compact.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
  let url: URL;
  try {
    url = new URL(decoded);
  } catch {
    throw new ConnectorError("invalid_request", TOKEN_MALFORMED);
  }
  if (url.protocol !== "https:" || url.username || url.password || !/\S/.test(url.pathname.replace(/\//g, ""))) throw new ConnectorError("invalid_request", TOKEN_MALFORMED);
  return url;
}

export type AccessParts = { base: string; authorization: string; host: string };

/** `https://user:pass@host/path` → base URL without credentials + a Basic header. */
export function splitAccessUrl(accessUrl: string): AccessParts {
  let u: URL;
  try {
    u = new URL(accessUrl);
  } catch {
    throw new ConnectorError("reauth_required", "The stored SimpleFIN access is unreadable. Link SimpleFIN again with a new setup token.");
  }
  if (u.protocol !== "https:" || !u.username) throw new ConnectorError("reauth_required", "The stored SimpleFIN access is unreadable. Link SimpleFIN again with a new setup token.");
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString("base64")}`;
  u.username = "";
  u.password = "";
  return { base: u.toString().replace(/\/$/, ""), authorization, host: u.host };
}

export type AccountsQuery = { startDate?: number; endDate?: number; pending?: boolean; balancesOnly?: boolean; accounts?: string[]; version?: 1 | 2 };

export class SimplefinClient {
  private readonly fetch: (input: string, init?: RequestInit) => Promise<Response>;
  constructor(settings: SimplefinSettings = {}) {
    this.fetch = settings.fetch ?? ((i, init) => fetch(i, init));
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(60_000) });
    } catch {
      throw new ConnectorError("provider_unavailable", "SimpleFIN Bridge could not be reached. We'll try again later.");
    }
  }

  /** POST the claim URL (empty body) → the Access URL, once. */
  async claim(claimUrl: URL): Promise<string> {
    const res = await this.send(claimUrl.toString(), { method: "POST", headers: { "content-length": "0" }, body: "" });
    if (res.status === 403) throw new ConnectorError("invalid_credentials", TOKEN_REFUSED, { status: 403 });
    if (!res.ok) throw statusError(res.status, res.headers);
    const text = (await res.text()).trim();
    try {
      const u = new URL(text);
      if (u.protocol === "https:" && u.username && u.password) return text;
    } catch {
      /* fall through */
    }
    throw new ConnectorError("provider_unavailable", "SimpleFIN Bridge answered the claim with something that is not an access URL. Try again with a new setup token.");
  }

  /** GET {access}/accounts: status mapped to the error vocabulary, JSON parsed. */
  async accounts(access: AccessParts, q: AccountsQuery): Promise<unknown> {
    const p = new URLSearchParams();
    if (q.startDate !== undefined) p.set("start-date", String(q.startDate));
    if (q.endDate !== undefined) p.set("end-date", String(q.endDate));
    if (q.pending) p.set("pending", "1");
    if (q.balancesOnly) p.set("balances-only", "1");
    for (const a of q.accounts ?? []) p.append("account", a);
    if (q.version === 2) p.set("version", "2");
    const res = await this.send(`${access.base}/accounts?${p}`, { method: "GET", headers: { authorization: access.authorization, accept: "application/json" } });
    if (!res.ok) {
      const bridgeSays = res.status === 402 ? await res.json().then((b: { errors?: unknown[] }) => sanitizeMessage(b?.errors?.[0]), () => null) : null;
      throw statusError(res.status, res.headers, bridgeSays);
    }
    try {
      return await res.json();
    } catch {
      throw new ConnectorError("provider_unavailable", "SimpleFIN Bridge sent an unreadable answer. We'll try again later.");
    }
  }
}

export function statusError(status: number, headers: Headers, bridgeSays: string | null = null): ConnectorError {
  if (status === 402)
    return new ConnectorError("invalid_credentials", `Payment required at your SimpleFIN Bridge${bridgeSays ? ` (“${bridgeSays}”)` : ""}. Renew your subscription there, then refresh.`, { status, providerCode: "payment_required" });
  if (status === 401 || status === 403)
    return new ConnectorError("reauth_required", "SimpleFIN Bridge refused this access: it was revoked or disabled. Reconnect by linking SimpleFIN again with a new setup token.", { status });
  if (status === 429) {
    const ra = Number(headers.get("retry-after"));
    return new ConnectorError("rate_limited", undefined, { status, retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined });
  }
  if (status >= 500) return new ConnectorError("provider_unavailable", "SimpleFIN Bridge is not responding right now. We'll try again later.", { status });
  return new ConnectorError("invalid_request", `SimpleFIN Bridge rejected the request (HTTP ${status}).`, { status });
}
