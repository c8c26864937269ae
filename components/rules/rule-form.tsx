"use client";

import { CategoryOptions } from "@/components/transactions/category-options";
import { useRef, useState, useTransition } from "react";
import { createRuleAction, previewRuleAction } from "@/lib/actions/rules";
import { formatDate, formatMoney } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";

type Preview = { count: number; sample: { id: string; date: string; description: string; amount: string; currency: string }[] };
const select = "block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500";

/**
 * A rule: conditions (text, direction, amount range, account) → actions (category, rename,
 * mark as transfer, hide). "Preview" counts the past rows it would change before anything is
 * written; saving applies it to new transactions, or to past ones too.
 */
export function RuleForm({ accounts, ownCategories }: { accounts: { value: string; label: string }[]; ownCategories: string[] }) {
  const form = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string>();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, start] = useTransition();

  const values = () => Object.fromEntries([...new FormData(form.current!).entries()].map(([k, v]) => [k, String(v)]));
  const fail = (r: { status: string; fieldErrors?: Record<string, string[]>; formError?: string; message?: string }) => {
    setErrors(r.fieldErrors ?? {});
    setFormError(r.formError ?? r.message);
  };

  const doPreview = () =>
    start(async () => {
      setSaved(null);
      const r = await previewRuleAction(undefined, values());
      if (r.status === "success") {
        setErrors({});
        setFormError(undefined);
        setPreview(r.data);
      } else {
        setPreview(null);
        fail(r);
      }
    });
  const save = (apply: "new" | "past") =>
    start(async () => {
      const r = await createRuleAction(undefined, { ...values(), apply });
      if (r.status === "success") {
        setErrors({});
        setFormError(undefined);
        setPreview(null);
        form.current!.reset();
        setSaved(apply === "past" ? `Rule saved and applied to ${r.data.applied} past transaction${r.data.applied === 1 ? "" : "s"}.` : "Rule saved. It applies to new transactions as they sync.");
      } else fail(r);
    });
  const err = (k: string) => errors[k];

  return (
    <form
      ref={form}
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        doPreview();
      }}
      onChange={() => setPreview(null)}
    >
      <fieldset className="space-y-3">
        <legend className="text-xs font-semibold uppercase tracking-wide text-stone-500">When a transaction…</legend>
        <Field label="Merchant or description contains" name="matchText" maxLength={100} placeholder="e.g. uber" errors={err("matchText")} />
        <div className="grid gap-3 sm:grid-cols-3">
          <div className="space-y-1">
            <label htmlFor="f-direction" className="block text-sm font-medium text-stone-700">
              Direction
            </label>
            <select id="f-direction" name="direction" defaultValue="any" className={select}>
              <option value="any">Money in or out</option>
              <option value="out">Money out</option>
              <option value="in">Money in</option>
            </select>
          </div>
          <Field label="Amount from" name="amountMin" inputMode="decimal" placeholder="0.00" errors={err("amountMin")} />
          <Field label="Amount to" name="amountMax" inputMode="decimal" placeholder="any" errors={err("amountMax")} />
        </div>
        <div className="space-y-1">
          <label htmlFor="f-accountId" className="block text-sm font-medium text-stone-700">
            In account
          </label>
          <select id="f-accountId" name="accountId" defaultValue="" className={select}>
            <option value="">Any account</option>
            {accounts.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
          {err("accountId") && <p className="text-sm text-red-600">{err("accountId")!.join(" ")}</p>}
        </div>
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-xs font-semibold uppercase tracking-wide text-stone-500">…then</legend>
        <div className="space-y-1">
          <label htmlFor="f-setCategory" className="block text-sm font-medium text-stone-700">
            Set category
          </label>
          <select id="f-setCategory" name="setCategory" defaultValue="" className={select} aria-invalid={Boolean(err("setCategory")) || undefined} aria-describedby={err("setCategory") ? "f-setCategory-error" : undefined}>
            <option value="">Keep the category</option>
            <CategoryOptions own={ownCategories} />
          </select>
          {err("setCategory") && (
            <p id="f-setCategory-error" role="alert" className="text-sm text-red-600">
              {err("setCategory")!.join(" ")}
            </p>
          )}
        </div>
        <Field label="Rename merchant to" name="renameTo" maxLength={100} placeholder="Keep the name" errors={err("renameTo")} />
        <div className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" name="markTransfer" className="h-4 w-4" /> Mark as transfer (left out of spending and income)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" name="hide" className="h-4 w-4" /> Hide the transaction
          </label>
        </div>
      </fieldset>
      <FormError message={formError} />
      {preview && (
        <div role="status" className="rounded-md border border-brand-200 bg-brand-50 px-3 py-2 text-sm text-brand-900" data-testid="rule-preview">
          <p className="font-medium">
            {preview.count === 0 ? "No past transaction would change." : `${preview.count} past transaction${preview.count === 1 ? "" : "s"} would change.`}
          </p>
          {preview.sample.length > 0 && (
            <ul className="mt-1 space-y-0.5 text-xs">
              {preview.sample.map((s) => (
                <li key={s.id} className="flex justify-between gap-2">
                  <span className="truncate">
                    {formatDate(s.date)} · {s.description}
                  </span>
                  <span className="tabular whitespace-nowrap">{formatMoney(s.amount, s.currency, { signed: true })}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {saved && (
        <p role="status" className="text-sm text-emerald-700">
          {saved}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="secondary" disabled={pending}>
          Preview
        </Button>
        <Button type="button" disabled={pending} onClick={() => save("new")}>
          Save rule
        </Button>
        {preview && preview.count > 0 && (
          <Button type="button" disabled={pending} onClick={() => save("past")}>
            Save and apply to {preview.count} past
          </Button>
        )}
      </div>
    </form>
  );
}
