import { isIsoDate, latestDateAnywhere } from "@/lib/dates";
import { z } from "zod";
import { MANUAL_KINDS, KNOWN_CURRENCIES } from "./kinds";

/**
 * Input schemas for manual accounts, valuations and manual transactions: one set shared
 * by the server actions, the API and the CSV import.
 */
const decimal = (label: string) =>
  z
    .string()
    .trim()
    .transform((s) => s.replace(/[\s,]/g, ""))
    .pipe(z.string().regex(/^-?\d{1,15}(\.\d{1,4})?$/, `${label} must be a number with at most 4 decimals`));

const quantityDecimal = (label: string) =>
  z
    .string()
    .trim()
    .transform((s) => s.replace(/[\s,]/g, ""))
    .pipe(z.string().regex(/^-?\d{1,18}(\.\d{1,10})?$/, `${label} must be a number with at most 10 decimals`));

export const currencySchema = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(KNOWN_CURRENCIES, { error: "Unknown currency: pick one the ECB quotes (EUR, USD, GBP, CHF, …)" }));

export const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2025-05-09")
  .refine(isIsoDate, "Not a real date");

/** Today as a calendar date, allowing for the user's time zone being up to 14 h ahead of UTC. */
export function latestAllowedDate(now = new Date()): string {
  return latestDateAnywhere(now);
}

export const pastDate = isoDate.refine((s) => s <= latestAllowedDate(), "The date is in the future");

export const manualAccountSchema = z.object({
  name: z.string().trim().min(1, "Give it a name").max(100, "At most 100 characters"),
  kind: z.enum(MANUAL_KINDS, { error: "Pick a type" }),
  currency: currencySchema,
  institution: z.string().trim().max(100, "At most 100 characters").optional().transform((s) => s || null),
  note: z.string().trim().max(500, "At most 500 characters").optional().transform((s) => s || null),
});
export type ManualAccountInput = z.infer<typeof manualAccountSchema>;

/** A valuation: either a value, or a quantity × unit price (holdings such as crypto or funds). */
export const valuationSchema = z
  .object({
    accountId: z.uuid("Unknown account"),
    date: pastDate,
    value: decimal("Value").optional().or(z.literal("").transform(() => undefined)),
    quantity: quantityDecimal("Quantity").optional().or(z.literal("").transform(() => undefined)),
    unitPrice: quantityDecimal("Unit price").optional().or(z.literal("").transform(() => undefined)),
  })
  .superRefine((v, ctx) => {
    const hasHolding = v.quantity !== undefined || v.unitPrice !== undefined;
    if (v.value === undefined && !hasHolding) ctx.addIssue({ code: "custom", path: ["value"], message: "Enter a value, or a quantity and a unit price" });
    if (v.value !== undefined && hasHolding) ctx.addIssue({ code: "custom", path: ["value"], message: "Enter either a value or a quantity × unit price, not both" });
    if (hasHolding && v.quantity === undefined) ctx.addIssue({ code: "custom", path: ["quantity"], message: "Enter the quantity" });
    if (hasHolding && v.unitPrice === undefined) ctx.addIssue({ code: "custom", path: ["unitPrice"], message: "Enter the unit price" });
    if (v.value?.startsWith("-")) ctx.addIssue({ code: "custom", path: ["value"], message: "A value can't be negative (a debt is a liability account: loan, mortgage…)" });
    if (v.quantity?.startsWith("-")) ctx.addIssue({ code: "custom", path: ["quantity"], message: "A quantity can't be negative" });
    if (v.unitPrice?.startsWith("-")) ctx.addIssue({ code: "custom", path: ["unitPrice"], message: "A unit price can't be negative" });
  });
export type ValuationInput = z.infer<typeof valuationSchema>;

/** Editing a recorded valuation: its id plus the same fields. */
export const valuationUpdateSchema = z.intersection(z.object({ id: z.uuid("Unknown valuation") }), valuationSchema);

export const manualTransactionSchema = z.object({
  accountId: z.uuid("Unknown account"),
  date: pastDate,
  amount: decimal("Amount").refine((s) => !/^-?0*(\.0*)?$/.test(s), "The amount can't be zero"),
  description: z.string().trim().max(200, "At most 200 characters").optional().transform((s) => s ?? ""),
});
export type ManualTransactionInput = z.infer<typeof manualTransactionSchema>;
