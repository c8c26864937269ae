import type { ProviderNotes } from "@/lib/connections/provider-notes";

/**
 * What a provider last said about a connection besides its data (lib/connections/provider-notes.ts):
 * its messages, per-account warnings and holdings. (A request budget is RequestBudgetPanel.)
 */
export function ProviderNotesPanel({ notes }: { notes: ProviderNotes & { provider: string } }) {
  const { provider, messages, accountWarnings, holdings, accountNames } = notes;
  if (!messages.length && !accountWarnings.length && !holdings.length) return null;
  return (
    <div className="space-y-2 border-t border-stone-100 px-5 py-3 text-sm" data-testid="provider-notes">
      {messages.length > 0 && (
        <div role="status" className="rounded-md bg-amber-50 px-3 py-2 text-amber-900">
          <p className="font-medium">{provider} says:</p>
          <ul className="list-disc pl-5">
            {messages.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        </div>
      )}
      {accountWarnings.length > 0 && (
        <ul className="space-y-1" aria-label="Account warnings">
          {accountWarnings.map((w, i) => (
            <li key={i} className="rounded-md bg-amber-50 px-3 py-2 text-amber-900" data-testid="provider-account-warning">
              <span className="font-medium">{(w.providerAccountId && accountNames.get(w.providerAccountId)) ?? "An account"}:</span> {w.message}
            </li>
          ))}
        </ul>
      )}
      {holdings.length > 0 && (
        <details>
          <summary className="cursor-pointer font-medium text-stone-600">Holdings ({holdings.length})</summary>
          <div className="mt-2 overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="text-stone-500">
                <tr>
                  <th className="py-1 pr-3 font-medium">Account</th>
                  <th className="py-1 pr-3 font-medium">Holding</th>
                  <th className="py-1 pr-3 text-right font-medium">Shares</th>
                  <th className="py-1 text-right font-medium">Value</th>
                </tr>
              </thead>
              <tbody>
                {holdings.map((h, i) => (
                  <tr key={i} className="border-t border-stone-100">
                    <td className="py-1 pr-3">{accountNames.get(h.providerAccountId) ?? "—"}</td>
                    <td className="py-1 pr-3">
                      {h.symbol && <span className="font-mono">{h.symbol} </span>}
                      <span className="text-stone-600">{h.description}</span>
                    </td>
                    <td className="py-1 pr-3 text-right tabular-nums">{h.shares ?? "—"}</td>
                    <td className="py-1 text-right tabular-nums">{h.marketValue !== null ? `${h.marketValue} ${h.currency}` : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </div>
  );
}
