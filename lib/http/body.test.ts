import { describe, expect, it } from "vitest";
import { POST as plaidWebhook } from "@/app/api/webhooks/plaid/route";
import { POST as tellerWebhook } from "@/app/api/webhooks/teller/route";
import { BodyTooLarge, readBodyLimited, WEBHOOK_BODY_MAX } from "./body";

/** A 100 MB body produced lazily, counting what the reader actually pulled. */
function hugeRequest(declareLength: boolean) {
  const chunk = new Uint8Array(16 * 1024).fill(0x61);
  const total = 100 * 1024 * 1024;
  const stats = { pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stats.pulled >= total) return controller.close();
      stats.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (declareLength) headers["content-length"] = String(total);
  const req = new Request("http://127.0.0.1/api/webhooks/x", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { req, stats };
}

describe("webhook body cap", () => {
  it("reads a small body whole", async () => {
    const body = JSON.stringify({ hello: "wörld" });
    expect(await readBodyLimited(new Request("http://x/", { method: "POST", body }))).toBe(body);
  });

  it("a streamed body is cancelled just past the limit, never read whole", async () => {
    const { req, stats } = hugeRequest(false);
    await expect(readBodyLimited(req)).rejects.toBeInstanceOf(BodyTooLarge);
    expect(stats.pulled).toBeLessThanOrEqual(WEBHOOK_BODY_MAX + 3 * 16 * 1024);
  });

  it("both webhook routes answer 413 to a 100 MB post, with or without Content-Length, before reading it", async () => {
    for (const route of [plaidWebhook, tellerWebhook]) {
      for (const declare of [true, false]) {
        const { req, stats } = hugeRequest(declare);
        const res = await route(req);
        expect(res.status).toBe(413);
        expect((await res.json()).error.code).toBe("payload_too_large");
        expect(stats.pulled).toBeLessThanOrEqual(WEBHOOK_BODY_MAX + 3 * 16 * 1024);
      }
    }
  });
});
