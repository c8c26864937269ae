import { env } from "@/lib/env";
import { plaidEmulator } from "@/emulators/plaid/server";

/** The local Plaid (emulator mode only: no PLAID_CLIENT_ID/PLAID_SECRET configured). */
async function handle(req: Request): Promise<Response> {
  if (env().plaid) return new Response("Not found", { status: 404 });
  return plaidEmulator().handle(req);
}

export const GET = handle;
export const POST = handle;
