import { randomUUID } from "node:crypto";
import type { Db } from "@/db/client";
import { connections, financialAccounts, transactions, users } from "@/db/schema";

/** Seed factories for query tests: a user with one connection and accounts, rows inserted as given. */
export async function seedUser(db: Db, email = `u-${randomUUID().slice(0, 8)}@example.com`) {
  const [u] = await db.insert(users).values({ email, passwordHash: "x" }).returning({ id: users.id });
  const userId = u!.id;
  const connectionId = randomUUID();
  await db.insert(connections).values({ id: connectionId, userId, connectorId: "demo", displayName: "Test Bank", credentials: "unused", providerItemId: connectionId });
  const mk = async (name: string, currency = "USD") => {
    const [a] = await db
      .insert(financialAccounts)
      .values({ userId, connectionId, providerAccountId: `${name}-${randomUUID().slice(0, 6)}`, name, type: "depository", currency })
      .returning({ id: financialAccounts.id });
    return a!.id;
  };
  return { userId, connectionId, account: mk };
}

export type TxSeed = Partial<typeof transactions.$inferInsert> & { date: string; amount: string };

let n = 0;
export async function seedTransactions(db: Db, userId: string, accountId: string, rows: TxSeed[]) {
  if (!rows.length) return [];
  const inserted = await db
    .insert(transactions)
    .values(
      rows.map((r) => ({
        userId,
        accountId,
        providerTransactionId: `tx-${++n}-${randomUUID().slice(0, 6)}`,
        currency: "USD",
        description: "SOMETHING",
        ...r,
      })),
    )
    .returning({ id: transactions.id });
  return inserted.map((r) => r.id);
}
