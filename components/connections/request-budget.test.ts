import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { RequestPlan } from "@/lib/connectors/contract";
import { RequestBudgetPanel } from "./request-budget";

const plan = (over: Partial<RequestPlan> = {}): RequestPlan => ({ perDay: 24, used: 5, reserve: 2, required: 1, optional: 0, resetsAt: Date.UTC(2026, 10, 23), ...over });
const text = (p: RequestPlan, provider = "SimpleFIN Bridge") => renderToStaticMarkup(createElement(RequestBudgetPanel, { budget: { provider, plan: p } })).replace(/<[^>]+>/g, "");

describe("RequestBudgetPanel", () => {
  it("says what is spent of the day's budget, when it refills (UTC) and what is kept for Refresh now", () => {
    expect(text(plan())).toBe("5 of 24 SimpleFIN Bridge requests used today (UTC); refills at 00:00 UTC. Scheduled refreshes leave the last 2 for Refresh now.");
  });

  it("names any provider with a request plan; no reserve sentence without a reserve", () => {
    expect(text(plan({ perDay: 100, used: 100, reserve: 0, resetsAt: Date.UTC(2026, 10, 22, 6, 30) }), "Some Bank")).toBe("100 of 100 Some Bank requests used today (UTC); refills at 06:30 UTC.");
  });

  it("an unfinished backfill says how many more requests it wants", () => {
    expect(text(plan({ used: 22, optional: 17 }))).toContain("Older history still to import: about 17 more requests, spent as the budget allows.");
    expect(text(plan({ optional: 0 }))).not.toContain("Older history");
  });
});
