import { describe, expect, it } from "vitest";
import { accountTypeLabel, formatDate, formatDateRange, formatDateTime, formatDayMonth, formatMonth, formatQuarter, providerLabel } from "./index";
import { connectionsNeedingAttention } from "@/lib/connections/attention";

describe("one date format, one account-type label", () => {
  it("calendar dates read the same everywhere and never shift with the time zone", () => {
    const before = process.env.TZ;
    for (const tz of ["UTC", "Pacific/Auckland", "America/Los_Angeles"]) {
      process.env.TZ = tz;
      expect(formatDate("2025-03-04")).toBe("Mar 4, 2025");
      expect(formatDate("2025-12-31")).toBe("Dec 31, 2025");
    }
    process.env.TZ = before;
    expect(formatMonth("2025-03-01")).toBe("Mar 2025");
    expect(formatDayMonth("2025-03-04")).toBe("Mar 4");
    expect(formatQuarter("2025-10-01")).toBe("Q4 2025");
    expect(formatDateRange("2025-03-04", "2025-03-10")).toBe("Mar 4 – 10, 2025");
    expect(formatDateRange("2025-03-28", "2025-04-03")).toBe("Mar 28 – Apr 3, 2025");
    expect(formatDateRange("2024-12-30", "2025-01-05")).toBe("Dec 30, 2024 – Jan 5, 2025");
    expect(formatDateRange("2025-03-04", "2025-03-04")).toBe("Mar 4, 2025");
    expect(formatDateTime(new Date(2025, 2, 4, 14, 5))).toBe("Mar 4, 2025, 14:05");
    expect(formatDateTime(null)).toBe("—");
  });

  it("account types", () => {
    expect(accountTypeLabel("depository", "checking")).toBe("Checking");
    expect(accountTypeLabel("depository", "savings")).toBe("Savings");
    expect(accountTypeLabel("credit", "credit card")).toBe("Credit card");
    expect(accountTypeLabel("credit", null)).toBe("Credit card");
    expect(accountTypeLabel("depository", null)).toBe("Bank account");
    expect(accountTypeLabel("investment", "brokerage")).toBe("Brokerage");
    expect(accountTypeLabel("loan", "home_equity")).toBe("Home equity");
    expect(accountTypeLabel(null, null)).toBe("Account");
    expect(providerLabel("plaid")).toBe("Plaid");
    expect(providerLabel("finqware")).toBe("PSD2 consent (Finqware)");
  });
});

describe("connections needing attention", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const day = 86_400_000;
  const base = { lastErrorMessage: null, consentExpiresAt: null };
  const fmt = (d: Date) => formatDate(d.toISOString());
  it("reauth, ended consent, failed sync, incomplete sync, consent ending soon — in that order; healthy and disconnected ones are not listed", () => {
    const list = [
      { ...base, id: "1", displayName: "Healthy", status: "active" },
      { ...base, id: "2", displayName: "Soon", status: "active", consentExpiresAt: new Date(now.getTime() + 3 * day) },
      { ...base, id: "3", displayName: "Broken", status: "error", lastErrorMessage: "The bank is unavailable." },
      { ...base, id: "4", displayName: "Sign in", status: "reauth_required" },
      { ...base, id: "5", displayName: "Ended", status: "active", consentExpiresAt: new Date(now.getTime() - day) },
      { ...base, id: "6", displayName: "Gone", status: "disconnected", consentExpiresAt: new Date(now.getTime() - day) },
      { ...base, id: "7", displayName: "Later", status: "active", consentExpiresAt: new Date(now.getTime() + 30 * day) },
      { ...base, id: "8", displayName: "Partly", status: "active", lastErrorMessage: "1 account could not be read this time; the others were synced." },
    ];
    const a = connectionsNeedingAttention(list, { now, formatDate: fmt });
    expect(a.map((x) => [x.name, x.kind])).toEqual([
      ["Sign in", "reauth"],
      ["Ended", "consent_expired"],
      ["Broken", "error"],
      ["Partly", "partial"],
      ["Soon", "consent_expiring"],
    ]);
    expect(a.find((x) => x.kind === "partial")!.message).toBe("The last sync was incomplete: 1 account could not be read this time; the others were synced.");
    expect(a.find((x) => x.kind === "consent_expiring")!.message).toBe("Your bank consent ends on Mar 4, 2026.");
    expect(a.find((x) => x.kind === "error")!.message).toContain("The bank is unavailable.");
  });
});
