import { expect, test, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import fs from "node:fs";
import { signUp } from "./helpers";

async function linkDemo(page: Page, days = "400") {
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill(days);
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
}

const amounts = async (page: Page) =>
  (await page.getByTestId("transactions-table").locator("[data-amount]").evaluateAll((els) => els.map((e) => e.getAttribute("data-amount")!))) as string[];
const abs = (s: string) => Math.abs(Number(s));

test("filter, page, sort, edit inline, and export exactly the filtered view as CSV", async ({ page }) => {
  test.setTimeout(180_000); // links a bank, then many filtered page loads: > 60 s on a loaded machine with PGlite
  await signUp(page);
  await linkDemo(page);
  await page.goto("/transactions");
  const table = page.getByTestId("transactions-table");
  await expect(table).toBeVisible();

  // Dates + amount + text, through the form; the URL carries the state.
  const form = page.getByRole("form", { name: "Filter transactions" });
  const today = new Date();
  const from = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 6, 1)).toISOString().slice(0, 10);
  const to = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 1, 0)).toISOString().slice(0, 10);
  await form.getByLabel("From", { exact: true }).fill(from);
  await form.getByLabel("To", { exact: true }).fill(to);
  await form.getByLabel("Min amount").fill("5");
  await form.getByLabel("Direction").selectOption("out");
  await form.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`from=${from}.*to=${to}.*min=5.*direction=out`));
  const firstPage = await amounts(page);
  expect(firstPage.length).toBe(50);
  for (const a of firstPage) expect(Number(a) <= -5).toBe(true);

  // Survives reload; page through with the keyset pager.
  await page.reload();
  expect(await amounts(page)).toEqual(firstPage);
  const firstIds = await table.locator("tbody tr[data-row]").count();
  expect(firstIds).toBe(50);
  await page.getByRole("link", { name: "Next page →" }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(page.getByRole("link", { name: "← Previous page" })).toBeVisible();
  expect((await amounts(page)).length).toBeGreaterThan(0);
  // Back by the keyset cursor read backwards: the same full first page.
  await page.getByRole("link", { name: "← Previous page" }).click();
  await expect.poll(() => amounts(page)).toEqual(firstPage);

  // Sort by amount (largest first), then ascending.
  await page.getByRole("link", { name: /^Amount/ }).click();
  await expect(page).toHaveURL(/sort=amount/);
  await expect.poll(async () => { const a = (await amounts(page)).map(abs); return a.every((x, i) => i === 0 || a[i - 1]! >= x); }).toBe(true);
  await page.getByRole("link", { name: /^Amount/ }).click();
  await expect(page).toHaveURL(/order=asc/);
  await expect.poll(async () => { const a = (await amounts(page)).map(abs); return a.every((x, i) => i === 0 || a[i - 1]! <= x); }).toBe(true);

  // Text search.
  await form.getByLabel("Search merchant, description or note").fill("safeway");
  await form.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/q=safeway/);
  await expect(table.locator("tbody tr").first()).toContainText(/safeway/i);

  // Export CSV of exactly this view.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "CSV" }).click();
  const file = await (await download).path();
  const rows = parse(fs.readFileSync(file!, "utf8").replace(/^\uFEFF/, ""), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) {
    expect(r.date! >= from && r.date! <= to).toBe(true);
    expect(Number(r.amount) <= -5).toBe(true);
    expect(`${r.merchant} ${r.description}`.toLowerCase()).toContain("safeway");
  }
  // The API with the same query string returns the same rows.
  const api = await page.request.get(`/api/v1/transactions?${new URL(page.url()).searchParams}&limit=200`);
  expect(api.status()).toBe(200);
  expect(((await api.json()) as { transactions: { id: string }[] }).transactions.map((t) => t.id).sort()).toEqual(rows.map((r) => r.id).sort());

  // Inline edit of the category survives reload and is marked as edited.
  await table.locator("tbody tr").first().getByRole("button", { name: /Edit category/ }).click();
  const input = page.getByLabel("New category");
  await input.fill("Household");
  await input.press("Enter");
  await expect(table.locator("tbody tr").first().getByRole("button", { name: /Edit category: Household/ })).toBeVisible();
  await page.reload();
  await expect(table.locator("tbody tr").first()).toContainText("Household");
  await expect(table.locator("tbody tr").first()).toContainText("edited");

  // Row detail shows the raw provider data.
  await table.locator("tbody tr").first().locator("td").last().click();
  await expect(page.getByTestId("row-detail")).toContainText("transaction_id");

  // Invalid filters are explained, not ignored.
  await page.goto("/transactions?min=abc&to=2026-02-30");
  await expect(page.getByRole("alert").filter({ hasText: "Some filters are not valid" })).toBeVisible();
  await expect(table).toHaveCount(0);

  // Group by merchant.
  await page.goto("/transactions?view=merchants");
  await expect(page.getByTestId("merchant-groups")).toContainText("RENT PAYMENT");
});

