import { sql } from "drizzle-orm";
import { NextResponse } from "next/server";
import { getDatabase } from "@/db";

/** Readiness: the database is open and migrated. */
export async function GET() {
  try {
    const database = await getDatabase();
    await database.db.execute(sql`select 1`);
    return NextResponse.json({ ok: true, database: database.kind });
  } catch {
    return NextResponse.json({ ok: false }, { status: 503 });
  }
}
