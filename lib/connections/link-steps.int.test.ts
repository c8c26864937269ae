import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { auditLog, connections } from "@/db/schema";
import { prepareLinkStepAction } from "@/lib/actions/prepare-link-step";
import { actionSession, authedAction } from "@/lib/actions/safe-action";
import { consumeLinkNonce } from "@/lib/connections/nonces";
import { linkConnection, prepareLinkStep } from "@/lib/connections/service";
import { sealSecret } from "@/lib/crypto";
import { useDatabase } from "@/test/api-harness";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedUser } from "@/test/fixtures";
import { plaidHarness } from "@/test/plaid-harness";

/**
 * The one server step before a provider widget opens (lib/actions/prepare-link-step.ts →
 * prepareLinkStep → the connector's prepareWidget). Teller runs through the real action and
 * the registry (its nonce store is this database); Plaid through prepareLinkStep with the real
 * connector against the local Plaid, inside the same action wrapper, so provider errors are
 * mapped exactly as the action maps them.
 */
let t: TestDatabase;
let plaid: Awaited<ReturnType<typeof plaidHarness>>;
let alice: string;
let bob: string;

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
  ({ userId: alice } = await seedUser(t.db));
  ({ userId: bob } = await seedUser(t.db));
  signIn(alice);
});

const signIn = (userId: string) => {
  actionSession.current = async () => ({ id: userId, email: "u@example.com", name: null, baseCurrency: "USD", sessionId: "test-session" });
};

/** prepareLinkStep for Plaid (the harness's connector) through the one action wrapper, as the signed-in user. */
const preparePlaid = (reconnectConnectionId?: string) =>
  authedAction(z.object({}), async (_input, { db, user }) => prepareLinkStep(db, { userId: user.id, connectorId: "plaid", reconnectConnectionId }, { connector: plaid.connector }))(undefined, {});

/** A stored Teller connection of `userId` (credentials sealed as the app stores them). */
async function tellerConnection(userId: string, status: "active" | "reauth_required" | "disconnected" = "reauth_required") {
  const id = crypto.randomUUID();
  await t.db.insert(connections).values({ id, userId, connectorId: "teller", displayName: "Chase", status, providerItemId: `enr_${id.slice(0, 8)}`, credentials: sealSecret({ accessToken: "token_x", enrollmentId: `enr_${id.slice(0, 8)}` }, id) });
  return id;
}

/** Does the local Plaid open this link token in update mode (the login of one Item)? */
async function updateMode(linkToken: string): Promise<boolean> {
  const res = await plaid.emulator.handle(new Request(`http://plaid/link/sandbox/institutions?link_token=${encodeURIComponent(linkToken)}`));
  expect(res.status).toBe(200);
  return ((await res.json()) as { update_mode: boolean }).update_mode;
}

describe("prepareLinkStepAction (the registry's connectors)", () => {
  it("Teller: a one-time nonce bound to the signed-in user, for a new link and for repairing their own connection", async () => {
    const r = await prepareLinkStepAction(undefined, { connectorId: "teller" });
    expect(r).toMatchObject({ status: "success", data: { widget: "teller_connect", nonce: expect.any(String) } });
    const nonce = r.status === "success" && r.data.widget === "teller_connect" ? r.data.nonce : "";
    expect(await consumeLinkNonce(t.db, { userId: bob, connectorId: "teller", nonce })).toBe(false);
    expect(await consumeLinkNonce(t.db, { userId: alice, connectorId: "teller", nonce })).toBe(true);
    expect(await consumeLinkNonce(t.db, { userId: alice, connectorId: "teller", nonce })).toBe(false);

    const mine = await tellerConnection(alice);
    const again = await prepareLinkStepAction(undefined, { connectorId: "teller", reconnectConnectionId: mine });
    expect(again).toMatchObject({ status: "success", data: { widget: "teller_connect" } });
  });

  it("another user's connection answers not_found (and lands in the caller's audit trail); so do a disconnected one and one of another provider", async () => {
    const bobs = await tellerConnection(bob);
    const r = await prepareLinkStepAction(undefined, { connectorId: "teller", reconnectConnectionId: bobs });
    expect(r).toEqual({ status: "error", code: "not_found", message: "That connection does not exist." });
    const denied = await t.db.select().from(auditLog).where(eq(auditLog.userId, alice));
    expect(denied.map((a) => a.targetId)).toContain(bobs);

    const gone = await tellerConnection(alice, "disconnected");
    expect(await prepareLinkStepAction(undefined, { connectorId: "teller", reconnectConnectionId: gone })).toMatchObject({ status: "error", code: "not_found" });
    const tellerOne = await tellerConnection(alice);
    expect(await preparePlaid(tellerOne)).toMatchObject({ status: "error", code: "not_found" });
  });

  it("an unknown provider, one without a widget and a malformed connection id are refused with a clear message", async () => {
    expect(await prepareLinkStepAction(undefined, { connectorId: "nope" })).toEqual({ status: "error", code: "invalid_input", message: 'There is no provider called "nope".' });
    expect(await prepareLinkStepAction(undefined, { connectorId: "file" })).toEqual({
      status: "error",
      code: "invalid_input",
      message: "Linking with Statement files needs no provider widget: there is nothing to start.",
    });
    expect(await prepareLinkStepAction(undefined, { connectorId: "teller", reconnectConnectionId: "x" })).toMatchObject({ status: "invalid", fieldErrors: { reconnectConnectionId: ["Unknown connection."] } });
  });

  it("signed out: unauthorized, nothing issued", async () => {
    actionSession.current = async () => null;
    expect(await prepareLinkStepAction(undefined, { connectorId: "teller" })).toMatchObject({ status: "error", code: "unauthorized" });
  });
});

describe("prepareLinkStep with Plaid (real connector, local Plaid)", () => {
  it("a new link gets a link token for a new Item; a reconnect of the user's own Item gets update mode", async () => {
    const fresh = await preparePlaid();
    expect(fresh).toMatchObject({ status: "success", data: { widget: "plaid_link", linkToken: expect.stringMatching(/^link-sandbox-/) } });
    expect(await updateMode(fresh.status === "success" && fresh.data.widget === "plaid_link" ? fresh.data.linkToken : "")).toBe(false);

    const { connectionId } = await linkConnection(t.db, { userId: alice, connectorId: "plaid", payload: await plaid.linkPayload("user_good", "pass_good", alice) }, { connector: plaid.connector });
    const repair = await preparePlaid(connectionId);
    expect(repair).toMatchObject({ status: "success", data: { widget: "plaid_link" } });
    expect(await updateMode(repair.status === "success" && repair.data.widget === "plaid_link" ? repair.data.linkToken : "")).toBe(true);

    // Bob cannot get an update-mode token for Alice's Item.
    signIn(bob);
    expect(await preparePlaid(connectionId)).toEqual({ status: "error", code: "not_found", message: "That connection does not exist." });
  });

  it("provider errors are mapped: outage → try again, rate limit → in a minute", async () => {
    plaid.emulator.failNext("INTERNAL_SERVER_ERROR", "/link/token/create");
    expect(await preparePlaid()).toEqual({ status: "error", code: "provider_unavailable", message: "The provider is unavailable right now. Nothing was changed; try again in a few minutes." });
    plaid.emulator.failNext("RATE_LIMIT", "/link/token/create");
    expect(await preparePlaid()).toEqual({ status: "error", code: "rate_limited", message: "The provider is receiving too many requests. Try again in a minute." });
  });
});
