import { isUtf8 } from "node:buffer";
import iconv from "iconv-lite";
import { fixedForCurrency } from "@/lib/money/currency";
import { canonical, fromUnits, toUnits } from "@/lib/money/decimal";

/**
 * Shared model and helpers of the statement parsers (lib/statements/<format>/).
 * Money is a canonical decimal string (negative = money out), dates are the bank's
 * calendar day `YYYY-MM-DD` (time and zone of a timestamp are dropped, never converted).
 */

export type StatementFormat = "ofx" | "qfx" | "camt053" | "camt052" | "mt940" | "qif" | "csv";

export type StatementTxn = {
  /** `f:<id from the file>` or `h:<content hash>#<occurrence>`; stable across re-imports. */
  id: string;
  line: number;
  date: string;
  valueDate?: string | null;
  authorizedDate?: string | null;
  amount: string;
  description: string;
  counterparty?: string | null;
  pending: boolean;
  type?: string | null;
  reference?: string | null;
};

export type Balance = { amount: string; date: string | null };
export type Rejected = { line: number; reason: string };

export type Statement = {
  account: string | null;
  currency: string | null;
  accountType?: "depository" | "credit" | null;
  /** Period the statement declares (OFX DTSTART/DTEND, CAMT FrToDt, MT940 balance dates). */
  declaredFrom?: string | null;
  declaredTo?: string | null;
  opening: Balance | null;
  closing: Balance | null;
  transactions: StatementTxn[];
  rejected: Rejected[];
  /** null: the file has no balances to check against. */
  reconciles?: boolean | null;
  warnings: string[];
  /** Order in which the parser met the statement: the same on every pass over the same bytes. */
  seq?: number;
  /** Running totals of the rows emitted (streamed statements keep no rows). */
  stats?: StatementStats;
  /** Rejected rows beyond the MAX_REJECTED kept in `rejected` (counted, not listed). */
  rejectedOverflow?: number;
};

export type StatementStats = { count: number; pending: number; total: bigint; booked: bigint; from: string | null; to: string | null };

/** A parsed row as the streaming parsers hand it out: the statement it belongs to, and the row. */
export type StreamedRow = { st: Statement; t: StatementTxn };

/** Rejected rows listed per statement (the rest are counted): a broken 50 MB file must not fill memory with reasons. */
export const MAX_REJECTED = 1000;

export function reject(st: Statement, r: Rejected): void {
  if (st.rejected.length < MAX_REJECTED) st.rejected.push(r);
  else st.rejectedOverflow = (st.rejectedOverflow ?? 0) + 1;
}

export function rejectedCount(st: Statement): number {
  return st.rejected.length + (st.rejectedOverflow ?? 0);
}

export type ParseResult = {
  format: StatementFormat;
  statements: Statement[];
  errors: string[];
  warnings: string[];
  /** Records of kinds we do not import (QIF investment sections, OFX investment statements). */
  skipped: { kind: string; count: number }[];
  /** CSV only: the columns could not be mapped automatically. */
  needsMapping?: { columns: string[]; sample: string[][] } | null;
  /** CSV: the header row's cells (or, when the columns could not be mapped, the row shown for mapping). */
  csvHeader?: string[] | null;
  /** CSV/QIF: the date order could not be inferred from the file. */
  dateOrderAmbiguous?: boolean;
};

export class StatementReadError extends Error {}

// ---------------------------------------------------------------- bytes → text

/** BOM, then strict UTF-8, then Windows-1252 (header declarations are often wrong). */
export function decodeBytes(bytes: Uint8Array): { text: string; encoding: string } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8-bom" };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le" };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be" };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), "win1252"), encoding: "windows-1252" };
  }
}

/** The encoding decodeBytes would pick, and where the text starts (after a BOM). */
function sniffEncoding(bytes: Uint8Array): { encoding: "utf-8" | "utf-16le" | "utf-16be" | "win1252"; start: number } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: "utf-8", start: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", start: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", start: 2 };
  return { encoding: isUtf8(bytes) ? "utf-8" : "win1252", start: 0 };
}

/**
 * Small pieces on purpose: the rows of one piece are in flight together, and rows that die
 * young never reach V8's old generation (a 1 MB piece of CSV is ~20k rows: they would).
 */
export const TEXT_CHUNK_BYTES = 64 * 1024;

