"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";

type Item = { id: string; fileName: string; format: string; status: string; added: number; alreadyImported: number; rejected: number; createdAt: string; undoneAt: string | null };

export function ImportHistory({ imports }: { imports: Item[] }) {
  const router = useRouter();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const undo = async (id: string) => {
    setBusy(id);
    setError(null);
    const res = await fetch(`/api/v1/imports/${id}`, { method: "DELETE" });
    if (!res.ok) setError(((await res.json().catch(() => null)) as { error?: { message?: string } } | null)?.error?.message ?? "Undo failed.");
    setBusy(null);
    router.refresh();
  };
  return (
    <>
      {error && (
        <p role="alert" className="mb-2 text-sm text-red-800">
          {error}
        </p>
      )}
      <ul className="divide-y divide-stone-100 text-sm" data-testid="import-history">
        {imports.map((i) => (
          <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
            <span className="min-w-0 break-all">
              <span className="font-medium">{i.fileName}</span> <span className="text-stone-600">· {i.format.toUpperCase()} · {i.createdAt} · {i.added} added, {i.alreadyImported} already there, {i.rejected} rejected</span>
            </span>
            {i.status === "undone" ? (
              <span className="text-stone-600">Undone</span>
            ) : (
              <Button type="button" variant="secondary" disabled={busy === i.id} onClick={() => void undo(i.id)}>
                Undo
              </Button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
