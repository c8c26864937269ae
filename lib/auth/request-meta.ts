import http from "node:http";

/**
 * The client's address. Without a configured proxy it is the TCP peer of the connection,
 * which `installPeerHeader` (run at server start) stamps into PEER_HEADER on every request,
 * overwriting anything the client sent. `X-Forwarded-For` is client-controlled, so it is
 * read only when TRUST_PROXY says how many proxies of ours stand in front (each appends
 * the address it saw): the entry that many hops from the right is the client.
 */
export const PEER_HEADER = "x-ledgerlink-peer";

export function clientIp(headers: Headers, trustProxyHops = trustProxyFromEnv()): string {
  if (trustProxyHops > 0) {
    const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    if (hops.length >= trustProxyHops) return normalise(hops[hops.length - trustProxyHops]!);
  }
  const peer = headers.get(PEER_HEADER);
  return peer ? normalise(peer) : "local";
}

const normalise = (ip: string) => ip.replace(/^::ffff:/, "").slice(0, 64);

/** TRUST_PROXY: unset/false/0 → no proxy; true → one proxy; a number → that many. */
export function parseTrustProxy(value: string | undefined): number {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "false" || v === "0" || v === "no") return 0;
  if (v === "true" || v === "yes") return 1;
  const n = Number(v);
  if (Number.isInteger(n) && n > 0 && n <= 10) return n;
  throw new Error(`TRUST_PROXY must be true, false or a number of proxies (1-10), not "${value}"`);
}

function trustProxyFromEnv(): number {
  return parseTrustProxy(process.env.TRUST_PROXY);
}

/** Stamp the TCP peer address into PEER_HEADER before Next.js sees the request. */
export function installPeerHeader(): void {
  const proto = http.Server.prototype as unknown as { emit: (event: string, ...args: unknown[]) => boolean; __llPeer?: boolean };
  if (proto.__llPeer) return;
  proto.__llPeer = true;
  const emit = proto.emit;
  proto.emit = function (this: http.Server, event: string, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as http.IncomingMessage;
      req.headers[PEER_HEADER] = req.socket?.remoteAddress ?? "";
    }
    return emit.call(this, event, ...args);
  };
}
