/** "12 added, 1 updated, 2 removed" — the one wording used by the UI for a run's result. */
export function runSummary(r: { added: number; modified: number; removed: number }): string {
  const parts = [`${r.added.toLocaleString("en-US")} added`, `${r.modified.toLocaleString("en-US")} updated`, `${r.removed.toLocaleString("en-US")} removed`];
  return parts.join(", ");
}
