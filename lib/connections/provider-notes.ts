import type { Db } from "@/db/client";
import type { Connector } from "@/lib/connectors/contract";
import type { ConnectorId } from "@/lib/connectors/registry";
import { isConnectorId } from "@/lib/connectors/registry";
import { simplefinInfo } from "@/lib/connectors/simplefin/state";

export type ProviderHolding = { providerAccountId: string; symbol: string | null; description: string; shares: string | null; marketValue: string | null; currency: string };

/** What a provider last said about a connection besides its data: messages, per-account warnings, holdings. */
export type ProviderNotes = {
  messages: string[];
  accountWarnings: { providerAccountId: string | null; message: string }[];
  holdings: ProviderHolding[];
  /** The connection's account names, by provider account id (to name the warnings and holdings). */
  accountNames: Map<string, string>;
};

/**
 * Who stores such notes, by connector id: each reader reads what its connector recorded
 * (never calls the provider) for one user's connections, by connection id. A connector
 * without a reader has no notes. Typed by ConnectorId, so a reader for an unknown id does not compile.
 */
const readers: { [K in ConnectorId]?: (db: Db, userId: string) => Promise<Map<string, ProviderNotes>> } = {
  simplefin: (db, userId) => simplefinInfo(db, userId),
};

/** For the Connections page: each of the user's connections with notes, with the provider's display name. */
export async function providerNotes(
  db: Db,
  { userId, connectorIds }: { userId: string; connectorIds: string[] },
  connectorFor: (connectorId: string) => Connector<unknown> | null,
): Promise<Map<string, ProviderNotes & { provider: string }>> {
  const out = new Map<string, ProviderNotes & { provider: string }>();
  for (const id of new Set(connectorIds)) {
    const read = isConnectorId(id) ? readers[id] : undefined;
    const connector = connectorFor(id);
    if (!read || !connector) continue;
    for (const [connectionId, notes] of await read(db, userId)) {
      if (notes.messages.length || notes.accountWarnings.length || notes.holdings.length) out.set(connectionId, { ...notes, provider: connector.displayName });
    }
  }
  return out;
}
