import { createHmac, timingSafeEqual } from "node:crypto";

// Verify a Ledgerlink webhook (this exact code is in the README). `body` is the raw request body.
export function verifyLedgerlinkWebhook(secret: string, body: string, headers: Record<string, string | undefined>, nowMs = Date.now()): boolean {
  const ts = Number(headers["ledgerlink-timestamp"]);
  if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > 300) return false; // older than 5 minutes: a replay
  const expected = Buffer.from(createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex"));
  return (headers["ledgerlink-signature"] ?? "").split(",").some((part) => {
    const given = Buffer.from(part.trim().replace(/^v1=/, ""));
    return given.length === expected.length && timingSafeEqual(given, expected); // constant time
  });
}
