import { readFileSync } from "node:fs";
import path from "node:path";
import { and, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { balanceSnapshots, connections, csvMappingProfiles, financialAccounts, statementImports, syncRuns, transactions } from "@/db/schema";
import { listConnections, disconnectConnection } from "@/lib/connections/service";
import { createTestDatabase, truncateAll, type TestDatabase } from "@/test/db";
import { seedTransactions, seedUser } from "@/test/fixtures";
import { commitImport, listImports, previewImport, undoImport, type UploadedFile } from "./import";
import { MAX_STATEMENT_BYTES } from "./index";

const ROOT = path.resolve(import.meta.dirname, "../../../shared/fixtures/external");
const fixture = (rel: string): UploadedFile => ({ name: path.basename(rel), bytes: readFileSync(path.join(ROOT, rel)) });
const text = (name: string, s: string): UploadedFile => ({ name, bytes: new TextEncoder().encode(s) });

let database: TestDatabase;
// opening and migrating an embedded database can take a while on a busy machine
beforeAll(async () => {
  database = await createTestDatabase();
}, 180_000);
afterAll(async () => database?.close());
beforeEach(async () => truncateAll(database));

const db = () => database.db;
async function rowCount(userId: string) {
  const [r] = await db().select({ n: count() }).from(transactions).where(eq(transactions.userId, userId));
  return r!.n;
}
async function totals(userId: string) {
  const [r] = await db().select({ n: count(), s: sql<string>`coalesce(sum(${transactions.amount}), 0)::text` }).from(transactions).where(eq(transactions.userId, userId));
  return { n: r!.n, sum: Number(r!.s).toFixed(2) };
}

describe(`statement import (${process.env.LL_TEST_DB ?? "pglite"})`, () => {
  it("preview writes nothing; import writes the rows, the closing balance and a run; re-import is a no-op", async () => {
    const { userId } = await seedUser(db());
    const file = fixture("mt940/phpmt940-kontist_sample");
    const preview = await previewImport(db(), { userId, files: [file] });
    expect(await rowCount(userId)).toBe(0);
    expect(await db().select().from(statementImports)).toEqual([]);
    const [acct] = preview.files[0]!.accounts;
    expect(acct).toMatchObject({ account: "DE85110101002482488293", currency: "EUR", transactions: 6, newRows: 6, alreadyImported: 0, sum: "395.76", closingBalance: "395.91", reconciles: true, target: { kind: "new" } });

    const res = await commitImport(db(), { userId, files: [file] });
    expect(res.imports[0]).toMatchObject({ added: 6, noop: false });
    expect(await totals(userId)).toEqual({ n: 6, sum: "395.76" });
    const [account] = await db().select().from(financialAccounts).where(and(eq(financialAccounts.userId, userId), eq(financialAccounts.iban, "DE85110101002482488293")));
    expect(account!.currentBalance).toBe("395.9100");
    const snaps = await db().select().from(balanceSnapshots).where(eq(balanceSnapshots.accountId, account!.id));
    expect(snaps.map((s) => [s.date, s.current])).toEqual([["2021-02-18", "395.9100"]]);
    const runs = await db().select().from(syncRuns).where(eq(syncRuns.userId, userId));
    expect(runs).toHaveLength(1);
    expect(runs[0]!.options).toMatchObject({ source: "file", fileName: "phpmt940-kontist_sample", fileHash: preview.files[0]!.hash });

    // the same file again: the preview says so, the import is a no-op
    const again = await previewImport(db(), { userId, files: [file] });
    expect(again.files[0]!.alreadyImported).not.toBeNull();
    expect(again.files[0]!.accounts[0]).toMatchObject({ newRows: 0, alreadyImported: 6, target: { kind: "existing", matchedBy: "iban" } });
    const res2 = await commitImport(db(), { userId, files: [file] });
    expect(res2.imports[0]).toMatchObject({ added: 0, noop: true });
    expect(res2.imports[0]!.message).toMatch(/already imported/);
    expect(await rowCount(userId)).toBe(6);
  });

  it("an overlapping file adds only the new rows; undo removes exactly what that import added and keeps user edits elsewhere", async () => {
    const { userId } = await seedUser(db());
    const lines = (n: number) =>
      ["Date,Description,Amount,Balance", ...Array.from({ length: n }, (_, i) => `2024-03-${String(i + 1).padStart(2, "0")},Shop ${i + 1},-${i + 1}.00,${1000 - ((i + 1) * (i + 2)) / 2}.00`)].join("\n");
    const first = text("march-a.csv", lines(5));
    const second = text("march-b.csv", lines(8));
    const choice = { "|": { target: "new", currency: "EUR", name: "Cash account" } } as const;
    const r1 = await commitImport(db(), { userId, files: [first], choices: choice });
    expect(r1.imports[0]!.added).toBe(5);
    const [acct] = await db().select().from(financialAccounts).where(and(eq(financialAccounts.userId, userId), eq(financialAccounts.name, "Cash account")));
    // the user edits a row of the first import
    await db().update(transactions).set({ note: "mine", userEditedFields: ["note"] }).where(and(eq(transactions.userId, userId), eq(transactions.description, "Shop 2")));
    const p2 = await previewImport(db(), { userId, files: [second], choices: { "|": { target: acct!.id } } });
    expect(p2.files[0]!.accounts[0]).toMatchObject({ transactions: 8, newRows: 3, alreadyImported: 5 });
    const r2 = await commitImport(db(), { userId, files: [second], choices: { "|": { target: acct!.id } } });
    expect(r2.imports[0]!.added).toBe(3);
    expect(await totals(userId)).toEqual({ n: 8, sum: "-36.00" });

    const undo = await undoImport(db(), { userId, importId: r2.imports[0]!.importId! });
    expect(undo.removed).toBe(3);
    expect(await totals(userId)).toEqual({ n: 5, sum: "-15.00" });
    const [edited] = await db().select().from(transactions).where(eq(transactions.description, "Shop 2"));
    expect(edited!.note).toBe("mine");
    await expect(undoImport(db(), { userId, importId: r2.imports[0]!.importId! })).rejects.toThrow(/already undone/);
    // after undo the same file can be imported again
    const r3 = await commitImport(db(), { userId, files: [second], choices: { "|": { target: acct!.id } } });
    expect(r3.imports[0]!.added).toBe(3);
    // undoing the first import removes its account too once it is empty
    await undoImport(db(), { userId, importId: r3.imports[0]!.importId! });
    await undoImport(db(), { userId, importId: r1.imports[0]!.importId! });
    expect(await rowCount(userId)).toBe(0);
    expect(await db().select().from(financialAccounts).where(eq(financialAccounts.id, acct!.id))).toEqual([]);
    expect((await listImports(db(), { userId })).map((i) => i.status)).toEqual(["undone", "undone", "undone"]);
  });

  it("a malformed file previews its good rows and lists the bad ones by line; nothing is written until confirmed", async () => {
    const { userId } = await seedUser(db());
    const bad = text("bad.csv", ["Datum;Omschrijving;Bedrag;Munt", "01-02-2024;Koffie;-3,50;EUR", "30-02-2024;Onmogelijk;-1,00;EUR", "02-02-2024;Brood;abc;EUR", "13-13-2024;Maand 13;-2,00;EUR", "03-02-2024;Salaris;2500,00;EUR", "04-02-2099;Toekomst;-1,00;EUR"].join("\r\n"));
    const p = await previewImport(db(), { userId, files: [bad], today: "2024-06-01" });
    const a = p.files[0]!.accounts[0]!;
    expect(a).toMatchObject({ currency: "EUR", newRows: 2, sum: "2495.50" });
    expect(a.rejected).toEqual([
      { line: 3, reason: 'impossible date "30-02-2024"' },
      { line: 4, reason: 'unreadable amount "abc"' },
      { line: 5, reason: 'impossible date "13-13-2024"' },
      { line: 7, reason: "date 2099-02-04 is in the future" },
    ]);
    expect(await rowCount(userId)).toBe(0);
    const r = await commitImport(db(), { userId, files: [bad], today: "2024-06-01" });
    expect(r.imports[0]).toMatchObject({ added: 2, rejected: 4 });
    expect(await totals(userId)).toEqual({ n: 2, sum: "2496.50" });
  });

  it("a failure during the write writes nothing", async () => {
    const { userId } = await seedUser(db());
    await expect(
      commitImport(db(), { userId, files: [fixture("camt/iso20022_camt052.xml"), fixture("ofx/ofxparse_checking.ofx")] }, { beforeCommit: () => { throw new Error("disk full"); } }),
    ).rejects.toThrow("disk full");
    expect(await rowCount(userId)).toBe(0);
    expect(await db().select().from(statementImports)).toEqual([]);
    expect(await db().select().from(connections).where(eq(connections.connectorId, "file"))).toEqual([]);
  });

  it("a failure after some chunks of a large file were written writes nothing; the same file then imports whole", async () => {
    const { userId } = await seedUser(db());
    // 2,500 rows: three write chunks (the rows are read from the file as a stream, not held)
    const rows = Array.from({ length: 2500 }, (_, i) => `<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>2024${String(1 + (i % 12)).padStart(2, "0")}15<TRNAMT>-${1 + (i % 50)}.25<FITID>S${i}<NAME>Shop ${i}</STMTTRN>`).join("\n");
    const file = text(
      "big.ofx",
      `OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>STREAM-1<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>\n${rows}\n</BANKTRANLIST><LEDGERBAL><BALAMT>10.00<DTASOF>20241231</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`,
    );
    let chunks = 0;
    await expect(
      commitImport(db(), { userId, files: [file] }, { afterChunk: () => { if (++chunks === 2) throw new Error("connection lost"); } }),
    ).rejects.toThrow("connection lost");
    expect(chunks).toBe(2);
    expect(await rowCount(userId)).toBe(0);
    expect(await db().select().from(statementImports)).toEqual([]);
    expect(await db().select().from(financialAccounts).where(eq(financialAccounts.userId, userId))).toEqual([]);
    expect(await db().select().from(balanceSnapshots).where(eq(balanceSnapshots.userId, userId))).toEqual([]);
    // sum of -(1 + i % 50).25 over 2,500 rows: 50 cycles of (1+…+50) + 2,500 × 0.25
    const preview = await previewImport(db(), { userId, files: [file] });
    expect(preview.files[0]!.accounts[0]).toMatchObject({ account: "STREAM-1", transactions: 2500, newRows: 2500, sum: "-64375.00", from: "2024-01-15", to: "2024-12-31" });
    const r = await commitImport(db(), { userId, files: [file] });
    expect(r.imports[0]!.added).toBe(2500);
    expect(await totals(userId)).toEqual({ n: 2500, sum: "-64375.00" });
    const [imp] = await db().select().from(statementImports);
    expect((await undoImport(db(), { userId, importId: imp!.id })).removed).toBe(2500);
    expect(await rowCount(userId)).toBe(0);
  });

  it("a file with more rejected rows than are listed counts them all", async () => {
    const { userId } = await seedUser(db());
    const bad = Array.from({ length: 1500 }, (_, i) => `2024-13-01;bad ${i};-1,00`).join("\n");
    const file = text("bad.csv", `Datum;Verwendungszweck;Betrag\n2024-01-02;good;-2,50\n${bad}\n`);
    const p = await previewImport(db(), { userId, files: [file], choices: { "|": { target: "new", currency: "EUR" } } });
    const a = p.files[0]!.accounts[0]!;
    expect(a).toMatchObject({ transactions: 1, newRows: 1, rejectedCount: 1500 });
    expect(a.rejected).toHaveLength(1000);
    expect(a.rejected[0]).toEqual({ line: 3, reason: 'impossible date "2024-13-01"' });
    const r = await commitImport(db(), { userId, files: [file], choices: { "|": { target: "new", currency: "EUR" } } });
    expect(r.imports[0]).toMatchObject({ added: 1, rejected: 1500 });
  });

  it("a file of 50 MB is refused with a clear message before parsing, and nothing is written", async () => {
    const { userId } = await seedUser(db());
    const big: UploadedFile = { name: "huge.csv", bytes: new Uint8Array(MAX_STATEMENT_BYTES) };
    const p = await previewImport(db(), { userId, files: [big] });
    expect(p.files[0]!.errors[0]).toBe("huge.csv is 50.0 MB; statements must be smaller than 50 MB — split it by period");
    await expect(commitImport(db(), { userId, files: [big, fixture("ofx/ofxparse_checking.ofx")] })).rejects.toThrow(/smaller than 50 MB/);
    expect(await rowCount(userId)).toBe(0);
    expect(await db().select().from(statementImports)).toEqual([]);
  });

  it("rows already seen through a linked aggregator are matched, not duplicated; the target is matched by IBAN", async () => {
    const { userId, connectionId } = await seedUser(db());
    const [agg] = await db()
      .insert(financialAccounts)
      .values({ userId, connectionId, providerAccountId: "plaid-acc-1", name: "Girokonto", type: "depository", currency: "EUR", iban: "DE85 1101 0100 2482 4882 93" })
      .returning({ id: financialAccounts.id });
    await seedTransactions(db(), userId, agg!.id, [
      { date: "2021-02-15", amount: "50.00", currency: "EUR" },
      { date: "2021-02-18", amount: "-2.38", currency: "EUR" }, // booked a day later by the aggregator
    ]);
    const file = fixture("mt940/phpmt940-kontist_sample");
    const p = await previewImport(db(), { userId, files: [file] });
    expect(p.files[0]!.accounts[0]).toMatchObject({ target: { kind: "existing", accountId: agg!.id, matchedBy: "iban" }, newRows: 4, alreadyImported: 2 });
    await commitImport(db(), { userId, files: [file] });
    expect(await totals(userId)).toEqual({ n: 6, sum: "395.76" });
  });

  it("a CSV mapping chosen on the mapping screen is saved for the account and reused for the next CSV with the same header", async () => {
    const { userId } = await seedUser(db());
    const may = text("may.csv", "When|What happened|How much\n2024-05-02|Corner bakery|-4.20\n2024-05-03|Refund from the garage|120.00\n");
    const first = await previewImport(db(), { userId, files: [may] });
    expect(first.files[0]!.needsMapping?.columns).toEqual(["When", "What happened", "How much"]);
    expect(first.files[0]!.csvProfile).toBeNull();
    const mapping = { date: "When", amount: "How much", description: "What happened" };
    const made = await commitImport(db(), { userId, files: [may], options: { csv: { mapping } }, choices: { "|": { target: "new", currency: "EUR", name: "Household" } } });
    expect(made.imports[0]!.added).toBe(2);
    const [household] = await db().select({ id: financialAccounts.id }).from(financialAccounts).where(and(eq(financialAccounts.userId, userId), eq(financialAccounts.name, "Household")));
    const profiles = await db().select().from(csvMappingProfiles).where(eq(csvMappingProfiles.userId, userId));
    expect(profiles.map((p) => [p.accountId, p.headerSignature, p.mapping])).toEqual([[household!.id, "when|what happened|how much", mapping]]);

    // June's file: same columns, one row seen before — no mapping asked, the same account chosen
    const june = text("june.csv", "When|What happened|How much\n2024-05-03|Refund from the garage|120.00\n2024-06-01|Rent|-800.00\n2024-06-02|Corner bakery|-3.10\n");
    const p = await previewImport(db(), { userId, files: [june] });
    expect(p.files[0]!.needsMapping).toBeNull();
    expect(p.files[0]!.csvProfile).toEqual({ accountId: household!.id, accountName: "Household" });
    expect(p.files[0]!.accounts).toMatchObject([{ transactions: 3, newRows: 2, alreadyImported: 1, currency: "EUR", target: { kind: "existing", accountId: household!.id, matchedBy: "csv_profile" } }]);
    expect((await commitImport(db(), { userId, files: [june] })).imports[0]!.added).toBe(2);
    const [inHousehold] = await db().select({ n: count(), s: sql<string>`sum(${transactions.amount})::text` }).from(transactions).where(eq(transactions.accountId, household!.id));
    expect([inHousehold!.n, Number(inHousehold!.s).toFixed(2)]).toEqual([4, "-687.30"]);

    // other columns still ask; another user never gets this user's mapping
    const other = text("other.csv", "When|What happened|How much|Memo\n2024-07-01|Tea|-2.00|x\n");
    expect((await previewImport(db(), { userId, files: [other] })).files[0]!.needsMapping).not.toBeNull();
    const b = await seedUser(db());
    const forB = await previewImport(db(), { userId: b.userId, files: [june] });
    expect(forB.files[0]!.needsMapping).not.toBeNull();
    expect(forB.files[0]!.csvProfile).toBeNull();
  });

  it("an aggregator's row is matched by one file row at most, and only within 3 days", async () => {
    const { userId, connectionId } = await seedUser(db());
    const [agg] = await db()
      .insert(financialAccounts)
      .values({ userId, connectionId, providerAccountId: "agg-2", name: "Current", type: "depository", currency: "EUR", iban: "NL91ABNA0417164300" })
      .returning({ id: financialAccounts.id });
    await seedTransactions(db(), userId, agg!.id, [
      { date: "2024-03-01", amount: "-10.00", currency: "EUR" },
      { date: "2024-03-01", amount: "-10.00", currency: "EUR" },
      { date: "2024-03-10", amount: "-25.00", currency: "EUR" },
    ]);
    const trn = (id: string, day: string, amt: string) => `<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>${day}<TRNAMT>${amt}<FITID>${id}<NAME>Row ${id}</STMTTRN>`;
    const ofx = text(
      "march.ofx",
      `OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>X<ACCTID>NL91ABNA0417164300<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST>` +
        [trn("a", "20240301", "-10.00"), trn("b", "20240302", "-10.00"), trn("c", "20240303", "-10.00"), trn("d", "20240315", "-25.00"), trn("e", "20240311", "-25.00")].join("") +
        `</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`,
    );
    const p = await previewImport(db(), { userId, files: [ofx] });
    // a, b pair with the two -10.00; c has no partner left; d is 5 days from the -25.00 that e pairs with
    expect(p.files[0]!.accounts[0]).toMatchObject({ target: { kind: "existing", accountId: agg!.id }, transactions: 5, newRows: 2, alreadyImported: 3 });
    await commitImport(db(), { userId, files: [ofx] });
    expect(await totals(userId)).toEqual({ n: 5, sum: "-80.00" });
  });

  it("the file source is a connection like any other: listed, and disconnect works", async () => {
    const { userId } = await seedUser(db());
    await commitImport(db(), { userId, files: [fixture("ofx/ofxparser_ofxdata-bb-two-stmtrs.ofx")] });
    const list = await listConnections(db(), { userId });
    const file = list.find((c) => c.connectorId === "file");
    expect(file).toBeTruthy();
    await disconnectConnection(db(), { userId, connectionId: file!.id, keepData: false });
    expect(await rowCount(userId)).toBe(0);
  });

  it("one user never sees or undoes another's import", async () => {
    const a = await seedUser(db());
    const b = await seedUser(db());
    const r = await commitImport(db(), { userId: a.userId, files: [fixture("qif/quiffen_test.qif")], choices: { "|": { target: "new", currency: "USD" } } });
    expect(r.imports[0]!.added).toBe(6);
    await expect(undoImport(db(), { userId: b.userId, importId: r.imports[0]!.importId! })).rejects.toThrow(/No such import/);
    expect(await listImports(db(), { userId: b.userId })).toEqual([]);
    // b uploading the same bytes is not "already imported" for b
    const p = await previewImport(db(), { userId: b.userId, files: [fixture("qif/quiffen_test.qif")] });
    expect(p.files[0]!.alreadyImported).toBeNull();
    expect(p.files[0]!.accounts[0]!.needsCurrency).toBe(true);
    await expect(commitImport(db(), { userId: b.userId, files: [fixture("qif/quiffen_test.qif")] })).rejects.toThrow(/choose the currency/);
  });
});
