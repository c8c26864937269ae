import type { Connector } from "@/lib/connectors/contract";
import { createPlaidConnector, type PlaidCredentials } from "@/lib/connectors/plaid/connector";
import { negate, numberToDecimal } from "@/lib/connectors/plaid/normalize";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { serveOnLoopback } from "@/emulators/http";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, PlaidEmulator } from "@/emulators/plaid/server";

/** The local Plaid over loopback HTTP, and the real connector (official SDK) pointed at it. */
export async function plaidHarness(opts: { pageSize?: number; historyDays?: number } = {}) {
  const delivered: { body: string; headers: Record<string, string> }[] = [];
  const emulator = new PlaidEmulator({ historyDays: opts.historyDays ?? 60, deliver: async (_url, body, headers) => void delivered.push({ body, headers }) });
  const server = await serveOnLoopback(emulator.handle);
  const connector = createPlaidConnector({ clientId: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET, environment: "emulator", basePath: server.url }, { pageSize: opts.pageSize });

  /** What Plaid Link hands the browser after the user logs in (via the emulator's Link back end). */
  const linkPayload = async (username = "user_transactions_dynamic", password = "pass_good", userId = "user-1") => {
    const { linkToken } = await connector.createLinkToken({ userId, webhookUrl: "http://127.0.0.1:9/unused" });
    const res = await emulator.handle(new Request("http://plaid/link/sandbox/complete", { method: "POST", body: JSON.stringify({ link_token: linkToken, institution_id: "ins_109508", username, password }) }));
    if (res.status !== 200) throw new Error(`link failed: ${await res.text()}`);
    const body = (await res.json()) as { public_token: string; metadata: unknown };
    return { public_token: body.public_token, metadata: body.metadata };
  };

  const groundTruth = async (c: unknown) =>
    new Map(
      [...emulator.liveTransactions((c as PlaidCredentials).accessToken).values()].map((t) => [
        t.transaction_id,
        { amount: fromUnits(toUnits(negate(numberToDecimal(t.amount)), 2), 2), pending: t.pending, date: t.date },
      ]),
    );

  return { emulator, server, connector: connector as Connector<unknown> & typeof connector, linkPayload, groundTruth, delivered };
}
