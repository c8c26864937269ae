import { NextResponse } from "next/server";
import { z } from "zod";
import { withApiAuth } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";
import { undoImport } from "@/lib/statements/import";

/** DELETE /api/v1/imports/:id — undo: removes exactly what that import added. */
export const DELETE = withApiAuth<{ id: string }>(async (req, { db, userId, params }) => {
  if (!req.headers.get("authorization")) {
    const origin = req.headers.get("origin");
    if (!origin || new URL(origin).host !== req.headers.get("host")) throw new AppError("forbidden", "Cross-site request refused.");
  }
  const id = z.string().uuid().safeParse(params.id);
  if (!id.success) throw new AppError("not_found", "No such import.");
  return NextResponse.json(await undoImport(db, { userId, importId: id.data }));
});
