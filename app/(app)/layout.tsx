import Link from "next/link";
import { Nav } from "@/components/shell/nav";
import { requireUser } from "@/lib/auth/current-user";
import { signOutAction } from "@/lib/actions/sign-out";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3">
          <Link href="/" className="text-lg font-semibold tracking-tight text-brand-700">
            Ledgerlink
          </Link>
          <Nav />
          <div className="ml-auto flex items-center gap-3">
            <span className="hidden text-sm text-stone-500 sm:inline" data-testid="user-email">
              {user.email}
            </span>
            <form action={signOutAction}>
              <button type="submit" className="rounded-md px-2.5 py-1.5 text-sm text-stone-600 hover:bg-stone-100">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </div>
  );
}
