/**
 * `npm run --silent statement -- <file> [--csv-map date=…,amount=…] [--date-order dmy|mdy|ymd]`
 * Parses a statement file and prints the preview as JSON; writes nothing.
 */
import { readFileSync, statSync } from "node:fs";
import { previewJson, StatementReadError, statementTooLarge, streamStatement, tooLargeMessage } from "@/lib/statements";
import type { CsvMapping } from "@/lib/statements/csv/parse";
import type { DateOrder } from "@/lib/statements/dates";

const args = process.argv.slice(2);
const file = args.find((a, i) => !a.startsWith("--") && !["--csv-map", "--date-order"].includes(args[i - 1] ?? ""));
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (!file) {
  process.stderr.write("usage: npm run --silent statement -- <file> [--csv-map date=Datum,amount=Betrag,description=Text] [--date-order dmy|mdy|ymd]\n");
  process.exit(2);
}
try {
  const size = statSync(file).size;
  if (statementTooLarge(size)) throw new StatementReadError(tooLargeMessage(file, size));
  const mapping: CsvMapping | undefined = opt("--csv-map")
    ? Object.fromEntries(
        opt("--csv-map")!
          .split(",")
          .map((kv) => kv.split("="))
          .map(([k, v]) => [k!.trim(), v!.includes("+") ? v!.split("+") : v!.trim()]),
      )
    : undefined;
  // streamed: the preview needs the figures, not the rows
  const rows = streamStatement(readFileSync(file), { csv: { mapping, dateOrder: opt("--date-order") as DateOrder | undefined } });
  let r = rows.next();
  while (!r.done) r = rows.next();
  const result = r.value;
  process.stdout.write(`${JSON.stringify(previewJson(result), null, 2)}\n`);
} catch (e) {
  const msg = e instanceof StatementReadError ? e.message : (e as NodeJS.ErrnoException).code === "ENOENT" ? `no such file: ${file}` : `cannot read the file: ${(e as Error).message}`;
  process.stderr.write(`statement: ${msg}\n`);
  process.exit(1);
}
