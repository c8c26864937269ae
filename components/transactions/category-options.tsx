import { TAXONOMY, isCanonical } from "@/lib/categories/taxonomy";

/** <option>s for a category <select>: the taxonomy by group, then the user's own categories. */
export function CategoryOptions({ own }: { own: readonly string[] }) {
  const mine = own.filter((c) => !isCanonical(c));
  return (
    <>
      {TAXONOMY.map((g) => (
        <optgroup key={g.group} label={g.group}>
          {g.categories.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </optgroup>
      ))}
      {mine.length > 0 && (
        <optgroup label="Your categories">
          {mine.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </optgroup>
      )}
    </>
  );
}
