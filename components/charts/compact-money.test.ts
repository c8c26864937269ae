import { describe, expect, it } from "vitest";
import { compactMoney } from "./charts";

describe("compact axis labels by the currency's minor units", () => {
  it("no fraction of a yen below a thousand; abbreviations keep one digit", () => {
    const yen = compactMoney("JPY");
    expect(yen(12.5)).toBe("¥13");
    expect(yen(1_250_000)).toBe("¥1.3M");
    const usd = compactMoney("USD");
    expect(usd(12.5)).toBe("$12.5");
    expect(usd(1_250_000)).toBe("$1.3M");
  });
});
