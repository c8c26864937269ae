import { millisecondsInDay, todayUtc } from "@/lib/dates";
import { createHash, randomUUID } from "node:crypto";
import { and, eq, inArray, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rowsOf } from "@/db/rows";
import { balanceSnapshots, connections, csvMappingProfiles, financialAccounts, statementImportRows, statementImports, syncRuns, transactions } from "@/db/schema";
import { sealSecret } from "@/lib/crypto";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { emitEvent } from "@/lib/webhooks/events";
import { toUnits } from "@/lib/money/decimal";
import { StatementReadError, statementTooLarge, tooLargeMessage, streamStatement, summarize, type AccountSummary, type ParseOptions } from "./index";
import { Hash64Map, MAX_REJECTED, hash96, type ParseResult, type StatementTxn } from "./common";
import { csvHeaderSignature, type CsvMapping } from "./csv/parse";
import type { DateOrder } from "./dates";

/**
 * Statement files as a source: preview (reads, writes nothing) → import (one DB transaction
 * per request: all or nothing) → undo (removes exactly what that import added).
 * Files are read as streams of rows (lib/statements streamStatement): nothing holds every row
 * of a file, so a 50 MB statement imports in flat memory.
 * Every function takes the userId and only touches that user's rows.
 */

export type UploadedFile = { name: string; bytes: Uint8Array };
/** Per account in the file (key = `account|currency` as previewed): where its rows go. */
export type AccountChoice = { target: "new" | "skip" | string; currency?: string; name?: string };
export type ImportRequest = { userId: string; files: UploadedFile[]; options?: ParseOptions; choices?: Record<string, AccountChoice>; today?: string };

export type RowVerdict = { line: number; reason: string };
export type PreviewTarget = { kind: "existing"; accountId: string; name: string; matchedBy: "iban" | "number" | "previous_import" | "choice" | "csv_profile" } | { kind: "new"; name: string } | { kind: "skip" };

export type PreviewAccount = Omit<AccountSummary, "statements" | "rejected"> & {
  key: string;
  target: PreviewTarget;
  newRows: number;
  alreadyImported: number;
  rejected: RowVerdict[];
  /** The currency must be chosen (the file does not say). */
  needsCurrency: boolean;
};
export type PreviewFile = {
  name: string;
  hash: string;
  size: number;
  format: string | null;
  /** The same bytes were imported before: importing again is a no-op. */
  alreadyImported: { importId: string; at: string } | null;
  accounts: PreviewAccount[];
  errors: string[];
  warnings: string[];
  skipped: { kind: string; count: number }[];
  needsMapping: { columns: string[]; sample: string[][] } | null;
  dateOrderAmbiguous: boolean;
  /** CSV: the columns were mapped with the mapping saved for this account (same header as before). */
  csvProfile: { accountId: string; accountName: string } | null;
};
export type Preview = { files: PreviewFile[]; accounts: { id: string; name: string; currency: string; mask: string | null }[] };

export const MAX_FILES = 10;
/** numeric(19,4): 15 integer digits. */
const MAX_ABS_UNITS = 10n ** 19n - 1n;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const normId = (s: string) => s.replace(/[\s-]/g, "").toUpperCase();

type Candidate = { id: string; name: string; currency: string; mask: string | null; iban: string | null; providerAccountId: string; connectorId: string };

async function candidates(db: Db, userId: string): Promise<Candidate[]> {
  return db
    .select({
      id: financialAccounts.id,
      name: financialAccounts.name,
      currency: financialAccounts.currency,
      mask: financialAccounts.mask,
      iban: financialAccounts.iban,
      providerAccountId: financialAccounts.providerAccountId,
      connectorId: connections.connectorId,
    })
    .from(financialAccounts)
    .innerJoin(connections, eq(connections.id, financialAccounts.connectionId))
    .where(and(eq(financialAccounts.userId, userId), ne(connections.status, "disconnected")));
}

