import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { eq } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { connections, syncRuns, users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { syncConnection } from "@/lib/sync/engine";
import { TEST_DATABASE_URL } from "@/test/db";
import { ebankHarness, ebankUser } from "@/test/ebank-harness";
import { centsToString, sofiaDay } from "@/emulators/ebank/ledger";
import type { Connector } from "../contract";
import { stored } from "../conformance";

/**
 * kill -9 in the middle of a backfill: a real child process runs the sync, the test kills
 * it after a few committed windows, and the next run (here) continues from the last
 * committed window — no window before it is read again, nothing is missing or doubled.
 * PGlite on disk or a PostgreSQL database, per LL_TEST_DB.
 */
const YEARS = 2;
const START = Date.UTC(2026, 10, 21, 9, 30);
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup) await c();
});

async function target(): Promise<{ url: string } | { dataDir: string }> {
  if (process.env.LL_TEST_DB === "postgres") {
    const name = `ll_test_${randomBytes(6).toString("hex")}`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    cleanup.push(async () => {
      const a = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    });
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    return { url: url.toString() };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-ebank-crash-"));
  cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  return { dataDir };
}

/** Run the child until it has committed `pages` pages, then SIGKILL it. */
function runAndKill(args: object, pages: number): Promise<{ lastSeen: number; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/ebank-crash-child.ts", JSON.stringify(args)], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, LEDGERLINK_LOG_LEVEL: "warn" } });
    let lastSeen = 0;
    let err = "";
    child.stderr.on("data", (d) => (err += String(d)));
    child.stdout.on("data", (d: Buffer) => {
      for (const m of String(d).matchAll(/page (\d+)/g)) lastSeen = Math.max(lastSeen, Number(m[1]));
      if (lastSeen >= pages && !child.killed) child.kill("SIGKILL");
    });
    child.on("exit", (_code, signal) => (signal === "SIGKILL" ? resolve({ lastSeen, signal }) : reject(new Error(`child ended without being killed: ${err.slice(-2000)}`))));
  });
}

it("kill -9 mid-backfill: the next run continues from the last committed window", { timeout: 480_000 }, async () => {
  const where = await target();
  let database: Database = await openDatabase(where);
  await migrateDatabase(database);
  const linkHarness = ebankHarness({ users: [ebankUser("anna", { years: YEARS })], start: START });
  const [u] = await database.db.insert(users).values({ email: "crash@example.com", passwordHash: "x" }).returning({ id: users.id });
  const { connectionId } = await linkConnection(database.db, { userId: u!.id, connectorId: "ebank", payload: { username: "anna", password: "correct horse" } }, { connector: linkHarness.connector as Connector<unknown> });
  await database.close(); // the child owns the database now (PGlite allows one process)

  const killed = await runAndKill({ target: where, userId: u!.id, connectionId, start: START, years: YEARS }, 12);
  expect(killed.signal).toBe("SIGKILL");

  database = await openDatabase(where);
  cleanup.unshift(() => database.close());
  const db = database.db;
  const [conn] = await db.select().from(connections).where(eq(connections.id, connectionId));
  const [dead] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connectionId));
  expect(dead!.status).toBe("running"); // killed: nobody finished the run
  const committed = dead!.pages;
  expect(committed).toBeGreaterThanOrEqual(12);
  const cursor = JSON.parse(conn!.syncCursor!) as { run: unknown };
  expect(cursor.run).not.toBeNull();

  // The next run, after the dead run's lease ran out (10 minutes later).
  const h = ebankHarness({ users: [ebankUser("anna", { years: YEARS })], start: START + 10 * 60_000 });
  const r = await syncConnection(db, { userId: u!.id, connectionId, trigger: "manual" }, { connector: h.connector as Connector<unknown>, clock: h.clock });
  expect(r.status).toBe("success");
  const windows = h.emulator.log.filter((l) => {
    if (!l.path.endsWith("/GetCustBal")) return false;
    const q = new URLSearchParams(l.query);
    return q.get("FromDate")!.slice(0, 10) !== q.get("ToDate")!.slice(0, 10);
  }).length;
  // The same history in one uninterrupted run, for comparison.
  const ref = ebankHarness({ users: [ebankUser("bea", { years: YEARS })], start: START });
  const { connectionId: refId } = await linkConnection(db, { userId: u!.id, connectorId: "ebank", payload: { username: "bea", password: "correct horse" } }, { connector: ref.connector as Connector<unknown> });
  await syncConnection(db, { userId: u!.id, connectionId: refId, trigger: "manual" }, { connector: ref.connector as Connector<unknown>, clock: ref.clock });
  const full = ref.emulator.log.filter((l) => {
    if (!l.path.endsWith("/GetCustBal")) return false;
    const q = new URLSearchParams(l.query);
    return q.get("FromDate")!.slice(0, 10) !== q.get("ToDate")!.slice(0, 10);
  }).length;
  expect(windows).toBe(full - committed); // nothing committed is read again

  // One more refresh picks up what the bank posted meanwhile: stored = the bank, exactly.
  expect((await syncConnection(db, { userId: u!.id, connectionId, trigger: "manual" }, { connector: h.connector as Connector<unknown>, clock: h.clock })).status).toBe("success");
  const want = new Map<string, { amount: string; pending: boolean; date: string }>();
  h.emulator.ibans("anna").forEach((_, i) => {
    for (const e of h.emulator.visibleEntries("anna", i)) want.set(String(e.srNo), { amount: centsToString(e.cents), pending: false, date: sofiaDay(e.at) });
  });
  const got = await stored(db, connectionId);
  expect([...want.keys()].filter((k) => !got.has(k))).toEqual([]);
  expect([...got.keys()].filter((k) => !want.has(k))).toEqual([]);
});
