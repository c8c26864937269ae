import { describeConformance } from "../conformance";
import type { Connector } from "../contract";
import type { FinqwareCredentials } from "./connector";
import { finqwareHarness } from "@/test/finqware-harness";
import { fromUnits } from "@/lib/money/decimal";

const BT = "bt_ro_aisp_sbx_#2.0";

describeConformance("finqware (PSD2 consent → local Finqware)", async () => {
  const h = finqwareHarness();
  const c = h.connector;
  return {
    connector: c as Connector<unknown>,
    clock: h.clock,
    linkPayload: async () => {
      // What a completed consent session hands the server: drive the provider's steps directly.
      const s = await c.startSession({ tenantUserId: "tenant-1", skill: BT });
      const step = await c.step({ sessionId: s.sessionId, nonce: s.nonce, skill: BT, step: "consent", data: { consent_days: 90 } });
      h.emulator.decideSca(s.sessionId, true);
      const done = await c.step({ sessionId: s.sessionId, nonce: step.nonce, skill: BT, step: "finalize" });
      return { temp_token: done.data.temp_token, skill: BT, tenant_user_id: "tenant-1", servicer_id: "bt_ro", servicer_name: "Banca Transilvania" };
    },
    secretsOf: (cr) => [(cr as FinqwareCredentials).accessToken],
    // A day passes each time: the bank's 2-refreshes-a-day budget allows the next sync.
    advance: async (cr) => {
      h.emulator.advance((cr as FinqwareCredentials).tenantUserId, BT, 3);
      h.clock.advance(86_400_000);
    },
    groundTruth: async (cr) =>
      new Map(
        h.emulator
          .liveTransactions((cr as FinqwareCredentials).tenantUserId, BT)
          .map((r) => [r.utx, { amount: fromUnits(BigInt(r.tx.amount_cents) * 100n, 4).replace(/(\.\d\d)00$/, "$1"), pending: r.status === "pending", date: r.tx.date }]),
      ),
    failNext: (code) =>
      code === "reauth_required"
        ? h.emulator.failNext(401, "unauthorized", "expired_credentials")
        : code === "rate_limited"
          ? h.emulator.failNext(429, "external_api_error", "external_api_too_many_requests")
          : h.emulator.failNext(500, "internal_server_error", "internal_error"),
  };
});

