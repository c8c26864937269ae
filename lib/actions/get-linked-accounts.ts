"use server";

import { z } from "zod";
import { connectionAccounts } from "@/lib/connections/names";
import { authedAction } from "./safe-action";

const schema = z.object({ connectionId: z.string().min(1).max(64) });

/** What a just-linked connection brought in: its accounts, balances and the dates covered (the user's own only). */
export const getLinkedAccountsAction = authedAction(schema, async (input, { db, user }) => connectionAccounts(db, { userId: user.id, connectionId: input.connectionId }));
