import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { EncryptionKeyring } from "@/lib/env";

/**
 * AES-256-GCM envelope encryption.
 *
 * Each value gets its own random data key (DEK). The DEK encrypts the value; the
 * current key-encryption key (KEK, from ENCRYPTION_KEYS) wraps the DEK. The output
 * names the KEK id, so rotating keys is: put the new key first in ENCRYPTION_KEYS
 * (it encrypts), keep the old one after it (it still decrypts), and optionally
 * `rewrap()` stored values. `aad` binds a ciphertext to its owner (e.g. a
 * connection id) so it cannot be pasted onto another row.
 *
 * Format: `llenc1.<kid>.<wrapIv>.<wrappedDek+tag>.<iv>.<ciphertext+tag>` (base64url).
 */
const VERSION = "llenc1";

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; sealed: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(aad);
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, sealed };
}

function open(key: Buffer, iv: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 16) throw new DecryptionError("ciphertext too short");
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
}

const b64 = (b: Buffer) => b.toString("base64url");

export function encrypt(keyring: EncryptionKeyring, plaintext: string, aad = ""): string {
  const kek = keyring.keys.get(keyring.currentKid);
  if (!kek) throw new Error("current encryption key missing from keyring");
  const dek = randomBytes(32);
  const aadBuf = Buffer.from(aad, "utf8");
  const wrapped = seal(kek, dek, Buffer.from(`${VERSION}.${keyring.currentKid}`, "utf8"));
  const body = seal(dek, Buffer.from(plaintext, "utf8"), aadBuf);
  dek.fill(0);
  return [VERSION, keyring.currentKid, b64(wrapped.iv), b64(wrapped.sealed), b64(body.iv), b64(body.sealed)].join(".");
}

export function decrypt(keyring: EncryptionKeyring, envelope: string, aad = ""): string {
  const parts = envelope.split(".");
  if (parts.length !== 6 || parts[0] !== VERSION) throw new DecryptionError("not a Ledgerlink envelope");
  const [, kid, wrapIv, wrapped, iv, body] = parts as [string, string, string, string, string, string];
  const kek = keyring.keys.get(kid);
  if (!kek) throw new DecryptionError(`encryption key "${kid}" is not configured (was it removed from ENCRYPTION_KEYS?)`);
  try {
    const dek = open(kek, Buffer.from(wrapIv, "base64url"), Buffer.from(wrapped, "base64url"), Buffer.from(`${VERSION}.${kid}`));
    const plain = open(dek, Buffer.from(iv, "base64url"), Buffer.from(body, "base64url"), Buffer.from(aad, "utf8"));
    dek.fill(0);
    return plain.toString("utf8");
  } catch (e) {
    if (e instanceof DecryptionError) throw e;
    throw new DecryptionError("ciphertext failed authentication (wrong key, wrong owner, or tampered)");
  }
}

/** Key id an envelope was written with (to find values still on an old key). */
export function envelopeKeyId(envelope: string): string | undefined {
  const parts = envelope.split(".");
  return parts[0] === VERSION ? parts[1] : undefined;
}

/** Re-encrypt under the current key (rotation). Returns the input if already current. */
export function rewrap(keyring: EncryptionKeyring, envelope: string, aad = ""): string {
  if (envelopeKeyId(envelope) === keyring.currentKid) return envelope;
  return encrypt(keyring, decrypt(keyring, envelope, aad), aad);
}
