import { users } from "@/db/schema";
import { parseStatement, summarize } from "@/lib/statements";
import { commitImport, previewImport } from "@/lib/statements/import";
import { benchDatabase, fmt, ms } from "./harness";

/**
 * Issue #13's measures: parse rate and memory for a generated 100k-transaction OFX and a
 * 100k-row CSV, then preview + import of the same files into each database.
 */

export const STATEMENT_ROWS = Number(process.env.BENCH_STATEMENT_ROWS ?? 100_000);

function day(i: number) {
  const d = new Date(Date.UTC(2015, 0, 1) + Math.floor(i / 30) * 86_400_000);
  return d.toISOString().slice(0, 10);
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

function measureParse(bytes: Uint8Array) {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const t0 = performance.now();
  const result = parseStatement(bytes);
  const rows = summarize(result).reduce((a, s) => a + s.transactions, 0);
  const elapsed = ms(t0);
  const after = process.memoryUsage();
  peakHeap = Math.max(peakHeap, after.heapUsed);
  peakRss = Math.max(peakRss, after.rss);
  return { rows, ms: elapsed, heapGrowthMb: (peakHeap - before.heapUsed) / 1048576, rssGrowthMb: (peakRss - before.rss) / 1048576, mb: bytes.byteLength / 1048576 };
}

export async function benchStatementParse() {
  const ofx = generateOfx(STATEMENT_ROWS);
  const csv = generateCsv(STATEMENT_ROWS);
  return { ofx: measureParse(ofx), csv: measureParse(csv) };
}

export async function benchStatementImport(kind: "pglite" | "postgres") {
  const database = await benchDatabase(kind);
  try {
    const db = database.db;
    const [u] = await db.insert(users).values({ email: "bench-stmt@example.com", passwordHash: "x" }).returning({ id: users.id });
    const userId = u!.id;
    const out: Record<string, { rows: number; previewMs: number; importMs: number; reimportMs: number }> = {};
    for (const [name, bytes] of [["ofx", generateOfx(STATEMENT_ROWS)], ["csv", generateCsv(STATEMENT_ROWS)]] as const) {
      const file = { name: `bench.${name}`, bytes };
      let t0 = performance.now();
      const p = await previewImport(db, { userId, files: [file] });
      const previewMs = ms(t0);
      t0 = performance.now();
      const r = await commitImport(db, { userId, files: [file] });
      const importMs = ms(t0);
      t0 = performance.now();
      await commitImport(db, { userId, files: [file] });
      const reimportMs = ms(t0);
      out[name] = { rows: r.imports[0]!.added, previewMs, importMs, reimportMs };
      if (p.files[0]!.accounts[0]!.newRows !== r.imports[0]!.added) throw new Error("preview and import disagree");
    }
    return { kind, results: out };
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
  for (const [name, m] of Object.entries(r)) {
    console.log(
      `statements/parse ${name}: ${fmt(m.rows)} rows (${fmt(m.mb, 1)} MB) in ${fmt(m.ms, 0)} ms = ${fmt(m.rows / (m.ms / 1000))} rows/s (target ≥ 100,000); heap growth ${fmt(m.heapGrowthMb, 1)} MB, RSS growth ${fmt(m.rssGrowthMb, 1)} MB (whole file in memory, not streamed)`,
    );
  }
}

export function printStatementImport(r: Awaited<ReturnType<typeof benchStatementImport>>, syncRate?: number) {
  for (const name of ["ofx", "csv"] as const) {
    const m = r.results[name]!;
    const total = m.previewMs + m.importMs;
    const rate = m.rows / (total / 1000);
    console.log(
      `statements/${r.kind} ${name}: preview ${fmt(m.previewMs, 0)} ms + import ${fmt(m.importMs, 0)} ms for ${fmt(m.rows)} rows = ${fmt(rate)} rows/s` +
        (syncRate ? `; vs sync first import ${fmt(syncRate)} rows/s = ${fmt((rate / syncRate) * 100, 0)}% (target ≥ 80%)` : "") +
        `; same file again ${fmt(m.reimportMs, 0)} ms (no-op)`,
    );
  }
}
