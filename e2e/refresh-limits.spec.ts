import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

/**
 * "Refresh now" under a provider's daily limit: disabled, with the reason and the next
 * possible time, instead of a click that only adds a "skipped" row.
 */

const historyRows = (page: import("@playwright/test").Page) => page.getByTestId("connection").locator("details ol > li");

test("SimpleFIN: a long history uses the day's budget up to the reserve; two manual refreshes spend it; then Refresh now is disabled with the next possible time", async ({ page, context }) => {
  test.setTimeout(240_000);
  await signUp(page);
  // A bridge with 2,400 days of history: more than one day's 24 requests can import.
  const bridge = await context.newPage();
  await bridge.goto("/sandbox/simplefin/create?history=2400");
  const token = (await bridge.getByTestId("setup-token").textContent())!.trim();
  await bridge.close();

  await page.goto("/connections/new?connector=simplefin");
  await page.getByLabel("Setup token").fill(token);
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished|continues in the background/ })).toBeVisible({ timeout: 120_000 });

  await page.goto("/connections");
  const conn = page.getByTestId("connection");
  // 1 recent window + 21 older ones; the last 2 are kept for "Refresh now".
  // (the import may still be finishing in the background: reload until it has spent what fits today)
  await expect(async () => {
    await page.reload();
    await expect(conn.getByTestId("request-budget")).toContainText("22 of 24 SimpleFIN Bridge requests used today", { timeout: 2_000 });
    await expect(conn.getByRole("button", { name: "Refresh now" })).toBeEnabled({ timeout: 2_000 });
  }).toPass({ timeout: 150_000 });
  const refresh = conn.getByRole("button", { name: "Refresh now" });
  await expect(refresh).toBeEnabled();
  await expect(conn.getByTestId("refresh-limit")).toHaveCount(0);

  for (let i = 0; i < 2; i++) {
    await refresh.click();
    await expect(conn.getByTestId("refresh-status")).toContainText(/Sync finished|added/, { timeout: 60_000 });
    await page.reload();
  }
  await expect(conn.getByTestId("request-budget")).toContainText("24 of 24 SimpleFIN Bridge requests used today");
  await expect(refresh).toBeDisabled();
  const limit = conn.getByTestId("refresh-limit");
  await expect(limit).toContainText("SimpleFIN Bridge allows 24 requests a day; this refresh needs 1 and 0 remain today.");
  await expect(limit).toContainText(/next possible at 00:00 \(UTC \d{4}-\d{2}-\d{2}\)/);
  // No "skipped" rows from clicks that could not run.
  await conn.getByText("Sync history").click();
  await expect(historyRows(page).filter({ hasText: /skipped/i })).toHaveCount(0);
});

test("PSD2 bank (2 refreshes a day): after the first import and one refresh, Refresh now is disabled with the reason; no skipped rows", async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page);
  await page.goto("/connections/new?connector=finqware");
  const search = page.getByRole("search", { name: "Find your bank" });
  await search.getByLabel("Country").selectOption("RO");
  await search.getByLabel("Bank name or BIC").fill("transilv");
  await search.getByRole("button", { name: "Search" }).click();
  await page.getByRole("list", { name: "Banks" }).getByRole("button", { name: "Connect Banca Transilvania" }).click();
  await page.getByLabel("Consent duration (days)").fill("90");
  await page.getByRole("button", { name: "Continue to Banca Transilvania" }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible({ timeout: 60_000 });

  await page.goto("/connections");
  const conn = page.getByTestId("connection");
  const refresh = conn.getByRole("button", { name: "Refresh now" });
  await expect(refresh).toBeEnabled();
  await refresh.click();
  await expect(conn.getByTestId("refresh-status")).toContainText(/Sync finished|added/, { timeout: 60_000 });
  await page.reload();
  await expect(refresh).toBeDisabled();
  await expect(conn.getByTestId("refresh-limit")).toContainText(/The bank allows 2 refreshes a day and today's are used; next possible at 00:00 \(UTC \d{4}-\d{2}-\d{2}\)\./);
  await conn.getByText("Sync history").click();
  await expect(historyRows(page).filter({ hasText: /skipped/i })).toHaveCount(0);
});
