import type { Db } from "@/db/client";
import { AppError } from "@/lib/errors";
import { tooManyDecimals } from "@/lib/money/currency";
import { createManualAccount, listManualAccounts, recordValuation } from "./manual";
import { manualAccountSchema, valuationSchema } from "./schemas";

/**
 * Valuations / holdings from the spreadsheet people already keep, as CSV:
 *   account,date,value[,currency,kind]            e.g.  House,2024-06-30,320000,EUR,property
 *   account,date,quantity,unit_price[,currency,kind]     Bitcoin,2024-06-30,0.5,61000,USD,crypto
 * Accounts are matched by name (case-insensitive) among the user's manual accounts; an
 * unknown name is created when the row gives its currency and kind. All or nothing: any
 * bad row → every error listed by line, nothing written.
 */

/** RFC 4180-ish: commas or semicolons, double-quoted fields with "" escapes. */
export function parseCsv(text: string): string[][] {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      if (row.some((c) => c.trim() !== "")) rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  row.push(cell);
  if (row.some((c) => c.trim() !== "")) rows.push(row);
  return rows;
}

const HEADER_ALIASES: Record<string, string> = {
  account: "account", name: "account", asset: "account",
  date: "date", day: "date",
  value: "value", amount: "value", balance: "value",
  quantity: "quantity", qty: "quantity", units: "quantity",
  unit_price: "unitPrice", unitprice: "unitPrice", price: "unitPrice",
  currency: "currency", kind: "kind", type: "kind",
};

export type ImportResult = { status: "ok"; valuations: number; created: string[] } | { status: "invalid"; errors: string[] };

export async function importValuationsCsv(db: Db, { userId, text }: { userId: string; text: string }): Promise<ImportResult> {
  const rows = parseCsv(text.replace(/^\uFEFF/, ""));
  const header = (rows.shift() ?? []).map((h) => HEADER_ALIASES[h.trim().toLowerCase().replace(/[\s-]+/g, "_")] ?? h.trim());
  const col = (name: string) => header.indexOf(name);
  const errors: string[] = [];
  if (col("account") < 0 || col("date") < 0 || (col("value") < 0 && (col("quantity") < 0 || col("unitPrice") < 0)))
    return { status: "invalid", errors: ["The first line must name the columns: account, date, and value (or quantity and unit_price); currency and kind are optional."] };
  if (rows.length === 0) return { status: "invalid", errors: ["The file has no rows under its header."] };
  if (rows.length > 10_000) return { status: "invalid", errors: ["At most 10,000 rows per file."] };

  const existing = new Map((await listManualAccounts(db, { userId, includeArchived: true })).map((a) => [a.name.trim().toLowerCase(), a]));
  const toCreate = new Map<string, ReturnType<typeof manualAccountSchema.parse>>();
  type Parsed = { key: string; date: string; value?: string; quantity?: string; unitPrice?: string };
  const parsed: Parsed[] = [];
  const get = (r: string[], name: string) => (col(name) >= 0 ? (r[col(name)] ?? "").trim() : "");

  rows.forEach((r, i) => {
    const line = i + 2;
    const name = get(r, "account");
    const key = name.toLowerCase();
    if (!name) return errors.push(`Line ${line}: the account name is empty.`);
    if (!existing.has(key) && !toCreate.has(key)) {
      const acc = manualAccountSchema.safeParse({ name, currency: get(r, "currency"), kind: get(r, "kind") || undefined });
      if (!acc.success)
        return errors.push(`Line ${line}: no manual account named "${name}"; to create it give its currency and kind (${acc.error.issues.map((x) => x.message).join("; ")}).`);
      toCreate.set(key, acc.data);
    }
    const v = valuationSchema.safeParse({
      accountId: "00000000-0000-4000-8000-000000000000",
      date: get(r, "date"),
      value: get(r, "value"),
      quantity: get(r, "quantity"),
      unitPrice: get(r, "unitPrice"),
    });
    if (!v.success) return errors.push(`Line ${line}: ${v.error.issues.map((x) => x.message).join("; ")}.`);
    const currency = existing.get(key)?.currency ?? toCreate.get(key)!.currency;
    const problem = v.data.value === undefined ? null : tooManyDecimals(v.data.value, currency, "the value");
    if (problem) return errors.push(`Line ${line}: ${problem}`);
    parsed.push({ key, date: v.data.date, value: v.data.value, quantity: v.data.quantity, unitPrice: v.data.unitPrice });
  });
  if (errors.length) return { status: "invalid", errors: errors.slice(0, 50) };

  const created: string[] = [];
  await db.transaction(async (tx) => {
    const ids = new Map([...existing].map(([k, a]) => [k, a.id]));
    for (const [k, input] of toCreate) {
      const a = await createManualAccount(tx as unknown as Db, { userId, input });
      ids.set(k, a.id);
      created.push(a.name);
    }
    for (const p of parsed) {
      const accountId = ids.get(p.key);
      if (!accountId) throw new AppError("internal", "account vanished during import");
      await recordValuation(tx as unknown as Db, { userId, input: { accountId, date: p.date, value: p.value, quantity: p.quantity, unitPrice: p.unitPrice } });
    }
  });
  return { status: "ok", valuations: parsed.length, created };
}
