import "server-only";
import type { NextRequest } from "next/server";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { MAX_STATEMENT_BYTES, MAX_STATEMENT_MB, statementTooLarge, tooLargeMessage } from "@/lib/statements/limits";
import { ROLES, type CsvMapping } from "@/lib/statements/csv/parse";
import { MAX_FILES, type ImportRequest, type UploadedFile } from "@/lib/statements/import";

const choicesSchema = z.record(z.string().max(200), z.object({ target: z.string().min(1).max(64), currency: z.string().regex(/^[A-Za-z]{3}$/, "A 3-letter currency code.").optional(), name: z.string().max(100).optional() }));
const mappingSchema = z.partialRecord(z.enum(ROLES), z.union([z.string().max(200), z.array(z.string().max(200)).max(20)]));

/** A multipart upload → an import request (size-capped before and while reading). */
export async function readImportRequest(req: NextRequest, userId: string): Promise<ImportRequest> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_FILES * MAX_STATEMENT_BYTES) throw new AppError("payload_too_large", `Upload at most ${MAX_FILES} files, each smaller than ${MAX_STATEMENT_MB} MB.`);
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new AppError("invalid_input", "Send the statement files as multipart/form-data in field `file`.");
  }
  const entries = form.getAll("file").filter((f): f is File => typeof f !== "string");
  if (!entries.length) throw new AppError("invalid_input", "Attach at least one statement file in field `file`.");
  if (entries.length > MAX_FILES) throw new AppError("invalid_input", `At most ${MAX_FILES} files at once.`);
  const files: UploadedFile[] = [];
  for (const f of entries) {
    if (statementTooLarge(f.size)) throw new AppError("payload_too_large", `${tooLargeMessage(f.name, f.size)}. Nothing was imported.`);
    files.push({ name: f.name || "statement", bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  const json = (name: string) => {
    const v = form.get(name);
    if (typeof v !== "string" || !v.trim()) return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      throw new AppError("invalid_input", `Field \`${name}\` must be JSON.`);
    }
  };
  const choices = choicesSchema.optional().parse(json("choices"));
  const mapping = mappingSchema.optional().parse(json("csv_map")) as CsvMapping | undefined;
  const order = z.enum(["dmy", "mdy", "ymd"]).optional().parse(form.get("date_order") || undefined);
  return { userId, files, choices, options: { csv: { mapping, dateOrder: order } } };
}

