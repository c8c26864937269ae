import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

async function linkDemo(page: Page) {
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("90");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
}

test("category picker corrects a typo, bulk edit changes the selected rows, and a rule previews and applies", async ({ page }) => {
  await signUp(page);
  await linkDemo(page);
  const table = page.getByTestId("transactions-table");

  // Picker: a typo picks the real category; nothing new is created.
  await page.goto("/transactions?q=uber");
  const first = table.locator("tbody tr").first();
  await first.getByRole("button", { name: /Edit category/ }).click();
  const input = page.getByRole("combobox", { name: "New category" });
  await input.fill("Restuarants");
  const options = page.getByRole("listbox", { name: "Categories" }).getByRole("option");
  await expect(options.first()).toContainText("Restaurants");
  await input.press("Enter");
  await expect(first.getByRole("button", { name: "Edit category: Restaurants" })).toBeVisible();
  // Creating a category takes an explicit choice of "Create …".
  await first.getByRole("button", { name: /Edit category/ }).click();
  await input.fill("Rideshare fun");
  await options.filter({ hasText: "Create “Rideshare fun”" }).click();
  await expect(first.getByRole("button", { name: "Edit category: Rideshare fun" })).toBeVisible();

  // Bulk edit: select two rows, set their category.
  await page.goto("/transactions?q=safeway");
  const rows = table.locator("tbody tr[data-row]");
  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toContainText("2 selected");
  await bar.getByLabel("Category for the selected").selectOption("Pets");
  await bar.getByRole("button", { name: "Apply" }).click();
  await expect(bar.getByRole("status")).toContainText("Category set on 2.");
  await page.goto("/transactions?category=Pets");
  await expect(table.locator("tbody tr[data-row]")).toHaveCount(2);

  // Rule: preview counts what it would change; "apply to past" changes exactly that many.
  await page.goto("/transactions?q=uber&limit=200");
  const uberCount = await table.locator("tbody tr[data-row]").count();
  expect(uberCount).toBeGreaterThan(1);
  await page.goto("/transactions/rules");
  await page.getByLabel("Merchant or description contains").fill("uber");
  await page.getByLabel("Set category").selectOption("Car");
  await page.getByRole("button", { name: "Preview" }).click();
  const preview = page.getByTestId("rule-preview");
  await expect(preview).toContainText(/\d+ past transactions? would change/);
  const n = Number((await preview.innerText()).match(/(\d+) past/)![1]);
  expect(n).toBe(uberCount);
  await page.getByRole("button", { name: `Save and apply to ${n} past` }).click();
  await expect(page.getByRole("status").filter({ hasText: `applied to ${n} past` })).toBeVisible();
  await expect(page.getByTestId("rule")).toContainText("When it contains “uber”: category → Car");

  await page.goto("/transactions?q=uber&category=Car&limit=200");
  await expect(table.locator("tbody tr[data-row]")).toHaveCount(uberCount);

  // Bad input changes nothing and says why.
  await page.goto("/transactions/rules");
  await page.getByLabel("Set category").selectOption("Transport");
  await page.getByRole("button", { name: "Save rule" }).click();
  await expect(page.getByText("Give at least one condition")).toBeVisible();
  await expect(page.getByTestId("rule")).toHaveCount(1);
});
