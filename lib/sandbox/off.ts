import type { SandboxMount } from "./types";

/** The sandbox left out of the build: no emulator is reachable (see lib/sandbox/types.ts). */
export const sandboxMount: SandboxMount | null = null;
