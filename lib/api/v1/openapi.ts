import { z } from "zod";
import type { AnyRouteDef } from "./define";
import { apiSchemas } from "./schemas";

/**
 * OpenAPI 3.1 generated from the route definitions and the zod schemas the handlers
 * parse their input and output with — nothing hand-written that could drift.
 */

type Json = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function strip(s: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = s;
  return rest;
}

/** JSON Schema of one schema, with registered components referenced instead of inlined. */
function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const meta = apiSchemas.get(schema);
  if (meta?.id) return ref(meta.id);
  return strip(
    z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io,
      unrepresentable: "any",
    }) as Json,
  );
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  const s = schema as unknown as { shape?: Record<string, z.ZodType> };
  if (!s.shape) throw new Error("query and path schemas must be zod objects");
  return s.shape;
}

function isOptional(s: z.ZodType): boolean {
  return s.safeParse(undefined).success;
}

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: ref("Error") } } });

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid parameters or body (`invalid_input`, with `field_errors`).",
  401: "Missing, invalid, expired or revoked token (`unauthorized`).",
  403: "The token's scope does not allow this (`forbidden`).",
  404: "No such resource among yours (`not_found`). Another user's ids answer 404 too.",
  409: "Conflict (e.g. `already_syncing`).",
  429: "Rate limited (`rate_limited`); wait `Retry-After` seconds.",
};

const rateHeaders = {
  "RateLimit-Limit": { description: "Requests allowed per window.", schema: { type: "integer" } },
  "RateLimit-Remaining": { description: "Requests left in this window.", schema: { type: "integer" } },
  "RateLimit-Reset": { description: "Seconds until the window resets.", schema: { type: "integer" } },
};

export function buildOpenApi(routes: AnyRouteDef[], { serverUrl = "/api/v1" }: { serverUrl?: string } = {}) {
  const components = z.toJSONSchema(apiSchemas, { target: "draft-2020-12", io: "output", uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, Json> };
  const schemas = Object.fromEntries(Object.entries(components.schemas).map(([k, v]) => [k, strip(v)]));
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const parameters: Json[] = [];
    if (r.params)
      for (const [name, s] of Object.entries(objectShape(r.params)))
        parameters.push({ name, in: "path", required: true, schema: { ...schemaOf(s, "output"), ...(name === "id" ? { format: "uuid" } : {}) } });
    if (r.query)
      for (const [name, s] of Object.entries(objectShape(r.query))) {
        const js = schemaOf(s, "output");
        const array = js.type === "array";
        parameters.push({
          name,
          in: "query",
          required: !isOptional(s),
          ...(s.description ? { description: s.description } : {}),
          ...(array ? { style: "form", explode: true } : {}),
          schema: js,
        });
      }
    const ok = r.status ?? 200;
    const responses: Record<string, Json> = {
      [ok]: r.raw
        ? { description: r.raw.description, content: Object.fromEntries(
              r.raw.contentTypes.map((full) => {
                const t = full.split(";")[0]!.trim();
                return [t, { schema: t === "application/json" && r.raw!.json ? schemaOf(r.raw!.json, "output") : { type: "string" } }];
              }),
            ), headers: rateHeaders }
        : { description: "OK", headers: rateHeaders, content: { "application/json": { schema: schemaOf(r.response!, "output") } } },
    };
    for (const code of [400, 401, ...(r.scope === "write" ? [403] : []), ...(r.errors ?? []), 429]) responses[code] = errorResponse(ERROR_TEXT[code] ?? "Error");
    responses[429] = { ...errorResponse(ERROR_TEXT[429]!), headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } }, ...rateHeaders } };
    const op: Json = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      security: [{ bearer: [r.scope] }],
      "x-scope": r.scope,
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(r.body, "input") } } } } : {}),
      responses,
      ...(r.example ? { "x-codeSamples": [{ lang: "curl", source: r.example }] } : {}),
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Ledgerlink API",
      version: "1.0.0",
      description:
        "Your accounts, balances and transactions as JSON. Send a personal token from Settings → API as `Authorization: Bearer <token>`. Every field is snake_case; amounts are decimal strings (negative = money out). Lists are keyset-paged: follow `next` until it is null. Errors: `{ \"error\": { \"code\", \"message\", \"field_errors\"? } }`.",
    },
    servers: [{ url: serverUrl }],
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    components: {
      schemas,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A personal API token (`ll_…`). Read-only tokens can only GET; read-write tokens can also change data." } },
    },
    paths,
  };
}
