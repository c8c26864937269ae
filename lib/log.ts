/**
 * Server log. Structured, one line per event. Never pass secrets: the redactor below is
 * a safety net for keys that look secret, not a licence to log credentials.
 */
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|credential|access_?key|private/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return redactError(value, depth);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

/**
 * An error as it may be logged. A database driver's "Failed query: … params: …" message
 * carries the statement's parameters (a user's rows, a password hash, a token's digest):
 * the statement stays, the parameters go, and the driver's own reason (the cause) is kept.
 */
function redactError(e: Error, depth: number): Record<string, unknown> {
  const message = e.message.replace(/\nparams: [\s\S]*$/, "\nparams: [redacted]");
  const out: Record<string, unknown> = { name: e.name, message };
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string") out.code = code;
  if (e.cause instanceof Error && depth < 4) out.cause = redactError(e.cause, depth + 1);
  return out;
}

type Level = "debug" | "info" | "warn" | "error";
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function emit(level: Level, msg: string, fields?: Record<string, unknown>) {
  const min = (process.env.LEDGERLINK_LOG_LEVEL as Level | undefined) ?? (process.env.NODE_ENV === "test" ? "warn" : "info");
  if (order[level] < (order[min] ?? 20)) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...(redact(fields ?? {}) as object) });
  (level === "error" ? console.error : level === "warn" ? console.warn : console.log)(line);
}

export const log = {
  debug: (msg: string, f?: Record<string, unknown>) => emit("debug", msg, f),
  info: (msg: string, f?: Record<string, unknown>) => emit("info", msg, f),
  warn: (msg: string, f?: Record<string, unknown>) => emit("warn", msg, f),
  error: (msg: string, f?: Record<string, unknown>) => emit("error", msg, f),
};
