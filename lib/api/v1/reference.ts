import type { AnyRouteDef } from "./define";
import { buildOpenApi } from "./openapi";

/** The reference page's model: each operation with its parameters and a curl example, from the OpenAPI document. */
export type ReferenceOperation = {
  method: string;
  path: string;
  summary: string;
  description?: string;
  scope: "read" | "write";
  tag: string;
  params: { name: string; where: string; required: boolean; description?: string; type: string }[];
  curl: string;
};

function typeOf(s: Record<string, unknown> | undefined): string {
  if (!s) return "";
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if (s.type === "array") return `${typeOf(s.items as Record<string, unknown>)}[] (repeatable)`;
  if (s.format) return `${String(s.type)} (${String(s.format)})`;
  return String(s.type ?? "any");
}

export function referenceOperations(routes: AnyRouteDef[]): ReferenceOperation[] {
  const doc = buildOpenApi(routes);
  return routes.map((r) => {
    const op = (doc.paths[r.path] as Record<string, { parameters?: { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> }[] }>)[r.method.toLowerCase()]!;
    const curlPath = r.path.replace(/\{(\w+)\}/g, "<$1>");
    const curl =
      r.example ??
      (r.method === "GET"
        ? `curl -H "Authorization: Bearer $LL_TOKEN" "$LL_URL/api/v1${curlPath}"`
        : `curl -X ${r.method} -H "Authorization: Bearer $LL_TOKEN" -H "content-type: application/json" -d '{}' "$LL_URL/api/v1${curlPath}"`);
    return {
      method: r.method,
      path: `/api/v1${r.path}`,
      summary: r.summary,
      description: r.description,
      scope: r.scope,
      tag: r.tag,
      params: (op.parameters ?? []).map((p) => ({ name: p.name, where: p.in, required: p.required, description: p.description ?? (p.schema.description as string | undefined), type: typeOf(p.schema) })),
      curl,
    };
  });
}
