/**
 * The notice that tells a user a webhook was turned off after failing for 3 days: on
 * Settings and on Settings → Webhooks, until they turn it back on or delete it.
 */
export type DisabledWebhook = { id: string; url: string; disabledReason: string | null };

export function DisabledWebhooksNotice({ items, link = true }: { items: DisabledWebhook[]; link?: boolean }) {
  if (!items.length) return null;
  return (
    <div role="alert" data-testid="webhooks-disabled-notice" className="mb-6 space-y-1 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
      <p className="font-medium">
        {items.length === 1 ? "A webhook was turned off" : `${items.length} webhooks were turned off`} because every delivery failed for 3 days.
      </p>
      <ul className="list-disc pl-5">
        {items.map((w) => (
          <li key={w.id}>
            <span className="break-all font-mono text-xs">{w.url}</span>
            {w.disabledReason ? <span> — {w.disabledReason}</span> : null}
          </li>
        ))}
      </ul>
      <p>
        Fix the receiver, then turn the webhook back on{" "}
        {link ? (
          <a href="/settings/webhooks" className="underline">
            in Settings → Webhooks
          </a>
        ) : (
          "below"
        )}
        . Events from while it was off are in its delivery log and can be redelivered.
      </p>
    </div>
  );
}
