import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { connections, users } from "@/db/schema";
import { expiringConsents } from "./service";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

describe("expiringConsents (the Overview's consent warning)", () => {
  it("returns consents ending within the window, on both databases (a JS Date is bound as a typed parameter)", async () => {
    const [u] = await t.db.insert(users).values({ email: "e@example.com", passwordHash: "x" }).returning({ id: users.id });
    const [other] = await t.db.insert(users).values({ email: "o@example.com", passwordHash: "x" }).returning({ id: users.id });
    const now = new Date("2026-03-01T12:00:00Z");
    const day = 86_400_000;
    const base = { connectorId: "finqware", credentials: "sealed" };
    await t.db.insert(connections).values([
      { ...base, userId: u!.id, displayName: "Soon", consentExpiresAt: new Date(now.getTime() + 3 * day) },
      { ...base, userId: u!.id, displayName: "Ended", consentExpiresAt: new Date(now.getTime() - day) },
      { ...base, userId: u!.id, displayName: "Later", consentExpiresAt: new Date(now.getTime() + 30 * day) },
      { ...base, userId: u!.id, displayName: "Gone", status: "disconnected", consentExpiresAt: new Date(now.getTime() + day) },
      { ...base, userId: u!.id, displayName: "No consent" },
      { ...base, userId: other!.id, displayName: "Someone else's", consentExpiresAt: new Date(now.getTime() + day) },
    ]);
    const rows = await expiringConsents(t.db, { userId: u!.id, now });
    expect(rows.map((r) => r.displayName).sort()).toEqual(["Ended", "Soon"]);
    expect(rows.find((r) => r.displayName === "Soon")!.consentExpiresAt).toEqual(new Date(now.getTime() + 3 * day));
  });
});
