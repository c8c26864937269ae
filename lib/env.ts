import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseTokenSigningKey } from "@/lib/connectors/teller/signature";

/**
 * The one place that reads process.env. Everything else imports `env()`.
 *
 * Secrets: AUTH_SECRET signs session JWTs; ENCRYPTION_KEYS ("kid:base64,kid:base64",
 * first = current) encrypts provider secrets. With the embedded database (no
 * DATABASE_URL), or outside production, missing secrets are generated once into
 * `<dataDir>/secrets.json`. In production with a real database they must be set.
 */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  LEDGERLINK_DATA_DIR: z.string().min(1).default(".data"),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  ENCRYPTION_KEYS: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{43,}(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/=_-]{43,})*$/,
      'ENCRYPTION_KEYS must look like "k2:<base64 32 bytes>,k1:<base64 32 bytes>" (first is current)',
    )
    .optional(),
  APP_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Plaid: with both keys set the official SDK talks to Plaid; without, to the local emulator. */
  PLAID_CLIENT_ID: z.string().min(1).optional(),
  PLAID_SECRET: z.string().min(1).optional(),
  PLAID_ENV: z.enum(["sandbox", "production"]).default("sandbox"),
  /** Teller: with a certificate and key the client talks to Teller over mTLS; without, to the local Teller. */
  TELLER_CERTIFICATE_PATH: z.string().min(1).optional(),
  TELLER_PRIVATE_KEY_PATH: z.string().min(1).optional(),
  TELLER_ENV: z.enum(["sandbox", "development", "production"]).default("sandbox"),
  TELLER_APPLICATION_ID: z.string().min(1).optional(),
  /** Comma-separated webhook signing secrets (several during rotation). */
  TELLER_SIGNING_SECRETS: z.string().min(1).optional(),
  /** Teller Connect's token-signing public key (Ed25519, base64): signed enrollments are verified with it. */
  TELLER_TOKEN_SIGNING_KEY: z.string().min(1).optional(),
  /** How many reverse proxies of ours stand in front (true = 1); unset = X-Forwarded-For is ignored. */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|yes|no|[0-9]|10)$/i, "TRUST_PROXY must be true, false or a number of proxies (1-10)")
    .optional(),
  LEDGERLINK_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Fetch the ECB's 90-day rates file every 6 hours as the worker's `fx.refresh` job (needs internet; off = shipped history, carried forward). */
  LEDGERLINK_FX_FETCH: z.enum(["on", "off"]).default("off"),
  /** Where that job fetches the feed (default: the ECB's eurofxref-hist-90d.xml): a mirror or proxy. */
  LEDGERLINK_FX_URL: z.url().optional(),
});

export type EncryptionKeyring = { currentKid: string; keys: Map<string, Buffer> };

export type Env = {
  nodeEnv: "development" | "production" | "test";
  databaseUrl: string | undefined;
  dataDir: string;
  authSecret: string;
  keyring: EncryptionKeyring;
  /** Where this app is reachable (links, provider webhooks, loopback calls to its own emulators). */
  appUrl: string;
  plaid: { clientId: string; secret: string; env: "sandbox" | "production" } | null;
  teller: { certificatePath: string; privateKeyPath: string; env: "sandbox" | "development" | "production"; applicationId: string; signingSecrets: string[]; tokenSigningKey: string | null } | null;
  logLevel: "debug" | "info" | "warn" | "error";
  fxFetch: boolean;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseKeyring(spec: string): EncryptionKeyring {
  const keys = new Map<string, Buffer>();
  let currentKid = "";
  for (const part of spec.split(",")) {
    const idx = part.indexOf(":");
    const kid = part.slice(0, idx);
    const key = Buffer.from(part.slice(idx + 1), "base64");
    if (key.length !== 32) throw new ConfigError(`ENCRYPTION_KEYS: key "${kid}" must decode to 32 bytes`);
    if (keys.has(kid)) throw new ConfigError(`ENCRYPTION_KEYS: key id "${kid}" appears twice`);
    keys.set(kid, key);
    if (!currentKid) currentKid = kid;
  }
  return { currentKid, keys };
}

type GeneratedSecrets = { authSecret: string; encryptionKeys: string };

function loadOrGenerateSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as GeneratedSecrets;
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets: GeneratedSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    encryptionKeys: `k1:${randomBytes(32).toString("base64")}`,
  };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  console.info(`[ledgerlink] Generated AUTH_SECRET and an encryption key into ${file} (keep this file private).`);
  return secrets;
}

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable (`DATABASE_URL=`) means "not set".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.TELLER_TOKEN_SIGNING_KEY) {
    try {
      parseTokenSigningKey(e.TELLER_TOKEN_SIGNING_KEY);
    } catch (err) {
      throw new ConfigError(`Invalid configuration:\n  - TELLER_TOKEN_SIGNING_KEY: ${(err as Error).message}`);
    }
  }
  const dataDir = path.resolve(e.LEDGERLINK_DATA_DIR);
  let authSecret = e.AUTH_SECRET;
  let keys = e.ENCRYPTION_KEYS;
  if (!authSecret || !keys) {
    if (e.DATABASE_URL && e.NODE_ENV === "production") {
      const missing = [!authSecret && "AUTH_SECRET", !keys && "ENCRYPTION_KEYS"].filter(Boolean).join(" and ");
      throw new ConfigError(
        `${missing} must be set in production with DATABASE_URL. ` +
          `Generate with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
      );
    }
    const generated = loadOrGenerateSecrets(dataDir);
    authSecret ??= generated.authSecret;
    keys ??= generated.encryptionKeys;
  }
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    authSecret,
    keyring: parseKeyring(keys),
    appUrl: (e.APP_URL ?? `http://127.0.0.1:${e.PORT ?? 3000}`).replace(/\/$/, ""),
    plaid: e.PLAID_CLIENT_ID && e.PLAID_SECRET ? { clientId: e.PLAID_CLIENT_ID, secret: e.PLAID_SECRET, env: e.PLAID_ENV } : null,
    teller:
      e.TELLER_CERTIFICATE_PATH && e.TELLER_PRIVATE_KEY_PATH
        ? {
            certificatePath: e.TELLER_CERTIFICATE_PATH,
            privateKeyPath: e.TELLER_PRIVATE_KEY_PATH,
            env: e.TELLER_ENV,
            applicationId: e.TELLER_APPLICATION_ID ?? "",
            signingSecrets: (e.TELLER_SIGNING_SECRETS ?? "").split(",").map((x) => x.trim()).filter(Boolean),
            tokenSigningKey: e.TELLER_TOKEN_SIGNING_KEY ?? null,
          }
        : null,
    logLevel: e.LEDGERLINK_LOG_LEVEL,
    fxFetch: e.LEDGERLINK_FX_FETCH === "on",
  };
}

const g = globalThis as unknown as { __ledgerlinkEnv?: Env };

/** Validated configuration, read once per process. */
export function env(): Env {
  g.__ledgerlinkEnv ??= loadEnv();
  return g.__ledgerlinkEnv;
}
