import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

test("link the e-bank by web banking login → the backfill progresses window by window → five years of transactions", async ({ page }) => {
  test.setTimeout(240_000);
  await signUp(page);
  await page.goto("/connections/new");
  await page.getByRole("navigation", { name: "Providers" }).getByRole("link", { name: /Fibank \(web banking login\)/ }).click();
  await expect(page.getByText("Stored encrypted and used only to fetch your statements.")).toBeVisible();

  // A wrong password: the bank's answer in plain words, nothing linked.
  await page.getByLabel("Web banking username").fill("ivan.petrov");
  await page.getByLabel("Web banking password").fill("not-the-password");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "did not accept that username and password" })).toBeVisible();
  await expect(page.getByLabel("Web banking username")).toHaveValue("ivan.petrov");

  await page.getByLabel("Web banking password").fill("sandbox-pass");
  await page.getByRole("button", { name: "Link and import" }).click();
  // Progress moves page by page (one page = one 30-day statement window of one account).
  const progress = page.getByTestId("import-progress");
  await expect(progress).toHaveText(/page ([3-9]|\d\d+)\)/, { timeout: 60_000 });
  await expect(progress).toHaveText(/page ([2-9]\d|\d{3,})\)/, { timeout: 90_000 });
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible({ timeout: 180_000 });

  await page.getByRole("link", { name: "See transactions" }).click();
  await expect(page.getByTestId("transactions-table")).toBeVisible();
  expect(await page.getByTestId("transactions-table").locator("tbody tr").count()).toBeGreaterThan(20);

  // Five years back there is history; before the account opened there is none.
  await page.goto(`/transactions?from=${day(-5 * 365 + 5)}&to=${day(-5 * 365 + 40)}`);
  await expect(page.getByTestId("transactions-table")).toBeVisible();
  expect(await page.getByTestId("transactions-table").locator("tbody tr").count()).toBeGreaterThan(5);
  await page.goto(`/transactions?from=${day(-6 * 365)}&to=${day(-5 * 365 - 10)}`);
  await expect(page.getByText(/No transactions match these filters/)).toBeVisible();

  await page.goto("/accounts");
  await expect(page.getByRole("link", { name: "Разплащателна сметка", exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Спестовна сметка USD", exact: true })).toBeVisible();
});

test("a login with a one-time code asks for it as a step, then imports", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page);
  await page.goto("/connections/new?connector=ebank");
  await page.getByLabel("Web banking username").fill("maria.code");
  await page.getByLabel("Web banking password").fill("sandbox-pass");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "sent a one-time code" })).toBeVisible();
  await expect(page.getByText("Enter the code the bank just sent you.")).toBeVisible();
  await page.getByLabel(/One-time code/).fill("246810");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible({ timeout: 150_000 });
  await page.goto("/connections");
  await expect(page.getByTestId("connection").getByText("Active", { exact: true })).toBeVisible();
});
