"use client";

import { formatDateRange } from "@/lib/format";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { MAX_STATEMENT_MB, statementTooLarge, tooLargeMessage } from "@/lib/statements/limits";
import type { Preview, PreviewFile, ImportOutcome } from "@/lib/statements/import";

const ROLE_LABELS: [string, string][] = [
  ["date", "Date"],
  ["amount", "Amount (signed)"],
  ["debit", "Money out"],
  ["credit", "Money in"],
  ["description", "Description"],
  ["payee", "Payee"],
  ["balance", "Balance"],
  ["currency", "Currency"],
];

type Choice = { target: string; currency?: string; name?: string };
type ApiError = { error: { message: string; fieldErrors?: Record<string, string[]> } };

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const body = (await res.json().catch(() => null)) as T | ApiError | null;
  if (!res.ok) {
    const err = (body as ApiError | null)?.error;
    const details = err?.fieldErrors ? Object.values(err.fieldErrors).flat().join(" ") : "";
    throw new Error(`${err?.message ?? `The server answered ${res.status}.`}${details ? ` ${details}` : ""}`);
  }
  return body as T;
}

/** Upload → preview (nothing written) → Import → Undo. */
export function ImportFlow() {
  const [files, setFiles] = useState<File[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [dateOrder, setDateOrder] = useState<string>("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<ImportOutcome[] | null>(null);
  const [undone, setUndone] = useState<Record<string, string>>({});
  const [drag, setDrag] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const form = (fs: File[], extra: { choices?: Record<string, Choice> } = {}) => {
    const fd = new FormData();
    for (const f of fs) fd.append("file", f, f.name);
    if (extra.choices && Object.keys(extra.choices).length) fd.append("choices", JSON.stringify(extra.choices));
    const m = Object.fromEntries(Object.entries(mapping).filter(([, v]) => v));
    if (Object.keys(m).length) fd.append("csv_map", JSON.stringify(m));
    if (dateOrder) fd.append("date_order", dateOrder);
    return fd;
  };

  const runPreview = async (fs: File[], ch: Record<string, Choice> = choices) => {
    setError(null);
    setDone(null);
    const tooBig = fs.find((f) => statementTooLarge(f.size));
    if (tooBig) {
      setError(`${tooLargeMessage(tooBig.name, tooBig.size)}. Nothing was read or imported.`);
      return;
    }
    if (!fs.length) return;
    setBusy("Reading…");
    try {
      setPreview(await call<Preview>("/api/v1/imports?preview=1", { method: "POST", body: form(fs, { choices: ch }) }));
    } catch (e) {
      setError((e as Error).message);
      setPreview(null);
    } finally {
      setBusy(null);
    }
  };

  const add = (list: FileList | null) => {
    if (!list?.length) return;
    const next = [...files, ...Array.from(list)].slice(0, 10);
    setFiles(next);
    void runPreview(next);
  };

  const doImport = async () => {
    setBusy("Importing…");
    setError(null);
    try {
      const res = await call<{ imports: ImportOutcome[] }>("/api/v1/imports", { method: "POST", body: form(files, { choices }) });
      setDone(res.imports);
      setPreview(null);
      setFiles([]);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const undo = async (importId: string) => {
    setBusy("Undoing…");
    setError(null);
    try {
      const r = await call<{ removed: number }>(`/api/v1/imports/${importId}`, { method: "DELETE" });
      setUndone((u) => ({ ...u, [importId]: `Undone: ${r.removed} transaction${r.removed === 1 ? "" : "s"} removed.` }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const setChoice = (key: string, patch: Partial<Choice>) => {
    const next = { ...choices, [key]: { target: choices[key]?.target ?? "auto", ...choices[key], ...patch } };
    const clean = Object.fromEntries(Object.entries(next).filter(([, c]) => c.target !== "auto" || c.currency)) as Record<string, Choice>;
    for (const c of Object.values(clean)) if (c.target === "auto") c.target = "new";
    setChoices(clean);
    void runPreview(files, clean);
  };

  const blocking = preview?.files.some((f) => (f.errors.length && !f.accounts.length) || f.needsMapping || f.accounts.some((a) => a.needsCurrency && a.target.kind !== "skip")) ?? true;
  const nothingNew = preview?.files.every((f) => f.alreadyImported || f.accounts.every((a) => a.newRows === 0)) ?? false;

  return (
    <div className="space-y-5">
      <div
        onDragOver={(e) => {
          e.preventDefault();
          setDrag(true);
        }}
        onDragLeave={() => setDrag(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDrag(false);
          add(e.dataTransfer.files);
        }}
        className={`rounded-xl border-2 border-dashed p-6 text-center ${drag ? "border-brand-500 bg-brand-50" : "border-stone-300 bg-white"}`}
      >
        <p className="text-sm text-stone-700">Drop statement files here (OFX, QFX, CAMT.053, MT940, QIF or CSV — smaller than {MAX_STATEMENT_MB} MB each), or</p>
        <label className="mt-3 inline-block">
          <span className="sr-only">Choose statement files</span>
          <input
            ref={input}
            type="file"
            multiple
            data-testid="statement-input"
            className="block w-full max-w-xs text-sm text-stone-700 file:mr-3 file:rounded-md file:border-0 file:bg-brand-600 file:px-3 file:py-2 file:text-white"
            onChange={(e) => {
              add(e.target.files);
              e.target.value = "";
            }}
          />
        </label>
        <p className="mt-2 text-xs text-stone-600">Nothing is saved until you press Import. The format is recognised from the content.</p>
      </div>

      {files.length > 0 && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-stone-600">Files:</span>
          {files.map((f, i) => (
            <span key={`${f.name}-${i}`} className="inline-flex items-center gap-1 rounded bg-stone-100 px-2 py-1">
              {f.name}
              <button
                type="button"
                aria-label={`Remove ${f.name}`}
                className="text-stone-600 hover:text-red-700"
                onClick={() => {
                  const next = files.filter((_, j) => j !== i);
                  setFiles(next);
                  if (next.length) void runPreview(next);
                  else setPreview(null);
                }}
              >
                ×
              </button>
            </span>
          ))}
        </div>
      )}

      {busy && (
        <p role="status" className="text-sm text-stone-600">
          {busy}
        </p>
      )}
      {error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {error}
        </p>
      )}

      {preview?.files.map((f) => (
        <FilePreview
          key={f.hash + f.name}
          file={f}
          accounts={preview.accounts}
          choices={choices}
          onChoice={setChoice}
          mapping={mapping}
          onMapping={(m) => setMapping(m)}
          dateOrder={dateOrder}
          onDateOrder={setDateOrder}
          onApplyMapping={() => void runPreview(files)}
        />
      ))}

      {preview && (
        <div className="flex flex-wrap items-center gap-3">
          <Button type="button" onClick={() => void doImport()} disabled={!!busy || blocking}>
            Import
          </Button>
          <Button
            type="button"
            variant="secondary"
            onClick={() => {
              setPreview(null);
              setFiles([]);
              setChoices({});
              setMapping({});
            }}
          >
            Cancel
          </Button>
          {nothingNew && <span className="text-sm text-stone-600">Nothing new to import.</span>}
        </div>
      )}

      {done && (
        <div className="space-y-2" data-testid="import-result">
          {done.map((o) => (
            <div key={o.fileName + (o.importId ?? "")} role="status" className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
              <span>{undone[o.importId ?? ""] ?? o.message}</span>
              {o.importId && !o.noop && !undone[o.importId] && (
                <Button type="button" variant="secondary" onClick={() => void undo(o.importId!)} disabled={!!busy}>
                  Undo import
                </Button>
              )}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function FilePreview({
  file,
  accounts,
  choices,
  onChoice,
  mapping,
  onMapping,
  dateOrder,
  onDateOrder,
  onApplyMapping,
}: {
  file: PreviewFile;
  accounts: Preview["accounts"];
  choices: Record<string, Choice>;
  onChoice: (key: string, c: Partial<Choice>) => void;
  mapping: Record<string, string>;
  onMapping: (m: Record<string, string>) => void;
  dateOrder: string;
  onDateOrder: (v: string) => void;
  onApplyMapping: () => void;
}) {
  return (
    <section className="rounded-xl border border-stone-200 bg-white shadow-sm" data-testid="file-preview" aria-label={`Preview of ${file.name}`}>
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-stone-100 px-4 py-3">
        <h3 className="text-sm font-semibold">
          {file.name} <span className="font-normal text-stone-600">{file.format ? `· ${file.format.toUpperCase()}` : ""}</span>
        </h3>
        {file.alreadyImported && <span className="text-sm text-amber-800">Already imported on {file.alreadyImported.at.slice(0, 10)} — importing it again changes nothing.</span>}
      </header>
      <div className="space-y-3 p-4">
        {file.errors.map((e) => (
          <p key={e} role="alert" className="text-sm text-red-800">
            {e}
          </p>
        ))}
        {file.warnings.map((w) => (
          <p key={w} className="text-sm text-amber-800">
            {w}
          </p>
        ))}
        {file.skipped.map((s) => (
          <p key={s.kind} className="text-sm text-stone-600">
            Skipped {s.count} {s.kind}
            {s.count === 1 ? "" : "s"} (not imported).
          </p>
        ))}
        {file.csvProfile && (
          <p className="text-sm text-stone-700" data-testid="csv-profile">
            Columns mapped as you chose them before for {file.csvProfile.accountName} (same header).
          </p>
        )}
        {(file.needsMapping || file.dateOrderAmbiguous) && (
          <fieldset className="space-y-2 rounded-md border border-stone-200 p-3">
            <legend className="px-1 text-sm font-medium">Which column is which?</legend>
            {file.needsMapping && (
              <div className="grid gap-2 sm:grid-cols-2">
                {ROLE_LABELS.map(([role, label]) => (
                  <label key={role} className="flex items-center justify-between gap-2 text-sm">
                    {label}
                    <select
                      className="rounded-md border border-stone-300 px-2 py-1"
                      value={mapping[role] ?? ""}
                      onChange={(e) => onMapping({ ...mapping, [role]: e.target.value })}
                    >
                      <option value="">—</option>
                      {file.needsMapping!.columns.map((c, i) => (
                        <option key={`${c}-${i}`} value={c || String(i)}>
                          {c || `Column ${i + 1}`}
                        </option>
                      ))}
                    </select>
                  </label>
                ))}
              </div>
            )}
            {file.dateOrderAmbiguous && (
              <label className="flex items-center gap-2 text-sm">
                Dates are written
                <select className="rounded-md border border-stone-300 px-2 py-1" value={dateOrder} onChange={(e) => onDateOrder(e.target.value)}>
                  <option value="">(choose)</option>
                  <option value="dmy">day/month/year</option>
                  <option value="mdy">month/day/year</option>
                </select>
              </label>
            )}
            <Button type="button" variant="secondary" onClick={onApplyMapping}>
              Apply
            </Button>
            {file.needsMapping && file.needsMapping.sample.length > 0 && (
              <div className="overflow-x-auto">
                <table className="text-xs text-stone-600">
                  <tbody>
                    {file.needsMapping.sample.slice(0, 3).map((r, i) => (
                      <tr key={i}>
                        {r.map((c, j) => (
                          <td key={j} className="px-2 py-0.5">
                            {c}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </fieldset>
        )}
        {file.accounts.map((a) => {
          const choice = choices[a.key];
          const value = choice?.target ?? (a.target.kind === "existing" ? a.target.accountId : a.target.kind);
          return (
            <div key={a.key} className="rounded-md border border-stone-200 p-3" data-testid="account-preview">
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <p className="text-sm font-medium">
                  {a.account ?? "Account not named in the file"} {a.currency && <span className="text-stone-600">({a.currency})</span>}
                </p>
                <label className="flex items-center gap-2 text-sm">
                  Import into
                  <select className="max-w-[14rem] rounded-md border border-stone-300 px-2 py-1" value={value} onChange={(e) => onChoice(a.key, { target: e.target.value })}>
                    <option value="new">{a.target.kind === "new" ? `New account: ${a.target.name}` : "A new account"}</option>
                    {accounts.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.name} ({c.currency}){a.target.kind === "existing" && a.target.accountId === c.id ? ` — matched by ${a.target.matchedBy.replace("_", " ")}` : ""}
                      </option>
                    ))}
                    <option value="skip">Don&apos;t import</option>
                  </select>
                </label>
              </div>
              {a.needsCurrency && a.target.kind !== "skip" && (
                <label className="mt-2 flex items-center gap-2 text-sm text-amber-900">
                  The file does not say the currency:
                  <input
                    className="w-20 rounded-md border border-stone-300 px-2 py-1 uppercase"
                    aria-label="Currency"
                    maxLength={3}
                    placeholder="EUR"
                    defaultValue={choice?.currency ?? ""}
                    onBlur={(e) => /^[A-Za-z]{3}$/.test(e.target.value) && onChoice(a.key, { currency: e.target.value.toUpperCase(), target: value === "skip" ? "new" : value })}
                  />
                </label>
              )}
              <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
                <dt className="text-stone-600">Transactions</dt>
                <dd data-testid="count">
                  {a.transactions}
                  {a.pending ? ` (${a.pending} pending)` : ""}
                </dd>
                <dt className="text-stone-600">Dates</dt>
                <dd>{a.from && a.to ? formatDateRange(a.from, a.to) : "—"}</dd>
                <dt className="text-stone-600">Sum</dt>
                <dd className="tabular-nums">{a.sum}</dd>
                <dt className="text-stone-600">Balances</dt>
                <dd className="tabular-nums">
                  {a.openingBalance ?? "—"} → {a.closingBalance ?? "—"}
                  {a.reconciles === true ? " ✓ reconciles" : a.reconciles === false ? " ✗ does not reconcile" : ""}
                </dd>
                <dt className="text-stone-600">New</dt>
                <dd data-testid="new-rows">{a.newRows}</dd>
                <dt className="text-stone-600">Already imported</dt>
                <dd data-testid="already-rows">{a.alreadyImported}</dd>
                <dt className="text-stone-600">Rejected</dt>
                <dd>{a.rejectedCount}</dd>
              </dl>
              {a.rejected.length > 0 && (
                <details className="mt-2 text-sm">
                  <summary className="cursor-pointer text-red-800">Rejected rows</summary>
                  <ul className="mt-1 list-disc pl-5 text-stone-700">
                    {a.rejected.slice(0, 100).map((r) => (
                      <li key={`${r.line}-${r.reason}`}>
                        Line {r.line}: {r.reason}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}
