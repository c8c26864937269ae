import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { connections, financialAccounts, transactions, users } from "@/db/schema";
import { createDemoConnector, type DemoCredentials } from "@/lib/connectors/demo/connector";
import type { Connector } from "@/lib/connectors/contract";
import { openSecret } from "@/lib/crypto";
import { linkConnection } from "@/lib/connections/service";
import { syncConnection, type SyncDeps, type SyncRequest } from "@/lib/sync/engine";
import type { Clock } from "@/lib/sync/retry";
import { fromUnits, toUnits } from "@/lib/money/decimal";
import { centsToDecimal, type DemoItem } from "@/emulators/demo/ledger";
import { decodeToken, DemoEmulator } from "@/emulators/demo/server";

/** A fake clock: sleeping advances time instantly and is recorded. */
export function fakeClock(start = Date.UTC(2026, 0, 15, 12)): Clock & { slept: number[]; set: (t: number) => void; advance: (ms: number) => void } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    random: () => 0.5,
    slept,
    set: (v) => {
      t = v;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export type DemoHarness = Awaited<ReturnType<typeof demoHarness>>;

/** The demo bank emulator + connector + a user, on a test database, sharing one fake clock. */
export async function demoHarness(db: Db, opts: { pageSize?: number; email?: string } = {}) {
  const clock = fakeClock();
  const emulator = new DemoEmulator({ now: clock.now, tickMs: 60_000 });
  const connector = createDemoConnector({
    baseUrl: "http://demo-bank.test",
    fetch: (input, init) => emulator.handle(new Request(input, init)),
    pageSize: opts.pageSize,
  }) as Connector<unknown>;
  const [user] = await db
    .insert(users)
    .values({ email: opts.email ?? `u${Math.random().toString(36).slice(2)}@example.com`, passwordHash: "x" })
    .returning({ id: users.id });
  const userId = user!.id;
  const deps: SyncDeps = { connector, clock };

  const link = async (payload: Record<string, unknown> = {}) => {
    const { connectionId } = await linkConnection(
      db,
      { userId, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 60, seed: 42, ...payload } },
      { connector },
    );
    return connectionId;
  };

  const sync = (connectionId: string, extra: Partial<SyncRequest> = {}, moreDeps: Partial<SyncDeps> = {}) =>
    syncConnection(db, { userId, connectionId, trigger: "manual", ...extra }, { ...deps, ...moreDeps });

  const item = async (connectionId: string): Promise<DemoItem> => {
    const [c] = await db.select().from(connections).where(eq(connections.id, connectionId));
    return decodeToken(openSecret<DemoCredentials>(c!.credentials, c!.id).accessToken)!;
  };

  /** What the bank says is true right now: provider id → amount/pending/date. */
  const groundTruth = async (connectionId: string) => {
    const ledger = emulator.ledger(await item(connectionId));
    return new Map(
      [...ledger.live.values()].map((t) => [t.transaction_id, { amount: centsToDecimal(t.amount_cents), pending: t.pending, date: t.date, account: t.account_id }]),
    );
  };

  /** What we stored (live rows only). */
  const stored = async (connectionId: string) => {
    const rows = await db
      .select({
        id: transactions.providerTransactionId,
        amount: transactions.amount,
        pending: transactions.pending,
        date: transactions.date,
        account: financialAccounts.providerAccountId,
      })
      .from(transactions)
      .innerJoin(financialAccounts, eq(financialAccounts.id, transactions.accountId))
      .where(and(eq(financialAccounts.connectionId, connectionId), isNull(transactions.deletedAt)));
    return new Map(rows.map((r) => [r.id, { amount: fromUnits(toUnits(r.amount, 2), 2), pending: r.pending, date: r.date, account: r.account }]));
  };

  /** Assert-friendly comparison: [missing, unexpected, different] provider ids. */
  const compare = async (connectionId: string) => {
    const [truth, got] = [await groundTruth(connectionId), await stored(connectionId)];
    const missing = [...truth.keys()].filter((k) => !got.has(k));
    const unexpected = [...got.keys()].filter((k) => !truth.has(k));
    const different = [...truth.keys()].filter((k) => got.has(k) && JSON.stringify(got.get(k)) !== JSON.stringify(truth.get(k)));
    return { missing, unexpected, different, count: truth.size };
  };

  return { db, clock, emulator, connector, userId, deps, link, sync, item, groundTruth, stored, compare };
}
