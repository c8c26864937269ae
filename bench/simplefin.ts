import { eq } from "drizzle-orm";
import { connections, users } from "@/db/schema";
import { openSecret } from "@/lib/crypto";
import { linkConnection } from "@/lib/connections/service";
import type { Connector } from "@/lib/connectors/contract";
import { createSimplefinConnector, SF_DAILY_BUDGET } from "@/lib/connectors/simplefin/connector";
import { dbStore, tokenKey, utcDay } from "@/lib/connectors/simplefin/state";
import { syncConnection } from "@/lib/sync/engine";
import { SimplefinEmulator } from "@/emulators/simplefin/server";
import { fakeClock } from "@/test/sync-harness";
import { benchDatabase, fmt, ms } from "./harness";

/**
 * Issue #14's measure: a SimpleFIN first import (BENCH_SF_DAYS of history, default 2 years,
 * five accounts at two institutions of the local bridge) and a scheduled refresh 6 hours
 * later, through the real connector, the DB-backed budget and the engine: bridge requests
 * used (of 24 a day), time, rows/s. The bridge's clock is simulated (budget days); the
 * times are real work on this machine.
 */
export async function benchSimplefin(kind: "pglite" | "postgres") {
  const database = await benchDatabase(kind);
  const db = database.db;
  const historyDays = process.env.BENCH_SF_DAYS ? Number(process.env.BENCH_SF_DAYS) : 730;
  try {
    const clock = fakeClock(Date.UTC(2026, 10, 21, 9));
    const emulator = new SimplefinEmulator({ now: clock.now, historyDays });
    const store = dbStore(async () => db);
    const connector = createSimplefinConnector({ store, now: clock.now, fetch: (i, init) => emulator.handle(new Request(i, init)) }) as Connector<unknown>;
    const [u] = await db.insert(users).values({ email: `bench-sf-${kind}@example.com`, passwordHash: "x" }).returning({ id: users.id });
    const { connectionId } = await linkConnection(db, { userId: u!.id, connectorId: "simplefin", payload: { setupToken: emulator.issueSetupToken() } }, { connector });
    const row = async () => (await db.select().from(connections).where(eq(connections.id, connectionId)))[0]!;
    const c0 = await row();
    const access = openSecret<{ accessUrl: string }>(c0.credentials, c0.id).accessUrl;
    const user = SimplefinEmulator.userOf(access);

    const t0 = performance.now();
    let r = await syncConnection(db, { userId: u!.id, connectionId, trigger: "initial" }, { connector, clock });
    if (r.status !== "success") throw new Error(`simplefin import failed: ${JSON.stringify(r)}`);
    const importMs = ms(t0);
    const importRows = r.diff.added;
    const importRequests = emulator.requestsOn(user, utcDay(clock.now()));
    // A history longer than one day's budget continues on the next days (never more than 24 a day).
    let days = 1;
    let rows = importRows;
    let cursor = JSON.parse((await row()).syncCursor!) as { p: string };
    while (cursor.p === "back" && days < 30) {
      clock.set(Date.UTC(2026, 10, 21 + days, 0, 1));
      days++;
      r = await syncConnection(db, { userId: u!.id, connectionId, trigger: "scheduled" }, { connector, clock });
      if (r.status !== "success") throw new Error(`simplefin backfill day ${days} failed: ${JSON.stringify(r)}`);
      rows += r.diff.added;
      cursor = JSON.parse((await row()).syncCursor!) as { p: string };
    }
    const totalMs = ms(t0);

    emulator.advance(user, 30);
    clock.advance(6 * 3600_000);
    const usedBefore = await store.used(tokenKey(access), clock.now());
    const t1 = performance.now();
    const rf = await syncConnection(db, { userId: u!.id, connectionId, trigger: "scheduled" }, { connector, clock });
    const refreshMs = ms(t1);
    if (rf.status !== "success") throw new Error(`simplefin refresh failed: ${JSON.stringify(rf)}`);
    const refreshRequests = (await store.used(tokenKey(access), clock.now())) - usedBefore;
    return { kind, historyDays, importRows, importRequests, importMs, days, rows, totalMs, refreshMs, refreshRequests, refreshChanges: rf.diff.added + rf.diff.modified + rf.diff.removed };
  } finally {
    await database.close();
  }
}

export function printSimplefin(r: Awaited<ReturnType<typeof benchSimplefin>>) {
  console.log(
    `simplefin first import [${r.kind}] ${r.historyDays} days × 5 accounts: ${fmt(r.importRows)} rows with ${r.importRequests} bridge requests (of ${SF_DAILY_BUDGET}/day) in ${fmt(r.importMs / 1000, 2)} s → ${fmt(r.importRows / (r.importMs / 1000))} rows/s` +
      (r.days > 1 ? `; history continued over ${r.days} days: ${fmt(r.rows)} rows, ${fmt(r.totalMs / 1000, 2)} s of work` : "") +
      `; refresh 6 h later: ${r.refreshRequests} request(s), ${r.refreshChanges} changes in ${fmt(r.refreshMs)} ms (budget: ${r.importRequests}+${r.refreshRequests} of ${SF_DAILY_BUDGET} → ratio ${((r.importRequests + r.refreshRequests) / SF_DAILY_BUDGET).toFixed(2)})`,
  );
}
