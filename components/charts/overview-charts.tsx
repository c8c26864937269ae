"use client";

import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { Chart, compactMoney, fullMoney } from "./chart";

/** Chart values are numbers only for plotting; the decimal strings stay the source of truth. */
export type NetWorthPoint = { date: string; total: number };
export type CashflowPoint = { month: string; moneyIn: number; moneyOut: number };
export type CategoryPoint = { category: string; spent: number };

export function NetWorthChart({ data, currency, title = `Net worth (${currency})` }: { data: NetWorthPoint[]; currency: string; title?: string }) {
  const last = data[data.length - 1];
  const summary = last ? `${data.length} days; latest ${fullMoney(currency)(last.total)} on ${last.date}.` : "No balance history yet.";
  return (
    <Chart title={title} summary={summary} testId="chart-net-worth">
      <AreaChart data={data} margin={{ top: 5, right: 10, left: 10, bottom: 0 }}>
        <defs>
          <linearGradient id="nw" x1="0" y1="0" x2="0" y2="1">
            <stop offset="0%" stopColor="#2f8f6f" stopOpacity={0.35} />
            <stop offset="100%" stopColor="#2f8f6f" stopOpacity={0.02} />
          </linearGradient>
        </defs>
        <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" vertical={false} />
        <XAxis dataKey="date" tick={{ fontSize: 11 }} minTickGap={40} />
        <YAxis tickFormatter={compactMoney(currency)} tick={{ fontSize: 11 }} width={70} />
        <Tooltip formatter={(v) => [fullMoney(currency)(v as number), "Balance"]} />
        <Area type="monotone" dataKey="total" stroke="#23775b" fill="url(#nw)" strokeWidth={2} isAnimationActive={false} />
      </AreaChart>
    </Chart>
  );
}

export function CashflowChart({ data, currency }: { data: CashflowPoint[]; currency: string }) {
  const summary = data.length ? `${data.length} months of money in and out.` : "No transactions in this period.";
  return (
    <Chart title={`Money in vs out per month (${currency})`} summary={summary} testId="chart-cashflow">
      <BarChart data={data} margin={{ top: 5, right: 10, left: 10, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" vertical={false} />
        <XAxis dataKey="month" tick={{ fontSize: 11 }} />
        <YAxis tickFormatter={compactMoney(currency)} tick={{ fontSize: 11 }} width={70} />
        <Tooltip formatter={(v, name) => [fullMoney(currency)(v as number), name === "moneyIn" ? "Money in" : "Money out"]} />
        <Legend formatter={(v) => (v === "moneyIn" ? "Money in" : "Money out")} />
        <Bar dataKey="moneyIn" fill="#2f8f6f" isAnimationActive={false} />
        <Bar dataKey="moneyOut" fill="#dc6b5a" isAnimationActive={false} />
      </BarChart>
    </Chart>
  );
}

export function CategoryChart({ data, currency }: { data: CategoryPoint[]; currency: string }) {
  const summary = data.length ? `Top: ${data[0]!.category} ${fullMoney(currency)(data[0]!.spent)}.` : "No spending in this period.";
  return (
    <Chart title={`Spending by category (${currency})`} summary={summary} height={Math.max(160, data.length * 30)} testId="chart-categories">
      <BarChart data={data} layout="vertical" margin={{ top: 0, right: 10, left: 10, bottom: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e7e5e4" horizontal={false} />
        <XAxis type="number" tickFormatter={compactMoney(currency)} tick={{ fontSize: 11 }} />
        <YAxis type="category" dataKey="category" tick={{ fontSize: 11 }} width={120} />
        <Tooltip formatter={(v) => [fullMoney(currency)(v as number), "Spent"]} />
        <Bar dataKey="spent" fill="#6b8fb5" isAnimationActive={false} />
      </BarChart>
    </Chart>
  );
}
