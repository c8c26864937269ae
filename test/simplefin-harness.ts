import type { Db } from "@/db/client";
import { SimplefinEmulator } from "@/emulators/simplefin/server";
import { fakeClock } from "@/test/sync-harness";
import { createSimplefinConnector } from "@/lib/connectors/simplefin/connector";
import { dbStore } from "@/lib/connectors/simplefin/state";

/** Tests: the local bridge in-process, the real connector against it, one fake clock, a DB-backed budget. */
export function simplefinHarness(getDb: () => Promise<Db>, opts: { version?: 1 | 2; budget?: number; reserve?: number; historyDays?: number } = {}) {
  const clock = fakeClock(Date.UTC(2026, 10, 21, 9));
  const emulator = new SimplefinEmulator({ now: clock.now, historyDays: opts.historyDays });
  let sent = 0;
  const connector = createSimplefinConnector({
    store: dbStore(getDb),
    now: clock.now,
    version: opts.version,
    budget: opts.budget,
    reserve: opts.reserve,
    fetch: (input, init) => {
      sent++;
      return emulator.handle(new Request(input, init));
    },
  });
  return { clock, emulator, connector, requestsSent: () => sent };
}
