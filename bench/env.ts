import { randomBytes } from "node:crypto";

// Benchmarks use throwaway secrets, never the app's .data/secrets.json.
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
process.env.ENCRYPTION_KEYS ??= `bench:${randomBytes(32).toString("base64")}`;
process.env.LEDGERLINK_LOG_LEVEL ??= "warn";
