import { expandYear, ymd } from "./common";

/**
 * Day/month order of a file's dates, inferred from the whole file: any first part > 12 means
 * day first, any second part > 12 means month first; neither means ambiguous (the caller asks).
 */
export type DateOrder = "dmy" | "mdy" | "ymd";

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  mrt: 3, mei: 5, okt: 10, mär: 3, mai: 5, dez: 12, janv: 1, févr: 2, fevr: 2, mars: 3, avr: 4, juin: 6, juil: 7, août: 8, aout: 8, sept: 9, déc: 12,
};

type Parts = { kind: "iso"; y: number; m: number; d: number } | { kind: "ab"; a: number; b: number; y: number } | { kind: "named"; y: number; m: number; d: number };

export function dateParts(raw: string): Parts | null {
  const s = raw.replace(/\u00ad/g, "").trim();
  let m = /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})(?:[T\s].*)?$/.exec(s);
  if (m && (s.length > 8 || /^\d{8}$/.test(s))) return { kind: "iso", y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  m = /^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*(?:[-/.]|')\s*(\d{2}|\d{4})(?:\s.*)?$/.exec(s);
  if (m) {
    const y = s.includes("'") ? 2000 + (Number(m[3]) % 100) : expandYear(m[3]!);
    return { kind: "ab", a: Number(m[1]), b: Number(m[2]), y };
  }
  m = /^(\d{1,2})[-\s./]*([A-Za-zÀ-ÿ]{3,5})\.?[-\s./]*(\d{2}|\d{4})$/.exec(s);
  if (m) {
    const mon = MONTHS[m[2]!.toLowerCase()] ?? MONTHS[m[2]!.toLowerCase().slice(0, 3)];
    if (mon) return { kind: "named", y: expandYear(m[3]!), m: mon, d: Number(m[1]) };
  }
  return null;
}

export function inferDateOrder(samples: Iterable<string>, fallback: DateOrder | null = null): { order: DateOrder | null; ambiguous: boolean } {
  let dayFirst = false;
  let monthFirst = false;
  let anyAb = false;
  let dotted = false;
  let unsure = false;
  for (const s of samples) {
    const p = dateParts(s);
    if (!p || p.kind !== "ab") continue;
    anyAb = true;
    if (s.includes(".")) dotted = true;
    if (p.a > 12) dayFirst = true;
    if (p.b > 12) monthFirst = true;
    if (p.a !== p.b && p.a <= 12 && p.b <= 12) unsure = true;
  }
  if (!anyAb) return { order: "ymd", ambiguous: false };
  if (dayFirst && !monthFirst) return { order: "dmy", ambiguous: false };
  if (monthFirst && !dayFirst) return { order: "mdy", ambiguous: false };
  // dotted dates (31.12.2020) are day-first everywhere they are used
  if (!dayFirst && !monthFirst && dotted) return { order: "dmy", ambiguous: false };
  if (!dayFirst && !monthFirst && !unsure) return { order: fallback ?? "dmy", ambiguous: false };
  return { order: fallback, ambiguous: true };
}

/** A date string in the given order to `YYYY-MM-DD`, or null when impossible. */
export function parseDate(raw: string, order: DateOrder | null): string | null {
  const p = dateParts(raw);
  if (!p) return null;
  if (p.kind !== "ab") return ymd(p.y, p.m, p.d);
  return order === "mdy" ? ymd(p.y, p.a, p.b) : ymd(p.y, p.b, p.a);
}
