import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TellerWebhookError, verifyTellerSignature, tellerWebhookEvent } from "./webhook";

const body = JSON.stringify({ id: "wh_1", type: "transactions.processed", timestamp: "2026-11-21T10:00:00Z", payload: { enrollment_id: "enr_1", transactions: [] } });
const now = 1_800_000_000;
const sig = (secret: string, t = now, raw = body) => createHmac("sha256", secret).update(`${t}.${raw}`).digest("hex");
const verify = (header: string | null, secrets = ["whsec_current"], raw = body) =>
  verifyTellerSignature({ headers: new Headers(header ? { "teller-signature": header } : {}), rawBody: raw }, secrets, now);

describe("Teller webhook signatures", () => {
  it("accepts a valid signature and maps the event", () => {
    const w = verify(`t=${now},v1=${sig("whsec_current")}`);
    expect(tellerWebhookEvent(w)).toEqual({ kind: "sync", providerItemId: "enr_1" });
  });
  it("during rotation, accepts when any v1 matches any configured secret", () => {
    expect(verify(`t=${now},v1=${sig("whsec_old_expired")},v1=${sig("whsec_current")}`).id).toBe("wh_1");
    expect(verify(`t=${now},v1=${sig("whsec_next")}`, ["whsec_current", "whsec_next"]).id).toBe("wh_1");
  });
  it("rejects a missing header, a stale timestamp, a wrong secret and a tampered body", () => {
    expect(() => verify(null)).toThrow(TellerWebhookError);
    expect(() => verify(`t=${now - 181},v1=${sig("whsec_current", now - 181)}`)).toThrow(/stale/);
    expect(() => verify(`t=${now},v1=${sig("whsec_wrong")}`)).toThrow(/no signature matches/);
    expect(() => verify(`t=${now},v1=${sig("whsec_current")}`, ["whsec_current"], body.replace("enr_1", "enr_2"))).toThrow(/no signature matches/);
    expect(() => verify(`v1=${sig("whsec_current")}`)).toThrow(/malformed/);
  });
  it("the 3-minute window is inclusive and holds both ways: 180 s old or ahead is accepted, 181 s ahead is refused", () => {
    expect(verify(`t=${now - 180},v1=${sig("whsec_current", now - 180)}`).id).toBe("wh_1");
    expect(verify(`t=${now + 180},v1=${sig("whsec_current", now + 180)}`).id).toBe("wh_1");
    expect(() => verify(`t=${now + 181},v1=${sig("whsec_current", now + 181)}`)).toThrow(/stale/);
  });
  it("a signature made for another timestamp does not verify under the header's t (t is signed)", () => {
    expect(() => verify(`t=${now},v1=${sig("whsec_current", now - 600)}`)).toThrow(/no signature matches/);
  });
  it("maps enrollment.disconnected to reauth_required with a human reason", () => {
    expect(tellerWebhookEvent({ id: "wh_2", type: "enrollment.disconnected", timestamp: "", payload: { enrollment_id: "enr_1", reason: "disconnected.user_action.mfa_required" } })).toEqual({
      kind: "reauth_required",
      providerItemId: "enr_1",
      reason: "The bank needs a one-time code. Reconnect to continue.",
    });
  });
});
