import { todayUtc } from "@/lib/dates";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financialAccounts, transactions } from "@/db/schema";
import type { TransactionFilters } from "./filters";
import { apiTransaction } from "@/lib/api/v1/serialize";
import { fixedForCurrency } from "@/lib/money/currency";
import { queryTransactions, type TransactionRow } from "./query";

/**
 * Export exactly the filtered transactions, streamed: rows come from the database in
 * keyset batches and go out as they are formatted, so memory stays flat whatever the
 * row count. Formats: CSV (RFC 4180), JSON, OFX 2.2.
 */

export const EXPORT_FORMATS = ["csv", "json", "ofx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_BATCH = 1000;

/** Every matching row, batch by batch (same filters and sort as the table, any length). */
export async function* exportBatches(
  db: Db,
  { userId, filters, batchSize = EXPORT_BATCH }: { userId: string; filters: TransactionFilters; batchSize?: number },
): AsyncGenerator<TransactionRow[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await queryTransactions(db, { userId, filters: { ...filters, limit: batchSize, cursor } });
    if (page.rows.length) yield page.rows;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

// ------------------------------------------------------------------ CSV

export const CSV_COLUMNS = ["date", "authorized_date", "account", "description", "merchant", "counterparty", "category", "type", "amount", "currency", "pending", "note", "id"] as const;

/**
 * A free-text cell a spreadsheet would run as a formula (= + - @, tab, CR) gets a
 * leading apostrophe. Amounts are not free text and stay numeric.
 */
export function neutraliseFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvRow(t: TransactionRow): string {
  const text = (s: string | null) => csvCell(neutraliseFormula(s ?? ""));
  return [
    t.date,
    t.authorizedDate ?? "",
    text(t.accountName),
    text(t.description),
    text(t.merchant),
    text(t.counterparty),
    text(t.category),
    text(t.type),
    fixedForCurrency(t.amount, t.currency),
    t.currency,
    t.pending ? "true" : "false",
    text(t.note),
    t.id,
  ].join(",");
}

// ------------------------------------------------------------------ OFX

const xml = (s: string | null | undefined) => (s ?? "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const ofxDate = (d: string) => d.replaceAll("-", "");

function ofxTrn(t: TransactionRow): string {
  const amount = fixedForCurrency(t.amount, t.currency);
  const type = t.type === "fee" ? "FEE" : t.type === "interest" ? "INT" : amount.startsWith("-") ? "DEBIT" : "CREDIT";
  return `<STMTTRN><TRNTYPE>${type}</TRNTYPE><DTPOSTED>${ofxDate(t.date)}</DTPOSTED>${t.authorizedDate ? `<DTUSER>${ofxDate(t.authorizedDate)}</DTUSER>` : ""}<TRNAMT>${amount}</TRNAMT><FITID>${t.id}</FITID><NAME>${xml((t.merchant ?? t.description).slice(0, 32))}</NAME><MEMO>${xml(t.description.slice(0, 255))}</MEMO></STMTTRN>\n`;
}

// ------------------------------------------------------------------ streams

/** The export as a byte stream pulled batch by batch (back-pressure from the client). */
/**
 * `onDone(rows)` runs once the whole file has been streamed (not when the download is
 * cancelled): the audit trail records each completed export with its row count.
 */
export function exportStream(
  db: Db,
  { userId, filters, format, onDone }: { userId: string; filters: TransactionFilters; format: ExportFormat; onDone?: (rows: number) => Promise<void> | void },
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let rows = 0;
  const done = async () => {
    try {
      await onDone?.(rows);
    } catch {
      // An audit failure must not break a finished download.
    }
  };
  if (format === "ofx") {
    const parts = ofxParts(db, userId, filters);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await parts.next();
          if (next.done) {
            await done();
            controller.close();
          } else {
            rows += next.value.split("<STMTTRN>").length - 1;
            controller.enqueue(enc.encode(next.value));
          }
        } catch (e) {
          controller.error(e);
        }
      },
      async cancel() {
        await parts.return(undefined);
      },
    });
  }
  const batches = exportBatches(db, { userId, filters });
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          if (format === "csv") controller.enqueue(enc.encode(`\uFEFF${CSV_COLUMNS.join(",")}\r\n`));
          if (format === "json") controller.enqueue(enc.encode(`{"transactions":[`));
          return;
        }
        const next = await batches.next();
        if (next.done) {
          if (format === "json") controller.enqueue(enc.encode(`\n]}\n`));
          await done();
          controller.close();
          return;
        }
        rows += next.value.length;
        let out = "";
        for (const t of next.value) {
          if (format === "csv") out += `${csvRow(t)}\r\n`;
          else {
            out += `${first ? "" : ","}\n${JSON.stringify(apiTransaction(t))}`;
            first = false;
          }
        }
        controller.enqueue(enc.encode(out));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}

type OfxAccount = { id: string; type: string; subtype: string | null; currency: string; currentBalance: string | null; balanceUpdatedAt: Date | null };

