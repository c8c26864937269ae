import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadEnv } from "./env";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "ll-env-"));

describe("env", () => {
  it("generates secrets into the data dir once (embedded mode) and reuses them", () => {
    const dir = tmp();
    const a = loadEnv({ NODE_ENV: "production", LEDGERLINK_DATA_DIR: dir });
    const b = loadEnv({ NODE_ENV: "production", LEDGERLINK_DATA_DIR: dir });
    expect(a.authSecret).toBe(b.authSecret);
    expect(a.keyring.currentKid).toBe("k1");
    expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o077).toBe(0);
  });

  it("stops start-up in production with a real database and no secrets", () => {
    expect(() => loadEnv({ NODE_ENV: "production", DATABASE_URL: "postgres://x@h/db", LEDGERLINK_DATA_DIR: tmp() })).toThrow(
      /AUTH_SECRET and ENCRYPTION_KEYS must be set/,
    );
  });

  it("accepts explicit secrets and a key ring with the current key first", () => {
    const e = loadEnv({
      NODE_ENV: "production",
      DATABASE_URL: "postgres://x@h/db",
      AUTH_SECRET: "x".repeat(40),
      ENCRYPTION_KEYS: `new:${randomBytes(32).toString("base64")},old:${randomBytes(32).toString("base64")}`,
    });
    expect(e.keyring.currentKid).toBe("new");
    expect([...e.keyring.keys.keys()]).toEqual(["new", "old"]);
  });

  it("explains malformed values", () => {
    expect(() => loadEnv({ DATABASE_URL: "mysql://nope", LEDGERLINK_DATA_DIR: tmp() })).toThrow(ConfigError);
    expect(() => loadEnv({ ENCRYPTION_KEYS: "k1:short", AUTH_SECRET: "x".repeat(40), LEDGERLINK_DATA_DIR: tmp() })).toThrow(
      /ENCRYPTION_KEYS must look like/,
    );
  });
});
