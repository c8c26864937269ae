import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("POST /api/cron/tick needs the cron secret, then runs due work", async ({ request }) => {
  const none = await request.post("/api/cron/tick");
  expect(none.status()).toBe(401);
  const wrong = await request.post("/api/cron/tick", { headers: { authorization: "Bearer nope" } });
  expect(wrong.status()).toBe(401);
  expect(await wrong.json()).toEqual({ error: { code: "unauthorized", message: "A valid cron secret is required." } });
  const ok = await request.post("/api/cron/tick", { headers: { authorization: "Bearer e2e-cron-secret" } });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ ok: true, enqueued: expect.any(Number), reaped: expect.any(Number) });
});

test("the first import runs as a job on the in-process worker (queued by the link itself, not the browser); Refresh now adds exactly one run", async ({ page }) => {
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Bank").selectOption("demo_eurobank");
  await page.getByLabel("Days of history").fill("60");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished: [\d,]+ added/ })).toBeVisible();
  await page.goto("/connections");
  const conn = page.getByTestId("connection");
  await conn.getByRole("button", { name: "Refresh now" }).click();
  await expect(conn.getByTestId("refresh-status")).toHaveText(/^[\d,]+ added, [\d,]+ updated, [\d,]+ removed$/);
  await conn.getByText("Sync history").click();
  // Exactly the two runs the user asked for: the import (queued by the link itself) and the refresh.
  await expect(conn.getByText("First import")).toHaveCount(1);
  await expect(conn.getByText("Refresh", { exact: true })).toHaveCount(1);
});
