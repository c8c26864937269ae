/**
 * Is the offline sandbox wanted at run time? `LEDGERLINK_SANDBOX=on|off` decides; unset, it
 * is on outside production and off in production. (It also has to be in the build: see
 * next.config.ts. A production build only contains it when built with LEDGERLINK_SANDBOX=on.)
 */
export function sandboxRequested(envVars: Record<string, string | undefined> = process.env): boolean {
  const v = envVars.LEDGERLINK_SANDBOX?.trim().toLowerCase();
  if (v === "on" || v === "1" || v === "true") return true;
  if (v === "off" || v === "0" || v === "false") return false;
  return envVars.NODE_ENV !== "production";
}

/** Build time: include the emulators in this build? (next.config.ts) */
export function sandboxInBuild(phase: string, envVars: Record<string, string | undefined> = process.env): boolean {
  const v = envVars.LEDGERLINK_SANDBOX?.trim().toLowerCase();
  if (v === "on" || v === "1" || v === "true") return true;
  if (v === "off" || v === "0" || v === "false") return false;
  return phase === "phase-development-server";
}
