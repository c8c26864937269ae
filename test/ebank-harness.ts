import { createEbankConnector } from "@/lib/connectors/ebank/connector";
import { EbankEmulator } from "@/emulators/ebank/server";
import type { EbankUser } from "@/emulators/ebank/ledger";
import { fakeClock } from "./sync-harness";

/** A sandbox user with `years` of history in two currencies (EUR current + USD). */
export function ebankUser(username: string, opts: Partial<EbankUser> & { years?: number } = {}): EbankUser {
  return {
    username,
    password: "correct horse",
    otp: null,
    seed: 7,
    custId: `C${username.length}${username.charCodeAt(0)}`,
    name: "ТЕСТ ПОТРЕБИТЕЛ",
    historyDays: Math.round((opts.years ?? 1) * 365),
    accounts: [
      { ccy: "EUR", acDesc: "Разплащателна сметка", kind: "current" },
      { ccy: "USD", acDesc: "Спестовна сметка USD", kind: "fx" },
    ],
    ...opts,
  };
}

/** The local e-bank in-process, the real connector against it, one fake clock for both (sleeping advances it). */
export function ebankHarness(opts: { users?: EbankUser[]; start?: number; maxHistoryDays?: number } = {}) {
  // 21:40 UTC = 23:40 in Sofia: the bank's day is ahead of nothing, but late payments sit near midnight.
  const clock = fakeClock(opts.start ?? Date.UTC(2026, 10, 21, 9, 30));
  const emulator = new EbankEmulator({ now: clock.now, users: opts.users ?? [ebankUser("anna")] });
  const connector = createEbankConnector({
    baseUrl: "http://ebank.test",
    fetch: (input, init) => emulator.handle(new Request(input, init)),
    clock,
    maxHistoryDays: opts.maxHistoryDays,
  });
  return { clock, emulator, connector };
}
