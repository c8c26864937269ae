import { abs, add, assignIds, eq, neg, newStatement, parseAmount, sum, type ParseResult, type Statement, type StatementTxn } from "../common";
import { inferDateOrder, parseDate, type DateOrder } from "../dates";

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

/** Lenient CSV tokenizer; `line` is the 1-based line of the record's start (LF lines, CR for CR-only files). */
export function* csvRecords(text: string, delim: string): Generator<CsvRecord> {
  const crOnly = !text.includes("\n");
  const brk = crOnly ? 13 : 10;
  const D = delim.charCodeAt(0);
  const Q = 34;
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    // blank lines between records
    let c0 = text.charCodeAt(i);
    while (c0 === 10 || c0 === 13) {
      if (c0 === brk) line++;
      if (++i >= n) return;
      c0 = text.charCodeAt(i);
    }
    const startLine = line;
    const cells: string[] = [];
    let blank = true;
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
          if (q < 0) break;
          if (text.charCodeAt(q + 1) === Q) {
            cell += '"';
            i = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
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
      if (blank && cell.trim() !== "") blank = false;
      cells.push(cell);
      if (i < n && text.charCodeAt(i) === D) {
        i++;
        continue;
      }
      break;
    }
    // consume the line break(s): \n, \r\n, \r, \r\r\n
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) break;
      if (c === brk) line++;
      i++;
      if (c === 10 || crOnly) break;
    }
    if (!blank) yield { line: startLine, cells };
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

