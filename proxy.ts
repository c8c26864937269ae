import { NextResponse, type NextRequest } from "next/server";

/**
 * A convenience redirect only — NOT the auth boundary. Pages, server actions and route
 * handlers verify the session themselves (lib/auth/current-user.ts). Here we only send
 * visitors without a session cookie to sign-in instead of rendering a page for them.
 */
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(req: NextRequest) {
  const hasSession = SESSION_COOKIES.some((c) => req.cookies.has(c));
  if (hasSession) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = "";
  const back = req.nextUrl.pathname + req.nextUrl.search;
  if (back !== "/") url.searchParams.set("callbackUrl", back);
  return NextResponse.redirect(url);
}

export const config = {
  // Everything except auth pages, API routes (they answer 401 themselves), emulators and assets.
  matcher: ["/((?!sign-in|sign-up|api/|sandbox/|_next/|favicon.ico|.*\\.(?:png|svg|ico|js|css)$).*)"],
};
