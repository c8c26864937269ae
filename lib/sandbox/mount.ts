import { demoEmulator } from "@/emulators/demo/server";
import { FQ_APP_KEY, FQ_CLIENT_ID, FQ_CLIENT_SECRET, finqwareEmulator } from "@/emulators/finqware/server";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, plaidEmulator } from "@/emulators/plaid/server";
import { localTeller, TELLER_APP_ID } from "@/emulators/teller/server";
import { SF_BASE, simplefinEmulator } from "@/emulators/simplefin/server";
import { ebankEmulator } from "@/emulators/ebank/server";
import { env } from "@/lib/env";
import type { SandboxMount } from "./types";

/**
 * The offline sandbox: the four local emulators and their /sandbox/* routes. This is the
 * one module of the app that imports emulators/ (a test checks it), and a build made
 * without LEDGERLINK_SANDBOX=on never resolves it (next.config.ts aliases it to off.ts).
 *
 * Hardening of what the public /sandbox/* routes can make the server do:
 * - the local Plaid only delivers webhooks to this app's own webhook route (no SSRF);
 * - the local Plaid holds a bounded number of Items;
 * - the local PSD2 bank only redirects back to this app's origin (no open redirect).
 */
const ownOrigin = (appUrl: string) => new URL(appUrl).origin;

function configure(appUrl: string) {
  const plaid = plaidEmulator();
  plaid.webhookAllowed = (url) => url.startsWith(`${ownOrigin(appUrl)}/api/webhooks/`);
  const fq = finqwareEmulator();
  fq.scaBaseUrl = `${appUrl}/sandbox/finqware`;
  fq.allowedRedirectOrigin = ownOrigin(appUrl);
  return { plaid, fq };
}

/** The local e-bank at /sandbox/ebank; it allows 240 requests a minute (the emulator's own
 * default, like the real bank, is 60) so a 5-year demo import takes well under a minute. */
function ebank() {
  const emulator = ebankEmulator();
  emulator.basePath = "/sandbox/ebank";
  emulator.requestsPerMinute = 240;
  return emulator;
}

async function teller(appUrl: string) {
  const running = await localTeller();
  running.emulator.webhookUrl = `${appUrl}/api/webhooks/teller`;
  return running;
}

export const sandboxMount: SandboxMount = {
  demo: { fetch: (input, init) => demoEmulator().handle(new Request(input, init)) },
  plaid: {
    clientId: EMULATOR_CLIENT_ID,
    secret: EMULATOR_SECRET,
    basePath: (appUrl) => {
      configure(appUrl);
      return `${appUrl}/sandbox/plaid`;
    },
  },
  teller: {
    applicationId: TELLER_APP_ID,
    settings: async (appUrl) => {
      const r = await teller(appUrl);
      return { baseUrl: r.url, tls: { cert: r.pki.clientCert, key: r.pki.clientKey, ca: r.pki.caCert } };
    },
    webhookSecrets: async (appUrl) => (await teller(appUrl)).emulator.webhookSecrets,
    tokenSigningKey: async (appUrl) => (await teller(appUrl)).emulator.tokenSigningPublicKey,
  },
  finqware: {
    clientId: FQ_CLIENT_ID,
    clientSecret: FQ_CLIENT_SECRET,
    appKey: FQ_APP_KEY,
    baseUrl: (appUrl) => `${appUrl}/sandbox/finqware`,
    fetch: (appUrl) => {
      const { fq } = configure(appUrl);
      return (input, init) => fq.handle(new Request(input, init));
    },
  },
  simplefin: { host: new URL(SF_BASE).host, fetch: (input, init) => simplefinEmulator().handle(new Request(input, init)) },
  ebank: {
    requestsPerMinute: 220,
    usernameHint: "Sandbox bank: ivan.petrov or maria.code (asks for code 246810), password sandbox-pass.",
    fetch: (input, init) => ebank().handle(new Request(input, init)),
  },
  // The route handlers load on first use (they need the auth and database modules).
  routes: {
    plaid: async (req) => (await import("./routes")).plaidRoute(req, configure(env().appUrl).plaid),
    teller: async (req, path) => (await import("./routes")).tellerRoute(req, path, (await teller(env().appUrl)).emulator),
    finqware: async (req) => configure(env().appUrl).fq.handle(req),
    simplefin: async (req) => simplefinEmulator().handle(req),
    ebank: async (req) => ebank().handle(req),
  },
};
