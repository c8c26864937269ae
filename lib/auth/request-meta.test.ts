import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientIp, installPeerHeader, parseTrustProxy, PEER_HEADER } from "./request-meta";

const h = (o: Record<string, string>) => new Headers(o);

describe("clientIp", () => {
  it("ignores a client-supplied X-Forwarded-For unless TRUST_PROXY is set", () => {
    const headers = h({ "x-forwarded-for": "6.6.6.6", [PEER_HEADER]: "203.0.113.7" });
    expect(clientIp(headers, 0)).toBe("203.0.113.7");
    expect(clientIp(h({ "x-forwarded-for": "6.6.6.6" }), 0)).toBe("local");
  });

  it("behind N trusted proxies takes the address N hops from the right (what our first proxy saw)", () => {
    const headers = h({ "x-forwarded-for": "6.6.6.6, 198.51.100.2, 10.0.0.5", [PEER_HEADER]: "10.0.0.9" });
    expect(clientIp(headers, 1)).toBe("10.0.0.5");
    expect(clientIp(headers, 2)).toBe("198.51.100.2");
    // Fewer hops than proxies: the header was not written by our proxies → the peer.
    expect(clientIp(h({ "x-forwarded-for": "1.1.1.1", [PEER_HEADER]: "::ffff:10.0.0.9" }), 2)).toBe("10.0.0.9");
  });

  it("parses TRUST_PROXY strictly", () => {
    expect([undefined, "", "false", "0"].map(parseTrustProxy)).toEqual([0, 0, 0, 0]);
    expect(parseTrustProxy("true")).toBe(1);
    expect(parseTrustProxy("2")).toBe(2);
    expect(() => parseTrustProxy("10.0.0.0/8")).toThrow(/TRUST_PROXY/);
  });

  it("the server stamps the real TCP peer, overwriting a forged peer header", async () => {
    installPeerHeader();
    const server = http.createServer((req, res) => res.end(JSON.stringify({ peer: req.headers[PEER_HEADER], xff: req.headers["x-forwarded-for"] })));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } });
      const body = (await res.json()) as { peer: string; xff: string };
      expect(body.peer).toBe("127.0.0.1");
      expect(clientIp(new Headers({ [PEER_HEADER]: body.peer, "x-forwarded-for": body.xff }), 0)).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
