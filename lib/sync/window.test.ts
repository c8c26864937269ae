import { describe, expect, it } from "vitest";
import type { NormalizedTransaction } from "@/lib/connectors/contract";
import { addDays, latestDay, splitRange, windowedFetch } from "./window";

const tx = (account: string, id: string, date: string, pending = false): NormalizedTransaction => ({
  providerTransactionId: id,
  providerAccountId: account,
  pending,
  date,
  amount: "-1",
  currency: "USD",
  description: id,
  raw: null,
});

describe("window adapter", () => {
  it("splits a range into inclusive windows of at most n days, oldest first, across month ends", () => {
    expect(splitRange("2026-01-01", "2026-03-01", 30)).toEqual([
      { from: "2026-01-01", to: "2026-01-30" },
      { from: "2026-01-31", to: "2026-03-01" },
    ]);
    expect(splitRange("2026-02-27", "2026-03-02", 2)).toEqual([
      { from: "2026-02-27", to: "2026-02-28" },
      { from: "2026-03-01", to: "2026-03-02" },
    ]);
    expect(splitRange("2026-05-05", "2026-05-05", 30)).toEqual([{ from: "2026-05-05", to: "2026-05-05" }]);
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    // The open end of a window is today in the furthest-ahead time zone (UTC+14).
    expect(latestDay(Date.UTC(2026, 0, 15, 9, 59))).toBe("2026-01-15");
    expect(latestDay(Date.UTC(2026, 0, 15, 10, 0))).toBe("2026-01-16");
  });

  it("pages account × window, sends each window's bounds to the provider, and resumes from the newest posted date minus the overlap", async () => {
    const now = Date.UTC(2026, 2, 31, 0, 0);
    const data: Record<string, NormalizedTransaction[]> = {
      b: [tx("b", "b1", "2026-03-01"), tx("b", "b2", "2026-03-20")],
      a: [tx("a", "a1", "2026-01-10"), tx("a", "a2", "2026-03-25"), tx("a", "a3", "2026-03-30", true)],
    };
    const reads: string[] = [];
    const fetch = windowedFetch<null>({
      overlapDays: 5,
      maxWindowDays: 45,
      maxHistoryDays: 90,
      now: () => now,
      accounts: async () => ["b", "a"],
      read: async (_c, id, r) => {
        reads.push(`${id} ${r.from}..${r.to}`);
        return { transactions: data[id]! }; // a sloppy provider returns everything: the adapter keeps the window's rows only
      },
    });
    const pages = [];
    let cursor: string | null = null;
    for (;;) {
      const p = await fetch(null, { cursor });
      pages.push(p);
      cursor = p.nextCursor;
      if (!p.hasMore) break;
    }
    // 90 days back from 2026-03-31 in 45-day windows, account a then b.
    expect(reads).toEqual(["a 2026-01-01..2026-02-14", "a 2026-02-15..2026-03-31", "b 2026-01-01..2026-02-14", "b 2026-02-15..2026-03-31"]);
    expect(pages.map((p) => [p.window, p.added.map((t) => t.providerTransactionId)])).toEqual([
      [{ providerAccountId: "a", from: "2026-01-01", to: "2026-02-14" }, ["a1"]],
      [{ providerAccountId: "a", from: "2026-02-15", to: "2026-03-31" }, ["a2", "a3"]],
      [{ providerAccountId: "b", from: "2026-01-01", to: "2026-02-14" }, []],
      [{ providerAccountId: "b", from: "2026-02-15", to: "2026-03-31" }, ["b1", "b2"]],
    ]);
    // Next sync: from the newest POSTED date (a2, 2026-03-25; the pending a3 does not count) minus 5 days.
    reads.length = 0;
    const next = await fetch(null, { cursor });
    expect(reads).toEqual(["a 2026-03-20..2026-03-31"]);
    expect(next.window).toEqual({ providerAccountId: "a", from: "2026-03-20", to: "2026-03-31" });
    // A partial run's date range is what the provider is asked for.
    reads.length = 0;
    await fetch(null, { cursor: null, dateRange: { from: "2026-03-01", to: "2026-03-10" }, accountIds: ["b"] });
    expect(reads).toEqual(["b 2026-03-01..2026-03-10"]);
  });

  it("an incomplete read (account closed mid-read) applies its rows but carries no window, so nothing is removed", async () => {
    const fetch = windowedFetch<null>({ overlapDays: 1, now: () => Date.UTC(2026, 0, 1), accounts: async () => ["x"], read: async () => ({ transactions: [], complete: false }) });
    const p = await fetch(null, { cursor: null });
    expect(p.window).toBeUndefined();
    expect(p.hasMore).toBe(false);
  });
});
