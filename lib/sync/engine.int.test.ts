import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceSnapshots, connections, financialAccounts, syncRuns, transactions } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";
import { z } from "zod";
import type { Connector } from "@/lib/connectors/contract";
import { openSecret } from "@/lib/crypto";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const totalRows = async () => Number((await t.db.select({ n: sql<number>`count(*)` }).from(transactions))[0]!.n);

describe("first import and idempotency", () => {
  it("imports exactly the bank's ledger, and a second run changes nothing", async () => {
    const h = await demoHarness(t.db, { pageSize: 50 });
    const id = await h.link();
    const first = await h.sync(id, { trigger: "initial" });
    expect(first).toMatchObject({ status: "success", accounts: 4 });
    if (first.status !== "success") throw new Error();
    expect(first.pages).toBeGreaterThan(3);
    const cmp = await h.compare(id);
    expect(cmp).toEqual({ missing: [], unexpected: [], different: [], count: cmp.count });
    expect(cmp.count).toBeGreaterThan(200);
    expect(first.diff.added).toBe(cmp.count);

    const rowsBefore = await totalRows();
    const again = await h.sync(id);
    expect(again).toMatchObject({ status: "success", diff: { added: 0, modified: 0, removed: 0 } });
    expect(await totalRows()).toBe(rowsBefore);

    // Replaying the whole history from the start (cursor lost) also changes nothing.
    await t.db.update(connections).set({ syncCursor: null }).where(eq(connections.id, id));
    const replay = await h.sync(id);
    expect(replay).toMatchObject({ status: "success", diff: { added: 0, modified: 0, removed: 0 } });
    expect(await totalRows()).toBe(rowsBefore);
  });

  it("records balances and one snapshot per account per day", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    await h.sync(id);
    await h.sync(id);
    const snaps = await t.db.select().from(balanceSnapshots);
    expect(snaps.filter((s) => !s.derived)).toHaveLength(4);
    // History before the link is derived from transactions, one row per account per day.
    const derived = snaps.filter((s) => s.derived);
    expect(derived.length).toBeGreaterThan(4 * 50);
    expect(new Set(derived.map((s) => `${s.accountId}|${s.date}`)).size).toBe(derived.length);
    const accts = await t.db.select().from(financialAccounts).where(eq(financialAccounts.connectionId, id));
    expect(new Set(accts.map((a) => a.currency))).toEqual(new Set(["USD", "EUR"]));
    for (const a of accts) expect(a.currentBalance).toMatch(/^-?\d+\.\d{4}$/);
    // Exact: the checking balance equals opening + the sum of posted amounts, computed in SQL numeric.
    const chk = accts.find((a) => a.providerAccountId.endsWith("-chk"))!;
    const [sum] = await t.db
      .select({ s: sql<string>`(2500 + coalesce(sum(${transactions.amount}), 0))::numeric(19,4)::text` })
      .from(transactions)
      .where(and(eq(transactions.accountId, chk.id), eq(transactions.pending, false), isNull(transactions.deletedAt)));
    expect(chk.currentBalance).toBe(sum!.s);
    // A derived day equals the opening balance plus everything posted up to that day.
    const day = "2025-12-31";
    const [snap] = await t.db.select().from(balanceSnapshots).where(and(eq(balanceSnapshots.accountId, chk.id), eq(balanceSnapshots.date, day)));
    const [upTo] = await t.db
      .select({ s: sql<string>`(2500 + coalesce(sum(${transactions.amount}), 0))::numeric(19,4)::text` })
      .from(transactions)
      .where(and(eq(transactions.accountId, chk.id), eq(transactions.pending, false), isNull(transactions.deletedAt), sql`${transactions.date} <= ${day}`));
    expect(snap!.current).toBe(upTo!.s);
  });
});

