import { expect, test } from "@playwright/test";
import { PASSWORD, signIn, signOut, signUp, submitSignIn, uniqueEmail } from "./helpers";

test("sign up → empty overview → sign out → sign in", async ({ page }) => {
  const email = await signUp(page);
  await expect(page.getByRole("heading", { name: "Link your first bank" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Link your first bank" })).toHaveAttribute("href", "/connections/new");
  await expect(page.getByTestId("user-email")).toHaveText(email);

  await signOut(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);

  await signIn(page, email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

test("a wrong password shows an error and keeps the email, not the password", async ({ page }) => {
  const email = await signUp(page);
  await signOut(page);
  await signIn(page, email, "not the password");
  await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText("Email or password is incorrect.");
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("bad sign-up input gets field errors and creates nothing", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await expect(page).toHaveURL(/\/sign-up/);

  // Duplicate email
  const email = uniqueEmail();
  await signUp(page, email);
  await signOut(page);
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email.toUpperCase());
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("An account with this email already exists.")).toBeVisible();
});

test("pages that need a session redirect to sign-in, and come back after it", async ({ page, browser }) => {
  for (const path of ["/", "/accounts", "/transactions", "/connections", "/settings"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in/);
  }
  const email = await signUp(page);
  await signOut(page);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fsettings/);
  await submitSignIn(page, email);
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();

  // A forged cookie passes the proxy redirect but not the real check in the page.
  const ctx = await browser.newContext();
  await ctx.addCookies([{ name: "authjs.session-token", value: "forged", url: page.url() }]);
  const p2 = await ctx.newPage();
  await p2.goto("/settings");
  await expect(p2).toHaveURL(/\/sign-in/);
  await ctx.close();
});

test("sign out everywhere ends other sessions", async ({ page, browser }) => {
  const email = await signUp(page);
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await signIn(other, email);
  await expect(other.getByRole("heading", { name: "Overview" })).toBeVisible();

  await page.goto("/settings");
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await other.goto("/settings");
  await expect(other).toHaveURL(/\/sign-in/);
  await ctx.close();
});

test("sign out everywhere can revoke every API token too; the list showed the token's last use and address", async ({ page }) => {
  test.setTimeout(120_000); // sign-up, two sign-outs and a sign-in (scrypt N=2^17 each) on a shared machine
  const email = await signUp(page);
  await page.goto("/settings");
  await page.getByLabel("New token name").fill("Spreadsheet");
  await page.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("new-token").textContent())!.trim();
  const call = () => page.request.get("/api/v1/accounts", { headers: { authorization: `Bearer ${token}` } });
  expect((await call()).status()).toBe(200);
  await page.goto("/settings");
  await expect(page.getByText(/last used .+ from 127\.0\.0\.1/)).toBeVisible();

  // Left unticked, the token survives; ticked, it is revoked with the sessions.
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await call()).status()).toBe(200);
  await signIn(page, email);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.goto("/settings");
  await page.getByLabel("Also revoke all 1 API token").check();
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  expect((await call()).status()).toBe(401);
});
