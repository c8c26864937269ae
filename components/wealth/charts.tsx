"use client";

import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from "recharts";
import { Chart, compactMoney, fullMoney } from "@/components/charts/chart";

export type SlicePoint = { label: string; total: number };

const COLORS = ["#23775b", "#6b8fb5", "#c9a227", "#8a6bb5", "#dc6b5a", "#4aa3a3", "#a0a0a0", "#b5856b"];

/** A distribution as horizontal bars (liabilities negative, in red). */
export function DistributionChart({ title, data, currency, testId }: { title: string; data: SlicePoint[]; currency: string; testId: string }) {
  const summary = data.length ? data.map((d) => `${d.label} ${fullMoney(currency)(d.total)}`).join("; ") : "Nothing to show yet.";
  return (
    <Chart title={title} summary={summary} height={Math.max(120, data.length * 32)} testId={testId}>
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 10, left: 10, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" horizontal={false} />
        <XAxis type="number" tickFormatter={compactMoney(currency)} tick={{ fontSize: 11 }} />
        <YAxis type="category" dataKey="label" tick={{ fontSize: 11 }} width={110} />
        <Tooltip formatter={(v) => [fullMoney(currency)(v as number), "Value"]} />
        <Bar dataKey="total" isAnimationActive={false}>
          {data.map((d, i) => (
            <Cell key={d.label} fill={d.total < 0 ? "#dc6b5a" : COLORS[i % COLORS.length]} />
          ))}
        </Bar>
      </BarChart>
    </Chart>
  );
}
