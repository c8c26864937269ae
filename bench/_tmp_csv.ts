import { generateCsv, generateOfx } from "./statements";
import { streamStatement } from "@/lib/statements";
for (const [name, bytes] of [["csv", generateCsv(100000)], ["ofx", generateOfx(100000)]] as const)
for (let i = 0; i < 4; i++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const g = streamStatement(bytes); let r; let n = 0; while (!(r = g.next()).done) n++;
  const c = process.cpuUsage(c0);
  console.log(name, n, "wall", Math.round(performance.now() - t0), "cpu", Math.round((c.user + c.system) / 1000));
}
