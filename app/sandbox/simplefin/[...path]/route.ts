import { simplefinEmulator } from "@/emulators/simplefin/server";

/** The local SimpleFIN Bridge: /sandbox/simplefin/create shows a fresh setup token; claim and accounts are served in-process too. */
const handle = (req: Request) => simplefinEmulator().handle(req);

export const GET = handle;
export const POST = handle;
