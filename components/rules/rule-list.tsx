"use client";

import { useState, useTransition } from "react";
import { applyRuleAction, deleteRuleAction, toggleRuleAction } from "@/lib/actions/rules";
import { EmptyState } from "@/components/ui/empty-state";

type Rule = {
  id: string;
  enabled: boolean;
  matchText: string | null;
  amountMin: string | null;
  amountMax: string | null;
  direction: "any" | "out" | "in";
  accountName: string | null;
  setCategory: string | null;
  renameTo: string | null;
  markTransfer: boolean;
  hide: boolean;
};

export function describeRule(r: Omit<Rule, "id" | "enabled">): { when: string; then: string } {
  const when = [
    r.matchText && `contains “${r.matchText}”`,
    r.direction === "out" ? "is money out" : r.direction === "in" ? "is money in" : null,
    r.amountMin && r.amountMax ? `amount ${r.amountMin}–${r.amountMax}` : r.amountMin ? `amount ≥ ${r.amountMin}` : r.amountMax ? `amount ≤ ${r.amountMax}` : null,
    r.accountName && `in ${r.accountName}`,
  ].filter(Boolean);
  const then = [r.setCategory && `category → ${r.setCategory}`, r.renameTo && `rename → ${r.renameTo}`, r.markTransfer && "mark as transfer", r.hide && "hide"].filter(Boolean);
  return { when: when.join(", "), then: then.join(", ") };
}

/** The user's rules in the order they run; later rules win a field. */
export function RuleList({ rules }: { rules: Rule[] }) {
  const [message, setMessage] = useState<{ id: string; text: string; error?: boolean } | null>(null);
  const [pending, start] = useTransition();
  if (!rules.length) return <EmptyState title="No rules yet" description="Create one to categorise or tidy transactions automatically." />;

  const run = (id: string, fn: () => Promise<{ status: string; message?: string; data?: unknown }>, ok: (data: unknown) => string) =>
    start(async () => {
      const r = await fn();
      setMessage(r.status === "success" ? { id, text: ok(r.data) } : { id, text: r.message ?? "Could not do that.", error: true });
    });

  return (
    <ol className="divide-y divide-stone-100" data-testid="rule-list">
      {rules.map((r, i) => {
        const d = describeRule(r);
        return (
          <li key={r.id} className="py-3 text-sm" data-testid="rule">
            <div className="flex flex-wrap items-start justify-between gap-2">
              <p className={r.enabled ? "" : "text-stone-500"}>
                <span className="mr-1 text-xs text-stone-500">{i + 1}.</span>
                When it {d.when}: <strong>{d.then}</strong>
                {!r.enabled && <span className="ml-1 text-xs uppercase">(off)</span>}
              </p>
              <div className="flex flex-wrap gap-2">
                <button type="button" disabled={pending} className="text-brand-700 underline disabled:opacity-50" onClick={() => run(r.id, () => applyRuleAction(undefined, { id: r.id }), (d) => `Applied to ${(d as { applied: number }).applied} past transactions.`)}>
                  Apply to past
                </button>
                <button type="button" disabled={pending} className="text-stone-700 underline disabled:opacity-50" onClick={() => run(r.id, () => toggleRuleAction(undefined, { id: r.id, enabled: !r.enabled }), () => (r.enabled ? "Turned off." : "Turned on."))}>
                  {r.enabled ? "Turn off" : "Turn on"}
                </button>
                <button
                  type="button"
                  disabled={pending}
                  className="text-red-700 underline disabled:opacity-50"
                  onClick={() => {
                    if (confirm("Delete this rule? Transactions it already changed keep their values.")) run(r.id, () => deleteRuleAction(undefined, { id: r.id }), () => "Deleted.");
                  }}
                >
                  Delete
                </button>
              </div>
            </div>
            {message?.id === r.id && (
              <p role={message.error ? "alert" : "status"} className={`mt-1 text-xs ${message.error ? "text-red-600" : "text-emerald-700"}`}>
                {message.text}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
