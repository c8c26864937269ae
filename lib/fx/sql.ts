import { sql, type SQL } from "drizzle-orm";

/**
 * SQL side of the rounding rule in lib/fx/convert.ts: `amount × to ÷ from`, rounded once
 * to the cent, half away from zero, computed with exact numeric integer division
 * (div truncates exactly; floor((2n + d) / 2d) is round-half-up of n/d for n ≥ 0).
 * Same currency → the amount unchanged.
 */
export function convertSql(amount: SQL, fromCurrency: SQL, fromPerEur: SQL, toPerEur: SQL, base: string): SQL {
  return sql`(case when ${fromCurrency} = ${base} then ${amount}
    else sign(${amount}) * div(2 * abs(${amount}) * ${toPerEur} * 100 + ${fromPerEur}, 2 * ${fromPerEur}) / 100 end)`;
}

/** The last published day (rates of later days are carried forward from it). */
export const lastRateDay = sql`(select max(day) from fx_daily where currency = 'EUR')`;
