import { sandbox, SANDBOX_NOT_FOUND } from "@/lib/sandbox";

/** The local e-bank (login pages, authorize redirect and the EBank JSON API) at /sandbox/ebank/*; 404 unless the sandbox is built in and on. */
async function handle(req: Request): Promise<Response> {
  const s = sandbox();
  return s ? s.routes.ebank(req) : SANDBOX_NOT_FOUND();
}

export const GET = handle;
export const POST = handle;
