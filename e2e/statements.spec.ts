import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

const OFX_PATH = path.resolve("../shared/fixtures/external/ofx/ofxparse_checking.ofx");
const OFX = { name: path.basename(OFX_PATH), mimeType: "application/x-ofx", buffer: readFileSync(OFX_PATH) };
// Column names no bank uses: the mapping screen must ask which is which.
const CSV = { name: "household.csv", mimeType: "text/csv", buffer: Buffer.from("When|What happened|How much\n2024-05-02|Corner bakery|-4.20\n2024-05-03|Refund from the garage|120.00\n") };

test("statement import: OFX + a CSV that needs mapping → preview → import → rows in the table → the next CSV reuses the mapping → re-upload is a no-op → undo", async ({ page }) => {
  test.setTimeout(180_000); // two imports, a reuse, a re-upload and an undo: ~1 min on a busy machine
  await signUp(page);
  await page.goto("/connections");
  await page.getByRole("link", { name: "Import a statement" }).click();
  await expect(page.getByRole("heading", { name: "Import a statement" })).toBeVisible();
  await expect(page.getByText("No statement imported yet.")).toBeVisible();

  await page.getByTestId("statement-input").setInputFiles([OFX, CSV]);
  const ofx = page.getByRole("region", { name: "Preview of ofxparse_checking.ofx" });
  await expect(ofx.getByTestId("count")).toHaveText("3");
  await expect(ofx.getByTestId("new-rows")).toHaveText("3");
  await expect(ofx).toContainText("-59.50");
  await expect(ofx).toContainText("Jan 1, 2000 – May 25, 2013"); // one date format everywhere (lib/format)

  const csv = page.getByRole("region", { name: "Preview of household.csv" });
  await expect(csv.getByText("the columns of this CSV could not be recognised")).toBeVisible();
  await expect(page.getByRole("button", { name: "Import" })).toBeDisabled();
  await csv.getByLabel("Date").selectOption("When");
  await csv.getByLabel("Amount (signed)").selectOption("How much");
  await csv.getByLabel("Description").selectOption("What happened");
  await csv.getByRole("button", { name: "Apply" }).click();
  await expect(csv.getByTestId("count")).toHaveText("2");
  await csv.getByLabel("Currency").fill("EUR");
  await csv.getByLabel("Currency").blur();
  await expect(csv.getByText("The file does not say the currency")).toHaveCount(0);

  await page.getByRole("button", { name: "Import" }).click();
  const result = page.getByTestId("import-result");
  await expect(result).toContainText("ofxparse_checking.ofx: 3 new transactions imported.");
  await expect(result).toContainText("household.csv: 2 new transactions imported.");

  // the next CSV with the same columns: no mapping asked, the saved one is used for the same account
  const JUNE = { name: "household-june.csv", mimeType: "text/csv", buffer: Buffer.from("When|What happened|How much\n2024-06-01|Garden centre|-35.00\n2024-06-04|Window cleaner|-12.00\n") };
  await page.goto("/connections/import");
  await page.getByTestId("statement-input").setInputFiles([JUNE]);
  const june = page.getByRole("region", { name: "Preview of household-june.csv" });
  await expect(june.getByTestId("csv-profile")).toContainText("Columns mapped as you chose them before");
  await expect(june.getByText("the columns of this CSV could not be recognised")).toHaveCount(0);
  await expect(june.getByTestId("count")).toHaveText("2");
  await expect(june.getByTestId("new-rows")).toHaveText("2");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toContainText("household-june.csv: 2 new transactions imported.");

  await page.goto("/transactions?q=bakery");
  await expect(page.getByTestId("transactions-table")).toContainText("Corner bakery");
  await page.goto("/transactions?q=garden");
  await expect(page.getByTestId("transactions-table")).toContainText("Garden centre");
  await page.goto("/transactions?q=RETURNED%20CHECK");
  await expect(page.getByTestId("transactions-table")).toContainText("RETURNED CHECK FEE");

  // the same OFX again: the preview says so and nothing new is written
  await page.goto("/connections/import");
  await page.getByTestId("statement-input").setInputFiles([OFX]);
  await expect(page.getByText(/Already imported on \d{4}-\d{2}-\d{2}/)).toBeVisible();
  await expect(page.getByTestId("new-rows")).toHaveText("0");
  await expect(page.getByTestId("already-rows")).toHaveText("3");
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toContainText("was already imported");

  // undo the CSV import from the history
  await page.goto("/connections/import");
  const history = page.getByTestId("import-history");
  await history.getByRole("listitem").filter({ hasText: "household.csv" }).getByRole("button", { name: "Undo" }).click();
  await expect(history.getByRole("listitem").filter({ hasText: "household.csv" })).toContainText("Undone");
  await page.goto("/transactions?q=bakery");
  await expect(page.getByText("Corner bakery")).toHaveCount(0);
  await page.goto("/transactions?q=RETURNED%20CHECK");
  await expect(page.getByTestId("transactions-table")).toContainText("RETURNED CHECK FEE");

  // the file source is listed with the other connections
  await page.goto("/connections");
  await expect(page.getByTestId("connection").filter({ hasText: "Statement files" })).toBeVisible();
});
