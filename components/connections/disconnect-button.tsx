"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef } from "react";
import { disconnectConnectionAction } from "@/lib/actions/disconnect-connection";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/field";

/** Disconnect with a choice: keep the imported history, or delete it all. */
export function DisconnectButton({ connectionId, name }: { connectionId: string; name: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const router = useRouter();
  const [state, action, pending] = useActionState(disconnectConnectionAction, { status: "idle" });
  useEffect(() => {
    if (state.status === "success") {
      dialog.current?.close();
      router.refresh();
    }
  }, [state, router]);
  return (
    <>
      <Button variant="ghost" onClick={() => dialog.current?.showModal()}>
        Disconnect
      </Button>
      <dialog ref={dialog} aria-labelledby={`dc-${connectionId}`} className="m-auto w-full max-w-md rounded-xl p-0 backdrop:bg-black/30">
        <form action={action} className="space-y-4 p-6">
          <h2 id={`dc-${connectionId}`} className="text-lg font-semibold">
            Disconnect {name}?
          </h2>
          <p className="text-sm text-stone-600">We will revoke Ledgerlink&apos;s access at the provider. What should happen to the data already imported?</p>
          <input type="hidden" name="connectionId" value={connectionId} />
          <fieldset className="space-y-2">
            <legend className="sr-only">Imported data</legend>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="keepData" value="keep" defaultChecked className="mt-1" />
              <span>
                <strong>Keep</strong> the accounts and transactions (read-only history)
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="keepData" value="delete" className="mt-1" />
              <span>
                <strong>Delete</strong> every account and transaction from this connection
              </span>
            </label>
          </fieldset>
          <FormError message={state.status === "error" ? state.message : state.status === "invalid" ? Object.values(state.fieldErrors).flat()[0] : undefined} />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </Button>
            <Button type="submit" variant="danger" disabled={pending}>
              {pending ? "Disconnecting…" : "Disconnect"}
            </Button>
          </div>
        </form>
      </dialog>
    </>
  );
}
