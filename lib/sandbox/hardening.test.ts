import { describe, expect, it } from "vitest";
import { finqwareEmulator, FQ_APP_KEY, FQ_CLIENT_ID, FQ_SKILLS } from "@/emulators/finqware/server";
import { EMULATOR_CLIENT_ID, EMULATOR_SECRET, PlaidEmulator, plaidEmulator } from "@/emulators/plaid/server";
import { sandboxMount } from "./mount";

/** What a caller of the public /sandbox/* routes could make the server do (issue #11/#12 findings). */
const APP = "http://127.0.0.1:3421";
const post = (e: { handle: (r: Request) => Promise<Response> }, path: string, body: unknown) =>
  e.handle(new Request(`http://x${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
const keys = { client_id: EMULATOR_CLIENT_ID, secret: EMULATOR_SECRET };

describe("sandbox hardening", () => {
  it("the mounted local Plaid only delivers webhooks to the app's own webhook routes (no SSRF)", async () => {
    sandboxMount.plaid.basePath(APP); // mounting configures the emulator
    const plaid = plaidEmulator();
    const sent = plaid.sentWebhooks.length;
    const itemWithWebhook = async (webhook: string) => {
      const pt = (await (await post(plaid, "/sandbox/public_token/create", { ...keys, institution_id: "ins_109508", initial_products: ["transactions"], options: { webhook } })).json()) as { public_token: string };
      const ex = (await (await post(plaid, "/item/public_token/exchange", { ...keys, public_token: pt.public_token })).json()) as { access_token: string };
      const fired = await post(plaid, "/sandbox/item/fire_webhook", { ...keys, access_token: ex.access_token, webhook_code: "SYNC_UPDATES_AVAILABLE" });
      expect(fired.status).toBe(200);
    };
    for (const webhook of ["http://169.254.169.254/latest/meta-data", "http://127.0.0.1:5432/", "https://evil.example/hook", `${APP}.evil.example/api/webhooks/plaid`]) await itemWithWebhook(webhook);
    expect(plaid.sentWebhooks.slice(sent).map((w) => w.url)).toEqual([]);
    // Control: the app's own webhook route is called.
    await itemWithWebhook(`${APP}/api/webhooks/plaid`);
    expect(plaid.sentWebhooks.slice(sent).map((w) => w.url)).toEqual([`${APP}/api/webhooks/plaid`]);
  });

  it("the local Plaid holds a bounded number of Items: past the cap creation is refused, removed Items are forgotten first", async () => {
    const plaid = new PlaidEmulator({ deliver: async () => {} });
    plaid.maxItems = 5;
    const create = () => post(plaid, "/sandbox/public_token/create", { ...keys, institution_id: "ins_109508", initial_products: ["transactions"] });
    for (let i = 0; i < 5; i++) expect((await create()).status).toBe(200);
    const refused = await create();
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error_type: string }).error_type).toBe("RATE_LIMIT_EXCEEDED");
    const items = (await (await plaid.handle(new Request("http://x/link/sandbox/items"))).json()) as { items: { access_token: string }[] };
    expect(items.items).toHaveLength(5);
    // Remove one Item: there is room again.
    expect((await post(plaid, "/item/remove", { ...keys, access_token: items.items[0]!.access_token })).status).toBe(200);
    expect((await create()).status).toBe(200);
  });

  it("the mounted PSD2 bank only sends the user back to the app's own origin (no open redirect)", async () => {
    const fetchFq = sandboxMount.finqware.fetch(APP);
    const fq = finqwareEmulator();
    const skill = FQ_SKILLS[0]!.skill;
    const start = async () => (await (await fetchFq("http://x/v1/sessions", { method: "POST", body: JSON.stringify({ client_id: FQ_CLIENT_ID, client_app_key: FQ_APP_KEY, skill, tenant_user_id: "u1" }) })).json()) as { session_id: string; nonce: string };
    const consent = async (redirect_url: string) => {
      const s = await start();
      return fq.handle(new Request(`http://x/v1/sessions/${s.session_id}/steps`, { method: "POST", body: JSON.stringify({ client_id: FQ_CLIENT_ID, client_app_key: FQ_APP_KEY, nonce: s.nonce, skill, step: "consent", data: { consent_days: 30, accounts: "all", redirect_url } }) }));
    };
    for (const bad of ["https://evil.example/phish", "//evil.example", `${APP}@evil.example/`, "javascript:alert(1)"]) {
      const r = await consent(bad);
      expect({ bad, status: r.status }).toEqual({ bad, status: 400 });
    }
    expect((await consent(`${APP}/connections/consent/abc`)).status).toBe(200);
  });
});
