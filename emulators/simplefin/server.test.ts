import { describe, expect, it } from "vitest";
import { SF_DAILY_QUOTA, SF_DISABLE_AFTER, SimplefinEmulator } from "./server";

describe("local SimpleFIN Bridge quota", () => {
  it("warns after 24 requests a day and disables the token after 30", async () => {
    const e = new SimplefinEmulator({ now: () => Date.UTC(2026, 10, 21, 9) });
    const claim = Buffer.from(e.issueSetupToken(), "base64").toString();
    const access = new URL(await (await e.handle(new Request(claim, { method: "POST" }))).text());
    const auth = `Basic ${Buffer.from(`${access.username}:${access.password}`).toString("base64")}`;
    const get = (q = "") => e.handle(new Request(`https://${access.host}${access.pathname}/accounts${q}`, { headers: { authorization: auth } }));
    expect((await get(`?start-date=0&end-date=${91 * 86_400}`)).status).toBe(400);
    for (let i = 2; i <= SF_DAILY_QUOTA; i++) expect(((await (await get()).json()) as { errors: string[] }).errors).toEqual([]);
    const warned = (await (await get("?version=2")).json()) as { errlist: { code: string }[] };
    expect(warned.errlist.map((x) => x.code)).toEqual(["gen.api"]);
    for (let i = SF_DAILY_QUOTA + 2; i <= SF_DISABLE_AFTER; i++) expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(403);
    expect(e.isDisabled(SimplefinEmulator.userOf(access.toString()))).toBe(true);
    // Claimed once: the same token again is refused.
    expect((await e.handle(new Request(claim, { method: "POST" }))).status).toBe(403);
  }, 30_000);

  it("pending rows only on request; windows are [start, end) on posted; Basic auth required", async () => {
    const now = Date.UTC(2026, 10, 21, 9);
    const e = new SimplefinEmulator({ now: () => now });
    const claim = Buffer.from(e.issueSetupToken(), "base64").toString();
    const access = new URL(await (await e.handle(new Request(claim, { method: "POST" }))).text());
    const auth = `Basic ${Buffer.from(`${access.username}:${access.password}`).toString("base64")}`;
    type Set = { accounts: { id: string; transactions?: { posted: number; pending?: boolean }[] }[] };
    const get = async (q: string, headers: Record<string, string> = { authorization: auth }) => e.handle(new Request(`https://${access.host}${access.pathname}/accounts${q}`, { headers }));
    const start = now / 1000 - 10 * 86_400;
    const end = now / 1000 + 86_400;
    const plain = (await (await get(`?start-date=${start}&end-date=${end}`)).json()) as Set;
    const withPending = (await (await get(`?start-date=${start}&end-date=${end}&pending=1`)).json()) as Set;
    const count = (s: Set, pending: boolean) => s.accounts.flatMap((a) => a.transactions ?? []).filter((t) => Boolean(t.pending) === pending).length;
    expect(count(plain, true)).toBe(0);
    expect(count(withPending, true)).toBeGreaterThan(0);
    expect(count(withPending, false)).toBe(count(plain, false));
    // end-date is exclusive: a window ending exactly at a posting leaves it out; one second more includes it.
    const posted = plain.accounts.flatMap((a) => a.transactions ?? []).map((t) => t.posted).sort((a, b) => b - a)[0]!;
    const at = (s: Set) => s.accounts.flatMap((a) => a.transactions ?? []).filter((t) => t.posted === posted).length;
    expect(at((await (await get(`?start-date=${start}&end-date=${posted}`)).json()) as Set)).toBe(0);
    expect(at((await (await get(`?start-date=${start}&end-date=${posted + 1}`)).json()) as Set)).toBeGreaterThan(0);
    expect((await get("", {})).status).toBe(403);
    expect((await get("", { authorization: `Basic ${Buffer.from(`${access.username}:wrong`).toString("base64")}` })).status).toBe(403);
  });
});
