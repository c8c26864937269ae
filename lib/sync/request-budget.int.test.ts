import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connections, users } from "@/db/schema";
import type { Connector } from "@/lib/connectors/contract";
import { getConnector } from "@/lib/connectors/registry";
import { dbStore, tokenKey } from "@/lib/connectors/simplefin/state";
import type { SimplefinCredentials } from "@/lib/connectors/simplefin/connector";
import { linkConnection } from "@/lib/connections/service";
import { openSecret, sealSecret } from "@/lib/crypto";
import { requestBudgets } from "@/lib/sync/budget";
import { syncConnection } from "@/lib/sync/engine";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { simplefinHarness } from "@/test/simplefin-harness";

/**
 * The Connections page's request-budget panel reads `requestBudgets`: the plan of every
 * connection whose connector has planRequests (SimpleFIN here), for the signed-in user only,
 * from stored state (no provider call).
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => truncateAll(t));

const newUser = async () => (await t.db.insert(users).values({ email: `rb${Math.random().toString(36).slice(2)}@example.com`, passwordHash: "x" }).returning({ id: users.id }))[0]!.id;

describe("requestBudgets", () => {
  it("gives each budgeted connection of the user today's plan; not other users', not connectors without a plan, not disconnected ones", async () => {
    const h = simplefinHarness(async () => t.db);
    const sf = h.connector as Connector<unknown>;
    const connectorFor = (id: string): Connector<unknown> | null => (id === "simplefin" ? sf : id === "file" ? getConnector("file") : null);
    const alice = await newUser();
    const bob = await newUser();
    const { connectionId } = await linkConnection(t.db, { userId: alice, connectorId: "simplefin", payload: { setupToken: h.emulator.issueSetupToken() } }, { connector: sf });
    expect((await syncConnection(t.db, { userId: alice, connectionId, trigger: "initial" }, { connector: sf, clock: h.clock })).status).toBe("success");
    // A statement-file connection: its connector counts no requests.
    const fileId = crypto.randomUUID();
    await t.db.insert(connections).values({ id: fileId, userId: alice, connectorId: "file", displayName: "Statements", credentials: sealSecret({}, fileId) });

    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    const used = await dbStore(async () => t.db).used(tokenKey(openSecret<SimplefinCredentials>(c!.credentials, c!.id).accessUrl), h.clock.now());
    expect(used).toBeGreaterThan(0);

    const mine = await requestBudgets(t.db, { userId: alice }, connectorFor);
    expect([...mine.keys()]).toEqual([connectionId]);
    expect(mine.get(connectionId)).toEqual({ provider: "SimpleFIN Bridge", plan: await sf.planRequests!(sf.credentialsSchema.parse(openSecret(c!.credentials, c!.id)), { cursor: c!.syncCursor }) });
    expect(mine.get(connectionId)!.plan).toMatchObject({ perDay: 24, used, reserve: 2 });

    expect((await requestBudgets(t.db, { userId: bob }, connectorFor)).size).toBe(0);

    await t.db.update(connections).set({ status: "disconnected" }).where(eq(connections.id, connectionId));
    expect((await requestBudgets(t.db, { userId: alice }, connectorFor)).size).toBe(0);
  });

  it("a connection whose credentials cannot be read is left out instead of failing the page", async () => {
    const h = simplefinHarness(async () => t.db);
    const alice = await newUser();
    const id = crypto.randomUUID();
    await t.db.insert(connections).values({ id, userId: alice, connectorId: "simplefin", displayName: "Bridge", credentials: sealSecret({ accessUrl: "not a url" }, crypto.randomUUID()) });
    expect((await requestBudgets(t.db, { userId: alice }, () => h.connector as Connector<unknown>)).size).toBe(0);
  });
});
