import { minorUnits } from "@/lib/money/currency";
import { toUnits } from "@/lib/money/decimal";
import { abs, add as add2, collectRows, neg, newStatement, parseAmount, reject, idAssigner, type Draft, type ParseResult, type Statement, type StreamedRow } from "../common";
import { dateParts, parseDate, type DateOrder } from "../dates";

/**
 * Bank CSV exports: `,` `;` tab or `|`; quoted or not (a missing opening quote is forgiven);
 * CR, LF, CRLF or CR CR LF line ends; metadata preambles; headers in English, German,
 * French or Dutch mapped to roles automatically, else a mapping is asked for; decimal comma,
 * apostrophe/space/dot thousands; debit/credit columns or a direction column; fee, state and
 * running balance columns; the date order inferred from the whole file.
 */

export const ROLES = ["date", "valueDate", "authorizedDate", "amount", "debit", "credit", "description", "payee", "currency", "balance", "state", "fee", "direction", "account", "type"] as const;
export type Role = (typeof ROLES)[number];
/** A role → column name (as in the header) or 0-based column index. description may list several. */
export type CsvMapping = Partial<Record<Role, string | number | (string | number)[]>>;
export type CsvOptions = { mapping?: CsvMapping; dateOrder?: DateOrder; decimal?: "," | "." };

const SYN: Record<Role, string[]> = {
  date: ["buchungstag", "buchung", "buchungsdatum", "booking date", "posting date", "posted date", "boekdatum", "boekingsdatum", "date comptable", "date operation", "date de l'operation", "date d'operation", "datum", "date", "date processed", "transaction date", "transactiedatum", "completed date"],
  valueDate: ["value date", "wertstellung", "wertstellungsdatum", "valuta", "valutadatum", "rentedatum", "date valeur", "date de valeur"],
  authorizedDate: ["transaction date", "started date"],
  amount: ["amount", "betrag", "bedrag", "montant", "umsatz", "transaction amount", "bedrag (eur)", "betrag (eur)", "amount (eur)"],
  debit: ["debit", "debet", "withdrawal", "withdrawals", "soll", "paid out", "money out", "af", "uitgaven", "ausgang", "debit amount", "montant debit"],
  credit: ["credit", "deposit", "deposits", "haben", "paid in", "money in", "bij", "inkomsten", "eingang", "credit amount", "montant credit"],
  description: ["description", "details", "verwendungszweck", "omschrijving", "omschrijving-1", "omschrijving-2", "omschrijving-3", "libelle", "memo", "narrative", "transaction details", "mededelingen", "vrije mededeling", "communication", "purpose", "reference", ...Array.from({ length: 14 }, (_, i) => `vwz${i + 1}`)],
  payee: ["payee", "auftraggeber/empfanger", "auftraggeber / empfanger", "empfanger", "zahlungsempfanger", "naam tegenpartij", "naam / omschrijving", "tegenpartij", "beneficiaire", "merchant", "counterparty", "counterparty name"],
  currency: ["currency", "wahrung", "munt", "devise", "ccy", "valuta currency"],
  balance: ["balance", "saldo", "kontostand", "solde", "saldo na trn", "saldo na transactie", "running balance", "runningbalance", "saldo na mutatie"],
  state: ["status", "state", "statut"],
  fee: ["fee", "fees", "gebuhr", "gebuhren", "gebuehr", "frais", "kosten", "commission"],
  direction: ["transaction type", "af bij", "af/bij", "debit/credit", "credit/debit", "soll/haben", "cdtdbtind"],
  account: ["iban/bban", "iban", "account", "account number", "rekeningnummer", "rekening", "kontonummer", "card no.", "card no", "card number", "compte", "numero de compte"],
  type: ["buchungstext", "type", "code", "mutatiesoort", "transaction type code"],
};

export function normHeader(s: string): string {
  return s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/\([^)]*\)/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[:*]$/, "")
    .trim();
}

/** The same columns (names, order) give the same signature: how a saved mapping is found again. */
export function csvHeaderSignature(cells: string[]): string {
  return cells.map(normHeader).join("|");
}

// ---------------------------------------------------------------- records

