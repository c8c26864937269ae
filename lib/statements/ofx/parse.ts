import { assignIds, isoDay, newStatement, parseAmount, reconcile, type ParseResult, type Statement, type StatementTxn } from "../common";

/**
 * Tolerant OFX/QFX reader: 1.x SGML (unclosed leaf tags, missing aggregate end tags) and
 * 2.x XML, CDATA, HTML entities (also double-escaped), raw `&`, `[-3:GMT]` zones (dropped:
 * the bank's day is kept), decimal commas and any number of decimals.
 */

export type OfxNode = { name: string; line: number; text: string | null; children: OfxNode[]; parent: OfxNode | null };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

export function decodeEntities(s: string): string {
  let out = s;
  for (let i = 0; i < 3 && /&(#\d+|#x[0-9a-f]+|[a-z]+);/i.test(out); i++) {
    out = out.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
  }
  return out;
}

const AGGREGATES = new Set(
  "OFX SONRS STATUS FI BANKACCTFROM BANKACCTTO CCACCTFROM CCACCTTO INVACCTFROM BANKTRANLIST STMTTRN LEDGERBAL AVAILBAL BALLIST BAL PAYEE CURRENCY ORIGCURRENCY INVTRANLIST INVPOSLIST INVBAL SECLIST INVTRAN INVBUY INVSELL SECID".split(" "),
);
function isAggregate(name: string): boolean {
  return AGGREGATES.has(name) || /(MSGSRSV\d|MSGSRQV\d|TRNRS|TRNRQ|STMTRS|STMTRQ)$/.test(name);
}

/** Builds a tree from SGML or XML OFX. Leaves carry `text`; aggregates carry children. */
export function tokenizeOfx(text: string): OfxNode {
  const root: OfxNode = { name: "#root", line: 1, text: null, children: [], parent: null };
  const start = text.search(/<OFX[\s>]/i);
  if (start < 0) return root;
  let line = 1;
  for (let i = 0; i < start; i++) if (text.charCodeAt(i) === 10) line++;
  let cur = root;
  // the element opened last, while we wait to see whether it is a leaf (text follows) or an aggregate
  let pending: OfxNode | null = null;
  const re = /<!\[CDATA\[([\s\S]*?)\]\]>|<(\/?)([A-Za-z0-9_.:-]+)[^>]*?(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let last = start;
  let m: RegExpExecArray | null;
  let textBuf = "";
  const countLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) line++;
  };
  const flushText = () => {
    const t = textBuf.trim();
    textBuf = "";
    if (pending && t) {
      pending.text = (pending.text ?? "") + t;
    }
  };
  const closeLeafIfText = () => {
    // an unclosed SGML leaf ends at the next tag
    if (pending && pending.text !== null) {
      cur = pending.parent!;
      pending = null;
    }
  };
  while ((m = re.exec(text))) {
    textBuf += text.slice(last, m.index);
    countLines(last, m.index);
    last = re.lastIndex;
    const tagLine = line;
    countLines(m.index, re.lastIndex);
    if (m[1] !== undefined) {
      // CDATA: literal text of the pending leaf
      if (pending) pending.text = (pending.text ?? "") + textBuf.trim() + m[1];
      textBuf = "";
      continue;
    }
    if (!m[3]) {
      textBuf = "";
      continue; // comment or processing instruction
    }
    const name = m[3].toUpperCase();
    if (m[2] === "/") {
      flushText();
      if (pending && pending.name === name) {
        if (pending.text === null) pending.text = "";
        cur = pending.parent!;
        pending = null;
        continue;
      }
      closeLeafIfText();
      pending = null;
      // close up to the matching open aggregate (implicitly closing unclosed ones); ignore strays
      let n: OfxNode | null = cur;
      while (n && n !== root && n.name !== name) n = n.parent;
      if (n && n !== root) cur = n.parent!;
      continue;
    }
    flushText();
    closeLeafIfText();
    if (pending) {
      // no text before the next tag: an aggregate, unless it is a known leaf left empty and unclosed
      if (!isAggregate(pending.name)) {
        pending.text = "";
        cur = pending.parent!;
      }
      pending = null;
    }
    // an aggregate never contains itself: a repeated open tag closes the unclosed previous one
    let n: OfxNode | null = cur;
    while (n && n !== root && n.name !== name) n = n.parent;
    if (n && n !== root && n.children.length > 0) cur = n.parent!;
    const node: OfxNode = { name, line: tagLine, text: null, children: [], parent: cur };
    cur.children.push(node);
    if (m[4] === "/") {
      node.text = "";
      continue;
    }
    cur = node;
    pending = node;
  }
  textBuf += text.slice(last);
  flushText();
  return root;
}

