import { NextResponse } from "next/server";
import { withApiAuth } from "@/lib/api/handler";
import { netWorthJson } from "@/lib/wealth/api";

/** GET /api/v1/net-worth?from=&to=&base= — daily net worth (decimal strings), total, changes. */
export const GET = withApiAuth(async (req, { db, userId }) => NextResponse.json(await netWorthJson(db, userId, req.nextUrl.searchParams)));
