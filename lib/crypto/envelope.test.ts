import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseKeyring } from "@/lib/env";
import { decrypt, DecryptionError, encrypt, envelopeKeyId, rewrap } from "./envelope";

const key = () => randomBytes(32).toString("base64");

describe("envelope encryption", () => {
  const k1 = key();
  const k2 = key();
  const old = parseKeyring(`k1:${k1}`);
  const rotated = parseKeyring(`k2:${k2},k1:${k1}`);

  it("round-trips and never contains the plaintext", () => {
    const secret = "access-sandbox-0a1b2c3d";
    const env = encrypt(old, secret, "conn-1");
    expect(env).not.toContain(secret);
    expect(env.startsWith("llenc1.k1.")).toBe(true);
    expect(decrypt(old, env, "conn-1")).toBe(secret);
  });

  it("uses a fresh data key and IV each time", () => {
    expect(encrypt(old, "same", "a")).not.toBe(encrypt(old, "same", "a"));
  });

  it("refuses another owner's ciphertext (AAD binding)", () => {
    const env = encrypt(old, "s", "conn-1");
    expect(() => decrypt(old, env, "conn-2")).toThrow(DecryptionError);
  });

  it("detects tampering", () => {
    const env = encrypt(old, "secret value", "o");
    const parts = env.split(".");
    const body = Buffer.from(parts[5]!, "base64url");
    body[0]! ^= 1;
    parts[5] = body.toString("base64url");
    expect(() => decrypt(old, parts.join("."), "o")).toThrow(DecryptionError);
  });

  it("rotation: the old key still decrypts, the new key encrypts, rewrap moves values", () => {
    const before = encrypt(old, "tok", "o");
    expect(decrypt(rotated, before, "o")).toBe("tok");
    const after = encrypt(rotated, "tok", "o");
    expect(envelopeKeyId(after)).toBe("k2");
    const moved = rewrap(rotated, before, "o");
    expect(envelopeKeyId(moved)).toBe("k2");
    expect(decrypt(parseKeyring(`k2:${k2}`), moved, "o")).toBe("tok");
  });

  it("names a missing key clearly", () => {
    const env = encrypt(rotated, "tok", "o");
    expect(() => decrypt(old, env, "o")).toThrow(/encryption key "k2" is not configured/);
  });
});
