import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/**
 * The Overview answers questions and every figure leads to its rows: a click on a chart
 * bar, a category, a merchant or the fees lands on the transaction table filtered the
 * same way, whose totals equal the figure clicked. Native amounts, so the chart (in USD)
 * and the table's USD totals are the same currency.
 */

const cents = (s: string | null) => {
  const [i, f = ""] = (s ?? "").replace(/^-/, "").split(".");
  return BigInt(i!) * 100n + BigInt((f + "00").slice(0, 2));
};

async function usdTotal(page: Page, which: "totals-in" | "totals-out") {
  const dl = page.getByTestId("filter-totals").locator('[data-currency="USD"]');
  await expect(dl).toBeVisible();
  return cents(await dl.getByTestId(which).getAttribute("data-amount"));
}

test("headline, attention-free Overview; every chart element clicks through to a table with the same total", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("200");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
  // After linking: which accounts arrived (name, mask, balance, dates covered), and the way to the Overview.
  const arrived = page.getByTestId("arrived-accounts");
  await expect(arrived).toContainText(/\d+ accounts arrived/);
  await expect(arrived.getByTestId("connection-account").first()).toContainText(/•••• \d{4}/);
  await expect(arrived.getByTestId("account-coverage").first()).toContainText(/\d+ transactions?, \w{3} \d{1,2}/);
  await page.getByRole("link", { name: "Go to the Overview" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  // Headline: net worth with this month and this year.
  await expect(page.getByTestId("net-worth-total")).toContainText(/\$|€/);
  await expect(page.getByTestId("change-month")).toContainText("This month");
  await expect(page.getByTestId("change-year")).toContainText("This year");
  await expect(page.getByTestId("attention")).toHaveCount(0);

  await page.goto("/?amounts=native");
  await expect(page.getByTestId("overview-filter")).toContainText("transfers between your accounts left out");

  // A cash-flow bar (money out of the busiest bucket).
  const bars = page.getByTestId("chart-cashflow").getByTestId("bar-out");
  const amounts = await bars.evaluateAll((els) => els.map((e) => e.getAttribute("data-amount")));
  const i = amounts.map(Number).reduce((best, v, k, arr) => (v > arr[best]! ? k : best), 0);
  const barValue = (await page.getByTestId("chart-cashflow").getByTestId("bar-out").nth(i).getAttribute("aria-label"))!.match(/\$([\d,]+\.\d{2})/)![1]!.replace(/,/g, "");
  await bars.nth(i).click();
  await expect(page).toHaveURL(/\/transactions\?from=.*&to=.*direction=out.*exclude_type=transfer/);
  await expect(page.getByRole("list", { name: "Active filters" })).toContainText("Transfers left out");
  expect(await usdTotal(page, "totals-out")).toBe(cents(barValue));

  // A category.
  await page.goto("/?amounts=native");
  const catRow = page.getByTestId("chart-categories").getByTestId("bar-row").filter({ has: page.getByRole("link") }).first();
  const catValue = cents(await catRow.getAttribute("data-amount"));
  await catRow.getByRole("link").click();
  await expect(page).toHaveURL(/category=/);
  expect(await usdTotal(page, "totals-out")).toBe(catValue);

  // A merchant.
  await page.goto("/?amounts=native");
  const merchant = page.getByTestId("top-merchants").locator('a[data-currency="USD"]').first();
  const merchantValue = cents(await merchant.getAttribute("data-amount"));
  await merchant.click();
  await expect(page).toHaveURL(/merchant=/);
  expect(await usdTotal(page, "totals-out")).toBe(merchantValue);

  // The fees.
  await page.goto("/?amounts=native");
  const fee = page.getByTestId("fees").locator('a[data-currency="USD"]');
  const feeValue = cents(await fee.getAttribute("data-amount"));
  await fee.click();
  await expect(page).toHaveURL(/category=Fees/);
  expect(await usdTotal(page, "totals-out")).toBe(feeValue);
  expect(feeValue).toBeGreaterThan(0n);
});

test("connections show the provider and their accounts; a connection and an account can be renamed", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("30");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
  await page.goto("/connections");
  const card = page.getByTestId("connection").first();
  await expect(card.getByTestId("connection-provider")).toContainText("via Demo Bank");
  expect(await card.getByTestId("connection-account").count()).toBeGreaterThan(1);

  // Rename the connection: an empty name is refused and what was typed stays; a good one is trimmed.
  await card.getByRole("button", { name: /^Rename / }).first().click();
  const form = card.getByRole("form", { name: /^Rename / });
  await form.getByRole("textbox").fill("   ");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("alert")).toContainText("Enter a name.");
  await form.getByRole("textbox").fill("  Household   bank ");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(card.getByTestId("connection-name")).toHaveText("Household bank");

  // Rename an account.
  const account = card.getByTestId("connection-account").first();
  await account.getByRole("button", { name: /^Rename / }).click();
  await account.getByRole("textbox").fill("Bills account");
  await account.getByRole("button", { name: "Save" }).click();
  await expect(card.getByTestId("account-name").first()).toHaveText("Bills account");
  await page.goto("/accounts");
  await expect(page.getByRole("link", { name: "Bills account" })).toBeVisible();
  // Audited.
  await page.goto("/settings");
  const activity = page.getByRole("list", { name: "Account activity" });
  await expect(activity.getByText("Bank connection renamed")).toBeVisible();
  await expect(activity.getByText("Account renamed")).toBeVisible();
});
