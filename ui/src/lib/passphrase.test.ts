// Table tests of the first-run passphrase guidance and form validation.
import { describe, expect, it } from "vitest";
import { assessPassphrase, countWords, validatePassphraseForm } from "./passphrase";

describe("assessPassphrase", () => {
  const cases: Array<[string, string]> = [
    ["", "empty"],
    ["short", "too_short"],
    ["elevenchars", "too_short"],
    ["password1234", "guessable"],
    ["Password!123", "guessable"],
    ["qwertyuiop12", "guessable"],
    ["aaaaaaaaaaaaaaa", "guessable"],
    ["abababababab", "guessable"],
    ["xk81-QmEe9tz", "fair"],
    ["lantern orbit", "fair"],
    ["kettle lantern orbit", "strong"],
    ["kettle-lantern-orbit", "strong"],
    ["Zx9!vQ2m#Lp7@Wr4$Tn6", "strong"],
  ];
  for (const [passphrase, expected] of cases) {
    it(`rates ${JSON.stringify(passphrase)} as ${expected}`, () => {
      expect(assessPassphrase(passphrase).strength).toBe(expected);
    });
  }

  it("counts characters, not UTF-16 units, towards the minimum", () => {
    // 11 emoji are 22 UTF-16 units but only 11 characters.
    expect(assessPassphrase("🌳".repeat(11)).strength).toBe("too_short");
  });

  it("says how many characters are missing", () => {
    expect(assessPassphrase("tenletters").hint).toContain("2 more characters");
    expect(assessPassphrase("elevenchars").hint).toContain("1 more character ");
  });

  it("gives the meter a higher score to a stronger passphrase", () => {
    const scores = ["", "short", "lantern orbit", "kettle lantern orbit"].map(
      (text) => assessPassphrase(text).score,
    );
    expect(scores).toEqual([0, 1, 3, 4]);
  });
});

describe("countWords", () => {
  it("counts words of three or more letters in any script", () => {
    expect(countWords("correct horse-battery staple")).toBe(4);
    expect(countWords("a an the")).toBe(1);
    expect(countWords("żółw café straße")).toBe(3);
  });
});

describe("validatePassphraseForm", () => {
  it("accepts a good passphrase typed twice", () => {
    expect(validatePassphraseForm("kettle lantern orbit", "kettle lantern orbit")).toEqual({});
  });

  it("asks for both fields when both are empty", () => {
    const errors = validatePassphraseForm("", "");
    expect(errors.passphrase).toBe("Enter a passphrase.");
    expect(errors.confirmation).toBe("Type your passphrase again to confirm it.");
  });

  it("refuses a short passphrase and says how to fix it", () => {
    expect(validatePassphraseForm("short", "short").passphrase).toMatch(/at least 12 characters/);
  });

  it("refuses a guessable passphrase", () => {
    expect(validatePassphraseForm("password1234", "password1234").passphrase).toMatch(/too easy/);
  });

  it("refuses a confirmation that differs, even only in case", () => {
    const errors = validatePassphraseForm("kettle lantern orbit", "Kettle lantern orbit");
    expect(errors.passphrase).toBeUndefined();
    expect(errors.confirmation).toMatch(/different/);
  });
});
