import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { users } from "@/db/schema";
import { addDays } from "@/lib/dates";
import { MAX_STATEMENT_BYTES } from "@/lib/statements/limits";
import { streamStatement, summarize } from "@/lib/statements";
import { commitImport, previewImport } from "@/lib/statements/import";
import { benchDatabase, fmt, ms } from "./harness";

/**
 * Issue #13's measures: parse rate and memory for a generated 100k-transaction OFX and a
 * 100k-row CSV (streamed, as the preview and the import read files), then preview + import of
 * the same files into each database.
 */

export const STATEMENT_ROWS = Number(process.env.BENCH_STATEMENT_ROWS ?? 100_000);

function day(i: number) {
  return addDays("2015-01-01", Math.floor(i / 30));
}

export function generateOfx(n: number): Uint8Array {
  const parts = [
    "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>1<ACCTID>BENCH-OFX<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>",
    `<DTSTART>${day(0).replace(/-/g, "")}<DTEND>${day(n - 1).replace(/-/g, "")}\n`,
  ];
  for (let i = 0; i < n; i++) {
    parts.push(`<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>${day(i).replace(/-/g, "")}<TRNAMT>-${(i % 997) + 1}.${String(i % 100).padStart(2, "0")}<FITID>B${i}<NAME>Shop ${i % 1000}</STMTTRN>\n`);
  }
  parts.push("</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20250101</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n");
  return new TextEncoder().encode(parts.join(""));
}

export function generateCsv(n: number): Uint8Array {
  const parts = ["Buchungstag;Verwendungszweck;Betrag;Währung\n"];
  for (let i = 0; i < n; i++) {
    const [y, m, d] = day(i).split("-");
    parts.push(`${d}.${m}.${y};Einkauf ${i % 1000} Ref ${i};-${(i % 997) + 1},${String(i % 100).padStart(2, "0")};EUR\n`);
  }
  return new TextEncoder().encode(parts.join(""));
}

