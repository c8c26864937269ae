import { parseCamt } from "./camt/parse";
import { statementTooLarge, tooLargeMessage } from "./limits";
import { canonical, fromUnits, toUnits } from "@/lib/money/decimal";
import { StatementReadError, collectRows, emptyStats, money, rejectedCount, textChunks, type ParseResult, type Rejected, type Statement, type StatementFormat, type StatementStats, type StreamedRow } from "./common";
import { streamCsv, type CsvOptions } from "./csv/parse";
import { parseMt940 } from "./mt940/parse";
import { streamOfx } from "./ofx/parse";
import { parseQif } from "./qif/parse";

export { StatementReadError } from "./common";
export type { ParseResult, Statement, StatementTxn, StatementFormat, StreamedRow } from "./common";

export { MAX_STATEMENT_BYTES, MAX_STATEMENT_MB, statementTooLarge, tooLargeMessage } from "./limits";

/** The format from the content (never the file name). */
export function detectFormat(text: string): StatementFormat | null {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, "");
  if (/^\s*OFXHEADER\s*:/m.test(head) || /<\?OFX\s/i.test(head) || /^\s*<OFX>/im.test(head)) return /<INTU\.BID>/i.test(text) ? "qfx" : "ofx";
  if (/urn:iso:std:iso:20022:tech:xsd:camt\.05[234]/.test(head) || /<(\w+:)?BkToCstmr(Stmt|AcctRpt|DbtCdtNtfctn)[\s>]/.test(head)) return /camt\.052|BkToCstmrAcctRpt/.test(head) ? "camt052" : "camt053";
  if (/^\s*!(Type|Account|Option|Clear)/im.test(head.replace(/^(#.*\r?\n|\s*\r?\n)*/, ""))) return "qif";
  if (/^[\s\u0001]*(\{1:|:20:)/m.test(head) && /^:(60F|60M|61|25):/m.test(text)) return "mt940";
  if (/^:20:/m.test(head) && /^:25:/m.test(head)) return "mt940";
  const lines = head.split(/\r\n|\r|\n/).filter((l) => l.trim()).slice(0, 10);
  if (lines.length && lines.some((l) => /[,;\t|]/.test(l))) return "csv";
  return null;
}

export type ParseOptions = { csv?: CsvOptions };

/**
 * Bytes → rows, as the file is read: the text is decoded piece by piece and OFX/QFX and CSV
 * are parsed as they go (no whole-file string, no array of every row). Returns the statements
 * — headers, balances, rejected rows and running totals (`stats`), without their rows — when
 * the file ends. CAMT, MT940 and QIF files are parsed whole, then handed out the same way.
 * Throws StatementReadError when the file cannot be read at all.
 */
export function* streamStatement(bytes: Uint8Array, opts: ParseOptions = {}): Generator<StreamedRow, ParseResult, void> {
  if (statementTooLarge(bytes.byteLength)) throw new StatementReadError(tooLargeMessage(null, bytes.byteLength));
  if (bytes.byteLength === 0) throw new StatementReadError("the file is empty");
  const first = textChunks(bytes).next();
  const head = first.done ? "" : first.value;
  if (/\u0000/.test(head.slice(0, 2048))) throw new StatementReadError("this is a binary file, not a bank statement (OFX, QFX, CAMT.053, MT940, QIF or CSV)");
  const format = detectFormat(head);
  if (!format) throw new StatementReadError("unrecognised file: not OFX, QFX, CAMT.053, MT940, QIF or CSV");
  if (format === "ofx" || format === "qfx") return yield* streamOfx(textChunks(bytes));
  if (format === "csv") return yield* streamCsv(() => textChunks(bytes), opts.csv);
  const text = [...textChunks(bytes)].join("");
  const result = format === "mt940" ? parseMt940(text) : format === "qif" ? parseQif(text) : parseCamt(text);
  // the same shape as a streamed result: rows handed out, statements without them
  const rows = result.statements.map((st, i) => {
    const list = st.transactions;
    st.seq = i;
    st.transactions = [];
    st.stats ??= statsOf(list);
    return list;
  });
  for (let i = 0; i < rows.length; i++) for (const t of rows[i]!) yield { st: result.statements[i]!, t };
  return result;
}

/** Bytes → parsed statements with their rows (the whole file in memory: tests, the CLI, small files). */
export function parseStatement(bytes: Uint8Array, opts: ParseOptions = {}): ParseResult {
  return collectRows(streamStatement(bytes, opts));
}

function statsOf(rows: Statement["transactions"]): StatementStats {
  const s = emptyStats();
  for (const t of rows) {
    const u = toUnits(t.amount, 6);
    s.count++;
    s.total += u;
    if (t.pending) s.pending++;
    else s.booked += u;
    if (t.date && (s.from === null || t.date < s.from)) s.from = t.date;
    if (t.date && (s.to === null || t.date > s.to)) s.to = t.date;
  }
  return s;
}

export type AccountSummary = {
  account: string | null;
  currency: string | null;
  accountType: "depository" | "credit";
  transactions: number;
  pending: number;
  sum: string;
  from: string | null;
  to: string | null;
  openingBalance: string | null;
  closingBalance: string | null;
  closingDate: string | null;
  /** opening + booked rows = closing, for every statement of this account; null without balances. */
  reconciles: boolean | null;
  /** The first rejected rows (MAX_REJECTED per statement), by line. */
  rejected: Rejected[];
  /** All rejected rows, listed or not. */
  rejectedCount: number;
  warnings: string[];
  statements: Statement[];
};

function minDate(a: string | null, b: string | null | undefined) {
  return !b ? a : !a || b < a ? b : a;
}
function maxDate(a: string | null, b: string | null | undefined) {
  return !b ? a : !a || b > a ? b : a;
}

/**
 * One entry per account (statements of the same account merged, in date order).
 * from/to: the statement's declared period widened to every row and balance date.
 */
export function summarize(result: ParseResult): AccountSummary[] {
  const groups = new Map<string, Statement[]>();
  for (const st of result.statements) {
    const key = `${st.account ?? ""}\u0000${st.currency ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), st]);
  }
  const out: AccountSummary[] = [];
  for (const sts of groups.values()) {
    const sorted = [...sts].sort((a, b) => (a.opening?.date ?? a.closing?.date ?? "").localeCompare(b.opening?.date ?? b.closing?.date ?? ""));
    let from: string | null = null;
    let to: string | null = null;
    // the statements' running totals (streamed statements keep no rows)
    let count = 0;
    let pending = 0;
    let total = 0n;
    let booked = 0n;
    for (const st of sorted) {
      for (const d of [st.declaredFrom, st.declaredTo, st.opening?.date, st.closing?.date]) {
        from = minDate(from, d);
        to = maxDate(to, d);
      }
      const s = st.stats ?? statsOf(st.transactions);
      from = minDate(from, s.from);
      to = maxDate(to, s.to);
      count += s.count;
      pending += s.pending;
      total += s.total;
      booked += s.booked;
    }
    const recs = sorted.map((s) => s.reconciles ?? null);
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const opening = first.opening?.amount ?? null;
    const closing = last.closing?.amount ?? null;
    let reconciles: boolean | null = recs.some((r) => r === false) ? false : recs.every((r) => r === true) ? true : null;
    // across statements: the whole file from the first opening to the last closing
    if (reconciles === true && opening !== null && closing !== null) {
      reconciles = toUnits(opening, 6) + booked === toUnits(closing, 6);
    }
    out.push({
      account: first.account,
      currency: first.currency,
      accountType: first.accountType === "credit" ? "credit" : "depository",
      transactions: count,
      pending,
      sum: money(canonical(fromUnits(total, 6)), first.currency),
      from,
      to,
      openingBalance: opening === null ? null : money(opening, first.currency),
      closingBalance: closing === null ? null : money(closing, first.currency),
      closingDate: last.closing?.date ?? null,
      reconciles,
      rejected: sorted.flatMap((s) => s.rejected).sort((a, b) => a.line - b.line),
      rejectedCount: sorted.reduce((a, s) => a + rejectedCount(s), 0),
      warnings: [...new Set(sorted.flatMap((s) => s.warnings))],
      statements: sorted,
    });
  }
  return out;
}

/** The command-line/JSON preview shape (issue #13). */
export function previewJson(result: ParseResult) {
  return {
    format: result.format,
    statements: summarize(result).map((s) => ({
      account: s.account,
      currency: s.currency,
      transactions: s.transactions,
      pending: s.pending,
      sum: s.sum,
      from: s.from,
      to: s.to,
      closingBalance: s.closingBalance,
      rejected: s.rejected,
    })),
    errors: result.errors,
  };
}
