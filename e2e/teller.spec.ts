import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

async function connect(page: Page, institution: string, username: string, step?: { label: string; value: string; wrong: string }) {
  await page.goto("/connections/new?connector=teller");
  await page.getByRole("button", { name: "Connect with Teller" }).click();
  await page.getByRole("dialog", { name: "Select your institution" }).getByRole("button", { name: institution }).click();
  const login = page.getByRole("dialog", { name: `Log in to ${institution}` });
  await login.getByLabel("Username").fill(username);
  await login.getByLabel("Password").fill("password");
  await login.getByRole("button", { name: "Connect" }).click();
  if (step) {
    const mfa = page.getByRole("dialog");
    await mfa.getByLabel(step.label).fill(step.wrong);
    await mfa.getByRole("button", { name: "Continue" }).click();
    await expect(mfa.getByRole("alert")).toContainText("not right");
    await mfa.getByLabel(step.label).fill(step.value);
    await mfa.getByRole("button", { name: "Continue" }).click();
  }
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible();
}

test("Teller Connect (stand-in) with OTP and a security question → data → webhook disconnect → banner → reconnect", async ({ page }) => {
  // Two links with their first imports, a webhook round trip and a reconnect (each Connect
  // opening first asks the server for a nonce): more than the default minute on a shared machine.
  test.setTimeout(180_000);
  await signUp(page);
  await connect(page, "Chase", "otp", { label: "One-time code", value: "0000", wrong: "1234" });
  await connect(page, "Capital One", "challenge", { label: "Answer", value: "blue", wrong: "red" });

  await page.goto("/transactions");
  await expect(page.getByTestId("transactions-table")).toBeVisible();
  await page.goto("/connections");
  await expect(page.getByTestId("connection")).toHaveCount(2);

  // The bank cuts Chase off: a signed enrollment.disconnected webhook reaches us.
  const list = (await (await page.request.get("/sandbox/teller/enrollments")).json()) as { enrollments: { id: string; institution: string }[] };
  const chase = list.enrollments.find((e) => e.institution === "Chase")!;
  expect((await page.request.post(`/sandbox/teller/enrollments/${chase.id}/disconnect`)).status()).toBe(200);
  const chaseCard = page.getByTestId("connection").filter({ hasText: "Chase" });
  await expect
    .poll(async () => {
      await page.goto("/connections");
      return chaseCard.getByText("Needs reconnect").count();
    }, { timeout: 20_000 })
    .toBe(1);
  await expect(chaseCard.getByRole("alert")).toContainText("password changed");

  // Reconnect repairs the same enrollment in place.
  await chaseCard.getByRole("button", { name: "Reconnect" }).click();
  const login = page.getByRole("dialog", { name: /Log in to/ });
  await login.getByLabel("Username").fill("username");
  await login.getByLabel("Password").fill("password");
  await login.getByRole("button", { name: "Connect" }).click();
  await expect(chaseCard.getByText("Active", { exact: true })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveCount(2);

  // transactions.processed triggers a sync by itself.
  expect((await page.request.post(`/sandbox/teller/enrollments/${chase.id}/processed`)).status()).toBe(200);
  await expect
    .poll(async () => {
      await page.goto("/connections");
      await chaseCard.getByText("Sync history").click();
      return chaseCard.getByText("Webhook").count();
    }, { timeout: 20_000 })
    .toBeGreaterThan(0);
});

test("the sandbox dashboards only show a user their own enrollments and Items", async ({ page, browser }) => {
  await signUp(page);
  await connect(page, "Bank of America", "username");
  const mine = (await (await page.request.get("/sandbox/teller/enrollments")).json()) as { enrollments: { id: string }[] };
  expect(mine.enrollments).toHaveLength(1);
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await signUp(other);
  expect(((await (await other.request.get("/sandbox/teller/enrollments")).json()) as { enrollments: unknown[] }).enrollments).toEqual([]);
  expect((await other.request.post(`/sandbox/teller/enrollments/${mine.enrollments[0]!.id}/disconnect`)).status()).toBe(404);
  expect(((await (await other.request.get("/sandbox/plaid/link/sandbox/items")).json()) as { items: unknown[] }).items).toEqual([]);
  await ctx.close();
  const anon = await browser.newContext();
  expect((await anon.request.get(`${page.url().split("/connections")[0]}/sandbox/teller/enrollments`)).status()).toBe(401);
  await anon.close();
});

test("a forged or unsigned Teller webhook is refused", async ({ request }) => {
  const body = JSON.stringify({ id: "wh_forged", type: "transactions.processed", timestamp: new Date().toISOString(), payload: { enrollment_id: "enr_x" } });
  const t = Math.floor(Date.now() / 1000);
  const res = await request.post("/api/webhooks/teller", { data: body, headers: { "content-type": "application/json", "teller-signature": `t=${t},v1=${"0".repeat(64)}` } });
  expect(res.status()).toBe(401);
  expect((await request.post("/api/webhooks/teller", { data: body, headers: { "content-type": "application/json" } })).status()).toBe(401);
});
