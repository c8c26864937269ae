import { createPublicKey, verify, type KeyObject } from "node:crypto";

/**
 * Teller Connect's signed enrollment. When Connect is opened with a `nonce`, its onSuccess
 * payload carries `signatures`: Ed25519 signatures, base64, over
 * `<nonce>.<accessToken>.<user.id>.<enrollment.id>.<environment>`, made with the
 * application's token-signing key (several during a key rotation: any one verifying is
 * enough). The public key (Teller dashboard → Application → Token signing key) is 32 raw
 * bytes in base64; an SPKI PEM is accepted too.
 */
export type SignedEnrollment = { nonce: string; accessToken: string; userId: string; enrollmentId: string; environment: string };

export const tellerSignedMessage = (e: SignedEnrollment) => `${e.nonce}.${e.accessToken}.${e.userId}.${e.enrollmentId}.${e.environment}`;

export function parseTokenSigningKey(value: string): KeyObject {
  const v = value.trim();
  if (v.startsWith("-----BEGIN")) {
    const key = createPublicKey(v);
    if (key.asymmetricKeyType !== "ed25519") throw new Error("the Teller token-signing key must be an Ed25519 public key");
    return key;
  }
  const raw = Buffer.from(v, "base64");
  if (raw.length !== 32) throw new Error("the Teller token-signing key must be 32 bytes in base64 (an Ed25519 public key)");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

export function verifyTellerEnrollment(e: SignedEnrollment, signatures: readonly string[], key: KeyObject): boolean {
  const message = Buffer.from(tellerSignedMessage(e), "utf8");
  return signatures.slice(0, 10).some((s) => {
    if (typeof s !== "string" || s.length > 200) return false;
    const sig = Buffer.from(s, "base64");
    return sig.length === 64 && verify(null, message, key, sig);
  });
}
