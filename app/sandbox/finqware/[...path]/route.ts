import { env } from "@/lib/env";
import { finqwareEmulator } from "@/emulators/finqware/server";

/** The local Finqware and its bank SCA pages (/sandbox/finqware/sca/<session>). */
async function handle(req: Request): Promise<Response> {
  const emulator = finqwareEmulator();
  emulator.scaBaseUrl = `${env().appUrl}/sandbox/finqware`;
  return emulator.handle(req);
}

export const GET = handle;
export const POST = handle;
