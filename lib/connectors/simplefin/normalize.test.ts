import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConnectorError } from "../errors";
import { decodeSetupToken, SimplefinClient, splitAccessUrl, TOKEN_MALFORMED } from "./client";
import { MESSAGE_MAX, parseAccountSet, sanitizeMessage } from "./normalize";

// The real recorded bridge responses, read in place (never copied).
const DIR = path.resolve(import.meta.dirname, "../../../../shared/fixtures/external/providers/simplefin");
const read = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");

describe("SimpleFIN normaliser on recorded responses", () => {
  it("sf4py_account_set.json (v1, one savings account)", () => {
    const p = parseAccountSet(JSON.parse(read("sf4py_account_set.json")));
    expect(p.version).toBe(1);
    expect(p.messages).toEqual([]);
    expect(p.accounts).toEqual([{ providerAccountId: "2930002", name: "Savings", officialName: "mybank.com", type: "depository", subtype: "savings", currency: "USD" }]);
    // balance-date 978366153 = 2001-01-01 16:22:33 UTC
    expect(p.balances).toEqual([{ providerAccountId: "2930002", current: "100.23", available: "75.23", currency: "USD", asOf: "2001-01-01" }]);
    expect(p.transactions).toHaveLength(1);
    const t = p.transactions[0]!;
    // posted 793090572 = 1995-02-18 06:56:12 UTC; transacted_at 793080572 = 1995-02-18 04:09:32 UTC
    expect({ ...t, raw: undefined }).toEqual({
      providerTransactionId: "12394832938403",
      providerAccountId: "2930002",
      pending: false,
      date: "1995-02-18",
      authorizedDate: "1995-02-18",
      amount: "-33293.43",
      currency: "USD",
      description: "Uncle Frank's Bait Shop",
      merchant: "Uncle Frank",
      counterparty: null,
      category: null,
      type: null,
      raw: undefined,
    });
    expect((t.raw as { memo: string }).memo).toBe("Some memo");
    expect(p.holdings).toEqual([]);
  });

  it("sf4py_200-with-errors.json: errors shown, liabilities not negated, holdings kept", () => {
    const p = parseAccountSet(JSON.parse(read("sf4py_200-with-errors.json")));
    expect(p.messages).toEqual(["Connection to Investments may need attention", "Connection to The Bank of Go may need attention"]);
    expect(p.accounts.map((a) => [a.name, a.type, a.currency, a.officialName])).toEqual([
      ["The Bank", "depository", "USD", "The Bank of Go"],
      ["My Checking", "depository", "USD", "Investments"],
      ["PRIME SAVINGS", "depository", "EUR", "The Bank of Go"],
      ["Costco Anywhere Visa® Card", "credit", "USD", "Random Bank"],
      ["Dr Evil", "investment", "USD", "Investments"],
      ["NerdCorp Series B", "investment", "EUR", "Investments"],
      ["Unicorn Pot", "depository", "USD", "Mythical RandomSavings"],
      ["Castle Mortgage", "loan", "USD", "Mythical RandomSavings"],
    ]);
    expect(p.balances.map((b) => [b.current, b.available, b.asOf])).toEqual([
      ["7777.77", "7777.77", "2024-01-16"],
      ["12345.67", "5432.1", "2024-01-16"],
      ["9876.54", "8765.43", "2024-01-16"],
      ["-532.69", "4321.98", "2024-01-16"],
      ["1000000", "13579.24", "2024-01-16"],
      ["13579.24", "9876.54", "2024-01-16"],
      ["10000", "7500", "2024-01-16"],
      ["7500", "5000", "2024-01-16"],
    ]);
    expect(p.transactions.map((t) => [t.providerAccountId, t.providerTransactionId, t.amount, t.date, t.description])).toEqual([
      ["ACT-1a2b3c4d-5e6f-7g8h-9i0j", "12394832938403", "-1234.56", "1995-02-18", "Enchanted Bait Shop"],
    ]);
    expect(p.holdings).toEqual([
      { providerAccountId: "ACT-4k5l6m7n-8o9p-1q2r-3s4t", symbol: "FGKFX", description: "Fantastic FID GROWTH CO K6", shares: "200", marketValue: "15000", costBasis: "10000", currency: "USD" },
      { providerAccountId: "ACT-5k6l7m8n-9o0p-1q2r-3s4t", symbol: "FGKFX", description: "Mythical FID GROWTH CO K6", shares: "150", marketValue: "9876.54", costBasis: "7500", currency: "EUR" },
    ]);
    expect(p.withoutTransactions.size).toBe(0);
  });

  it("the same transaction id in two files/accounts stays tied to its own account", () => {
    const a = parseAccountSet(JSON.parse(read("sf4py_account_set.json"))).transactions[0]!;
    const b = parseAccountSet(JSON.parse(read("sf4py_200-with-errors.json"))).transactions[0]!;
    expect(a.providerTransactionId).toBe(b.providerTransactionId);
    expect(a.providerAccountId).not.toBe(b.providerAccountId);
  });

  const fixtureFetch = (status: number, file: string, type: string) => async () => new Response(read(file), { status, headers: { "content-type": type } });
  const access = splitAccessUrl("https://user:secretpass@bridge.example/simplefin");

  it("sf4py_402.json → payment required at the bridge, the bridge's words included", async () => {
    const err = await new SimplefinClient({ fetch: fixtureFetch(402, "sf4py_402.json", "application/json") }).accounts(access, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).code).toBe("invalid_credentials");
    expect((err as ConnectorError).message).toContain("Payment required at your SimpleFIN Bridge");
    expect((err as ConnectorError).message).toContain("Payment required.");
  });

  it("sf4py_403.txt (an HTML page) → reconnect needed, no markup or secret in the message", async () => {
    const err = (await new SimplefinClient({ fetch: fixtureFetch(403, "sf4py_403.txt", "text/html") }).accounts(access, {}).catch((e: unknown) => e)) as ConnectorError;
    expect(err.code).toBe("reauth_required");
    expect(err.message).not.toMatch(/[<>]|secretpass|DOCTYPE/i);
  });
});

