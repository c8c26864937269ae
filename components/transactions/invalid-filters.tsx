import Link from "next/link";

/**
 * Shown instead of figures when a link carries invalid filter values: every field's message,
 * and a way back. Nothing is computed from a filter that did not parse (the table, the
 * Overview and the export share one filter schema, so they fail the same way).
 */
export function InvalidFilters({ what, fieldErrors, href, linkLabel }: { what: string; fieldErrors: Record<string, string[]>; href: string; linkLabel: string }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-4 text-sm text-red-800">
      <p className="font-medium">{what}</p>
      <ul className="mt-1 list-disc pl-5">
        {Object.entries(fieldErrors).map(([k, v]) => (
          <li key={k}>
            <strong>{k}</strong>: {v.join(" ")}
          </li>
        ))}
      </ul>
      <Link href={href} className="mt-2 inline-block font-medium underline">
        {linkLabel}
      </Link>
    </div>
  );
}
