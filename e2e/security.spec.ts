import { expect, test } from "@playwright/test";
import { signUp } from "./helpers";

test("security headers: no framing, nosniff, referrer and permissions policies; API and pages not cached", async ({ request }) => {
  const page = await request.get("/sign-in");
  const h = page.headers();
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"]).toContain("https://cdn.plaid.com");
  expect(h["content-security-policy"]).toContain("https://cdn.teller.io");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(h["permissions-policy"]).toContain("camera=()");
  const api = await request.get("/api/v1/accounts");
  expect(api.status()).toBe(401);
  expect(api.headers()["cache-control"]).toContain("no-store");
  expect(api.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});

test("the signed-in app loads its pages and charts under the CSP without violations, and cannot be framed", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await signUp(page);
  await page.goto("/connections/new?connector=demo");
  await page.getByLabel("Days of history").fill("60");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("net-worth-line")).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  // The user's own audit trail: sign-up, sign-in and the linked bank.
  const activity = page.getByRole("list", { name: "Account activity" });
  await expect(activity.getByText("Bank connection linked")).toBeVisible();
  await expect(activity.getByText("Signed in").first()).toBeVisible();
  await expect(activity.getByText("Account created")).toBeVisible();
  expect(violations).toEqual([]);

  // Another origin frames Settings: the browser refuses to render it inside the frame.
  const settingsUrl = page.url();
  const origin = new URL(settingsUrl).origin;
  await page.setContent(`<iframe id="f" src="${settingsUrl}" width="600" height="400"></iframe>`);
  await page.waitForTimeout(2000);
  let rendered = 0;
  for (const f of page.frames()) {
    if (f === page.mainFrame() || !f.url().startsWith(origin)) continue;
    rendered += await f.locator("h1").count().catch(() => 0);
  }
  expect(rendered).toBe(0);
});

test("next-auth's own sign-out endpoint ends the server-side session: a copied session cookie stops working", async ({ page, browser, baseURL }) => {
  await signUp(page);
  const copied = await page.context().cookies();
  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const out = await page.request.post("/api/auth/signout", { form: { csrfToken, callbackUrl: "/sign-in" }, maxRedirects: 0 });
  expect([200, 302, 303]).toContain(out.status());

  const thief = await browser.newContext({ baseURL, storageState: { cookies: copied, origins: [] } });
  const p = await thief.newPage();
  await p.goto("/settings");
  await expect(p).toHaveURL(/\/sign-in/);
  await thief.close();
});
