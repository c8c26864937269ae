import { describe, expect, it } from "vitest";
import { cleanMerchantName } from "./clean";

describe("cleanMerchantName", () => {
  it.each([
    ["JOE'S PIZZA", "Joe's Pizza"],
    ["CAFÉ EINSTEIN", "Café Einstein"],
    ["iCloud Storage", "iCloud Storage"],
    ["McDonald's", "McDonald's"],
    ["STARBUCKS STORE 0042", "Starbucks"],
    ["TARGET #1234", "Target"],
    ["SQ *BLUE BOTTLE COFFEE", "Blue Bottle Coffee"],
    ["TST* SWEETGREEN", "Sweetgreen"],
    ["PAYPAL *SPOTIFY", "Spotify"],
    ["AMAZON MKTPLACE *1234", "Amazon Mktplace"],
    ["SHELL OIL XXXX4821", "Shell Oil"],
    ["CVS PHARMACY", "CVS Pharmacy"],
    ["BP CONNECT", "BP Connect"],
    ["AT&T", "AT&T"],
    ["COCA-COLA BOTTLING", "Coca-Cola Bottling"],
    ["  Uber   Trip  ", "Uber Trip"],
    ["ÖBB TICKETSHOP", "Öbb Ticketshop"],
  ])("%s → %s", (raw, want) => {
    expect(cleanMerchantName(raw)).toBe(want);
  });

  it("never returns an empty name for a name made only of noise", () => {
    expect(cleanMerchantName("#1234")).toBe("#1234");
    expect(cleanMerchantName(null)).toBeNull();
    expect(cleanMerchantName("   ")).toBeNull();
  });
});
