import { env } from "@/lib/env";
import { decrypt, encrypt } from "./envelope";

/** Encrypt a JSON-serialisable secret with the configured keyring, bound to `owner`. */
export function sealSecret(value: unknown, owner: string): string {
  return encrypt(env().keyring, JSON.stringify(value), owner);
}

export function openSecret<T>(envelope: string, owner: string): T {
  return JSON.parse(decrypt(env().keyring, envelope, owner)) as T;
}
