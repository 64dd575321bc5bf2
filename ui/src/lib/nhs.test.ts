// Table tests of the NHS number check (Modulus 11), the same cases as kith-domain's.
import { describe, expect, it } from "vitest";
import { checkDigit, checkNhsNumber, formatNhsNumber } from "./nhs";

describe("checkDigit", () => {
  const cases: Array<[string, number | null]> = [
    ["943476591", 9], // 943 476 5919: sum 299, r 2, check 9
    ["401023213", 7], // 401 023 2137
    ["000000000", 0], // sum 0, r 0, check 11 → 0
    ["000000001", 9], // sum 2, r 2, check 9
    ["000000005", 1], // sum 10, r 10, check 1
    ["000000006", null], // sum 12, r 1, check 10 → no valid number starts like this
    ["123456789", null], // sum 210, r 1, check 10 → invalid
  ];
  for (const [nine, expected] of cases) {
    it(`gives ${expected} for ${nine}`, () => {
      expect(checkDigit([...nine].map(Number))).toBe(expected);
    });
  }

  it("refuses anything but nine digits", () => {
    expect(() => checkDigit([1, 2, 3])).toThrow(RangeError);
  });
});

describe("checkNhsNumber", () => {
  const cases: Array<[string, string, string?]> = [
    ["", "blank"],
    ["   ", "blank"],
    ["943", "incomplete"],
    ["943 476 591", "incomplete"],
    ["9434765919", "valid"],
    ["943 476 5919", "valid"],
    ["943-476-5919", "valid"],
    [" 943 476 5919 ", "valid"],
    ["4010232137", "valid"],
    ["0000000000", "valid"],
    ["9434765918", "invalid", "check_digit_mismatch"],
    ["9434765910", "invalid", "check_digit_mismatch"],
    ["1234567890", "invalid", "check_digit_ten"],
    ["1234567891", "invalid", "check_digit_ten"],
    ["0000000060", "invalid", "check_digit_ten"],
    ["94347659191", "invalid", "wrong_length"],
    ["943 476 59I9", "invalid", "not_digits"],
    ["943.476.5919", "invalid", "not_digits"],
    ["٩٤٣٤٧٦٥٩١٩", "invalid", "not_digits"],
  ];
  for (const [typed, state, reason] of cases) {
    it(`reads ${JSON.stringify(typed)} as ${state}${reason ? ` (${reason})` : ""}`, () => {
      const check = checkNhsNumber(typed);
      expect(check.state).toBe(state);
      if (reason) expect(check).toMatchObject({ reason });
    });
  }

  it("formats a valid number in 3 3 4 groups", () => {
    expect(checkNhsNumber("9434765919")).toEqual({
      state: "valid",
      digits: "9434765919",
      formatted: "943 476 5919",
    });
    expect(formatNhsNumber("4010232137")).toBe("401 023 2137");
  });

  it("counts the digits typed so far, ignoring spaces", () => {
    expect(checkNhsNumber("943 47")).toEqual({ state: "incomplete", digits: 5 });
  });

  it("turns an incomplete number into the Rust wrong-length message once finished", () => {
    const check = checkNhsNumber("943 476 591", true);
    expect(check).toMatchObject({ state: "invalid", reason: "wrong_length" });
    if (check.state === "invalid") {
      expect(check.message).toBe("NHS number must have 10 digits; you entered 9");
    }
  });

  it("says why the check digit 10 case is invalid in plain words", () => {
    const check = checkNhsNumber("123 456 7890");
    expect(check.state === "invalid" && check.message).toContain("check digit would be 10");
  });

  it("agrees with the check digit for every last digit of one prefix", () => {
    const valid = [..."0123456789"].filter(
      (last) => checkNhsNumber(`943476591${last}`).state === "valid",
    );
    expect(valid).toEqual(["9"]);
  });
});
