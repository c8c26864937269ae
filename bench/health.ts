import { spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "@/db/client";
import { users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { createDemoConnector } from "@/lib/connectors/demo/connector";
import type { Connector } from "@/lib/connectors/contract";
import { syncConnection } from "@/lib/sync/engine";
import { TEN_YEAR_BENCH } from "@/emulators/demo/ledger";
import { DemoEmulator } from "@/emulators/demo/server";
import { benchDatabase, fmt, percentile } from "./harness";

/**
 * Issue #10: `/api/health` latency while a 100k-transaction first import runs in the same
 * process (the web process is also the worker by default, and on PGlite it must be).
 * The real route handler (app/api/health/route.ts) is served over HTTP by a node:http
 * server in this process, on the bench database installed as the app's database. The
 * client is ANOTHER process (a monitor asks back to back, 10 ms apart): in this process its
 * own timers would wait out a blocked event loop and never see the stall it caused.
 * A stall is any single answer slower than 500 ms.
 */

export type HealthBench = {
  kind: Database["kind"];
  rows: number;
  importMs: number;
  idle: Stats;
  busy: Stats;
  stalls: number;
  /** When (since the import started) the slowest answer was asked for. */
  worstAtMs: number;
};
type Stats = { n: number; p50: number; p99: number; max: number };

const stats = (xs: number[]): Stats => ({ n: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99), max: Math.max(...xs) });

async function serveHealth(): Promise<{ url: string; close: () => Promise<void> }> {
  const { GET } = await import("@/app/api/health/route");
  const server = http.createServer((req, res) => {
    void (async () => {
      const r = await GET();
      res.writeHead(r.status, { "content-type": "application/json" });
      res.end(await r.text());
    })();
  });
  // A blocked event loop must not turn into reset keep-alive sockets: measure the wait, not a retry.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/health`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The out-of-process client: one line per answer, `<sent at epoch ms> <took ms>`. */
const MONITOR = `
const url = process.argv[1];
const tick = async () => {
  const sent = Date.now(), t0 = performance.now();
  try {
    const res = await fetch(url);
    const body = await res.json();
    if (!res.ok || !body.ok) throw new Error("health answered " + res.status);
    process.stdout.write(sent + " " + (performance.now() - t0).toFixed(2) + "\\n");
  } catch (e) { process.stderr.write(String(e) + "\\n"); process.exit(1); }
  setTimeout(tick, 10);
};
tick();`;

function startMonitor(url: string): { samples: { sent: number; took: number }[]; stop: () => void } {
  const child = spawn(process.execPath, ["-e", MONITOR, url], { stdio: ["ignore", "pipe", "inherit"] });
  const samples: { sent: number; took: number }[] = [];
  let rest = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) {
      const [sent, took] = l.split(" ").map(Number);
      if (Number.isFinite(sent) && Number.isFinite(took)) samples.push({ sent: sent!, took: took! });
    }
  });
  return { samples, stop: () => child.kill() };
}

export async function benchHealth(kind: "pglite" | "postgres", historyDays: number = TEN_YEAR_BENCH.historyDays): Promise<HealthBench> {
  const database = await benchDatabase(kind);
  const g = globalThis as unknown as { __ledgerlinkDb?: Promise<Database> };
  const previous = g.__ledgerlinkDb;
  g.__ledgerlinkDb = Promise.resolve(database);
  const server = await serveHealth();
  try {
    const db = database.db;
    const now = Date.UTC(2026, 5, 1, 12);
    const emulator = new DemoEmulator({ now: () => now });
    const connector = createDemoConnector({ baseUrl: "http://demo.bench", fetch: (i, init) => emulator.handle(new Request(i, init)) }) as Connector<unknown>;
    const clock = { now: () => now, sleep: async () => {}, random: Math.random };
    const [u] = await db.insert(users).values({ email: "health@example.com", passwordHash: "x" }).returning({ id: users.id });
    const { connectionId } = await linkConnection(
      db,
      { userId: u!.id, connectorId: "demo", payload: { institutionId: "demo_platypus", seed: 2026, historyDays, density: TEN_YEAR_BENCH.density } },
      { connector },
    );

    // The in-process demo bank builds its 10-year ledger on first use (the provider's work,
    // remote in real life): build it before measuring.
    await connector.listAccounts(connector.credentialsSchema.parse(await credentialsOf(db, connectionId)));

    const monitor = startMonitor(server.url);
    let first;
    let start = 0;
    let end = 0;
    try {
      // idle: 200 answers before the import starts
      while (monitor.samples.length < 200) await new Promise((r) => setTimeout(r, 50));
      start = Date.now();
      first = await syncConnection(db, { userId: u!.id, connectionId, trigger: "initial" }, { connector, clock });
      end = Date.now();
      await new Promise((r) => setTimeout(r, 1_000)); // the answers asked during the import's last moments
    } finally {
      monitor.stop();
    }
    if (first.status !== "success") throw new Error(`import failed: ${JSON.stringify(first)}`);
    const idle = monitor.samples.filter((x) => x.sent < start).slice(-200).map((x) => x.took);
    const during = monitor.samples.filter((x) => x.sent >= start && x.sent <= end);
    const busy = during.map((x) => x.took);
    const worst = during.reduce((w, x) => (x.took > w.took ? x : w), { sent: start, took: -1 });
    return { kind, rows: first.diff.added, importMs: end - start, idle: stats(idle), busy: stats(busy), stalls: busy.filter((x) => x > 500).length, worstAtMs: worst.sent - start };
  } finally {
    await server.close();
    g.__ledgerlinkDb = previous;
    await database.close();
  }
}

async function credentialsOf(db: Database["db"], connectionId: string): Promise<unknown> {
  const { connections } = await import("@/db/schema");
  const { eq } = await import("drizzle-orm");
  const { openSecret } = await import("@/lib/crypto");
  const [c] = await db.select().from(connections).where(eq(connections.id, connectionId));
  return openSecret(c!.credentials, c!.id);
}

export function printHealth(r: HealthBench): void {
  const s = (x: Stats) => `p50 ${fmt(x.p50, 1)} ms, p99 ${fmt(x.p99, 1)} ms, max ${fmt(x.max, 1)} ms (${fmt(x.n)} requests)`;
  console.log(`health/${r.kind}: idle ${s(r.idle)}`);
  console.log(
    `health/${r.kind}: during a first import of ${fmt(r.rows)} rows (${fmt(r.importMs / 1000, 1)} s): ${s(r.busy)}; ` +
      `p99/target ${fmt(r.busy.p99 / 200, 2)}× (target p99 ≤ 200 ms), max/limit ${fmt(r.busy.max / 500, 2)}× (no stall > 500 ms: ${r.stalls} stalls, the longest asked at ${fmt(r.worstAtMs / 1000, 1)} s); p99 busy/idle ${fmt(r.busy.p99 / r.idle.p99, 1)}×`,
  );
}
