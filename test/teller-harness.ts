import { createTellerConnector, type TellerCredentials } from "@/lib/connectors/teller/connector";
import type { Connector } from "@/lib/connectors/contract";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { startTellerEmulator, TELLER_APP_ID, TellerEmulator } from "@/emulators/teller/server";
import { createTestPki, type TestPki } from "@/emulators/teller/pki";

let pki: TestPki | undefined;
/** One PKI per test process (RSA key generation is the slow part). */
export const testPki = () => (pki ??= createTestPki());

/** The local Teller over HTTPS with mutual TLS, and the real connector with the client certificate. */
export async function tellerHarness(opts: { pageSize?: number; withClientCert?: boolean; historyDays?: number; now?: () => number } = {}) {
  const emulator = new TellerEmulator({ historyDays: opts.historyDays ?? 45, deliver: async () => {}, now: opts.now });
  const running = await startTellerEmulator(emulator, testPki());
  const connector = createTellerConnector({
    mode: "emulator",
    applicationId: TELLER_APP_ID,
    pageSize: opts.pageSize,
    now: opts.now,
    settings: async () => ({ baseUrl: running.url, tls: opts.withClientCert === false ? { cert: "", key: "", ca: running.pki.caCert } as never : { cert: running.pki.clientCert, key: running.pki.clientKey, ca: running.pki.caCert } }),
    webhookSecrets: async () => emulator.webhookSecrets,
  });
  const enroll = (username = "username") => emulator.enrollDirect(username);
  const groundTruth = async (c: unknown) =>
    new Map(emulator.transactionsOf((c as TellerCredentials).accessToken).map((t) => [t.id, { amount: fromUnits(toUnits(t.amount, 2), 2), pending: t.status === "pending", date: t.date }]));
  return { emulator, running, connector: connector as Connector<unknown> & typeof connector, enroll, groundTruth, close: running.close };
}