/** OFX account type of a bank account (credit cards get a credit-card statement instead). */
export function ofxBankAccountType(a: { type: string; subtype: string | null }): "CHECKING" | "SAVINGS" | "MONEYMRKT" | "CREDITLINE" {
  const sub = (a.subtype ?? "").toLowerCase();
  if (a.type === "credit" || a.type === "loan" || sub.includes("line of credit")) return "CREDITLINE";
  if (sub.includes("money market")) return "MONEYMRKT";
  if (sub.includes("saving") || sub === "cd" || sub.includes("deposit")) return "SAVINGS";
  return "CHECKING";
}

const isCard = (a: { type: string; subtype: string | null }) => a.type === "credit" && (a.subtype == null || /card/i.test(a.subtype));

/**
 * OFX 2.2, conformant: bank accounts in BANKMSGSRSV1 (STMTRS, ACCTTYPE from the account),
 * credit cards in CREDITCARDMSGSRSV1 (CCSTMTRS); every statement ends with a LEDGERBAL;
 * pending rows are left out (OFX has no pending transactions). Read account by account.
 */
async function* ofxParts(db: Db, userId: string, filters: TransactionFilters): AsyncGenerator<string> {
  const now = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  yield `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>${now}</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>\n`;
  const accounts = await exportAccounts(db, userId, filters);
  const bank = accounts.filter((a) => !isCard(a));
  const cards = accounts.filter(isCard);
  for (const [group, list, card] of [["BANKMSGSRSV1", bank, false], ["CREDITCARDMSGSRSV1", cards, true]] as const) {
    let opened = false;
    for (const a of list) {
      let open = false;
      for await (const rows of exportBatches(db, { userId, filters: { ...filters, account: [a.id], sort: "date", order: "asc" } })) {
        let out = "";
        for (const t of rows) {
          if (t.pending) continue;
          if (!open) {
            if (!opened) out += `<${group}>\n`;
            opened = open = true;
            const from = card ? `<CCACCTFROM><ACCTID>${a.id}</ACCTID></CCACCTFROM>` : `<BANKACCTFROM><BANKID>LEDGERLINK</BANKID><ACCTID>${a.id}</ACCTID><ACCTTYPE>${ofxBankAccountType(a)}</ACCTTYPE></BANKACCTFROM>`;
            out += `<${card ? "CCSTMTTRNRS" : "STMTTRNRS"}><TRNUID>${a.id}</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><${card ? "CCSTMTRS" : "STMTRS"}><CURDEF>${a.currency}</CURDEF>${from}<BANKTRANLIST><DTSTART>${ofxDate(filters.from ?? "19700101")}</DTSTART><DTEND>${ofxDate(filters.to ?? now.slice(0, 8))}</DTEND>\n`;
          }
          out += ofxTrn(t);
        }
        if (out) yield out;
      }
      if (open) {
        const bal = await ledgerBalance(db, userId, a);
        yield `</BANKTRANLIST><LEDGERBAL><BALAMT>${bal.amount}</BALAMT><DTASOF>${bal.asOf}</DTASOF></LEDGERBAL></${card ? "CCSTMTRS" : "STMTRS"}></${card ? "CCSTMTTRNRS" : "STMTTRNRS"}>\n`;
      }
    }
    if (opened) yield `</${group}>\n`;
  }
  yield `</OFX>\n`;
}

/** The account's balance as the bank reported it; for an account without one, the sum of its booked rows. */
async function ledgerBalance(db: Db, userId: string, a: OfxAccount): Promise<{ amount: string; asOf: string }> {
  const fmt = (v: string) => fixedForCurrency(v, a.currency);
  if (a.currentBalance != null) return { amount: fmt(a.currentBalance), asOf: (a.balanceUpdatedAt ?? new Date()).toISOString().replace(/[-:T]/g, "").slice(0, 14) };
  const [r] = await db
    .select({ s: sql<string>`coalesce(sum(${transactions.amount}), 0)::text`, d: sql<string | null>`max(${transactions.date})::text` })
    .from(transactions)
    .where(and(eq(transactions.userId, userId), eq(transactions.accountId, a.id), eq(transactions.pending, false), isNull(transactions.deletedAt)));
  return { amount: fmt(r?.s ?? "0"), asOf: ofxDate(r?.d ?? todayUtc()) };
}

async function exportAccounts(db: Db, userId: string, filters: TransactionFilters): Promise<OfxAccount[]> {
  const rows = await db
    .select({
      id: financialAccounts.id,
      type: financialAccounts.type,
      subtype: financialAccounts.subtype,
      currency: financialAccounts.currency,
      currentBalance: financialAccounts.currentBalance,
      balanceUpdatedAt: financialAccounts.balanceUpdatedAt,
    })
    .from(financialAccounts)
    .where(and(eq(financialAccounts.userId, userId), filters.account?.length ? inArray(financialAccounts.id, filters.account) : undefined))
    .orderBy(financialAccounts.createdAt, financialAccounts.id);
  return rows;
}

export function exportFileName(format: ExportFormat, f: TransactionFilters, today = todayUtc()): string {
  const range = f.from || f.to ? `${f.from ?? "start"}_to_${f.to ?? today}` : `all_to_${today}`;
  return `ledgerlink-transactions-${range}.${format}`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  ofx: "application/x-ofx; charset=utf-8",
};
