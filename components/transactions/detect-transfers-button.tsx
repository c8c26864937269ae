"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { detectTransfersAction } from "@/lib/actions/detect-transfers";

/** Look for transfers between the user's own accounts in the whole history (syncs do it for new rows). */
export function DetectTransfersButton() {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const r = await detectTransfersAction(undefined, {});
            if (r.status === "success") {
              setMessage(r.data.pairs ? `${r.data.pairs} new transfer pair${r.data.pairs === 1 ? "" : "s"} found.` : "No new transfers found.");
              router.refresh();
            } else setMessage(r.status === "error" ? r.message : "Could not look for transfers.");
          })
        }
        className="rounded-lg bg-white px-3 py-2 text-sm font-medium text-stone-800 ring-1 ring-stone-300 hover:bg-stone-50 disabled:opacity-50"
      >
        {pending ? "Looking…" : "Find transfers"}
      </button>
      {message && (
        <span role="status" className="text-sm text-stone-700">
          {message}
        </span>
      )}
    </span>
  );
}
