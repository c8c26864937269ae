/**
 * The e-bank's ledger: a pure function of (user, account, day) and "now", so the emulator
 * keeps no transaction state, survives restarts and every test can compute the truth.
 *
 * Entries carry the bank's local time (Europe/Sofia, +0200 / +0300 in summer), like the
 * statements of a Bulgarian bank. Late-night card payments fall on a different UTC day than
 * the bank's day on purpose (the connector must keep the bank's day).
 *
 * Movement over time (what an incremental sync has to follow):
 * - a card payment's counterparty is filled in two days after the payment (settlement):
 *   a modification inside the last statement window;
 * - one card payment in eighteen is reversed by the merchant the next day and disappears
 *   from the statement: a removal inside the last window.
 */
import { addDays, daysBetween, millisecondsInDay, millisecondsInMinute, toIsoDate } from "@/lib/dates";

export { addDays, daysBetween };

export const DAY_MS = millisecondsInDay;

export type EbankAccountSpec = { ccy: "EUR" | "USD"; acDesc: string; kind: "current" | "fx" };

export type EbankUser = {
  username: string;
  password: string;
  /** The sandbox one-time code this user is asked for (null: no code). */
  otp: string | null;
  seed: number;
  custId: string;
  name: string;
  /** Days of history before the emulator's first day. */
  historyDays: number;
  accounts: EbankAccountSpec[];
};

/** One statement entry, integer cents, times as ms since epoch (UTC instant). */
export type LedgerEntry = {
  srNo: number;
  iban: string;
  at: number;
  valueAt: number;
  cents: number; // signed: negative = debit
  trnType: string;
  trnCode: string;
  trname: string;
  contragent: string;
  benOrderParty: string;
  trnAccount: string;
  reference: string;
  remI: string;
  remIi: string;
  remIii: string;
  isEbankOper: "Y" | "N";
  isPayment: "Y" | "N";
  /** Reversed by the merchant a day later (then gone from the statement). */
  reversed: boolean;
  /** Counterparty filled in at settlement, two days later. */
  settles: boolean;
};

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

