import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { currentUser } from "@/lib/auth/current-user";
import { ownedProviderItemIds } from "@/lib/connections/owned-items";
import { demoEmulator } from "@/emulators/demo/server";
import { FQ_APP_KEY, FQ_CLIENT_ID, FQ_CLIENT_SECRET, finqwareEmulator } from "@/emulators/finqware/server";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, plaidEmulator } from "@/emulators/plaid/server";
import { localTeller, TELLER_APP_ID } from "@/emulators/teller/server";
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
  routes: {
    /** The local Plaid (only when no real Plaid keys are configured). Its Items dashboard shows a user only their own Items. */
    async plaid(req) {
      if (env().plaid) return new Response("Not found", { status: 404 });
      const { plaid } = configure(env().appUrl);
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname.endsWith("/link/sandbox/items")) {
        const user = await currentUser();
        if (!user) return NextResponse.json({ error: { code: "unauthorized", message: "Sign in to see your sandbox Items." } }, { status: 401 });
        const mine = await ownedProviderItemIds(await getDb(), { userId: user.id, connectorId: "plaid" });
        const all = (await (await plaid.handle(req)).json()) as { items: { item_id: string }[] };
        return NextResponse.json({ items: all.items.filter((i) => mine.has(i.item_id)) });
      }
      return plaid.handle(req);
    },

    /**
     * The local Teller's plain-HTTP side (only without a Teller certificate): the Connect back
     * end the Connect stand-in talks to (/sandbox/teller/connect/*), and a small dashboard
     * (/sandbox/teller/enrollments[/:id/(advance|disconnect|processed)]) limited to the
     * signed-in user's own enrollments. The Teller API itself is HTTPS + mTLS on its own port.
     */
    async teller(req, path) {
      if (env().teller) return new Response("Not found", { status: 404 });
      const { emulator } = await teller(env().appUrl);
      if (path[0] === "connect") return emulator.handleConnect(req);
      const user = await currentUser();
      if (!user) return NextResponse.json({ error: { code: "unauthorized", message: "Sign in to use the sandbox dashboard." } }, { status: 401 });
      const mine = await ownedProviderItemIds(await getDb(), { userId: user.id, connectorId: "teller" });
      if (path[0] === "enrollments" && req.method === "GET" && path.length === 1) return NextResponse.json({ enrollments: emulator.listEnrollments().filter((e) => mine.has(e.id)) });
      if (path[0] === "enrollments" && req.method === "POST" && path[1]) {
        const id = path[1];
        if (!mine.has(id)) return NextResponse.json({ error: { code: "not_found", message: "No such enrollment." } }, { status: 404 });
        if (path[2] === "advance") emulator.advance(id, 1);
        else if (path[2] === "disconnect") await emulator.disconnect(id, "disconnected.credentials_invalid");
        else if (path[2] === "processed") {
          emulator.advance(id, 1);
          await emulator.fire("transactions.processed", { enrollment_id: id, transactions: [] });
        } else return NextResponse.json({ error: { code: "not_found", message: "Unknown action." } }, { status: 404 });
        return NextResponse.json({ ok: true });
      }
      return NextResponse.json({ error: { code: "not_found", message: "Unknown sandbox route." } }, { status: 404 });
    },

    /** The local Finqware and its bank SCA pages (/sandbox/finqware/sca/<session>). */
    async finqware(req) {
      const { fq } = configure(env().appUrl);
      return fq.handle(req);
    },
  },
};
