import type { ReactNode } from "react";
import { ButtonLink } from "./button";

export function EmptyState({
  title,
  description,
  action,
  icon = "🏦",
}: {
  title: string;
  description: ReactNode;
  action?: { href: string; label: string };
  icon?: string;
}) {
  return (
    <div className="flex flex-col items-center rounded-xl border border-dashed border-stone-300 bg-white px-6 py-14 text-center">
      <div className="mb-3 text-4xl" aria-hidden>
        {icon}
      </div>
      <h2 className="text-lg font-semibold">{title}</h2>
      <p className="mt-1 max-w-md text-sm text-stone-500">{description}</p>
      {action && (
        <ButtonLink href={action.href} className="mt-5">
          {action.label}
        </ButtonLink>
      )}
    </div>
  );
}

export function LinkFirstBank() {
  return (
    <EmptyState
      title="Link your first bank"
      description="Connect an account — or try the demo bank — and your balances and transactions will appear here."
      action={{ href: "/connections/new", label: "Link your first bank" }}
    />
  );
}
