/**
 * The demo bank's ledger: a pure function of (seed, link time, history length, density,
 * tick length) and "now". Nothing is stored, so the emulator is restart-safe and every
 * test can compute the ground truth.
 *
 * History: `historyDays` of realistic activity up to the link day, as one change log of
 * "add" events. Afterwards time moves in ticks (default one minute): each tick posts the
 * previous tick's pending card payments (usually linked to the pending id, sometimes not,
 * like real banks), adds new pending ones and the odd posted transfer, and now and then
 * modifies or removes a recent transaction.
 */
import { millisecondsInDay, startOfUtcDayMs, toIsoDate } from "@/lib/dates";

export type DemoMode = "default" | "empty" | "error" | "flaky" | "reauth";
export const DEMO_MODES: DemoMode[] = ["default", "empty", "error", "flaky", "reauth"];

export type DemoItem = {
  itemId: string;
  institutionId: string;
  seed: number;
  mode: DemoMode;
  historyDays: number;
  /** ms since epoch when the item was linked. */
  linkedAt: number;
  /** Activity multiplier (1 ≈ 6 transactions a day across accounts). */
  density: number;
  tickMs: number;
};

export type DemoAccount = {
  account_id: string;
  name: string;
  official_name: string;
  type: "depository" | "credit";
  subtype: "checking" | "savings" | "credit card";
  currency: "USD" | "EUR";
  mask: string;
  iban: string | null;
  opening_balance_cents: number;
  credit_limit_cents: number | null;
};

export type DemoTransaction = {
  transaction_id: string;
  account_id: string;
  pending: boolean;
  pending_transaction_id: string | null;
  date: string;
  authorized_date: string | null;
  /** Signed integer cents, negative = money out. */
  amount_cents: number;
  currency: string;
  description: string;
  merchant_name: string | null;
  counterparty: string | null;
  category: string;
  type: "card" | "transfer" | "fee" | "interest" | "deposit" | "payment" | "direct_debit";
};

export type DemoEvent =
  | { kind: "add"; tx: DemoTransaction }
  | { kind: "modify"; tx: DemoTransaction }
  | { kind: "remove"; transaction_id: string; account_id: string };

export const DEMO_INSTITUTIONS = [
  { institution_id: "demo_platypus", name: "First Platypus Bank", country: "US", url: "https://platypus.example" },
  { institution_id: "demo_northwind", name: "Northwind Credit Union", country: "US", url: "https://northwind.example" },
  { institution_id: "demo_eurobank", name: "Gänseblümchen Sparkasse", country: "DE", url: "https://sparkasse.example" },
] as const;

// ------------------------------------------------------------------ randomness

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hash = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const cents = (r: () => number, min: number, max: number) => Math.round((min + r() * (max - min)) * 100);

export const DAY_MS = millisecondsInDay;
export const isoDay = toIsoDate;
const dayStart = startOfUtcDayMs;

// ------------------------------------------------------------------ catalogue

const GROCERIES = ["Whole Foods Market", "Trader Joe's", "Safeway", "Kroger", "Aldi"];
const RESTAURANTS = ["Chipotle", "Sweetgreen", "Blue Bottle Coffee", "Starbucks", "Shake Shack", "Joe's Pizza", "Panera Bread"];
const SHOPPING = ["Amazon", "Target", "Best Buy", "IKEA", "Uniqlo", "REI"];
const TRANSPORT = ["Uber", "Lyft", "Shell", "Chevron", "MTA"];
const SUBSCRIPTIONS: [string, number, string][] = [
  ["Netflix", 1549, "Entertainment"],
  ["Spotify", 1099, "Entertainment"],
  ["iCloud Storage", 299, "Software"],
  ["New York Times", 1700, "News"],
];
const EU_MERCHANTS = ["REWE", "Edeka", "Deutsche Bahn", "Café Einstein", "dm-drogerie markt", "Lidl"];

