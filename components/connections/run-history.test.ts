import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { syncRuns } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { RunHistory } from "./run-history";

type Run = typeof syncRuns.$inferSelect;

const at = (iso: string) => new Date(iso);
function run(over: Partial<Run>): Run {
  return {
    id: crypto.randomUUID(),
    userId: "u",
    connectionId: "c",
    trigger: "manual",
    dryRun: false,
    status: "success",
    startedAt: at("2026-11-20T10:00:00Z"),
    finishedAt: at("2026-11-20T10:00:02Z"),
    added: 3,
    modified: 1,
    removed: 0,
    accounts: 2,
    pages: 1,
    attempts: 1,
    errorCode: null,
    errorMessage: null,
    options: {},
    warnings: [],
    ...over,
  };
}

/** The rendered rows as text, one string per run. */
function rows(html: string): string[] {
  return [...html.matchAll(/<li class="flex[^"]*"[^>]*>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ").trim());
}

describe("RunHistory (sync history)", () => {
  it("shows every run's trigger (link, manual, schedule, webhook) and outcome", () => {
    const html = renderToStaticMarkup(
      createElement(RunHistory, {
        runs: [
          run({ trigger: "webhook", status: "running", finishedAt: null }),
          run({ trigger: "scheduled", status: "success", added: 5, modified: 0 }),
          run({ trigger: "manual", status: "skipped", errorCode: "merged", errorMessage: "Joined the sync already queued for this connection." }),
          run({ trigger: "initial", status: "success", added: 1200, modified: 0 }),
        ],
      }),
    );
    const r = rows(html);
    expect(r).toHaveLength(4);
    expect(r[0]).toMatch(/^running Webhook .* Running…$/);
    expect(r[1]).toMatch(/^success Scheduled /);
    expect(r[1]).toContain("5 added");
    expect(r[2]).toMatch(/^skipped Refresh .*Joined the sync already queued for this connection\. 2\.0s$/);
    expect(r[3]).toMatch(/^success First import /);
  });

  it("a failed latest run shows its reason and when the queue retries it; older failures only their reason", () => {
    const retryAt = at("2026-11-20T12:15:00Z");
    const html = renderToStaticMarkup(
      createElement(RunHistory, {
        runs: [
          run({ trigger: "scheduled", status: "error", errorCode: "rate_limited", errorMessage: "The bank is busy. We'll retry later." }),
          run({ trigger: "initial", status: "error", errorCode: "interrupted", errorMessage: "The process running this sync stopped before it finished. The sync was started again." }),
        ],
        retryAt,
      }),
    );
    const r = rows(html);
    expect(r[0]).toContain("error Scheduled");
    expect(r[0]).toContain("The bank is busy. We'll retry later.");
    expect(r[0]).toContain(`Retries at ${formatDateTime(retryAt)}`);
    expect(r[1]).toContain("The process running this sync stopped before it finished.");
    expect(r[1]).not.toContain("Retries at");
  });

  it("a sync job that failed outside any run is listed with its reason and next retry (or that none is left)", () => {
    const retryAt = at("2026-11-20T10:05:00Z");
    const retrying = renderToStaticMarkup(createElement(RunHistory, { runs: [], failedJob: { at: at("2026-11-20T10:00:00Z"), reason: "The background sync job stopped with an error on our side.", attempts: 2, retryAt } }));
    expect(rows(retrying)).toEqual([`job failed ${formatDateTime(at("2026-11-20T10:00:00Z"))} The background sync job stopped with an error on our side. (attempt 2) Retries at ${formatDateTime(retryAt)}`]);
    const gaveUp = renderToStaticMarkup(createElement(RunHistory, { runs: [], failedJob: { at: at("2026-11-20T10:00:00Z"), reason: "x", attempts: 4, retryAt: null } }));
    expect(rows(gaveUp)[0]).toContain("No more retries: the next scheduled sync tries again.");
    expect(renderToStaticMarkup(createElement(RunHistory, { runs: [] }))).toContain("No syncs yet.");
  });

  it("a partial run shows what it committed, why it is partial, and the warning for the account it skipped", () => {
    const html = renderToStaticMarkup(
      createElement(RunHistory, {
        runs: [
          run({
            trigger: "scheduled",
            status: "partial",
            added: 4,
            modified: 0,
            errorCode: "account_unavailable",
            errorMessage: "1 account could not be read this time; the others were synced. The next sync tries again.",
            warnings: ["“Savings” (…3528) was not synced this time: The provider is not responding right now. We'll retry automatically."],
          }),
        ],
        retryAt: at("2026-11-20T12:15:00Z"),
      }),
    );
    expect(html).toContain("bg-amber-50");
    const text = html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
    expect(text).toContain("partial Scheduled");
    expect(text).toContain("4 added, 0 updated, 0 removed. 1 account could not be read this time");
    expect(text).toContain("⚠ “Savings” (…3528) was not synced this time");
    expect(text).not.toContain("Retries at");
  });
});
