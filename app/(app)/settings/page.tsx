import type { Metadata } from "next";
import { getDb } from "@/db";
import { listSessions } from "@/lib/auth/accounts";
import { listApiTokens } from "@/lib/api-tokens/tokens";
import { ApiTokens } from "@/components/settings/api-tokens";
import { requireUser } from "@/lib/auth/current-user";
import { signOutEverywhereAction } from "@/lib/actions/sign-out";
import { ChangePasswordForm } from "@/components/settings/change-password-form";
import { BaseCurrencyForm } from "@/components/settings/base-currency-form";
import { Card, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/lib/format/money";
import { listAuditTrail } from "@/lib/audit/trail";
import { disabledSubscriptions } from "@/lib/webhooks/subscriptions";
import { DisabledWebhooksNotice } from "@/components/settings/webhook-notice";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser();
  const db = await getDb();
  const [sessions, tokens, trail, disabledHooks] = await Promise.all([
    listSessions(db, user.id),
    listApiTokens(db, { userId: user.id }),
    listAuditTrail(db, { userId: user.id }),
    disabledSubscriptions(db, { userId: user.id }),
  ]);
  return (
    <>
      <PageHeader title="Settings" description={`Signed in as ${user.email}`} />
      <DisabledWebhooksNotice items={disabledHooks} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Currency">
          <BaseCurrencyForm current={user.baseCurrency} />
        </Card>
        <Card title="Password">
          <ChangePasswordForm />
        </Card>
        <Card
          title="Where you're signed in"
          actions={
            <form action={signOutEverywhereAction}>
              <Button variant="secondary" type="submit">
                Sign out everywhere
              </Button>
            </form>
          }
        >
          <ul className="divide-y divide-stone-100 text-sm">
            {sessions.map((s) => (
              <li key={s.id} className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-2">
                <span className="min-w-0 truncate text-stone-700" title={s.userAgent ?? undefined}>
                  {s.userAgent?.split(" ").slice(-1)[0] ?? "Unknown browser"}
                  {s.id === user.sessionId && <span className="ml-2 text-xs text-brand-700">(this session)</span>}
                </span>
                <span className="whitespace-nowrap text-stone-500">last seen {formatDateTime(s.lastSeenAt)}</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card
          title="API tokens"
          className="lg:col-span-2"
          actions={
            <span className="flex gap-4">
              <a href="/settings/api" className="text-sm text-brand-700 underline">
                API reference
              </a>
              <a href="/settings/webhooks" className="text-sm text-brand-700 underline">
                Webhooks
              </a>
            </span>
          }
        >
          <ApiTokens
            tokens={tokens.map((t) => ({ ...t, createdAt: formatDateTime(t.createdAt), lastUsedAt: t.lastUsedAt ? formatDateTime(t.lastUsedAt) : null, expiresAt: t.expiresAt ? formatDateTime(t.expiresAt) : null }))}
          />
        </Card>
        <Card title="Recent account activity" className="lg:col-span-2">
          {trail.length === 0 ? (
            <p className="text-sm text-stone-600">No activity recorded yet.</p>
          ) : (
            <ul className="divide-y divide-stone-100 text-sm" aria-label="Account activity">
              {trail.map((e) => (
                <li key={e.id} className="flex flex-wrap justify-between gap-x-4 gap-y-1 py-2">
                  <span className="text-stone-700">{e.label}</span>
                  <span className="whitespace-nowrap text-stone-600">
                    {formatDateTime(e.createdAt)}
                    {e.ip ? ` · ${e.ip}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
