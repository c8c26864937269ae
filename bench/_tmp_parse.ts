import { generateOfx, generateCsv } from "./statements";
import { parseStatement, streamStatement, summarize } from "@/lib/statements";
const n = Number(process.env.N ?? 100000);
for (const [name, bytes] of [["ofx", generateOfx(n)], ["csv", generateCsv(n)]] as const) {
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const g = streamStatement(bytes);
    let r; while (!(r = g.next()).done);
    const rows = summarize(r.value).reduce((a, s) => a + s.transactions, 0);
    const ms = performance.now() - t0;
    console.log(name, rows, Math.round(ms), "ms", Math.round(rows / ms * 1000), "rows/s");
  }
}
void parseStatement;
