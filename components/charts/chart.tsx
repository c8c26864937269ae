"use client";

import type { ReactNode } from "react";
import { ResponsiveContainer } from "recharts";

/**
 * The one wrapper around recharts: a labelled figure (screen readers get `summary`),
 * a fixed height, and a responsive container.
 */
export function Chart({ title, summary, height = 260, children, testId }: { title: string; summary: string; height?: number; children: ReactNode; testId?: string }) {
  return (
    <figure className="m-0" data-testid={testId}>
      <figcaption className="mb-2 text-sm font-semibold text-stone-800">{title}</figcaption>
      <div role="img" aria-label={`${title}. ${summary}`} style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          {children as React.ReactElement}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function compactMoney(currency: string) {
  const f = new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 });
  return (v: number) => f.format(v);
}

export function fullMoney(currency: string) {
  const f = new Intl.NumberFormat("en-US", { style: "currency", currency });
  return (v: number | string) => f.format(v as number);
}
