import { createHmac, randomBytes } from "node:crypto";

/** A new signing secret (shown to the user once). */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

/** `v1=<hex HMAC-SHA256 over "timestamp.body">`, one per live secret (two during a rotation overlap). */
export function signatureHeader(secrets: string[], timestamp: number, body: string): string {
  return secrets.map((s) => `v1=${createHmac("sha256", s).update(`${timestamp}.${body}`).digest("hex")}`).join(", ");
}