export function detectDelimiter(text: string): string {
  const lines = text.split(/\r\n|\r|\n/, 60).filter((l) => l.trim());
  let best = ",";
  let bestScore = -1;
  for (const d of [";", ",", "\t", "|"]) {
    const counts = new Map<number, number>();
    for (const l of lines) {
      let n = 0;
      let q = false;
      for (const ch of l) {
        if (ch === '"') q = !q;
        else if (ch === d && !q) n++;
      }
      if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    let score = 0;
    let width = 0;
    for (const [w, c] of counts) if (c > score || (c === score && w > width)) [score, width] = [c, w];
    if (score > bestScore) [best, bestScore] = [d, score];
  }
  return best;
}

export type CsvRecord = { line: number; cells: string[] };

/**
 * Lenient CSV tokenizer over text pieces; `line` is the 1-based line of the record's start
 * (LF lines, CR for CR-only files: `crOnly` is a fact of the whole file, the caller knows it).
 * A record cut by the end of a piece is read again with the next piece.
 */
export function* csvRecordStream(chunks: Iterable<string>, delim: string, crOnly: boolean): Generator<CsvRecord, void, void> {
  const state = { line: 1 };
  const out: CsvRecord[] = [];
  let carry = "";
  for (const chunk of chunks) {
    const text = carry + chunk;
    const stop = scanRecords(text, delim, crOnly, false, state, out);
    carry = text.slice(stop);
    for (const r of out) yield r;
    out.length = 0;
  }
  scanRecords(carry, delim, crOnly, true, state, out);
  for (const r of out) yield r;
}

/** The records of one whole text (tests, small files). */
export function* csvRecords(text: string, delim: string): Generator<CsvRecord> {
  yield* csvRecordStream([text], delim, !text.includes("\n"));
}

/** Reads complete records into `out`; returns where the first unfinished one starts (text.length when none). */
function scanRecords(text: string, delim: string, crOnly: boolean, final: boolean, state: { line: number }, out: CsvRecord[]): number {
  const brk = crOnly ? 13 : 10;
  const D = delim.charCodeAt(0);
  const Q = 34;
  let line = state.line;
  let i = 0;
  const n = text.length;
  try {
    while (i < n) {
      // blank lines between records
      let c0 = text.charCodeAt(i);
      while (c0 === 10 || c0 === 13) {
        if (c0 === brk) line++;
        if (++i >= n) return n;
        c0 = text.charCodeAt(i);
      }
      const recStart = i;
      const startLine = line;
      const cells: string[] = [];
      let blank = true;
      let cut = false;
      for (;;) {
        let cell: string;
        if (text.charCodeAt(i) === Q) {
          i++;
          cell = "";
          for (;;) {
            if (i >= n) break;
            const q = text.indexOf('"', i);
            const end = q < 0 ? n : q;
            for (let k = i; k < end; k++) if (text.charCodeAt(k) === brk) line++;
            cell += text.slice(i, end);
            i = end;
            if (q < 0 || (q + 1 >= n && !final)) {
              cut = true;
              break;
            }
            if (text.charCodeAt(q + 1) === Q) {
              cell += '"';
              i = q + 2;
              continue;
            }
            i = q + 1;
            break;
          }
          if (i >= n && !final) cut = true;
          if (cut && !final) break;
          // lenient: anything between the closing quote and the delimiter is kept
          const s0 = i;
          let c = text.charCodeAt(i);
          while (i < n && c !== D && c !== 10 && c !== 13) c = text.charCodeAt(++i);
          if (i > s0) cell += text.slice(s0, i);
        } else {
          const s0 = i;
          let c = text.charCodeAt(i);
          while (i < n && c !== D && c !== 10 && c !== 13) c = text.charCodeAt(++i);
          cell = text.slice(s0, i);
          // a field that lost its opening quote keeps a stray closing one
          if (cell.charCodeAt(cell.length - 1) === Q && !cell.slice(0, -1).includes('"')) cell = cell.slice(0, -1);
        }
        if (i >= n && !final) {
          cut = true;
          break;
        }
        if (blank && cell.trim() !== "") blank = false;
        cells.push(cell);
        if (i < n && text.charCodeAt(i) === D) {
          i++;
          continue;
        }
        break;
      }
      // consume the line break(s): \n, \r\n, \r, \r\r\n
      let ended = false;
      if (!cut) {
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c !== 10 && c !== 13) {
            ended = true;
            break;
          }
          if (c === brk) line++;
          i++;
          if (c === 10 || crOnly) {
            ended = true;
            break;
          }
        }
      }
      if (!final && (cut || !ended)) {
        // the record may go on in the next piece: read it again from its start
        line = startLine;
        return recStart;
      }
      if (!blank) out.push({ line: startLine, cells });
    }
    return n;
  } finally {
    state.line = line;
  }
}

