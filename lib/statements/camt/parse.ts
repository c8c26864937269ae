import { XMLParser } from "fast-xml-parser";
import { assignIds, isoDay, lineIndex, neg, newStatement, parseAmount, reconcile, type ParseResult, type Statement, type StatementTxn } from "../common";

/**
 * ISO 20022 bank-to-customer statements (camt.053, any version) and account reports
 * (camt.052). fast-xml-parser with value parsing OFF: amounts and references stay strings.
 */

type X = Record<string, unknown> | string | undefined;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ["Stmt", "Rpt", "Ntfctn", "Ntry", "Bal", "TxDtls", "Ustrd", "AddtlNtryInf"].includes(name),
});

function get(x: X, ...path: string[]): X {
  let cur: X = x;
  for (const p of path) {
    if (cur == null || typeof cur === "string") return undefined;
    const v: unknown = (cur as Record<string, unknown>)[p];
    cur = Array.isArray(v) ? (v[0] as X) : (v as X);
  }
  return cur;
}
function str(x: X, ...path: string[]): string | null {
  const v = get(x, ...path);
  if (v == null) return null;
  if (typeof v === "string") return v.trim() || null;
  const t = (v as Record<string, unknown>)["#text"];
  return typeof t === "string" ? t.trim() || null : null;
}
function arr(x: X, key: string): Record<string, unknown>[] {
  if (x == null || typeof x === "string") return [];
  const v = (x as Record<string, unknown>)[key];
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : v == null ? [] : [v as Record<string, unknown>];
}
function texts(x: X, key: string): string[] {
  if (x == null || typeof x === "string") return [];
  const v = (x as Record<string, unknown>)[key];
  const list = Array.isArray(v) ? v : v == null ? [] : [v];
  return list.map((e) => (typeof e === "string" ? e : String((e as Record<string, unknown>)["#text"] ?? ""))).map((s) => s.trim()).filter(Boolean);
}
function ccy(x: X, ...path: string[]): string | null {
  const v = get(x, ...path);
  return v && typeof v !== "string" ? ((v as Record<string, unknown>)["@Ccy"] as string | undefined) ?? null : null;
}
function day(x: X): string | null {
  return isoDay(str(x, "Dt")) ?? isoDay(str(x, "DtTm"));
}

const NO_REF = /^(NONREF|NOTPROVIDED|NOT PROVIDED|NONE)$/i;

