"use client";

import { useActionState, useState } from "react";
import { createApiTokenAction } from "@/lib/actions/create-api-token";
import { revokeApiTokenAction } from "@/lib/actions/revoke-api-token";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";

type TokenItem = { id: string; name: string; prefix: string; scope: "read" | "write"; expiresAt: string | null; createdAt: string; lastUsedAt: string | null; lastUsedIp: string | null };

const selectClass = "block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:ring-2 focus:ring-brand-500";

export function ApiTokens({ tokens }: { tokens: TokenItem[] }) {
  const [state, create, pending] = useActionState(createApiTokenAction, { status: "idle" });
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-4">
      <form action={create} className="flex flex-wrap items-end gap-2" noValidate>
        <div className="min-w-0 flex-1 basis-56">
          <Field label="New token name" name="name" placeholder="Budget spreadsheet" errors={state.status === "invalid" ? state.fieldErrors.name : undefined} />
        </div>
        <div className="basis-40 space-y-1">
          <label htmlFor="f-scope" className="block text-sm font-medium text-stone-700">
            Access
          </label>
          <select id="f-scope" name="scope" defaultValue="read" className={selectClass}>
            <option value="read">Read only</option>
            <option value="write">Read &amp; write</option>
          </select>
        </div>
        <div className="basis-36 space-y-1">
          <label htmlFor="f-expires" className="block text-sm font-medium text-stone-700">
            Expires
          </label>
          <select id="f-expires" name="expires" defaultValue="never" className={selectClass}>
            <option value="never">Never</option>
            <option value="30">In 30 days</option>
            <option value="90">In 90 days</option>
            <option value="365">In a year</option>
          </select>
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create token"}
        </Button>
      </form>
      <FormError message={state.status === "error" ? state.message : undefined} />
      {state.status === "success" && (
        <div role="status" className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium text-amber-900">Copy your new token now — it will not be shown again.</p>
          <div className="flex items-center gap-2">
            <code className="flex-1 overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs" data-testid="new-token">
              {state.data.token}
            </code>
            <Button
              type="button"
              variant="secondary"
              onClick={async () => {
                await navigator.clipboard?.writeText(state.data.token).catch(() => {});
                setCopied(true);
              }}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="text-xs text-stone-600">
            Use it as <code>Authorization: Bearer &lt;token&gt;</code>. Every endpoint is listed in the <a className="underline" href="/settings/api">API reference</a>.
          </p>
        </div>
      )}
      {tokens.length === 0 ? (
        <p className="text-sm text-stone-500">No API tokens yet. Create one to read your data from a spreadsheet or another tool.</p>
      ) : (
        <ul className="divide-y divide-stone-100 text-sm" aria-label="API tokens">
          {tokens.map((t) => (
            <li key={t.id} className="flex flex-wrap items-center justify-between gap-3 py-2">
              <span>
                <span className="font-medium">{t.name}</span> <code className="text-xs text-stone-500">{t.prefix}…</code>{" "}
                <span className="rounded bg-stone-100 px-1.5 py-0.5 text-xs text-stone-700">{t.scope === "write" ? "read & write" : "read only"}</span>
                <span className="block text-xs text-stone-500">
                  created {t.createdAt} · {t.lastUsedAt ? `last used ${t.lastUsedAt}${t.lastUsedIp ? ` from ${t.lastUsedIp}` : ""}` : "never used"} · {t.expiresAt ? `expires ${t.expiresAt}` : "never expires"}
                </span>
              </span>
              <form action={async (fd) => void (await revokeApiTokenAction(undefined, fd))}>
                <input type="hidden" name="id" value={t.id} />
                <Button type="submit" variant="ghost" aria-label={`Revoke ${t.name}`}>
                  Revoke
                </Button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