function hash32(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

// ------------------------------------------------------------- Sofia local time

function lastSundayUtc(year: number, month: number): number {
  const last = Date.UTC(year, month + 1, 0);
  return last - new Date(last).getUTCDay() * DAY_MS;
}
/** Offset of Europe/Sofia at a UTC instant, in minutes (EU rule: summer time from the last Sunday of March to the last Sunday of October, 01:00 UTC). */
export function sofiaOffsetMin(utcMs: number): number {
  const y = new Date(utcMs).getUTCFullYear();
  const start = lastSundayUtc(y, 2) + 3600_000;
  const end = lastSundayUtc(y, 9) + 3600_000;
  return utcMs >= start && utcMs < end ? 180 : 120;
}
/** The bank's calendar day of an instant. */
export function sofiaDay(utcMs: number): string {
  return toIsoDate(utcMs + sofiaOffsetMin(utcMs) * millisecondsInMinute);
}
/** The UTC instant of a Sofia local date + minutes after midnight. */
export function sofiaInstant(day: string, minutes: number): number {
  const naive = Date.parse(`${day}T00:00:00Z`) + minutes * 60_000;
  let t = naive - 120 * 60_000;
  t = naive - sofiaOffsetMin(t) * 60_000;
  return naive - sofiaOffsetMin(t) * 60_000;
}
/** The bank's date-time format: `2026-11-21T14:03:00+0200`. */
export function formatBankTime(utcMs: number): string {
  const off = sofiaOffsetMin(utcMs);
  const local = new Date(utcMs + off * 60_000).toISOString().slice(0, 19);
  return `${local}+${String(Math.floor(off / 60)).padStart(2, "0")}${String(off % 60).padStart(2, "0")}`;
}

export function centsToString(c: number): string {
  const neg = c < 0;
  const a = Math.abs(c);
  return `${neg ? "-" : ""}${Math.floor(a / 100)}.${String(a % 100).padStart(2, "0")}`;
}

// ------------------------------------------------------------- accounts

export function ibanOf(user: EbankUser, index: number): string {
  // BG + check digits + FINV (Fibank's BIC prefix) + 14 digits; check digits are not validated.
  const n = String(hash32(`${user.username}|${index}`) % 1e10).padStart(10, "0");
  return `BG${String(10 + (hash32(user.username) % 89))}FINV9150${index}${n.slice(0, 9)}`;
}

const CARD_MERCHANTS: Record<"EUR" | "USD", [string, number, number][]> = {
  // name, min cents, max cents
  EUR: [
    ["LIDL BULGARIA SOFIA", 800, 9000],
    ["BILLA 123 SOFIA", 500, 6000],
    ["KAUFLAND BG 6011", 1200, 12000],
    ["SHELL BULGARIA PLOVDIV", 3000, 8000],
    ["FANTASTICO 27 SOFIA", 300, 4000],
    ["UBER *TRIP HELP.UBER.COM", 400, 2500],
    ["HAPPY BAR & GRILL SOFIA", 1500, 7000],
    ["SOPHARMACY 112", 300, 5000],
  ],
  USD: [
    ["AMAZON WEB SERVICES AWS.AMAZON.CO", 500, 9000],
    ["GITHUB, INC. GITHUB.COM", 400, 2100],
    ["APPLE.COM/BILL ITUNES.COM", 99, 1499],
  ],
};
const BILLS: [string, string, number, number][] = [
  ["ЕВН БЪЛГАРИЯ ЕЛЕКТРОСНАБДЯВАНЕ ЕАД", "BG57UNCR70001520754011", 3000, 14000],
  ["СОФИЙСКА ВОДА АД", "BG24UBBS80021077382710", 1200, 3500],
  ["ВИВАКОМ БЪЛГАРИЯ ЕАД", "BG80BNBG96611020345678", 1500, 4000],
];

/**
 * Every entry of one account (visible or not) from its opening day to `lastDay` inclusive,
 * in posting order. Pure: the same arguments always give the same entries.
 */
export function entriesOf(user: EbankUser, index: number, openDay: string, lastDay: string): LedgerEntry[] {
  const spec = user.accounts[index]!;
  const iban = ibanOf(user, index);
  const out: LedgerEntry[] = [];
  for (let day = openDay; day <= lastDay; day = addDays(day, 1)) {
    const r = rng(hash32(`${user.seed}|${iban}|${day}`));
    const dom = Number(day.slice(8, 10));
    const ymd = day.replaceAll("-", "");
    let k = 0;
    const add = (minutes: number, cents: number, e: Partial<LedgerEntry> & Pick<LedgerEntry, "trnType" | "trname">) => {
      const at = sofiaInstant(day, minutes);
      k++;
      const srNo = Number(`${index + 1}${ymd}${String(k).padStart(2, "0")}`);
      out.push({
        srNo,
        iban,
        at,
        valueAt: at,
        cents,
        trnCode: e.trnCode ?? e.trnType,
        contragent: "",
        benOrderParty: "",
        trnAccount: "",
        reference: `FT${ymd.slice(2)}${(hash32(`${iban}|${srNo}`) % 0xfffff).toString(16).toUpperCase().padStart(5, "0")}`,
        remI: "",
        remIi: "",
        remIii: "",
        isEbankOper: "N",
        isPayment: "N",
        reversed: false,
        settles: false,
        ...e,
      });
      return out[out.length - 1]!;
    };
    const between = (min: number, max: number) => min + Math.floor(r() * (max - min + 1));

    // Monthly account maintenance fee on the 1st.
    if (dom === 1) add(between(60, 240), spec.kind === "current" ? -250 : -100, { trnType: "FE", trname: "Такса обслужване на сметка", remI: "Месечна такса за обслужване", trnCode: "FEE" });

    if (spec.kind === "current") {
      if (dom === 25) {
        add(between(540, 660), 260000 + between(0, 40) * 500, {
          trnType: "TI",
          trname: "Получен превод",
          contragent: "АКМЕ СОФТУЕР ООД",
          benOrderParty: "АКМЕ СОФТУЕР ООД",
          trnAccount: "BG18RZBB91550123456789",
          remI: `Работна заплата ${day.slice(5, 7)}/${day.slice(0, 4)}`,
          isPayment: "Y",
        });
      }
      if (dom === 10 || dom === 12 || dom === 15) {
        const [name, acc, min, max] = BILLS[dom === 10 ? 0 : dom === 12 ? 1 : 2]!;
        const t = add(between(480, 1200), -between(min, max), { trnType: "TO", trname: "Изходящ превод", contragent: name, benOrderParty: name, trnAccount: acc, remI: `Сметка ${day.slice(5, 7)}.${day.slice(0, 4)}`, isEbankOper: "Y", isPayment: "Y" });
        add(Math.round((t.at - sofiaInstant(day, 0)) / 60_000) + 1, -60, { trnType: "FE", trname: "Такса за превод", remI: "Такса превод БИСЕРА", reference: t.reference, trnCode: "FTF" });
      }
      if (r() < 0.12) {
        const t = add(between(600, 1140), -between(2000, 20000), { trnType: "CW", trname: "Теглене на АТМ", remI: "ATM FIBANK SOFIA CENTER", trnCode: "ATM" });
        add(Math.round((t.at - sofiaInstant(day, 0)) / 60_000) + 1, -100, { trnType: "FE", trname: "Такса теглене АТМ", remI: "Такса АТМ", reference: t.reference, trnCode: "ATF" });
      }
    } else {
      if (dom === 5) {
        const t = add(between(600, 900), 120000 + between(0, 60) * 1000, {
          trnType: "TI",
          trname: "Получен превод SWIFT",
          contragent: "NORTHWIND LLC",
          benOrderParty: "NORTHWIND LLC",
          trnAccount: "US64SVBKUS6S3300958879",
          remI: `INVOICE ${day.slice(0, 7)}`,
          isPayment: "Y",
        });
        add(Math.round((t.at - sofiaInstant(day, 0)) / 60_000) + 1, -1500, { trnType: "FE", trname: "Такса входящ SWIFT", remI: "Комисионна входящ превод", reference: t.reference, trnCode: "SWF" });
      }
      if (dom === 31 || (dom === 30 && ["04", "06", "09", "11"].includes(day.slice(5, 7)))) {
        add(1380, between(5, 90), { trnType: "IN", trname: "Олихвяване", remI: "Лихва по сметка", trnCode: "INT" });
      }
    }

    // Card payments: several a day on the current account, the odd one on the FX account.
    const cards = spec.kind === "current" ? Math.floor(r() * 4) : r() < 0.1 ? 1 : 0;
    const merchants = CARD_MERCHANTS[spec.ccy];
    for (let i = 0; i < cards; i++) {
      const [m, min, max] = merchants[Math.floor(r() * merchants.length)]!;
      // Some after midnight and some late in the evening: a different UTC day than the bank's.
      const minutes = r() < 0.15 ? between(0, 90) : between(480, 1435);
      add(minutes, -between(min, max), {
        trnType: "CP",
        trname: "Плащане с карта",
        remI: `POS ${m}`,
        remIi: `Карта 4***${String(1000 + (hash32(iban) % 9000))}`,
        trnCode: "POS",
        settles: true,
        reversed: r() < 1 / 18,
        contragent: m,
      });
    }
  }
  return out;
}

/** Is an entry on the statement at `now`, and with which counterparty? */
export function visibleAt(e: LedgerEntry, now: number): boolean {
  if (e.at > now) return false;
  if (e.reversed && now - e.at >= DAY_MS) return false;
  return true;
}
export function settledAt(e: LedgerEntry, now: number): boolean {
  return !e.settles || now - e.at >= 2 * DAY_MS;
}
