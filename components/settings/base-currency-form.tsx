"use client";

import { useActionState } from "react";
import { setBaseCurrencyAction } from "@/lib/actions/set-base-currency";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";
import { KNOWN_CURRENCIES } from "@/lib/wealth/kinds";

/** Base currency: the Overview and net worth convert every amount into it at its own day's ECB rate. */
export function BaseCurrencyForm({ current }: { current: string }) {
  const [state, action, pending] = useActionState(setBaseCurrencyAction, { status: "idle" });
  const fe = state.status === "invalid" ? state.fieldErrors : {};
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" noValidate>
      <div className="space-y-1">
        <label htmlFor="f-baseCurrency" className="block text-sm font-medium text-stone-700">
          Base currency
        </label>
        <select id="f-baseCurrency" name="baseCurrency" defaultValue={current} className="block rounded-md border border-stone-300 bg-white px-3 py-2 text-sm">
          {KNOWN_CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      <div className="w-full text-sm">
        {state.status === "success" && (
          <p role="status" className="text-emerald-800">
            {state.message}
          </p>
        )}
        {fe.baseCurrency && (
          <p role="alert" className="text-red-600">
            {fe.baseCurrency.join(" ")}
          </p>
        )}
        <FormError message={state.status === "error" ? state.message : undefined} />
        <p className="mt-1 text-xs text-stone-500">Each amount is converted at the rate of its own date. Source: ECB statistics.</p>
      </div>
    </form>
  );
}
