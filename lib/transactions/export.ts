import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { financialAccounts } from "@/db/schema";
import type { TransactionFilters } from "./filters";
import { apiTransaction } from "@/lib/api/v1/serialize";
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
    t.amount.replace(/(\.\d\d)0{1,2}$/, "$1"),
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
  const amount = t.amount.replace(/(\.\d\d)0{1,2}$/, "$1");
  const type = t.type === "fee" ? "FEE" : t.type === "interest" ? "INT" : amount.startsWith("-") ? "DEBIT" : "CREDIT";
  return `<STMTTRN><TRNTYPE>${type}</TRNTYPE><DTPOSTED>${ofxDate(t.date)}</DTPOSTED>${t.authorizedDate ? `<DTUSER>${ofxDate(t.authorizedDate)}</DTUSER>` : ""}<TRNAMT>${amount}</TRNAMT><FITID>${t.id}</FITID><NAME>${xml((t.merchant ?? t.description).slice(0, 32))}</NAME><MEMO>${xml(t.description.slice(0, 255))}</MEMO></STMTTRN>\n`;
}

// ------------------------------------------------------------------ streams

/** The export as a byte stream pulled batch by batch (back-pressure from the client). */
export function exportStream(db: Db, { userId, filters, format }: { userId: string; filters: TransactionFilters; format: ExportFormat }): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  // OFX groups statements by account, so it reads account by account.
  const batches =
    format === "ofx" ? ofxAccountBatches(db, userId, filters) : exportBatches(db, { userId, filters });
  let started = false;
  let first = true;
  let currentAccount: string | null = null;
  const now = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const closeStmt = () => `</BANKTRANLIST></STMTRS></STMTTRNRS>\n`;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!started) {
          started = true;
          if (format === "csv") controller.enqueue(enc.encode(`\uFEFF${CSV_COLUMNS.join(",")}\r\n`));
          if (format === "json") controller.enqueue(enc.encode(`{"transactions":[`));
          if (format === "ofx")
            controller.enqueue(
              enc.encode(
                `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>${now}</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n`,
              ),
            );
          return;
        }
        const next = await batches.next();
        if (next.done) {
          if (format === "json") controller.enqueue(enc.encode(`\n]}\n`));
          if (format === "ofx") controller.enqueue(enc.encode(`${currentAccount ? closeStmt() : ""}</BANKMSGSRSV1></OFX>\n`));
          controller.close();
          return;
        }
        let out = "";
        for (const t of next.value) {
          if (format === "csv") out += `${csvRow(t)}\r\n`;
          else if (format === "json") {
            out += `${first ? "" : ","}\n${JSON.stringify(apiTransaction(t))}`;
            first = false;
          } else {
            if (t.accountId !== currentAccount) {
              if (currentAccount) out += closeStmt();
              currentAccount = t.accountId;
              out += `<STMTTRNRS><TRNUID>${t.accountId}</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><STMTRS><CURDEF>${t.currency}</CURDEF><BANKACCTFROM><BANKID>LEDGERLINK</BANKID><ACCTID>${t.accountId}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM><BANKTRANLIST><DTSTART>${ofxDate(filters.from ?? "19700101")}</DTSTART><DTEND>${ofxDate(filters.to ?? now.slice(0, 8))}</DTEND>\n`;
            }
            out += ofxTrn(t);
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

async function* ofxAccountBatches(db: Db, userId: string, filters: TransactionFilters): AsyncGenerator<TransactionRow[]> {
  const accounts = filters.account?.length ? filters.account : await distinctAccounts(db, userId);
  for (const account of accounts) {
    yield* exportBatches(db, { userId, filters: { ...filters, account: [account], sort: "date", order: "asc" } });
  }
}

async function distinctAccounts(db: Db, userId: string): Promise<string[]> {
  const rows = await db.select({ id: financialAccounts.id }).from(financialAccounts).where(eq(financialAccounts.userId, userId));
  return rows.map((r) => r.id);
}

export function exportFileName(format: ExportFormat, f: TransactionFilters, today = new Date().toISOString().slice(0, 10)): string {
  const range = f.from || f.to ? `${f.from ?? "start"}_to_${f.to ?? today}` : `all_to_${today}`;
  return `ledgerlink-transactions-${range}.${format}`;
}

export const EXPORT_CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  ofx: "application/x-ofx; charset=utf-8",
};