describe("derived balance history", () => {
  it("over years (written a year per statement) every derived day is the anchor minus what was posted after it", async () => {
    const h = await demoHarness(t.db, { pageSize: 500 });
    const id = await h.link({ historyDays: 1100, density: 1 });
    expect((await h.sync(id, { trigger: "initial" })).status).toBe("success");
    const accts = await t.db.select().from(financialAccounts).where(eq(financialAccounts.connectionId, id));
    let checked = 0;
    for (const a of accts) {
      // Independently of lib/sync/apply.ts: each day's balance from the provider's snapshot, one sum per day.
      const rows = await t.db.execute(sql`
        with anchor as (
          select date, current from balance_snapshots where account_id = ${a.id} and not derived order by date desc limit 1
        )
        select s.date::text as date, s.current::text as got,
          ((select current from anchor) - coalesce((select sum(t.amount) from transactions t
            where t.account_id = s.account_id and not t.pending and t.deleted_at is null
              and t.date > s.date and t.date <= (select date from anchor)), 0))::numeric(19,4)::text as want
        from balance_snapshots s where s.account_id = ${a.id} and s.derived order by s.date`);
      const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { date: string; got: string; want: string }[];
      const first = await t.db.select({ d: sql<string>`min(${transactions.date})::text` }).from(transactions).where(and(eq(transactions.accountId, a.id), eq(transactions.pending, false), isNull(transactions.deletedAt)));
      const [anchor] = await t.db.select({ d: sql<string>`max(${balanceSnapshots.date})::text` }).from(balanceSnapshots).where(and(eq(balanceSnapshots.accountId, a.id), eq(balanceSnapshots.derived, false)));
      // One row per day from the first posted day to the day before the provider's snapshot.
      const days = (Date.parse(anchor!.d) - Date.parse(first[0]!.d)) / 86_400_000;
      expect(list.length).toBe(days);
      expect(days).toBeGreaterThan(900);
      expect(list.filter((r) => r.got !== r.want)).toEqual([]);
      checked += list.length;
    }
    expect(checked).toBeGreaterThan(4 * 900);
  });
});

describe("incremental refresh", () => {
  it("applies new, modified, removed and pending→posted changes and matches the bank exactly", async () => {
    const h = await demoHarness(t.db, { pageSize: 50 });
    const id = await h.link();
    await h.sync(id);
    for (let tick = 1; tick <= 12; tick++) {
      h.clock.advance(60_000);
      const r = await h.sync(id);
      expect(r.status).toBe("success");
      const cmp = await h.compare(id);
      expect({ tick, ...cmp }).toEqual({ tick, missing: [], unexpected: [], different: [], count: cmp.count });
    }
    // Removals became tombstones, not deletions.
    const tomb = await t.db.select().from(transactions).where(eq(transactions.deletedReason, "provider_removed"));
    expect(tomb.length).toBeGreaterThan(0);
    // No posted row coexists with the pending it replaced.
    const dupes = await t.db.execute(sql`
      select p.id from transactions p join transactions q on q.account_id = p.account_id
      where p.pending and p.deleted_at is null and q.pending_transaction_id = p.provider_transaction_id and q.deleted_at is null`);
    expect((Array.isArray(dupes) ? dupes : (dupes as { rows: unknown[] }).rows).length).toBe(0);
  });

  it("a posted row takes over its pending row — with or without the provider's link — keeping user edits", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link({ seed: 1 }); // seed 1: three pendings at tick 1, posted linked, unlinked, linked
    h.clock.advance(60_000); // tick 1 creates pending card payments
    await h.sync(id);
    const pendings = await t.db.select().from(transactions).where(and(eq(transactions.pending, true), isNull(transactions.deletedAt)));
    expect(pendings.length).toBeGreaterThan(0);
    for (const p of pendings)
      await t.db.update(transactions).set({ category: "My own category", note: "split with Sam", userEditedFields: ["category", "note"] }).where(eq(transactions.id, p.id));

    h.clock.advance(60_000); // tick 2 posts them (some linked, some not)
    const r = await h.sync(id);
    expect(r.status).toBe("success");
    const after = await t.db.select().from(transactions).where(sql`${transactions.id} in ${pendings.map((p) => p.id)}`);
    expect(after).toHaveLength(pendings.length);
    for (const row of after) {
      expect(row.pending).toBe(false);
      expect(row.deletedAt).toBeNull();
      expect(row.category).toBe("My own category");
      expect(row.note).toBe("split with Sam");
      expect(row.pendingTransactionId).toMatch(/^p-k1-/);
    }
    const linkedRaw = after.map((a) => (a.raw as { pending_transaction_id: string | null }).pending_transaction_id);
    expect(linkedRaw.some((x) => x === null)).toBe(true); // matched without a provider link
    expect(linkedRaw.some((x) => x !== null)).toBe(true); // matched by the link
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });
});

describe("user edits and deletions", () => {
  it("edited fields are never overwritten and user-deleted rows are not re-imported", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    await h.sync(id);
    const [a, b] = await t.db.select().from(transactions).where(eq(transactions.pending, false)).limit(2);
    await t.db.update(transactions).set({ description: "Birthday dinner", userEditedFields: ["description"] }).where(eq(transactions.id, a!.id));
    await t.db.update(transactions).set({ deletedAt: new Date(), deletedReason: "user_deleted" }).where(eq(transactions.id, b!.id));

    await t.db.update(connections).set({ syncCursor: null }).where(eq(connections.id, id)); // full replay
    await h.sync(id);
    const [a2] = await t.db.select().from(transactions).where(eq(transactions.id, a!.id));
    const [b2] = await t.db.select().from(transactions).where(eq(transactions.id, b!.id));
    expect(a2!.description).toBe("Birthday dinner");
    expect(b2!.deletedReason).toBe("user_deleted");
    expect(await totalRows()).toBe((await h.groundTruth(id)).size);
  });
});

