import { loadEnv } from "../lib/env";
import { openDatabase } from "./client";
import { migrateDatabase } from "./migrate";
import { seedCatalog } from "../lib/consent/catalog";
import { ensureRatesSeeded } from "../lib/fx/rates";

// `npm run db:seed`: load reference data (the bank catalogue). Safe to run twice.
const e = loadEnv();
const database = await openDatabase({ url: e.databaseUrl, dataDir: e.dataDir });
await migrateDatabase(database);
await seedCatalog(database.db);
console.log("Catalogue seeded.");
await ensureRatesSeeded(database.db);
console.log("ECB exchange rates seeded (Source: ECB statistics).");
await database.close();