// ---------------------------------------------------------------- mapping

type Cols = Partial<Record<Role, number[]>>;

function autoMap(header: string[]): Cols {
  const norm = header.map(normHeader);
  const cols: Cols = {};
  const used = new Set<number>();
  const order: Role[] = ["date", "valueDate", "amount", "debit", "credit", "balance", "currency", "payee", "state", "fee", "direction", "account", "authorizedDate", "type", "description"];
  for (const role of order) {
    const syn = SYN[role];
    if (role === "description") {
      const idx = norm.map((h, i) => (syn.includes(h) || /^omschrijving/.test(h) || /^vwz\d+$/.test(h) ? i : -1)).filter((i) => i >= 0 && !used.has(i));
      if (idx.length) cols.description = idx;
      continue;
    }
    for (const s of syn) {
      const i = norm.findIndex((h, j) => !used.has(j) && (h === s || (role === "debit" && h.startsWith("withdrawal")) || (role === "credit" && h.startsWith("deposit"))));
      if (i >= 0) {
        cols[role] = [i];
        used.add(i);
        break;
      }
    }
  }
  return cols;
}

function resolveMapping(header: string[] | null, mapping: CsvMapping): { cols: Cols; error: string | null } {
  const cols: Cols = {};
  const norm = header?.map(normHeader) ?? [];
  for (const role of ROLES) {
    const v = mapping[role];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    const idx: number[] = [];
    for (const x of list) {
      const i = typeof x === "number" ? x : /^\d+$/.test(x) && !norm.includes(normHeader(x)) ? Number(x) : norm.indexOf(normHeader(x));
      if (i < 0) return { cols, error: `no column ${JSON.stringify(x)} for ${role}` };
      idx.push(i);
    }
    cols[role] = idx;
  }
  return { cols, error: null };
}

function isUsable(c: Cols): boolean {
  return !!c.date && !!(c.amount || c.debit || c.credit);
}

const PENDING = /^(pending|vorgemerkt|vorgemerkte?|en attente|in behandeling|in afwachting|authori[sz]ed|reserved|gereserveerd|provisoire|offen)$/i;
const DEBIT_WORD = /^(debit|d|dr|dbit|af|soll|s|out|debet|-)$/i;
const CREDIT_WORD = /^(credit|c|cr|crdt|bij|haben|h|in|\+)$/i;

// ---------------------------------------------------------------- parse

/** A whole CSV text → its statement with the rows (tests, small files). */
export function parseCsv(text: string, opts: CsvOptions = {}): ParseResult {
  return collectRows(streamCsv(() => [text], opts));
}

const HEAD_RECORDS = 60;
/** Units at 6 decimals, or null for an amount with more (rejected later, when its id is assigned). */
function units(s: string): bigint | null {
  const dot = s.indexOf(".");
  return dot >= 0 && s.length - dot - 1 > 6 ? null : toUnits(s, 6);
}
const NUM_ROLES: Role[] = ["amount", "debit", "credit", "balance", "fee"];

/**
 * CSV text pieces → rows. Two passes over the text (`chunks()` gives a fresh reading each
 * time): the first learns what only the whole file tells (header, number format, date order,
 * sign convention, marker column, accounts), the second reads the rows. Neither keeps the rows.
 */
