/**
 * Child process of the statements bench: reads one statement file, then parses and summarises
 * it, and prints the peak memory growth as JSON. A process of its own so the peak RSS
 * (getrusage maxRSS) belongs to this file alone.
 */
import { readFileSync } from "node:fs";
import { parseStatement, summarize } from "@/lib/statements";

const file = process.argv[2]!;
const bytes = readFileSync(file);
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage();
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
let peakHeap = before.heapUsed;
const t0 = performance.now();
const result = parseStatement(bytes);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
const rows = summarize(result).reduce((a, s) => a + s.transactions, 0);
const ms = performance.now() - t0;
const after = process.memoryUsage();
peakHeap = Math.max(peakHeap, after.heapUsed);
const maxRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  JSON.stringify({ rows, ms, mb: bytes.byteLength / 1048576, heapGrowthMb: (peakHeap - before.heapUsed) / 1048576, rssGrowthMb: (Math.max(maxRss, after.rss) - Math.max(maxRssBefore, before.rss)) / 1048576 }),
);