export function parseCsv(text: string, opts: CsvOptions = {}): ParseResult {
  const result: ParseResult = { format: "csv", statements: [], errors: [], warnings: [], skipped: [], needsMapping: null };
  const body = text.replace(/^\uFEFF/, "");
  const delim = detectDelimiter(body);
  const records = [...csvRecords(body, delim)];
  if (!records.length) {
    result.errors.push("the CSV file is empty");
    return result;
  }
  // the header: the first record (within the first 40) whose cells map to a date and an amount
  let headerIdx = -1;
  let cols: Cols = {};
  if (opts.mapping) {
    for (let r = 0; r < Math.min(records.length, 40); r++) {
      const res = resolveMapping(records[r]!.cells, opts.mapping);
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
    for (let r = 0; r < Math.min(records.length, 40); r++) {
      const c = autoMap(records[r]!.cells);
      if (isUsable(c)) {
        headerIdx = r;
        cols = c;
        break;
      }
    }
    if (headerIdx < 0) {
      const widths = new Map<number, number>();
      for (const r of records.slice(0, 50)) widths.set(r.cells.length, (widths.get(r.cells.length) ?? 0) + 1);
      const width = [...widths.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const first = records.findIndex((r) => r.cells.length === width);
      result.csvHeader = records[first]!.cells.map((c) => c.trim());
      result.needsMapping = { columns: result.csvHeader, sample: records.slice(first + 1, first + 6).map((r) => r.cells.map((c) => c.trim())) };
      result.errors.push("the columns of this CSV could not be recognised: choose which column holds the date, the amount (or debit/credit) and the description");
      return result;
    }
  }
  const header = headerIdx >= 0 ? records[headerIdx]!.cells : null;
  result.csvHeader = header?.map((c) => c.trim()) ?? null;

  // preamble facts (account number, currency) above the header
  let preAccount: string | null = null;
  let preCurrency: string | null = null;
  for (const r of records.slice(0, Math.max(headerIdx, 0))) {
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

  const cell = (r: CsvRecord, role: Role): string => {
    const i = cols[role]?.[0];
    return i === undefined ? "" : (r.cells[i] ?? "").trim();
  };
  const data = records.slice(headerIdx + 1);
  const width = header?.length ?? 0;

  // a trailing unnamed column holding only CR/DR markers
  let markerCol = -1;
  if (header) {
    // (no Math.max(...rows): a spread of every row overflows the stack on large files)
    let widest = width;
    for (const r of data) if (r.cells.length > widest) widest = r.cells.length;
    for (let i = 0; i < widest; i++) {
      if ((header[i] ?? "").trim() !== "") continue;
      const v = data.map((r) => (r.cells[i] ?? "").trim()).filter(Boolean);
      if (v.length && v.every((x) => /^(CR|DR)$/i.test(x))) markerCol = i;
    }
  }

  // number format and date order, from the whole file
  // (loops, not arrays of every cell: these passes run over the whole file)
  let commaVotes = 0;
  let dotVotes = 0;
  const NUM_ROLES: Role[] = ["amount", "debit", "credit", "balance", "fee"];
  for (const r of data) {
    for (const k of NUM_ROLES) {
      const c = cell(r, k);
      if (!c) continue;
      if (/,\d{1,2}$/.test(c) || /\.\d{3},/.test(c)) commaVotes++;
      if (/\.\d{1,2}$/.test(c) || /,\d{3}\./.test(c)) dotVotes++;
    }
  }
  const decimal: "," | "." = opts.decimal ?? (commaVotes > dotVotes ? "," : ".");
  function* dateCells() {
    for (const r of data) {
      const d = cell(r, "date");
      if (d && !PENDING.test(d)) yield d;
    }
  }
  const inferred = inferDateOrder(dateCells(), null);
  let order = opts.dateOrder ?? inferred.order;
  if (inferred.ambiguous && !opts.dateOrder) {
    result.dateOrderAmbiguous = true;
    order = "dmy";
    result.warnings.push("the day/month order of the dates cannot be told from this file; day/month was assumed — choose the order to confirm");
  }
  let anyPlus = false;
  let anyMinus = false;
  let symbols = "";
  for (const r of data) {
    for (const k of ["amount", "debit", "credit"] as Role[]) {
      const a = cell(r, k);
      if (!a) continue;
      const m = /[£€$]/.exec(a);
      if (m && !symbols.includes(m[0])) symbols += m[0];
      if (k !== "amount") continue;
      const t = a.replace(/\s/g, "");
      if (/^\+/.test(t)) anyPlus = true;
      if (/^-|-$|^\(/.test(t)) anyMinus = true;
    }
  }
  const unsignedMeansOut = !!cols.amount && !cols.direction && anyPlus && !anyMinus;

  const st: Statement = newStatement({ account: null, currency: null, accountType: "depository" });
  type Draft = Omit<StatementTxn, "id"> & { fileId?: string | null; balance?: string | null; pendingNoDate?: boolean };
  const drafts: Draft[] = [];
  const accounts = new Set<string>();
  const currencies = new Set<string>();
  let maxDate: string | null = null;
  for (const r of data) {
    const rawDate = cell(r, "date");
    const amtRaw = cell(r, "amount");
    const debRaw = cell(r, "debit");
    const creRaw = cell(r, "credit");
    const descParts = (cols.description ?? []).map((i) => (r.cells[i] ?? "").trim()).filter(Boolean);
    if (!rawDate && !amtRaw && !debRaw && !creRaw) {
      // a continuation row of the previous record's description (DBS/POSB)
      const last = drafts[drafts.length - 1];
      const extra = r.cells.map((c) => c.trim()).filter(Boolean).join(" ");
      if (last && extra) last.description = `${last.description} ${extra}`.replace(/\s+/g, " ").trim();
      continue;
    }
    const statePending = PENDING.test(cell(r, "state"));
    const datePending = PENDING.test(rawDate);
    const date = datePending ? null : parseDate(rawDate, order);
    if (!date && !datePending) {
      st.rejected.push({ line: r.line, reason: rawDate ? `impossible date ${JSON.stringify(rawDate)}` : "no date" });
      continue;
    }
    let amount: string | null;
    if (cols.amount) {
      amount = parseAmount(amtRaw, decimal);
      if (amount !== null) {
        const dir = cell(r, "direction");
        const marker = markerCol >= 0 ? (r.cells[markerCol] ?? "").trim() : "";
        if (dir && DEBIT_WORD.test(dir)) amount = neg(abs(amount));
        else if (dir && CREDIT_WORD.test(dir)) amount = abs(amount);
        else if (/^CR$/i.test(marker)) amount = abs(amount);
        else if (/^DR$/i.test(marker)) amount = neg(abs(amount));
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
      st.rejected.push({ line: r.line, reason: shown ? `unreadable amount ${JSON.stringify(shown)}` : "no amount" });
      continue;
    }
    const feeRaw = cell(r, "fee");
    if (feeRaw) {
      const fee = parseAmount(feeRaw, decimal);
      if (fee === null) {
        st.rejected.push({ line: r.line, reason: `unreadable fee ${JSON.stringify(feeRaw)}` });
        continue;
      }
      amount = add(amount, neg(abs(fee)));
    }
    const balRaw = cell(r, "balance");
    const acct = cell(r, "account").replace(/\s+/g, "");
    if (acct) accounts.add(acct);
    const cur = cell(r, "currency").toUpperCase();
    if (/^[A-Z]{3}$/.test(cur)) currencies.add(cur);
    if (date && (!maxDate || date > maxDate)) maxDate = date;
    const payee = cell(r, "payee") || null;
    const valueDate = cols.valueDate ? parseDate(cell(r, "valueDate"), order) : null;
    drafts.push({
      fileId: null,
      line: r.line,
      date: date ?? "",
      pendingNoDate: datePending,
      valueDate,
      authorizedDate: cols.authorizedDate ? parseDate(cell(r, "authorizedDate"), order) : null,
      amount,
      description: [payee, ...descParts].filter(Boolean).join(" — ").replace(/\s+/g, " "),
      counterparty: payee,
      pending: statePending || datePending,
      type: cell(r, "type") || null,
      reference: null,
      balance: balRaw ? parseAmount(balRaw, decimal) : null,
    });
  }
  // rows marked pending in the date column carry no date: they are newer than every booked row
  for (const d of drafts) {
    if (d.pendingNoDate) {
      if (!maxDate) {
        st.rejected.push({ line: d.line, reason: "pending row without a date" });
        d.date = "";
      } else d.date = maxDate;
    }
  }
  const kept = drafts.filter((d) => d.date);
  st.account = accounts.size === 1 ? [...accounts][0]! : preAccount;
  if (accounts.size > 1) st.warnings.push(`rows of ${accounts.size} different accounts: imported as one account`);
  st.currency = currencies.size === 1 ? [...currencies][0]! : headerCurrency ?? preCurrency ?? (symbols.includes("£") ? "GBP" : symbols.includes("€") ? "EUR" : symbols.includes("$") ? "USD" : null);

  // running balance: closing = balance after the last row in time; opening = first balance − first amount
  const withBal = kept.filter((d) => !d.pending);
  if (withBal.length && withBal.every((d) => d.balance != null)) {
    const first = withBal[0]!.date;
    const last = withBal[withBal.length - 1]!.date;
    const chrono = first > last ? [...withBal].reverse() : withBal;
    st.opening = { amount: add(chrono[0]!.balance!, neg(chrono[0]!.amount)), date: chrono[0]!.date };
    st.closing = { amount: chrono[chrono.length - 1]!.balance!, date: chrono[chrono.length - 1]!.date };
    let ok = true;
    for (let i = 1; i < chrono.length; i++) if (!eq(add(chrono[i - 1]!.balance!, chrono[i]!.amount), chrono[i]!.balance!)) ok = false;
    st.reconciles = ok;
  } else {
    const lastBal = [...withBal].filter((d) => d.balance != null);
    if (lastBal.length) {
      const latest = lastBal.reduce((a, b) => (b.date >= a.date ? b : a));
      st.closing = { amount: latest.balance!, date: latest.date };
    }
    st.reconciles = null;
  }
  assignIds(
    st,
    kept, // assignIds copies only the transaction's own fields
  );
  void sum;
  result.statements.push(st);
  return result;
}
