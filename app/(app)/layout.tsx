import Link from "next/link";
import { Nav } from "@/components/shell/nav";
import { requireUser } from "@/lib/auth/current-user";
import { signOutAction } from "@/lib/actions/sign-out";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const signOut = (
    <form action={signOutAction}>
      <button type="submit" className="rounded-md px-2.5 py-1.5 text-sm text-stone-600 hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-brand-600">
        Sign out
      </button>
    </form>
  );
  return (
    <div className="min-h-screen">
      <header className="relative border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center gap-3 px-4 py-3 md:gap-6">
          <Link href="/" className="text-lg font-semibold tracking-tight text-brand-700">
            Ledgerlink
          </Link>
          <div className="ml-auto md:order-none md:ml-0">
            <Nav />
          </div>
          <div className="hidden items-center gap-3 md:ml-auto md:flex">
            <span className="hidden text-sm text-stone-500 lg:inline" data-testid="user-email">
              {user.email}
            </span>
            {signOut}
          </div>
          <div className="md:hidden">{signOut}</div>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-6 md:py-8">{children}</main>
    </div>
  );
}
