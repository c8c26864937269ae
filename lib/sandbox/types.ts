import type { TellerClientOptions } from "@/lib/connectors/teller/client";

/**
 * What the offline sandbox (the local emulators in emulators/) offers the app. The real
 * implementation is lib/sandbox/mount.ts — the ONLY module that imports an emulator. A
 * build made without LEDGERLINK_SANDBOX=on resolves the mount to lib/sandbox/off.ts
 * instead (see next.config.ts), so no emulator code is in the production server bundle.
 */
export type SandboxMount = {
  demo: { fetch: typeof fetch };
  plaid: { clientId: string; secret: string; basePath: (appUrl: string) => string };
  teller: {
    applicationId: string;
    settings: (appUrl: string) => Promise<TellerClientOptions>;
    webhookSecrets: (appUrl: string) => Promise<string[]>;
    /** The local Teller's sandbox token-signing public key (it signs Connect enrollments). */
    tokenSigningKey: (appUrl: string) => Promise<string>;
  };
  finqware: { clientId: string; clientSecret: string; appKey: string; baseUrl: (appUrl: string) => string; fetch: (appUrl: string) => typeof fetch };
  /** The local SimpleFIN Bridge: requests to its host are served in-process. */
  simplefin: { host: string; fetch: typeof fetch };
  /** The local web-banking-only bank (e-bank), mounted at /sandbox/ebank. */
  ebank: { requestsPerMinute: number; usernameHint: string; fetch: typeof fetch };
  /** The /sandbox/<provider>/* route handlers. */
  routes: {
    plaid: (req: Request) => Promise<Response>;
    teller: (req: Request, path: string[]) => Promise<Response>;
    finqware: (req: Request) => Promise<Response>;
    simplefin: (req: Request) => Promise<Response>;
    ebank: (req: Request) => Promise<Response>;
  };
};
