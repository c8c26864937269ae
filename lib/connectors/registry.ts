import fs from "node:fs";
import { isConsentSessionConnector, type ConsentSessionConnector, type Connector } from "./contract";
import { createDemoConnector, type DemoCredentials } from "./demo/connector";
import { createFinqwareConnector, type FinqwareConnector } from "./finqware/connector";
import { createFileConnector } from "./file/connector";
import { plaidBasePath } from "./plaid/client";
import { createPlaidConnector, type PlaidConnector } from "./plaid/connector";
import { createTellerConnector, type TellerConnector } from "./teller/connector";
import { env } from "@/lib/env";
import { sandbox } from "@/lib/sandbox";
import { createSimplefinConnector } from "./simplefin/connector";
import { dbStore } from "./simplefin/state";
import { createEbankConnector } from "./ebank/connector";

/**
 * Every connector, by id. Adding a provider = one folder in lib/connectors/ + one line
 * here (+ one case below, which the `never` check enforces).
 *
 * A provider is *available* when it has real configuration (keys, a certificate) or the
 * offline sandbox is on (lib/sandbox): only available providers are offered or built.
 */
export const CONNECTOR_IDS = ["demo", "plaid", "teller", "finqware", "file", "simplefin", "ebank"] as const;
export type ConnectorId = (typeof CONNECTOR_IDS)[number];

/** The type each id builds: `getConnector("plaid")` is a PlaidConnector, no casts at call sites. */
export type ConnectorById = {
  demo: Connector<DemoCredentials>;
  plaid: PlaidConnector;
  teller: TellerConnector;
  finqware: FinqwareConnector;
  file: ReturnType<typeof createFileConnector>;
  simplefin: ReturnType<typeof createSimplefinConnector>;
  ebank: ReturnType<typeof createEbankConnector>;
};

export function isConnectorId(id: string): id is ConnectorId {
  return (CONNECTOR_IDS as readonly string[]).includes(id);
}

export class ConnectorUnavailable extends Error {
  override name = "ConnectorUnavailable";
}

/** Built connectors, by id (each built once, on first use). */
const cache: { [K in ConnectorId]?: ConnectorById[K] } = {};

/** Teller Connect nonces live in the database (lib/connections/nonces.ts). */
const tellerNonces = {
  issueNonce: async ({ userId }: { userId: string }) => {
    const [{ getDb }, { issueLinkNonce }] = await Promise.all([import("@/db"), import("@/lib/connections/nonces")]);
    return issueLinkNonce(await getDb(), { userId, connectorId: "teller" });
  },
  consumeNonce: async ({ userId, nonce }: { userId: string; nonce: string }) => {
    const [{ getDb }, { consumeLinkNonce }] = await Promise.all([import("@/db"), import("@/lib/connections/nonces")]);
    return consumeLinkNonce(await getDb(), { userId, connectorId: "teller", nonce });
  },
};

/** Is this provider configured (real keys) or served by the sandbox? */
export function isAvailable(id: ConnectorId): boolean {
  const e = env();
  const s = sandbox() !== null;
  switch (id) {
    case "demo":
      return Boolean(process.env.DEMO_BANK_URL) || s;
    case "plaid":
      return e.plaid !== null || s;
    case "teller":
      return e.teller !== null || s;
    case "finqware":
      return s; // real tenant keys are not wired yet
    case "file":
      return true; // statement files need no provider
    case "simplefin":
      return true; // the setup token names the user's own bridge
    case "ebank":
      return s; // a real bank's host is not wired yet: sandbox only
  }
}

export function availableConnectorIds(): ConnectorId[] {
  return CONNECTOR_IDS.filter(isAvailable);
}

/** The sandbox's emulators, or ConnectorUnavailable when a provider has neither real configuration nor the sandbox. */
function sandboxOr(id: ConnectorId) {
  const s = sandbox();
  if (!s) throw new ConnectorUnavailable(`The ${id} provider is not configured on this server.`);
  return s;
}

/**
 * How each connector is built, as a mapped type over the ids: each builder's return type
 * is checked against ConnectorById, and a missing (or extra) id is a type error.
 */
