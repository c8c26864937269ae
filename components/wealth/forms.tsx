"use client";

import { useActionState, useState } from "react";
import { saveManualAccountAction } from "@/lib/actions/save-manual-account";
import { recordValuationAction } from "@/lib/actions/record-valuation";
import { addManualTransactionAction } from "@/lib/actions/add-manual-transaction";
import { importValuationsAction } from "@/lib/actions/import-valuations";
import { archiveManualAccountAction } from "@/lib/actions/archive-manual-account";
import { deleteValuationAction } from "@/lib/actions/delete-valuation";
import { updateValuationAction } from "@/lib/actions/update-valuation";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { KIND_LABELS, KNOWN_CURRENCIES, MANUAL_ASSET_KINDS, MANUAL_LIABILITY_KINDS } from "@/lib/wealth/kinds";
import type { ActionResult } from "@/lib/actions/safe-action";

function Status({ state }: { state: ActionResult<unknown> }) {
  if (state.status === "success" && state.message)
    return (
      <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {state.message}
      </p>
    );
  return <FormError message={state.status === "error" ? state.message : state.status === "invalid" ? state.formError : undefined} />;
}

const selectClass = "block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm focus:ring-2 focus:ring-brand-500";

function Select({ label, name, errors, children, defaultValue }: { label: string; name: string; errors?: string[]; children: React.ReactNode; defaultValue?: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor={`f-${name}`} className="block text-sm font-medium text-stone-700">
        {label}
      </label>
      <select id={`f-${name}`} name={name} defaultValue={defaultValue} className={selectClass} aria-invalid={errors?.length ? true : undefined}>
        {children}
      </select>
      {errors?.length ? (
        <p className="text-sm text-red-600" role="alert">
          {errors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}

export type ManualAccountFormValues = { id?: string; name?: string; kind?: string; currency?: string; institution?: string | null; note?: string | null };

export function ManualAccountForm({ initial, baseCurrency }: { initial?: ManualAccountFormValues; baseCurrency: string }) {
  const [state, action, pending] = useActionState(saveManualAccountAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  const v = state.status === "invalid" ? state.values ?? {} : {};
  const key = state.status === "success" ? JSON.stringify(state.data) : "form";
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-2" noValidate key={key} aria-label={initial?.id ? "Edit account" : "Add an account or asset"}>
      <div className="sm:col-span-2">
        <Status state={state} />
      </div>
      {initial?.id && <input type="hidden" name="id" value={initial.id} />}
      <Field label="Name" name="name" defaultValue={v.name ?? initial?.name ?? ""} errors={fe.name} placeholder="e.g. Flat in Lisbon" />
      <Select label="Type" name="kind" errors={fe.kind} defaultValue={v.kind ?? initial?.kind ?? "property"}>
        <optgroup label="Assets">
          {MANUAL_ASSET_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </optgroup>
        <optgroup label="Liabilities">
          {MANUAL_LIABILITY_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </optgroup>
      </Select>
      <Select label="Currency" name="currency" errors={fe.currency} defaultValue={v.currency ?? initial?.currency ?? baseCurrency}>
        {KNOWN_CURRENCIES.map((c) => (
          <option key={c}>{c}</option>
        ))}
      </Select>
      <Field label="Held at (optional)" name="institution" defaultValue={v.institution ?? initial?.institution ?? ""} errors={fe.institution} placeholder="Broker, wallet, lender…" />
      <div className="sm:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : initial?.id ? "Save" : "Add"}
        </Button>
      </div>
    </form>
  );
}

export function ValuationForm({ accountId, today, holding }: { accountId: string; today: string; holding?: boolean }) {
  const [state, action, pending] = useActionState(recordValuationAction, { status: "idle" });
  const [mode, setMode] = useState<"value" | "holding">(holding ? "holding" : "value");
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  const v = state.status === "invalid" ? state.values ?? {} : {};
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-3" noValidate aria-label="Record a valuation">
      <div className="sm:col-span-3">
        <Status state={state} />
      </div>
      <input type="hidden" name="accountId" value={accountId} />
      <fieldset className="flex gap-4 text-sm sm:col-span-3">
        <legend className="sr-only">Value as</legend>
        <label className="flex items-center gap-1">
          <input type="radio" name="mode" checked={mode === "value"} onChange={() => setMode("value")} /> A value
        </label>
        <label className="flex items-center gap-1">
          <input type="radio" name="mode" checked={mode === "holding"} onChange={() => setMode("holding")} /> Quantity × unit price
        </label>
      </fieldset>
      <Field label="Date" name="date" type="date" max={today} defaultValue={v.date ?? today} errors={fe.date} />
      {mode === "value" ? (
        <Field label="Value" name="value" inputMode="decimal" defaultValue={v.value ?? ""} errors={fe.value} placeholder="320000" />
      ) : (
        <>
          <Field label="Quantity" name="quantity" inputMode="decimal" defaultValue={v.quantity ?? ""} errors={fe.quantity ?? fe.value} />
          <Field label="Unit price" name="unitPrice" inputMode="decimal" defaultValue={v.unitPrice ?? ""} errors={fe.unitPrice} />
        </>
      )}
      <div className="sm:col-span-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Record valuation"}
        </Button>
      </div>
    </form>
  );
}

export function ManualTransactionForm({ accountId, today }: { accountId: string; today: string }) {
  const [state, action, pending] = useActionState(addManualTransactionAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  const v = state.status === "invalid" ? state.values ?? {} : {};
  return (
    <form action={action} className="grid gap-3 sm:grid-cols-3" noValidate aria-label="Add a transaction">
      <div className="sm:col-span-3">
        <Status state={state} />
      </div>
      <input type="hidden" name="accountId" value={accountId} />
      <Field label="Date" name="date" type="date" max={today} defaultValue={v.date ?? today} errors={fe.date} />
      <Field label="Amount (negative = out)" name="amount" inputMode="decimal" defaultValue={v.amount ?? ""} errors={fe.amount} />
      <Field label="Description" name="description" defaultValue={v.description ?? ""} errors={fe.description} />
      <div className="sm:col-span-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Add transaction"}
        </Button>
      </div>
    </form>
  );
}

export function ImportValuationsForm() {
  const [state, action, pending] = useActionState(importValuationsAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form action={action} className="space-y-3" noValidate aria-label="Import valuations">
      <Status state={state} />
      <div className="space-y-1">
        <label htmlFor="f-file" className="block text-sm font-medium text-stone-700">
          CSV file
        </label>
        <input id="f-file" name="file" type="file" accept=".csv,text/csv" className="block text-sm" aria-describedby="import-help" />
        <p id="import-help" className="text-xs text-stone-500">
          Columns: <code>account, date, value</code> or <code>account, date, quantity, unit_price</code>; add <code>currency, kind</code> to create accounts that don&apos;t exist yet.
        </p>
        {fe.file?.length ? (
          <ul className="list-disc pl-5 text-sm text-red-600" role="alert">
            {fe.file.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        ) : null}
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Importing…" : "Import"}
      </Button>
    </form>
  );
}

export function ArchiveButton({ id, archived }: { id: string; archived: boolean }) {
  const [state, action, pending] = useActionState(archiveManualAccountAction, { status: "idle" });
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="archived" value={archived ? "false" : "true"} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {archived ? "Restore" : "Archive"}
      </Button>
      {state.status === "error" && (
        <span role="alert" className="ml-2 text-sm text-red-600">
          {state.message}
        </span>
      )}
    </form>
  );
}

export type ValuationRow = { id: string; date: string; value: string; quantity: string | null; unitPrice: string | null };

/** Edit (date, value or quantity × unit price) and delete for one recorded valuation. */
export function ValuationRowActions({ accountId, valuation, today }: { accountId: string; valuation: ValuationRow; today: string }) {
  const [editing, setEditing] = useState(false);
  const [del, deleteAction, deleting] = useActionState(deleteValuationAction, { status: "idle" });
  const [state, action, pending] = useActionState(updateValuationAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  const v = state.status === "invalid" ? state.values ?? {} : {};
  const holding = valuation.quantity !== null && valuation.unitPrice !== null;
  const trim = (s: string | null) => (s ?? "").replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
  return (
    <div className="space-y-2">
      <div className="flex justify-end gap-2 text-xs">
        <button type="button" className="text-brand-700 hover:underline" onClick={() => setEditing((e) => !e)} aria-expanded={editing} aria-label={`Edit the valuation of ${valuation.date}`}>
          {editing ? "Cancel" : "Edit"}
        </button>
        <form action={deleteAction}>
          <input type="hidden" name="id" value={valuation.id} />
          <button type="submit" className="text-red-700 hover:underline" disabled={deleting} aria-label={`Delete the valuation of ${valuation.date}`}>
            Delete
          </button>
        </form>
      </div>
      {del.status === "error" && (
        <p role="alert" className="text-sm text-red-600">
          {del.message}
        </p>
      )}
      {editing && (
        <form action={action} className="grid gap-2 sm:grid-cols-3" noValidate aria-label={`Edit the valuation of ${valuation.date}`}>
          <div className="sm:col-span-3">
            <Status state={state} />
          </div>
          <input type="hidden" name="id" value={valuation.id} />
          <input type="hidden" name="accountId" value={accountId} />
          <Field id={`v-${valuation.id}-date`} label="Date" name="date" type="date" max={today} defaultValue={v.date ?? valuation.date} errors={fe.date} />
          {holding ? (
            <>
              <Field id={`v-${valuation.id}-quantity`} label="Quantity" name="quantity" inputMode="decimal" defaultValue={v.quantity ?? trim(valuation.quantity)} errors={fe.quantity ?? fe.value} />
              <Field id={`v-${valuation.id}-unitPrice`} label="Unit price" name="unitPrice" inputMode="decimal" defaultValue={v.unitPrice ?? trim(valuation.unitPrice)} errors={fe.unitPrice} />
            </>
          ) : (
            <Field id={`v-${valuation.id}-value`} label="Value" name="value" inputMode="decimal" defaultValue={v.value ?? trim(valuation.value)} errors={fe.value} />
          )}
          <div className="sm:col-span-3">
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : "Save valuation"}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
