import { z } from "zod";
import type { Connector } from "../contract";
import { ConnectorError } from "../errors";

const credentialsSchema = z.object({}).passthrough();
export type FileCredentials = z.infer<typeof credentialsSchema>;

/**
 * Statement files as a source: no credentials and nothing to fetch — data arrives through
 * uploads (lib/statements/import.ts), each bounded by its statement's own date range.
 * The connection exists so file accounts list, disconnect and delete like any other.
 */
export function createFileConnector(): Connector<FileCredentials> {
  return {
    id: "file",
    displayName: "Statement files",
    description: "Import OFX/QFX, CAMT.053, MT940, QIF or CSV files downloaded from any bank.",
    capabilities: {
      syncModel: "window",
      // Nothing to fetch until the user uploads a statement.
      schedule: "manual",
      maxHistoryDays: null,
      supportsPending: true,
      stableIds: true,
      consentLifetimeDays: null,
      rateBudget: null,
    },
    link: { kind: "file_upload", accept: [".ofx", ".qfx", ".xml", ".sta", ".mt940", ".txt", ".qif", ".csv"] },
    credentialsSchema,
    async completeLink() {
      throw new ConnectorError("invalid_request", "Statement files are added with Import a statement, not linked.");
    },
    async checkAuth() {
      return { ok: true };
    },
    async listAccounts() {
      return [];
    },
    async getBalances() {
      return [];
    },
    async fetchTransactions() {
      // Nothing to pull: the rows came from files. An empty final page changes nothing.
      return { added: [], modified: [], removed: [], nextCursor: null, hasMore: false };
    },
    async disconnect() {
      // nothing to revoke remotely
    },
  };
}
