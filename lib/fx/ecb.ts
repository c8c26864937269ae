/**
 * The ECB's euro reference rates in its `eurofxref-hist.csv` shape: a header
 * `Date,USD,JPY,…,` then one row per business day (newest first), values = units per
 * 1 EUR, `N/A` where a currency was not quoted, a trailing comma on every line.
 * Also the daily / 90-day XML feeds (`eurofxref-daily.xml`, `eurofxref-hist-90d.xml`).
 */
export type EcbRate = { date: string; currency: string; perEur: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RATE = /^\d{1,14}(\.\d{1,6})?$/;

export function parseEcbCsv(text: string): EcbRate[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = (lines.shift() ?? "").split(",").map((h) => h.trim());
  if (header[0] !== "Date") throw new Error("not an ECB eurofxref-hist.csv file (first column is not Date)");
  const out: EcbRate[] = [];
  for (const [i, line] of lines.entries()) {
    const cells = line.split(",").map((c) => c.trim());
    const date = cells[0] ?? "";
    if (!DATE.test(date)) throw new Error(`line ${i + 2}: bad date ${JSON.stringify(date)}`);
    for (let c = 1; c < header.length; c++) {
      const currency = header[c];
      const v = cells[c] ?? "";
      if (!currency || v === "" || v === "N/A") continue;
      if (!RATE.test(v)) throw new Error(`line ${i + 2}: bad rate for ${currency}: ${JSON.stringify(v)}`);
      out.push({ date, currency, perEur: v });
    }
  }
  return out;
}

/** `<Cube time="2025-05-09"><Cube currency="USD" rate="1.1252"/>…` (daily and 90-day feeds). */
export function parseEcbXml(xml: string): EcbRate[] {
  const out: EcbRate[] = [];
  const dayRe = /<Cube\s+time=["'](\d{4}-\d{2}-\d{2})["']\s*>([\s\S]*?)<\/Cube>/g;
  for (const day of xml.matchAll(dayRe)) {
    const date = day[1]!;
    for (const r of day[2]!.matchAll(/<Cube\s+currency=["']([A-Z]{3})["']\s+rate=["']([0-9.]+)["']\s*\/>/g)) {
      if (!RATE.test(r[2]!)) throw new Error(`bad rate for ${r[1]} on ${date}`);
      out.push({ date, currency: r[1]!, perEur: r[2]! });
    }
  }
  if (out.length === 0) throw new Error("no rates found in the ECB feed");
  return out;
}