/** Files are generated into a temp dir at bench time (never kept in the repo). */
function tempFiles() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ll-bench-stmt-"));
  const put = (name: string, bytes: Uint8Array) => {
    const f = path.join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };
  return { dir, put, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A generated file just under the 50 MB cap (row sizes grow with the row number: measured, not assumed). */
function justUnderCap(gen: (n: number) => Uint8Array): Uint8Array {
  let n = Math.floor(((MAX_STATEMENT_BYTES * 0.98) / gen(100_000).byteLength) * 100_000);
  for (;;) {
    const bytes = gen(n);
    if (bytes.byteLength < MAX_STATEMENT_BYTES) return bytes;
    n = Math.floor(n * 0.97);
  }
}

function measureInChild(file: string) {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(import.meta.dirname, "statements-mem.ts"), file], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`statements-mem failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { rows: number; ms: number; mb: number; heapGrowthMb: number; rssGrowthMb: number };
}

export async function benchStatementParse() {
  const tmp = tempFiles();
  try {
    const ofx = tmp.put("bench-100k.ofx", generateOfx(STATEMENT_ROWS));
    const csv = tmp.put("bench-100k.csv", generateCsv(STATEMENT_ROWS));
    // the rate: best of three in this process (warm); memory: a fresh process per file
    const rate = (file: string) => {
      const bytes = readFileSync(file);
      let best = Infinity;
      let bestCpu = Infinity;
      let rows = 0;
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        // parse + summarise as the preview reads a file: streamed, no row kept
        const gen = streamStatement(bytes);
        let r = gen.next();
        while (!r.done) r = gen.next();
        rows = summarize(r.value).reduce((a, s) => a + s.transactions, 0);
        best = Math.min(best, ms(t0));
        const c = process.cpuUsage(c0);
        bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000);
      }
      return { rows, ms: best, cpuMs: bestCpu, mb: bytes.byteLength / 1048576 };
    };
    const out = { ofx: { ...rate(ofx), mem: measureInChild(ofx) }, csv: { ...rate(csv), mem: measureInChild(csv) } };
    const big = process.env.BENCH_STATEMENT_50MB === "0" ? null : {
      ofx: measureInChild(tmp.put("bench-50mb.ofx", justUnderCap(generateOfx))),
      csv: measureInChild(tmp.put("bench-50mb.csv", justUnderCap(generateCsv))),
    };
    return { ...out, big };
  } finally {
    tmp.done();
  }
}

export async function benchStatementImport(kind: "pglite" | "postgres") {
  const database = await benchDatabase(kind);
  try {
    const db = database.db;
    const [u] = await db.insert(users).values({ email: "bench-stmt@example.com", passwordHash: "x" }).returning({ id: users.id });
    const userId = u!.id;
    const out: Record<string, { rows: number; previewMs: number; importMs: number; reimportMs: number; peakHeapMb: number; peakRssMb: number }> = {};
    const tmp = tempFiles();
    const paths = { ofx: tmp.put("bench.ofx", generateOfx(STATEMENT_ROWS)), csv: tmp.put("bench.csv", generateCsv(STATEMENT_ROWS)) };
    for (const name of ["ofx", "csv"] as const) {
      const file = { name: `bench.${name}`, bytes: new Uint8Array(readFileSync(paths[name])) };
      (globalThis as { gc?: () => void }).gc?.();
      const base = process.memoryUsage();
      let peakHeap = 0;
      let peakRss = 0;
      const sample = () => {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed - base.heapUsed);
        peakRss = Math.max(peakRss, m.rss - base.rss);
      };
      const timer = setInterval(sample, 25);
      let t0 = performance.now();
      const p = await previewImport(db, { userId, files: [file] });
      const previewMs = ms(t0);
      t0 = performance.now();
      const r = await commitImport(db, { userId, files: [file] });
      const importMs = ms(t0);
      t0 = performance.now();
      await commitImport(db, { userId, files: [file] });
      const reimportMs = ms(t0);
      clearInterval(timer);
      sample();
      out[name] = { rows: r.imports[0]!.added, previewMs, importMs, reimportMs, peakHeapMb: peakHeap / 1048576, peakRssMb: peakRss / 1048576 };
      if (p.files[0]!.accounts[0]!.newRows !== r.imports[0]!.added) throw new Error("preview and import disagree");
    }
    // a file just under the cap, previewed and imported in a process of its own (PostgreSQL only:
    // PGlite's pages would be counted as the process's memory); BENCH_STATEMENT_50MB=0 skips it
    let big: { rows: number; inFile: number; ms: number; mb: number; heapGrowthMb: number; rssGrowthMb: number } | null = null;
    if (kind === "postgres" && database.url && process.env.BENCH_STATEMENT_50MB !== "0") {
      const f = tmp.put("bench-50mb.ofx", justUnderCap(generateOfx));
      const child = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", path.join(import.meta.dirname, "statements-import-mem.ts"), f, database.url], { encoding: "utf8", maxBuffer: 1 << 20 });
      if (child.status !== 0) throw new Error(`statements-import-mem failed: ${child.stderr}`);
      big = JSON.parse(child.stdout);
    }
    tmp.done();
    return { kind, results: out, big };
  } finally {
    await database.close();
  }
}

/** How busy the machine is: a 10^8-step integer loop (about 100 ms on an idle modern core). */
export function cpuCalibrationMs(): number {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x += i % 7;
  if (x < 0) console.log(x);
  return ms(t0);
}

export function printStatementParse(r: Awaited<ReturnType<typeof benchStatementParse>>) {
  console.log(`statements: CPU calibration loop ${fmt(cpuCalibrationMs(), 0)} ms (≈100 ms idle; higher = shared/busy machine, scale the rates below)`);
  for (const name of ["ofx", "csv"] as const) {
    const m = r[name];
    const rate = m.rows / (m.ms / 1000);
    console.log(
      `statements/parse ${name}: ${fmt(m.rows)} rows (${fmt(m.mb, 1)} MB) in ${fmt(m.ms, 0)} ms = ${fmt(rate)} rows/s = ${fmt((rate / 100_000) * 100, 0)}% of the target (≥ 100,000 rows/s); ${fmt(m.cpuMs, 0)} ms of CPU = ${fmt(m.rows / (m.cpuMs / 1000))} rows per CPU-second (less sensitive to a busy machine); fresh process: heap growth ${fmt(m.mem.heapGrowthMb, 1)} MB, peak RSS growth ${fmt(m.mem.rssGrowthMb, 1)} MB`,
    );
  }
  if (r.big) {
    for (const name of ["ofx", "csv"] as const) {
      const m = r.big[name];
      console.log(
        `statements/parse ${name} just under the cap: ${fmt(m.rows)} rows (${fmt(m.mb, 1)} MB) in ${fmt(m.ms, 0)} ms; heap growth ${fmt(m.heapGrowthMb, 1)} MB, peak RSS growth ${fmt(m.rssGrowthMb, 1)} MB (target ≤ 100 MB: ${m.rssGrowthMb <= 100 && m.heapGrowthMb <= 100 ? "met" : "NOT met"})`,
      );
    }
  }
}

export function printStatementImport(r: Awaited<ReturnType<typeof benchStatementImport>>, syncRate?: number) {
  for (const name of ["ofx", "csv"] as const) {
    const m = r.results[name]!;
    const total = m.previewMs + m.importMs;
    const rate = m.rows / (total / 1000);
    console.log(
      `statements/${r.kind} ${name}: preview ${fmt(m.previewMs, 0)} ms + import ${fmt(m.importMs, 0)} ms for ${fmt(m.rows)} rows = ${fmt(rate)} rows/s` +
        (syncRate ? `; sync first import ${fmt(syncRate)} rows/s; ratio ${fmt((rate / syncRate) * 100, 0)}% (target ≥ 80%)` : " (run with the sync section for the ratio)") +
        `; peak heap growth ${fmt(m.peakHeapMb, 1)} MB, RSS growth ${fmt(m.peakRssMb, 1)} MB; same file again ${fmt(m.reimportMs, 0)} ms (no-op)`,
    );
  }
  if (r.big) {
    const m = r.big;
    console.log(
      `statements/${r.kind} ofx just under the cap: preview + import of ${fmt(m.inFile)} rows read (${fmt(m.mb, 1)} MB), ${fmt(m.rows)} written (the generated dates run past today: later rows are rejected) in ${fmt(m.ms, 0)} ms; fresh process: heap growth ${fmt(m.heapGrowthMb, 1)} MB, peak RSS growth ${fmt(m.rssGrowthMb, 1)} MB (target ≤ 100 MB: ${m.rssGrowthMb <= 100 && m.heapGrowthMb <= 100 ? "met" : "NOT met"})`,
    );
  }
}
