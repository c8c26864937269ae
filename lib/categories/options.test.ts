import { describe, expect, it } from "vitest";
import { categoryOptions, editDistance } from "./options";

describe("category picker options", () => {
  it("offers the whole taxonomy and the user's own categories when empty", () => {
    const all = categoryOptions("", ["Household", "Groceries"]);
    expect(all.find((o) => o.value === "Groceries")?.group).toBe("Food & drink");
    expect(all.filter((o) => o.value === "Groceries")).toHaveLength(1);
    expect(all.at(-1)).toEqual({ value: "Household", group: "Your categories" });
    expect(all.some((o) => o.create)).toBe(false);
  });

  it("puts prefix matches first and 'Create' last, only for a new name", () => {
    const r = categoryOptions("re", []);
    expect(r[0]!.value).toBe("Rent");
    expect(r.map((o) => o.value)).toContain("Restaurants");
    expect(r.map((o) => o.value)).toContain("Credit card payment");
    expect(r.map((o) => o.value)).not.toContain("Groceries");
    expect(r.at(-1)).toEqual({ value: "re", group: "", create: true });
    expect(categoryOptions("groceries", []).some((o) => o.create)).toBe(false);
  });

  it("a typo picks the real category first instead of creating one", () => {
    const r = categoryOptions("Restuarants", []);
    expect(r[0]!.value).toBe("Restaurants");
    expect(r.at(-1)!.create).toBe(true);
    expect(categoryOptions("Grocries", [])[0]!.value).toBe("Groceries");
    expect(categoryOptions("Househld", ["Household"])[0]!.value).toBe("Household");
  });

  it("matches a group name", () => {
    expect(categoryOptions("food", []).map((o) => o.value).slice(0, 4)).toEqual(["Groceries", "Restaurants", "Coffee", "Bars"]);
  });

  it("edit distance", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("Abc", "abc")).toBe(0);
    expect(editDistance("", "ab")).toBe(2);
  });
});
