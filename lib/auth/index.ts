import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getDb } from "@/db";
import { env } from "@/lib/env";
import { authConfig } from "./auth.config";
import { log } from "@/lib/log";
import { createSession, endSessionOfToken, verifyCredentials } from "./accounts";
import { clientIp } from "./request-meta";
import { signInSchema } from "./validation";

export class ThrottledSignIn extends CredentialsSignin {
  override code = "throttled";
}

// Lazy config: env (and so the database) is only touched on the first request, never at build.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  ...authConfig,
  secret: env().authSecret,
  events: {
    async signOut(message) {
      await endSessionOfToken(await getDb(), message);
    },
  },
  // One line per event, never a stack trace or a credential (a failed sign-in is routine).
  logger: {
    error(error) {
      const name = (error as { type?: string }).type ?? error.name;
      if (name === "CredentialsSignin") return log.info("sign-in refused", { reason: (error as { code?: string }).code ?? "invalid" });
      log.error("auth error", { error: name });
    },
    warn(code) {
      log.warn("auth warning", { code });
    },
    debug() {},
  },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(raw, request) {
        const parsed = signInSchema.safeParse(raw);
        if (!parsed.success) return null;
        const db = await getDb();
        const ip = clientIp(request.headers);
        const result = await verifyCredentials(db, { ...parsed.data, ip });
        if (!result.ok) {
          if (result.reason === "throttled") throw new ThrottledSignIn();
          return null;
        }
        const sid = await createSession(db, {
          userId: result.user.id,
          ip,
          userAgent: request.headers.get("user-agent") ?? undefined,
        });
        return { id: result.user.id, email: result.user.email, name: result.user.name, sid };
      },
    }),
  ],
}));
