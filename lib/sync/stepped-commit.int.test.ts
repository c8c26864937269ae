import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, transactions, users } from "@/db/schema";
import type { NormalizedTransaction, TransactionPage } from "@/lib/connectors/contract";
import { sealSecret } from "@/lib/crypto";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";
import { applyAccounts, applyTransactionPage, commitTransactionPage, emptyDiff, type Diff, type PageContext } from "./apply";

/**
 * A provider page committed in steps (several short transactions: what the embedded
 * database does so that one page does not hold its only connection for long) gives the
 * same ledger and the same diff as the page committed in one transaction — with a window's
 * removals, pending→posted replacements and transfers whose two rows are in different
 * steps — and a crash between two steps followed by a re-run ends with the same ledger.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

const NOW = new Date(Date.UTC(2026, 2, 1, 12));
const CHK = "acc-chk";
const SAV = "acc-sav";

/** A user with a checking and a savings account on one connection. */
async function setup(): Promise<PageContext> {
  const [u] = await t.db.insert(users).values({ email: `s${randomUUID()}@example.com`, passwordHash: "x" }).returning({ id: users.id });
  const userId = u!.id;
  const id = randomUUID();
  await t.db.insert(connections).values({ id, userId, connectorId: "file", displayName: "Test bank", providerItemId: `t:${id}`, credentials: sealSecret({}, id), status: "active" });
  const accountIdByProvider = await applyAccounts(t.db, { userId, connectionId: id, now: NOW }, [
    { providerAccountId: CHK, name: "Checking", type: "depository", currency: "USD" },
    { providerAccountId: SAV, name: "Savings", type: "depository", currency: "USD" },
  ] as Parameters<typeof applyAccounts>[2]);
  return { userId, accountIdByProvider, now: NOW };
}

const day = (n: number) => `2026-02-${String(n).padStart(2, "0")}`;
function tx(id: string, account: string, d: number, amount: string, extra: Partial<NormalizedTransaction> = {}): NormalizedTransaction {
  const base = { providerTransactionId: id, providerAccountId: account, pending: false, date: day(d), amount, currency: "USD", description: `ROW ${id}`, category: "Other", ...extra };
  return { ...base, raw: { ...base } };
}

/** What is stored, per provider id, independent of row ids (a transfer names its counterpart's provider id). */
async function ledger({ userId, accountIdByProvider }: PageContext) {
  const rows = await t.db.select().from(transactions).where(eq(transactions.userId, userId)).orderBy(asc(transactions.providerTransactionId));
  const pid = new Map(rows.map((r) => [r.id, r.providerTransactionId]));
  const account = new Map([...accountIdByProvider].map(([p, a]) => [a, p]));
  return rows.map((r) => ({
    id: r.providerTransactionId,
    account: account.get(r.accountId),
    pending: r.pending,
    pendingOf: r.pendingTransactionId,
    date: r.date,
    amount: r.amount,
    description: r.description,
    type: r.type,
    transferWith: r.transferId ? pid.get(r.transferId) : null,
    deleted: r.deletedReason,
  }));
}

/** The stored state before the page: a pending card payment to be posted, rows the window page no longer has, one it keeps. */
const before: TransactionPage = {
  added: [
    tx("p-linked", CHK, 10, "-20.00", { pending: true }),
    tx("p-unlinked", CHK, 12, "-31.50", { pending: true }),
    tx("old-gone-1", CHK, 5, "-7.00"),
    tx("old-gone-2", CHK, 6, "-8.00"),
    tx("old-kept", CHK, 7, "-9.00"),
    tx("outside-window", CHK, 1, "-3.00"),
  ],
  modified: [],
  removed: [],
  nextCursor: "c1",
  hasMore: true,
};

/**
 * A window page of the checking account (Feb 3–28) with 20 rows, then 6 of the savings
 * account. In steps of 3 rows: the posted row of "p-linked" (linked by the provider) comes
 * in step 4, that of "p-unlinked" (matched by amount and date: the window drops the pending)
 * in step 6; each transfer pair has its outflow and inflow in different steps.
 */
