import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseStatement, summarize } from "./index";

/**
 * Golden tests on every statement fixture, read in place. Expected figures were written down
 * by reading the files (counts of STMTTRN/Ntry/:61:/^ records/data rows, sums of the amounts,
 * dates and closing balances as printed in the file), see ../shared/fixtures/external/SOURCES.md.
 */

const ROOT = path.resolve(import.meta.dirname, "../../../shared/fixtures/external");
const read = (rel: string) => readFileSync(path.join(ROOT, rel));

type Exp = {
  account: string | null;
  currency: string | null;
  transactions: number;
  pending?: number;
  sum: string;
  from: string | null;
  to: string | null;
  closingBalance: string | null;
  openingBalance?: string | null;
  reconciles?: boolean | null;
};

const CASES: [string, string, Exp[], string[]?][] = [
  // ---------------- OFX / QFX
  ["ofx/actual_data-multi-decimal.ofx", "qfx", [{ account: "123456789123", currency: "USD", transactions: 2, sum: "-33.77", from: "2019-01-19", to: "2019-01-24", closingBalance: null }]],
  ["ofx/ofxparse_bank_medium.ofx", "qfx", [{ account: "12300 000012345678", currency: "CAD", transactions: 3, sum: "-345.27", from: "2009-04-01", to: "2009-05-23", closingBalance: "382.34" }]],
  ["ofx/ofxparse_checking.ofx", "qfx", [{ account: "1452687~7", currency: "USD", transactions: 3, sum: "-59.50", from: "2000-01-01", to: "2013-05-25", closingBalance: "100.99" }]],
  ["ofx/ofxparse_error_message.ofx", "ofx", [], ["General Server Error"]],
  [
    "ofx/ofxparse_multiple_accounts2.ofx",
    "ofx",
    [
      { account: "9100", currency: "USD", transactions: 0, sum: "0.00", from: "2012-06-03", to: "2012-06-03", closingBalance: "111.00" },
      { account: "9200", currency: "USD", transactions: 0, sum: "0.00", from: "2012-06-03", to: "2012-06-03", closingBalance: "222.00" },
    ],
  ],
  ["ofx/ofxparse_ofx-v102-empty-tags.ofx", "ofx", [{ account: "12345678", currency: null, transactions: 1, sum: "12.34", from: "2018-05-06", to: "2018-08-04", closingBalance: null }]],
  [
    "ofx/ofxparser_ofxdata-bb-two-stmtrs.ofx",
    "ofx",
    [
      { account: "455000-5", currency: "BRL", transactions: 0, sum: "0.00", from: "2017-02-20", to: "2017-03-29", closingBalance: "0.00" },
      { account: "655000-2", currency: "BRL", transactions: 36, sum: "-3648.66", from: "2017-02-24", to: "2017-03-29", closingBalance: "4555.28" },
    ],
  ],
  ["ofx/ofxparser_ofxdata-bb.ofx", "ofx", [{ account: "455000-5", currency: "BRL", transactions: 1, sum: "239.55", from: "2015-10-30", to: "2015-12-09", closingBalance: "239.35" }]],
  ["ofx/ofxparser_ofxdata-credit-card.ofx", "ofx", [{ account: "1234567891234567", currency: "GBP", transactions: 1, sum: "-100.00", from: "2016-08-23", to: "2016-08-23", closingBalance: "-500.00" }]],
  ["ofx/ofxparser_ofxdata-emptyDateTime.ofx", "ofx", [{ account: null, currency: "AUD", transactions: 2, sum: "487.50", from: "2018-12-13", to: "2018-12-14", closingBalance: null }]],
  ["ofx/ofxtools_stmtrs_euro.ofx", "ofx", [{ account: "999988", currency: "USD", transactions: 2, sum: "-500.00", from: "2005-10-01", to: "2005-10-29", closingBalance: "200.29" }]],
  // ---------------- CAMT
  ["camt/genkgo_camt052.v2.xml", "camt052", [{ account: "CH2801234000123456789", currency: "SEK", transactions: 1, sum: "-200000.00", from: "2007-10-18", to: "2007-10-18", closingBalance: null }]],
  // CLBD is in SEK while the account is EUR: not taken as the account's balance
  ["camt/genkgo_camt053.v2.minimal.xml", "camt053", [{ account: "NL26VAYB8060476890", currency: "EUR", transactions: 1, sum: "8.85", from: "2007-10-18", to: "2014-12-31", closingBalance: null, openingBalance: "18.15" }]],
  ["camt/genkgo_camt053.v2.multi.statement.xml", "camt053", [{ account: "NL26VAYB8060476890", currency: "EUR", transactions: 2, sum: "1.85", from: "2007-10-18", to: "2014-12-31", closingBalance: "20.00", openingBalance: "18.15", reconciles: true }]],
  ["camt/genkgo_camt053.v2.wrong.xml", "camt053", [], ["no statement"]],
  ["camt/genkgo_camt53.only-Dt-with-DtTm.xml", "camt053", [{ account: "GB33BUKB20201555555555", currency: "RON", transactions: 0, sum: "0.00", from: "2025-07-23", to: "2025-07-23", closingBalance: null, openingBalance: "5442.09" }]],
  ["camt/iso20022_camt052.xml", "camt052", [{ account: "DE00000000000000000000", currency: "EUR", transactions: 5, sum: "-251.40", from: "2021-02-04", to: "2021-02-05", closingBalance: "16.95", openingBalance: "268.35", reconciles: true }]],
  ["camt/iso20022_camt053.xml", "camt053", [{ account: "0035-2915203-10-000", currency: "CHF", transactions: 1, sum: "1284.30", from: "2023-01-25", to: "2023-01-25", closingBalance: "2116.31", openingBalance: "832.01", reconciles: true }]],
  // ---------------- MT940
  ["mt940/jejik_commerzbank.txt", "mt940", [{ account: "25040066/0123456789", currency: "EUR", transactions: 1, sum: "-12.35", from: "2020-06-05", to: "2020-06-08", closingBalance: "0.00", reconciles: false }]],
  ["mt940/jejik_ing-dos.txt", "mt940", [{ account: "0001234567", currency: "EUR", transactions: 7, sum: "-45.59", from: "2010-07-22", to: "2010-07-23", closingBalance: "3.47", reconciles: false }]],
  ["mt940/mt940js_abn-amro-1.STA", "mt940", [{ account: "123456789", currency: "EUR", transactions: 1, sum: "5.41", from: "2011-07-13", to: "2011-07-15", closingBalance: "2940.39", reconciles: false }]],
  ["mt940/phpmt940-bunq_sample", "mt940", [{ account: "NL10BUNQ2290325473", currency: "EUR", transactions: 111, sum: "-26.67", from: "2019-01-31", to: "2019-05-31", closingBalance: "5.66", openingBalance: "32.33", reconciles: true }]],
  ["mt940/phpmt940-kontist_sample", "mt940", [{ account: "DE85110101002482488293", currency: "EUR", transactions: 6, sum: "395.76", from: "2021-01-31", to: "2021-02-18", closingBalance: "395.91", openingBalance: "0.15", reconciles: true }]],
  ["mt940/phpmt940-penta_sample", "mt940", [{ account: "11010100/2324817618", currency: "EUR", transactions: 30, sum: "-10576.30", from: "2020-09-02", to: "2020-09-30", closingBalance: "9843.36", openingBalance: "20419.66", reconciles: true }]],
  ["mt940/wolph-asnb_mt940.txt", "mt940", [{ account: "NL81ASNB9999999999", currency: "EUR", transactions: 8, sum: "56.94", from: "2020-01-01", to: "2020-01-31", closingBalance: "501.23", openingBalance: "444.29", reconciles: true }]],
  [
    "mt940/wolph-betterplace_with_binary_character.sta",
    "mt940",
    [
      { account: "51230800/0000007055", currency: "EUR", transactions: 3, sum: "-180186.75", from: "2010-03-18", to: "2010-03-19", closingBalance: "199929.02", openingBalance: "380115.77", reconciles: true },
      { account: "51230800/0000007304", currency: "EUR", transactions: 1, sum: "1120.00", from: "2010-03-18", to: "2010-03-19", closingBalance: "131193.19", openingBalance: "130073.19", reconciles: true },
    ],
  ],
  ["mt940/wolph-mbank_mt940.sta", "mt940", [{ account: "PL29114010810000267002001002", currency: "PLN", transactions: 3, sum: "0.03", from: "2017-01-19", to: "2017-01-19", closingBalance: "0.43", openingBalance: "0.40", reconciles: true }]],
  // the file's own balances do not add up (25170637,10 − 1012213,50 ≠ 25281687,60): reported, not hidden
  ["mt940/wolph-selfprovided_raiffeisen-cmi.sta", "mt940", [{ account: "UBRTHUHB/123456789150ABCDEF002", currency: "HUF", transactions: 7, sum: "-1012213.50", from: "2018-04-17", to: "2018-04-17", closingBalance: "25281687.60", reconciles: false }]],
  // ---------------- QIF
  ["qif/qif2json_normalTransactions.qif", "qif", [{ account: null, currency: null, transactions: 3, sum: "-935.00", from: "1994-06-01", to: "1994-06-03", closingBalance: null }]],
  ["qif/qif2json_utf8.qif", "qif", [{ account: null, currency: null, transactions: 1, sum: "-379.00", from: "2010-03-03", to: "2010-03-03", closingBalance: null }]],
  ["qif/qifrb_3_records_ddmmyy.qif", "qif", [{ account: null, currency: null, transactions: 3, sum: "0.00", from: "2010-01-01", to: "2010-12-29", closingBalance: null }]],
  ["qif/qifrb_3_records_separator.qif", "qif", [{ account: null, currency: null, transactions: 3, sum: "-31000.00", from: "2010-01-01", to: "2010-12-29", closingBalance: null }]],
  ["qif/quiffen_test.qif", "qif", [{ account: null, currency: null, transactions: 6, sum: "-35.50", from: "2020-02-10", to: "2020-02-14", closingBalance: null }]],
  // ---------------- CSV
  ["csv/bank2ynab_CSV_A_20180414_112204.csv", "csv", [{ account: "NL77RABO0311467415", currency: "EUR", transactions: 3, sum: "-1037.49", from: "2018-03-01", to: "2018-03-16", closingBalance: "12334.53", reconciles: false }]],
  ["csv/bank2ynab_MS_JANE_SMITH_01-12-2019_14-12-2019.csv", "csv", [{ account: null, currency: "GBP", transactions: 13, pending: 3, sum: "-399.99", from: "2019-12-02", to: "2019-12-12", closingBalance: null }]],
  ["csv/bank2ynab_TransactionHistory_20180418043121.csv", "csv", [{ account: "666-666666-666", currency: "SGD", transactions: 8, sum: "-173.28", from: "2018-04-13", to: "2018-04-18", closingBalance: null }]],
  ["csv/bank2ynab_export_BE11123456789012_20180304_1422.csv", "csv", [{ account: "BE11123456789012", currency: "EUR", transactions: 1, sum: "-3.40", from: "2018-02-28", to: "2018-02-28", closingBalance: "219.95", openingBalance: "223.35" }]],
  ["csv/bank2ynab_test_BOI_TransactionExport.csv", "csv", [{ account: null, currency: null, transactions: 27, sum: "-419.61", from: "2017-09-01", to: "2017-09-28", closingBalance: "100.00" }]],
  ["csv/csv2ofx_capitalone.csv", "csv", [{ account: "1234", currency: null, transactions: 2, sum: "0.00", from: "2016-01-02", to: "2016-01-02", closingBalance: null }]],
  ["csv/csv2ofx_gls.csv", "csv", [{ account: "1234567890", currency: "EUR", transactions: 1, sum: "-98.76", from: "2017-10-10", to: "2017-10-10", closingBalance: "1234.56" }]],
  ["csv/csv2ofx_mint.csv", "csv", [{ account: null, currency: null, transactions: 4, sum: "-3000.00", from: "2015-06-12", to: "2015-06-14", closingBalance: null }]],
  ["csv/csv2ofx_schwab-checking.csv", "csv", [{ account: null, currency: "USD", transactions: 4, sum: "-215.27", from: "2022-08-04", to: "2022-08-17", closingBalance: "878.47", openingBalance: "1093.74", reconciles: true }]],
  ["csv/deing_test_with_saldo_1.csv", "csv", [{ account: "DE12345678901234567890", currency: "EUR", transactions: 9, sum: "-178.60", from: "2018-12-09", to: "2018-12-28", closingBalance: "150.00", openingBalance: "328.60", reconciles: true }]],
];

