import { sandbox, SANDBOX_NOT_FOUND } from "@/lib/sandbox";

/** The local Teller's plain-HTTP side (lib/sandbox/mount.ts); 404 unless the sandbox is built in and on. */
async function handle(req: Request, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const s = sandbox();
  return s ? s.routes.teller(req, (await ctx.params).path) : SANDBOX_NOT_FOUND();
}

export const GET = handle;
export const POST = handle;
