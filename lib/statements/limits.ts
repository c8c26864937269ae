/**
 * The statement size cap, shared by the upload screen, the API, the CLI and the parser
 * (no server-only imports: the client bundle uses it too). A file of 50 MB or more is refused.
 */
export const MAX_STATEMENT_MB = 50;
export const MAX_STATEMENT_BYTES = MAX_STATEMENT_MB * 1024 * 1024;

export function statementTooLarge(size: number): boolean {
  return size >= MAX_STATEMENT_BYTES;
}

/** The one message for a refused file, wherever it is refused. */
export function tooLargeMessage(name: string | null, size: number): string {
  return `${name ?? "the file"} is ${(size / 1048576).toFixed(1)} MB; statements must be smaller than ${MAX_STATEMENT_MB} MB — split it by period`;
}
