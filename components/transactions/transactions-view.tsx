import Link from "next/link";
import { InvalidFilters } from "@/components/transactions/invalid-filters";
import type { Db } from "@/db/client";
import { listAccounts } from "@/lib/accounts/query";
import { filtersToSearchParams, parseFilters, type FilterInput, type SortKey } from "@/lib/transactions/filters";
import { groupByMerchant, listCategories, listTypes, queryTransactions, summarizeTransactions } from "@/lib/transactions/query";
import { transferCounterparts } from "@/lib/transactions/transfers";
import { AppError } from "@/lib/errors";
import { formatDate, formatMoney, isNegative } from "@/lib/format";
import { EmptyState } from "@/components/ui/empty-state";
import { DataTable } from "./data-table";
import { FilterBar, type FilterValues } from "./filter-bar";
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
  const [accounts, categories, types] = await Promise.all([listAccounts(db, { userId, includeHidden: true }), listCategories(db, { userId }), listTypes(db, { userId })]);
  const accountOptions = accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.currency})` }));

  if (!parsed.ok) {
    return (
      <div className="space-y-4">
        <FilterBar values={rawValues(rest)} accounts={accountOptions} categories={categories} types={types} fixedAccount={fixedAccount} fieldErrors={parsed.fieldErrors} />
        <InvalidFilters what="Some filters are not valid, so nothing is shown rather than the wrong rows:" fieldErrors={parsed.fieldErrors} href={basePath} linkLabel="Reset filters" />
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
      <FilterBar values={f} accounts={accountOptions} categories={categories} types={types} fixedAccount={fixedAccount} />
      <ActiveFilters filters={f} accounts={accountOptions} fixedAccount={fixedAccount} href={href} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <nav aria-label="View" className="flex gap-1 rounded-lg bg-stone-100 p-1 text-sm">
          <Link href={href({ view: undefined })} aria-current={view === "list" ? "page" : undefined} className={`rounded-md px-3 py-1 ${view === "list" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            Transactions
          </Link>
          <Link href={href({ view: "merchants" })} aria-current={view === "merchants" ? "page" : undefined} className={`rounded-md px-3 py-1 ${view === "merchants" ? "bg-white shadow-sm" : "text-stone-600"}`}>
            By merchant
          </Link>
        </nav>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-stone-500">Export this view:</span>
          {(["csv", "json", "ofx"] as const).map((fmt) => (
            <a key={fmt} href={exportHref(fmt)} download className="rounded-md px-2 py-1 font-medium text-brand-700 ring-1 ring-stone-200 hover:bg-stone-50">
              {fmt.toUpperCase()}
            </a>
          ))}
        </div>
      </div>
      {view === "merchants" ? (
        <MerchantsBody db={db} userId={userId} filters={f} rowsHref={(m) => href({ view: undefined, cursor: undefined, merchant: m })} />
      ) : (
        <ListBody db={db} userId={userId} filters={f} sortHref={sortHref} firstHref={href({ cursor: undefined })} pageHref={(c) => href({ cursor: c })} categories={categories} />
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
  pageHref,
  categories,
}: {
  db: Db;
  userId: string;
  filters: Parameters<typeof queryTransactions>[1]["filters"];
  sortHref: Record<SortKey, string>;
  firstHref: string;
  pageHref: (cursor: string) => string;
  categories: string[];
}) {
  let page;
  try {
    page = await queryTransactions(db, { userId, filters, withRaw: true });
  } catch (e) {
    // A stale or tampered page link: say so and offer the way back instead of an error page.
    if (!(e instanceof AppError)) throw e;
    return (
      <div role="alert" className="rounded-xl border border-amber-200 bg-amber-50 px-6 py-6 text-sm text-amber-900">
        <p>{e.message}</p>
        <Link href={firstHref} className="mt-2 inline-block font-medium underline">
          Go to the first page
        </Link>
      </div>
    );
  }
  const [totals, pairs] = await Promise.all([
    summarizeTransactions(db, { userId, filters }),
    transferCounterparts(db, { userId, ids: page.rows.filter((r) => r.transferId).map((r) => r.id) }),
  ]);
  const rows = page.rows.map((r) => ({ ...r, transfer: pairs.get(r.id) ?? null }));
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
      <Totals totals={totals} />
      <DataTable rows={rows} sort={filters.sort} order={filters.order} sortHref={sortHref} ownCategories={categories} />
      <nav aria-label="Pages" className="flex items-center justify-between text-sm">
        <span className="text-stone-500">
          {page.rows.length} row{page.rows.length === 1 ? "" : "s"} on this page{page.nextCursor ? ", more follow" : ""}
        </span>
        <span className="flex gap-2">
          {page.prevCursor ? (
            <Link href={pageHref(page.prevCursor)} className="rounded-md px-3 py-1.5 ring-1 ring-stone-200 hover:bg-stone-50">
              ← Previous page
            </Link>
          ) : (
            filters.cursor && (
              <Link href={firstHref} className="rounded-md px-3 py-1.5 ring-1 ring-stone-200 hover:bg-stone-50">
                ← First page
              </Link>
            )
          )}
          {page.nextCursor && (
            <Link href={pageHref(page.nextCursor)} className="rounded-md px-3 py-1.5 ring-1 ring-stone-200 hover:bg-stone-50">
              Next page →
            </Link>
          )}
        </span>
      </nav>
    </>
  );
}

