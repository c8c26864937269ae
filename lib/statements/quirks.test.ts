import { describe, expect, it } from "vitest";
import { decodeBytes, parseAmount } from "./common";
import { parseCamt } from "./camt/parse";
import { parseCsv } from "./csv/parse";
import { inferDateOrder, parseDate } from "./dates";
import { detectFormat, parseStatement, summarize, StatementReadError, MAX_STATEMENT_BYTES } from "./index";
import { parseMt940 } from "./mt940/parse";
import { parseOfx } from "./ofx/parse";
import { parseQif } from "./qif/parse";

const enc = (s: string) => new TextEncoder().encode(s);

describe("amounts are exact decimal strings", () => {
  it.each([
    ["1.234,56", ",", "1234.56"],
    ["1,234.56", ".", "1234.56"],
    ["1'234.50", "auto", "1234.5"],
    ["1 234,50", "auto", "1234.5"],
    ["-3.77000", "auto", "-3.77"],
    ["+50,00", "auto", "50"],
    ["(12.30)", "auto", "-12.3"],
    ["12.30-", "auto", "-12.3"],
    ["+ £1,100.00", "auto", "1100"],
    ["$1,036.47", "auto", "1036.47"],
    ["2,", ",", "2"],
    ["0,3", ",", "0.3"],
    ["1,000", "auto", "1000"],
  ] as const)("%s (%s) → %s", (input, dec, out) => expect(parseAmount(input, dec)).toBe(out));
  it.each(["abc", "1.2.3,4,5", "", "--"])("%j is not an amount", (s) => expect(parseAmount(s)).toBeNull());
});

describe("dates", () => {
  it("order inferred from the whole file; impossible dates are null", () => {
    expect(inferDateOrder(["01/02/2024", "13/02/2024"]).order).toBe("dmy");
    expect(inferDateOrder(["02/01/2024", "02/13/2024"]).order).toBe("mdy");
    expect(inferDateOrder(["02/01/2024", "03/01/2024"]).ambiguous).toBe(true);
    expect(inferDateOrder(["01.02.2024"]).order).toBe("dmy");
    expect(parseDate("30/02/2024", "dmy")).toBeNull();
    expect(parseDate("01/13/2024", "dmy")).toBeNull();
    expect(parseDate("29/02/2024", "dmy")).toBe("2024-02-29");
    expect(parseDate("2/10'2020", "mdy")).toBe("2020-02-10");
    expect(parseDate("12-Dec-2019", null)).toBe("2019-12-12");
  });
});

describe("bytes before text", () => {
  it("BOM, then strict UTF-8, then Windows-1252", () => {
    expect(decodeBytes(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).text).toBe("A");
    expect(decodeBytes(enc("Gänse")).text).toBe("Gänse");
    expect(decodeBytes(new Uint8Array([0x47, 0xe4, 0x80])).text).toBe("Gä€");
  });
  it("refuses what it cannot read, with a clear message", () => {
    expect(() => parseStatement(new Uint8Array([0, 1, 2, 3, 0, 0]))).toThrow(StatementReadError);
    expect(() => parseStatement(enc("just some words"))).toThrow(/unrecognised file/);
    expect(() => parseStatement(new Uint8Array(MAX_STATEMENT_BYTES))).toThrow("the file is 50.0 MB; statements must be smaller than 50 MB — split it by period");
    expect(() => parseStatement(new Uint8Array(0))).toThrow(/empty/);
  });
});

describe("the 50 MB cap", () => {
  // a real statement padded with blank lines to the size under test
  const padded = (size: number) => {
    const head = enc("Date,Description,Amount\n2024-01-02,Coffee,-3.10\n2024-01-03,Salary,100.00\n");
    const out = new Uint8Array(size).fill(10);
    out.set(head);
    return out;
  };
  it("a file one byte under 50 MB is read", () => {
    const s = summarize(parseStatement(padded(MAX_STATEMENT_BYTES - 1)));
    expect(s.map((x) => [x.transactions, x.sum])).toEqual([[2, "96.90"]]);
  }, 120_000);
  it("a file of exactly 50 MB is refused before it is decoded", () => {
    expect(MAX_STATEMENT_BYTES).toBe(50 * 1024 * 1024);
    expect(() => parseStatement(padded(MAX_STATEMENT_BYTES))).toThrow(/statements must be smaller than 50 MB/);
  });
});

