import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, syncRuns } from "@/db/schema";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { demoHarness } from "@/test/sync-harness";
import { runDueSyncs } from "./scheduler";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

describe("scheduler", () => {
  it("syncs connections that are due, skips those waiting for the user or not yet due", async () => {
    const h = await demoHarness(t.db);
    const due = await h.link({ seed: 1 });
    const notDue = await h.link({ seed: 2 });
    const reauth = await h.link({ seed: 3 });
    const now = new Date(h.clock.now());
    await t.db.update(connections).set({ nextSyncAt: new Date(now.getTime() - 1000) }).where(eq(connections.id, due));
    await t.db.update(connections).set({ nextSyncAt: new Date(now.getTime() + 3600_000) }).where(eq(connections.id, notDue));
    await t.db.update(connections).set({ nextSyncAt: new Date(now.getTime() - 1000), status: "reauth_required" }).where(eq(connections.id, reauth));

    const results = await runDueSyncs(t.db, { now, deps: h.deps });
    expect(results.map((r) => r.status)).toEqual(["success"]);
    const runs = await t.db.select().from(syncRuns);
    expect(runs.map((r) => [r.connectionId, r.trigger])).toEqual([[due, "scheduled"]]);
    const [c] = await t.db.select().from(connections).where(eq(connections.id, due));
    expect(c!.nextSyncAt!.getTime()).toBeGreaterThan(now.getTime());
    expect(await runDueSyncs(t.db, { now, deps: h.deps })).toEqual([]);
  });
});
