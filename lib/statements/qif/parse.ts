import { assignIds, newStatement, parseAmount, type ParseResult, type Statement, type StatementTxn } from "../common";
import { inferDateOrder, parseDate, type DateOrder } from "../dates";

/**
 * QIF: `!Type:` sections, `!Account` blocks naming the account of the following section,
 * `!Option`/`!Clear` lines, `#` comments, an unterminated last record. Non-cash sections
 * (investments) are skipped with a count; lists (categories, classes, securities) are ignored.
 */

const CASH = new Set(["bank", "cash", "ccard", "oth a", "oth l"]);

type Rec = { line: number; fields: [string, string][] };

export function parseQif(text: string, opts: { dateOrder?: DateOrder } = {}): ParseResult {
  const result: ParseResult = { format: "qif", statements: [], errors: [], warnings: [], skipped: [] };
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  let section: string | null = null;
  let accountName: string | null = null;
  let accountType: string | null = null;
  let inAccountBlock = false;
  let rec: Rec | null = null;
  const sections: { type: string; account: string | null; credit: boolean; recs: Rec[] }[] = [];
  let skippedInv = 0;
  const flush = () => {
    if (!rec || !rec.fields.length) {
      rec = null;
      return;
    }
    if (inAccountBlock) {
      for (const [k, v] of rec.fields) {
        if (k === "N") accountName = v.trim() || null;
        if (k === "T") accountType = v.trim().toLowerCase();
      }
    } else if (section && CASH.has(section)) {
      let cur = sections[sections.length - 1];
      if (!cur || cur.type !== section || cur.account !== accountName) {
        cur = { type: section, account: accountName, credit: section === "ccard" || accountType === "ccard", recs: [] };
        sections.push(cur);
      }
      cur.recs.push(rec);
    } else if (section === "invst") skippedInv++;
    rec = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const l = raw.trimEnd();
    if (!l.trim()) continue;
    if (l.startsWith("#")) continue;
    if (l.startsWith("!")) {
      flush();
      const h = l.slice(1).trim().toLowerCase();
      if (h.startsWith("type:")) {
        section = h.slice(5).trim();
        inAccountBlock = false;
      } else if (h === "account") {
        inAccountBlock = true;
        section = null;
      } else if (h.startsWith("option") || h.startsWith("clear")) {
        // !Option:AutoSwitch / !Clear:AutoSwitch: no data
      } else {
        result.warnings.push(`line ${i + 1}: unknown header ${l.trim()}`);
      }
      continue;
    }
    if (l.startsWith("^")) {
      flush();
      if (inAccountBlock) inAccountBlock = false;
      continue;
    }
    rec ??= { line: i + 1, fields: [] };
    rec.fields.push([l[0]!, l.slice(1)]);
  }
  flush();
  if (skippedInv) result.skipped.push({ kind: "investment record", count: skippedInv });

  const allDates = sections.flatMap((s) => s.recs.flatMap((r) => r.fields.filter(([k]) => k === "D").map(([, v]) => v)));
  const inferred = inferDateOrder(allDates, "mdy");
  const order = opts.dateOrder ?? inferred.order;
  if (inferred.ambiguous && !opts.dateOrder) {
    result.dateOrderAmbiguous = true;
    result.warnings.push("the day/month order of the dates cannot be told from this file; month/day (the QIF convention) was assumed");
  }

  for (const sec of sections) {
    const st: Statement = newStatement({ account: sec.account, accountType: sec.credit ? "credit" : "depository" });
    const drafts: (Omit<StatementTxn, "id"> & { fileId?: string | null })[] = [];
    for (const r of sec.recs) {
      const get = (k: string) => r.fields.find(([f]) => f === k)?.[1]?.trim() ?? null;
      const rawDate = get("D");
      const rawAmt = get("T") ?? get("U");
      const date = rawDate ? parseDate(rawDate, order) : null;
      const amount = parseAmount(rawAmt);
      if (!rawDate || !date) {
        st.rejected.push({ line: r.line, reason: rawDate ? `impossible date ${JSON.stringify(rawDate)}` : "no date (D)" });
        continue;
      }
      if (amount === null) {
        st.rejected.push({ line: r.line, reason: rawAmt ? `unreadable amount ${JSON.stringify(rawAmt)}` : "no amount (T)" });
        continue;
      }
      const payee = get("P");
      const memo = get("M");
      drafts.push({
        fileId: null,
        line: r.line,
        date,
        amount,
        description: [payee, memo].filter(Boolean).join(" — "),
        counterparty: payee,
        pending: false,
        type: get("L"),
        reference: get("N"),
      });
    }
    assignIds(st, drafts);
    st.reconciles = null;
    result.statements.push(st);
  }
  if (!sections.length && !skippedInv) result.errors.push("the QIF file holds no bank, cash or credit-card transactions");
  return result;
}