export function* streamCsv(chunks: () => Iterable<string>, opts: CsvOptions = {}): Generator<StreamedRow, ParseResult, void> {
  const result: ParseResult = { format: "csv", statements: [], errors: [], warnings: [], skipped: [], needsMapping: null };
  // the first piece: BOM, delimiter, line ends
  // (the delimiter from the first lines, as many pieces as they take)
  let first = "";
  let crOnly = true;
  for (const c of chunks()) {
    if (first.length < 65_536 && (first.match(/\r\n|\r|\n/g)?.length ?? 0) < 61) first += c;
    if (c.includes("\n")) crOnly = false;
    if (!crOnly && first.length >= 65_536) break;
  }
  first = first.replace(/^\uFEFF/, "");
  const delim = detectDelimiter(first);
  const pieces = function* () {
    let firstPiece = true;
    for (const c of chunks()) {
      yield firstPiece ? c.replace(/^\uFEFF/, "") : c;
      firstPiece = false;
    }
  };
  const records = () => csvRecordStream(pieces(), delim, crOnly);
  const head: CsvRecord[] = [];
  for (const r of records()) {
    head.push(r);
    if (head.length >= HEAD_RECORDS) break;
  }
  if (!head.length) {
    result.errors.push("the CSV file is empty");
    return result;
  }
  // the header: the first record (within the first 40) whose cells map to a date and an amount
  let headerIdx = -1;
  let cols: Cols = {};
  if (opts.mapping) {
    for (let r = 0; r < Math.min(head.length, 40); r++) {
      const res = resolveMapping(head[r]!.cells, opts.mapping);
      if (!res.error && isUsable(res.cols)) {
        const named = Object.values(opts.mapping).flat().some((x) => typeof x === "string" && !/^\d+$/.test(x));
        headerIdx = named ? r : -1;
        cols = res.cols;
        break;
      }
    }
    if (!isUsable(cols)) {
      const res = resolveMapping(null, opts.mapping);
      if (res.error || !isUsable(res.cols)) {
        result.errors.push(res.error ?? "the mapping needs a date column and an amount (or debit/credit) column");
        return result;
      }
      cols = res.cols;
    }
  } else {
    for (let r = 0; r < Math.min(head.length, 40); r++) {
      const c = autoMap(head[r]!.cells);
      if (isUsable(c)) {
        headerIdx = r;
        cols = c;
        break;
      }
    }
    if (headerIdx < 0) {
      const widths = new Map<number, number>();
      for (const r of head.slice(0, 50)) widths.set(r.cells.length, (widths.get(r.cells.length) ?? 0) + 1);
      const width = [...widths.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const firstRow = head.findIndex((r) => r.cells.length === width);
      result.csvHeader = head[firstRow]!.cells.map((c) => c.trim());
      result.needsMapping = { columns: result.csvHeader, sample: head.slice(firstRow + 1, firstRow + 6).map((r) => r.cells.map((c) => c.trim())) };
      result.errors.push("the columns of this CSV could not be recognised: choose which column holds the date, the amount (or debit/credit) and the description");
      return result;
    }
  }
  const header = headerIdx >= 0 ? head[headerIdx]!.cells : null;
  result.csvHeader = header?.map((c) => c.trim()) ?? null;

  // preamble facts (account number, currency) above the header
  let preAccount: string | null = null;
  let preCurrency: string | null = null;
  for (const r of head.slice(0, Math.max(headerIdx, 0))) {
    const key = normHeader(r.cells[0] ?? "");
    const vals = r.cells.slice(1).map((c) => c.trim()).filter(Boolean);
    if (!vals.length) continue;
    if (/^(iban|account|account number|konto|kontonummer|rekeningnummer|rekening|compte|numero de compte|account details for)$/.test(key)) {
      const v = vals[0]!;
      const num = /([A-Z]{2}\d{2}[A-Z0-9 ]{10,})$|(\d[\d-]{5,}\d)$/.exec(v);
      preAccount = (num ? num[0] : v).replace(/\s+/g, "");
    }
    for (const v of vals) if (/^[A-Z]{3}$/.test(v) && key !== "iban") preCurrency ??= v;
  }
  const headerCurrency = header?.map((h) => /\(([A-Z]{3})\)/.exec(h)?.[1]).find(Boolean) ?? null;
  const width = header?.length ?? 0;

  const col = (role: Role) => cols[role]?.[0] ?? -1;
  const cDate = col("date");
  const cAmount = col("amount");
  const cDebit = col("debit");
  const cCredit = col("credit");
  const cAccount = col("account");
  const cCurrency = col("currency");
  const numCols = NUM_ROLES.map(col).filter((i) => i >= 0);
  const at = (r: CsvRecord, i: number): string => (i < 0 ? "" : (r.cells[i] ?? "").trim());
  const data = function* () {
    let k = 0;
    for (const r of records()) if (k++ > headerIdx) yield r;
  };

  // ---- pass 1: what only the whole file tells
  // a trailing unnamed column holding only CR/DR markers
  const markerCands = new Map<number, { seen: boolean; ok: boolean }>();
  let commaVotes = 0;
  let dotVotes = 0;
  // the date order (as inferDateOrder, one cell at a time)
  let dayFirst = false;
  let monthFirst = false;
  let anyAb = false;
  let dotted = false;
  let unsure = false;
  let anyPlus = false;
  let anyMinus = false;
  let symbols = "";
  // accounts named in the rows: part of every row's content hash, so known before the rows
  const rowAccounts = new Set<string>();
  const firstCurrencies = new Set<string>();
  let lastDateCell = "";
  const moneyCols = [cAmount, cDebit, cCredit];
  for (const r of data()) {
    if (header) {
      for (let i = 0; i < r.cells.length; i++) {
        if (i < width && (header[i] ?? "").trim() !== "") continue;
        const v = r.cells[i]!.trim();
        let m = markerCands.get(i);
        if (!m) markerCands.set(i, (m = { seen: false, ok: true }));
        if (!v) continue;
        m.seen = true;
        if (m.ok && !/^(CR|DR)$/i.test(v)) m.ok = false;
      }
    }
    for (const i of numCols) {
      const c = at(r, i);
      if (!c) continue;
      if (/,\d{1,2}$/.test(c) || /\.\d{3},/.test(c)) commaVotes++;
      if (/\.\d{1,2}$/.test(c) || /,\d{3}\./.test(c)) dotVotes++;
    }
    const d = at(r, cDate);
    // (rows of one day follow each other: a date seen just before adds nothing)
    if (d && d !== lastDateCell && !PENDING.test(d)) {
      lastDateCell = d;
      const p = dateParts(d);
      if (p && p.kind === "ab") {
        anyAb = true;
        if (d.includes(".")) dotted = true;
        if (p.a > 12) dayFirst = true;
        if (p.b > 12) monthFirst = true;
        if (p.a !== p.b && p.a <= 12 && p.b <= 12) unsure = true;
      }
    }
    for (const i of moneyCols) {
      const a = at(r, i);
      if (!a) continue;
      if (!(symbols.length === 3)) {
        const m = /[£€$]/.exec(a);
        if (m && !symbols.includes(m[0])) symbols += m[0];
      }
      if (i !== cAmount) continue;
      const t = /\s/.test(a) ? a.replace(/\s/g, "") : a;
      if (t.charCodeAt(0) === 43) anyPlus = true;
      if (/^-|-$|^\(/.test(t)) anyMinus = true;
    }
    if (cCurrency >= 0 && firstCurrencies.size < 2) {
      const cur = at(r, cCurrency).toUpperCase();
      if (/^[A-Z]{3}$/.test(cur)) firstCurrencies.add(cur);
    }
    if (cAccount >= 0 && (d || at(r, cAmount) || at(r, cDebit) || at(r, cCredit))) {
      const acct = at(r, cAccount).replace(/\s+/g, "");
      if (acct && rowAccounts.size < 2) rowAccounts.add(acct);
    }
  }
  let markerCol = -1;
  for (const [i, m] of markerCands) if (m.seen && m.ok && i > markerCol) markerCol = i;
  // The file's one currency, if the first pass can tell: a currency without minor units (JPY)
  // writes "1.234" for ¥1,234, which the votes above cannot see (no 1–2 digit fraction anywhere).
  const currencyHint = firstCurrencies.size === 1 ? [...firstCurrencies][0]! : firstCurrencies.size === 0 ? (headerCurrency ?? preCurrency) : null;
  const decimal: "," | "." | "none" =
    opts.decimal ?? (commaVotes > dotVotes ? "," : dotVotes > 0 || !currencyHint || minorUnits(currencyHint) > 0 ? "." : "none");
  let inferred: { order: DateOrder | null; ambiguous: boolean };
  if (!anyAb) inferred = { order: "ymd", ambiguous: false };
  else if (dayFirst && !monthFirst) inferred = { order: "dmy", ambiguous: false };
  else if (monthFirst && !dayFirst) inferred = { order: "mdy", ambiguous: false };
  // dotted dates (31.12.2020) are day-first everywhere they are used
  else if (!dayFirst && !monthFirst && dotted) inferred = { order: "dmy", ambiguous: false };
  else if (!dayFirst && !monthFirst && !unsure) inferred = { order: "dmy", ambiguous: false };
  else inferred = { order: null, ambiguous: true };
  let order = opts.dateOrder ?? inferred.order;
  if (inferred.ambiguous && !opts.dateOrder) {
    result.dateOrderAmbiguous = true;
    order = "dmy";
    result.warnings.push("the day/month order of the dates cannot be told from this file; day/month was assumed — choose the order to confirm");
  }
  const unsignedMeansOut = !!cols.amount && !cols.direction && anyPlus && !anyMinus;

  // ---- pass 2: the rows
  const st: Statement = newStatement({ account: rowAccounts.size === 1 ? [...rowAccounts][0]! : preAccount, currency: null, accountType: "depository", seq: 0 });
  type CsvDraft = Draft & { pendingNoDate: boolean };
  const out: StreamedRow[] = [];
  const add = idAssigner(st, (s, t) => void out.push({ st: s, t }));
  const accounts = new Set<string>();
  const currencies = new Set<string>();
  let maxDate: string | null = null;
  // rows whose date column says "pending" get the newest date of the file: held to the end
  const undated: CsvDraft[] = [];
  // the previous row waits: a continuation row may still extend its description
  let held: CsvDraft | null = null;
  const release = () => {
    if (!held) return;
    if (held.pendingNoDate) undated.push(held);
    else add(held);
    held = null;
  };
  // running balance, checked as the rows pass in both directions (the file may be newest first)
  type BalRow = { date: string; amount: bigint; balance: bigint | null; balanceText: string | null; amountText: string };
  let firstBal: BalRow | null = null;
  let prevBal: BalRow | null = null;
  let latest: BalRow | null = null;
  let allBal = true;
  let fwdOk = true;
  let revOk = true;
  const descCols = cols.description ?? [];
  let lastRaw = "";
  let lastDate: string | null = null;
  for (const r of data()) {
    const rawDate = at(r, cDate);
    const amtRaw = at(r, cAmount);
    const debRaw = at(r, cDebit);
    const creRaw = at(r, cCredit);
    if (!rawDate && !amtRaw && !debRaw && !creRaw) {
      // a continuation row of the previous record's description (DBS/POSB)
      const extra = r.cells.map((c) => c.trim()).filter(Boolean).join(" ");
      const last: CsvDraft | null = held;
      if (last && extra) last.description = `${last.description} ${extra}`.replace(/\s+/g, " ").trim();
      continue;
    }
    const statePending = cols.state ? PENDING.test(at(r, col("state"))) : false;
    const datePending = PENDING.test(rawDate);
    let date: string | null;
    if (datePending) date = null;
    else if (rawDate === lastRaw) date = lastDate;
    else date = lastDate = parseDate((lastRaw = rawDate), order);
    if (!date && !datePending) {
      reject(st, { line: r.line, reason: rawDate ? `impossible date ${JSON.stringify(rawDate)}` : "no date" });
      continue;
    }
    let amount: string | null;
    if (cols.amount) {
      amount = parseAmount(amtRaw, decimal);
      if (amount !== null) {
        const dir = cols.direction ? at(r, col("direction")) : "";
        const marker = markerCol >= 0 ? at(r, markerCol) : "";
        if (dir && DEBIT_WORD.test(dir)) amount = neg(abs(amount));
        else if (dir && CREDIT_WORD.test(dir)) amount = abs(amount);
        else if (marker && /^CR$/i.test(marker)) amount = abs(amount);
        else if (marker && /^DR$/i.test(marker)) amount = neg(abs(amount));
        else if (unsignedMeansOut && !/^\+/.test(amtRaw.replace(/\s/g, ""))) amount = neg(abs(amount));
      }
    } else {
      const d = debRaw ? parseAmount(debRaw, decimal) : null;
      const c = creRaw ? parseAmount(creRaw, decimal) : null;
      if ((debRaw && d === null) || (creRaw && c === null)) amount = null;
      else if (d !== null && d !== "0") amount = neg(abs(d));
      else if (c !== null) amount = abs(c);
      else amount = d;
    }
    if (amount === null) {
      const shown = amtRaw || debRaw || creRaw;
      reject(st, { line: r.line, reason: shown ? `unreadable amount ${JSON.stringify(shown)}` : "no amount" });
      continue;
    }
    const feeRaw = cols.fee ? at(r, col("fee")) : "";
    if (feeRaw) {
      const fee = parseAmount(feeRaw, decimal);
      if (fee === null) {
        reject(st, { line: r.line, reason: `unreadable fee ${JSON.stringify(feeRaw)}` });
        continue;
      }
      amount = add2(amount, neg(abs(fee)));
    }
    const balRaw = cols.balance ? at(r, col("balance")) : "";
    if (cAccount >= 0) {
      const acct = at(r, cAccount).replace(/\s+/g, "");
      if (acct) accounts.add(acct);
    }
    if (cols.currency) {
      const cur = at(r, col("currency")).toUpperCase();
      if (currencies.size < 2 && /^[A-Z]{3}$/.test(cur)) currencies.add(cur);
    }
    if (date && (!maxDate || date > maxDate)) maxDate = date;
    const payee = cols.payee ? at(r, col("payee")) || null : null;
    let description = payee ?? "";
    for (const i of descCols) {
      const part = at(r, i);
      if (part) description = description ? `${description} — ${part}` : part;
    }
    if (/[^\S ]| {2}/.test(description)) description = description.replace(/\s+/g, " ");
    const pending = statePending || datePending;
    const balance = balRaw ? parseAmount(balRaw, decimal) : null;
    release();
    held = {
      fileId: null,
      line: r.line,
      date: date ?? "",
      pendingNoDate: datePending,
      valueDate: cols.valueDate ? parseDate(at(r, col("valueDate")), order) : null,
      authorizedDate: cols.authorizedDate ? parseDate(at(r, col("authorizedDate")), order) : null,
      amount,
      description,
      counterparty: payee,
      pending,
      type: cols.type ? at(r, col("type")) || null : null,
      reference: null,
    };
    if (!pending && !cols.balance) allBal = false;
    else if (!pending) {
      const b: BalRow = { date: date!, amount: units(amount) ?? 0n, balance: balance === null ? null : units(balance), balanceText: balance, amountText: amount };
      if (b.balance === null || units(amount) === null) allBal = false;
      if (allBal && prevBal) {
        if (prevBal.balance! + b.amount !== b.balance) fwdOk = false;
        if (b.balance! + prevBal.amount !== prevBal.balance) revOk = false;
      }
      firstBal ??= b;
      prevBal = b;
      if (b.balance !== null && (!latest || b.date >= latest.date)) latest = b;
    }
    if (out.length >= 1024) {
      for (const x of out) yield x;
      out.length = 0;
    }
  }
  release();
  for (const x of out) yield x;
  out.length = 0;
  for (const d of undated) {
    if (!maxDate) reject(st, { line: d.line, reason: "pending row without a date" });
    else {
      d.date = maxDate;
      add(d);
    }
  }
  for (const x of out) yield x;
  out.length = 0;
  // what the kept rows say (as the file's own account: the content hashes used the first pass's)
  const keptAccount = accounts.size === 1 ? [...accounts][0]! : preAccount;
  st.account = keptAccount;
  if (accounts.size > 1) st.warnings.push(`rows of ${accounts.size} different accounts: imported as one account`);
  st.currency = currencies.size === 1 ? [...currencies][0]! : headerCurrency ?? preCurrency ?? (symbols.includes("£") ? "GBP" : symbols.includes("€") ? "EUR" : symbols.includes("$") ? "USD" : null);

  // running balance: closing = balance after the last row in time; opening = first balance − first amount
  const lastBal = prevBal as BalRow | null;
  const firstB = firstBal as BalRow | null;
  if (firstB && lastBal && allBal) {
    const asc = !(firstB.date > lastBal.date);
    const open = asc ? firstB : lastBal;
    const close = asc ? lastBal : firstB;
    st.opening = { amount: add2(open.balanceText!, neg(open.amountText)), date: open.date };
    st.closing = { amount: close.balanceText!, date: close.date };
    st.reconciles = asc ? fwdOk : revOk;
  } else {
    const l = latest as BalRow | null;
    if (l) st.closing = { amount: l.balanceText!, date: l.date };
    st.reconciles = null;
  }
  result.statements.push(st);
  return result;
}
