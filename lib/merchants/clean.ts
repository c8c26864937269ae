/**
 * A merchant's display name from what a bank or aggregator sends. The raw description is
 * always kept beside it; this only makes the name readable and groupable:
 *
 * - Names that already mix upper and lower case are the provider's own spelling and keep
 *   it ("iCloud Storage", "McDonald's", "Café Einstein").
 * - SHOUTED names get word-initial capitals, where a word starts only after a space, a
 *   hyphen, a slash, "&" or "." — never after an apostrophe ("JOE'S PIZZA" → "Joe's
 *   Pizza") — and letters outside ASCII are handled as letters ("CAFÉ" → "Café").
 *   Short all-consonant tokens ("ATM", "BP", "CVS") and initialisms like "AT&T" stay upper case.
 * - Store numbers, card suffixes and processor prefixes are removed: "#1234", "STORE 0042",
 *   "*1234", "XXXX1234", "SQ *", "TST* ", "PAYPAL *".
 */
const PREFIXES = /^(?:sq\s*\*|tst\s*\*|paypal\s*\*|pp\s*\*|sp\s*\*|pos\s+|card\s+purchase\s+|debit\s+card\s+purchase\s+)\s*/i;
const NOISE = [
  /\s*#\s*\d+\b/g, // store numbers: "#1234", "# 12"
  /\s+(?:store|str|no\.?|nr\.?)\s*\d+\b/gi, // "STORE 0042"
  /\s*\*+\s*\d{2,}\b/g, // "*1234"
  /\s*x{2,}\d{2,}\b/gi, // "XXXX1234"
  /\s+\d{4,}$/g, // a trailing long number (terminal or card id)
];

export function cleanMerchantName(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  let s = raw.normalize("NFC").replace(/\s+/g, " ").trim();
  s = s.replace(PREFIXES, "");
  for (const re of NOISE) s = s.replace(re, "");
  s = s.replace(/[\s*#-]+$/, "").trim();
  if (!s) return raw.trim() || null;
  const hasLower = /\p{Ll}/u.test(s);
  const hasUpper = /\p{Lu}/u.test(s);
  return hasUpper && !hasLower ? titleCaseShouted(s) : s;
}

function titleCaseShouted(s: string): string {
  return s.split(" ").map((w) => (/^\p{L}{1,2}&\p{L}{1,2}$/u.test(w) ? w : titleCaseWord(w))).join(" ");
}

function titleCaseWord(s: string): string {
  return s
    .toLocaleLowerCase("en-US")
    .replace(/(^|[\s\-/&.(])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toLocaleUpperCase("en-US"))
    .replace(/(^|[\s\-/&(])(\p{L}{2,3})(?=$|[\s\-/&).,])/gu, (m, sep: string, w: string) => (/[aeiouyäöüéèáàíóú]/iu.test(w) ? m : sep + w.toLocaleUpperCase("en-US")));
}