function autoTarget(s: AccountSummary, cands: Candidate[]): PreviewTarget {
  if (s.account) {
    const id = normId(s.account);
    const byIban = cands.filter((c) => c.iban && normId(c.iban) === id);
    if (byIban.length === 1) return { kind: "existing", accountId: byIban[0]!.id, name: byIban[0]!.name, matchedBy: "iban" };
    const prev = cands.filter((c) => c.connectorId === "file" && normId(c.providerAccountId) === id);
    if (prev.length === 1) return { kind: "existing", accountId: prev[0]!.id, name: prev[0]!.name, matchedBy: "previous_import" };
    const byMask = cands.filter((c) => c.mask && c.mask.length >= 4 && id.endsWith(normId(c.mask)) && (!s.currency || c.currency === s.currency));
    if (byMask.length === 1) return { kind: "existing", accountId: byMask[0]!.id, name: byMask[0]!.name, matchedBy: "number" };
  }
  return { kind: "new", name: defaultName(s) };
}

function defaultName(s: { account: string | null; accountType: string }) {
  const kind = s.accountType === "credit" ? "Card" : "Account";
  return s.account ? `${kind} ${s.account.length > 8 ? `…${s.account.replace(/\s/g, "").slice(-4)}` : s.account}` : `Imported ${kind.toLowerCase()}`;
}

const keyOf = (s: { account: string | null; currency: string | null }) => `${s.account ?? ""}|${s.currency ?? ""}`;

/**
 * Rows already in a target account: by id (64 bits of its hash, in a typed-array map: a
 * re-imported 50 MB file has half a million), else — rows seen through an aggregator — by
 * date ±3 days and amount.
 */
type Existing = { ids: Hash64Map; others: Map<string, { date: number; used: boolean }[]> };

type Group = {
  summary: AccountSummary;
  key: string;
  target: PreviewTarget;
  currency: string | null;
  acct: PreviewAccount;
  existing: Existing | null;
};

type Analysed = {
  file: UploadedFile;
  preview: PreviewFile;
  /** The options the file was read with (a saved CSV mapping may have been applied): every pass reads it the same way. */
  options: ParseOptions | undefined;
  /** CSV mapped with the user's choice: saved per target account on import. */
  saveProfile: { signature: string; mapping: CsvMapping; dateOrder: DateOrder | null } | null;
  groups: Group[];
  /** statement seq → its account's group */
  bySeq: Map<number, Group>;
  today: string;
};

/** Why a parsed row cannot be written (null: it can). */
function rowProblem(t: StatementTxn, today: string): string | null {
  const units = toUnits(t.amount, 6);
  if ((units < 0n ? -units : units) / 100n > MAX_ABS_UNITS) return `amount ${t.amount} is out of range`;
  if (t.date > today) return `date ${t.date} is in the future`;
  return null;
}

/** Is the row already in its target account? Marks an aggregator row it matches as used. */
function alreadyThere(ex: Existing, t: StatementTxn): boolean {
  return idKnown(ex, t) || matchesOtherSource(ex, t);
}

/** Probably already imported: its id's hash is known (a preview count; the write lets the unique key decide). */
function idKnown(ex: Existing, t: StatementTxn): boolean {
  const [a, b] = hash96(t.id);
  return ex.ids.get(a, b) !== 0;
}

/** Seen through another source (an aggregator) on a date ±3 days with the same amount; marks that row as used. */
function matchesOtherSource(ex: Existing, t: StatementTxn): boolean {
  const list = ex.others.get(toUnits(t.amount, 6).toString());
  if (!list) return false;
  const d = Date.parse(t.date);
  const m = list.find((o) => !o.used && Math.abs(o.date - d) <= 3 * millisecondsInDay);
  if (!m) return false;
  m.used = true;
  return true;
}

const EXISTING_PAGE = 10_000;

