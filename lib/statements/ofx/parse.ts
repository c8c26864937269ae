import { collectRows, emptyStats, idAssigner, isoDay, newStatement, parseAmount, reconcile, reject, type Draft, type ParseResult, type Statement, type StatementTxn, type StreamedRow } from "../common";

/**
 * Tolerant OFX/QFX reader: 1.x SGML (unclosed leaf tags, missing aggregate end tags) and
 * 2.x XML, CDATA, HTML entities (also double-escaped), raw `&`, `[-3:GMT]` zones (dropped:
 * the bank's day is kept), decimal commas and any number of decimals.
 */

export type OfxNode = { name: string; line: number; text: string | null; children: OfxNode[]; parent: OfxNode | null };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
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

const NAME_CHAR = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-") NAME_CHAR[c.charCodeAt(0)] = 1;

/**
 * Builds a tree from SGML or XML OFX, fed piece by piece. Leaves carry `text`; aggregates
 * carry children. `onClose` sees every element once it is complete (explicitly, implicitly by
 * an enclosing end tag, a repeated open tag or the end of the file) and may drop it from the
 * tree (how rows are streamed out without keeping them). A hand-written scanner (no regex
 * over the whole text): an unfinished construct at the end of a piece waits for the next.
 */
export class OfxTokenizer {
  readonly root: OfxNode = { name: "#root", line: 1, text: null, children: [], parent: null };
  private cur: OfxNode = this.root;
  // the element opened last, while we wait to see whether it is a leaf (text follows) or an aggregate
  private pending: OfxNode | null = null;
  private textBuf = "";
  private line = 1;
  private started = false;
  private carry = "";

  constructor(
    private readonly onOpen: (n: OfxNode) => void = () => {},
    private readonly onClose: (n: OfxNode) => void = () => {},
  ) {}

  write(chunk: string): void {
    this.feed(this.carry + chunk, false);
  }

  end(): OfxNode {
    this.feed(this.carry, true);
    this.carry = "";
    this.flushText();
    this.closeTo(this.root);
    return this.root;
  }

  private countLines(text: string, from: number, to: number) {
    let i = text.indexOf("\n", from);
    while (i >= 0 && i < to) {
      this.line++;
      i = text.indexOf("\n", i + 1);
    }
  }

  private flushText() {
    const t = this.textBuf.trim();
    this.textBuf = "";
    if (this.pending && t) this.pending.text = (this.pending.text ?? "") + t;
  }

  /** cur moves up to `to`: every element passed on the way is complete. */
  private closeTo(to: OfxNode) {
    while (this.cur !== to && this.cur !== this.root) {
      const n = this.cur;
      this.cur = n.parent!;
      this.onClose(n);
    }
    this.cur = to;
  }

  private closeLeaf(leaf: OfxNode) {
    // a leaf is cur's child only when it was opened as a (pending) element: cur is the leaf itself
    this.closeTo(leaf.parent!);
  }

  private closeLeafIfText() {
    // an unclosed SGML leaf ends at the next tag
    if (this.pending && this.pending.text !== null) {
      const p = this.pending;
      this.pending = null;
      this.closeLeaf(p);
    }
  }

