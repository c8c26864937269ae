"use client";

import { useActionState } from "react";
import { createWebhookAction } from "@/lib/actions/create-webhook";
import { redeliverWebhookAction } from "@/lib/actions/redeliver-webhook";
import { rotateWebhookSecretAction } from "@/lib/actions/rotate-webhook-secret";
import { updateWebhookAction } from "@/lib/actions/update-webhook";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";

export type DeliveryItem = {
  id: string;
  event: string;
  eventId: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  responseStatus: number | null;
  durationMs: number | null;
  responseExcerpt: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
};

export type SubscriptionItem = {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  deliveries: DeliveryItem[];
};

function SecretOnce({ secret, label }: { secret: string; label: string }) {
  return (
    <div role="status" className="space-y-1 rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium text-amber-900">{label} — copy it now, it will not be shown again.</p>
      <code className="block overflow-x-auto rounded bg-white px-2 py-1 font-mono text-xs" data-testid="webhook-secret">
        {secret}
      </code>
    </div>
  );
}

export function CreateWebhookForm({ events }: { events: readonly string[] }) {
  const [state, action, pending] = useActionState(createWebhookAction, { status: "idle" });
  const values = state.status === "invalid" ? state.values : undefined;
  return (
    <div className="space-y-3">
      <form action={action} className="space-y-3" noValidate>
        <Field
          label="Receiver URL"
          name="url"
          type="url"
          placeholder="https://example.com/hooks/ledgerlink"
          defaultValue={values?.url}
          key={values?.url ?? "url"}
          errors={state.status === "invalid" ? state.fieldErrors.url : undefined}
        />
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-stone-700">Events</legend>
          <div className="grid gap-1 sm:grid-cols-2">
            {events.map((e) => (
              <label key={e} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="events" value={e} defaultChecked={e === "sync.completed" || e === "transactions.added"} />
                <code className="text-xs">{e}</code>
              </label>
            ))}
          </div>
          {state.status === "invalid" && state.fieldErrors.events && (
            <p className="text-sm text-red-600" role="alert">
              {state.fieldErrors.events.join(" ")}
            </p>
          )}
        </fieldset>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create webhook"}
        </Button>
      </form>
      <FormError message={state.status === "error" ? state.message : undefined} />
      {state.status === "success" && <SecretOnce secret={state.data.secret} label="Webhook created. Its signing secret" />}
    </div>
  );
}

const statusTone: Record<DeliveryItem["status"], string> = {
  delivered: "bg-green-100 text-green-900",
  pending: "bg-amber-100 text-amber-900",
  failed: "bg-red-100 text-red-900",
};

function RedeliverButton({ id }: { id: string }) {
  const [state, action, pending] = useActionState(redeliverWebhookAction, { status: "idle" });
  return (
    <form action={action} className="inline">
      <input type="hidden" name="id" value={id} />
      <Button type="submit" variant="secondary" disabled={pending} className="px-2 py-1 text-xs">
        {pending ? "Sending…" : "Redeliver"}
      </Button>
      {state.status === "success" && (
        <span role="status" className="ml-2 text-xs text-stone-600">
          {state.message}
        </span>
      )}
      {state.status === "error" && (
        <span role="alert" className="ml-2 text-xs text-red-700">
          {state.message}
        </span>
      )}
    </form>
  );
}

export function SubscriptionPanel({ sub }: { sub: SubscriptionItem }) {
  const [rotated, rotate, rotating] = useActionState(rotateWebhookSecretAction, { status: "idle" });
  const [updated, update, updating] = useActionState(updateWebhookAction, { status: "idle" });
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="break-all font-mono text-sm">{sub.url}</p>
          <p className="text-xs text-stone-500">{sub.events.join(", ")}</p>
          <p className="text-xs">{sub.active ? <span className="text-green-800">On</span> : <span className="text-red-700">Off</span>}</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <form action={rotate}>
            <input type="hidden" name="id" value={sub.id} />
            <Button type="submit" variant="secondary" disabled={rotating}>
              Rotate secret
            </Button>
          </form>
          <form action={update}>
            <input type="hidden" name="id" value={sub.id} />
            <input type="hidden" name="op" value={sub.active ? "disable" : "enable"} />
            <Button type="submit" variant="secondary" disabled={updating}>
              {sub.active ? "Turn off" : "Turn on"}
            </Button>
          </form>
          <form action={update}>
            <input type="hidden" name="id" value={sub.id} />
            <input type="hidden" name="op" value="delete" />
            <Button type="submit" variant="ghost" disabled={updating} aria-label={`Delete webhook ${sub.url}`}>
              Delete
            </Button>
          </form>
        </div>
      </div>
      {sub.disabledReason && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {sub.disabledReason} Fix the receiver, then turn the webhook back on.
        </p>
      )}
      {!sub.disabledReason && sub.failingSince && <p className="text-sm text-amber-800">Deliveries have been failing since {sub.failingSince}.</p>}
      {rotated.status === "success" && (
        <SecretOnce secret={rotated.data.secret} label={`New secret (the old one also signs until ${new Date(rotated.data.previousValidUntil).toUTCString()})`} />
      )}
      <FormError message={rotated.status === "error" ? rotated.message : updated.status === "error" ? updated.message : undefined} />
      <h3 className="text-sm font-semibold text-stone-800">Delivery log</h3>
      {sub.deliveries.length === 0 ? (
        <p className="text-sm text-stone-500">No deliveries yet. They appear here after the next sync.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-xs" aria-label={`Deliveries to ${sub.url}`}>
            <thead className="text-stone-500">
              <tr>
                <th className="py-1 pr-3 font-medium">When</th>
                <th className="py-1 pr-3 font-medium">Event</th>
                <th className="py-1 pr-3 font-medium">Status</th>
                <th className="py-1 pr-3 font-medium">Response</th>
                <th className="py-1 pr-3 font-medium">Next retry</th>
                <th className="py-1 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sub.deliveries.map((d) => (
                <tr key={d.id} className="border-t border-stone-100 align-top" data-testid="delivery-row">
                  <td className="whitespace-nowrap py-1 pr-3">{d.createdAt}</td>
                  <td className="py-1 pr-3">
                    <code>{d.event}</code>
                  </td>
                  <td className="py-1 pr-3">
                    <span className={`rounded px-1.5 py-0.5 ${statusTone[d.status]}`}>{d.status}</span>
                    <span className="block text-stone-500">
                      {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                    </span>
                  </td>
                  <td className="max-w-64 py-1 pr-3">
                    {d.responseStatus !== null ? `HTTP ${d.responseStatus}` : (d.lastError ?? "—")}
                    {d.durationMs !== null && <span className="text-stone-500"> · {d.durationMs} ms</span>}
                    {d.responseExcerpt && <span className="block truncate text-stone-500" title={d.responseExcerpt}>{d.responseExcerpt}</span>}
                  </td>
                  <td className="whitespace-nowrap py-1 pr-3">{d.status === "pending" && d.nextAttemptAt ? d.nextAttemptAt : "—"}</td>
                  <td className="py-1">{d.status !== "pending" && <RedeliverButton id={d.id} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