export function demoAccounts(item: DemoItem): DemoAccount[] {
  const r = rng(item.seed ^ 0x5eed);
  const mask = () => String(1000 + Math.floor(r() * 9000));
  const p = `${item.itemId}`;
  return [
    { account_id: `${p}-chk`, name: "Everyday Checking", official_name: "Platinum Everyday Checking", type: "depository", subtype: "checking", currency: "USD", mask: mask(), iban: null, opening_balance_cents: 250_000, credit_limit_cents: null },
    { account_id: `${p}-sav`, name: "High-Yield Savings", official_name: "High-Yield Savings Account", type: "depository", subtype: "savings", currency: "USD", mask: mask(), iban: null, opening_balance_cents: 1_000_000, credit_limit_cents: null },
    { account_id: `${p}-cc`, name: "Rewards Visa", official_name: "Rewards Visa Signature", type: "credit", subtype: "credit card", currency: "USD", mask: mask(), iban: null, opening_balance_cents: 0, credit_limit_cents: 1_200_000 },
    { account_id: `${p}-eur`, name: "Euro Girokonto", official_name: "Girokonto", type: "depository", subtype: "checking", currency: "EUR", mask: mask(), iban: `DE89370400440532${String(item.seed % 1_000_000).padStart(6, "0")}`, opening_balance_cents: 300_000, credit_limit_cents: null },
  ];
}

// ------------------------------------------------------------------ history

type Draft = Omit<DemoTransaction, "transaction_id" | "pending" | "pending_transaction_id" | "authorized_date">;

type DayState = { cardOwedCents: number };

function historyDay(item: DemoItem, dayMs: number, accts: DemoAccount[], state: DayState): Draft[] {
  const [chk, sav, cc, eur] = accts as [DemoAccount, DemoAccount, DemoAccount, DemoAccount];
  const r = rng(hash(`${item.seed}:${dayMs}`));
  const d = new Date(dayMs);
  const dom = d.getUTCDate();
  const dow = d.getUTCDay();
  const date = isoDay(dayMs);
  const out: Draft[] = [];
  const add = (a: DemoAccount, amount: number, description: string, category: string, type: Draft["type"], merchant: string | null = null, counterparty: string | null = null) =>
    out.push({ account_id: a.account_id, date, amount_cents: amount, currency: a.currency, description, merchant_name: merchant, counterparty, category, type });

  if (dom === 1) add(chk, -245_000, "RENT PAYMENT - OAKWOOD APTS", "Rent", "payment", null, "Oakwood Apartments LLC");
  if (dom === 15 || dom === 28) add(chk, 412_550, "ACME CORP PAYROLL DIRECT DEP", "Income", "deposit", null, "ACME Corp");
  if (dom === 3) add(chk, -cents(r, 60, 140), "CON EDISON AUTOPAY", "Utilities", "direct_debit", "Con Edison");
  if (dom === 5) add(chk, -cents(r, 45, 85), "VERIZON WIRELESS", "Phone", "direct_debit", "Verizon");
  if (dom === 2) {
    add(chk, -50_000, "TRANSFER TO SAVINGS", "Transfer", "transfer", null, "High-Yield Savings");
    add(sav, 50_000, "TRANSFER FROM CHECKING", "Transfer", "transfer", null, "Everyday Checking");
  }
  if (dom === 28) add(sav, cents(r, 20, 45), "INTEREST PAYMENT", "Interest", "interest");
  if (dom === 20 && state.cardOwedCents > 0) {
    // Autopay the full statement balance.
    const amt = state.cardOwedCents;
    state.cardOwedCents = 0;
    add(chk, -amt, "RWRDS VISA AUTOPAY", "Credit card payment", "transfer", null, "Rewards Visa");
    add(cc, amt, "PAYMENT - THANK YOU", "Credit card payment", "transfer", null, "Everyday Checking");
  }
  if (dom === 1 && r() < 0.5) add(chk, -1200, "MONTHLY MAINTENANCE FEE", "Fees", "fee");
  for (const [name, price, category] of SUBSCRIPTIONS) if (dom === (hash(name) % 27) + 1) add(cc, -price, name.toUpperCase(), category, "card", name);

  // Everyday card spending, scaled by density.
  const spend = (n: number, list: readonly string[], min: number, max: number, category: string, acct = cc) => {
    for (let i = 0; i < n; i++) {
      const m = pick(r, list);
      add(acct, -cents(r, min, max), `${m.toUpperCase()} #${100 + Math.floor(r() * 900)}`, category, "card", m);
    }
  };
  const times = (p: number) => {
    let n = 0;
    let x = p * item.density;
    while (x > 0) {
      if (r() < Math.min(1, x)) n++;
      x -= 1;
    }
    return n;
  };
  spend(times(dow === 6 || dow === 0 ? 1.2 : 0.5), GROCERIES, 18, 120, "Groceries");
  spend(times(1.0), RESTAURANTS, 4, 45, "Restaurants");
  spend(times(0.25), SHOPPING, 9, 220, "Shopping");
  spend(times(0.6), TRANSPORT, 3, 55, "Transport");
  spend(times(0.35), EU_MERCHANTS, 2, 90, "Groceries", eur);
  if (r() < 0.02 * item.density) add(cc, -cents(r, 1, 4), "FOREIGN TRANSACTION FEE", "Fees", "fee");
  if (r() < 0.05 * item.density) add(chk, -cents(r, 20, 200), `ATM WITHDRAWAL ${pick(r, ["5TH AVE", "MAIN ST", "UNION SQ"])}`, "Cash", "payment");
  if (dom === 10) add(eur, 90_000, "ÜBERWEISUNG GEHALT TEILZEIT", "Income", "deposit", null, "Beispiel GmbH");
  for (const d of out) if (d.account_id === cc.account_id && d.amount_cents < 0) state.cardOwedCents -= d.amount_cents;
  return out;
}

