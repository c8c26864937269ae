import type { Connector } from "./contract";
import { createDemoConnector } from "./demo/connector";
import fs from "node:fs";
import { createPlaidConnector } from "./plaid/connector";
import { createTellerConnector } from "./teller/connector";
import { createFinqwareConnector } from "./finqware/connector";
import { FQ_APP_KEY, FQ_CLIENT_ID, FQ_CLIENT_SECRET, finqwareEmulator } from "@/emulators/finqware/server";
import { localTeller, TELLER_APP_ID } from "@/emulators/teller/server";
import { plaidBasePath } from "./plaid/client";
import { demoEmulator } from "@/emulators/demo/server";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET } from "@/emulators/plaid/server";
import { env } from "@/lib/env";
import { createEbankConnector } from "./ebank/connector";
import { ebankEmulator } from "@/emulators/ebank/server";

/**
 * Every connector, by id. Adding a provider = one folder in lib/connectors/ + one line
 * here (+ one case below, which the `never` check enforces).
 */
export const CONNECTOR_IDS = ["demo", "plaid", "teller", "finqware", "ebank"] as const;
export type ConnectorId = (typeof CONNECTOR_IDS)[number];

export function isConnectorId(id: string): id is ConnectorId {
  return (CONNECTOR_IDS as readonly string[]).includes(id);
}

const cache = new Map<ConnectorId, Connector<unknown>>();

function build(id: ConnectorId): Connector<unknown> {
  switch (id) {
    case "demo": {
      // DEMO_BANK_URL points at a demo bank over HTTP; by default the emulator runs in-process.
      const url = process.env.DEMO_BANK_URL;
      return createDemoConnector(
        url
          ? { baseUrl: url }
          : { baseUrl: "http://demo-bank.internal", fetch: (input, init) => demoEmulator().handle(new Request(input, init)) },
      ) as Connector<unknown>;
    }
    case "plaid": {
      // Real keys → Plaid itself; otherwise the local Plaid mounted at /sandbox/plaid.
      const e = env();
      return (
        e.plaid
          ? createPlaidConnector({ clientId: e.plaid.clientId, secret: e.plaid.secret, environment: e.plaid.env, basePath: plaidBasePath(e.plaid.env) })
          : createPlaidConnector({ clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, environment: "emulator", basePath: `${e.appUrl}/sandbox/plaid` })
      ) as Connector<unknown>;
    }
    case "teller": {
      // A certificate → Teller itself over mTLS; otherwise the local Teller (HTTPS + test CA, started on first use).
      const e = env();
      const t = e.teller;
      if (t) {
        return createTellerConnector({
          mode: t.env,
          applicationId: t.applicationId,
          settings: async () => ({ baseUrl: "https://api.teller.io", tls: { cert: fs.readFileSync(t.certificatePath, "utf8"), key: fs.readFileSync(t.privateKeyPath, "utf8") } }),
          webhookSecrets: async () => t.signingSecrets,
        }) as Connector<unknown>;
      }
      const local = async () => {
        const running = await localTeller();
        running.emulator.webhookUrl = `${e.appUrl}/api/webhooks/teller`;
        return running;
      };
      return createTellerConnector({
        mode: "emulator",
        applicationId: TELLER_APP_ID,
        settings: async () => {
          const r = await local();
          return { baseUrl: r.url, tls: { cert: r.pki.clientCert, key: r.pki.clientKey, ca: r.pki.caCert } };
        },
        webhookSecrets: async () => (await local()).emulator.webhookSecrets,
      }) as Connector<unknown>;
    }
    case "finqware": {
      // The local Finqware, mounted at /sandbox/finqware (real tenant keys are not wired yet).
      const e = env();
      finqwareEmulator().scaBaseUrl = `${e.appUrl}/sandbox/finqware`;
      return createFinqwareConnector({
        baseUrl: `${e.appUrl}/sandbox/finqware`,
        clientId: FQ_CLIENT_ID,
        clientSecret: FQ_CLIENT_SECRET,
        appKey: FQ_APP_KEY,
        fetch: (input, init) => finqwareEmulator().handle(new Request(input, init)),
      }) as Connector<unknown>;
    }
    case "ebank": {
      // The local e-bank, mounted at /sandbox/ebank (a real bank's host is not wired: sandbox only).
      const e = env();
      const emulator = ebankEmulator();
      emulator.basePath = "/sandbox/ebank";
      // The sandbox bank allows 240 requests a minute (the emulator's own default, like the
      // real bank, is 60) so a 5-year demo import takes well under a minute.
      emulator.requestsPerMinute = 240;
      return createEbankConnector({
        baseUrl: `${e.appUrl}/sandbox/ebank`,
        requestsPerMinute: 220,
        fetch: (input, init) => emulator.handle(new Request(input, init)),
        usernameHint: "Sandbox bank: ivan.petrov or maria.code (asks for code 246810), password sandbox-pass.",
      }) as Connector<unknown>;
    }
    default: {
      const unreachable: never = id;
      throw new Error(`unknown connector ${String(unreachable)}`);
    }
  }
}

export function getConnector(id: string): Connector<unknown> {
  if (!isConnectorId(id)) throw new Error(`unknown connector "${id}"`);
  let c = cache.get(id);
  if (!c) cache.set(id, (c = build(id)));
  return c;
}
