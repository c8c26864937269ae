import { sandbox, SANDBOX_NOT_FOUND } from "@/lib/sandbox";

/** The local SimpleFIN Bridge (lib/sandbox/mount.ts): /sandbox/simplefin/create shows a fresh setup token; 404 unless the sandbox is built in and on. */
async function handle(req: Request): Promise<Response> {
  const s = sandbox();
  return s ? s.routes.simplefin(req) : SANDBOX_NOT_FOUND();
}

export const GET = handle;
export const POST = handle;
