"use client";

import { useActionState, useState } from "react";
import { createApiTokenAction } from "@/lib/actions/create-api-token";
import { revokeApiTokenAction } from "@/lib/actions/revoke-api-token";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";

type TokenItem = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null };

export function ApiTokens({ tokens }: { tokens: TokenItem[] }) {
  const [state, create, pending] = useActionState(createApiTokenAction, { status: "idle" });
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-4">
      <form action={create} className="flex flex-wrap items-end gap-2" noValidate>
        <div className="min-w-0 flex-1 basis-56">
          <Field label="New token name" name="name" placeholder="Budget spreadsheet" errors={state.status === "invalid" ? state.fieldErrors.name : undefined} />
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
            Use it as <code>Authorization: Bearer &lt;token&gt;</code> with <code>/api/v1/accounts</code>, <code>/api/v1/transactions</code> and <code>/api/v1/export</code>.
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
                <span className="font-medium">{t.name}</span> <code className="text-xs text-stone-500">{t.prefix}…</code>
                <span className="block text-xs text-stone-500">
                  created {t.createdAt} · {t.lastUsedAt ? `last used ${t.lastUsedAt}` : "never used"}
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
