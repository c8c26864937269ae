import { NextResponse } from "next/server";
import { getDb } from "@/db";
import { currentUser } from "@/lib/auth/current-user";
import { ownedProviderItemIds } from "@/lib/connections/owned-items";
import { env } from "@/lib/env";
import { plaidEmulator } from "@/emulators/plaid/server";

/**
 * The local Plaid (emulator mode only: no PLAID_CLIENT_ID/PLAID_SECRET configured).
 * Its Items dashboard shows a signed-in user only the Items of their own connections.
 */
async function handle(req: Request): Promise<Response> {
  if (env().plaid) return new Response("Not found", { status: 404 });
  const url = new URL(req.url);
  if (req.method === "GET" && url.pathname.endsWith("/link/sandbox/items")) {
    const user = await currentUser();
    if (!user) return NextResponse.json({ error: { code: "unauthorized", message: "Sign in to see your sandbox Items." } }, { status: 401 });
    const mine = await ownedProviderItemIds(await getDb(), { userId: user.id, connectorId: "plaid" });
    const all = (await (await plaidEmulator().handle(req)).json()) as { items: { item_id: string }[] };
    return NextResponse.json({ items: all.items.filter((i) => mine.has(i.item_id)) });
  }
  return plaidEmulator().handle(req);
}

export const GET = handle;
export const POST = handle;
