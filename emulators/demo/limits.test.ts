import { describe, expect, it } from "vitest";
import { createDemoConnector } from "@/lib/connectors/demo/connector";
import { buildLedger, MAX_TICKS, type DemoItem } from "./ledger";
import { DemoEmulator } from "./server";

const item = (over: Partial<DemoItem> = {}): DemoItem => ({
  itemId: "item-test",
  institutionId: "demo_platypus",
  seed: 7,
  mode: "default",
  historyDays: 30,
  linkedAt: Date.UTC(2026, 2, 10, 9),
  density: 1,
  tickMs: 60_000,
  ...over,
});

describe("demo bank bounds", () => {
  it("refuses a tick below 10 s or above a day, in the link form and in the bank's API", async () => {
    const emulator = new DemoEmulator({ now: () => Date.UTC(2026, 2, 10, 9), tickMs: 60_000 });
    const connector = createDemoConnector({ baseUrl: "http://demo-bank.test", fetch: (input, init) => emulator.handle(new Request(input, init)) });
    for (const tickSeconds of ["0.001", "0", "9", "86401"]) {
      await expect(connector.completeLink({ institutionId: "demo_platypus", tickSeconds }, { userId: "u" })).rejects.toThrow(/tick is at (least 10 seconds|most one day)/);
    }
    const res = await emulator.handle(new Request("http://demo-bank.test/link", { method: "POST", body: JSON.stringify({ institution_id: "demo_platypus", tick_seconds: 0.001 }), headers: { "content-type": "application/json" } }));
    expect(res.status).toBe(400);
    await expect(connector.completeLink({ institutionId: "demo_platypus", tickSeconds: "60" }, { userId: "u" })).resolves.toMatchObject({ displayName: expect.any(String) });
  });

  it("a ledger replays at most MAX_TICKS ticks however far the clock has moved", { timeout: 120_000 }, () => {
    // A 1 ms tick over a year (31 billion ticks unbounded) replays the same as exactly MAX_TICKS one-second ticks.
    const far = buildLedger(item({ tickMs: 1 }), item().linkedAt + 365 * 86_400_000);
    const capped = buildLedger(item({ tickMs: 1000 }), item().linkedAt + MAX_TICKS * 1000);
    expect(far.events.length).toBe(capped.events.length);
    expect(JSON.stringify(far.events.at(-1))).toBe(JSON.stringify(capped.events.at(-1)));
  });
});
