import type { ReactNode } from "react";

/** The paste-your-token step: where a setup token comes from, then the form. */
export function SimplefinLinkHelp({ children }: { children: ReactNode }) {
  const sandbox = process.env.LEDGERLINK_SANDBOX !== "off";
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm text-stone-600">
        <li>
          Sign in to your SimpleFIN Bridge (or{" "}
          <a className="text-brand-700 underline" href="https://bridge.simplefin.org/simplefin/create" target="_blank" rel="noreferrer">
            get one at bridge.simplefin.org
          </a>
          ) and connect your banks there.
        </li>
        <li>Create a new app connection and copy its setup token.</li>
        <li>Paste it below. Ledgerlink claims it once and keeps the resulting access encrypted; it is never shown again.</li>
      </ol>
      {sandbox && (
        <p className="text-sm text-stone-600">
          Sandbox:{" "}
          <a className="text-brand-700 underline" href="/sandbox/simplefin/create" target="_blank" rel="noreferrer">
            get a setup token from the local bridge
          </a>
          .
        </p>
      )}
      {children}
      <p className="text-xs text-stone-500">SimpleFIN allows about 24 requests a day per connection; Ledgerlink refreshes a few times a day and never goes past the limit.</p>
    </div>
  );
}
