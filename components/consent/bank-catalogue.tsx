import type { CatalogEntry } from "@/lib/consent/catalog";
import { StartConsentButton } from "./start-consent-button";
import { Button } from "@/components/ui/button";

const FLAGS: Record<string, string> = { RO: "🇷🇴", BG: "🇧🇬" };

/** The PSD2 bank catalogue: search by name or country, then start a guided consent. */
export function BankCatalogue({ connectorId, banks, q, country, countries }: { connectorId: string; banks: CatalogEntry[]; q?: string; country?: string; countries: string[] }) {
  return (
    <div className="space-y-4">
      <form className="flex flex-wrap items-end gap-2" role="search" aria-label="Find your bank">
        <input type="hidden" name="connector" value={connectorId} />
        <label className="text-xs font-medium text-stone-600">
          Bank name or BIC
          <input name="q" defaultValue={q} className="block rounded-md border border-stone-300 px-2.5 py-1.5 text-sm" placeholder="e.g. Transilvania" />
        </label>
        <label className="text-xs font-medium text-stone-600">
          Country
          <select name="country" defaultValue={country ?? ""} className="block rounded-md border border-stone-300 px-2.5 py-1.5 text-sm">
            <option value="">All countries</option>
            {countries.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" variant="secondary">
          Search
        </Button>
      </form>
      {banks.length === 0 ? (
        <p className="text-sm text-stone-500" role="status">
          No bank matches. Try another name or country.
        </p>
      ) : (
        <ul className="divide-y divide-stone-100 rounded-lg border border-stone-200" aria-label="Banks">
          {banks.map((b) => (
            <li key={b.skillCode} className="flex items-center justify-between gap-3 px-4 py-3">
              <div>
                <div className="font-medium">
                  <span aria-hidden>{FLAGS[b.country ?? ""] ?? "🏦"}</span> {b.name}
                </div>
                <div className="text-xs text-stone-500">
                  {b.country} · {b.bic} · consent up to {b.maxConsentDays} days · {b.maxHistoryDays} days of history
                </div>
              </div>
              <StartConsentButton skillCode={b.skillCode} label="Connect" ariaLabel={`Connect ${b.name}`} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
