import { ConnectorError } from "../errors";

/** Finqware v1 over HTTPS: every call a JSON POST; errors `{id, type, http, code, message}`. */
export type FinqwareSettings = { baseUrl: string; clientId: string; clientSecret: string; appKey: string; fetch?: typeof fetch };

type FqError = { type?: string; code?: string; message?: string };

export function mapFinqwareError(status: number, e: FqError): ConnectorError {
  const code = e.code ?? "unknown";
  const opts = { providerCode: code, status };
  if (code === "expired_credentials" || code === "inactive_credentials" || code === "invalid_access_token" || code === "external_api_unauthorized")
    return new ConnectorError("reauth_required", code === "expired_credentials" ? "Your consent with the bank has expired. Renew it to resume syncing." : undefined, opts);
  if (code === "external_api_too_many_requests" || status === 429) return new ConnectorError("rate_limited", "The bank's daily access limit is reached. Try again tomorrow.", opts);
  if (code === "invalid_temp_token" || code === "tpp_redirect_error") return new ConnectorError("invalid_credentials", e.message, opts);
  if (status >= 500 || code === "external_api_connection_error") return new ConnectorError("provider_unavailable", undefined, opts);
  return new ConnectorError("invalid_request", e.message ?? `Finqware rejected the request (${code}).`, opts);
}

export class FinqwareClient {
  constructor(private readonly s: FinqwareSettings) {}

  async post<T>(path: string, body: Record<string, unknown>, withSecret = true): Promise<T> {
    let res: Response;
    try {
      res = await (this.s.fetch ?? fetch)(`${this.s.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ client_id: this.s.clientId, ...(withSecret ? { client_secret: this.s.clientSecret } : { client_app_key: this.s.appKey }), ...body }),
      });
    } catch {
      throw new ConnectorError("provider_unavailable", "Could not reach Finqware.");
    }
    const json = (await res.json().catch(() => ({}))) as unknown;
    if (!res.ok) throw mapFinqwareError(res.status, json as FqError);
    return json as T;
  }
}
