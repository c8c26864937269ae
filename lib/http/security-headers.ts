/**
 * Security headers for every response (wired in next.config.ts). The CSP allows exactly
 * what the app needs: its own scripts (Next.js inlines its bootstrap, hence
 * 'unsafe-inline' for scripts without a nonce), inline styles (charts), and the real
 * Plaid Link and Teller Connect script and frame origins. No page may be framed.
 */
const PLAID = ["https://cdn.plaid.com", "https://*.plaid.com"];
const TELLER = ["https://cdn.teller.io", "https://teller.io", "https://*.teller.io"];

export function contentSecurityPolicy(dev = process.env.NODE_ENV === "development"): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", ...(dev ? ["'unsafe-eval'"] : []), "https://cdn.plaid.com", "https://cdn.teller.io"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", ...PLAID, ...TELLER],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...PLAID, ...TELLER, ...(dev ? ["ws:", "wss:"] : [])],
    "frame-src": ["'self'", ...PLAID, ...TELLER],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
  };
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(" ")}`)
    .join("; ");
}

export function securityHeaders(): { key: string; value: string }[] {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy() },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin-allow-popups" },
  ];
}

/** HSTS only means something over HTTPS: sent when the request came in as https. */
export const HSTS = { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" };
export const NO_STORE = { key: "Cache-Control", value: "no-store" };