// ------------------------------------------------------------------ the log

export type Ledger = {
  accounts: DemoAccount[];
  events: DemoEvent[];
  /** Final state: live transactions by id. */
  live: Map<string, DemoTransaction>;
};

const PENDING_DAYS = 2;

/**
 * The change log up to `now`. Event order is stable: extending `now` only appends, so a
 * cursor (an index into this log) stays valid forever.
 */
export function buildLedger(item: DemoItem, now: number): Ledger {
  const accounts = demoAccounts(item);
  const events: DemoEvent[] = [];
  const live = new Map<string, DemoTransaction>();
  let recentPosted: DemoTransaction[] = [];
  const emit = (e: DemoEvent) => {
    events.push(e);
    if (e.kind === "remove") {
      live.delete(e.transaction_id);
      recentPosted = recentPosted.filter((t) => t.transaction_id !== e.transaction_id);
    } else {
      live.set(e.tx.transaction_id, e.tx);
      if (!e.tx.pending) {
        recentPosted = recentPosted.filter((t) => t.transaction_id !== e.tx.transaction_id);
        recentPosted.push(e.tx);
        if (recentPosted.length > 40) recentPosted.shift();
      }
    }
  };
  if (item.mode === "empty") return { accounts, events, live };

  const linkDay = dayStart(item.linkedAt);
  let pendingQueue: DemoTransaction[] = [];
  const state: DayState = { cardOwedCents: 0 };
  for (let i = item.historyDays - 1; i >= 0; i--) {
    const dayMs = linkDay - i * DAY_MS;
    historyDay(item, dayMs, accounts, state).forEach((d, n) => {
      const isPending = i < PENDING_DAYS && d.type === "card";
      const tx: DemoTransaction = {
        ...d,
        transaction_id: `${isPending ? "p" : "t"}-${isoDay(dayMs).replaceAll("-", "")}-${n}-${d.account_id.slice(-3)}`,
        pending: isPending,
        pending_transaction_id: null,
        authorized_date: d.type === "card" ? d.date : null,
      };
      emit({ kind: "add", tx });
      if (isPending) pendingQueue.push(tx);
    });
  }

  // Bounded work per refresh whatever the clock or the tick says (the ledger stops evolving past it).
  const tickMs = Math.max(item.tickMs, 1000);
  const ticks = Math.min(MAX_TICKS, Math.max(0, Math.floor((now - item.linkedAt) / tickMs)));
  for (let k = 1; k <= ticks; k++) {
    const r = rng(hash(`${item.seed}:tick:${k}`));
    const date = isoDay(item.linkedAt + k * tickMs);
    // 1. Post what was pending: a new id, usually linked to the pending one (tips may change the amount).
    pendingQueue.forEach((p, n) => {
      const linked = (k + n) % 3 !== 0;
      const tip = p.category === "Restaurants" && r() < 0.5 ? -Math.round(Math.abs(p.amount_cents) * 0.18) : 0;
      const posted: DemoTransaction = {
        ...p,
        transaction_id: `t-k${k}-${n}-${p.account_id.slice(-3)}`,
        pending: false,
        pending_transaction_id: linked ? p.transaction_id : null,
        amount_cents: linked ? p.amount_cents + tip : p.amount_cents,
        date,
      };
      emit({ kind: "remove", transaction_id: p.transaction_id, account_id: p.account_id });
      emit({ kind: "add", tx: posted });
    });
    pendingQueue = [];
    // 2. New pending card payments.
    const [chk, , cc, eur] = accounts as [DemoAccount, DemoAccount, DemoAccount, DemoAccount];
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const eu = r() < 0.2;
      const m = eu ? pick(r, EU_MERCHANTS) : pick(r, [...RESTAURANTS, ...GROCERIES, ...TRANSPORT]);
      const acct = eu ? eur : cc;
      const tx: DemoTransaction = {
        transaction_id: `p-k${k}-${i}-${acct.account_id.slice(-3)}`,
        account_id: acct.account_id,
        pending: true,
        pending_transaction_id: null,
        date,
        authorized_date: date,
        amount_cents: -cents(r, 3, 80),
        currency: acct.currency,
        description: `${m.toUpperCase()} #${100 + Math.floor(r() * 900)}`,
        merchant_name: m,
        counterparty: null,
        category: GROCERIES.includes(m) || (eu && !m.startsWith("Café") && m !== "Deutsche Bahn") ? "Groceries" : TRANSPORT.includes(m) || m === "Deutsche Bahn" ? "Transport" : "Restaurants",
        type: "card",
      };
      emit({ kind: "add", tx });
      pendingQueue.push(tx);
    }
    // 3. Sometimes a posted transfer lands directly.
    if (r() < 0.3) {
      emit({
        kind: "add",
        tx: { transaction_id: `t-k${k}-xfer`, account_id: chk.account_id, pending: false, pending_transaction_id: null, date, authorized_date: null, amount_cents: cents(r, 10, 120), currency: "USD", description: `ZELLE FROM ${pick(r, ["ALEX KIM", "SAM LEE", "JO PARK"])}`, merchant_name: null, counterparty: "Zelle", category: "Transfer", type: "transfer" },
      });
    }
    // 4. Every third tick the bank re-categorises a recent posted transaction; every fifth it reverses one.
    if (k % 3 === 0 && recentPosted.length) {
      const t = pick(r, recentPosted);
      emit({ kind: "modify", tx: { ...t, category: t.category === "Shopping" ? "General merchandise" : "Shopping", description: `${t.description} (updated)`.slice(0, 80) } });
    }
    if (k % 5 === 0 && recentPosted.length > 1) {
      const cards = recentPosted.filter((x) => x.type === "card");
      const t = cards.length ? pick(r, cards) : recentPosted[0]!;
      emit({ kind: "remove", transaction_id: t.transaction_id, account_id: t.account_id });
    }
  }
  return { accounts, events, live };
}

/** Balances from the ledger: current = opening + posted; available = current + pending (+ credit limit for cards). */
export function balancesOf(ledger: Ledger): Map<string, { current: number; available: number; limit: number | null }> {
  const out = new Map<string, { current: number; available: number; limit: number | null }>();
  for (const a of ledger.accounts) out.set(a.account_id, { current: a.opening_balance_cents, available: a.opening_balance_cents, limit: a.credit_limit_cents });
  for (const t of ledger.live.values()) {
    const b = out.get(t.account_id)!;
    if (!t.pending) b.current += t.amount_cents;
    b.available += t.amount_cents;
  }
  for (const a of ledger.accounts) if (a.credit_limit_cents !== null) out.get(a.account_id)!.available += a.credit_limit_cents;
  return out;
}

export function centsToDecimal(c: number): string {
  const neg = c < 0;
  const abs = Math.abs(c);
  return `${neg ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Ten years at ~100k transactions: what `npm run bench` imports. */
/** At most this many ticks are replayed (~14 days of one-minute ticks). */
export const MAX_TICKS = 20_000;

export const TEN_YEAR_BENCH = { historyDays: 3650, density: 9 } as const;