/**
 * The same text as decodeBytes, in pieces of about `size` bytes (never a whole 50 MB string):
 * the streaming parsers read these. Character boundaries are kept (a multi-byte character cut
 * by a piece boundary comes out whole in the next piece).
 */
export function* textChunks(bytes: Uint8Array, size = TEXT_CHUNK_BYTES): Generator<string, void, void> {
  const { encoding, start } = sniffEncoding(bytes);
  const n = bytes.byteLength;
  if (encoding === "win1252") {
    // one byte per character: any cut is a character boundary
    for (let i = start; i < n; i += size) yield iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset + i, Math.min(size, n - i)), "win1252");
    return;
  }
  // a BOM was skipped above: a second one is text (as in decodeBytes)
  const dec = new TextDecoder(encoding, { ignoreBOM: true });
  for (let i = start; i < n; i += size) {
    const s = dec.decode(bytes.subarray(i, Math.min(n, i + size)), { stream: true });
    if (s) yield s;
  }
  const tail = dec.decode();
  if (tail) yield tail;
}

// ---------------------------------------------------------------- dates

export function validYmd(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  const dim = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}

export function ymd(y: number, m: number, d: number): string | null {
  if (!validYmd(y, m, d)) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Two-digit years: 70–99 → 19xx, else 20xx. */
export function expandYear(y: string): number {
  const n = Number(y);
  if (y.length >= 4) return n;
  return n >= 70 ? 1900 + n : 2000 + n;
}

/** `YYYY-MM-DD…` or `YYYYMMDD…` (timestamps keep the bank's own day). */
export function isoDay(s: string | null | undefined): string | null {
  if (!s) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(s.trim());
  return m ? ymd(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

// ---------------------------------------------------------------- amounts

/**
 * A bank-formatted number to a canonical decimal string, or null if it is not one.
 * decimal: which separator is the decimal one (",", ".") or "auto" (the last of both present;
 * a lone "," followed by exactly three digits is a thousands separator) or "none" (a currency
 * without minor units: a separator between groups of three digits only groups them).
 * Accepts currency symbols/codes, spaces, apostrophes, "+", trailing "-", and "(…)" negatives.
 */
const PLAIN_DOT = /^-?\d+(\.\d+)?$/;
const PLAIN_COMMA = /^-?\d+(,\d{1,2}|,\d{4,})?$/;

export function parseAmount(input: string | null | undefined, decimal: "," | "." | "auto" | "none" = "auto"): string | null {
  if (input == null) return null;
  let s = input.trim();
  if (!s) return null;
  if (decimal === "none") {
    // A currency without minor units (JPY, KRW, ISK): "1.234" and "1,234" are both ¥1,234. A number
    // that is not plain digits in groups of three (a stray "1234.0") is read as usual.
    const grouped = /^(-?\(?[^\d]*)(\d{1,3}(?:([.,'\u00a0\u202f ])\d{3})(?:\3\d{3})*)(\D*)$/.exec(s);
    if (grouped) s = `${grouped[1]}${grouped[2]!.replace(/[.,'\u00a0\u202f ]/g, "")}${grouped[4]}`;
    decimal = "auto";
  }
  // fast path: a plain signed number with the decimal separator we expect
  if (decimal !== "," && PLAIN_DOT.test(s)) return canonical(s);
  if (decimal !== "." && PLAIN_COMMA.test(s)) return canonical(s.replace(",", "."));
  let neg = false;
  if (/^\(.*\)$/.test(s)) {
    neg = true;
    s = s.slice(1, -1);
  }
  s = s.replace(/[A-Za-z$£€¥₹\u00a0\u202f\s'’]/g, "");
  if (s.startsWith("+")) s = s.slice(1);
  else if (s.startsWith("-")) {
    neg = !neg;
    s = s.slice(1);
  } else if (s.endsWith("-")) {
    neg = !neg;
    s = s.slice(0, -1);
  }
  if (s.startsWith("+")) s = s.slice(1);
  if (!/^[\d.,]*\d[\d.,]*$/.test(s) && !/^[\d.,]*\d[\d.,]*[.,]$/.test(s)) return null;
  const lastComma = s.lastIndexOf(",");
  const lastDot = s.lastIndexOf(".");
  let dec: "," | "." | null;
  if (decimal !== "auto") dec = decimal;
  else if (lastComma >= 0 && lastDot >= 0) dec = lastComma > lastDot ? "," : ".";
  else if (lastComma >= 0) dec = /^\d{1,3}(,\d{3})+$/.test(s) ? null : ",";
  else if (lastDot >= 0) dec = /^\d{1,3}(\.\d{3}){2,}$/.test(s) ? null : ".";
  else dec = null;
  const thou = dec === "," ? "." : ",";
  const [whole, frac = "", extra] = (dec ? s.split(dec) : [s]) as [string, string?, string?];
  let int = whole;
  if (extra !== undefined) return null;
  if (dec === null) int = s.replace(/[.,]/g, "");
  else {
    if (frac.includes(thou)) return null;
    if (int.includes(thou) && !/^\d{1,3}([.,]\d{3})+$/.test(int)) return null;
    int = int.split(thou).join("");
  }
  if (int === "") int = "0";
  if (!/^\d+$/.test(int) || !/^\d*$/.test(frac)) return null;
  return canonical(`${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`);
}

export function neg(a: string): string {
  return a.startsWith("-") ? a.slice(1) : a === "0" ? a : `-${a}`;
}

export function abs(a: string): string {
  return a.startsWith("-") ? a.slice(1) : a;
}

/** Exact sum at up to 6 decimals, canonical form. */
export function sum(values: Iterable<string>): string {
  let t = 0n;
  for (const v of values) t += toUnits(v, 6);
  return canonical(fromUnits(t, 6));
}

export function add(a: string, b: string): string {
  return sum([a, b]);
}

export function eq(a: string, b: string): boolean {
  return toUnits(a, 6) === toUnits(b, 6);
}

/**
 * For display and JSON: the currency's decimals (¥1234, $12.30, BD 1.234), 2 when the file
 * names no currency; keeps more when the file has more significant digits.
 */
export function money(a: string, currency: string | null = null): string {
  if (currency) return fixedForCurrency(a, currency);
  const c = canonical(a);
  const frac = c.split(".")[1] ?? "";
  return frac.length >= 2 ? c : fromUnits(toUnits(c, 2), 2);
}

// ---------------------------------------------------------------- ids

/**
 * 96-bit content hash (four 32-bit multiply-xorshift lanes over UTF-16 code units), 24 hex
 * chars. Not cryptographic — ids only need to be stable and collision-free in practice, and
 * a crypto hash per row costs more than the rest of parsing together.
 */
export function contentHash(s: string): string {
  const [h1, h2, h3] = hash96(s);
  return hex8(h1) + hex8(h2) + hex8(h3);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function hex8(h: number): string {
  return HEX[(h >>> 24) & 255]! + HEX[(h >>> 16) & 255]! + HEX[(h >>> 8) & 255]! + HEX[h & 255]!;
}

/** The three 32-bit lanes of contentHash (signed ints). */
export function hash96(s: string): [number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  return [h1, h2, h3];
}

/**
 * A map from 64-bit keys to a 32-bit value in one typed array (open addressing): what the id
 * assignment remembers per row — a million rows cost ~24 MB outside the JS heap instead of a
 * Map of a million strings. The value 0 means "absent".
 */
export class Hash64Map {
  private table = new Uint32Array(3 * 1024);
  private size = 0;

  get(a: number, b: number): number {
    const t = this.table;
    const cap = t.length / 3;
    for (let i = this.slot(a, b, cap); ; i = (i + 1) % cap) {
      const v = t[i * 3 + 2]!;
      if (v === 0) return 0;
      if (t[i * 3] === a >>> 0 && t[i * 3 + 1] === b >>> 0) return v;
    }
  }

  set(a: number, b: number, value: number): void {
    if ((this.size + 1) * 2 > this.table.length / 3) this.grow();
    if (this.put(this.table, a >>> 0, b >>> 0, value)) this.size++;
  }

  private slot(a: number, b: number, cap: number) {
    return ((a ^ Math.imul(b, 0x9e3779b1)) >>> 0) % cap;
  }

  /** true when the key is new */
  private put(t: Uint32Array, a: number, b: number, value: number): boolean {
    const cap = t.length / 3;
    for (let i = this.slot(a, b, cap); ; i = (i + 1) % cap) {
      if (t[i * 3 + 2] === 0) {
        t[i * 3] = a;
        t[i * 3 + 1] = b;
        t[i * 3 + 2] = value;
        return true;
      }
      if (t[i * 3] === a && t[i * 3 + 1] === b) {
        t[i * 3 + 2] = value;
        return false;
      }
    }
  }

  private grow() {
    const old = this.table;
    const next = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 3) if (old[i + 2] !== 0) this.put(next, old[i]!, old[i + 1]!, old[i + 2]!);
    this.table = next;
  }
}

export function normText(s: string): string {
  // ASCII needs no NFKC (the common case, and normalize() is costly)
  const t = /[^\x00-\x7f]/.test(s) ? s.normalize("NFKC") : s;
  const l = t.toLowerCase();
  // most texts have single spaces only: no replace needed
  return (/[^\S ]| {2}/.test(l) ? l.replace(/\s+/g, " ") : l).trim();
}

export type Draft = Omit<StatementTxn, "id"> & { fileId?: string | null };

export function emptyStats(): StatementStats {
  return { count: 0, pending: 0, total: 0n, booked: 0n, from: null, to: null };
}

/**
 * Assigns ids, one row at a time: the file's own id where present (`f:`), else a content
 * hash of (account, date, amount, normalised text) plus an occurrence index, so two genuinely
 * identical rows both stay. A file id seen twice in the same account is a duplicate row.
 * Each accepted row is counted into `st.stats` and handed to `emit`. The statement's
 * account must be known before the first row (it is part of the content hash).
 */
export function idAssigner(st: Statement, emit: (st: Statement, t: StatementTxn) => void): (d: Draft) => void {
  // file ids seen (→ line + 1) and content hashes seen (→ occurrences), by 64 bits of their
  // hash: the chance that two of a million distinct keys share them is about 3·10⁻⁸
  const seenFile = new Hash64Map();
  const occ = new Hash64Map();
  const stats = (st.stats ??= emptyStats());
  return (d) => {
    const amount = canonical(d.amount);
    const dot = amount.indexOf(".");
    if (dot >= 0 && amount.length - dot - 1 > 4) {
      reject(st, { line: d.line, reason: `amount ${d.amount} has more than 4 decimals` });
      return;
    }
    let id: string;
    if (d.fileId) {
      const key = d.fileId.trim();
      const [a, b] = hash96(key);
      const prev = seenFile.get(a, b);
      if (prev !== 0) {
        reject(st, { line: d.line, reason: `duplicate of line ${prev - 1} (same id ${key})` });
        return;
      }
      seenFile.set(a, b, d.line + 1);
      id = `f:${key}`;
    } else {
      const [a, b, c] = hash96(`${st.account ?? ""}\u0000${d.date}\u0000${amount}\u0000${normText(d.description)}`);
      const n = occ.get(a, b);
      occ.set(a, b, n + 1);
      id = `h:${hex8(a)}${hex8(b)}${hex8(c)}#${n}`;
    }
    const units = toUnits(amount, 6);
    stats.count++;
    stats.total += units;
    if (d.pending) stats.pending++;
    else stats.booked += units;
    if (d.date) {
      if (stats.from === null || d.date < stats.from) stats.from = d.date;
      if (stats.to === null || d.date > stats.to) stats.to = d.date;
    }
    // one object shape for every row (no spreads: they are the slow part at 100k rows)
    emit(st, {
      id,
      line: d.line,
      date: d.date,
      valueDate: d.valueDate,
      authorizedDate: d.authorizedDate,
      amount: d.amount,
      description: d.description,
      counterparty: d.counterparty,
      pending: d.pending,
      type: d.type,
      reference: d.reference,
    });
  };
}

/** assignIds for parsers that hold a whole statement: rows go to `st.transactions`. */
export function assignIds(st: Statement, drafts: Draft[]): void {
  const add = idAssigner(st, (s, t) => s.transactions.push(t));
  for (const d of drafts) add(d);
}

export function newStatement(partial: Partial<Statement> = {}): Statement {
  return { account: null, currency: null, opening: null, closing: null, transactions: [], rejected: [], warnings: [], ...partial };
}

/** Line number (1-based) of every offset, via a precomputed index of line starts. */
export function lineIndex(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** Opening + booked entries = closing? null when a balance is missing. */
export function reconcile(st: Statement): boolean | null {
  if (!st.opening || !st.closing) return null;
  const booked = st.stats ? st.stats.booked : st.transactions.reduce((a, t) => (t.pending ? a : a + toUnits(t.amount, 6)), 0n);
  return toUnits(st.opening.amount, 6) + booked === toUnits(st.closing.amount, 6);
}

/** Drains a row stream into the statements' `transactions` (the whole-file result). */
export function collectRows(gen: Generator<StreamedRow, ParseResult, void>): ParseResult {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    r.value.st.transactions.push(r.value.t);
  }
}
