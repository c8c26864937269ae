import type { NextAuthConfig } from "next-auth";

/**
 * The edge-safe half of the next-auth config: no database, no Node APIs. The Node half
 * (lib/auth/index.ts) adds the credentials provider. Pages, actions and route handlers
 * check the session themselves (lib/auth/current-user.ts); proxy.ts only redirects.
 */
export const authConfig = {
  pages: { signIn: "/sign-in" },
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  trustHost: true,
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      // On sign-in `user` is what authorize() returned: carry the server-side session id.
      if (user) {
        token.sid = (user as { sid?: string }).sid;
        token.sub = user.id;
      }
      return token;
    },
    session({ session, token }) {
      return { ...session, sid: token.sid as string | undefined, user: { ...session.user, id: token.sub ?? "" } };
    },
  },
} satisfies NextAuthConfig;
