"use client";

import Link from "next/link";

/**
 * A page that failed to render. The detail stays in the server log (production strips
 * it); the user gets a way forward: retry, or go back to a page that works.
 */
export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-6">
      <h2 className="font-semibold text-red-800">This page could not be loaded.</h2>
      <p className="mt-1 text-sm text-red-700">
        Something went wrong on our side. Your data is safe.
        {error.digest ? <span className="block text-xs text-red-600">Reference: {error.digest}</span> : null}
      </p>
      <div className="mt-4 flex flex-wrap gap-2">
        <button onClick={reset} className="rounded-md bg-white px-3 py-1.5 text-sm ring-1 ring-red-300 hover:bg-red-100 focus-visible:outline-2 focus-visible:outline-red-600">
          Try again
        </button>
        <Link href="/transactions" className="rounded-md bg-white px-3 py-1.5 text-sm ring-1 ring-red-300 hover:bg-red-100">
          Transactions, unfiltered
        </Link>
        <Link href="/" className="rounded-md bg-white px-3 py-1.5 text-sm ring-1 ring-red-300 hover:bg-red-100">
          Back to the Overview
        </Link>
      </div>
    </div>
  );
}
