import { sql } from "drizzle-orm";
import { transactions, type UserEditableField } from "@/db/schema";

/** `user_edited_fields` plus these fields (no duplicates): sync then keeps the user's values. */
export function withEditedFields(fields: readonly UserEditableField[]) {
  return sql`(select array(select distinct unnest(${transactions.userEditedFields} || array[${sql.join(
    fields.map((f) => sql`${f}`),
    sql`, `,
  )}]::text[])))`;
}
