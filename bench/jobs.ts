/**
 * Jobs: drain 200 due demo connections (the demo bank over HTTP with ~100 ms per call) with
 * 1 worker process vs 2 worker processes on one PostgreSQL, and the queue's own overhead
 * per job (wall time not spent inside the sync itself). BENCH_JOB_CONNECTIONS, BENCH_LATENCY_MS.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { connections, financialAccounts, syncRuns, transactions, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { addDaysToInstant } from "@/lib/dates";
import { DemoEmulator } from "@/emulators/demo/server";
import { BENCH_PG_URL, fmt } from "./harness";

const N = Number(process.env.BENCH_JOB_CONNECTIONS ?? 200);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 100);
const PORT = Number(process.env.BENCH_BANK_PORT ?? 3412);

export type JobsBench = { connections: number; latencyMs: number; one: Round; two: Round; speedup: number };
type Round = { workers: number; drainMs: number; syncMsSum: number; overheadPerJobMs: number; callsPerSync: number };

async function demoBankServer() {
  const emulator = new DemoEmulator();
  let calls = 0;
  const server = http.createServer(async (req, res) => {
    calls++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    await new Promise((r) => setTimeout(r, LATENCY));
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const r = await emulator.handle(new Request(`http://127.0.0.1:${PORT}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body }));
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(PORT, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${PORT}`, calls: () => calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function worker(url: string, bank: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      DEMO_BANK_URL: bank,
      LEDGERLINK_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "ll-bw-")),
      LEDGERLINK_WORKER_POLL_MS: "500",
      LEDGERLINK_DUE_EVERY_MS: "1000",
      LEDGERLINK_LOG_LEVEL: "error",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("ready") && resolve(child));
    child.once("exit", (code) => reject(new Error(`worker exited (${code})`)));
  });
}

export async function benchJobs(): Promise<JobsBench> {
  const name = `ll_bench_jobs_${randomBytes(4).toString("hex")}`;
  const admin = postgres(BENCH_PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(BENCH_PG_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const d = await openDatabase({ url });
  await migrateDatabase(d);
  const bank = await demoBankServer();
  process.env.DEMO_BANK_URL = bank.url;
  const children: ChildProcess[] = [];
  try {
    const [user] = await d.db.insert(users).values({ email: "bench@example.com", passwordHash: "x" }).returning({ id: users.id });
    for (let i = 0; i < N; i++) {
      await linkConnection(d.db, { userId: user!.id, connectorId: "demo", payload: { institutionId: "demo_platypus", historyDays: 7, seed: i, tickSeconds: 86400 } });
    }
    const round = async (workers: number): Promise<Round> => {
      // Every round does the same work: a first import (no rows, no cursor, identity not yet fetched).
      await d.db.delete(syncRuns).where(eq(syncRuns.userId, user!.id));
      await d.db.delete(transactions).where(eq(transactions.userId, user!.id));
      await d.db.update(financialAccounts).set({ identity: null }).where(eq(financialAccounts.userId, user!.id));
      await d.db.update(connections).set({ nextSyncAt: addDaysToInstant(Date.now(), 1), syncCursor: null }).where(eq(connections.userId, user!.id));
      const started = await Promise.all(Array.from({ length: workers }, () => worker(url, bank.url)));
      children.push(...started);
      const calls0 = bank.calls();
      const t0 = Date.now();
      await d.db.update(connections).set({ nextSyncAt: new Date(Date.now() - 1000) }).where(eq(connections.userId, user!.id));
      for (;;) {
        const [r] = await d.db.select({ n: sql<number>`count(*)::int` }).from(syncRuns).where(eq(syncRuns.status, "success"));
        if (r!.n >= N) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const drainMs = Date.now() - t0;
      const [s] = await d.db.select({ ms: sql<number>`sum(extract(epoch from finished_at - started_at) * 1000)::float8` }).from(syncRuns);
      for (const c of started) c.kill("SIGTERM");
      await Promise.all(started.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
      const syncMsSum = s!.ms;
      // Per job, the wall time a worker spends outside the sync itself (claim, enqueue, fetch, complete, gaps).
      const overheadPerJobMs = (drainMs * workers - syncMsSum) / N;
      return { workers, drainMs, syncMsSum, overheadPerJobMs, callsPerSync: (bank.calls() - calls0) / N };
    };
    const one = await round(1);
    const two = await round(2);
    return { connections: N, latencyMs: LATENCY, one, two, speedup: one.drainMs / two.drainMs };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await bank.close();
    await d.close();
    const a = postgres(BENCH_PG_URL, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`);
    await a.end();
  }
}

export function printJobs(r: JobsBench): void {
  console.log(`\njobs (postgres): ${r.connections} due demo connections, bank latency ${r.latencyMs} ms per call`);
  for (const x of [r.one, r.two]) {
    console.log(
      `  ${x.workers} worker${x.workers > 1 ? "s" : ""}: drained in ${fmt(x.drainMs / 1000, 1)} s (${fmt((r.connections / x.drainMs) * 1000, 1)} syncs/s), ${fmt(x.callsPerSync, 1)} bank calls per sync, queue overhead ${fmt(x.overheadPerJobMs, 1)} ms per job`,
    );
  }
  console.log(`  ratio 2 workers vs 1: ${r.speedup.toFixed(2)}× faster (target ≥ 1.7×)`);
}
