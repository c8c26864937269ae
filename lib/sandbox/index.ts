import { sandboxMount } from "ledgerlink-sandbox-mount";
import { sandboxRequested } from "./flag";
import type { SandboxMount } from "./types";

export type { SandboxMount } from "./types";

/** The sandbox when it is both built in and switched on; otherwise null (routes answer 404). */
export function sandbox(): SandboxMount | null {
  return sandboxMount && sandboxRequested() ? sandboxMount : null;
}

export const SANDBOX_NOT_FOUND = () => new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