describe("statement fixtures (read in place)", () => {
  it.each(CASES)("%s", (file, format, expected, errors) => {
    const result = parseStatement(read(file));
    expect(result.format).toBe(format);
    const got = summarize(result);
    expect(got).toHaveLength(expected.length);
    expected.forEach((exp, i) => {
      const g = got[i]!;
      expect({ account: g.account, currency: g.currency, transactions: g.transactions, sum: g.sum, from: g.from, to: g.to, closingBalance: g.closingBalance }).toEqual({
        account: exp.account,
        currency: exp.currency,
        transactions: exp.transactions,
        sum: exp.sum,
        from: exp.from,
        to: exp.to,
        closingBalance: exp.closingBalance,
      });
      expect(g.pending).toBe(exp.pending ?? 0);
      expect(g.rejected).toEqual([]);
      if (exp.openingBalance !== undefined) expect(g.openingBalance).toBe(exp.openingBalance);
      if (exp.reconciles !== undefined) expect(g.reconciles).toBe(exp.reconciles);
    });
    if (errors) for (const e of errors) expect(result.errors.join("\n")).toContain(e);
    else expect(result.errors).toEqual([]);
  });
});

describe("ids and details from the files", () => {
  const txns = (file: string) => summarize(parseStatement(read(file))).flatMap((s) => s.statements.flatMap((st) => st.transactions));

  it("OFX keeps FITIDs; an empty FITID falls back to a content hash", () => {
    expect(txns("ofx/ofxparse_checking.ofx").map((t) => t.id)).toEqual(["f:0000486", "f:0000487", "f:0000488"]);
    const [t] = txns("ofx/ofxparse_ofx-v102-empty-tags.ofx");
    expect(t!.id).toMatch(/^h:[0-9a-f]{24}#0$/);
    expect(t!.date).toBe("2018-05-07");
  });

  it("OFX: zones do not move the day, 5 decimals stay exact, Latin-1 is decoded", () => {
    const medium = txns("ofx/ofxparse_bank_medium.ofx");
    expect(medium[0]).toMatchObject({ date: "2009-04-01", amount: "-6.6", counterparty: "MCDONALD'S #112" });
    expect(txns("ofx/actual_data-multi-decimal.ofx").map((t) => t.amount)).toEqual(["-30", "-3.77"]);
    const bb = txns("ofx/ofxparser_ofxdata-bb-two-stmtrs.ofx");
    expect(bb.some((t) => t.description.includes("CRÉDITO"))).toBe(true);
    expect(txns("ofx/ofxparser_ofxdata-bb.ofx")[0]!.description).toBe("DOC CRÉDITO EM CONTA");
  });

  it("CAMT: AcctSvcrRef as id, NONREF falls back to a hash; DBIT is money out", () => {
    expect(txns("camt/iso20022_camt053.xml")[0]).toMatchObject({ id: "f:8082230156M02SJ62/1010", amount: "1284.3", date: "2023-01-25", description: "PAYEE — PAYMENT INFO" });
    const spk = txns("camt/iso20022_camt052.xml");
    expect(spk.every((t) => t.id.startsWith("h:"))).toBe(true);
    expect(spk.map((t) => t.amount)).toEqual(["-30", "-26", "-34.52", "2.5", "-163.38"]);
  });

  it("MT940: bank reference as id, ?-subfields and /TAG/ structure become the description", () => {
    expect(txns("mt940/wolph-mbank_mt940.sta").map((t) => t.id)).toEqual([
      "f:PL29114010810000267002001002:MB170119012058",
      "f:PL29114010810000267002001002:MB170119012085",
      "f:PL29114010810000267002001002:MB170119012121",
    ]);
    expect(txns("mt940/phpmt940-kontist_sample")[1]).toMatchObject({ amount: "120", counterparty: "Lucien Schünke" });
    expect(txns("mt940/mt940js_abn-amro-1.STA")[0]).toMatchObject({ description: "TT TEST — TRANSFER OWN MONEY", valueDate: "2011-07-14", date: "2011-07-15" });
    expect(txns("mt940/phpmt940-bunq_sample").slice(0, 3).map((t) => t.amount)).toEqual(["2", "0.3", "-34.5"]);
    // soft hyphens inside dates are dropped
    expect(txns("mt940/jejik_ing-dos.txt")[2]!.description).toContain("10-06-2010");
  });

  it("QIF skips investment records with a count; CSV continuation rows join the description", () => {
    const q = parseStatement(read("qif/quiffen_test.qif"));
    expect(q.skipped).toEqual([{ kind: "investment record", count: 1 }]);
    const dbs = txns("csv/bank2ynab_TransactionHistory_20180418043121.csv");
    expect(dbs[0]!.description).toBe("DEBIT PURCHASE 15/04/18 66-6666 UBER EATS AN2GO HELP.UBERh");
  });

  it("identical same-day rows both stay (occurrence index)", () => {
    const ing = txns("csv/deing_test_with_saldo_1.csv").filter((t) => t.date === "2018-12-09");
    expect(ing).toHaveLength(3);
    expect(new Set(ing.map((t) => t.id)).size).toBe(3);
    expect(ing.map((t) => t.id.slice(-2))).toEqual(["#0", "#1", "#2"]);
  });

  it("ids are stable: parsing the same bytes twice gives the same ids", () => {
    for (const [file] of CASES) expect(txns(file).map((t) => t.id)).toEqual(txns(file).map((t) => t.id));
  });
});