describe("crash safety", () => {
  it("aborting after page k (many seeds, random k) and resuming gives exactly the bank's ledger", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      await truncateAll(t);
      const h = await demoHarness(t.db, { pageSize: 40 });
      const id = await h.link({ seed, historyDays: 30 });
      const pagesTotal = Math.ceil(h.emulator.ledger(await h.item(id)).events.length / 40);
      const k = 1 + ((seed * 7919) % pagesTotal); // a different page for each seed
      const crashed = await h.sync(id, {}, {
        beforeCommit: (page) => {
          if (page === k) throw new Error("simulated crash before commit");
        },
      });
      expect(crashed).toMatchObject({ status: "error", code: "internal" });
      // Pages before k were committed with their cursor; page k was rolled back whole.
      const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
      const committed = c!.syncCursor ? Buffer.from(c!.syncCursor, "base64url").toString() : "v1:0";
      expect(committed).toBe(`v1:${(k - 1) * 40}`);
      if (seed % 2) h.clock.advance(60_000 * seed); // the bank moves on while we were down
      const resumed = await h.sync(id);
      expect(resumed.status).toBe("success");
      expect({ seed, ...(await h.compare(id)) }).toMatchObject({ seed, missing: [], unexpected: [], different: [] });
    }
  });

  it("a run that died holding the lease blocks others until the lease expires, then resumes", async () => {
    const h = await demoHarness(t.db, { pageSize: 40 });
    const id = await h.link();
    await t.db.update(connections).set({ lockedUntil: new Date(h.clock.now() + 60_000), lockOwner: "dead-process" }).where(eq(connections.id, id));
    expect(await h.sync(id)).toEqual({ status: "already_syncing" });
    h.clock.advance(61_000);
    expect((await h.sync(id)).status).toBe("success");
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });
});

describe("concurrency", () => {
  it("two refreshes at once: one syncs, the other is told it is already syncing; no duplicates", async () => {
    const h = await demoHarness(t.db, { pageSize: 60 });
    const id = await h.link();
    const results = await Promise.all([h.sync(id), h.sync(id)]);
    expect(results.map((r) => r.status).sort()).toEqual(["already_syncing", "success"]);
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
    const runs = await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id));
    expect(runs.map((r) => r.status).sort()).toEqual(["skipped", "success"]);
  });
});

describe("dry run", () => {
  it("computes the same diff and writes nothing", async () => {
    const h = await demoHarness(t.db, { pageSize: 80 });
    const id = await h.link();
    const dry = await h.sync(id, { dryRun: true });
    expect(dry.status).toBe("success");
    expect(await totalRows()).toBe(0);
    expect(await t.db.select().from(financialAccounts)).toHaveLength(0);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.syncCursor).toBeNull();
    expect(c!.lastSyncedAt).toBeNull();
    const real = await h.sync(id);
    if (dry.status !== "success" || real.status !== "success") throw new Error();
    expect(dry.diff).toEqual(real.diff);
    const runs = await t.db.select().from(syncRuns).where(eq(syncRuns.dryRun, true));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.added).toBe(real.diff.added);
  });
});

describe("selected accounts and date range", () => {
  it("only touches what was asked and leaves the cursor for a full run", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    await h.sync(id, { dryRun: true }); // creates nothing
    // Accounts only exist after a run; do a range-limited one first.
    const ranged = await h.sync(id, { dateRange: { from: "2026-01-01", to: "2026-01-10" } });
    expect(ranged.status).toBe("success");
    const dates = await t.db.select({ d: transactions.date }).from(transactions);
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((r) => r.d >= "2026-01-01" && r.d <= "2026-01-10")).toBe(true);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.syncCursor).toBeNull();

    const [eur] = await t.db.select().from(financialAccounts).where(eq(financialAccounts.currency, "EUR"));
    await h.sync(id, { accountIds: [eur!.id] });
    const accts = await t.db.selectDistinct({ a: transactions.accountId }).from(transactions).where(sql`${transactions.date} < '2026-01-01'`);
    expect(accts.map((a) => a.a)).toEqual([eur!.id]);

    await h.sync(id);
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });
});

