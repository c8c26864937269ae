"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { importValuationsCsv } from "@/lib/wealth/import";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({
  file: z
    .instanceof(File, { error: "Choose a CSV file." })
    .refine((f) => f.size > 0, "The file is empty.")
    .refine((f) => f.size <= 2_000_000, "The file is larger than 2 MB."),
});

/** Import valuations / holdings from a CSV (all or nothing). */
export const importValuationsAction = authedAction(schema, async ({ file }, { db, user }) => {
  const result = await importValuationsCsv(db, { userId: user.id, text: await file.text() });
  if (result.status === "invalid") return actionResult({ status: "invalid" as const, fieldErrors: { file: result.errors } });
  revalidatePath("/", "layout");
  const created = result.created.length ? ` Created ${result.created.join(", ")}.` : "";
  return actionResult({ status: "success" as const, data: result, message: `Imported ${result.valuations} valuation${result.valuations === 1 ? "" : "s"}.${created}` });
});
