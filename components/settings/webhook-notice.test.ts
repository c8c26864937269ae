import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DisabledWebhooksNotice } from "./webhook-notice";

describe("DisabledWebhooksNotice", () => {
  it("tells the user which webhooks were turned off and why, as an alert with the way back", () => {
    const html = renderToStaticMarkup(
      createElement(DisabledWebhooksNotice, {
        items: [{ id: "1", url: "https://hooks.example.com/ll", disabledReason: "Turned off on 2026-01-18: every delivery failed for 3 days (last: HTTP 503)." }],
      }),
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain("A webhook was turned off because every delivery failed for 3 days.");
    expect(html).toContain("https://hooks.example.com/ll");
    expect(html).toContain("(last: HTTP 503)");
    expect(html).toContain('href="/settings/webhooks"');
    const two = renderToStaticMarkup(createElement(DisabledWebhooksNotice, { link: false, items: [{ id: "1", url: "https://a.example", disabledReason: null }, { id: "2", url: "https://b.example", disabledReason: null }] }));
    expect(two).toContain("2 webhooks were turned off");
    expect(two).not.toContain("href=");
  });

  it("shows nothing when no webhook is turned off", () => {
    expect(renderToStaticMarkup(createElement(DisabledWebhooksNotice, { items: [] }))).toBe("");
  });
});
