import { randomBytes } from "node:crypto";
import { createTellerConnector, type TellerCredentials } from "@/lib/connectors/teller/connector";
import type { Connector } from "@/lib/connectors/contract";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { startTellerEmulator, TELLER_APP_ID, TellerEmulator } from "@/emulators/teller/server";
import { createTestPki, type TestPki } from "@/emulators/teller/pki";

let pki: TestPki | undefined;
/** One PKI per test process (RSA key generation is the slow part). */
export const testPki = () => (pki ??= createTestPki());

/** The local Teller over HTTPS with mutual TLS, and the real connector with the client certificate. */
export async function tellerHarness(
  opts: { pageSize?: number; withClientCert?: boolean; historyDays?: number; now?: () => number; consumeNonce?: (input: { userId: string; nonce: string }) => Promise<boolean> } = {},
) {
  const emulator = new TellerEmulator({ historyDays: opts.historyDays ?? 45, deliver: async () => {}, now: opts.now });
  const running = await startTellerEmulator(emulator, testPki());
  // Nonces the harness issued (the app keeps them in the database; see lib/connections/nonces.ts
  // and its tests). Bound to a user when one is named, else to whoever links first.
  const issued = new Map<string, string | null>();
  const signing = {
    tokenSigningKey: async () => emulator.tokenSigningPublicKey,
    issueNonce: async ({ userId }: { userId: string }) => {
      const nonce = randomBytes(12).toString("hex");
      issued.set(nonce, userId);
      return nonce;
    },
    consumeNonce:
      opts.consumeNonce ??
      (async ({ userId, nonce }: { userId: string; nonce: string }) => {
        if (!issued.has(nonce)) return false;
        const owner = issued.get(nonce);
        if (owner !== null && owner !== userId) return false;
        issued.delete(nonce);
        return true;
      }),
  };
  const connector = createTellerConnector({
    mode: "emulator",
    applicationId: TELLER_APP_ID,
    pageSize: opts.pageSize,
    now: opts.now,
    settings: async () => ({ baseUrl: running.url, tls: opts.withClientCert === false ? { cert: "", key: "", ca: running.pki.caCert } as never : { cert: running.pki.clientCert, key: running.pki.clientKey, ca: running.pki.caCert } }),
    webhookSecrets: async () => emulator.webhookSecrets,
    ...signing,
  });
  /** What Teller Connect hands the browser after a sandbox login, opened with a nonce we issued (plus that nonce). */
  const enroll = (username = "username", o: { userId?: string; mode?: "default" | "empty"; nonce?: string } = {}) => {
    const nonce = o.nonce ?? randomBytes(12).toString("hex");
    if (!o.nonce) issued.set(nonce, o.userId ?? null);
    const e = emulator.enrollDirect(username, "chase", o.mode ?? "default", nonce);
    return { ...e, signatures: e.signatures ?? [], nonce };
  };
  const groundTruth = async (c: unknown) =>
    new Map(emulator.transactionsOf((c as TellerCredentials).accessToken).map((t) => [t.id, { amount: fromUnits(toUnits(t.amount, 2), 2), pending: t.status === "pending", date: t.date }]));
  return { emulator, running, signing, connector: connector as Connector<unknown> & typeof connector, enroll, groundTruth, close: running.close };
}
