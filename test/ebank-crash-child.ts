/**
 * Child process of the e-bank kill -9 test: runs one sync of a linked e-bank connection
 * against its own in-process local e-bank and prints every committed page, until the
 * parent kills it. Arguments: JSON {target: {url} | {dataDir}, userId, connectionId, start}.
 */
import { openDatabase } from "@/db/client";
import { syncConnection } from "@/lib/sync/engine";
import type { Connector } from "@/lib/connectors/contract";
import { ebankHarness, ebankUser } from "./ebank-harness";

const args = JSON.parse(process.argv[2]!) as { target: { url: string } | { dataDir: string }; userId: string; connectionId: string; start: number; years: number };
const database = await openDatabase(args.target);
const h = ebankHarness({ users: [ebankUser("anna", { years: args.years })], start: args.start });
const r = await syncConnection(
  database.db,
  { userId: args.userId, connectionId: args.connectionId, trigger: "manual" },
  {
    connector: h.connector as Connector<unknown>,
    clock: h.clock,
    onProgress: (p) => process.stdout.write(`page ${p.pages}\n`),
  },
);
process.stdout.write(`done ${r.status}\n`);
await database.close();
