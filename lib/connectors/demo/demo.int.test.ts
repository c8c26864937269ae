import { describeConformance } from "../conformance";
import type { Connector } from "../contract";
import { createDemoConnector, type DemoCredentials } from "./connector";
import { centsToDecimal } from "@/emulators/demo/ledger";
import { decodeToken, DemoEmulator } from "@/emulators/demo/server";
import { fakeClock } from "@/test/sync-harness";

describeConformance("demo bank", async () => {
  const clock = fakeClock();
  const emulator = new DemoEmulator({ now: clock.now, tickMs: 60_000 });
  const connector = createDemoConnector({
    baseUrl: "http://demo-bank.test",
    fetch: (input, init) => emulator.handle(new Request(input, init)),
    pageSize: 100,
  });
  const faults = {
    reauth_required: { status: 401, code: "ITEM_LOGIN_REQUIRED" },
    provider_unavailable: { status: 503, code: "TEMPORARILY_UNAVAILABLE" },
    rate_limited: { status: 429, code: "RATE_LIMIT_EXCEEDED", retryAfterSeconds: 30 },
  } as const;
  return {
    connector: connector as Connector<unknown>,
    clock,
    linkPayload: async () => ({ institutionId: "demo_northwind", historyDays: 45, seed: 7 }),
    secretsOf: (c) => [(c as DemoCredentials).accessToken],
    advance: async () => clock.advance(60_000 * 3),
    groundTruth: async (c) => {
      const ledger = emulator.ledger(decodeToken((c as DemoCredentials).accessToken)!);
      return new Map([...ledger.live.values()].map((t) => [t.transaction_id, { amount: centsToDecimal(t.amount_cents), pending: t.pending, date: t.date }]));
    },
    failNext: (code) => emulator.injectFault(faults[code]),
  };
});
