import { z } from "zod";
import { filtersFromQuery, withApiAuth } from "@/lib/api/handler";
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportFileName, exportStream } from "@/lib/transactions/export";

/** GET /api/v1/export?format=csv|json|ofx&<filters> — exactly the filtered rows, streamed. */
export const GET = withApiAuth(async (req, { db, userId }) => {
  const params = new URLSearchParams(req.nextUrl.searchParams);
  const format = z.enum(EXPORT_FORMATS, { error: "format must be csv, json or ofx" }).parse(params.get("format") ?? "csv");
  params.delete("format");
  params.delete("limit");
  params.delete("cursor");
  const filters = filtersFromQuery(params);
  return new Response(exportStream(db, { userId, filters, format }), {
    headers: {
      "content-type": EXPORT_CONTENT_TYPES[format],
      "content-disposition": `attachment; filename="${exportFileName(format, filters)}"`,
      "cache-control": "no-store",
    },
  });
});
