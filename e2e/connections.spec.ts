import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("link the demo bank → accounts and transactions appear → refresh now → disconnect", async ({ page }) => {
  await signUp(page);
  await page.getByRole("link", { name: "Link your first bank" }).click();
  await expect(page.getByRole("heading", { name: "Link a bank" })).toBeVisible();
  await page.getByLabel("Bank").selectOption("demo_platypus");
  await page.getByLabel("Days of history").fill("120");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added, 0 updated, 0 removed/ })).toBeVisible();

  await page.getByRole("link", { name: "See transactions" }).click();
  await expect(page.getByTestId("transactions-table")).toBeVisible();
  expect(await page.getByTestId("transactions-table").locator("tbody tr").count()).toBeGreaterThan(20);
  await expect(page.getByTestId("transactions-table").getByText("pending").first()).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await expect(page.getByRole("heading", { name: "Accounts", level: 1 })).toBeVisible();
  for (const name of ["Everyday Checking", "High-Yield Savings", "Rewards Visa", "Euro Girokonto"]) await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(page.getByText(/€[\d,]+\.\d\d/).first()).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  const conn = page.getByTestId("connection");
  await expect(conn.getByRole("heading", { name: "First Platypus Bank" })).toBeVisible();
  await expect(conn.getByText("Active", { exact: true })).toBeVisible();
  await conn.getByRole("button", { name: "Refresh now" }).click();
  await expect(conn.getByTestId("refresh-status")).toHaveText(/^[\d,]+ added, [\d,]+ updated, [\d,]+ removed$/);
  await conn.getByText("Sync history").click();
  await expect(conn.getByText("First import")).toBeVisible();
  await expect(conn.getByText("Refresh", { exact: true })).toBeVisible();

  await conn.getByRole("button", { name: "Disconnect" }).click();
  const dialog = page.getByRole("dialog", { name: /Disconnect First Platypus Bank/ });
  await dialog.getByLabel(/Delete every account/).check();
  await dialog.getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByRole("heading", { name: "Link your first bank" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Transactions" }).click();
  await expect(page.getByRole("heading", { name: "Link your first bank" })).toBeVisible();
});

test("a bank that needs re-login shows a banner, and Reconnect repairs it", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Bank").selectOption("demo_northwind");
  await page.getByLabel("Scenario").selectOption("reauth");
  await page.getByLabel("Days of history").fill("30");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The bank needs you to sign in again" })).toBeVisible();

  await page.getByRole("link", { name: "Back to connections" }).click();
  const conn = page.getByTestId("connection");
  await expect(conn.getByText("Needs reconnect")).toBeVisible();
  await expect(conn.getByRole("alert")).toContainText("sign in again");
  await expect(conn.getByText("Never")).toBeVisible();
  await conn.getByRole("button", { name: "Reconnect" }).click();
  await expect(conn.getByText("Active", { exact: true })).toBeVisible();
  await expect(conn.getByText("Never")).toHaveCount(0); // the sync after reconnecting succeeded
  await expect(conn.getByRole("alert")).toHaveCount(0);
});

test("the outage scenario explains itself and schedules a retry", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Scenario").selectOption("error");
  await page.getByLabel("Days of history").fill("30");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: "not responding" })).toBeVisible();
  await page.goto("/connections");
  await expect(page.getByTestId("connection").getByText("Error", { exact: true })).toBeVisible();
  await expect(page.getByTestId("connection").getByRole("alert")).toContainText("retry automatically");
});

test("bad link input is refused with a clear message and creates nothing", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Bank").selectOption("demo_northwind");
  await page.getByLabel("Days of history").fill("99999");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "At most 10 years" })).toBeVisible();
  // The form keeps what was chosen and typed (it must not quietly switch to another bank).
  await expect(page.getByLabel("Bank")).toHaveValue("demo_northwind");
  await expect(page.getByLabel("Days of history")).toHaveValue("99999");
  await page.goto("/connections");
  await expect(page.getByRole("heading", { name: "Link your first bank" })).toBeVisible();
});