async function loadExisting(db: Db, userId: string, accountId: string, from: string, to: string): Promise<Existing> {
  const ids = new Hash64Map();
  // rows from other sources, by exact amount (a lookup per file row, not a scan)
  const others = new Map<string, { date: number; used: boolean }[]>();
  // read in pages (keyset on id): never every row of the account at once
  let after: string | null = null;
  for (;;) {
    const page: { id: string; pid: string; date: string; amount: string }[] = await db
      .select({ id: transactions.id, pid: transactions.providerTransactionId, date: transactions.date, amount: transactions.amount })
      .from(transactions)
      .where(
        and(
          eq(transactions.userId, userId),
          eq(transactions.accountId, accountId),
          sql`${transactions.date} between (${from}::date - 3) and (${to}::date + 3)`,
          after === null ? undefined : sql`${transactions.id} > ${after}::uuid`,
        ),
      )
      .orderBy(transactions.id)
      .limit(EXISTING_PAGE);
    for (const e of page) {
      const [a, b] = hash96(e.pid);
      ids.set(a, b, 1);
      if (/^[fh]:/.test(e.pid)) continue;
      const k = toUnits(e.amount, 6).toString();
      const list = others.get(k);
      if (list) list.push({ date: Date.parse(e.date), used: false });
      else others.set(k, [{ date: Date.parse(e.date), used: false }]);
    }
    if (page.length < EXISTING_PAGE) return { ids, others };
    after = page[page.length - 1]!.id;
  }
}

function resetUsed(ex: Existing) {
  for (const list of ex.others.values()) for (const o of list) o.used = false;
}

/** Reads a file again, row by row (nothing kept): each row that can be written, with its group (skipped accounts left out). */
function* writableRows(a: Pick<Analysed, "file" | "options" | "bySeq" | "today">): Generator<{ g: Group; t: StatementTxn }, void, void> {
  const gen = streamStatement(a.file.bytes, a.options);
  for (;;) {
    const r = gen.next();
    if (r.done) return;
    const g = a.bySeq.get(r.value.st.seq ?? -1);
    if (!g || g.target.kind === "skip") continue;
    if (rowProblem(r.value.t, a.today)) continue;
    yield { g, t: r.value.t };
  }
}