  private feed(text: string, final: boolean) {
    let from = 0;
    if (!this.started) {
      const s = text.search(/<OFX[\s>]/i);
      if (s < 0) {
        // keep a possible "<OFX" cut at the end of the piece
        const keep = final ? text.length : Math.max(0, text.length - 4);
        this.countLines(text, 0, keep);
        this.carry = text.slice(keep);
        return;
      }
      this.countLines(text, 0, s);
      this.started = true;
      from = s;
    }
    const n = text.length;
    let last = from;
    let scan = from;
    for (;;) {
      const lt = text.indexOf("<", scan);
      if (lt < 0) break;
      let end = -1;
      let cdata: string | null = null;
      let name: string | null = null;
      let closing = false;
      let selfClose = false;
      const c1 = lt + 1 < n ? text.charCodeAt(lt + 1) : -1;
      if (c1 === -1) {
        if (!final) return this.tail(text, last, lt);
        break;
      }
      if (c1 === 33 /* ! */) {
        if (text.startsWith("<![CDATA[", lt)) {
          const e = text.indexOf("]]>", lt + 9);
          if (e >= 0) {
            cdata = text.slice(lt + 9, e);
            end = e + 3;
          } else if (!final) return this.tail(text, last, lt);
        } else if (text.startsWith("<!--", lt)) {
          const e = text.indexOf("-->", lt + 4);
          if (e >= 0) end = e + 3;
          else if (!final) return this.tail(text, last, lt);
        } else if (!final && lt + 9 > n && ("<![CDATA[".startsWith(text.slice(lt)) || "<!--".startsWith(text.slice(lt)))) return this.tail(text, last, lt);
      } else if (c1 === 63 /* ? */) {
        const e = text.indexOf("?>", lt + 2);
        if (e >= 0) end = e + 2;
        else if (!final) return this.tail(text, last, lt);
      } else {
        let j = lt + 1;
        if (c1 === 47 /* / */) {
          closing = true;
          j++;
        }
        const ns = j;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c >= 128 || !NAME_CHAR[c]) break;
          j++;
        }
        if (j > ns) {
          const gt = text.indexOf(">", j);
          if (gt >= 0) {
            name = text.slice(ns, j).toUpperCase();
            selfClose = text.charCodeAt(gt - 1) === 47;
            end = gt + 1;
          } else if (!final) return this.tail(text, last, lt);
        } else if (j >= n && !final) return this.tail(text, last, lt);
      }
      if (end < 0) {
        // not markup: a literal "<" in the text
        scan = lt + 1;
        continue;
      }
      this.textBuf += text.slice(last, lt);
      this.countLines(text, last, lt);
      const tagLine = this.line;
      this.countLines(text, lt, end);
      last = scan = end;
      this.token(tagLine, cdata, name, closing, selfClose);
    }
    // text up to the end of the piece may continue in the next one: it stays unflushed
    this.textBuf += text.slice(last);
    this.countLines(text, last, n);
    this.carry = "";
  }

  private tail(text: string, last: number, lt: number) {
    this.textBuf += text.slice(last, lt);
    this.countLines(text, last, lt);
    this.carry = text.slice(lt);
  }

  private token(tagLine: number, cdata: string | null, name: string | null, closing: boolean, selfClose: boolean) {
    if (cdata !== null) {
      // CDATA: literal text of the pending leaf
      if (this.pending) this.pending.text = (this.pending.text ?? "") + this.textBuf.trim() + cdata;
      this.textBuf = "";
      return;
    }
    if (name === null) {
      this.textBuf = "";
      return; // comment or processing instruction
    }
    if (closing) {
      this.flushText();
      const p = this.pending;
      if (p && p.name === name) {
        if (p.text === null) p.text = "";
        this.pending = null;
        this.closeLeaf(p);
        return;
      }
      this.closeLeafIfText();
      this.pending = null;
      // close up to the matching open aggregate (implicitly closing unclosed ones); ignore strays
      let n: OfxNode | null = this.cur;
      while (n && n !== this.root && n.name !== name) n = n.parent;
      if (n && n !== this.root) this.closeTo(n.parent!);
      return;
    }
    this.flushText();
    this.closeLeafIfText();
    const p = this.pending;
    if (p) {
      // no text before the next tag: an aggregate, unless it is a known leaf left empty and unclosed
      this.pending = null;
      if (!isAggregate(p.name)) {
        p.text = "";
        this.closeLeaf(p);
      }
    }
    // an aggregate never contains itself: a repeated open tag closes the unclosed previous one
    let n: OfxNode | null = this.cur;
    while (n && n !== this.root && n.name !== name) n = n.parent;
    if (n && n !== this.root && n.children.length > 0) this.closeTo(n.parent!);
    const node: OfxNode = { name, line: tagLine, text: null, children: [], parent: this.cur };
    this.cur.children.push(node);
    this.onOpen(node);
    if (selfClose) {
      node.text = "";
      this.onClose(node);
      return;
    }
    this.cur = node;
    this.pending = node;
  }
}

