"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runSummary } from "@/lib/connections/summary";
import { syncConnection } from "@/lib/sync/engine";
import { authedAction } from "./safe-action";

const schema = z.object({
  connectionId: z.uuid({ error: "Unknown connection." }),
  initial: z.boolean().optional(),
});

export type RefreshResult = { outcome: "success" | "already_syncing" | "error"; summary: string; code?: string };

/** "Refresh now" (and the first import after linking): one call into the sync engine. */
export const refreshConnectionAction = authedAction(schema, async (input, { db, user }): Promise<RefreshResult> => {
  const r = await syncConnection(db, { userId: user.id, connectionId: input.connectionId, trigger: input.initial ? "initial" : "manual" });
  revalidatePath("/", "layout");
  if (r.status === "success") return { outcome: "success", summary: runSummary(r.diff) };
  if (r.status === "already_syncing") return { outcome: "already_syncing", summary: "A sync of this connection is already running." };
  return { outcome: "error", summary: r.message, code: r.code };
});