/** Parse and classify every file: nothing is written. Each file is read as a stream, twice at most (figures, then what is new). */
async function analyse(db: Db, req: ImportRequest): Promise<{ files: Analysed[]; cands: Candidate[] }> {
  if (req.files.length > MAX_FILES) throw new AppError("invalid_request", `At most ${MAX_FILES} files at once.`);
  const cands = await candidates(db, req.userId);
  const today = req.today ?? todayUtc();
  const out: Analysed[] = [];
  for (const f of req.files) {
    const hash = sha256(f.bytes);
    const preview: PreviewFile = { name: f.name, hash, size: f.bytes.byteLength, format: null, alreadyImported: null, accounts: [], errors: [], warnings: [], skipped: [], needsMapping: null, dateOrderAmbiguous: false, csvProfile: null };
    const analysed: Analysed = { file: f, preview, options: req.options, groups: [], bySeq: new Map(), saveProfile: null, today };
    out.push(analysed);
    const [prev] = await db
      .select({ id: statementImports.id, at: statementImports.createdAt })
      .from(statementImports)
      .where(and(eq(statementImports.userId, req.userId), eq(statementImports.fileHash, hash), eq(statementImports.status, "imported")))
      .limit(1);
    if (prev) preview.alreadyImported = { importId: prev.id, at: prev.at.toISOString() };
    // rows that cannot be written, per statement (the first MAX_REJECTED listed, all counted)
    let problems = new Map<number, { listed: RowVerdict[]; count: number }>();
    const readFigures = (options: ParseOptions | undefined): ParseResult => {
      problems = new Map();
      const gen = streamStatement(f.bytes, options);
      for (;;) {
        const r = gen.next();
        if (r.done) return r.value;
        const why = rowProblem(r.value.t, today);
        if (!why) continue;
        const seq = r.value.st.seq ?? -1;
        let p = problems.get(seq);
        if (!p) problems.set(seq, (p = { listed: [], count: 0 }));
        p.count++;
        if (p.listed.length < MAX_REJECTED) p.listed.push({ line: r.value.t.line, reason: why });
      }
    };
    let parsed: ParseResult;
    try {
      if (statementTooLarge(f.bytes.byteLength)) throw new StatementReadError(tooLargeMessage(f.name, f.bytes.byteLength));
      parsed = readFigures(req.options);
      const chosen = req.options?.csv?.mapping;
      if (parsed.format === "csv" && parsed.csvHeader?.length && chosen && Object.keys(chosen).length && !parsed.needsMapping && parsed.statements.length) {
        analysed.saveProfile = { signature: csvHeaderSignature(parsed.csvHeader), mapping: chosen, dateOrder: req.options?.csv?.dateOrder ?? null };
      } else if (parsed.format === "csv" && parsed.needsMapping && parsed.csvHeader?.length && !(chosen && Object.keys(chosen).length)) {
        const reused = await savedMapping(db, req, parsed, cands);
        if (reused) {
          const again = readFigures(reused.options);
          if (!again.needsMapping && again.statements.length) {
            parsed = again;
            analysed.options = reused.options;
            preview.csvProfile = { accountId: reused.accountId, accountName: reused.accountName };
          } else readFigures(req.options);
        }
      }
    } catch (e) {
      if (e instanceof StatementReadError) {
        preview.errors.push(e.message);
        continue;
      }
      throw e;
    }
    preview.format = parsed.format;
    preview.errors.push(...parsed.errors);
    preview.warnings.push(...parsed.warnings);
    preview.skipped = parsed.skipped;
    preview.needsMapping = parsed.needsMapping ?? null;
    preview.dateOrderAmbiguous = !!parsed.dateOrderAmbiguous;
    for (const s of summarize(parsed)) {
      const key = keyOf(s);
      const choice = req.choices?.[key];
      let target: PreviewTarget;
      if (choice?.target === "skip") target = { kind: "skip" };
      else if (choice?.target === "new") target = { kind: "new", name: choice.name?.trim() || defaultName(s) };
      else if (choice?.target) {
        const c = cands.find((x) => x.id === choice.target);
        if (!c) throw new AppError("invalid_request", "The chosen account does not exist.");
        target = { kind: "existing", accountId: c.id, name: c.name, matchedBy: "choice" };
      } else if (preview.csvProfile) target = { kind: "existing", accountId: preview.csvProfile.accountId, name: preview.csvProfile.accountName, matchedBy: "csv_profile" };
      else target = autoTarget(s, cands);
      const targetCurrency = target.kind === "existing" ? cands.find((c) => c.id === target.accountId)!.currency : null;
      const currency = s.currency ?? choice?.currency?.toUpperCase() ?? targetCurrency;
      const rejected: RowVerdict[] = [...s.rejected];
      let problemCount = 0;
      for (const st of s.statements) {
        const p = problems.get(st.seq ?? -1);
        if (!p) continue;
        problemCount += p.count;
        rejected.push(...p.listed);
      }
      const writable = s.transactions - problemCount;
      if (targetCurrency && s.currency && targetCurrency !== s.currency) preview.warnings.push(`${s.account ?? "the account"}: the file is in ${s.currency}, the chosen account in ${targetCurrency}`);
      const existing = target.kind === "existing" && writable > 0 ? await loadExisting(db, req.userId, target.accountId, s.from!, s.to!) : null;
      const { statements: _s, rejected: _r, ...rest } = s;
      const acct: PreviewAccount = {
        ...rest,
        key,
        currency,
        target,
        // what is new is counted below (a second reading when rows may already be there)
        newRows: target.kind === "skip" ? 0 : writable,
        alreadyImported: 0,
        rejected: rejected.sort((a, b) => a.line - b.line),
        rejectedCount: s.rejectedCount + problemCount,
        needsCurrency: !currency,
      };
      preview.accounts.push(acct);
      const g: Group = { summary: s, key, target, currency, acct, existing };
      analysed.groups.push(g);
      for (const st of s.statements) analysed.bySeq.set(st.seq ?? -1, g);
    }
    // rows already in their target accounts: read the file again, counting (not keeping) them
    if (analysed.groups.some((g) => g.existing)) {
      const already = new Map<Group, number>();
      for (const { g, t } of writableRows(analysed)) if (g.existing && alreadyThere(g.existing, t)) already.set(g, (already.get(g) ?? 0) + 1);
      for (const g of analysed.groups) {
        const n = already.get(g) ?? 0;
        if (g.target.kind !== "skip") g.acct.newRows -= n;
        g.acct.alreadyImported = n;
        if (g.existing) resetUsed(g.existing);
      }
    }
  }
  return { files: out, cands };
}

