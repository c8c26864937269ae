import { eq } from "drizzle-orm";
import { NextResponse } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { connections, consentSessions } from "@/db/schema";
import { actionResult, actionSession, authedAction } from "@/lib/actions/safe-action";
import { errorResponse } from "@/lib/api/handler";
import { toErrorResponse } from "@/lib/api/v1/define";
import { linkConnection, reconnectConnection } from "@/lib/connections/service";
import { ConnectorError } from "@/lib/connectors/errors";
import { createPlaidConnector } from "@/lib/connectors/plaid/connector";
import { consentState, pollConsent, startConsent, submitConsent, viewConsent } from "@/lib/consent/sessions";
import { EMULATOR_CLIENT_ID } from "@/emulators/plaid/server";
import { useDatabase } from "@/test/api-harness";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { finqwareHarness } from "@/test/finqware-harness";
import { seedUser } from "@/test/fixtures";
import { plaidHarness } from "@/test/plaid-harness";

/**
 * Errors at the provider boundary, mapped once: real connectors against their local
 * emulators throw ConnectorErrors; the action wrapper (lib/actions/safe-action.ts) and the
 * route wrappers (lib/api/handler.ts, lib/api/v1/define.ts) turn each into the right
 * message and status. Real database (PGlite and PostgreSQL): the action wrapper reads it,
 * and a failed reconnect must leave the connection as it was.
 */
let t: TestDatabase;
let plaid: Awaited<ReturnType<typeof plaidHarness>>;
let userId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  useDatabase(t);
  plaid = await plaidHarness();
});
afterAll(async () => {
  await plaid?.server.close();
  await t?.close();
});
beforeEach(async () => {
  await truncateAll(t);
  ({ userId } = await seedUser(t.db));
  actionSession.current = async () => ({ id: userId, email: "u@example.com", name: null, baseCurrency: "USD", sessionId: "test-session" });
});

