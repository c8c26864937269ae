import { NextResponse } from "next/server";
import { buildOpenApi } from "@/lib/api/v1/openapi";
import { API_ROUTES } from "@/lib/api/v1/routes";

/** GET /api/v1/openapi.json — public (describes the API, contains no data). */
export function GET() {
  return NextResponse.json(buildOpenApi(API_ROUTES), { headers: { "cache-control": "public, max-age=300" } });
}
