// Tests of the first-run recovery key display and the check that a copy was kept.
import { describe, expect, it } from "vitest";
import {
  chooseGroupToCheck,
  matchesGroup,
  normaliseTypedGroup,
  recoveryKeyGroups,
} from "./recoveryKey";

const KEY = "7K3F-9QXM-0A1B-C2D3-E4F5-G6H7-J8K9-MNPQ-RSTV-WXYZ-0123-4567-89AB-CDEF";

describe("recoveryKeyGroups", () => {
  it("splits the key into its 14 groups in order", () => {
    const groups = recoveryKeyGroups(KEY);
    expect(groups).toHaveLength(14);
    expect(groups[0]).toBe("7K3F");
    expect(groups[13]).toBe("CDEF");
  });

  it("ignores stray spaces around dashes", () => {
    expect(recoveryKeyGroups(" ABCD - EFGH ")).toEqual(["ABCD", "EFGH"]);
  });
});

describe("chooseGroupToCheck", () => {
  it("never asks for the first or last group", () => {
    expect(chooseGroupToCheck(14, () => 0)).toBe(2);
    expect(chooseGroupToCheck(14, () => 0.999999)).toBe(13);
  });

  it("covers every middle group", () => {
    const seen = new Set<number>();
    for (let step = 0; step < 120; step++) seen.add(chooseGroupToCheck(14, () => step / 120));
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });
});

describe("matchesGroup", () => {
  const cases: Array<[string, string, boolean]> = [
    ["9QXM", "9QXM", true],
    ["9qxm", "9QXM", true],
    [" 9Q XM ", "9QXM", true],
    ["0A1B", "0A1B", true],
    ["oaib", "0A1B", true],
    ["OAlB", "0A1B", true],
    ["9QXN", "9QXM", false],
    ["9QX", "9QXM", false],
    ["", "9QXM", false],
    ["7K3F", "9QXM", false],
  ];
  for (const [typed, expected, matches] of cases) {
    it(`${JSON.stringify(typed)} ${matches ? "matches" : "does not match"} ${expected}`, () => {
      expect(matchesGroup(typed, expected)).toBe(matches);
    });
  }

  it("reads look-alike letters as Kith does", () => {
    expect(normaliseTypedGroup("o-i l")).toBe("011");
  });
});
