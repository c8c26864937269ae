import { assignIds, expandYear, newStatement, parseAmount, reconcile, ymd, type Balance, type ParseResult, type Statement, type StatementTxn } from "../common";

/**
 * SWIFT MT940: SWIFT blocks `{1:}{2:}{4:…-}{5:}` and bank preambles, `:28:`/`:28C:`,
 * `C`/`D`/`RC`/`RD` with a funds code, decimal comma, multi-line `:86:` with `?` subfields
 * or `/TAG/` structure, non-standard fields, several statements and multi-message statements.
 */

type Field = { tag: string; value: string; line: number };

function splitFields(text: string): { fields: Field[]; starts: number[] } {
  const lines = text
    .replace(/[\u0001\u0003]/g, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  const fields: Field[] = [];
  let cur: Field | null = null;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    // SWIFT envelope: keep only what is inside block 4
    l = l.replace(/\{[1235]:[^{}]*\}/g, "").replace(/^\{4:/, "");
    if (/^-\}?\s*$/.test(l) || /^\s*-\}/.test(l)) {
      cur = null;
      continue;
    }
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(l);
    if (m) {
      cur = { tag: m[1]!, value: m[2]!, line: i + 1 };
      fields.push(cur);
    } else if (cur) {
      cur.value += `\n${l}`;
    }
  }
  return { fields, starts: [] };
}

function balance(v: string): Balance | null {
  const m = /^\s*(C|D)(\d{2})(\d{2})(\d{2})([A-Z]{3})([\d,.]+)/.exec(v);
  if (!m) return null;
  const amt = parseAmount(m[6]!, ",");
  const date = ymd(expandYear(m[2]!), Number(m[3]), Number(m[4]));
  if (amt === null) return null;
  return { amount: m[1] === "D" && amt !== "0" ? `-${amt}` : amt, date };
}

function clean(s: string): string {
  // soft hyphens: a hyphen between digits (ING writes dates 10\u00ad06\u00ad2010), else invisible
  return s.replace(/(\d)\u00ad(?=\d)/g, "$1-").replace(/\u00ad/g, "").replace(/[\t ]+/g, " ").trim();
}

