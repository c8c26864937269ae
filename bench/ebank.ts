import { users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { createEbankConnector } from "@/lib/connectors/ebank/connector";
import type { Connector } from "@/lib/connectors/contract";
import { syncConnection } from "@/lib/sync/engine";
import { EbankEmulator } from "@/emulators/ebank/server";
import type { EbankUser } from "@/emulators/ebank/ledger";
import { benchDatabase, fmt, ms } from "./harness";

/**
 * Issue #15's measure: a 5-year backfill from the local e-bank with its per-minute limit
 * (60 requests), through the real connector and engine: statement windows per minute and
 * total time, beside the floor the limit allows (every request at the limit, zero work).
 *
 * Waiting is simulated by default (BENCH_EBANK_REAL=1 sleeps for real): the clock is real
 * time plus every pause the connector took, so "total" = our real work + the waits a real
 * run would spend, and the bank's limiter runs on the same clock.
 */
export async function benchEbank(kind: "pglite" | "postgres") {
  const database = await benchDatabase(kind);
  const db = database.db;
  try {
    const real = process.env.BENCH_EBANK_REAL === "1";
    let waited = 0;
    const clock = {
      now: () => Date.now() + waited,
      sleep: async (n: number) => {
        if (real) await new Promise((r) => setTimeout(r, n));
        else waited += n;
      },
      random: Math.random,
    };
    const user: EbankUser = {
      username: "bench",
      password: "bench password",
      otp: null,
      seed: 2026,
      custId: "9000001",
      name: "BENCH",
      historyDays: 5 * 365,
      accounts: [
        { ccy: "EUR", acDesc: "Разплащателна сметка", kind: "current" },
        { ccy: "USD", acDesc: "Спестовна сметка USD", kind: "fx" },
      ],
    };
    const emulator = new EbankEmulator({ now: clock.now, users: [user] });
    const limit = emulator.requestsPerMinute; // the bank's 60
    const connector = createEbankConnector({ baseUrl: "http://ebank.bench", fetch: (i, init) => emulator.handle(new Request(i, init)), clock }) as Connector<unknown>;
    const [u] = await db.insert(users).values({ email: "bench-ebank@example.com", passwordHash: "x" }).returning({ id: users.id });
    const { connectionId } = await linkConnection(db, { userId: u!.id, connectorId: "ebank", payload: { username: user.username, password: user.password } }, { connector });
    const apiBefore = emulator.log.filter((l) => l.path.startsWith("/EBank/api/")).length;
    const t0 = performance.now();
    const w0 = waited;
    const r = await syncConnection(db, { userId: u!.id, connectionId, trigger: "initial" }, { connector, clock });
    const workMs = ms(t0);
    if (r.status !== "success") throw new Error(`ebank backfill failed: ${JSON.stringify(r)}`);
    const totalMs = real ? workMs : workMs + (waited - w0);
    const api = emulator.log.filter((l) => l.path.startsWith("/EBank/api/")).slice(apiBefore);
    const windows = api.filter((l) => l.path.endsWith("/GetCustBal")).length;
    const limited = api.filter((l) => l.status === 429).length;
    const floorMs = (api.length / limit) * 60_000;
    return { kind, rows: r.diff.added, windows, requests: api.length, limited, workMs, totalMs, floorMs, real };
  } finally {
    await database.close();
  }
}

export function printEbank(r: Awaited<ReturnType<typeof benchEbank>>) {
  const min = (x: number) => x / 60_000;
  console.log(
    `ebank 5-year backfill [${r.kind}${r.real ? ", real waits" : ", simulated waits"}]: ${fmt(r.rows)} transactions in ${r.windows} statement windows (${r.requests} API requests, ${r.limited} refused by the limit); ` +
      `total ${fmt(min(r.totalMs), 2)} min (${fmt(r.workMs / 1000, 1)} s of our own work), ${fmt(r.windows / min(r.totalMs), 1)} windows/min; ` +
      `floor at 60 requests/min ${fmt(min(r.floorMs), 2)} min → ratio ${(r.totalMs / r.floorMs).toFixed(2)}×`,
  );
}
