import { loadEnv } from "../lib/env";
import { openDatabase } from "./client";
import { migrateDatabase } from "./migrate";

const e = loadEnv();
const database = await openDatabase({ url: e.databaseUrl, dataDir: e.dataDir });
await migrateDatabase(database);
console.log(`Migrations applied (${database.kind}${database.kind === "pglite" ? `, ${e.dataDir}` : ""}).`);
await database.close();
