import { createHash, timingSafeEqual } from "node:crypto";
import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { appJobs, workerEnabled } from "@/lib/jobs/app";
import { runDueNow } from "@/lib/jobs";
import { log } from "@/lib/log";

/**
 * For hosts that can only call a URL on a schedule (serverless): claim due connections
 * and enqueue them, reap runs of dead processes. `Authorization: Bearer <CRON_SECRET>`.
 * Without CRON_SECRET configured the route is off (404).
 */
const digest = (s: string) => createHash("sha256").update(s).digest();

export async function POST(req: Request) {
  const secret = process.env.CRON_SECRET;
  if (!secret) return NextResponse.json({ error: { code: "not_found", message: "Not found." } }, { status: 404 });
  const given = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
  if (!timingSafeEqual(digest(given), digest(secret))) {
    return NextResponse.json({ error: { code: "unauthorized", message: "A valid cron secret is required." } }, { status: 401 });
  }
  try {
    // With no worker in this process (LEDGERLINK_WORKER=off, a serverless host), the tick also
    // runs queued jobs for up to LEDGERLINK_TICK_BUDGET_MS (default 20 s; 0 = only enqueue).
    const budgetMs = workerEnabled() ? 0 : Number(process.env.LEDGERLINK_TICK_BUDGET_MS ?? 20_000);
    const r = await runDueNow(await getDb(), await appJobs(), { budgetMs });
    return NextResponse.json({ ok: true, ...r });
  } catch (e) {
    log.error("cron tick failed", { error: e });
    return NextResponse.json({ error: { code: "internal", message: "The tick failed; it is safe to call again." } }, { status: 500 });
  }
}
