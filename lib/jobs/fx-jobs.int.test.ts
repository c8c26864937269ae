import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { rowsOf } from "@/db/rows";
import { rateOn } from "@/lib/fx/rates";
import { startWorker } from "./index";
import { createJobQueue, type JobQueue } from "./queue";

/**
 * The ECB refresh runs as a scheduled job on lib/jobs. A local HTTP server on the
 * loopback interface stands in for the ECB's 90-day feed (same XML shape).
 */

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
  <gesmes:subject>Reference rates</gesmes:subject>
  <Cube>
    <Cube time="2031-03-04"><Cube currency="USD" rate="1.2345"/><Cube currency="GBP" rate="0.81"/></Cube>
    <Cube time="2031-03-03"><Cube currency="USD" rate="1.2"/><Cube currency="GBP" rate="0.8"/></Cube>
  </Cube>
</gesmes:Envelope>`;

let t: TestDatabase;
let server: http.Server;
let base = "";
let status = 200;
let hits = 0;
beforeAll(async () => {
  t = await createTestDatabase();
  server = http.createServer((req, res) => {
    hits++;
    if (req.url !== "/stats/eurofxref/eurofxref-hist-90d.xml" || status !== 200) {
      res.writeHead(status === 200 ? 404 : status).end("unavailable");
      return;
    }
    res.writeHead(200, { "content-type": "text/xml" }).end(FEED);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t?.close();
});
beforeEach(async () => {
  await truncateAll(t);
  await t.db.execute(sql`delete from fx_rates where date >= '2031-01-01'`);
  await t.db.execute(sql`delete from fx_daily where day >= '2031-01-01'`);
  status = 200;
  hits = 0;
});

async function runWorker(fn: (jobs: JobQueue) => Promise<void>) {
  const jobs = await createJobQueue(t, { url: t.url, supervise: false });
  try {
    await startWorker(t, jobs, { pollMs: 500, fx: { url: `${base}/stats/eurofxref/eurofxref-hist-90d.xml`, timeoutMs: 5000 } });
    await fn(jobs);
  } finally {
    await jobs.stop();
  }
}

async function lastFxJob(jobs: JobQueue, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [job] = await jobs.byKey("fx.refresh", "fx", 1);
    if (job && ["completed", "failed"].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the fx.refresh job did not finish");
}

describe("ECB refresh as a scheduled job", () => {
  it("the worker schedules fx.refresh, runs it at start and loads the feed", async () => {
    await runWorker(async (jobs) => {
      const job = await lastFxJob(jobs);
      expect(job.state).toBe("completed");
      expect(job.output).toMatchObject({ status: "ok", rates: 4, lastDate: "2031-03-04" });
      const schedules = rowsOf<{ name: string; cron: string }>(await t.db.execute(sql`select name, cron from pgboss.schedule where name = 'fx.refresh'`));
      expect(schedules).toEqual([{ name: "fx.refresh", cron: "17 */6 * * *" }]);
    });
    expect(hits).toBe(1);
    // Wednesday 2031-03-05 has no rate yet: the last known one (4 March) is carried forward.
    expect(await rateOn(t.db, "USD", "2031-03-04")).toEqual({ currency: "USD", perEur: "1.234500", rateDate: "2031-03-04", stale: false });
    expect(await rateOn(t.db, "GBP", "2031-03-03")).toMatchObject({ perEur: "0.800000", rateDate: "2031-03-03" });
    expect(await rateOn(t.db, "USD", "2031-03-09")).toEqual({ currency: "USD", perEur: "1.234500", rateDate: "2031-03-04", stale: true });
  });

  it("an unreachable or failing feed changes nothing and the job says why", async () => {
    status = 503;
    await runWorker(async (jobs) => {
      const job = await lastFxJob(jobs);
      expect(job.state).toBe("completed");
      expect(job.output).toEqual({ status: "failed", reason: "ECB answered 503" });
    });
    expect(hits).toBe(1);
    expect(await rateOn(t.db, "USD", "2031-03-04")).toBeNull();
  });
});
