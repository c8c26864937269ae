import { ebankEmulator } from "@/emulators/ebank/server";

/** The local e-bank (login pages, authorize redirect and the EBank JSON API) at /sandbox/ebank/*. */
async function handle(req: Request): Promise<Response> {
  const emulator = ebankEmulator();
  emulator.basePath = "/sandbox/ebank";
  return emulator.handle(req);
}

export const GET = handle;
export const POST = handle;