function child(n: OfxNode | undefined, name: string): OfxNode | undefined {
  return n?.children.find((c) => c.name === name);
}
function val(n: OfxNode | undefined, name: string): string | null {
  const c = child(n, name);
  if (!c || c.text === null) return null;
  const t = decodeEntities(c.text).trim();
  return t === "" ? null : t;
}
function findAll(n: OfxNode, names: Set<string>, out: OfxNode[] = []): OfxNode[] {
  for (const c of n.children) {
    if (names.has(c.name)) out.push(c);
    else findAll(c, names, out);
  }
  return out;
}

function ofxAmount(s: string | null): string | null {
  if (s === null) return null;
  // OFX has no thousands separators: a comma is a decimal comma
  return parseAmount(s.replace(/\s/g, ""), s.includes(",") && !s.includes(".") ? "," : ".");
}

export function parseOfx(text: string): ParseResult {
  const root = tokenizeOfx(text);
  const ofx = child(root, "OFX");
  const result: ParseResult = { format: /<INTU\.BID>/i.test(text) ? "qfx" : "ofx", statements: [], errors: [], warnings: [], skipped: [] };
  if (!ofx) {
    result.errors.push("not an OFX file: no <OFX> element");
    return result;
  }
  // transaction wrappers whose response failed
  for (const trn of findAll(ofx, new Set(["STMTTRNRS", "CCSTMTTRNRS", "INVSTMTTRNRS"]))) {
    const status = child(trn, "STATUS");
    const sev = val(status, "SEVERITY");
    if (sev && sev.toUpperCase() === "ERROR") {
      result.errors.push(`the bank reported an error for this statement (code ${val(status, "CODE") ?? "?"}: ${val(status, "MESSAGE") ?? "no message"})`);
    }
  }
  const inv = findAll(ofx, new Set(["INVSTMTRS"]));
  if (inv.length) result.skipped.push({ kind: "investment statement", count: inv.length });

  for (const rs of findAll(ofx, new Set(["STMTRS", "CCSTMTRS"]))) {
    const credit = rs.name === "CCSTMTRS";
    const from = child(rs, credit ? "CCACCTFROM" : "BANKACCTFROM");
    const acctType = val(from, "ACCTTYPE");
    const st: Statement = newStatement({
      account: val(from, "ACCTID"),
      currency: val(rs, "CURDEF")?.toUpperCase() ?? null,
      accountType: credit || acctType?.toUpperCase() === "CREDITLINE" ? "credit" : "depository",
    });
    const list = child(rs, "BANKTRANLIST");
    st.declaredFrom = isoDay(val(list, "DTSTART"));
    st.declaredTo = isoDay(val(list, "DTEND"));
    const ledger = child(rs, "LEDGERBAL");
    const balAmt = ofxAmount(val(ledger, "BALAMT"));
    if (balAmt !== null) st.closing = { amount: balAmt, date: isoDay(val(ledger, "DTASOF")) };
    if (ledger && balAmt === null) st.warnings.push("the ledger balance is empty");
    const drafts: (Omit<StatementTxn, "id"> & { fileId?: string | null })[] = [];
    for (const t of list?.children.filter((c) => c.name === "STMTTRN") ?? []) {
      const rawAmt = val(t, "TRNAMT");
      const amount = ofxAmount(rawAmt);
      const rawDate = val(t, "DTPOSTED");
      const date = isoDay(rawDate);
      if (amount === null) {
        st.rejected.push({ line: t.line, reason: rawAmt === null ? "no amount (TRNAMT)" : `unreadable amount ${JSON.stringify(rawAmt)}` });
        continue;
      }
      if (date === null) {
        st.rejected.push({ line: t.line, reason: rawDate === null ? "no date (DTPOSTED)" : `impossible date ${JSON.stringify(rawDate)}` });
        continue;
      }
      const name = val(t, "NAME") ?? val(child(t, "PAYEE"), "NAME");
      const memo = val(t, "MEMO");
      const description =
        (name && memo ? (memo.startsWith(name) ? memo : memo === name ? name : `${name} — ${memo}`) : (name ?? memo)) ?? val(t, "TRNTYPE") ?? "";
      drafts.push({
        fileId: val(t, "FITID"),
        line: t.line,
        date,
        authorizedDate: isoDay(val(t, "DTUSER")),
        amount,
        description,
        counterparty: name,
        pending: false,
        type: val(t, "TRNTYPE")?.toUpperCase() ?? null,
        reference: val(t, "CHECKNUM") ?? val(t, "REFNUM"),
      });
    }
    assignIds(st, drafts);
    st.reconciles = reconcile(st);
    result.statements.push(st);
  }
  if (!result.statements.length && !result.errors.length && !inv.length) result.errors.push("the OFX file holds no bank or credit-card statement");
  return result;
}
