"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { applyRuleToPast, createRule, deleteRule, previewRule, ruleInputSchema, setRuleEnabled } from "@/lib/rules/rules";
import { authedAction } from "./safe-action";

const id = z.uuid({ error: "Unknown rule." });
const done = () => {
  revalidatePath("/transactions");
  revalidatePath("/transactions/rules");
  revalidatePath("/");
};

/** How many past transactions a rule (not yet saved) would change, with examples. */
export const previewRuleAction = authedAction(ruleInputSchema, async (input, { db, user }) => previewRule(db, user.id, input));

/** Save a rule; `apply=past` also applies it to the past transactions it matches. */
export const createRuleAction = authedAction(
  z.intersection(ruleInputSchema, z.object({ apply: z.enum(["new", "past"]).default("new") })),
  async (input, { db, user }) => {
    const { apply, ...rule } = input;
    const r = await createRule(db, user.id, rule, { applyToPast: apply === "past" });
    done();
    return { id: r.rule.id, applied: r.applied };
  },
);

export const applyRuleAction = authedAction(z.object({ id }), async ({ id: ruleId }, { db, user }) => {
  const applied = await applyRuleToPast(db, user.id, ruleId);
  done();
  return { applied };
});

export const deleteRuleAction = authedAction(z.object({ id }), async ({ id: ruleId }, { db, user }) => {
  await deleteRule(db, user.id, ruleId);
  done();
  return null;
});

export const toggleRuleAction = authedAction(z.object({ id, enabled: z.boolean() }), async ({ id: ruleId, enabled }, { db, user }) => {
  await setRuleEnabled(db, user.id, ruleId, enabled);
  done();
  return null;
});