function windowPage(): TransactionPage {
  const chk: NormalizedTransaction[] = [tx("old-kept", CHK, 7, "-9.00")];
  for (let i = 0; i < 8; i++) chk.push(tx(`c${i}`, CHK, 3 + i, `-${10 + i}.25`));
  chk.splice(10, 0, tx("posted-linked", CHK, 11, "-22.40", { pendingTransactionId: "p-linked" })); // step 4
  chk.push(tx("xfer-out-1", CHK, 14, "-500.00"), tx("xfer-out-2", CHK, 16, "-75.00"));
  for (let i = 8; i < 13; i++) chk.push(tx(`c${i}`, CHK, 12 + i, `-${10 + i}.75`));
  chk.push(tx("posted-unlinked", CHK, 13, "-31.50")); // step 6
  chk.push(tx("c-late", CHK, 27, "-1.00"));
  const sav = [
    tx("s0", SAV, 2, "1.00"),
    tx("s1", SAV, 3, "2.00"),
    tx("xfer-in-1", SAV, 15, "500.00"),
    tx("s2", SAV, 20, "3.00"),
    tx("xfer-in-2", SAV, 16, "75.00"),
    tx("s3", SAV, 21, "4.00"),
  ];
  return { added: [...chk, ...sav], modified: [], removed: [{ providerTransactionId: "s-never-stored", providerAccountId: SAV }], nextCursor: "c2", hasMore: false, window: { providerAccountId: CHK, from: day(3), to: day(28) } };
}

async function seeded(): Promise<PageContext> {
  const ctx = await setup();
  await t.db.transaction((tx) => applyTransactionPage(tx, ctx, before, emptyDiff()));
  return ctx;
}

const counts = (d: Diff) => ({ added: d.added, modified: d.modified, removed: d.removed, sample: { added: [...d.sample.added].sort(), modified: [...d.sample.modified].sort(), removed: [...d.sample.removed].sort() } });

describe("a page committed in steps", () => {
  it("gives the same ledger and diff as one transaction: window removals, pending→posted across steps, transfers across steps", async () => {
    const single = await seeded();
    const oneDiff = emptyDiff();
    await commitTransactionPage(t.db, single, windowPage(), oneDiff, { finish: async () => {} });

    const stepped = await seeded();
    const stepDiff = emptyDiff();
    const steps: boolean[] = [];
    await commitTransactionPage(t.db, stepped, windowPage(), stepDiff, { stepRows: 3, finish: async (_tx, last) => void steps.push(last) });

    expect(counts(stepDiff)).toEqual(counts(oneDiff));
    const want = await ledger(single);
    expect(await ledger(stepped)).toEqual(want);
    expect(steps.length).toBe(8); // 25 rows; the 2 posted ones that replace their pending are written in place in the first step: 23 in steps of 3
    expect(steps.slice(0, -1).every((last) => !last) && steps.at(-1)).toBe(true);

    // What both did: the window's lost rows are removed (and only those), both pendings became their posted rows, the transfers are paired.
    const by = new Map(want.map((r) => [r.id, r]));
    expect(["old-gone-1", "old-gone-2"].map((id) => by.get(id)!.deleted)).toEqual(["provider_removed", "provider_removed"]);
    expect([by.get("old-kept")!.deleted, by.get("outside-window")!.deleted]).toEqual([null, null]);
    expect(by.has("p-linked") || by.has("p-unlinked")).toBe(false);
    expect(by.get("posted-linked")).toMatchObject({ pending: false, pendingOf: "p-linked", amount: "-22.4000", deleted: null });
    expect(by.get("posted-unlinked")).toMatchObject({ pending: false, pendingOf: "p-unlinked", deleted: null });
    expect([by.get("xfer-out-1")!.transferWith, by.get("xfer-out-2")!.transferWith]).toEqual(["xfer-in-1", "xfer-in-2"]);
    expect(oneDiff).toMatchObject({ added: 22, modified: 2, removed: 2 }); // old-kept is unchanged; the replacements are modified rows
  });

  it("a crash between two steps, then the page again, ends with the same ledger", async () => {
    const single = await seeded();
    await commitTransactionPage(t.db, single, windowPage(), emptyDiff(), { finish: async () => {} });
    const want = await ledger(single);

    for (const crashAfter of [1, 2, 5, 7]) {
      const ctx = await seeded();
      const cursor: string[] = [];
      const crashed = commitTransactionPage(t.db, ctx, windowPage(), emptyDiff(), {
        stepRows: 3,
        finish: async (_tx, last) => void (last && cursor.push("c2")),
        afterStep: (step) => {
          if (step === crashAfter) throw new Error("simulated crash between steps");
        },
      });
      await expect(crashed).rejects.toThrow("simulated crash");
      expect(cursor).toEqual([]); // the page's last step (its cursor) never ran
      const half = await ledger(ctx);
      expect(half).not.toEqual(want);

      // The next run gets the same page again (in steps or not, a fresh `now`).
      const again = { ...ctx, now: new Date(NOW.getTime() + 60_000) };
      await commitTransactionPage(t.db, again, windowPage(), emptyDiff(), { stepRows: crashAfter % 2 ? 3 : undefined, finish: async () => {} });
      expect({ crashAfter, rows: await ledger(ctx) }).toEqual({ crashAfter, rows: want });
    }
  });
});

