/**
 * Child process of the statements bench: previews and imports one statement file into the
 * PostgreSQL database at argv[3] (already migrated), sampling this process's memory while it
 * runs, and prints the peak growth as JSON. PostgreSQL, not PGlite: an embedded database's own
 * pages would count as this process's memory.
 */
import "./env";
import { readFileSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { users } from "@/db/schema";
import { commitImport, previewImport } from "@/lib/statements/import";

const [file, url] = [process.argv[2]!, process.argv[3]!];
const database = await openDatabase({ url });
const [u] = await database.db.insert(users).values({ email: "bench-stmt-mem@example.com", passwordHash: "x" }).returning({ id: users.id });
const upload = { name: path.basename(file), bytes: new Uint8Array(readFileSync(file)) };
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage();
const maxRssBefore = process.resourceUsage().maxRSS * 1024;
let peakHeap = before.heapUsed;
const timer = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 20);
const t0 = performance.now();
const p = await previewImport(database.db, { userId: u!.id, files: [upload] });
const r = await commitImport(database.db, { userId: u!.id, files: [upload] });
const ms = performance.now() - t0;
clearInterval(timer);
const after = process.memoryUsage();
peakHeap = Math.max(peakHeap, after.heapUsed);
const maxRss = process.resourceUsage().maxRSS * 1024;
await database.close();
process.stdout.write(
  JSON.stringify({ rows: r.imports[0]!.added, inFile: p.files[0]!.accounts.reduce((a, x) => a + x.transactions, 0), ms, mb: upload.bytes.byteLength / 1048576, heapGrowthMb: (peakHeap - before.heapUsed) / 1048576, rssGrowthMb: (Math.max(maxRss, after.rss) - Math.max(maxRssBefore, before.rss)) / 1048576 }),
);
