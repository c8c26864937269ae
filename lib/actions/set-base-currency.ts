"use server";

import { revalidatePath } from "next/cache";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/db/schema";
import { currencySchema } from "@/lib/wealth/schemas";
import { authedAction, actionResult } from "./safe-action";

const schema = z.object({ baseCurrency: currencySchema });

/** The currency the Overview and net worth convert into. */
export const setBaseCurrencyAction = authedAction(schema, async ({ baseCurrency }, { db, user }) => {
  await db.update(users).set({ baseCurrency }).where(eq(users.id, user.id));
  revalidatePath("/", "layout");
  return actionResult({ status: "success" as const, data: { baseCurrency }, message: `Amounts are now shown in ${baseCurrency}.` });
});
