import { users } from "@/db/schema";
import { linkConnection } from "@/lib/connections/service";
import { createDemoConnector } from "@/lib/connectors/demo/connector";
import type { Connector } from "@/lib/connectors/contract";
import { overview, periodStart } from "@/lib/reports/overview";
import { syncConnection } from "@/lib/sync/engine";
import { exportStream } from "@/lib/transactions/export";
import { parseFilters, type TransactionFilters } from "@/lib/transactions/filters";
import { queryTransactions } from "@/lib/transactions/query";
import { TEN_YEAR_BENCH } from "@/emulators/demo/ledger";
import { DemoEmulator } from "@/emulators/demo/server";
import type { Db } from "@/db/client";
import { benchDatabase, fmt, ms, percentile } from "./harness";

/**
 * Issue #4's measures: on ~100k transactions for one user (plus a second user with its
 * own data), p50/p95 server time of filtered pages (several mixes, deep pages), of the
 * overview aggregations, and CSV export throughput and memory.
 */
const now = Date.UTC(2026, 5, 1, 12);

async function importDemo(db: Db, email: string, historyDays: number, density: number, seed: number) {
  const emulator = new DemoEmulator({ now: () => now });
  const connector = createDemoConnector({ baseUrl: "http://demo.bench", fetch: (i, init) => emulator.handle(new Request(i, init)) }) as Connector<unknown>;
  const [u] = await db.insert(users).values({ email, passwordHash: "x" }).returning({ id: users.id });
  const { connectionId } = await linkConnection(db, { userId: u!.id, connectorId: "demo", payload: { institutionId: "demo_platypus", seed, historyDays, density } }, { connector });
  const r = await syncConnection(db, { userId: u!.id, connectionId, trigger: "initial" }, { connector, clock: { now: () => now, sleep: async () => {}, random: Math.random } });
  if (r.status !== "success") throw new Error("import failed");
  return { userId: u!.id, rows: r.diff.added };
}

const f = (q: Record<string, string>): TransactionFilters => {
  const r = parseFilters(q);
  if (!r.ok) throw new Error(JSON.stringify(r.fieldErrors));
  return r.filters;
};

async function timeIt(n: number, fn: () => Promise<unknown>) {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(ms(t0));
  }
  return { p50: percentile(xs, 50), p95: percentile(xs, 95) };
}

export async function benchQuery(kind: "pglite" | "postgres", historyDays: number = TEN_YEAR_BENCH.historyDays) {
  const database = await benchDatabase(kind);
  const db = database.db;
  try {
    const a = await importDemo(db, "a@bench", historyDays, TEN_YEAR_BENCH.density, 11);
    const b = await importDemo(db, "b@bench", Math.min(730, historyDays), 1, 12);
    const today = "2026-06-01";
    const mixes: Record<string, Record<string, string>> = {
      "first page (date desc)": {},
      "1 year, money out": { from: periodStart("1y", today)!, direction: "out" },
      "text search 'coffee'": { q: "coffee" },
      "amount ≥ 50, sort amount": { min: "50", sort: "amount" },
      "category, sort merchant asc": { category: "Groceries", sort: "merchant", order: "asc" },
      "pending only": { pending: "only" },
    };
    const pages: Record<string, { p50: number; p95: number }> = {};
    for (const [name, q] of Object.entries(mixes)) pages[name] = await timeIt(30, () => queryTransactions(db, { userId: a.userId, filters: f(q) }));
    // Deep page: walk 500 pages of 100 (~50k rows in) and time the pages from there.
    let cursor: string | undefined;
    for (let i = 0; i < 500; i++) {
      const p = await queryTransactions(db, { userId: a.userId, filters: { ...f({ limit: "100" }), cursor } });
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
    }
    pages["deep page (~50k rows in)"] = await timeIt(30, () => queryTransactions(db, { userId: a.userId, filters: { ...f({ limit: "100" }), cursor } }));
    const deepAmount = await (async () => {
      let c: string | undefined;
      for (let i = 0; i < 300; i++) {
        const p = await queryTransactions(db, { userId: a.userId, filters: { ...f({ limit: "100", sort: "amount" }), cursor: c } });
        if (!p.nextCursor) break;
        c = p.nextCursor;
      }
      return c;
    })();
    pages["deep page by amount (~30k in)"] = await timeIt(30, () => queryTransactions(db, { userId: a.userId, filters: { ...f({ limit: "100", sort: "amount" }), cursor: deepAmount } }));

    const ov1y = await timeIt(15, () => overview(db, { userId: a.userId, filters: { from: periodStart("1y", today) } }));
    const ovAll = await timeIt(10, () => overview(db, { userId: a.userId, filters: {} }));

    // Export: all of user A as CSV, memory sampled along the way.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    let rows = 0;
    const t0 = performance.now();
    const reader = exportStream(db, { userId: a.userId, filters: f({}), format: "csv" }).getReader();
    const dec = new TextDecoder();
    for (let i = 0; ; i++) {
      const { done, value } = await reader.read();
      if (done) break;
      rows += dec.decode(value).split("\r\n").length - 1;
      if (i % 5 === 0) {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
        peakRss = Math.max(peakRss, m.rss - base.rss);
      }
    }
    const exportMs = ms(t0);
    return { kind, rowsA: a.rows, rowsB: b.rows, pages, ov1y, ovAll, export: { rows: rows - 1, ms: exportMs, peakHeap, peakRss } };
  } finally {
    await database.close();
  }
}

export function printQuery(r: Awaited<ReturnType<typeof benchQuery>>) {
  console.log(`query/${r.kind}: user A ${fmt(r.rowsA)} transactions, user B ${fmt(r.rowsB)}`);
  for (const [name, v] of Object.entries(r.pages)) console.log(`query/${r.kind}: page "${name}": p50 ${fmt(v.p50, 1)} ms, p95 ${fmt(v.p95, 1)} ms`);
  console.log(`query/${r.kind}: overview 1 year: p50 ${fmt(r.ov1y.p50, 1)} ms, p95 ${fmt(r.ov1y.p95, 1)} ms; all time: p50 ${fmt(r.ovAll.p50, 1)} ms, p95 ${fmt(r.ovAll.p95, 1)} ms (target ≤ 150 ms on Postgres)`);
  const worst = Math.max(...Object.values(r.pages).map((v) => v.p95));
  console.log(`query/${r.kind}: worst filtered-page p95 ${fmt(worst, 1)} ms (target ≤ 50 ms on Postgres)`);
  console.log(
    `query/${r.kind}: CSV export ${fmt(r.export.rows)} rows in ${fmt(r.export.ms / 1000, 2)} s = ${fmt(r.export.rows / (r.export.ms / 1000))} rows/s (target ≥ 50k/s); peak heap +${fmt(r.export.peakHeap / 2 ** 20, 1)} MiB, peak RSS +${fmt(r.export.peakRss / 2 ** 20, 1)} MiB`,
  );
}