export function parseCamt(text: string): ParseResult {
  const kind = /camt\.052/.test(text) || /<(\w+:)?BkToCstmrAcctRpt[\s>]/.test(text) ? "camt052" : "camt053";
  const result: ParseResult = { format: kind, statements: [], errors: [], warnings: [], skipped: [] };
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    result.errors.push(`the XML cannot be read: ${(e as Error).message.split("\n")[0]}`);
    return result;
  }
  const document = get(doc, "Document");
  const container = get(document, "BkToCstmrStmt") ?? get(document, "BkToCstmrAcctRpt") ?? get(document, "BkToCstmrDbtCdtNtfctn");
  if (!container) {
    result.errors.push("not a CAMT bank-to-customer message (no BkToCstmrStmt/BkToCstmrAcctRpt)");
    return result;
  }
  const stmts = [...arr(container, "Stmt"), ...arr(container, "Rpt"), ...arr(container, "Ntfctn")];
  if (!stmts.length) {
    result.errors.push("the CAMT message holds no statement (no <Stmt>/<Rpt>)");
    return result;
  }
  // entry line numbers: the n-th <Ntry> element in document order
  const lineOf = lineIndex(text);
  const ntryLines: number[] = [];
  for (const m of text.matchAll(/<(?:\w+:)?Ntry[\s>]/g)) ntryLines.push(lineOf(m.index));
  let ntryIdx = 0;

  for (const s of stmts) {
    const acct = get(s, "Acct");
    const st: Statement = newStatement({
      account: str(acct, "Id", "IBAN") ?? str(acct, "Id", "Othr", "Id"),
      currency: str(acct, "Ccy"),
      accountType: "depository",
      declaredFrom: isoDay(str(s, "FrToDt", "FrDtTm")),
      declaredTo: isoDay(str(s, "FrToDt", "ToDtTm")),
    });
    const entries = arr(s, "Ntry");
    if (!st.currency) st.currency = ccy(entries[0], "Amt") ?? null;
    if (str(s, "CpyDplctInd")) st.warnings.push(`the bank marks this statement as a ${str(s, "CpyDplctInd") === "DUPL" ? "duplicate" : "copy"} (CpyDplctInd ${str(s, "CpyDplctInd")}); rows already imported are skipped`);
    for (const b of arr(s, "Bal")) {
      const code = str(b, "Tp", "CdOrPrtry", "Cd") ?? str(b, "Tp", "CdOrPrtry", "Prtry");
      const amt = parseAmount(str(b, "Amt"), ".");
      if (!code || amt === null) continue;
      const signed = str(b, "CdtDbtInd") === "DBIT" ? neg(amt) : amt;
      const bc = ccy(b, "Amt");
      if (!st.currency) st.currency = bc;
      if (bc && st.currency && bc !== st.currency) {
        st.warnings.push(`balance ${code} is in ${bc}, the account in ${st.currency}: ignored`);
        continue;
      }
      const bal = { amount: signed, date: day(get(b, "Dt")) };
      if ((code === "OPBD" || code === "PRCD") && !st.opening) st.opening = bal;
      if (code === "CLBD") st.closing = bal;
    }
    const drafts: (Omit<StatementTxn, "id"> & { fileId?: string | null })[] = [];
    for (const e of entries) {
      const line = ntryLines[ntryIdx++] ?? 0;
      const rawAmt = str(e, "Amt");
      const amount = parseAmount(rawAmt, ".");
      const ind = str(e, "CdtDbtInd");
      if (amount === null || (ind !== "CRDT" && ind !== "DBIT")) {
        st.rejected.push({ line, reason: amount === null ? `unreadable amount ${JSON.stringify(rawAmt)}` : "no credit/debit indicator" });
        continue;
      }
      const status = str(e, "Sts", "Cd") ?? str(e, "Sts");
      if (status === "INFO") {
        st.rejected.push({ line, reason: "informational entry (status INFO), not booked" });
        continue;
      }
      const date = day(get(e, "BookgDt")) ?? day(get(e, "ValDt"));
      if (!date) {
        st.rejected.push({ line, reason: "no valid booking or value date" });
        continue;
      }
      const tx = arr(get(e, "NtryDtls"), "TxDtls");
      const reversal = str(e, "RvslInd") === "true";
      const counterparties: string[] = [];
      const remit: string[] = [];
      for (const t of tx) {
        const parties = get(t, "RltdPties");
        const other = ind === "CRDT" ? "Dbtr" : "Cdtr";
        const nm = str(parties, other, "Nm") ?? str(parties, other, "Pty", "Nm");
        if (nm) counterparties.push(nm);
        remit.push(...texts(get(t, "RmtInf"), "Ustrd"));
        const ref = str(t, "RmtInf", "Strd", "CdtrRefInf", "Ref");
        if (ref) remit.push(ref);
      }
      const addtl = texts(e, "AddtlNtryInf");
      const counterparty = counterparties[0] ?? null;
      const description = [counterparty, ...remit, ...(remit.length ? [] : addtl)].filter(Boolean).join(" — ") || addtl.join(" ") || (reversal ? "Reversal" : "");
      const acctRef = str(e, "AcctSvcrRef");
      const ntryRef = str(e, "NtryRef");
      const fileId = acctRef && !NO_REF.test(acctRef) ? acctRef : ntryRef && !NO_REF.test(ntryRef) ? `ntry:${ntryRef}` : null;
      drafts.push({
        fileId,
        line,
        date,
        valueDate: day(get(e, "ValDt")),
        amount: ind === "DBIT" ? neg(amount) : amount,
        description,
        counterparty,
        pending: status === "PDNG",
        type: reversal ? "reversal" : (str(e, "BkTxCd", "Domn", "Fmly", "SubFmlyCd") ?? str(e, "BkTxCd", "Prtry", "Cd")),
        reference: str(tx[0], "Refs", "EndToEndId"),
      });
    }
    assignIds(st, drafts);
    st.reconciles = reconcile(st);
    result.statements.push(st);
  }
  return result;
}