describe("errors and retries (fake clock, no real sleeping)", () => {
  it("flaky provider: retries with backoff honouring Retry-After, then succeeds", async () => {
    const h = await demoHarness(t.db, { pageSize: 100 });
    const id = await h.link({ mode: "flaky" });
    const r = await h.sync(id);
    expect(r.status).toBe("success");
    expect(h.clock.slept.length).toBeGreaterThan(0);
    expect(h.clock.slept.every((ms) => ms >= 1000)).toBe(true); // Retry-After: 1
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.id, (r as { runId: string }).runId));
    expect(run!.attempts).toBeGreaterThan(run!.pages + 2);
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });

  it("outage: gives up after the retry budget, connection in error with a next attempt scheduled", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link({ mode: "error" });
    const r = await h.sync(id);
    expect(r).toMatchObject({ status: "error", code: "provider_unavailable" });
    expect(h.clock.slept).toHaveLength(3); // 4 attempts
    // Exponential backoff with jitter (random = 0.5): 250, 500, 1000 ms.
    expect(h.clock.slept).toEqual([250, 500, 1000]);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.status).toBe("error");
    expect(c!.lastErrorCode).toBe("provider_unavailable");
    expect(c!.nextSyncAt!.getTime()).toBeGreaterThan(h.clock.now());
    expect(c!.lockedUntil).toBeNull();
  });

  it("reauth_required is never retried and flips the connection", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link({ mode: "reauth" });
    const r = await h.sync(id);
    expect(r).toMatchObject({ status: "error", code: "reauth_required" });
    expect(h.clock.slept).toHaveLength(0);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c).toMatchObject({ status: "reauth_required", nextSyncAt: null });
    const [run] = await t.db.select().from(syncRuns).where(eq(syncRuns.connectionId, id));
    expect(run).toMatchObject({ status: "error", errorCode: "reauth_required", attempts: 1 });
  });

  it("rate limits: a short Retry-After is waited out; a long one ends the run with retry_at", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link();
    h.emulator.injectFault({ status: 429, code: "RATE_LIMIT_EXCEEDED", retryAfterSeconds: 3 });
    expect((await h.sync(id)).status).toBe("success");
    expect(h.clock.slept[0]).toBe(3000);

    h.emulator.injectFault({ status: 429, code: "RATE_LIMIT_EXCEEDED", retryAfterSeconds: 3600 });
    const r = await h.sync(id);
    expect(r).toMatchObject({ status: "error", code: "rate_limited" });
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(c!.retryAt!.getTime()).toBe(h.clock.now() + 3600_000);
    expect(c!.nextSyncAt).toEqual(c!.retryAt);
  });
});

describe("a connector's per-run session", () => {
  /** The demo connector with a session that records how it is used (the provider calls stay real). */
  const withSession = (inner: Connector<unknown>) => {
    const log = { opened: 0, closed: 0, aborted: 0, snapshots: 0, saved: [] as unknown[] };
    const connector: Connector<unknown> = {
      ...inner,
      // The demo login plus the field this fake refresh rotates.
      credentialsSchema: z.object({ accessToken: z.string(), itemId: z.string(), refreshedAt: z.number().optional() }),
      async openSession(credentials, ctx) {
        log.opened++;
        ctx.signal.addEventListener("abort", () => log.aborted++);
        // A provider that refreshes its token when a run starts: the new one is stored at once.
        await ctx.saveCredentials({ ...(credentials as object), refreshedAt: log.opened });
        log.saved.push(log.opened);
        return {
          snapshot: async () => {
            log.snapshots++;
            return { accounts: await inner.listAccounts(credentials), balances: await inner.getBalances(credentials) };
          },
          close: async () => {
            log.closed++;
          },
        };
      },
    };
    return { connector, log };
  };

  it("is closed once on success, on failure and when the run is aborted (lease lost); rotated credentials are stored even when the run fails", async () => {
    const h = await demoHarness(t.db, { pageSize: 50 });
    const { connector, log } = withSession(h.connector);
    const id = await h.link();
    const creds = async () => {
      const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
      return openSecret<Record<string, unknown>>(c!.credentials, c!.id);
    };

    expect((await h.sync(id, {}, { connector })).status).toBe("success");
    expect(log).toMatchObject({ opened: 1, closed: 1, aborted: 0, snapshots: 1 });
    expect((await creds()).refreshedAt).toBe(1);
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });

    h.emulator.injectFault({ status: 503, code: "TEMPORARILY_UNAVAILABLE", times: 10 });
    const failed = await h.sync(id, {}, { connector });
    expect(failed).toMatchObject({ status: "error", code: "provider_unavailable" });
    expect(log).toMatchObject({ opened: 2, closed: 2 });
    expect((await creds()).refreshedAt).toBe(2);
    h.emulator.clearFaults();

    // Another process takes the lease while this run commits its first page: the run is aborted.
    const aborted = await h.sync(id, {}, {
      connector,
      beforeCommit: async (_page, tx) => {
        await tx.update(connections).set({ lockOwner: "someone-else" }).where(eq(connections.id, id));
      },
    });
    expect(aborted).toMatchObject({ status: "error", code: "internal" });
    expect(log).toMatchObject({ opened: 3, closed: 3, aborted: 1 });
  });
});
