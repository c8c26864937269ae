"use client";

export default function AppError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div role="alert" className="rounded-xl border border-red-200 bg-red-50 p-6">
      <h2 className="font-semibold text-red-800">This page could not be loaded.</h2>
      <p className="mt-1 text-sm text-red-700">Something went wrong on our side. Your data is safe.</p>
      <button onClick={reset} className="mt-4 rounded-md bg-white px-3 py-1.5 text-sm ring-1 ring-red-300 hover:bg-red-100">
        Try again
      </button>
    </div>
  );
}