/**
 * A CSV whose columns could not be mapped automatically: the mapping saved for an account
 * with the same header is used (the account chosen for the file if it has one, else the
 * most recently saved). The file is parsed again with it.
 */
async function savedMapping(db: Db, req: ImportRequest, parsed: ParseResult, cands: Candidate[]): Promise<{ options: ParseOptions; accountId: string; accountName: string } | null> {
  const signature = csvHeaderSignature(parsed.csvHeader!);
  const profiles = await db
    .select({ accountId: csvMappingProfiles.accountId, mapping: csvMappingProfiles.mapping, dateOrder: csvMappingProfiles.dateOrder })
    .from(csvMappingProfiles)
    .where(and(eq(csvMappingProfiles.userId, req.userId), eq(csvMappingProfiles.headerSignature, signature)))
    .orderBy(sql`${csvMappingProfiles.updatedAt} desc`);
  const usable = profiles.filter((p) => cands.some((c) => c.id === p.accountId));
  if (!usable.length) return null;
  const chosenIds = new Set(Object.values(req.choices ?? {}).map((c) => c.target));
  const profile = usable.find((p) => chosenIds.has(p.accountId)) ?? usable[0]!;
  const options: ParseOptions = { ...req.options, csv: { ...req.options?.csv, mapping: profile.mapping as CsvMapping, dateOrder: req.options?.csv?.dateOrder ?? profile.dateOrder ?? undefined } };
  return { options, accountId: profile.accountId, accountName: cands.find((c) => c.id === profile.accountId)!.name };
}

/** Save (or replace) the mapping the user chose for a CSV, per account it was imported into. */
async function saveProfiles(tx: Db, userId: string, save: NonNullable<Analysed["saveProfile"]>, accountIds: string[], now: Date) {
  for (const accountId of new Set(accountIds)) {
    await tx
      .insert(csvMappingProfiles)
      .values({ userId, accountId, headerSignature: save.signature, mapping: save.mapping as Record<string, string | number | (string | number)[]>, dateOrder: save.dateOrder, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: [csvMappingProfiles.accountId, csvMappingProfiles.headerSignature], set: { mapping: sql`excluded.mapping`, dateOrder: sql`excluded.date_order`, updatedAt: now } });
  }
}

export async function previewImport(db: Db, req: ImportRequest): Promise<Preview> {
  const { files, cands } = await analyse(db, req);
  return { files: files.map((f) => f.preview), accounts: cands.map((c) => ({ id: c.id, name: c.name, currency: c.currency, mask: c.mask })) };
}

async function fileConnection(db: Db, userId: string): Promise<string> {
  const [existing] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.connectorId, "file"), ne(connections.status, "disconnected")))
    .limit(1);
  if (existing) return existing.id;
  const id = randomUUID();
  await db.insert(connections).values({ id, userId, connectorId: "file", displayName: "Statement files", providerItemId: `file:${id}`, credentials: sealSecret({}, id), status: "active" });
  return id;
}

/** `import.completed` for each file an import wrote (never fails the import: errors are logged). */
async function emitImportCompleted(
  db: Db,
  { userId, imports, now }: { userId: string; now: Date; imports: { importId: string; runId: string; connectionId: string; fileName: string; format: string; added: number; alreadyImported: number; rejected: number; accounts: number }[] },
) {
  for (const i of imports) {
    try {
      await emitEvent(db, {
        userId,
        type: "import.completed",
        now,
        data: {
          import_id: i.importId,
          run_id: i.runId,
          connection_id: i.connectionId,
          file_name: i.fileName,
          format: i.format,
          added: i.added,
          already_imported: i.alreadyImported,
          rejected: i.rejected,
          accounts: i.accounts,
          runs: `/api/v1/connections/${i.connectionId}/runs`,
        },
      });
    } catch (e) {
      log.error("could not record import.completed", { importId: i.importId, error: e });
    }
  }
}