async function MerchantsBody({
  db,
  userId,
  filters,
  rowsHref,
}: {
  db: Db;
  userId: string;
  filters: Parameters<typeof queryTransactions>[1]["filters"];
  rowsHref: (merchant: string) => string;
}) {
  const groups = await groupByMerchant(db, { userId, filters });
  if (!groups.length) return <p className="text-sm text-stone-500">No transactions match these filters.</p>;
  const links = Object.fromEntries(groups.map((g) => [g.merchant, rowsHref(g.merchant)]));
  return <MerchantGroups groups={groups} rowsHref={links} />;
}

/** The form's values when the URL did not parse: what was typed, so nothing the user entered disappears. */
function rawValues(raw: Record<string, string | string[] | undefined>): FilterValues {
  const one = (k: string) => {
    const v = raw[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const many = (k: string) => {
    const v = raw[k];
    return v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => (k === "account" ? x.split(",") : [x])).filter(Boolean);
  };
  return {
    from: one("from"),
    to: one("to"),
    q: one("q"),
    min: one("min"),
    max: one("max"),
    direction: one("direction"),
    pending: one("pending"),
    account: many("account"),
    category: many("category"),
    type: many("type"),
    exclude_type: many("exclude_type"),
    merchant: many("merchant"),
    sort: one("sort"),
    order: one("order"),
  };
}

/** The count and money in / out / net of everything the filter matches (all pages), per currency. */
function Totals({ totals }: { totals: Awaited<ReturnType<typeof summarizeTransactions>> }) {
  return (
    <div className="flex flex-wrap gap-x-6 gap-y-2 rounded-xl border border-stone-200 bg-white px-4 py-3 text-sm" data-testid="filter-totals">
      {totals.map((t) => (
        <dl key={t.currency} className="flex flex-wrap items-baseline gap-x-4 gap-y-1" data-currency={t.currency}>
          <div className="flex gap-1.5">
            <dt className="text-stone-500">Transactions</dt>
            <dd className="tabular font-medium" data-testid="totals-count">
              {t.count.toLocaleString("en-US")}
            </dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-stone-500">In</dt>
            <dd className="tabular font-medium text-emerald-700" data-testid="totals-in" data-amount={t.moneyIn}>
              {formatMoney(t.moneyIn, t.currency)}
            </dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-stone-500">Out</dt>
            <dd className="tabular font-medium" data-testid="totals-out" data-amount={t.moneyOut}>
              {formatMoney(t.moneyOut, t.currency)}
            </dd>
          </div>
          <div className="flex gap-1.5">
            <dt className="text-stone-500">Net</dt>
            <dd className={`tabular font-semibold ${isNegative(t.net) ? "" : "text-emerald-700"}`} data-testid="totals-net" data-amount={t.net}>
              {formatMoney(t.net, t.currency, { signed: true })}
            </dd>
          </div>
        </dl>
      ))}
    </div>
  );
}

/** One removable chip per active filter value. */
function ActiveFilters({
  filters: f,
  accounts,
  fixedAccount,
  href,
}: {
  filters: Parameters<typeof queryTransactions>[1]["filters"];
  accounts: { value: string; label: string }[];
  fixedAccount?: string;
  href: (extra: Record<string, string | undefined>) => string;
}) {
  const p = filtersToSearchParams(fixedAccount ? { ...f, account: undefined } : f);
  const without = (key: string, value?: string) => {
    const q = new URLSearchParams(p);
    if (value === undefined) q.delete(key);
    else {
      const rest = q.getAll(key).filter((v) => v !== value);
      q.delete(key);
      rest.forEach((v) => q.append(key, v));
    }
    const base = href({ cursor: undefined }).split("?")[0]!;
    return `${base}${q.size ? `?${q}` : ""}`;
  };
  const chips: { label: string; to: string }[] = [];
  if (f.from) chips.push({ label: `From ${formatDate(f.from)}`, to: without("from") });
  if (f.to) chips.push({ label: `To ${formatDate(f.to)}`, to: without("to") });
  if (f.q) chips.push({ label: `“${f.q}”`, to: without("q") });
  if (f.min) chips.push({ label: `≥ ${f.min}`, to: without("min") });
  if (f.max) chips.push({ label: `≤ ${f.max}`, to: without("max") });
  if (f.direction) chips.push({ label: f.direction === "in" ? "Money in" : "Money out", to: without("direction") });
  if (f.pending !== "include") chips.push({ label: f.pending === "only" ? "Pending only" : "Posted only", to: without("pending") });
  if (!fixedAccount) for (const a of f.account ?? []) chips.push({ label: accounts.find((o) => o.value === a)?.label ?? "Account", to: without("account", a) });
  for (const c of f.category ?? []) chips.push({ label: c, to: without("category", c) });
  for (const t of f.type ?? []) chips.push({ label: `Type: ${t}`, to: without("type", t) });
  for (const t of f.exclude_type ?? []) chips.push({ label: t === "transfer" ? "Transfers left out" : `Not type: ${t}`, to: without("exclude_type", t) });
  for (const m of f.merchant ?? []) chips.push({ label: `Merchant: ${m}`, to: without("merchant", m) });
  if (!chips.length) return null;
  return (
    <ul aria-label="Active filters" className="flex flex-wrap gap-2">
      {chips.map((c) => (
        <li key={c.label + c.to}>
          <Link href={c.to} className="inline-flex items-center gap-1 rounded-full bg-stone-100 px-2.5 py-1 text-xs font-medium text-stone-700 hover:bg-stone-200" aria-label={`Remove filter ${c.label}`}>
            {c.label} <span aria-hidden>×</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
