import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { auditLog, users } from "@/db/schema";
import { listAuditTrail } from "./trail";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(() => truncateAll(t));

describe("audit trail", () => {
  it("lists only the user's own events, newest first, labelled, bounded", async () => {
    const [a, b] = await t.db.insert(users).values([{ email: "a@example.com", passwordHash: "x" }, { email: "b@example.com", passwordHash: "x" }]).returning({ id: users.id });
    await t.db.insert(auditLog).values([
      { userId: a!.id, action: "user.sign_in", ip: "1.1.1.1", createdAt: new Date("2026-01-01T10:00:00Z") },
      { userId: a!.id, action: "user.sign_in_failed", ip: "2.2.2.2", createdAt: new Date("2026-01-01T11:00:00Z") },
      { userId: b!.id, action: "user.sign_in", ip: "3.3.3.3", createdAt: new Date("2026-01-01T12:00:00Z") },
    ]);
    const trail = await listAuditTrail(t.db, { userId: a!.id });
    expect(trail.map((r) => [r.label, r.ip])).toEqual([
      ["Failed sign-in (wrong password)", "2.2.2.2"],
      ["Signed in", "1.1.1.1"],
    ]);
    await t.db.insert(auditLog).values(Array.from({ length: 150 }, () => ({ userId: a!.id, action: "api_token.used" })));
    expect(await listAuditTrail(t.db, { userId: a!.id, limit: 10_000 })).toHaveLength(100);
  });
});
