import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { currentUser } from "@/lib/auth/current-user";
import { ownedProviderItemIds } from "@/lib/connections/owned-items";
import { env } from "@/lib/env";
import { localTeller } from "@/emulators/teller/server";

/**
 * The local Teller's plain-HTTP side (emulator mode only): the Connect back end the
 * Connect stand-in talks to (/sandbox/teller/connect/*), and a small sandbox dashboard
 * for demos and tests (/sandbox/teller/enrollments[/:id/(advance|disconnect|processed)]),
 * limited to the signed-in user's own enrollments.
 * The Teller API itself is served over HTTPS with mutual TLS on its own port.
 */
async function handle(req: Request, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  if (env().teller) return new Response("Not found", { status: 404 });
  const { emulator } = await localTeller();
  emulator.webhookUrl = `${env().appUrl}/api/webhooks/teller`;
  const { path } = await ctx.params;
  if (path[0] === "connect") return emulator.handleConnect(req);
  // The dashboard only ever shows a signed-in user the enrollments of their own connections.
  const user = await currentUser();
  if (!user) return NextResponse.json({ error: { code: "unauthorized", message: "Sign in to use the sandbox dashboard." } }, { status: 401 });
  const mine = await ownedProviderItemIds(await getDb(), { userId: user.id, connectorId: "teller" });
  if (path[0] === "enrollments" && req.method === "GET" && path.length === 1) return NextResponse.json({ enrollments: emulator.listEnrollments().filter((e) => mine.has(e.id)) });
  if (path[0] === "enrollments" && req.method === "POST" && path[1]) {
    const id = path[1];
    if (!mine.has(id)) return NextResponse.json({ error: { code: "not_found", message: "No such enrollment." } }, { status: 404 });
    if (path[2] === "advance") emulator.advance(id, 1);
    else if (path[2] === "disconnect") await emulator.disconnect(id, "disconnected.credentials_invalid");
    else if (path[2] === "processed") {
      emulator.advance(id, 1);
      await emulator.fire("transactions.processed", { enrollment_id: id, transactions: [] });
    } else return NextResponse.json({ error: { code: "not_found", message: "Unknown action." } }, { status: 404 });
    return NextResponse.json({ ok: true });
  }
  return NextResponse.json({ error: { code: "not_found", message: "Unknown sandbox route." } }, { status: 404 });
}

export const GET = handle;
export const POST = handle;
