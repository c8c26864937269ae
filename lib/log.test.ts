import { afterEach, describe, expect, it, vi } from "vitest";
import { log } from "./log";

afterEach(() => vi.restoreAllMocks());

function logged(fn: () => void): Record<string, unknown> {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  fn();
  expect(spy).toHaveBeenCalledTimes(1);
  return JSON.parse(String(spy.mock.calls[0]?.[0])) as Record<string, unknown>;
}

describe("log redaction", () => {
  it("keys that look secret are redacted at any depth", () => {
    const line = logged(() => log.error("x", { nested: { apiToken: "tok_live_1", password: "hunter2", ok: 1 } }));
    expect(line.nested).toEqual({ apiToken: "[redacted]", password: "[redacted]", ok: 1 });
  });

  it("a failed query's parameters never reach the log; the statement and the driver's reason do", () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "users_email_unique"'), { code: "23505" });
    const e = new Error('Failed query: insert into users (email, password_hash) values ($1, $2)\nparams: ann@example.com,$argon2id$v=19$secret-hash', { cause });
    const line = JSON.stringify(logged(() => log.error("sign-up failed", { error: e })));
    expect(line).not.toContain("ann@example.com");
    expect(line).not.toContain("argon2id");
    expect(line).toContain("insert into users (email, password_hash)");
    expect(line).toContain("params: [redacted]");
    expect(line).toContain("users_email_unique");
    expect(line).toContain("23505");
  });
});
