"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { confirmTransferAction } from "@/lib/actions/confirm-transfer";
import { deleteTransactionAction } from "@/lib/actions/delete-transaction";
import type { ActionResult } from "@/lib/actions/safe-action";
import { formatDate, formatMoney, isNegative } from "@/lib/format/money";
import type { TransactionRow } from "@/lib/transactions/query";
import { CategoryPicker } from "./category-picker";
import { EditableCell } from "./editable-cell";

const errorOf = (r: ActionResult<unknown>) =>
  r.status === "error" ? r.message : r.status === "invalid" ? (Object.values(r.fieldErrors).flat()[0] ?? r.formError ?? "That did not work.") : "That did not work.";

/** One transaction, read like a receipt: who, how much, from which account, when, what happened to it. */
export function RowDetail({ t }: { t: TransactionRow }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null);
  const run = (fn: () => Promise<ActionResult<unknown>>, done: string) =>
    start(async () => {
      const r = await fn();
      if (r.status === "success") {
        setMessage({ text: done });
        router.refresh();
      } else setMessage({ text: errorOf(r), error: true });
    });
  const x = t.transfer;
  const name = t.merchant ?? t.description;
  return (
    <article className="max-w-2xl space-y-3 rounded-lg border border-stone-200 bg-white p-4" data-testid="row-detail" aria-label={`Transaction ${name}`}>
      <header className="flex flex-wrap items-start justify-between gap-2 border-b border-dashed border-stone-300 pb-3">
        <div className="min-w-0">
          <div className="text-base font-semibold break-words">{name}</div>
          {t.merchant && t.merchant !== t.description && <div className="text-xs break-words text-stone-600">{t.description}</div>}
        </div>
        <div className={`tabular text-lg font-semibold ${isNegative(t.amount) ? "" : "text-emerald-700"}`}>{formatMoney(t.amount, t.currency, { signed: true })}</div>
      </header>
      <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm">
        <dt className="text-stone-600">Account</dt>
        <dd>{t.accountName}</dd>
        <dt className="text-stone-600">Category</dt>
        <dd>
          <CategoryPicker id={t.id} value={t.category} edited={t.userEditedFields.includes("category")} />
        </dd>
        <dt className="text-stone-600">Type</dt>
        <dd>{t.type ?? "—"}</dd>
        {t.counterparty && (
          <>
            <dt className="text-stone-600">Counterparty</dt>
            <dd className="break-words">{t.counterparty}</dd>
          </>
        )}
        <dt className="text-stone-600">{t.pending ? "Date" : "Posted"}</dt>
        <dd>{formatDate(t.date)}</dd>
        {t.authorizedDate && (
          <>
            <dt className="text-stone-600">Authorized</dt>
            <dd>{formatDate(t.authorizedDate)}</dd>
          </>
        )}
        <dt className="text-stone-600">Status</dt>
        <dd data-testid="pending-history">
          {t.pending ? "Pending — the bank has not posted it yet" : t.pendingTransactionId ? "Posted; it was pending first (same row, your edits kept)" : "Posted"}
        </dd>
        {t.excluded && (
          <>
            <dt className="text-stone-600">Totals</dt>
            <dd>Left out of totals and reports</dd>
          </>
        )}
        <dt className="text-stone-600">Note</dt>
        <dd>
          <EditableCell id={t.id} field="note" value={t.note} edited={t.userEditedFields.includes("note")} placeholder="Add a note" multiline />
        </dd>
      </dl>
      {x && (
        <section aria-label="Transfer" className="rounded-md bg-sky-50 p-3 text-sm" data-testid="transfer-pair">
          <p>
            {x.confirmed ? "Confirmed transfer" : "Looks like a transfer"} {isNegative(t.amount) ? "to" : "from"} <strong>{x.accountName}</strong>:{" "}
            <Link href={`/transactions?account=${x.accountId}&from=${x.date}&to=${x.date}`} className="font-medium text-brand-700 underline">
              {formatMoney(x.amount, x.currency, { signed: true })} on {formatDate(x.date)}
            </Link>
            . Transfers are not counted as spending or income.
          </p>
          <div className="mt-2 flex flex-wrap gap-2">
            {!x.confirmed && (
              <button type="button" disabled={pending} onClick={() => run(() => confirmTransferAction(undefined, { id: t.id, decision: "confirm" }), "Confirmed as a transfer.")} className="rounded-md bg-brand-600 px-2.5 py-1 font-medium text-white disabled:opacity-50">
                Confirm transfer
              </button>
            )}
            <button type="button" disabled={pending} onClick={() => run(() => confirmTransferAction(undefined, { id: t.id, decision: "undo" }), "No longer a transfer.")} className="rounded-md bg-white px-2.5 py-1 font-medium ring-1 ring-stone-300 disabled:opacity-50">
              Not a transfer
            </button>
          </div>
        </section>
      )}
      <div className="flex flex-wrap items-center gap-2 border-t border-dashed border-stone-300 pt-3 text-sm">
        <button
          type="button"
          disabled={pending}
          onClick={() => run(() => deleteTransactionAction(undefined, { id: t.id, action: t.excluded ? "include" : "exclude" }), t.excluded ? "Counted in totals again." : "Left out of totals.")}
          className="rounded-md bg-white px-2.5 py-1 font-medium ring-1 ring-stone-300 disabled:opacity-50"
        >
          {t.excluded ? "Count in totals" : "Hide from totals"}
        </button>
        <button
          type="button"
          disabled={pending}
          onClick={() => {
            if (confirm("Delete this transaction? It stays deleted after every sync.")) run(() => deleteTransactionAction(undefined, { id: t.id, action: "delete" }), "Deleted.");
          }}
          className="rounded-md bg-white px-2.5 py-1 font-medium text-red-700 ring-1 ring-stone-300 disabled:opacity-50"
        >
          Delete
        </button>
        {message && (
          <p role={message.error ? "alert" : "status"} className={message.error ? "text-red-700" : "text-emerald-800"}>
            {message.text}
          </p>
        )}
      </div>
      <details className="text-xs">
        <summary className="cursor-pointer text-stone-600">Raw data from the bank</summary>
        <pre className="mt-1 max-h-64 overflow-auto rounded bg-stone-900 p-3 text-stone-100" tabIndex={0}>
          {JSON.stringify(t.raw, null, 2)}
        </pre>
      </details>
    </article>
  );
}