describe("OFX quirks", () => {
  const wrap = (body: string) => `OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM><BANKTRANLIST>${body}</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`;
  it("missing </STMTTRN>, CDATA, double-escaped entities, a raw &, [-3:GMT] zones, 3 decimals", () => {
    const r = parseOfx(
      wrap(
        "<STMTTRN><DTPOSTED>20240131230000[-3:GMT]<TRNAMT>-1.500<FITID>a<NAME><![CDATA[Fish & <Chips>]]>\n" +
          "<STMTTRN><DTPOSTED>20240201<TRNAMT>2<FITID>b<NAME>Tom &amp;amp; Jerry &#233;<MEMO>A & B</STMTTRN>",
      ),
    );
    const t = r.statements[0]!.transactions;
    expect(t.map((x) => [x.id, x.date, x.amount])).toEqual([
      ["f:a", "2024-01-31", "-1.5"],
      ["f:b", "2024-02-01", "2"],
    ]);
    expect(t[0]!.counterparty).toBe("Fish & <Chips>");
    expect(t[1]!.description).toBe("Tom & Jerry é — A & B");
  });
  it("a row with an impossible date or bad amount is rejected with its line; the rest stays", () => {
    const r = parseOfx(wrap("\n<STMTTRN><DTPOSTED>20240230<TRNAMT>1<FITID>x</STMTTRN>\n<STMTTRN><DTPOSTED>20240201<TRNAMT>abc<FITID>y</STMTTRN>\n<STMTTRN><DTPOSTED>20240201<TRNAMT>3<FITID>z</STMTTRN>"));
    expect(r.statements[0]!.rejected).toEqual([
      { line: 5, reason: 'impossible date "20240230"' },
      { line: 6, reason: 'unreadable amount "abc"' },
    ]);
    expect(r.statements[0]!.transactions).toHaveLength(1);
  });
  it("a repeated FITID is a duplicate row", () => {
    const r = parseOfx(wrap("<STMTTRN><DTPOSTED>20240201<TRNAMT>1<FITID>q</STMTTRN>\n<STMTTRN><DTPOSTED>20240201<TRNAMT>1<FITID>q</STMTTRN>"));
    expect(r.statements[0]!.transactions).toHaveLength(1);
    expect(r.statements[0]!.rejected[0]!.reason).toMatch(/duplicate of line/);
  });
});

describe("CAMT quirks", () => {
  const doc = (entries: string, extra = "") =>
    `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"><BkToCstmrStmt><Stmt>${extra}<Acct><Id><IBAN>DE02120300000000202051</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-01-01</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-01-31</Dt></Dt></Bal>
${entries}</Stmt></BkToCstmrStmt></Document>`;
  it("version .04, reversal, pending, references kept as strings, a debit closing balance", () => {
    const r = parseCamt(
      doc(`<Ntry><NtryRef>00123</NtryRef><Amt Ccy="EUR">105.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-01-15</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="EUR">7.10</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2024-01-31</Dt></BookgDt></Ntry>`),
    );
    const st = r.statements[0]!;
    expect(st.closing).toEqual({ amount: "-5", date: "2024-01-31" });
    expect(st.transactions.map((t) => [t.id, t.amount, t.pending, t.type])).toEqual([
      ["f:ntry:00123", "-105", false, "reversal"],
      [expect.stringMatching(/^h:/), "-7.1", true, null],
    ]);
    expect(st.reconciles).toBe(true);
  });
  it("a duplicate-copy statement says so", () => {
    const r = parseCamt(doc("", "<CpyDplctInd>DUPL</CpyDplctInd>"));
    expect(r.statements[0]!.warnings[0]).toMatch(/duplicate/);
  });
});

describe("MT940 quirks", () => {
  it("RC/RD with a funds code, a debit closing balance, multi-message statement of one account", () => {
    const text = ["{1:F01X}{2:O940X}{4:", ":20:A", ":25:NL01BANK0123456789", ":28C:5/1", ":60F:C240101EUR10,00", ":61:240102RCD1,00NTRFREF//B1", ":86:?20first?21 line", ":62M:C240102EUR9,00", "-}", "{1:F01X}{2:O940X}{4:", ":20:A", ":25:NL01BANK0123456789", ":28C:5/2", ":60M:C240102EUR9,00", ":61:2401030103D20,NTRFNONREF", ":86:/NAME/Shop/REMI/Groceries", ":62F:D240103EUR11,00", "-}"].join("\r\n");
    const r = parseMt940(text);
    const [s] = summarize(r);
    expect(s).toMatchObject({ account: "NL01BANK0123456789", transactions: 2, sum: "-21.00", openingBalance: "10.00", closingBalance: "-11.00", reconciles: true });
    expect(s!.statements.flatMap((x) => x.transactions).map((t) => [t.amount, t.description, t.type])).toEqual([
      ["-1", "first line", "reversal"],
      ["-20", "Shop — Groceries", "NTRF"],
    ]);
  });
  it("an unreadable :61: is rejected with its line", () => {
    const r = parseMt940(":20:X\n:25:1\n:60F:C240101EUR0,00\n:61:garbage\n:61:240102C1,00NTRFNONREF\n:62F:C240102EUR1,00");
    expect(r.statements[0]!.rejected).toEqual([{ line: 4, reason: 'unreadable :61: line "garbage"' }]);
  });
});

describe("QIF quirks", () => {
  it("!Account names the account, !Option/!Clear lines and # comments are ignored, an unterminated last record counts", () => {
    const r = parseQif("!Option:AutoSwitch\n!Account\nNChecking\nTBank\n^\n!Clear:AutoSwitch\n# a comment\n!Type:Bank\nD12/31/2023\nT-1,234.50\nPRent\n^\nD1/2/2024\nT10\nPRefund");
    expect(summarize(r)[0]).toMatchObject({ account: "Checking", transactions: 2, sum: "-1224.50", from: "2023-12-31", to: "2024-01-02" });
  });
});

