import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/** Talk to the local Plaid like a developer would with Plaid's sandbox tools. */
const KEYS = { client_id: "ledgerlink-emulator", secret: "emulator-secret-not-real" };
async function latestItem(request: APIRequestContext) {
  const res = await request.get("/sandbox/plaid/link/sandbox/items");
  const items = ((await res.json()) as { items: { access_token: string; removed: boolean }[] }).items.filter((i) => !i.removed);
  return items.at(-1)!.access_token;
}
const plaid = (request: APIRequestContext, path: string, body: object) => request.post(`/sandbox/plaid${path}`, { data: { ...KEYS, ...body } });

async function linkWithPlaid(page: Page) {
  await page.goto("/connections/new?connector=plaid");
  await page.getByRole("button", { name: "Connect with Plaid" }).click();
  const link = page.getByRole("dialog", { name: "Select your bank" });
  await link.getByRole("button", { name: "First Platypus Bank" }).click();
  const login = page.getByRole("dialog", { name: "Log in to First Platypus Bank" });
  await login.getByLabel("Username").fill("user_good");
  await login.getByLabel("Password").fill("wrong");
  await login.getByRole("button", { name: "Submit" }).click();
  await expect(login.getByRole("alert")).toContainText("incorrect");
  await login.getByLabel("Username").fill("user_transactions_dynamic");
  await login.getByLabel("Password").fill("any");
  await login.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible();
}

test("Plaid Link (stand-in) → data → webhook brings new transactions → reset login → banner → reconnect", async ({ page }) => {
  await signUp(page);
  await linkWithPlaid(page);

  await page.goto("/accounts");
  await expect(page.getByText("Everyday Checking")).toBeVisible();
  await page.getByRole("link", { name: "Everyday Checking" }).click();
  await expect(page.getByTestId("identity")).toContainText("Alberta Bobbeth Charleson");

  // New transactions at Plaid → signed SYNC_UPDATES_AVAILABLE webhook → sync, no "Refresh now".
  const token = await latestItem(page.request);
  const created = await plaid(page.request, "/sandbox/transactions/create", {
    access_token: token,
    transactions: [{ date_transacted: "2026-11-20", date_posted: "2026-11-21", amount: 4.2, description: "E2E WEBHOOK COFFEE" }],
  });
  expect(created.status()).toBe(200);
  await expect
    .poll(async () => {
      await page.goto("/transactions?q=E2E%20WEBHOOK");
      return page.getByTestId("transactions-table").count();
    }, { timeout: 20_000 })
    .toBe(1);
  await expect(page.getByTestId("transactions-table")).toContainText("-$4.20");

  // Plaid says the login broke → ITEM ERROR webhook → banner on Connections.
  expect((await plaid(page.request, "/sandbox/item/reset_login", { access_token: token })).status()).toBe(200);
  await expect
    .poll(async () => {
      await page.goto("/connections");
      return page.getByTestId("connection").getByText("Needs reconnect").count();
    }, { timeout: 20_000 })
    .toBe(1);
  const conn = page.getByTestId("connection");
  await expect(conn.getByRole("alert")).toContainText(/sign in again/i);

  // Reconnect opens Link in update mode (straight to the bank's login) and resumes syncing.
  await conn.getByRole("button", { name: "Reconnect" }).click();
  const login = page.getByRole("dialog", { name: "Log in to First Platypus Bank" });
  await login.getByLabel("Username").fill("user_transactions_dynamic");
  await login.getByLabel("Password").fill("any");
  await login.getByRole("button", { name: "Submit" }).click();
  await expect(conn.getByText("Active", { exact: true })).toBeVisible();
  await expect(conn.getByText("Needs reconnect")).toHaveCount(0);

  // Linking the same bank again is refused instead of duplicating it.
  await page.goto("/connections/new?connector=plaid");
  await page.getByRole("button", { name: "Connect with Plaid" }).click();
  await page.getByRole("dialog", { name: "Select your bank" }).getByRole("button", { name: "First Platypus Bank" }).click();
  const again = page.getByRole("dialog", { name: "Log in to First Platypus Bank" });
  await again.getByLabel("Username").fill("user_good");
  await again.getByLabel("Password").fill("pass_good");
  await again.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already linked" })).toBeVisible();

  // Disconnect (keeping the history) calls /item/remove.
  await page.goto("/connections");
  await conn.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("dialog", { name: /Disconnect/ }).getByRole("button", { name: "Disconnect" }).click();
  await expect(conn.getByText("Disconnected", { exact: true })).toBeVisible();
  await page.goto("/transactions?q=E2E%20WEBHOOK");
  await expect(page.getByTestId("transactions-table")).toContainText("E2E WEBHOOK COFFEE");
  expect((await plaid(page.request, "/accounts/get", { access_token: token })).status()).toBe(400);
});

test("closing Plaid Link links nothing", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=plaid");
  await page.getByRole("button", { name: "Connect with Plaid" }).click();
  await page.getByRole("dialog", { name: "Select your bank" }).getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("status").filter({ hasText: "closed before finishing" })).toBeVisible();
  await page.goto("/connections");
  await expect(page.getByRole("heading", { name: "Link your first bank" })).toBeVisible();
});
