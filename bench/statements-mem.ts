/**
 * Child process of the statements bench: reads one statement file, then streams it through
 * the parser (as the preview and the import do: rows handed out one at a time, none kept) and
 * summarises it, and prints the peak memory growth as JSON. A process of its own so the peak
 * RSS (getrusage maxRSS) belongs to this file alone.
 */
import { readFileSync } from "node:fs";
import { streamStatement, summarize } from "@/lib/statements";

const file = process.argv[2]!;
const bytes = readFileSync(file);
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage();
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
let peakHeap = before.heapUsed;
const t0 = performance.now();
const gen = streamStatement(bytes);
let seen = 0;
let r = gen.next();
for (; !r.done; r = gen.next()) {
  // sampled while the file is read (not only at the end)
  if (++seen % 5000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}
const rows = summarize(r.value).reduce((a, s) => a + s.transactions, 0);
const ms = performance.now() - t0;
const after = process.memoryUsage();
peakHeap = Math.max(peakHeap, after.heapUsed);
const maxRss = process.resourceUsage().maxRSS * 1024;
if (rows !== seen) throw new Error(`the stream handed out ${seen} rows, the summary counts ${rows}`);
process.stdout.write(
  JSON.stringify({ rows, ms, mb: bytes.byteLength / 1048576, heapGrowthMb: (peakHeap - before.heapUsed) / 1048576, rssGrowthMb: (Math.max(maxRss, after.rss) - Math.max(maxRssBefore, before.rss)) / 1048576 }),
);
