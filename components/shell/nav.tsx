"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";

const NAV = [
  { href: "/", label: "Overview" },
  { href: "/accounts", label: "Accounts" },
  { href: "/wealth", label: "Net worth" },
  { href: "/transactions", label: "Transactions" },
  { href: "/recurring", label: "Recurring" },
  { href: "/connections", label: "Connections" },
  { href: "/settings", label: "Settings" },
] as const;

const isActive = (href: string, path: string) => (href === "/" ? path === "/" : path.startsWith(href));

/**
 * The main navigation: a row of links from the `md` breakpoint up; below it a "Menu"
 * button that opens the same links as a full-width list (so a 390 px phone reaches
 * every page without a hidden sideways scroller). The menu closes on navigation and
 * on Escape.
 */
export function Nav() {
  const path = usePathname();
  // The path the menu was opened on: navigating elsewhere closes it with no effect needed.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === path;
  const setOpen = (next: boolean) => setOpenOn(next ? path : null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpenOn(null);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  const current = NAV.find((i) => isActive(i.href, path));

  return (
    <>
      <nav aria-label="Main" className="hidden gap-1 md:flex">
        {NAV.map((item) => {
          const active = isActive(item.href, path);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={`whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-brand-600 ${active ? "bg-brand-50 text-brand-700" : "text-stone-600 hover:bg-stone-100 hover:text-stone-900"}`}
            >
              {item.label}
            </Link>
          );
        })}
      </nav>
      <div className="md:hidden">
        <button
          type="button"
          aria-expanded={open}
          aria-controls="mobile-nav"
          onClick={() => setOpen(!open)}
          className="inline-flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm font-medium text-stone-700 ring-1 ring-stone-200 hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-brand-600"
        >
          <span aria-hidden className="text-base leading-none">
            {open ? "✕" : "☰"}
          </span>
          Menu{current ? <span className="sr-only">, current page {current.label}</span> : null}
        </button>
        {open && (
          <nav id="mobile-nav" aria-label="Main" className="absolute inset-x-0 top-full z-40 border-b border-stone-200 bg-white shadow-lg">
            <ul className="mx-auto max-w-6xl px-2 py-2">
              {NAV.map((item) => {
                const active = isActive(item.href, path);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      aria-current={active ? "page" : undefined}
                      onClick={() => setOpen(false)}
                      className={`block rounded-md px-3 py-2.5 text-base font-medium focus-visible:outline-2 focus-visible:outline-brand-600 ${active ? "bg-brand-50 text-brand-700" : "text-stone-700 hover:bg-stone-100"}`}
                    >
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
        )}
      </div>
    </>
  );
}
