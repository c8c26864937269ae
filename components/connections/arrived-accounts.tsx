import Link from "next/link";
import { accountTypeLabel, formatDateRange, formatMoney, isNegative } from "@/lib/format";
import type { ArrivedAccount } from "@/lib/connections/names";
import { RenameForm } from "./rename-form";

/** A connection's accounts: name (renamable), type and mask, balance, and the dates its transactions cover. */
export function ConnectionAccountList({ accounts, rename = true }: { accounts: ArrivedAccount[]; rename?: boolean }) {
  if (!accounts.length) return <p className="text-sm text-stone-600">No accounts yet.</p>;
  return (
    <ul className="divide-y divide-stone-100 text-sm" data-testid="connection-accounts">
      {accounts.map((a) => (
        <li key={a.id} className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1 py-2" data-testid="connection-account">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-1">
              <Link href={`/accounts/${a.id}`} className="font-medium hover:underline" data-testid="account-name">
                {a.name}
              </Link>
              {rename && <RenameForm kind="account" id={a.id} name={a.name} label={a.name} />}
            </div>
            <div className="text-xs text-stone-600">
              {[accountTypeLabel(a.type, a.subtype), a.mask && `•••• ${a.mask}`, a.currency].filter(Boolean).join(" · ")}
              {" · "}
              <span data-testid="account-coverage">
                {a.transactions > 0 && a.firstDate && a.lastDate
                  ? `${a.transactions.toLocaleString("en-US")} transaction${a.transactions === 1 ? "" : "s"}, ${formatDateRange(a.firstDate, a.lastDate)}`
                  : "no transactions yet"}
              </span>
            </div>
          </div>
          <div className={`tabular shrink-0 font-medium ${isNegative(a.currentBalance) ? "text-red-700" : ""}`}>{formatMoney(a.currentBalance, a.currency)}</div>
        </li>
      ))}
    </ul>
  );
}
