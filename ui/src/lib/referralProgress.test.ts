// Tests of the referral's progress and the GP codes in words, and what "mark sent" marks.
import { describe, expect, it } from "vitest";
import type { GpCode, GpCodeList, Referral } from "./bindings";
import {
  checkAnswer,
  codeWords,
  gpCodesFileName,
  referralProgressLines,
  sentWords,
  unsentOfList,
  unsentToMark,
  unsentWords,
} from "./referralProgress";

function referral(partial: Partial<Referral>): Referral {
  return {
    id: "r1",
    person_id: "p1",
    received_on: "2025-03-01",
    source: "gp",
    referrer: null,
    reason: "Lonely",
    needs: ["loneliness"],
    background: null,
    consent_to_referral: true,
    status: "new",
    first_contact_on: null,
    answer: null,
    closed_on: null,
    gp_codes_sent: [],
    ...partial,
  };
}

function code(referral_id: string, sent_on: string | null, number = "871731000000106"): GpCode {
  return {
    referral_id,
    concept: { code: number, term: "Referral to social prescribing service (procedure)" },
    date: "2025-03-04",
    meaning: "accepted",
    sent_on,
  };
}

describe("the referral's progress", () => {
  it("says what happened, in order", () => {
    expect(referralProgressLines(referral({}))).toEqual(["Received 1 Mar 2025", "No contact yet"]);
    expect(
      referralProgressLines(
        referral({
          status: "closed",
          first_contact_on: "2025-03-04",
          answer: { kind: "declined", on: "2025-03-05" },
          closed_on: "2025-03-09",
        }),
      ),
    ).toEqual([
      "Received 1 Mar 2025",
      "First contact 4 Mar 2025",
      "Declined 5 Mar 2025",
      "Closed 9 Mar 2025",
    ]);
  });

  it("checks the answer form before calling Rust", () => {
    expect(checkAnswer(null, "2025-03-05", "2025-03-14")).toEqual({ kind: "Choose the person's answer" });
    expect(checkAnswer("declined", "", "2025-03-14").on).toMatch(/Enter the date of their answer/);
    expect(checkAnswer("declined", "2025-03-15", "2025-03-14").on).toBe("The date cannot be in the future");
    expect(checkAnswer("unable_to_contact", "2025-03-14", "2025-03-14")).toEqual({});
  });
});

describe("the codes for the GP record", () => {
  it("reads each code with its term and whether it was sent", () => {
    expect(codeWords(code("r1", null))).toBe(
      "871731000000106 Referral to social prescribing service (procedure)",
    );
    expect(sentWords(code("r1", null))).toBe("Not sent yet");
    expect(sentWords(code("r1", "2025-03-14"))).toBe("Sent 14 Mar 2025");
  });

  it("marks only the codes still to send", () => {
    const codes = [code("r1", "2025-03-10"), code("r2", null, "871711000000103"), code("r3", null)];
    expect(unsentToMark(codes)).toEqual([
      { referral_id: "r2", code: "871711000000103" },
      { referral_id: "r3", code: "871731000000106" },
    ]);
    const line = (c: GpCode) => ({
      person_id: "p",
      display_name: "Ada",
      given_name: "Ada",
      family_name: "Lovelace",
      nhs_number: null,
      date_of_birth: null,
      gp_practice: null,
      code: c,
    });
    const list: GpCodeList = { lines: codes.map(line), unsent: 2 };
    expect(unsentOfList(list)).toHaveLength(2);
  });

  it("counts what is left to send and names the file by day", () => {
    expect(unsentWords(0)).toBe("Every code has been sent");
    expect(unsentWords(1)).toBe("1 code to send");
    expect(unsentWords(3)).toBe("3 codes to send");
    expect(gpCodesFileName("2025-03-14")).toBe("gp-codes-2025-03-14.csv");
  });
});