const builders: { [K in ConnectorId]: () => ConnectorById[K] } = {
  demo: () => {
    // DEMO_BANK_URL points at a demo bank over HTTP; with the sandbox the emulator runs in-process.
    const url = process.env.DEMO_BANK_URL;
    if (url) return createDemoConnector({ baseUrl: url });
    return createDemoConnector({ baseUrl: "http://demo-bank.internal", fetch: sandboxOr("demo").demo.fetch });
  },
  plaid: () => {
    // Real keys → Plaid itself; otherwise the local Plaid mounted at /sandbox/plaid.
    const e = env();
    const opts = { webhookUrl: `${e.appUrl}/api/webhooks/plaid` };
    if (e.plaid) return createPlaidConnector({ clientId: e.plaid.clientId, secret: e.plaid.secret, environment: e.plaid.env, basePath: plaidBasePath(e.plaid.env) }, opts);
    const s = sandboxOr("plaid");
    return createPlaidConnector({ clientId: s.plaid.clientId, secret: s.plaid.secret, environment: "emulator", basePath: s.plaid.basePath(e.appUrl) }, opts);
  },
  teller: () => {
    // A certificate → Teller itself over mTLS; otherwise the local Teller (HTTPS + test CA, started on first use).
    const e = env();
    const t = e.teller;
    if (t) {
      return createTellerConnector({
        mode: t.env,
        applicationId: t.applicationId,
        settings: async () => ({ baseUrl: "https://api.teller.io", tls: { cert: fs.readFileSync(t.certificatePath, "utf8"), key: fs.readFileSync(t.privateKeyPath, "utf8") } }),
        webhookSecrets: async () => t.signingSecrets,
        tokenSigningKey: async () => t.tokenSigningKey,
        ...tellerNonces,
      });
    }
    const s = sandboxOr("teller");
    return createTellerConnector({
      mode: "emulator",
      applicationId: s.teller.applicationId,
      settings: () => s.teller.settings(e.appUrl),
      webhookSecrets: () => s.teller.webhookSecrets(e.appUrl),
      tokenSigningKey: () => s.teller.tokenSigningKey(e.appUrl),
      ...tellerNonces,
    });
  },
  finqware: () => {
    const e = env();
    const s = sandboxOr("finqware"); // real tenant keys are not wired yet
    return createFinqwareConnector({
      baseUrl: s.finqware.baseUrl(e.appUrl),
      clientId: s.finqware.clientId,
      clientSecret: s.finqware.clientSecret,
      appKey: s.finqware.appKey,
      fetch: s.finqware.fetch(e.appUrl),
    });
  },
  file: () => createFileConnector(),
  simplefin: () => {
    // The user's setup token names the bridge (any host); with the sandbox on, the local
    // bridge's host is served in-process.
    const local = sandbox()?.simplefin;
    return createSimplefinConnector({
      store: dbStore(async () => (await import("@/db")).getDb()),
      fetch: (input, init) => (local && new URL(input).host === local.host ? local.fetch(input, init) : fetch(input, init)),
    });
  },
  ebank: () => {
    // The local e-bank, mounted at /sandbox/ebank (a real bank's host is not wired: sandbox only).
    const s = sandboxOr("ebank");
    return createEbankConnector({
      baseUrl: `${env().appUrl}/sandbox/ebank`,
      requestsPerMinute: s.ebank.requestsPerMinute,
      fetch: s.ebank.fetch,
      usernameHint: s.ebank.usernameHint,
    });
  },
};

/** `getConnector("plaid")` is a PlaidConnector; an id only known at run time gives the contract's Connector. */
export function getConnector<K extends ConnectorId>(id: K): ConnectorById[K];
export function getConnector(id: string): Connector<unknown>;
export function getConnector(id: string): Connector<unknown> {
  if (!isConnectorId(id)) throw new Error(`unknown connector "${id}"`);
  return built(id);
}

function built<K extends ConnectorId>(id: K): ConnectorById[K] {
  const hit = cache[id];
  if (hit) return hit;
  const c = builders[id]();
  cache[id] = c;
  return c;
}

/** The consent-session connector a consent session (or a bank of the catalogue) names. */
export function getConsentConnector(id: string): ConsentSessionConnector {
  const c = getConnector(id);
  if (!isConsentSessionConnector(c)) throw new Error(`connector "${id}" does not link through consent sessions`);
  return c;
}

/** The connector for a stored provider id, or null when it is unknown or not configured here. */
export function connectorOrNull(id: string): Connector<unknown> | null {
  if (!isConnectorId(id) || !isAvailable(id)) return null;
  try {
    return getConnector(id);
  } catch (e) {
    if (e instanceof ConnectorUnavailable) return null;
    throw e;
  }
}
