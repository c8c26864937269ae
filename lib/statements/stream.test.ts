import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Hash64Map, collectRows, decodeBytes, textChunks } from "./common";
import { streamCsv } from "./csv/parse";
import { parseStatement, streamStatement, summarize } from "./index";
import { streamOfx } from "./ofx/parse";

/**
 * The streaming readers give the same result whatever the size of the pieces the text comes
 * in (a tag, a quoted cell, a CRLF or a multi-byte character cut anywhere), on every OFX and
 * CSV fixture (read in place).
 */

const ROOT = path.resolve(import.meta.dirname, "../../../shared/fixtures/external");
const files = (dir: string) => readdirSync(path.join(ROOT, dir)).map((f) => path.join(dir, f));
const read = (rel: string) => readFileSync(path.join(ROOT, rel));

function* pieces(text: string, size: number) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe("statements read piece by piece", () => {
  it.each(files("ofx"))("%s: the same statements and rows from pieces of 1, 7 and 4096 characters", (rel) => {
    const text = decodeBytes(read(rel)).text;
    const whole = collectRows(streamOfx([text]));
    expect(whole.statements.length + whole.errors.length).toBeGreaterThan(0);
    for (const size of [1, 7, 4096]) expect(collectRows(streamOfx(pieces(text, size)))).toEqual(whole);
  });

  it.each(files("csv"))("%s: the same statement and rows from pieces of 1, 5 and 4096 characters", (rel) => {
    const text = decodeBytes(read(rel)).text;
    const whole = collectRows(streamCsv(() => [text]));
    for (const size of [1, 5, 4096]) expect(collectRows(streamCsv(() => pieces(text, size)))).toEqual(whole);
  });

  it("quoted cells with line breaks, CRLF and CR CR LF line ends cut anywhere", () => {
    const text = 'Date,Description,Amount\r\n2024-01-02,"two\r\nlines, and a ""quote""",-1.50\r\r\n2024-01-03,plain,2\r\n\r\n2024-01-04,"last",3';
    const whole = collectRows(streamCsv(() => [text]));
    expect(whole.statements[0]!.transactions.map((t) => [t.line, t.description, t.amount])).toEqual([
      [2, 'two lines, and a "quote"', "-1.5"],
      [4, "plain", "2"],
      [6, "last", "3"],
    ]);
    for (let size = 1; size <= 12; size++) expect(collectRows(streamCsv(() => pieces(text, size)))).toEqual(whole);
  });

  it("OFX markup cut anywhere: CDATA, comments, processing instructions, a literal '<'", () => {
    const text =
      '<?xml version="1.0"?><?OFX OFXHEADER="200"?><OFX><!-- a <comment> --><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>9</BANKACCTFROM><BANKTRANLIST>' +
      "<STMTTRN><DTPOSTED>20240102<TRNAMT>-1.5<FITID>a<NAME><![CDATA[A <b> & c]]></STMTTRN>\n<STMTTRN><DTPOSTED>20240103<TRNAMT>2<FITID>b<NAME>x < y &amp; z</STMTTRN>" +
      "</BANKTRANLIST><LEDGERBAL><BALAMT>0.5<DTASOF>20240103</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";
    const whole = collectRows(streamOfx([text]));
    expect(whole.statements[0]!.transactions.map((t) => [t.id, t.counterparty, t.line])).toEqual([
      ["f:a", "A <b> & c", 1],
      ["f:b", "x < y & z", 2],
    ]);
    for (let size = 1; size <= 16; size++) expect(collectRows(streamOfx(pieces(text, size)))).toEqual(whole);
  });

  it("bytes are decoded piece by piece as a whole (UTF-8 characters cut by a piece, Windows-1252, a BOM)", () => {
    const utf8 = new TextEncoder().encode("Datum;Text;Betrag\n01.02.2024;Bäckerei € — 日本;-1,00\n");
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
    const cp1252 = new Uint8Array([...new TextEncoder().encode("Datum;Text;Betrag\n01.02.2024;B"), 0xe4, 0x80, ...new TextEncoder().encode(";-1,00\n")]);
    for (const bytes of [utf8, bom, cp1252]) {
      const text = decodeBytes(bytes).text;
      for (const size of [1, 2, 3, 5, 64]) expect([...textChunks(bytes, size)].join("")).toBe(text);
    }
    expect(decodeBytes(cp1252).text).toContain("Bä€");
  });

  it("a stream hands out every row once and keeps none: its statements hold the figures", () => {
    const bytes = read("ofx/ofxparser_ofxdata-bb-two-stmtrs.ofx");
    const gen = streamStatement(bytes);
    let rows = 0;
    let r = gen.next();
    for (; !r.done; r = gen.next()) rows++;
    const streamed = r.value;
    expect(streamed.statements.every((s) => s.transactions.length === 0)).toBe(true);
    expect(rows).toBe(36);
    const strip = (s: ReturnType<typeof summarize>) => s.map(({ statements: _s, ...rest }) => rest);
    expect(strip(summarize(streamed))).toEqual(strip(summarize(parseStatement(bytes))));
  });
});

describe("Hash64Map", () => {
  it("keeps every key apart through growth; 0 means absent", () => {
    const m = new Hash64Map();
    for (let i = 0; i < 20_000; i++) m.set(i * 7919, i ^ 0x5bd1e995, i + 1);
    for (let i = 0; i < 20_000; i++) expect(m.get(i * 7919, i ^ 0x5bd1e995)).toBe(i + 1);
    expect(m.get(1, 2)).toBe(0);
    m.set(-1, -2, 5);
    m.set(-1, -2, 6);
    expect(m.get(-1, -2)).toBe(6);
    expect(m.get(0xffffffff, 0xfffffffe)).toBe(6);
  });
});
