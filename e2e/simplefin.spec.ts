import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("SimpleFIN: a malformed token is refused; a real token links, imports, and a reused token is refused", async ({ page, context }) => {
  await signUp(page);
  await page.goto("/connections/new");
  await page.getByRole("navigation", { name: "Providers" }).getByRole("link", { name: /SimpleFIN Bridge/ }).click();
  await expect(page.getByRole("heading", { name: "Link with SimpleFIN Bridge" })).toBeVisible();

  // Bad input: a clear message, the typed value kept, nothing linked.
  await page.getByLabel("Setup token").fill("definitely not a token");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByText("doesn't look like a SimpleFIN setup token")).toBeVisible();
  await expect(page.getByLabel("Setup token")).toHaveValue("definitely not a token");

  // Get a token from the local bridge, like a user copying it from their bridge.
  const bridge = await context.newPage();
  await bridge.goto("/sandbox/simplefin/create");
  const token = (await bridge.getByTestId("setup-token").textContent())!.trim();
  await bridge.close();

  await page.getByLabel("Setup token").fill(token);
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added, 0 updated, 0 removed/ })).toBeVisible({ timeout: 45_000 });

  await page.getByRole("link", { name: "See transactions" }).click();
  await expect(page.getByTestId("transactions-table")).toBeVisible();
  expect(await page.getByTestId("transactions-table").locator("tbody tr").count()).toBeGreaterThan(20);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  for (const name of ["Everyday Checking", "High-Yield Savings", "Rewards Visa", "Auto Loan", "Individual Brokerage"]) await expect(page.getByRole("link", { name, exact: true })).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  const conn = page.getByTestId("connection");
  await expect(conn.getByRole("heading", { name: "SimpleFIN Bridge" })).toBeVisible();
  await expect(conn.getByTestId("request-budget")).toContainText(/\d+ of 24 SimpleFIN Bridge requests used today \(UTC\); refills at 00:00 UTC/);
  const status = conn.getByTestId("provider-notes");
  await status.getByText("Holdings (2)").click();
  await expect(status.getByText("VTI")).toBeVisible();
  // The access URL is never shown.
  expect(await page.content()).not.toMatch(/https:\/\/[^"\s]*:[^"\s]*@bridge\.simplefin\.local/);

  // The same token again: claimed already → the compromise warning, no second connection.
  await page.goto("/connections/new?connector=simplefin");
  await page.getByLabel("Setup token").fill(token);
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByText(/unknown or was already claimed/)).toBeVisible();
  await page.goto("/connections");
  await expect(page.getByTestId("connection")).toHaveCount(1);
});