describe("SimpleFIN v2 shape", () => {
  it("errlist: per-account entries become warnings; connections name the institution", () => {
    const p = parseAccountSet({
      errlist: [
        { code: "con.auth", msg: "<b>Re-authenticate</b> at Bank\u0007 A", conn_id: "C1" },
        { code: "act.failed", msg: "Could not load transactions", account_id: "A2", conn_id: "C1" },
      ],
      connections: [{ conn_id: "C1", name: "Bank A", org_id: "ORG-A", org_url: "https://a.example", sfin_url: "https://x" }],
      accounts: [
        { id: "A1", name: "Checking", conn_id: "C1", currency: "USD", balance: "10.00", "balance-date": 1705413843, transactions: [{ id: "p1", posted: 0, transacted_at: 1705413843, amount: "-1.50", description: "Coffee", pending: true }] },
        { id: "A2", name: "Card", conn_id: "C1", currency: "USD", balance: "-5.00", "balance-date": 1705413843 },
      ],
    });
    expect(p.version).toBe(2);
    expect(p.messages).toEqual(["Re-authenticate at Bank A"]);
    expect(p.warnings).toEqual([{ providerAccountId: "A2", code: "act.failed", message: "Could not load transactions" }]);
    expect(p.institutionOf.get("A1")).toEqual({ id: "ORG-A", name: "Bank A", url: "https://a.example" });
    expect(p.transactions[0]).toMatchObject({ pending: true, date: "2024-01-16", amount: "-1.5" });
    expect([...p.withoutTransactions]).toEqual(["A2"]);
    expect(p.balances[1]!.current).toBe("-5");
  });

  it("sanitises messages: text only, one line, capped", () => {
    expect(sanitizeMessage("a<script>x</script>\n\tb")).toBe("a x b");
    expect(sanitizeMessage(42)).toBeNull();
    const long = sanitizeMessage("x".repeat(1000))!;
    expect(long.length).toBe(MESSAGE_MAX);
    expect(long.endsWith("…")).toBe(true);
  });
});

describe("setup tokens", () => {
  it("decodes the bridge's published demo token to its claim URL", () => {
    expect(decodeSetupToken("aHR0cHM6Ly9icmlkZ2Uuc2ltcGxlZmluLm9yZy9zaW1wbGVmaW4vY2xhaW0vZGVtbw==").toString()).toBe("https://bridge.simplefin.org/simplefin/claim/demo");
    // Pasted with line breaks/spaces: still fine.
    expect(decodeSetupToken(" aHR0cHM6Ly9icmlkZ2Uuc2ltcGxlZmluLm9yZy9zaW1w\nbGVmaW4vY2xhaW0vZGVtbw== ").host).toBe("bridge.simplefin.org");
  });
  it.each([
    ["not base64", "this is not a token!"],
    ["base64 of plain text", Buffer.from("hello world").toString("base64")],
    ["an http URL", Buffer.from("http://bridge.example/simplefin/claim/x").toString("base64")],
    ["a URL with credentials", Buffer.from("https://u:p@bridge.example/claim/x").toString("base64")],
  ])("refuses %s with a clear message", (_, token) => {
    expect(() => decodeSetupToken(token)).toThrow(TOKEN_MALFORMED);
  });
  it("asks for a token when empty", () => {
    expect(() => decodeSetupToken("  ")).toThrow("Paste your SimpleFIN setup token.");
  });
  it("moves the Access URL's credentials into a Basic header", () => {
    expect(splitAccessUrl("https://demo:demo@bridge.simplefin.org/simplefin")).toEqual({ base: "https://bridge.simplefin.org/simplefin", authorization: `Basic ${Buffer.from("demo:demo").toString("base64")}`, host: "bridge.simplefin.org" });
  });
});
