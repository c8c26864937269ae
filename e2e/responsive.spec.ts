import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

const PAGES = [
  { path: "/", heading: "Overview", nav: "Overview" },
  { path: "/accounts", heading: "Accounts", nav: "Accounts" },
  { path: "/transactions", heading: "Transactions", nav: "Transactions" },
  { path: "/recurring", heading: "Recurring", nav: "Recurring" },
  { path: "/connections", heading: "Connections", nav: "Connections" },
  { path: "/settings", heading: "Settings", nav: "Settings" },
  { path: "/connections/new", heading: "Link a bank", nav: null },
] as const;

/** Pixels the page is wider than the viewport (0 = no sideways scrolling). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function linkDemo(page: Page) {
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("120");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
}

test("at 390 px no page scrolls sideways, the menu reaches every page, and the table shows amount and account", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page);
  await linkDemo(page);

  for (const p of PAGES) {
    await page.goto(p.path);
    await expect(page.getByRole("heading", { name: p.heading, level: 1 })).toBeVisible();
    expect(await overflow(page), `${p.path} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
  }

  // An account's own page (balance chart + its transactions).
  await page.goto("/accounts");
  await page.getByRole("main").getByRole("link").first().click();
  await expect(page.getByTestId("transactions-table")).toBeVisible();
  expect(await overflow(page), "account page scrolls sideways at 390 px").toBeLessThanOrEqual(0);

  // The desktop link row is hidden; the Menu button opens every page.
  await page.goto("/");
  for (const p of PAGES.filter((x) => x.nav)) {
    await page.getByRole("button", { name: /^Menu/ }).click();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: p.nav! }).click();
    await expect(page.getByRole("heading", { name: p.heading, level: 1 })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  }

  // Transactions on a phone: filters folded behind a button; each row shows merchant, amount and account.
  await page.goto("/transactions");
  const form = page.getByRole("form", { name: "Filter transactions" });
  await expect(form).toBeHidden();
  const firstRow = page.getByTestId("transactions-table").locator("tbody tr").first();
  await expect(firstRow.locator("[data-amount]")).toBeInViewport();
  await expect(firstRow.getByTestId("row-account")).toBeInViewport();
  await expect(firstRow.getByTestId("row-account")).not.toBeEmpty();

  await page.getByRole("button", { name: /^Filters/ }).click();
  await expect(form).toBeVisible();
  await form.getByLabel("Direction").selectOption("out");
  await form.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.getByRole("button", { name: "Filters (1)" })).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(0);
});

test("at 1440 px no page scrolls sideways and the nav is a row of links", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signUp(page);
  for (const p of PAGES) {
    await page.goto(p.path);
    await expect(page.getByRole("heading", { name: p.heading, level: 1 })).toBeVisible();
    expect(await overflow(page), `${p.path} scrolls sideways at 1440 px`).toBeLessThanOrEqual(0);
  }
  await expect(page.getByRole("button", { name: /^Menu/ })).toBeHidden();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Transactions" }).click();
  await expect(page.getByRole("heading", { name: "Transactions", level: 1 })).toBeVisible();
});

test("an invalid filter keeps what was typed, and two categories survive Apply", async ({ page }) => {
  await signUp(page);
  await linkDemo(page);
  await page.goto("/transactions?min=abc&q=coffee&from=2026-01-01");
  await expect(page.getByRole("alert").filter({ hasText: "Some filters are not valid" })).toBeVisible();
  const form = page.getByRole("form", { name: "Filter transactions" });
  await expect(form.getByLabel("Min amount")).toHaveValue("abc");
  await expect(form.getByLabel("Min amount")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("Search merchant, description or note")).toHaveValue("coffee");
  await expect(form.getByLabel("From", { exact: true })).toHaveValue("2026-01-01");

  // Two categories from the URL are both ticked, and both stay after Apply.
  await page.goto("/transactions");
  await page.getByTestId("pick-category").click();
  const boxes = form.getByRole("group", { name: "Categories" }).getByRole("checkbox");
  const names = await boxes.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(names.length).toBeGreaterThanOrEqual(2);
  const [c1, c2] = names as [string, string];
  await page.goto(`/transactions?category=${encodeURIComponent(c1)}&category=${encodeURIComponent(c2)}`);
  await expect(page.getByTestId("pick-category")).toHaveText(/2 selected/);
  await form.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`category=${encodeURIComponent(c1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*category=`));
  await expect(page.getByRole("list", { name: "Active filters" }).getByRole("link")).toHaveCount(2);

  // The totals cover every page of the filter: one category's count equals its rows.
  await page.goto(`/transactions?category=${encodeURIComponent(c1)}&limit=200`);
  const count = Number((await page.getByTestId("totals-count").first().textContent())!.replace(/,/g, ""));
  await expect(page.getByTestId("transactions-table").locator("tbody tr[data-row]")).toHaveCount(Math.min(count, 200));

  // A forged page link explains itself and offers the way back.
  await page.goto("/transactions?cursor=not-a-real-cursor");
  await expect(page.getByRole("alert").filter({ hasText: /page link/i })).toBeVisible();
  await page.getByRole("link", { name: /first page|Reset filters/ }).first().click();
  await expect(page.getByTestId("transactions-table")).toBeVisible();
});
