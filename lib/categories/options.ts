import { TAXONOMY, isCanonical } from "./taxonomy";

export type CategoryOption = { value: string; group: string; create?: boolean; clear?: boolean };

/** Case-insensitive edit distance (enough to catch a typo or two). */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * What the category picker offers for a query: the taxonomy and the user's own categories,
 * substring matches first (prefix matches before the rest), then near misses (a typo picks
 * the real category), and "Create …" last — only when no category has exactly that name.
 */
export function categoryOptions(query: string, own: readonly string[]): CategoryOption[] {
  const all: CategoryOption[] = [
    ...TAXONOMY.flatMap((g) => g.categories.map((c) => ({ value: c as string, group: g.group as string }))),
    ...own.filter((c) => !isCanonical(c)).map((c) => ({ value: c, group: "Your categories" })),
  ];
  const q = query.trim();
  if (!q) return all;
  const lower = q.toLowerCase();
  const contains = all.filter((o) => o.value.toLowerCase().includes(lower) || o.group.toLowerCase().includes(lower));
  contains.sort((a, b) => Number(!a.value.toLowerCase().startsWith(lower)) - Number(!b.value.toLowerCase().startsWith(lower)));
  const tolerance = q.length > 6 ? 2 : 1;
  const near =
    q.length >= 4
      ? all.filter((o) => !contains.includes(o) && (editDistance(o.value, q) <= tolerance || o.value.split(/\s+/).some((w) => editDistance(w, q) <= tolerance)))
      : [];
  const exact = all.some((o) => o.value.toLowerCase() === lower);
  return [...contains, ...near, ...(exact ? [] : [{ value: q, group: "", create: true }])];
}
