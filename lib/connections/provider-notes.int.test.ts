import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { connections, users } from "@/db/schema";
import type { Connector } from "@/lib/connectors/contract";
import { getConnector } from "@/lib/connectors/registry";
import { linkConnection } from "@/lib/connections/service";
import { providerNotes } from "@/lib/connections/provider-notes";
import { syncConnection } from "@/lib/sync/engine";
import { SimplefinEmulator } from "@/emulators/simplefin/server";
import { openSecret } from "@/lib/crypto";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { simplefinHarness } from "@/test/simplefin-harness";

/**
 * The Connections page's provider-notes panel: what a provider last said besides the data
 * (SimpleFIN's bridge messages, account warnings, holdings), per connection, owner only,
 * named by the connector's display name.
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => truncateAll(t));

const newUser = async () => (await t.db.insert(users).values({ email: `pn${Math.random().toString(36).slice(2)}@example.com`, passwordHash: "x" }).returning({ id: users.id }))[0]!.id;

describe("providerNotes", () => {
  it("gives a SimpleFIN connection's bridge messages and holdings to its owner only, under the provider's name", async () => {
    const h = simplefinHarness(async () => t.db, { version: 1 });
    const sf = h.connector as Connector<unknown>;
    const connectorFor = (id: string): Connector<unknown> | null => (id === "simplefin" ? sf : id === "file" ? getConnector("file") : null);
    const alice = await newUser();
    const bob = await newUser();
    const { connectionId } = await linkConnection(t.db, { userId: alice, connectorId: "simplefin", payload: { setupToken: h.emulator.issueSetupToken() } }, { connector: sf });
    const [c] = await t.db.select().from(connections).where(eq(connections.id, connectionId));
    h.emulator.setConnectionError(SimplefinEmulator.userOf(openSecret<{ accessUrl: string }>(c!.credentials, c!.id).accessUrl), "Connection to First Platypus Bank may need attention");
    expect((await syncConnection(t.db, { userId: alice, connectionId, trigger: "initial" }, { connector: sf, clock: h.clock })).status).toBe("success");

    const mine = await providerNotes(t.db, { userId: alice, connectorIds: ["simplefin", "file", "nope"] }, connectorFor);
    expect([...mine.keys()]).toEqual([connectionId]);
    const notes = mine.get(connectionId)!;
    expect(notes).toMatchObject({ provider: "SimpleFIN Bridge", messages: ["Connection to First Platypus Bank may need attention"] });
    expect(notes.holdings.length).toBeGreaterThan(0);
    for (const hd of notes.holdings) expect(notes.accountNames.has(hd.providerAccountId)).toBe(true);

    expect((await providerNotes(t.db, { userId: bob, connectorIds: ["simplefin"] }, connectorFor)).size).toBe(0);
    // A provider not offered on this server shows nothing.
    expect((await providerNotes(t.db, { userId: alice, connectorIds: ["simplefin"] }, () => null)).size).toBe(0);
  });
});