describe("CSV quirks", () => {
  it("unrecognised headers ask for a mapping; a mapping by column name reads the file", () => {
    const text = "When|What|How much\n2024-05-02|Bakery|-4.20\n";
    expect(parseCsv(text).needsMapping).toEqual({ columns: ["When", "What", "How much"], sample: [["2024-05-02", "Bakery", "-4.20"]] });
    const r = parseCsv(text, { mapping: { date: "When", amount: "How much", description: "What" } });
    expect(r.statements[0]!.transactions[0]).toMatchObject({ date: "2024-05-02", amount: "-4.2", description: "Bakery" });
  });
  it("French headers with separate debit/credit, a fee column and a pending state", () => {
    const text = "Date;Libellé;Débit;Crédit;Frais;Statut\n03/01/2024;Loyer;800,00;;;\n15/01/2024;Salaire;;2 500,00;1,50;\n16/01/2024;Café;3,20;;;en attente\n";
    const [s] = summarize(parseCsv(text));
    expect(s).toMatchObject({ transactions: 3, pending: 1, sum: "1695.30", from: "2024-01-03", to: "2024-01-16" });
  });
  it("Dutch Af/Bij direction column", () => {
    const text = '"Datum","Naam / Omschrijving","Rekening","Tegenrekening","Code","Af Bij","Bedrag (EUR)","Mutatiesoort","Mededelingen"\n"20240105","Albert Heijn","NL01INGB0000000001","","BA","Af","12,34","Betaalautomaat","x"\n"20240106","Werkgever","NL01INGB0000000001","","GT","Bij","100,00","Overschrijving","y"\n';
    const [s] = summarize(parseCsv(text));
    expect(s).toMatchObject({ account: "NL01INGB0000000001", transactions: 2, sum: "87.66", from: "2024-01-05", to: "2024-01-06" });
  });
  it("a yen file writes ¥1,234 as 1.234: a currency without minor units groups, it has no fraction", () => {
    // the currency from a column, a header and a preamble line
    const byColumn = "Date,Description,Amount,Currency\n2024-05-02,Rent,-85.000,JPY\n2024-05-03,Salary,1.234.567,JPY\n2024-05-04,Coffee,-450,JPY\n";
    expect(parseCsv(byColumn).statements[0]!.transactions.map((t) => t.amount)).toEqual(["-85000", "1234567", "-450"]);
    expect(summarize(parseCsv(byColumn))[0]).toMatchObject({ currency: "JPY", sum: "1149117" });
    const byHeader = "Date,Description,Amount (JPY)\n2024-05-02,Rent,\"-85,000\"\n2024-05-03,Coffee,-1.200\n";
    expect(parseCsv(byHeader).statements[0]!.transactions.map((t) => t.amount)).toEqual(["-85000", "-1200"]);
    const byPreamble = "Account,12345678\nCurrency,KRW\n\nDate,Description,Amount\n2024-05-02,Market,-12.500\n";
    expect(parseCsv(byPreamble).statements[0]!.transactions.map((t) => t.amount)).toEqual(["-12500"]);
    // a currency with cents keeps "1.234" a decimal: nothing changes for EUR, USD, BHD files
    const euros = "Date,Description,Amount,Currency\n2024-05-02,Rent,-85.000,EUR\n2024-05-03,Coffee,-3.5,EUR\n";
    expect(parseCsv(euros).statements[0]!.transactions.map((t) => t.amount)).toEqual(["-85", "-3.5"]);
    const dinars = "Date,Description,Amount,Currency\n2024-05-02,Rent,-1.234,BHD\n";
    expect(parseCsv(dinars).statements[0]!.transactions.map((t) => t.amount)).toEqual(["-1.234"]);
  });
  it("ambiguous day/month is flagged and can be answered", () => {
    const text = "Date,Description,Amount\n02/01/2024,A,-1\n03/01/2024,B,-2\n";
    expect(parseCsv(text).dateOrderAmbiguous).toBe(true);
    expect(summarize(parseCsv(text, { dateOrder: "mdy" }))[0]).toMatchObject({ from: "2024-02-01", to: "2024-03-01" });
    expect(summarize(parseCsv(text, { dateOrder: "dmy" }))[0]).toMatchObject({ from: "2024-01-02", to: "2024-01-03" });
  });
});

describe("format from content, not the name", () => {
  it.each([
    ["OFXHEADER:100\nDATA:OFXSGML\n<OFX>", "ofx"],
    ['<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?><OFX>', "ofx"],
    ['<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">', "camt053"],
    [":20:REF\n:25:123\n:28C:1\n:60F:C240101EUR0,00", "mt940"],
    ["### comment\n!Type:Bank\nD1/1/24", "qif"],
    ["a;b;c\n1;2;3", "csv"],
  ] as const)("%j → %s", (text, format) => expect(detectFormat(text)).toBe(format));
});
