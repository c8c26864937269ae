import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/** Exact sum of decimal strings with up to 4 decimals, as units of 0.0001. */
const units = (s: string) => {
  const neg = s.startsWith("-");
  const [i, f = ""] = s.replace("-", "").split(".") as [string, string?];
  const v = BigInt(i) * 10000n + BigInt((f + "0000").slice(0, 4));
  return neg ? -v : v;
};

async function linkDemo(page: Page) {
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("120");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
}

const rowsOnPage = (page: Page) => page.getByTestId("transactions-table").locator("tbody tr[data-row]");
const amountsOnPage = async (page: Page) => rowsOnPage(page).locator("[data-amount]").evaluateAll((els) => els.map((e) => e.getAttribute("data-amount")!));

test("transfers are paired at import; confirm and undo from the row detail; Find transfers does not re-pair an undone one", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page);
  await linkDemo(page);

  await page.goto(`/transactions?q=${encodeURIComponent("TRANSFER TO SAVINGS")}`);
  const rows = rowsOnPage(page);
  expect(await rows.count()).toBeGreaterThanOrEqual(2);

  // First row: paired with the savings side; confirm it.
  await rows.nth(0).getByRole("button", { name: /Transfer to savings|TRANSFER TO SAVINGS/i }).click();
  let detail = page.getByTestId("row-detail");
  await expect(detail.getByTestId("transfer-pair")).toContainText("Looks like a transfer to High-Yield Savings");
  await detail.getByRole("button", { name: "Confirm transfer" }).click();
  await expect(detail.getByRole("status")).toHaveText("Confirmed as a transfer.");
  await expect(detail.getByTestId("transfer-pair")).toContainText("Confirmed transfer to High-Yield Savings");
  // The counterpart link lands on the savings row of that day.
  await detail.getByTestId("transfer-pair").getByRole("link").click();
  await expect(page).toHaveURL(/account=.*from=\d{4}-\d{2}-\d{2}/);
  await expect(rowsOnPage(page).filter({ hasText: /TRANSFER FROM CHECKING|Transfer from checking/i })).toHaveCount(1);

  // Second row: not a transfer.
  await page.goto(`/transactions?q=${encodeURIComponent("TRANSFER TO SAVINGS")}`);
  await rowsOnPage(page).nth(1).getByRole("button", { name: /Transfer to savings|TRANSFER TO SAVINGS/i }).click();
  detail = page.getByTestId("row-detail");
  await detail.getByRole("button", { name: "Not a transfer" }).click();
  await expect(detail.getByRole("status")).toHaveText("No longer a transfer.");
  await expect(detail.getByTestId("transfer-pair")).toHaveCount(0);
  await expect(detail).toContainText("payment");

  // Looking again for transfers over the whole history leaves the undone pair alone.
  await page.getByRole("button", { name: "Find transfers" }).click();
  await expect(page.getByRole("status").filter({ hasText: /No new transfers found|new transfer pair/ })).toBeVisible();
  await page.reload();
  await rowsOnPage(page).nth(1).getByRole("button", { name: /Transfer to savings|TRANSFER TO SAVINGS/i }).click();
  await expect(page.getByTestId("row-detail").getByTestId("transfer-pair")).toHaveCount(0);

  // The type filter no longer lists the undone row as a transfer.
  await page.goto(`/transactions?q=${encodeURIComponent("TRANSFER TO SAVINGS")}&type=transfer`);
  const transfersLeft = await rowsOnPage(page).count();
  await page.goto(`/transactions?q=${encodeURIComponent("TRANSFER TO SAVINGS")}&type=payment`);
  await expect(rowsOnPage(page)).toHaveCount(1);
  expect(transfersLeft).toBeGreaterThanOrEqual(1);
});

test("recurring page lists the demo subscriptions with next date and yearly cost; totals add up", async ({ page }) => {
  await signUp(page);
  await linkDemo(page);
  await page.getByRole("navigation").getByRole("link", { name: "Recurring" }).first().click();
  await expect(page.getByRole("heading", { name: "Recurring", level: 1 })).toBeVisible();
  const netflix = page.getByTestId("recurring-item").filter({ hasText: "Netflix" });
  await expect(netflix).toHaveCount(1);
  await expect(netflix).toContainText("Monthly");
  await expect(netflix.getByTestId("recurring-last")).toHaveAttribute("data-amount", "15.4900");
  await expect(netflix.getByTestId("recurring-yearly")).toHaveAttribute("data-amount", "185.8800"); // 12 × 15.49
  await expect(netflix.getByTestId("recurring-next")).toHaveText(/\d/);
  // The summary is the exact sum of the items (all in USD, the base currency).
  const yearly = await page.getByTestId("recurring-yearly").evaluateAll((els) => els.map((e) => e.getAttribute("data-amount")!));
  const total = await page.getByTestId("recurring-yearly-total").getAttribute("data-amount");
  expect(units(total!)).toBe(yearly.reduce((s, a) => s + units(a), 0n));
  await expect(page.getByTestId("recurring-count")).toHaveText(String(yearly.length));
  // Rows behind a series: the merchant link opens the table filtered to it.
  await netflix.getByRole("link", { name: "Netflix" }).click();
  await expect(page).toHaveURL(/\/transactions\?q=Netflix/);
  await expect.poll(() => rowsOnPage(page).count()).toBeGreaterThanOrEqual(3);
});

test("table totals equal the rows of every page; previous page walks back; chips remove a filter; delete a row", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await linkDemo(page);

  await page.goto("/transactions?q=netflix&limit=2&direction=out");
  const count = Number(await page.getByTestId("totals-count").first().textContent());
  const net = await page.getByTestId("totals-net").first().getAttribute("data-amount");
  expect(count).toBeGreaterThanOrEqual(3);
  // Walk forward collecting rows, then back with "Previous page".
  const pages: string[][] = [];
  for (;;) {
    pages.push(await amountsOnPage(page).then(async (a) => (await rowsOnPage(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-row")!))).map((id, i) => `${id}:${a[i]}`)));
    const next = page.getByRole("link", { name: "Next page →" });
    if (!(await next.count())) break;
    await next.click();
    await expect(page.getByRole("link", { name: "← Previous page" })).toBeVisible();
  }
  const all = pages.flat();
  expect(all).toHaveLength(count);
  expect(new Set(all.map((r) => r.split(":")[0])).size).toBe(count);
  expect(all.reduce((s, r) => s + units(r.split(":")[1]!), 0n)).toBe(units(net!));
  for (let i = pages.length - 2; i >= 0; i--) {
    await page.getByRole("link", { name: "← Previous page" }).click();
    await expect.poll(async () => (await rowsOnPage(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-row")!))).join()).toBe(pages[i]!.map((r) => r.split(":")[0]).join());
  }
  await expect(page.getByRole("link", { name: "← Previous page" })).toHaveCount(0);

  // Chips: removing "Money out" drops just that filter.
  await page.getByRole("link", { name: "Remove filter Money out" }).click();
  await expect(page).toHaveURL(/q=netflix/);
  await expect(page).not.toHaveURL(/direction=/);

  // Delete one row from its receipt: the count drops by one.
  await page.goto("/transactions?q=netflix&direction=out");
  const first = rowsOnPage(page).first();
  await first.getByRole("button", { name: /netflix/i }).click();
  const detail = page.getByTestId("row-detail");
  await expect(detail).toContainText("Rewards Visa");
  await expect(detail.getByText("Raw data from the bank")).toBeVisible();
  page.once("dialog", (d) => d.accept());
  await detail.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("totals-count").first()).toHaveText(String(count - 1));
});
