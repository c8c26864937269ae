import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { currentUser } from "@/lib/auth/current-user";
import { ownedProviderItemIds } from "@/lib/connections/owned-items";
import { env } from "@/lib/env";
import type { PlaidEmulator } from "@/emulators/plaid/server";
import type { TellerEmulator } from "@/emulators/teller/server";

/**
 * The /sandbox/* route handlers, loaded by lib/sandbox/mount.ts only (emulator TYPES only
 * here; the instances come from the mount).
 */

/** The local Plaid (only when no real Plaid keys are configured). Its Items dashboard shows a user only their own Items. */
export async function plaidRoute(req: Request, plaid: PlaidEmulator): Promise<Response> {
  if (env().plaid) return new Response("Not found", { status: 404 });
  const url = new URL(req.url);
  if (req.method === "GET" && url.pathname.endsWith("/link/sandbox/items")) {
    const user = await currentUser();
    if (!user) return NextResponse.json({ error: { code: "unauthorized", message: "Sign in to see your sandbox Items." } }, { status: 401 });
    const mine = await ownedProviderItemIds(await getDb(), { userId: user.id, connectorId: "plaid" });
    const all = (await (await plaid.handle(req)).json()) as { items: { item_id: string }[] };
    return NextResponse.json({ items: all.items.filter((i) => mine.has(i.item_id)) });
  }
  return plaid.handle(req);
}

/**
 * The local Teller's plain-HTTP side (only without a Teller certificate): the Connect back
 * end the Connect stand-in talks to (/sandbox/teller/connect/*), and a small dashboard
 * (/sandbox/teller/enrollments[/:id/(advance|disconnect|processed)]) limited to the
 * signed-in user's own enrollments. The Teller API itself is HTTPS + mTLS on its own port.
 */
export async function tellerRoute(req: Request, path: string[], emulator: TellerEmulator): Promise<Response> {
  if (env().teller) return new Response("Not found", { status: 404 });
  if (path[0] === "connect") return emulator.handleConnect(req);
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
