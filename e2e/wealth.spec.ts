import { expect, test, type Page } from "@playwright/test";
import { signUp } from "./helpers";

/** "€106,207.45" / "-€1,234.00" → cents as a BigInt (exact; no floats). */
function cents(text: string): bigint {
  const neg = text.trim().startsWith("-");
  const digits = text.replace(/[^0-9.]/g, "");
  const [i, f = ""] = digits.split(".");
  const v = BigInt(i!) * 100n + BigInt((f + "00").slice(0, 2));
  return neg ? -v : v;
}

async function netWorth(page: Page): Promise<bigint> {
  return cents((await page.getByTestId("net-worth-total").textContent()) ?? "");
}

test("base currency EUR → Overview converts; a property and a mortgage → net worth and distribution update; a holdings CSV imports", async ({ page }) => {
  test.setTimeout(300_000);
  await signUp(page);

  // Base currency in Settings
  await page.goto("/settings");
  await page.getByLabel("Base currency").selectOption("EUR");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Amounts are now shown in EUR." })).toBeVisible();

  // A bank with USD and EUR accounts
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("90");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();

  // Overview converts into EUR (once the ECB history has loaded in the background)
  await expect
    .poll(
      async () => {
        await page.goto("/");
        return page.getByTestId("fx-source").textContent();
      },
      { timeout: 120_000, intervals: [2000] },
    )
    .toContain("latest rates May 9, 2025");
  await expect(page.getByTestId("fx-source")).toContainText("Converted at each day's rate. Source: ECB statistics");
  await expect(page.getByText(/not converted/)).toHaveCount(0);
  await expect(page.getByRole("link", { name: "In EUR", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("chart-net-worth")).toContainText("Net worth (EUR)");
  // Native toggle keeps currencies apart
  await page.getByRole("link", { name: "Native amounts" }).click();
  await expect(page.getByText(/accounts in USD are/)).toBeVisible();

  await page.goto("/wealth");
  const before = await netWorth(page);
  await expect(page.getByTestId("net-worth-accounts")).toContainText("1 USD = 0.888731 EUR, rate of May 9, 2025");

  // A property and a mortgage
  for (const [name, kind, value] of [
    ["Flat in Lisbon", "property", "300000"],
    ["Home loan", "mortgage", "200000"],
  ] as const) {
    await page.goto("/wealth");
    const form = page.getByRole("form", { name: "Add an account or asset" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Type").selectOption(kind);
    await form.getByLabel("Currency").selectOption("EUR");
    await form.getByRole("button", { name: "Add" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Added ${name}.` })).toBeVisible();
    await page.getByTestId("manual-accounts").getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    const vf = page.getByRole("form", { name: "Record a valuation" });
    // bad input first: a negative value changes nothing
    await vf.getByLabel("Value", { exact: true }).fill("-5");
    await vf.getByRole("button", { name: "Record valuation" }).click();
    await expect(vf.getByRole("alert")).toContainText("can't be negative");
    await expect(page.getByText("No valuation yet")).toBeVisible();
    await vf.getByLabel("Date").fill("2025-05-09");
    await vf.getByLabel("Value", { exact: true }).fill(value);
    await vf.getByRole("button", { name: "Record valuation" }).click();
    await expect(page.getByTestId("valuations")).toContainText("May 9, 2025");
  }
  await page.goto("/wealth");
  expect(await netWorth(page)).toBe(before + 100_000_00n);
  await expect(page.getByTestId("dist-type").getByTestId("bar-row").filter({ hasText: "Property" })).toContainText("€300,000.00");
  await expect(page.getByTestId("dist-type").getByTestId("bar-row").filter({ hasText: "Mortgages" })).toContainText("-€200,000.00");

  // Holdings CSV: 0.5 BTC at 60,000 USD → 30,000 USD / 1.1252 = 26,661.93 EUR (rate of 9 May 2025)
  await page.getByLabel("CSV file").setInputFiles({
    name: "holdings.csv",
    mimeType: "text/csv",
    buffer: Buffer.from("account,date,quantity,unit_price,currency,kind\nBitcoin,2025-05-09,0.5,60000,USD,crypto\n"),
  });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Imported 1 valuation. Created Bitcoin." })).toBeVisible();
  await page.goto("/wealth");
  expect(await netWorth(page)).toBe(before + 100_000_00n + 26_661_93n);
  await expect(page.getByTestId("dist-currency").getByTestId("bar-row").filter({ hasText: "USD" })).toHaveCount(1);

  // The Overview shows the same net worth
  await page.goto("/");
  expect(await netWorth(page)).toBe(before + 100_000_00n + 26_661_93n);

  // What changed this month, and each account's change
  await page.goto("/wealth");
  await expect(page.getByTestId("month-changes")).toContainText("Flat in Lisbon");
  await expect(page.getByTestId("account-changes")).toContainText("Home loan");

  // Edit a valuation, then delete it
  await page.getByTestId("manual-accounts").getByRole("link", { name: "Flat in Lisbon" }).click();
  const ef = page.getByRole("form", { name: "Edit the valuation of 2025-05-09" });
  const edit = page.getByRole("button", { name: "Edit the valuation of 2025-05-09" });
  // A click before the page has hydrated does nothing: click until the form is open.
  await expect(async () => {
    if ((await edit.getAttribute("aria-expanded")) !== "true") await edit.click();
    await expect(ef).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await ef.getByLabel("Value", { exact: true }).fill("310000");
  await ef.getByRole("button", { name: "Save valuation" }).click();
  await expect(ef.getByRole("status")).toContainText("Saved 310000.0000 on 2025-05-09.");
  await page.goto("/wealth");
  expect(await netWorth(page)).toBe(before + 110_000_00n + 26_661_93n);
  await page.getByTestId("manual-accounts").getByRole("link", { name: "Flat in Lisbon" }).click();
  await page.getByRole("button", { name: "Delete the valuation of 2025-05-09" }).click();
  await expect(page.getByText("No valuation yet")).toBeVisible();
  await page.goto("/wealth");
  expect(await netWorth(page)).toBe(before - 200_000_00n + 26_661_93n);
});