/** `:86:` to a description and counterparty. */
export function describe86(raw: string): { description: string; counterparty: string | null } {
  const joined = raw.replace(/\n/g, "");
  if (/^(\d{3})?\?\d\d/.test(joined) || /^\d{3}[^\n?]{0,40}\?\d\d/.test(joined.slice(0, 60))) {
    const sub = new Map<string, string>();
    for (const m of joined.matchAll(/\?(\d{2})([^?]*)/g)) sub.set(m[1]!, (sub.get(m[1]!) ?? "") + m[2]);
    const purpose = [...sub.entries()].filter(([k]) => (k >= "20" && k <= "29") || (k >= "60" && k <= "63")).map(([, v]) => v).join("");
    const name = clean([sub.get("32"), sub.get("33")].filter(Boolean).join(""));
    const text = clean(purpose) || clean(sub.get("00") ?? "");
    return { description: [name, text].filter(Boolean).join(" — "), counterparty: name || null };
  }
  if (/\/(NAME|REMI|TRTP|IBAN)\//.test(joined)) {
    const tag = (t: string) => new RegExp(`/${t}/(.*?)(?=/(?:TRTP|IBAN|BIC|NAME|REMI|EREF|MARF|CSID|ORDP|BENM|ID|ADDR|CDTRREF|USTD|STRD|PREF|SVCL|ISDT|RTRN|CREF|ISSR)/|$)`).exec(joined)?.[1];
    const name = clean(tag("NAME") ?? "");
    const remi = clean((tag("REMI") ?? "").replace(/^USTD\/\//, ""));
    return { description: [name, remi].filter(Boolean).join(" — ") || clean(joined), counterparty: name || null };
  }
  return { description: clean(raw.replace(/\n+/g, " ")), counterparty: null };
}

export function parseMt940(text: string): ParseResult {
  const result: ParseResult = { format: "mt940", statements: [], errors: [], warnings: [], skipped: [] };
  const { fields } = splitFields(text);
  if (!fields.some((f) => f.tag === "61" || f.tag === "60F" || f.tag === "62F")) {
    result.errors.push("not an MT940 statement: no :60F:/:61:/:62F: fields");
    return result;
  }
  let st: Statement | null = null;
  let drafts: (Omit<StatementTxn, "id"> & { fileId?: string | null })[] = [];
  let lastTxn: (typeof drafts)[number] | null = null;
  const finish = () => {
    if (!st) return;
    assignIds(st, drafts);
    st.reconciles = reconcile(st);
    result.statements.push(st);
    st = null;
    drafts = [];
    lastTxn = null;
  };
  for (const f of fields) {
    switch (f.tag) {
      case "20":
        finish();
        st = newStatement({ accountType: "depository" });
        break;
      case "25": {
        st ??= newStatement({ accountType: "depository" });
        let acct = clean(f.value.split("\n")[0]!);
        const cm = /^(.*?)[\s/]([A-Z]{3})$/.exec(acct);
        if (cm && cm[1]) {
          acct = cm[1];
          st.currency ??= cm[2]!;
        }
        st.account = acct;
        break;
      }
      case "60F":
      case "60M": {
        if (!st) break;
        const b = balance(f.value);
        const cur = /^[CD]\d{6}([A-Z]{3})/.exec(f.value)?.[1];
        if (cur) st.currency = cur;
        if (b) st.opening = b;
        else st.warnings.push(`line ${f.line}: unreadable opening balance`);
        break;
      }
      case "62F":
      case "62M": {
        if (!st) break;
        const b = balance(f.value);
        if (b) st.closing = b;
        else st.warnings.push(`line ${f.line}: unreadable closing balance`);
        lastTxn = null;
        break;
      }
      case "61": {
        st ??= newStatement({ accountType: "depository" });
        const [first, ...supp] = f.value.split("\n");
        const m = /^(\d{2})(\d{2})(\d{2})(\d{4})?\s?(RC|RD|EC|ED|C|D)([A-Z])?(\d+,\d*|\d+)(.*)$/.exec(first!.trim());
        lastTxn = null;
        if (!m) {
          st.rejected.push({ line: f.line, reason: `unreadable :61: line ${JSON.stringify(first!.slice(0, 40))}` });
          break;
        }
        const date = ymd(expandYear(m[1]!), Number(m[2]), Number(m[3]));
        if (!date) {
          st.rejected.push({ line: f.line, reason: `impossible date ${m[1]}${m[2]}${m[3]}` });
          break;
        }
        let entry: string | null = null;
        if (m[4]) {
          // entry date MMDD: same year, or the next/previous one around new year
          const em = Number(m[4].slice(0, 2));
          let ey = Number(date.slice(0, 4));
          const vm = Number(m[2]);
          if (vm === 12 && em === 1) ey++;
          if (vm === 1 && em === 12) ey--;
          entry = ymd(ey, em, Number(m[4].slice(2)));
        }
        const amt = parseAmount(m[7]!, ",");
        if (amt === null) {
          st.rejected.push({ line: f.line, reason: `unreadable amount ${m[7]}` });
          break;
        }
        const mark = m[5]!;
        const negative = mark === "D" || mark === "RC" || mark === "ED";
        let rest = m[8]!.trimStart();
        let type: string | null = null;
        if (/^[NSF][A-Z0-9]{2}[A-Z0-9 ]/.test(rest) && !/^NONREF/.test(rest)) {
          type = rest.slice(0, 4).trim();
          rest = rest.slice(4);
        }
        const [custRef, bankRef] = rest.split("//") as [string, string?];
        drafts.push({
          fileId: bankRef && bankRef.trim() && !/^NONREF$/i.test(bankRef.trim()) ? `${st.account ?? ""}:${bankRef.trim()}` : null,
          line: f.line,
          date: entry ?? date,
          valueDate: date,
          amount: negative && amt !== "0" ? `-${amt}` : amt,
          description: clean(supp.join(" ")),
          counterparty: null,
          pending: false,
          type: mark.startsWith("R") ? "reversal" : type,
          reference: custRef.trim() && !/^NONREF$/i.test(custRef.trim()) ? custRef.trim() : null,
        });
        lastTxn = drafts[drafts.length - 1]!;
        break;
      }
      case "86":
        if (lastTxn) {
          const d = describe86(f.value);
          lastTxn.description = d.description || lastTxn.description;
          lastTxn.counterparty = d.counterparty;
          lastTxn = null;
        }
        break;
      default:
        break;
    }
  }
  finish();
  return result;
}
