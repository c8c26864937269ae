import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("PSD2 consent: find the bank, every guided screen incl. the bank's SCA page, then renew", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=finqware");
  const search = page.getByRole("search", { name: "Find your bank" });
  await search.getByLabel("Country").selectOption("RO");
  await search.getByLabel("Bank name or BIC").fill("transilv");
  await search.getByRole("button", { name: "Search" }).click();
  const banks = page.getByRole("list", { name: "Banks" });
  await expect(banks.getByRole("listitem")).toHaveCount(1);
  await banks.getByRole("button", { name: "Connect Banca Transilvania" }).click();

  // Screen 1: consent duration, bounded by the bank's maximum.
  await expect(page.getByRole("heading", { name: "Connect Banca Transilvania" })).toBeVisible();
  await page.getByLabel("Consent duration (days)").fill("365");
  await page.getByRole("button", { name: "Continue to Banca Transilvania" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "at most 180 days" })).toBeVisible();
  await expect(page.getByLabel("Consent duration (days)")).toHaveValue("365");
  // Reloading resumes at the same screen (and the old screen's nonce is dead).
  await page.reload();
  await page.getByLabel("Consent duration (days)").fill("120");
  await page.getByRole("button", { name: "Continue to Banca Transilvania" }).click();

  // Screen 2: the bank's own page.
  await expect(page.getByRole("heading", { name: "Allow Ledgerlink to read your accounts?" })).toBeVisible();
  await expect(page.getByText("120 days")).toBeVisible();
  await page.getByRole("button", { name: "Approve" }).click();

  // Back in Ledgerlink: credentials exchanged server-side, first import.
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible({ timeout: 30_000 });
  await page.goto("/connections");
  const conn = page.getByTestId("connection");
  await expect(conn.getByRole("heading", { name: "Banca Transilvania" })).toBeVisible();
  await expect(conn.getByTestId("consent-expiry")).toBeVisible();
  await page.goto("/accounts");
  const accountsBefore = await page.getByRole("link", { name: /Checking|Savings|Visa|Girokonto/ }).count();
  expect(accountsBefore).toBe(4);

  // Renew while valid: same screens, same connection and accounts.
  await page.goto("/connections");
  await conn.getByRole("button", { name: "Renew consent" }).click();
  await expect(page.getByRole("heading", { name: "Renew your consent with Banca Transilvania" })).toBeVisible();
  await page.getByRole("button", { name: "Continue to Banca Transilvania" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Consent renewed." })).toBeVisible({ timeout: 30_000 });
  await page.goto("/connections");
  await expect(page.getByTestId("connection")).toHaveCount(1);
  await page.goto("/accounts");
  expect(await page.getByRole("link", { name: /Checking|Savings|Visa|Girokonto/ }).count()).toBe(4);
});

test("rejecting at the bank links nothing", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=finqware");
  await page.getByRole("button", { name: "Connect ING Bank România" }).click();
  await page.getByRole("button", { name: "Continue to ING Bank România" }).click();
  await page.getByRole("button", { name: "Reject" }).click();
  await expect(page.getByRole("status").filter({ hasText: "rejected at the bank" })).toBeVisible({ timeout: 20_000 });
  await page.goto("/connections");
  await expect(page.getByRole("heading", { name: "Link your first bank" })).toBeVisible();
});
