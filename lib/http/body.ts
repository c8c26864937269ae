import { NextResponse } from "next/server";

/** Webhook bodies are small JSON documents: 64 KiB is far above any real one. */
export const WEBHOOK_BODY_MAX = 64 * 1024;

export class BodyTooLarge extends Error {
  override name = "BodyTooLarge";
}

/**
 * Read a request body as text, refusing it as soon as it is larger than `max` bytes: a
 * declared Content-Length over the limit is refused before reading anything, and a
 * streamed body is cancelled at the first chunk past the limit (never buffered whole).
 */
export async function readBodyLimited(req: Request, max = WEBHOOK_BODY_MAX): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) throw new BodyTooLarge(`body of ${declared} bytes is over ${max}`);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge(`body over ${max} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

export const tooLargeResponse = () =>
  NextResponse.json({ error: { code: "payload_too_large", message: `The request body is larger than ${WEBHOOK_BODY_MAX / 1024} KiB.` } }, { status: 413 });
