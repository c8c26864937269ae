import { sql, type SQL } from "drizzle-orm";
import { currenciesByMinorUnits, minorUnits } from "@/lib/money/currency";

/**
 * SQL side of the rounding rule in lib/fx/convert.ts: `amount × to ÷ from`, rounded once
 * to the base currency's minor units (cents; whole yen for JPY), half away from zero,
 * computed with exact numeric integer division (div truncates exactly;
 * floor((2n + d) / 2d) is round-half-up of n/d for n ≥ 0). Same currency → the amount unchanged.
 */
export function convertSql(amount: SQL, fromCurrency: SQL, fromPerEur: SQL, toPerEur: SQL, base: string): SQL {
  const scale = sql.raw(String(10 ** minorUnits(base)));
  return sql`(case when ${fromCurrency} = ${base} then ${amount}
    else sign(${amount}) * div(2 * abs(${amount}) * ${toPerEur} * ${scale} + ${fromPerEur}, 2 * ${fromPerEur}) / ${scale} end)`;
}

/**
 * 10^(minor units) of a currency held in a column (1 for JPY, 100 for USD, 1000 for BHD),
 * for conversions into a currency that varies per row: the table of lib/money/currency.ts.
 */
export function minorScaleSql(currency: SQL): SQL {
  const whens = Object.entries(currenciesByMinorUnits()).map(
    ([digits, codes]) => sql`when ${currency} in (${sql.raw(codes.map((c) => `'${c}'`).join(", "))}) then ${sql.raw(String(10 ** Number(digits)))}`,
  );
  return sql`(case ${sql.join(whens, sql` `)} else 100 end)`;
}

/** The last published day (rates of later days are carried forward from it). */
export const lastRateDay = sql`(select max(day) from fx_daily where currency = 'EUR')`;