export const CHUNK_SIZE = 1000;

/** A chunk of rows as the jsonb text the insert expands (short keys: less to build and to parse). */
function chunkPayload(rows: StatementTxn[]): string {
  const out: string[] = [];
  for (const t of rows) {
    out.push(
      JSON.stringify({ i: t.id, p: t.pending, d: t.date, a: t.authorizedDate ?? null, m: t.amount, t: t.description || "(no description)", c: t.counterparty ?? null, y: t.type ?? null, l: t.line, r: t.reference ?? null, v: t.valueDate ?? null }),
    );
  }
  return `[${out.join(",")}]`;
}

export type ImportOutcome = { importId: string | null; fileName: string; added: number; alreadyImported: number; rejected: number; noop: boolean; message: string };

/**
 * Write what the preview showed. One DB transaction for the whole request: a failure
 * anywhere writes nothing. A file imported before is a no-op that says so. Each file is
 * streamed: read for the preview's figures, then again while its rows are written in chunks.
 */
export async function commitImport(db: Db, req: ImportRequest, deps: { beforeCommit?: () => void | Promise<void>; afterChunk?: () => void | Promise<void>; now?: Date } = {}): Promise<{ imports: ImportOutcome[] }> {
  const { files } = await analyse(db, req);
  for (const f of files) {
    if (f.preview.errors.length && !f.groups.length) throw new AppError("invalid_request", `${f.preview.name}: ${f.preview.errors[0]}`);
    if (f.preview.alreadyImported) continue;
    for (const g of f.groups) if (g.target.kind !== "skip" && !g.currency) throw new AppError("invalid_request", `${f.preview.name}: choose the currency of ${g.summary.account ?? "the account"}.`);
  }
  const now = deps.now ?? new Date();
  const finished: Parameters<typeof emitImportCompleted>[1]["imports"] = [];
  const result = await db.transaction(async (tx) => {
    const outcomes: ImportOutcome[] = [];
    let connectionId: string | null = null;
    for (const f of files) {
      const p = f.preview;
      if (p.alreadyImported) {
        outcomes.push({ importId: p.alreadyImported.importId, fileName: p.name, added: 0, alreadyImported: p.accounts.reduce((a, x) => a + x.transactions, 0), rejected: 0, noop: true, message: `${p.name} was already imported on ${p.alreadyImported.at.slice(0, 10)}: nothing new.` });
        continue;
      }
      connectionId ??= await fileConnection(tx as unknown as Db, req.userId);
      const importId = randomUUID();
      const createdAccountIds: string[] = [];
      const createdSnapshots: { accountId: string; date: string }[] = [];
      const targetAccounts: string[] = [];
      let added = 0;
      let already = 0;
      let rejected = 0;
      // the run row first: each chunk below records the rows it added in the same statement
      await tx.insert(statementImports).values({ id: importId, userId: req.userId, connectionId, fileName: p.name.slice(0, 255), fileHash: p.hash, format: p.format ?? "unknown", createdAt: now });
      const accountOf = new Map<Group, string>();
      for (const g of f.groups) {
        rejected += g.acct.rejectedCount;
        if (g.target.kind === "skip") continue;
        let accountId: string;
        if (g.target.kind === "existing") accountId = g.target.accountId;
        else {
          const providerAccountId = g.summary.account ?? `unnamed:${p.hash.slice(0, 16)}`;
          const [row] = await tx
            .insert(financialAccounts)
            .values({
              userId: req.userId,
              connectionId,
              providerAccountId,
              name: g.target.name,
              type: g.summary.accountType,
              currency: g.currency!,
              iban: g.summary.account && /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(normId(g.summary.account)) ? normId(g.summary.account) : null,
              mask: g.summary.account ? normId(g.summary.account).slice(-4) : null,
            })
            .onConflictDoNothing()
            .returning({ id: financialAccounts.id });
          if (row) {
            accountId = row.id;
            createdAccountIds.push(row.id);
          } else {
            const [ex] = await tx
              .select({ id: financialAccounts.id })
              .from(financialAccounts)
              .where(and(eq(financialAccounts.connectionId, connectionId), eq(financialAccounts.providerAccountId, providerAccountId), eq(financialAccounts.userId, req.userId)));
            accountId = ex!.id;
          }
        }
        accountOf.set(g, accountId);
        targetAccounts.push(accountId);
      }
      // the rows: the file is read once more and written CHUNK_SIZE rows at a time, inside this
      // one transaction (memory stays flat; a failure anywhere still writes nothing)
      const batches = new Map<Group, StatementTxn[]>();
      const flush = async (g: Group, rows: StatementTxn[]) => {
        const accountId = accountOf.get(g)!;
        // one jsonb parameter per chunk (as the sync engine writes); the import's own rows
        // are recorded by the same statement, so no id list comes back to the app
        const res = await tx.execute(sql`
          with ins as (
            insert into transactions (user_id, account_id, provider_transaction_id, pending, date, authorized_date, amount, currency, description, counterparty, type, raw, updated_at)
            select ${req.userId}::uuid, ${accountId}::uuid, x.i, x.p, x.d, x.a, x.m, ${g.currency}, x.t, x.c, x.y,
              jsonb_build_object('source', 'file', 'file', ${p.name}::text, 'line', x.l, 'reference', x.r, 'valueDate', x.v), ${now.toISOString()}::timestamptz
            from jsonb_to_recordset(${chunkPayload(rows)}::jsonb) as x(i text, p boolean, d date, a date, m numeric, t text, c text, y text, l int, r text, v text)
            on conflict (account_id, provider_transaction_id) do nothing
            returning id),
          rec as (insert into statement_import_rows (import_id, transaction_id) select ${importId}::uuid, id from ins)
          select count(*)::int as n from ins`);
        added += rowsOf<{ n: number }>(res)[0]!.n;
        if (deps.afterChunk) await deps.afterChunk();
      };
      // A row whose id is known still goes to the insert: the unique key (account, id)
      // decides, so a hash collision can never drop a new row. Only a match with another
      // source's row (no shared id) is decided here.
      let considered = 0;
      for (const { g, t } of writableRows(f)) {
        considered++;
        if (g.existing && !idKnown(g.existing, t) && matchesOtherSource(g.existing, t)) continue;
        let batch = batches.get(g);
        if (!batch) batches.set(g, (batch = []));
        batch.push(t);
        if (batch.length >= CHUNK_SIZE) {
          batches.set(g, []);
          await flush(g, batch);
        }
      }
      for (const [g, batch] of batches) if (batch.length) await flush(g, batch);
      already = considered - added;
      for (const g of f.groups) {
        const accountId = accountOf.get(g);
        if (!accountId) continue;
        const closing = g.summary.closingBalance;
        const closingDate = g.summary.closingDate ?? g.summary.to;
        if (closing !== null && closingDate) {
          const ins = await tx
            .insert(balanceSnapshots)
            .values({ accountId, userId: req.userId, date: closingDate, current: closing, available: null, currency: g.currency! })
            .onConflictDoNothing()
            .returning({ date: balanceSnapshots.date });
          if (ins.length) createdSnapshots.push({ accountId, date: closingDate });
          // a file account's balance follows its newest statement
          await tx
            .update(financialAccounts)
            .set({ currentBalance: closing, balanceUpdatedAt: now, updatedAt: now })
            .where(
              and(
                eq(financialAccounts.id, accountId),
                eq(financialAccounts.userId, req.userId),
                eq(financialAccounts.connectionId, connectionId),
                sql`not exists (select 1 from balance_snapshots b where b.account_id = ${accountId}::uuid and b.date > ${closingDate}::date)`,
              ),
            );
        }
      }
      if (f.saveProfile) await saveProfiles(tx as unknown as Db, req.userId, f.saveProfile, targetAccounts, now);
      await tx
        .update(statementImports)
        .set({ added, alreadyImported: already, rejected, summary: p.accounts, createdAccountIds, createdSnapshots })
        .where(eq(statementImports.id, importId));
      const [run] = await tx.insert(syncRuns).values({
        userId: req.userId,
        connectionId,
        trigger: "manual",
        status: "success",
        startedAt: now,
        finishedAt: new Date(),
        added: added,
        accounts: f.groups.filter((g) => g.target.kind !== "skip").length,
        pages: 1,
        attempts: 1,
        options: { source: "file", importId, fileName: p.name, fileHash: p.hash, format: p.format },
      }).returning({ id: syncRuns.id });
      await tx.update(connections).set({ lastSyncedAt: now, updatedAt: now }).where(eq(connections.id, connectionId));
      finished.push({ importId, runId: run!.id, connectionId, fileName: p.name, format: p.format ?? "unknown", added, alreadyImported: already, rejected, accounts: f.groups.filter((g) => g.target.kind !== "skip").length });
      outcomes.push({
        importId,
        fileName: p.name,
        added: added,
        alreadyImported: already,
        rejected,
        noop: added === 0,
        message: added ? `${p.name}: ${added} new transaction${added === 1 ? "" : "s"} imported.` : `${p.name}: nothing new — every row was already imported.`,
      });
    }
    if (deps.beforeCommit) await deps.beforeCommit();
    return { imports: outcomes };
  });
  // Committed: tell subscribed tools (one import.completed per file written).
  await emitImportCompleted(db, { userId: req.userId, imports: finished, now });
  return result;
}