test("the overview charts render with data, and the period can change", async ({ page }) => {
  await signUp(page);
  await linkDemo(page, "200");
  await page.goto("/");
  await expect(page.getByTestId("chart-net-worth").getByTestId("net-worth-line")).toBeVisible();
  expect(await page.getByTestId("chart-cashflow").getByTestId("bar-out").count()).toBeGreaterThan(0);
  expect(await page.getByTestId("chart-categories").getByTestId("bar-row").count()).toBeGreaterThan(0);
  await expect(page.getByTestId("top-merchants")).toContainText("RENT PAYMENT");
  // Amounts are converted into the base currency by default; "Native amounts" keeps EUR apart.
  await expect(page.getByTestId("fx-source")).toContainText("Source: ECB statistics");
  await page.getByRole("link", { name: "Native amounts" }).click();
  await expect(page.getByRole("note").filter({ hasText: "EUR are not converted" })).toBeVisible();
  await page.goto("/");
  // A year: months. Three months: weeks (human dates on the axis), the period in the URL as the one filter.
  await expect(page.getByTestId("chart-cashflow")).toContainText("Money in vs out per month");
  await page.getByRole("link", { name: "3 months" }).click();
  await expect(page).toHaveURL(/\?from=\d{4}-\d{2}-\d{2}&exclude_type=transfer/);
  await expect(page.getByTestId("chart-cashflow")).toContainText("Money in vs out per week");
  const labels = (await page.getByTestId("cashflow-label").allTextContents()).filter(Boolean);
  expect(labels.length).toBeGreaterThan(0);
  for (const l of labels) expect(l).toMatch(/^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}$/);
});

test("API tokens: a tool reads its own data; another user's token sees nothing of it", async ({ page, browser }) => {
  await signUp(page);
  await linkDemo(page, "60");
  await page.goto("/settings");
  await page.getByLabel("New token name").fill("Spreadsheet");
  await page.getByRole("button", { name: "Create token" }).click();
  const tokenA = (await page.getByTestId("new-token").textContent())!.trim();
  expect(tokenA).toMatch(/^ll_/);

  const req = page.request;
  const accountsA = await req.get("/api/v1/accounts", { headers: { authorization: `Bearer ${tokenA}` } });
  expect(accountsA.status()).toBe(200);
  const accts = ((await accountsA.json()) as { accounts: { id: string; currency: string }[] }).accounts;
  expect(accts).toHaveLength(4);
  const txA = await req.get(`/api/v1/transactions?account=${accts[0]!.id}&limit=5`, { headers: { authorization: `Bearer ${tokenA}` } });
  expect(((await txA.json()) as { transactions: unknown[] }).transactions.length).toBeGreaterThan(0);

  // Second user, own browser context and token.
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await signUp(other);
  await other.goto("/settings");
  await other.getByLabel("New token name").fill("Mine");
  await other.getByRole("button", { name: "Create token" }).click();
  const tokenB = (await other.getByTestId("new-token").textContent())!.trim();
  const asB = { headers: { authorization: `Bearer ${tokenB}` } };
  expect(((await (await other.request.get("/api/v1/accounts", asB)).json()) as { accounts: unknown[] }).accounts).toEqual([]);
  expect(((await (await other.request.get(`/api/v1/transactions?account=${accts[0]!.id}`, asB)).json()) as { transactions: unknown[] }).transactions).toEqual([]);
  const exportB = await other.request.get(`/api/v1/export?format=csv&account=${accts[0]!.id}`, asB);
  expect((await exportB.text()).trim().split("\r\n")).toHaveLength(1);
  // Pages too: A's account page is a 404 for B, and B's own table does not show A's rows.
  const resp = await other.goto(`/accounts/${accts[0]!.id}`);
  expect(resp!.status()).toBe(404);
  await other.goto(`/transactions?account=${accts[0]!.id}`);
  await expect(other.getByTestId("transactions-table")).toHaveCount(0);
  await ctx.close();

  // Bad, missing and revoked tokens are refused.
  expect((await req.get("/api/v1/accounts", { headers: { authorization: "Bearer ll_nope" } })).status()).toBe(401);
  const anon = await browser.newContext();
  expect((await anon.request.get(`${page.url().split("/settings")[0]}/api/v1/accounts`)).status()).toBe(401);
  await anon.close();
  await page.reload();
  await page.getByRole("button", { name: "Revoke Spreadsheet" }).click();
  await expect(page.getByRole("button", { name: "Revoke Spreadsheet" })).toHaveCount(0);
  expect((await req.get("/api/v1/accounts", { headers: { authorization: `Bearer ${tokenA}` } })).status()).toBe(401);
  // Invalid filter → 400 with field errors.
  const bad = await req.get("/api/v1/transactions?limit=9999");
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { field_errors: Record<string, string[]> } }).error.field_errors.limit).toBeDefined();
});