/** The whole tree of an OFX text (tests and small files). */
export function tokenizeOfx(text: string): OfxNode {
  const t = new OfxTokenizer();
  t.write(text);
  return t.end();
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

type StmtCtx = { rs: OfxNode; st: Statement; add: (d: Draft) => void; accountKnown: boolean; waiting: Draft[] | null; inFirstOfx: boolean | null };

const STMT_NAMES = new Set(["STMTRS", "CCSTMTRS"]);

/** The statement header as far as the file has told it (ACCTFROM and CURDEF come before the rows). */
function readHeader(ctx: StmtCtx) {
  const rs = ctx.rs;
  const credit = rs.name === "CCSTMTRS";
  const from = child(rs, credit ? "CCACCTFROM" : "BANKACCTFROM");
  const acctType = val(from, "ACCTTYPE");
  ctx.st.account = val(from, "ACCTID");
  ctx.st.currency = val(rs, "CURDEF")?.toUpperCase() ?? null;
  ctx.st.accountType = credit || acctType?.toUpperCase() === "CREDITLINE" ? "credit" : "depository";
  return !!from;
}

function draftOf(t: OfxNode, st: Statement): Draft | null {
  const rawAmt = val(t, "TRNAMT");
  const amount = ofxAmount(rawAmt);
  const rawDate = val(t, "DTPOSTED");
  const date = isoDay(rawDate);
  if (amount === null) {
    reject(st, { line: t.line, reason: rawAmt === null ? "no amount (TRNAMT)" : `unreadable amount ${JSON.stringify(rawAmt)}` });
    return null;
  }
  if (date === null) {
    reject(st, { line: t.line, reason: rawDate === null ? "no date (DTPOSTED)" : `impossible date ${JSON.stringify(rawDate)}` });
    return null;
  }
  const name = val(t, "NAME") ?? val(child(t, "PAYEE"), "NAME");
  const memo = val(t, "MEMO");
  const trnType = val(t, "TRNTYPE");
  const description = (name && memo ? (memo.startsWith(name) ? memo : memo === name ? name : `${name} — ${memo}`) : (name ?? memo)) ?? trnType ?? "";
  return {
    fileId: val(t, "FITID"),
    line: t.line,
    date,
    authorizedDate: isoDay(val(t, "DTUSER")),
    amount,
    description,
    counterparty: name,
    pending: false,
    type: trnType?.toUpperCase() ?? null,
    reference: val(t, "CHECKNUM") ?? val(t, "REFNUM"),
  };
}

/**
 * OFX text pieces → rows, as the file is read (only the statement headers stay in memory:
 * every <STMTTRN> is turned into a row and dropped once it closes). Returns the statements
 * (without their rows) when the file ends.
 */
export function* streamOfx(chunks: Iterable<string>): Generator<StreamedRow, ParseResult, void> {
  const out: StreamedRow[] = [];
  const emit = (st: Statement, t: StatementTxn) => void out.push({ st, t });
  const ctxs = new Map<OfxNode, StmtCtx>();
  let qfx = false;
  let seq = 0;
  const tok = new OfxTokenizer(
    (n) => {
      if (!STMT_NAMES.has(n.name)) return;
      const st = newStatement({ seq: seq++ });
      ctxs.set(n, { rs: n, st, add: idAssigner(st, emit), accountKnown: false, waiting: null, inFirstOfx: null });
    },
    (n) => {
      if (n.name !== "STMTTRN") return;
      const list = n.parent!;
      const rs = list.parent;
      const ctx = rs && ctxs.get(rs);
      // rows count only in the first <BANKTRANLIST> directly inside a statement of the first <OFX>
      const first = ctx && list.name === "BANKTRANLIST" && child(rs, "BANKTRANLIST") === list;
      if (ctx && first) {
        if (ctx.inFirstOfx === null) {
          let top: OfxNode = rs;
          let nested = false;
          while (top.parent && top.parent.parent) {
            top = top.parent;
            if (STMT_NAMES.has(top.name)) nested = true;
          }
          ctx.inFirstOfx = !nested && top.parent === tok.root && child(tok.root, "OFX") === top;
        }
        if (ctx.inFirstOfx) {
          const d = draftOf(n, ctx.st);
          if (d) {
            if (!ctx.accountKnown) ctx.accountKnown = readHeader(ctx);
            if (ctx.accountKnown) ctx.add(d);
            else (ctx.waiting ??= []).push(d);
          }
        }
      }
      // the row is read: it leaves the tree
      const i = list.children.lastIndexOf(n);
      if (i >= 0) list.children.splice(i, 1);
    },
  );
  let tail = "";
  for (const chunk of chunks) {
    if (!qfx) {
      // the tag may be cut by a piece boundary
      const win = tail + chunk;
      if (/<INTU\.BID>/i.test(win)) qfx = true;
      tail = win.slice(-10);
    }
    tok.write(chunk);
    for (const r of out) yield r;
    out.length = 0;
  }
  const root = tok.end();
  for (const r of out) yield r;
  out.length = 0;

  const ofx = child(root, "OFX");
  const result: ParseResult = { format: qfx ? "qfx" : "ofx", statements: [], errors: [], warnings: [], skipped: [] };
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

  for (const rs of findAll(ofx, STMT_NAMES)) {
    const ctx = ctxs.get(rs)!;
    const st = ctx.st;
    readHeader(ctx);
    if (ctx.waiting) {
      // rows that came before the account: their ids need it
      for (const d of ctx.waiting) ctx.add(d);
      ctx.waiting = null;
      for (const r of out) yield r;
      out.length = 0;
    }
    const list = child(rs, "BANKTRANLIST");
    st.declaredFrom = isoDay(val(list, "DTSTART"));
    st.declaredTo = isoDay(val(list, "DTEND"));
    const ledger = child(rs, "LEDGERBAL");
    const balAmt = ofxAmount(val(ledger, "BALAMT"));
    if (balAmt !== null) st.closing = { amount: balAmt, date: isoDay(val(ledger, "DTASOF")) };
    if (ledger && balAmt === null) st.warnings.push("the ledger balance is empty");
    st.stats ??= emptyStats();
    st.reconciles = reconcile(st);
    result.statements.push(st);
  }
  if (!result.statements.length && !result.errors.length && !inv.length) result.errors.push("the OFX file holds no bank or credit-card statement");
  return result;
}

/** A whole OFX text → statements with their rows (tests, small files). */
export function parseOfx(text: string): ParseResult {
  return collectRows(streamOfx([text]));
}