/** Remove exactly what one import added: its rows, the snapshots and accounts it created. */
export async function undoImport(db: Db, input: { userId: string; importId: string }): Promise<{ removed: number }> {
  return db.transaction(async (tx) => {
    const [imp] = await tx
      .select()
      .from(statementImports)
      .where(and(eq(statementImports.id, input.importId), eq(statementImports.userId, input.userId)))
      .for("update");
    if (!imp) throw new AppError("not_found", "No such import.");
    if (imp.status === "undone") throw new AppError("conflict", "This import was already undone.");
    const deleted = await tx
      .delete(transactions)
      .where(
        and(
          eq(transactions.userId, input.userId),
          inArray(transactions.id, tx.select({ id: statementImportRows.transactionId }).from(statementImportRows).where(eq(statementImportRows.importId, imp.id))),
        ),
      )
      .returning({ id: transactions.id });
    for (const s of imp.createdSnapshots) {
      await tx.delete(balanceSnapshots).where(and(eq(balanceSnapshots.accountId, s.accountId), eq(balanceSnapshots.date, s.date), eq(balanceSnapshots.userId, input.userId)));
    }
    for (const accountId of imp.createdAccountIds) {
      await tx.execute(sql`
        delete from financial_accounts a where a.id = ${accountId}::uuid and a.user_id = ${input.userId}::uuid
          and not exists (select 1 from transactions t where t.account_id = a.id)
          and not exists (select 1 from balance_snapshots b where b.account_id = a.id)`);
    }
    await tx.update(statementImports).set({ status: "undone", undoneAt: new Date() }).where(eq(statementImports.id, imp.id));
    if (imp.connectionId) {
      await tx.insert(syncRuns).values({
        userId: input.userId,
        connectionId: imp.connectionId,
        trigger: "manual",
        status: "success",
        finishedAt: new Date(),
        removed: deleted.length,
        options: { source: "file", undo: true, importId: imp.id, fileName: imp.fileName, fileHash: imp.fileHash },
      });
    }
    return { removed: deleted.length };
  });
}

export async function listImports(db: Db, { userId }: { userId: string }) {
  return db
    .select({
      id: statementImports.id,
      fileName: statementImports.fileName,
      fileHash: statementImports.fileHash,
      format: statementImports.format,
      status: statementImports.status,
      added: statementImports.added,
      alreadyImported: statementImports.alreadyImported,
      rejected: statementImports.rejected,
      createdAt: statementImports.createdAt,
      undoneAt: statementImports.undoneAt,
    })
    .from(statementImports)
    .where(eq(statementImports.userId, userId))
    .orderBy(sql`${statementImports.createdAt} desc`)
    .limit(100);
}
