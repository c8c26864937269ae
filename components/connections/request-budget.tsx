import type { RequestBudget } from "@/lib/sync/budget";

const utcTime = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });

/**
 * Today's request budget of a provider that counts requests per day (the connector's
 * `planRequests`): how much is spent, what is kept for "Refresh now", when it refills and
 * what an unfinished backfill still wants. Shown for any such connector, by capability.
 */
export function RequestBudgetPanel({ budget: { provider, plan } }: { budget: RequestBudget }) {
  const used = Math.min(plan.used, plan.perDay);
  const pct = plan.perDay > 0 ? Math.round((used / plan.perDay) * 100) : 100;
  return (
    <div className="space-y-1 border-t border-stone-100 px-5 py-3 text-sm text-stone-600" data-testid="request-budget">
      <p>
        {used} of {plan.perDay} {provider} requests used today (UTC); refills at {utcTime.format(plan.resetsAt)} UTC.
        {plan.reserve > 0 && <> Scheduled refreshes leave the last {plan.reserve} for Refresh now.</>}
      </p>
      <div aria-hidden="true" className="h-1.5 w-full max-w-xs overflow-hidden rounded-full bg-stone-100">
        <div className={`h-full ${used >= plan.perDay ? "bg-amber-500" : "bg-brand-500"}`} style={{ width: `${pct}%` }} />
      </div>
      {plan.optional > 0 && <p>Older history still to import: about {plan.optional} more requests, spent as the budget allows.</p>}
    </div>
  );
}
