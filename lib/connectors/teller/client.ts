import https from "node:https";
import { ConnectorError, parseRetryAfter } from "../errors";

/**
 * Teller over HTTPS with mutual TLS (the client certificate Teller issues) and HTTP
 * Basic (access token as username, empty password). Knows Teller's error envelope and
 * maps it to the connector vocabulary.
 */
export type TellerTls = { cert: string; key: string; ca?: string };
export type TellerClientOptions = { baseUrl: string; tls: TellerTls | null; timeoutMs?: number };

export class TellerGone extends Error {
  override name = "TellerGone";
}

type TellerErrorBody = { error?: { code?: string; message?: string } };

export const DISCONNECT_REASONS: Record<string, string> = {
  disconnected: "The bank disconnected this login.",
  "disconnected.account_locked": "The bank locked the account. Unlock it at the bank, then reconnect.",
  "disconnected.credentials_invalid": "Your bank password changed. Reconnect to sign in again.",
  "disconnected.enrollment_inactive": "This connection was inactive for too long. Reconnect to resume.",
  "disconnected.user_action.captcha_required": "The bank wants you to solve a captcha. Reconnect to continue.",
  "disconnected.user_action.contact_information_required": "The bank needs you to update your contact details. Reconnect to continue.",
  "disconnected.user_action.insufficient_permissions": "This login lacks the permissions to read the account. Reconnect with another login.",
  "disconnected.user_action.mfa_required": "The bank needs a one-time code. Reconnect to continue.",
  "disconnected.user_action.web_login_required": "Sign in to your bank's website once, then reconnect.",
};

export function disconnectMessage(reason: string): string {
  return DISCONNECT_REASONS[reason.replace(/^enrollment\./, "")] ?? "The bank disconnected this login. Reconnect to resume.";
}

export class TellerClient {
  private resolved?: Promise<{ opts: TellerClientOptions; agent: https.Agent }>;
  /** Settings may be resolved lazily (the local Teller starts on first use). */
  constructor(private readonly settings: () => Promise<TellerClientOptions>) {}

  private connection() {
    this.resolved ??= this.settings().then((opts) => ({ opts, agent: new https.Agent({ keepAlive: true, ...(opts.tls ?? {}) }) }));
    return this.resolved;
  }

  async request<T>(method: "GET" | "DELETE", path: string, token: string): Promise<T> {
    const { opts, agent } = await this.connection();
    const url = new URL(path, opts.baseUrl);
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent,
          timeout: opts.timeoutMs ?? 30_000,
          headers: { authorization: `Basic ${Buffer.from(`${token}:`).toString("base64")}`, accept: "application/json", "teller-version": "2020-10-12" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const status = res.statusCode ?? 500;
            const text = Buffer.concat(chunks).toString("utf8");
            if (status === 204) return resolve(undefined as T);
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              body = undefined;
            }
            if (status >= 200 && status < 300) return resolve(body as T);
            reject(mapTellerError(status, body as TellerErrorBody, res.headers["retry-after"] as string | undefined));
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => reject(new ConnectorError("provider_unavailable", "Could not reach Teller.")));
      req.end();
    });
  }
}

export function mapTellerError(status: number, body: TellerErrorBody | undefined, retryAfter?: string): Error {
  const code = body?.error?.code ?? "unknown";
  const opts = { providerCode: code, status, retryAfterMs: parseRetryAfter(retryAfter ?? null) };
  if (code.startsWith("enrollment.disconnected")) return new ConnectorError("reauth_required", disconnectMessage(code), opts);
  if (status === 410) return new TellerGone(code);
  if (status === 403) return new ConnectorError("reauth_required", "Teller no longer accepts this connection's token. Reconnect to resume.", opts);
  if (status === 429) return new ConnectorError("rate_limited", undefined, opts);
  if (status >= 500) return new ConnectorError("provider_unavailable", undefined, opts);
  if (status === 400 && code === "bad_request") return new ConnectorError("invalid_request", "Teller refused the connection: the client certificate is missing or not accepted.", opts);
  return new ConnectorError("invalid_request", `Teller rejected the request (${code}).`, opts);
}
