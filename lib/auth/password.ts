import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashing with scrypt (memory-hard; built into Node, no native addon).
 * N=2^17, r=8, p=1 (OWASP's minimum) uses 128 MiB per hash. Parameters are stored in
 * the hash, so older hashes still verify and are re-hashed on the next successful sign-in
 * (`needsRehash`). At most MAX_CONCURRENT hashes run at once, so a burst of sign-ins
 * queues instead of exhausting memory.
 */
export const PARAMS = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEYLEN = 32;
const MAX_CONCURRENT = 2;

let running = 0;
const waiting: (() => void)[] = [];
async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return withSlot(
    () =>
      new Promise((resolve, reject) =>
        scryptCb(password.normalize("NFKC"), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
      ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { ...PARAMS, maxmem: 128 * PARAMS.N * PARAMS.r * 2 });
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

function parse(stored: string) {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  // Refuse absurd parameters from a tampered row instead of allocating gigabytes.
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  return { N, r, p, salt: Buffer.from(parts[4]!, "base64url"), expected: Buffer.from(parts[5]!, "base64url") };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h || h.expected.length === 0) return false;
  const key = await scrypt(password, h.salt, h.expected.length, { N: h.N, r: h.r, p: h.p, maxmem: 128 * h.N * h.r * 2 + 1024 });
  return timingSafeEqual(key, h.expected);
}

/** True when the stored hash uses weaker parameters than today's. */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  return !h || h.N < PARAMS.N || h.r < PARAMS.r || h.p < PARAMS.p;
}

/** A real hash of a random password: verifying against it costs the same as a real check. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString("hex"));
  return dummy;
}
