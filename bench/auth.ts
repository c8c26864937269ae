import { eq } from "drizzle-orm";
import { auditLog } from "@/db/schema";
import { createSession, createUser, getSessionUser, THROTTLE, verifyCredentials } from "@/lib/auth/accounts";
import { overview } from "@/lib/reports/overview";
import { benchDatabase, fmt, ms } from "./harness";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

/**
 * Sign-in under attack: N concurrent wrong guesses against one account from one address.
 * Counts how many passwords were actually verified (each verified failure is audited)
 * and the p99 of a legitimate user's page load (session lookup + Overview queries)
 * measured at the same time, against the same load without the attack.
 */
export async function benchAuth(kind: "pglite" | "postgres", guesses = Number(process.env.BENCH_AUTH_GUESSES ?? 500)) {
  const d = await benchDatabase(kind);
  try {
    const victim = await createUser(d.db, { email: "victim@example.com", password: "the real password" });
    const legit = await createUser(d.db, { email: "legit@example.com", password: "another password" });
    if (!victim.ok || !legit.ok) throw new Error("setup");
    const sid = await createSession(d.db, { userId: legit.userId });
    const pageLoad = async () => {
      const t0 = performance.now();
      const u = await getSessionUser(d.db, sid);
      await overview(d.db, { userId: u!.id, filters: {} });
      return ms(t0);
    };
    const loadsFor = async (durationMs: number, until?: Promise<unknown>) => {
      const out: number[] = [];
      let done = false;
      until?.finally(() => (done = true));
      const end = performance.now() + durationMs;
      while (until ? !done : performance.now() < end) {
        // Each load starts from the event loop, as a request from a socket does. PGlite answers
        // from WASM through promise callbacks only: back-to-back awaits never reach the event
        // loop, so the attack's scrypt completions (libuv callbacks) would starve and the bench
        // never ended on PGlite.
        await new Promise((r) => setImmediate(r));
        out.push(await pageLoad());
      }
      return out;
    };
    for (let i = 0; i < 5; i++) await pageLoad();
    const baseline = await loadsFor(3000);

    const t0 = performance.now();
    const attack = Promise.all(
      Array.from({ length: guesses }, (_, i) => verifyCredentials(d.db, { email: "victim@example.com", password: `guess number ${i}`, ip: "198.51.100.66" })),
    );
    const underAttack = await loadsFor(0, attack);
    const results = await attack;
    const attackMs = ms(t0);
    const verified = (await d.db.select().from(auditLog).where(eq(auditLog.action, "user.sign_in_failed"))).length;
    const throttled = results.filter((r) => !r.ok && r.reason === "throttled").length;
    return { kind, guesses, verified, throttled, limit: Math.min(THROTTLE.email.freeFailures, THROTTLE.ip.freeFailures), attackMs, baseline, underAttack };
  } finally {
    await d.close();
  }
}

export function printAuth(r: Awaited<ReturnType<typeof benchAuth>>) {
  const b99 = pct(r.baseline, 99);
  const a99 = pct(r.underAttack, 99);
  console.log(
    `[${r.kind}] sign-in under attack: ${r.guesses} concurrent wrong guesses (one account, one address) → ${r.verified} verified (limit ${r.limit}), ${r.throttled} refused unverified, in ${fmt(r.attackMs)} ms; ` +
      `legitimate page load p99 ${fmt(a99, 1)} ms under attack vs ${fmt(b99, 1)} ms without (${(a99 / b99).toFixed(2)}×; n=${r.underAttack.length}/${r.baseline.length})`,
  );
}

/** Both databases side by side (numbers taken on a shared, loaded machine). */
export function printAuthRatio(pg: Awaited<ReturnType<typeof benchAuth>>, lite: Awaited<ReturnType<typeof benchAuth>>) {
  const p99 = (r: typeof pg) => pct(r.underAttack, 99);
  console.log(
    `ratio pglite/postgres (sign-in under attack): verified ${lite.verified} vs ${pg.verified} (limit ${pg.limit}), attack time ${(lite.attackMs / pg.attackMs).toFixed(2)}×, ` +
      `legitimate page load p99 under attack ${fmt(p99(lite), 1)} vs ${fmt(p99(pg), 1)} ms (${(p99(lite) / p99(pg)).toFixed(2)}×)`,
  );
}
