import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { requireUser } from "@/lib/auth/current-user";
import { formatDateTime } from "@/lib/format/money";
import { WEBHOOK_EVENTS } from "@/lib/webhooks/events";
import { listDeliveries, listSubscriptions } from "@/lib/webhooks/subscriptions";
import { DisabledWebhooksNotice } from "@/components/settings/webhook-notice";
import { CreateWebhookForm, SubscriptionPanel, type SubscriptionItem } from "@/components/settings/webhooks";
import { Card, PageHeader } from "@/components/ui/card";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const user = await requireUser();
  const db = await getDb();
  const subs = await listSubscriptions(db, { userId: user.id });
  const items: SubscriptionItem[] = await Promise.all(
    subs.map(async (s) => ({
      id: s.id,
      url: s.url,
      events: s.events,
      active: s.active,
      disabledReason: s.disabledReason,
      failingSince: s.failingSince ? formatDateTime(s.failingSince) : null,
      deliveries: (await listDeliveries(db, { userId: user.id, subscriptionId: s.id, limit: 25 })).map((d) => ({
        ...d,
        createdAt: formatDateTime(d.createdAt),
        nextAttemptAt: d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : null,
      })),
    })),
  );
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Tell other tools when new data arrives. Each request is signed; see the README for the verifier."
        actions={
          <Link href="/settings" className="text-sm text-brand-700 underline">
            Back to Settings
          </Link>
        }
      />
      <DisabledWebhooksNotice link={false} items={subs.filter((s) => !s.active && s.disabledAt).map((s) => ({ id: s.id, url: s.url, disabledReason: s.disabledReason }))} />
      <div className="space-y-6">
        <Card title="New webhook">
          <CreateWebhookForm events={WEBHOOK_EVENTS} />
        </Card>
        {items.length === 0 ? (
          <p className="text-sm text-stone-500">No webhooks yet.</p>
        ) : (
          items.map((s) => (
            <Card key={s.id} title="Webhook">
              <SubscriptionPanel sub={s} />
            </Card>
          ))
        )}
      </div>
    </>
  );
}
