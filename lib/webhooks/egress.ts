import dns from "node:dns";
import net from "node:net";

/**
 * Where outbound webhooks may go. A URL must be https and every address its host
 * resolves to must be public — checked when the subscription is created AND on every
 * delivery, on the address actually connected to (a DNS answer that changes between
 * the check and the connection cannot slip through). No redirects are followed.
 * `LEDGERLINK_WEBHOOK_ALLOW_PRIVATE=on` (and the sandbox) allow http and private
 * addresses, for tools on a self-hoster's own network.
 */
export type EgressPolicy = { allowPrivate: boolean };

export function defaultEgressPolicy(): EgressPolicy {
  return { allowPrivate: process.env.LEDGERLINK_WEBHOOK_ALLOW_PRIVATE === "on" || process.env.LEDGERLINK_SANDBOX === "on" };
}

export class EgressRefused extends Error {
  override name = "EgressRefused";
}

function v4ToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

const V4_BLOCKS: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

/** True for an address on the public internet. */
export function isPublicAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const n = v4ToInt(ip);
    return !V4_BLOCKS.some(([base, bits]) => n >>> (32 - bits) === v4ToInt(base) >>> (32 - bits));
  }
  if (!net.isIPv6(ip)) return false;
  const a = ip.toLowerCase();
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return isPublicAddress(mapped[1]!);
  if (a === "::" || a === "::1") return false;
  const first = parseInt(a.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local (incl. fd00:ec2::254 metadata)
  if ((first & 0xffc0) === 0xfe80) return false; // link-local
  if ((first & 0xff00) === 0xff00) return false; // multicast
  if (a.startsWith("64:ff9b:") || a.startsWith("2001:db8:") || a.startsWith("100::")) return false;
  return true;
}

/** Shape checks only (no DNS): https, no credentials in the URL, a host. */
export function checkUrlShape(raw: string, policy: EgressPolicy): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new EgressRefused("Enter a full URL like https://example.com/hooks/ledgerlink.");
  }
  if (u.protocol !== "https:" && !(policy.allowPrivate && u.protocol === "http:")) throw new EgressRefused("The URL must start with https://.");
  if (u.username || u.password) throw new EgressRefused("Put no user name or password in the URL; verify our signature instead.");
  if (!u.hostname) throw new EgressRefused("The URL has no host.");
  return u;
}

function hostOf(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, "");
}

/** Resolve the URL's host now and refuse unless every address is allowed. */
export async function assertDeliverable(raw: string, policy: EgressPolicy): Promise<URL> {
  const u = checkUrlShape(raw, policy);
  if (policy.allowPrivate) return u;
  const host = hostOf(u);
  let addrs: string[];
  if (net.isIP(host)) addrs = [host];
  else {
    try {
      addrs = (await dns.promises.lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      throw new EgressRefused(`${host} does not resolve.`);
    }
  }
  const bad = addrs.find((a) => !isPublicAddress(a));
  if (bad !== undefined || !addrs.length) throw new EgressRefused(`${host} points to a private or local address (${bad ?? "none"}); webhooks only go to public servers.`);
  return u;
}

type LookupCb = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that refuses private answers at connection time,
 * so a host that resolved to a public address at the check cannot rebind to 127.0.0.1.
 */
export function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: dns.LookupOptions, cb: LookupCb) => {
    dns.lookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return cb(err, "");
      const list = addresses as dns.LookupAddress[];
      const allowed = policy.allowPrivate ? list : list.filter((a) => isPublicAddress(a.address));
      if (!allowed.length || allowed.length !== list.length) return cb(Object.assign(new EgressRefused(`${hostname} resolves to a private or local address.`), { code: "EGRESS_REFUSED" }), "");
      if (options.all) return cb(null, allowed);
      return cb(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}
