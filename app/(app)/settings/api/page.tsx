import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/current-user";
import { API_ROUTES } from "@/lib/api/v1/routes";
import { referenceOperations } from "@/lib/api/v1/reference";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "API reference" };

const code = "block overflow-x-auto whitespace-pre rounded-md bg-stone-900 px-3 py-2 font-mono text-xs text-stone-100";

export default async function ApiReferencePage() {
  await requireUser();
  const ops = referenceOperations(API_ROUTES);
  const tags = [...new Set(ops.map((o) => o.tag))];
  return (
    <>
      <PageHeader
        title="API reference"
        description="Read your accounts and transactions from scripts, spreadsheets and other tools."
        actions={
          <Link href="/settings" className="text-sm text-brand-700 underline">
            Back to Settings
          </Link>
        }
      />
      <div className="space-y-6">
        <Card title="Getting started">
          <div className="space-y-3 text-sm text-stone-700">
            <p>
              Create a token under <Link className="underline" href="/settings">Settings → API tokens</Link>. Read-only tokens can only read; read &amp; write tokens can also edit
              transactions, refresh and disconnect connections. Send it on every request:
            </p>
            <code className={code} tabIndex={0}>{`export LL_URL=https://your-ledgerlink.example   # this app's address
export LL_TOKEN=ll_…
curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1/accounts"`}</code>
            <ul className="list-disc space-y-1 pl-5">
              <li>Every JSON field is <strong>snake_case</strong>. Amounts are decimal strings (negative = money out); dates are YYYY-MM-DD; instants are ISO 8601 UTC.</li>
              <li>
                Lists come in pages: follow <code>next</code> (a URL) or pass <code>next_cursor</code> as <code>cursor</code> until it is <code>null</code>. <code>limit</code> is 1–200 (default 50).
              </li>
              <li>
                Errors always look like <code>{`{"error":{"code":"invalid_input","message":"…","field_errors":{"limit":["…"]}}}`}</code>. Ids of anything that is not yours answer 404.
              </li>
              <li>
                Each token may make 120 requests a minute. Responses carry <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>; over the
                limit you get 429 with <code>Retry-After</code> (seconds).
              </li>
              <li>
                The machine-readable description is <a className="underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1), generated from the same schemas the server
                validates with.
              </li>
            </ul>
          </div>
        </Card>
        {tags.map((tag) => (
          <Card key={tag} title={tag}>
            <div className="divide-y divide-stone-100">
              {ops
                .filter((o) => o.tag === tag)
                .map((o) => (
                  <article key={`${o.method} ${o.path}`} className="space-y-2 py-4 first:pt-0 last:pb-0" aria-label={`${o.method} ${o.path}`}>
                    <h3 className="flex flex-wrap items-center gap-2 text-sm">
                      <span className="rounded bg-brand-50 px-1.5 py-0.5 font-mono text-xs font-semibold text-brand-800">{o.method}</span>
                      <code className="break-all font-mono text-xs">{o.path}</code>
                      <span className="text-stone-700">{o.summary}</span>
                      {o.scope === "write" && <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">needs read &amp; write</span>}
                    </h3>
                    {o.description && <p className="text-sm text-stone-600">{o.description}</p>}
                    {o.params.length > 0 && (
                      <div className="overflow-x-auto" tabIndex={0}>
                        <table className="w-full text-left text-xs">
                          <thead className="text-stone-500">
                            <tr>
                              <th className="py-1 pr-3 font-medium">Parameter</th>
                              <th className="py-1 pr-3 font-medium">In</th>
                              <th className="py-1 pr-3 font-medium">Type</th>
                              <th className="py-1 font-medium">Notes</th>
                            </tr>
                          </thead>
                          <tbody>
                            {o.params.map((p) => (
                              <tr key={p.name} className="border-t border-stone-100 align-top">
                                <td className="py-1 pr-3 font-mono">
                                  {p.name}
                                  {p.required && <span className="text-red-700">*</span>}
                                </td>
                                <td className="py-1 pr-3">{p.where}</td>
                                <td className="py-1 pr-3 font-mono text-stone-600">{p.type}</td>
                                <td className="py-1 text-stone-600">{p.description ?? ""}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </div>
                    )}
                    <code className={code} tabIndex={0}>{o.curl}</code>
                  </article>
                ))}
            </div>
          </Card>
        ))}
      </div>
    </>
  );
}