describe("the engine, a page in steps", () => {
  it("imports the demo bank with the same diff as one transaction a page; a crash between steps resumes to the bank's ledger", async () => {
    const one = await demoHarness(t.db, { pageSize: 40 });
    const oneId = await one.link({ seed: 7, historyDays: 45 });
    const r1 = await one.sync(oneId, {}, { pageStepRows: 1000 });

    const stepped = await demoHarness(t.db, { pageSize: 40 });
    const steppedId = await stepped.link({ seed: 7, historyDays: 45 });
    const steps: string[] = [];
    const r2 = await stepped.sync(steppedId, {}, { pageStepRows: 7, afterStep: (page, step) => void steps.push(`${page}.${step}`) });
    expect(r1.status).toBe("success");
    expect(r2.status).toBe("success");
    if (r1.status !== "success" || r2.status !== "success") return;
    expect(steps.length).toBeGreaterThan(r2.pages); // several steps a page
    expect(counts(r2.diff)).toEqual(counts(r1.diff));
    expect(r2.pages).toBe(r1.pages);
    expect(await stepped.compare(steppedId)).toMatchObject({ missing: [], unexpected: [], different: [] });

    // Crash after the 3rd step of page 2; the cursor stays after page 1; the next run ends equal to the bank.
    const h = await demoHarness(t.db, { pageSize: 40 });
    const id = await h.link({ seed: 9, historyDays: 45 });
    const crashed = await h.sync(id, {}, {
      pageStepRows: 7,
      afterStep: (page, step) => {
        if (page === 2 && step === 3) throw new Error("simulated crash between steps");
      },
    });
    expect(crashed).toMatchObject({ status: "error", code: "internal" });
    const [c] = await t.db.select().from(connections).where(eq(connections.id, id));
    expect(Buffer.from(c!.syncCursor!, "base64url").toString()).toBe("v1:40");
    h.clock.advance(60_000);
    expect((await h.sync(id, {}, { pageStepRows: 7 })).status).toBe("success");
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });
});

describe("the engine's page shape by database", () => {
  it("a change-log (cursor) page is never stepped; on the embedded database it is asked for at most 125 rows instead", async () => {
    const h = await demoHarness(t.db);
    const id = await h.link({ seed: 5, historyDays: 120 });
    const asked: (number | undefined)[] = [];
    const steps: string[] = [];
    const counting = { ...h.connector, fetchTransactions: (c: unknown, input: Parameters<typeof h.connector.fetchTransactions>[1]) => (asked.push(input.pageSize), h.connector.fetchTransactions(c, input)) };
    const r = await h.sync(id, {}, { connector: counting, afterStep: (page, step) => void steps.push(`${page}.${step}`) });
    expect(r.status).toBe("success");
    if (r.status !== "success") return;
    const embedded = t.kind === "pglite";
    expect(new Set(asked)).toEqual(new Set([embedded ? 125 : undefined]));
    // one transaction a page: no page had a step before its last
    expect(steps).toEqual([]);
    const rows = (await t.db.select({ id: transactions.id }).from(transactions)).length;
    expect(rows).toBeGreaterThan(125);
    if (embedded) expect(r.pages).toBeGreaterThanOrEqual(Math.ceil(rows / 125));
    expect(await h.compare(id)).toMatchObject({ missing: [], unexpected: [], different: [] });
  });
});
