import { and, desc, eq } from "drizzle-orm";
import { NextResponse } from "next/server";
import { connections, syncRuns } from "@/db/schema";
import { withUser } from "@/lib/api/handler";
import { AppError } from "@/lib/errors";

/** Live progress of a connection's latest sync run, polled by the UI during imports. */
export const GET = withUser<{ id: string }>(async (_req, { db, user, params }) => {
  if (!/^[0-9a-f-]{36}$/i.test(params.id)) throw new AppError("not_found", "That connection does not exist.");
  const [conn] = await db
    .select({ status: connections.status })
    .from(connections)
    .where(and(eq(connections.id, params.id), eq(connections.userId, user.id)));
  if (!conn) throw new AppError("not_found", "That connection does not exist.");
  const [run] = await db
    .select({
      status: syncRuns.status,
      added: syncRuns.added,
      modified: syncRuns.modified,
      removed: syncRuns.removed,
      pages: syncRuns.pages,
      startedAt: syncRuns.startedAt,
      errorMessage: syncRuns.errorMessage,
    })
    .from(syncRuns)
    .where(and(eq(syncRuns.connectionId, params.id), eq(syncRuns.userId, user.id), eq(syncRuns.dryRun, false)))
    .orderBy(desc(syncRuns.startedAt))
    .limit(1);
  return NextResponse.json({ connectionStatus: conn.status, run: run ?? null });
});
