/** Skeleton while a filtered page loads. (Pages that may 404, like /accounts/[id], have no loading boundary so the status code stays real.) */
export default function Loading() {
  return (
    <div className="animate-pulse space-y-4" aria-busy="true" aria-label="Loading">
      <div className="h-8 w-48 rounded bg-stone-200" />
      <div className="h-32 rounded-xl bg-stone-200/70" />
      <div className="h-64 rounded-xl bg-stone-200/50" />
    </div>
  );
}