/** An action that runs `fn` through the one action wrapper. */
const action = <T>(fn: () => Promise<T>) => authedAction(z.object({}), () => fn())(undefined, {});
const thrown = async (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const routeBodies = async (e: unknown) => {
  const app = errorResponse(e);
  const v1 = toErrorResponse(e);
  return { app: { status: app.status, body: await app.json(), retryAfter: app.headers.get("retry-after") }, v1: { status: v1.status, body: await (v1 as NextResponse).json(), retryAfter: v1.headers.get("retry-after") } };
};

describe("Plaid link-token errors are told apart", () => {
  it("Plaid down → 'unavailable, try again' (503), in the action and both route wrappers", async () => {
    plaid.emulator.failNext("INTERNAL_SERVER_ERROR", "/link/token/create");
    const e = await thrown(plaid.connector.createLinkToken({ userId, webhookUrl: null }));
    expect(e).toBeInstanceOf(ConnectorError);
    plaid.emulator.failNext("INTERNAL_SERVER_ERROR", "/link/token/create");
    const r = await action(() => plaid.connector.createLinkToken({ userId, webhookUrl: null }));
    expect(r).toEqual({ status: "error", code: "provider_unavailable", message: "The provider is unavailable right now. Nothing was changed; try again in a few minutes." });
    const { app, v1 } = await routeBodies(e);
    expect(app).toMatchObject({ status: 503, body: { error: { code: "provider_unavailable" } } });
    expect(v1).toMatchObject({ status: 503, body: { error: { code: "provider_unavailable", message: expect.stringMatching(/try again/) } } });
  });

  it("Plaid's rate limit → 429 with Retry-After and 'try again in a minute'", async () => {
    plaid.emulator.failNext("RATE_LIMIT", "/link/token/create");
    const e = await thrown(plaid.connector.createLinkToken({ userId, webhookUrl: null }));
    plaid.emulator.failNext("RATE_LIMIT", "/link/token/create");
    const r = await action(() => plaid.connector.createLinkToken({ userId, webhookUrl: null }));
    expect(r).toEqual({ status: "error", code: "rate_limited", message: "The provider is receiving too many requests. Try again in a minute." });
    const { app, v1 } = await routeBodies(e);
    expect(app).toMatchObject({ status: 429, retryAfter: "60", body: { error: { code: "rate_limited" } } });
    expect(v1).toMatchObject({ status: 429, retryAfter: "60", body: { error: { code: "rate_limited" } } });
  });

  it("keys Plaid refuses → a configuration error for the administrator (not an outage), and the secret is never in it", async () => {
    const secret = "wrong-secret-0123456789abcdef";
    const bad = createPlaidConnector({ clientId: EMULATOR_CLIENT_ID, secret, environment: "emulator", basePath: plaid.server.url });
    const e = await thrown(bad.createLinkToken({ userId, webhookUrl: null }));
    expect(e).toMatchObject({ code: "invalid_request", opts: { misconfigured: true, providerCode: "INVALID_API_KEYS" } });
    const r = await action(() => bad.createLinkToken({ userId, webhookUrl: null }));
    expect(r).toEqual({
      status: "error",
      code: "provider_misconfigured",
      message: "Plaid refused this server's configuration (INVALID_API_KEYS). An administrator needs to check the Plaid keys and environment.",
    });
    const { app, v1 } = await routeBodies(e);
    expect(app.status).toBe(503);
    expect(v1).toMatchObject({ status: 503, body: { error: { code: "provider_misconfigured" } } });
    expect(JSON.stringify([r, app, v1])).not.toContain(secret);
  });
});

describe("Reconnect during a provider outage", () => {
  it("says the provider is unavailable (try again), not 'reconnect', and leaves the connection as it was", async () => {
    const { connectionId } = await linkConnection(t.db, { userId, connectorId: "plaid", payload: await plaid.linkPayload("user_good", "pass_good", userId) }, { connector: plaid.connector });
    await t.db.update(connections).set({ status: "reauth_required", lastErrorCode: "reauth_required" }).where(eq(connections.id, connectionId));
    plaid.emulator.failNext("INTERNAL_SERVER_ERROR", "/item/get");
    const r = await action(() => reconnectConnection(t.db, { userId, connectionId }, { connector: plaid.connector }));
    expect(r).toMatchObject({ status: "error", code: "provider_unavailable" });
    expect(r.status === "error" && r.message).toMatch(/unavailable.*try again/i);
    expect(r.status === "error" && r.message).not.toMatch(/reconnect|sign in again/i);
    const [c] = await t.db.select({ status: connections.status }).from(connections).where(eq(connections.id, connectionId));
    expect(c!.status).toBe("reauth_required");

    // Once Plaid is back, the same Reconnect repairs it.
    const ok = await action(() => reconnectConnection(t.db, { userId, connectionId }, { connector: plaid.connector }));
    expect(ok).toEqual({ status: "success", data: undefined });
    const [after] = await t.db.select({ status: connections.status }).from(connections).where(eq(connections.id, connectionId));
    expect(after!.status).toBe("active");
  });
});

describe("connector messages reach the user", () => {
  it("each code: the connector's safe message, background-retry wording made interactive", async () => {
    const cases: [ConnectorError, { code: string; message: string }][] = [
      [new ConnectorError("provider_unavailable", "The bank's web banking is not responding right now. We'll retry automatically."), { code: "provider_unavailable", message: "The bank's web banking is not responding right now. Try again in a few minutes." }],
      [new ConnectorError("rate_limited", "The bank's daily access limit is reached. Try again tomorrow."), { code: "rate_limited", message: "The bank's daily access limit is reached. Try again tomorrow." }],
      [new ConnectorError("reauth_required", "Your consent with the bank has expired. Renew it to resume syncing."), { code: "reauth_required", message: "Your consent with the bank has expired. Renew it to resume syncing." }],
      [new ConnectorError("invalid_credentials"), { code: "invalid_credentials", message: "Those credentials were not accepted by the provider." }],
      [new ConnectorError("invalid_request", "That setup token doesn't look like a SimpleFIN setup token."), { code: "invalid_request", message: "That setup token doesn't look like a SimpleFIN setup token." }],
    ];
    for (const [e, want] of cases) {
      expect(await action(() => Promise.reject(e))).toEqual({ status: "error", ...want });
      const { app, v1 } = await routeBodies(e);
      expect(app.body.error).toEqual(want);
      expect(v1.body.error).toEqual(want);
    }
    const statuses = await Promise.all(cases.map(async ([e]) => (await routeBodies(e)).v1.status));
    expect(statuses).toEqual([503, 429, 409, 400, 400]);
    // Anything else stays generic (its detail only in the server log).
    expect(await action(() => Promise.reject(new Error("connect ECONNREFUSED secret-host:5432")))).toEqual({
      status: "error",
      code: "internal",
      message: "Something went wrong on our side. Please try again.",
    });
  });

  it("a safe message thrown at consent finalisation ends the session with that message (not 'Something went wrong', not endless polling)", async () => {
    const h = finqwareHarness();
    const { sessionId } = await startConsent(t.db, { userId, skillCode: "bt_ro_aisp_sbx_#2.0" }, h.deps);
    const v = await viewConsent(t.db, { userId, sessionId }, h.deps);
    await submitConsent(t.db, { userId, sessionId, nonce: v.nonce!, consentDays: 90, returnUrl: "http://app.test/back" }, h.deps);
    h.emulator.failNext(400, "invalid_request", "consent_scope_mismatch");
    const r = await pollConsent(t.db, { userId, sessionId }, h.deps);
    expect(r).toEqual({ status: "rejected", message: "Injected fault." });
    const state = await consentState(t.db, { userId, sessionId }, h.deps);
    expect(state).toMatchObject({ status: "rejected", failure: "Injected fault." });
    // An outage at finalisation keeps the session waiting (the next poll asks again).
    const second = await startConsent(t.db, { userId, skillCode: "bt_ro_aisp_sbx_#2.0" }, h.deps);
    const v2 = await viewConsent(t.db, { userId, sessionId: second.sessionId }, h.deps);
    await submitConsent(t.db, { userId, sessionId: second.sessionId, nonce: v2.nonce!, consentDays: 90, returnUrl: "http://app.test/back" }, h.deps);
    h.emulator.failNext(503, "api_error", "external_api_connection_error");
    await expect(pollConsent(t.db, { userId, sessionId: second.sessionId }, h.deps)).rejects.toMatchObject({ code: "provider_unavailable" });
    const [s2] = await t.db.select({ status: consentSessions.status }).from(consentSessions).where(eq(consentSessions.id, second.sessionId));
    expect(s2!.status).toBe("awaiting_sca");
  });
});

describe("explicit action results", () => {
  it("a handler's object with a `status` key is its data; only actionResult() answers with a status", async () => {
    const domain = { status: "ok", valuations: 3 };
    expect(await action(async () => domain)).toEqual({ status: "success", data: domain });
    const state = { status: "error", message: "a consent session's own status" };
    expect(await action(async () => state)).toEqual({ status: "success", data: state });
    expect(await action(async () => actionResult({ status: "invalid" as const, fieldErrors: { otp: ["Enter the code."] } }))).toEqual({ status: "invalid", fieldErrors: { otp: ["Enter the code."] } });
  });
});
