import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase } from "./migrate";
import { createTestDatabase, type TestDatabase } from "@/test/db";
import { users } from "./schema";

describe("database", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it("is migrated and usable; migrating again is a no-op", async () => {
    await migrateDatabase(t);
    await t.db.insert(users).values({ email: "a@example.com", passwordHash: "x" });
    expect(await t.db.select().from(users)).toHaveLength(1);
  });
});

