import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/** Automated accessibility check (axe) on every page: no serious or critical violations. */
async function check(page: Page, where: string) {
  const r = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`),
    `accessibility violations on ${where}`,
  ).toEqual([]);
}

test("every page passes axe with no serious violations, signed out and in, desktop and phone", async ({ page }) => {
  test.setTimeout(420_000); // ~14 pages × 2 widths, each analysed by axe (a shared, loaded machine)
  for (const p of ["/sign-in", "/sign-up"]) {
    await page.goto(p);
    await check(page, p);
  }
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("90");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();

  const pages = ["/", "/accounts", "/transactions", "/transactions?view=merchants", "/transactions?min=abc", "/transactions/rules", "/recurring", "/connections", "/connections/new", "/connections/import", "/wealth", "/settings", "/settings/api"];
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    for (const p of pages) {
      await page.goto(p);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await check(page, `${p} at ${width} px`);
    }
    await page.goto("/accounts");
    await page.getByRole("main").getByRole("link").first().click();
    await expect(page.getByTestId("transactions-table")).toBeVisible();
    await check(page, `account page at ${width} px`);
    // A transaction's receipt (row detail) open, with its transfer pair and actions.
    await page.goto(`/transactions?q=${encodeURIComponent("TRANSFER TO SAVINGS")}`);
    await page.getByTestId("transactions-table").locator("tbody tr[data-row]").first().getByRole("button", { name: /transfer to savings/i }).click();
    await expect(page.getByTestId("row-detail")).toBeVisible();
    await check(page, `row detail at ${width} px`);
  }
});
