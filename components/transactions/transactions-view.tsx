import Link from "next/link";
import type { Db } from "@/db/client";
import { listAccounts } from "@/lib/accounts/query";
import { filtersToSearchParams, parseFilters, type FilterInput, type SortKey } from "@/lib/transactions/filters";
import { groupByMerchant, listCategories, queryTransactions } from "@/lib/transactions/query";
import { EmptyState } from "@/components/ui/empty-state";
import { DataTable } from "./data-table";
import { FilterBar } from "./filter-bar";
import { MerchantGroups } from "./merchant-groups";

/**
 * The transaction table with its filters, views, export and keyset pager. Everything is
 * driven by the URL (parsed by the one filter schema), so a view survives reload, can be
 * shared, and "Export" exports exactly it. Used by /transactions and /accounts/[id].
 */
export async function TransactionsView({
  db,
  userId,
  searchParams,
  basePath,
  fixedAccount,
}: {
  db: Db;
  userId: string;
  searchParams: FilterInput & { view?: string | string[] };
  basePath: string;
  fixedAccount?: string;
}) {
  const { view: rawView, ...rest } = searchParams as Record<string, string | string[] | undefined>;
  const view = rawView === "merchants" ? "merchants" : "list";
  const parsed = parseFilters(fixedAccount ? { ...rest, account: fixedAccount } : rest);
  const [accounts, categories] = await Promise.all([listAccounts(db, { userId, includeHidden: true }), listCategories(db, { userId })]);
  const accountOptions = accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.currency})` }));

  if (!parsed.ok) {
    return (
      <div className="space-y-4">
        <FilterBar filters={{}} accounts={accountOptions} categories={categories} fixedAccount={fixedAccount} fieldErrors={parsed.fieldErrors} />
        <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800">
          <p className="font-medium">Some filters are not valid, so nothing is shown rather than the wrong rows:</p>
          <ul className="mt-1 list-disc pl-5">
            {Object.entries(parsed.fieldErrors).map(([k, v]) => (
              <li key={k}>
                <strong>{k}</strong>: {v.join(" ")}
              </li>
            ))}
          </ul>
          <Link href={basePath} className="mt-2 inline-block font-medium underline">
            Reset filters
          </Link>
        </div>
      </div>
    );
  }

  const f = parsed.filters;
  const shareable = filtersToSearchParams(fixedAccount ? { ...f, account: undefined } : f);
  const href = (extra: Record<string, string | undefined>) => {
    const p = new URLSearchParams(shareable);
    for (const [k, v] of Object.entries(extra)) {
      p.delete(k);
      if (v !== undefined) p.set(k, v);
    }
    return `${basePath}${p.size ? `?${p}` : ""}`;
  };
  const sortHref = Object.fromEntries(
    (["date", "amount", "merchant"] as SortKey[]).map((k) => {
      const order = f.sort === k ? (f.order === "desc" ? "asc" : "desc") : k === "merchant" ? "asc" : "desc";
      return [k, href({ sort: k === "date" ? undefined : k, order: order === "desc" ? undefined : order, view: view === "merchants" ? "merchants" : undefined })];
    }),
  ) as Record<SortKey, string>;
  const exportQuery = filtersToSearchParams(f, { paging: false });
  const exportHref = (format: string) => {
    const p = new URLSearchParams(exportQuery);
    p.set("format", format);
    return `/api/v1/export?${p}`;
  };

  const hasAny = accounts.length > 0;
  if (!hasAny) return <EmptyState title="Link your first bank" description="Transactions appear here once an account is linked." action={{ href: "/connections/new", label: "Link your first bank" }} />;

  return (
    <div className="space-y-4">
      <FilterBar filters={f} accounts={accountOptions} categories={categories} fixedAccount={fixedAccount} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <nav aria-label="View" className="flex gap-1 rounded-lg bg-stone-100 p-1 text-sm">
          <Link href={href({ view: undefined })} aria-current={view === "list" ? "page" : undefined} className={`rounded-md px-3 py-1 ${view === "list" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            Transactions
          </Link>
          <Link href={href({ view: "merchants" })} aria-current={view === "merchants" ? "page" : undefined} className={`rounded-md px-3 py-1 ${view === "merchants" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            By merchant
          </Link>
        </nav>
        <div className="flex items-center gap-2 text-sm">
          <span className="text-stone-500">Export this view:</span>
          {(["csv", "json", "ofx"] as const).map((fmt) => (
            <a key={fmt} href={exportHref(fmt)} download className="rounded-md px-2 py-1 font-medium text-brand-700 ring-1 ring-stone-200 hover:bg-stone-50">
              {fmt.toUpperCase()}
            </a>
          ))}
        </div>
      </div>
      {view === "merchants" ? (
        <MerchantsBody db={db} userId={userId} filters={f} />
      ) : (
        <ListBody db={db} userId={userId} filters={f} sortHref={sortHref} firstHref={href({ cursor: undefined })} nextHref={(c) => href({ cursor: c })} />
      )}
    </div>
  );
}

async function ListBody({
  db,
  userId,
  filters,
  sortHref,
  firstHref,
  nextHref,
}: {
  db: Db;
  userId: string;
  filters: Parameters<typeof queryTransactions>[1]["filters"];
  sortHref: Record<SortKey, string>;
  firstHref: string;
  nextHref: (cursor: string) => string;
}) {
  const page = await queryTransactions(db, { userId, filters, withRaw: true });
  if (!page.rows.length)
    return (
      <div className="rounded-xl border border-dashed border-stone-300 bg-white px-6 py-10 text-center text-sm text-stone-500" role="status">
        No transactions match these filters{filters.cursor ? " on this page" : ""}.{" "}
        {filters.cursor && (
          <Link href={firstHref} className="font-medium text-brand-700 underline">
            Back to the first page
          </Link>
        )}
      </div>
    );
  return (
    <>
      <DataTable rows={page.rows} sort={filters.sort} order={filters.order} sortHref={sortHref} />
      <nav aria-label="Pages" className="flex items-center justify-between text-sm">
        <span className="text-stone-500">
          {page.rows.length} row{page.rows.length === 1 ? "" : "s"} on this page{page.nextCursor ? ", more follow" : ""}
        </span>
        <span className="flex gap-2">
          {filters.cursor && (
            <Link href={firstHref} className="rounded-md px-3 py-1.5 ring-1 ring-stone-200 hover:bg-stone-50">
              ← First page
            </Link>
          )}
          {page.nextCursor && (
            <Link href={nextHref(page.nextCursor)} className="rounded-md px-3 py-1.5 ring-1 ring-stone-200 hover:bg-stone-50">
              Next page →
            </Link>
          )}
        </span>
      </nav>
    </>
  );
}

async function MerchantsBody({ db, userId, filters }: { db: Db; userId: string; filters: Parameters<typeof queryTransactions>[1]["filters"] }) {
  const groups = await groupByMerchant(db, { userId, filters });
  if (!groups.length) return <p className="text-sm text-stone-500">No transactions match these filters.</p>;
  return <MerchantGroups groups={groups} />;
}
