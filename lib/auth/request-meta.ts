/** Client IP as seen by our server: the last x-forwarded-for hop (added by Next or our proxy). */
export function clientIp(headers: Headers): string {
  const xff = headers.get("x-forwarded-for");
  if (xff) {
    const hops = xff.split(",").map((s) => s.trim()).filter(Boolean);
    if (hops.length) return hops[hops.length - 1]!;
  }
  return headers.get("x-real-ip") ?? "local";
}
