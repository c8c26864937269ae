import { NextResponse } from "next/server";
import { withApiAuth } from "@/lib/api/handler";
import { distributionJson } from "@/lib/wealth/api";

/** GET /api/v1/net-worth/distribution?date=&base= — accounts with rate and date; split by asset type, account, institution, currency. */
export const GET = withApiAuth(async (req, { db, userId }) => NextResponse.json(await distributionJson(db, userId, req.nextUrl.searchParams)));
