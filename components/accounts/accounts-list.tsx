import Link from "next/link";
import type { AccountListItem } from "@/lib/accounts/query";
import { accountTypeLabel, formatMoney, isNegative } from "@/lib/format";
import { Badge } from "@/components/ui/badge";

/** Accounts grouped by connection, with balances. */
export function AccountsList({ accounts }: { accounts: AccountListItem[] }) {
  const groups = new Map<string, AccountListItem[]>();
  for (const a of accounts) {
    const list = groups.get(a.connectionId) ?? [];
    list.push(a);
    groups.set(a.connectionId, list);
  }
  return (
    <div className="space-y-6">
      {[...groups.values()].map((list) => (
        <div key={list[0]!.connectionId}>
          <h3 className="mb-2 text-xs font-semibold uppercase tracking-wide text-stone-500">
            {list[0]!.institutionName ?? list[0]!.connectionName}
            {list[0]!.connectionStatus === "disconnected" && <span className="ml-2 normal-case"><Badge tone="gray">disconnected — history kept</Badge></span>}
          </h3>
          <ul className="divide-y divide-stone-100 rounded-lg border border-stone-200">
            {list.map((a) => (
              <li key={a.id} className="flex items-center justify-between gap-4 px-4 py-3">
                <div className="min-w-0">
                  <Link href={`/accounts/${a.id}`} className="truncate font-medium hover:underline">
                    {a.name}
                  </Link>
                  <div className="text-xs text-stone-500">
                    {[accountTypeLabel(a.type, a.subtype), a.mask && `•••• ${a.mask}`, a.currency].filter(Boolean).join(" · ")}
                    {a.closedAt && <Badge tone="gray">closed</Badge>}
                  </div>
                </div>
                <div className={`tabular text-right font-medium ${isNegative(a.currentBalance) ? "text-red-700" : ""}`}>
                  {formatMoney(a.currentBalance, a.currency)}
                  {a.availableBalance !== null && a.availableBalance !== a.currentBalance && (
                    <div className="text-xs font-normal text-stone-500">{formatMoney(a.availableBalance, a.currency)} available</div>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
