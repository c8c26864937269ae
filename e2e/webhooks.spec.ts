import http from "node:http";
import { expect, test } from "@playwright/test";
import { verifyLedgerlinkWebhook } from "../lib/webhooks/verifier";
import { signUp } from "./helpers";

/** A real HTTP receiver on one of this branch's ports (private addresses allowed in the e2e server's env). */
const RECEIVER_PORT = Number(process.env.E2E_WEBHOOK_PORT ?? 3471);
type Hit = { headers: Record<string, string>; body: string };
const hits: Hit[] = [];
let server: http.Server;

test.beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      hits.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
    });
  });
  await new Promise<void>((r) => server.listen(RECEIVER_PORT, "127.0.0.1", r));
});
test.afterAll(() => new Promise<void>((r) => server.close(() => r())));

test("create a webhook → refresh a connection → the signed delivery is in the log → redeliver", async ({ page }) => {
  // A first import, a refresh and two deliveries (each a job), on a machine shared with other builds.
  test.setTimeout(120_000);
  await signUp(page);
  await page.getByRole("link", { name: "Link your first bank" }).click();
  await page.getByLabel("Bank").selectOption("demo_platypus");
  await page.getByLabel("Days of history").fill("30");
  await page.getByRole("button", { name: "Link and import" }).click();
  await expect(page.getByRole("status").filter({ hasText: /First import finished/ })).toBeVisible();

  await page.goto("/settings");
  await page.getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  // A URL that is not a URL is refused with a message beside the field.
  await page.getByLabel("Receiver URL").fill("not a url");
  await page.getByRole("button", { name: "Create webhook" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter a full URL" })).toBeVisible();
  await page.getByLabel("Receiver URL").fill(`http://127.0.0.1:${RECEIVER_PORT}/ledgerlink`);
  await page.getByRole("button", { name: "Create webhook" }).click();
  const secret = (await page.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Connections" }).click();
  const conn = page.getByTestId("connection");
  await conn.getByRole("button", { name: "Refresh now" }).click();
  await expect(conn.getByTestId("refresh-status")).toHaveText(/added/);

  await expect.poll(() => hits.filter((h) => h.headers["ledgerlink-event"] === "sync.completed").length, { timeout: 20_000 }).toBe(1);
  const hit = hits.find((h) => h.headers["ledgerlink-event"] === "sync.completed")!;
  expect(verifyLedgerlinkWebhook(secret, hit.body, hit.headers)).toBe(true);
  expect(verifyLedgerlinkWebhook(secret, hit.body.replace("sync", "sink"), hit.headers)).toBe(false);

  await page.goto("/settings/webhooks");
  const row = page.getByTestId("delivery-row").filter({ hasText: "sync.completed" });
  await expect(row).toContainText("delivered");
  await expect(row).toContainText("HTTP 200");
  await expect(row).toContainText("thanks");
  await row.getByRole("button", { name: "Redeliver" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Delivered again." })).toBeVisible();
  const again = hits.filter((h) => h.headers["ledgerlink-event"] === "sync.completed");
  expect(again).toHaveLength(2);
  expect(again[1]!.headers["ledgerlink-webhook-id"]).toBe(again[0]!.headers["ledgerlink-webhook-id"]);
  await page.reload();
  await expect(page.getByTestId("delivery-row").filter({ hasText: "sync.completed" })).toHaveCount(2);
});
