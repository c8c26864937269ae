import fs from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import type { Database } from "@/db/client";

/**
 * Calls the real /api/v1 route files (the exports Next.js serves) with real Requests,
 * against a test database installed as the process database.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
export const API_DIR = path.join(ROOT, "app/api/v1");

export type RouteFile = { file: string; path: string; pattern: RegExp; names: string[] };

/** Every route file under app/api/v1 with its OpenAPI-style path (`[id]` → `{id}`). */
export function routeFiles(): RouteFile[] {
  const out: RouteFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const rel = path.relative(API_DIR, dir).split(path.sep).filter(Boolean);
        const names: string[] = [];
        const apiPath = "/" + rel.map((s) => (s.startsWith("[") ? `{${(names.push(s.slice(1, -1)), s.slice(1, -1))}}` : s)).join("/");
        const pattern = new RegExp("^/api/v1" + (apiPath === "/" ? "" : apiPath).replace(/\{[^}]+\}/g, "([^/]+)").replace(/\./g, "\\.") + "$");
        out.push({ file: p, path: apiPath, pattern, names });
      }
    }
  };
  walk(API_DIR);
  // Static segments win over dynamic ones, as in Next.js.
  return out.sort((a, b) => a.names.length - b.names.length);
}

export function useDatabase(database: Database) {
  (globalThis as unknown as { __ledgerlinkDb?: Promise<Database> }).__ledgerlinkDb = Promise.resolve(database);
}

export type ApiResult = { status: number; headers: Headers; body: unknown; text: string; method: string; route: string };

export async function callApi(
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; rawBody?: string; form?: FormData; headers?: Record<string, string> } = {},
): Promise<ApiResult> {
  const u = new URL(url, "http://ledgerlink.test");
  const route = routeFiles().find((r) => r.pattern.test(u.pathname));
  if (!route) throw new Error(`no route file for ${u.pathname}`);
  const mod = (await import(route.file)) as Record<string, (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>>;
  const fn = mod[method];
  if (!fn) throw new Error(`${route.path} has no ${method}`);
  const m = route.pattern.exec(u.pathname)!;
  const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.form ?? opts.rawBody ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
  if (body !== undefined && !opts.form) headers["content-type"] = "application/json";
  const res = await fn(new NextRequest(u, { method, headers, body }), { params: Promise.resolve(params) });
  const text = await res.text();
  let parsed: unknown = undefined;
  if ((res.headers.get("content-type") ?? "").includes("application/json")) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed, text, method: method.toLowerCase(), route: route.path };
}
