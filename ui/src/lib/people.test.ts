// Tests of the People logic: newest-answer-only search, intake validation and conversion.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  LatestOnlySearch,
  emptyIntakeForm,
  fieldForRustMessage,
  measureScoreWords,
  referralFrom,
  sessionNumberWords,
  nhsNumberAsTyped,
  toIntake,
  referralFieldOrder,
  toNewReferral,
  validateIntake,
  validateReferral,
  type IntakeForm,
} from "./people";

describe("LatestOnlySearch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits for typing to pause and sends only the last query", async () => {
    const sent: string[] = [];
    const shown: string[] = [];
    const search = new LatestOnlySearch(
      async (query: string) => {
        sent.push(query);
        return `answer for ${query}`;
      },
      (answer) => shown.push(answer),
      120,
    );
    search.request("m");
    await vi.advanceTimersByTimeAsync(50);
    search.request("ma");
    await vi.advanceTimersByTimeAsync(50);
    search.request("mar");
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(119);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual(["mar"]);
    expect(shown).toEqual(["answer for mar"]);
  });

  it("drops an answer that arrives after a newer request was made", async () => {
    const pending = new Map<string, (answer: string) => void>();
    const shown: string[] = [];
    const search = new LatestOnlySearch(
      (query: string) => new Promise<string>((resolve) => pending.set(query, resolve)),
      (answer) => shown.push(answer),
      120,
    );
    search.request("mar");
    await vi.advanceTimersByTimeAsync(120);
    search.request("mary");
    await vi.advanceTimersByTimeAsync(120);
    // The newer answer comes back first, then the stale one.
    pending.get("mary")?.("people called mary");
    await vi.advanceTimersByTimeAsync(0);
    pending.get("mar")?.("people called mar…");
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual(["people called mary"]);
  });

  it("answers at once with now(), and cancel() drops what is on its way", async () => {
    const shown: string[] = [];
    const search = new LatestOnlySearch(
      async (query: string) => query,
      (answer) => shown.push(answer),
    );
    await search.now("status: active");
    expect(shown).toEqual(["status: active"]);
    search.request("later");
    search.cancel();
    await vi.advanceTimersByTimeAsync(500);
    expect(shown).toEqual(["status: active"]);
  });
});

const TODAY = "2025-06-10";

function filled(changes: Partial<IntakeForm> = {}): IntakeForm {
  return {
    ...emptyIntakeForm(TODAY),
    givenName: " Doreen ",
    familyName: "Abernathy",
    source: "gp",
    referrerName: "Dr Priya Shah",
    needs: ["loneliness"],
    reason: "Lonely since her husband died.",
    consentToReferral: true,
    ...changes,
  };
}

describe("validateReferral (a re-referral's form)", () => {
  it("checks only the referral: a blank person does not matter", () => {
    const errors = validateReferral(emptyIntakeForm(TODAY), TODAY);
    expect(Object.keys(errors).sort()).toEqual(["source", "needs", "reason", "consent"].sort());
    const referralOnly = { ...filled(), givenName: "", familyName: "", nhsNumber: "123" };
    expect(validateReferral(referralOnly, TODAY)).toEqual({});
    expect(toNewReferral(referralOnly).consent_to_referral).toBe(true);
  });

  it("lists its fields in the order they appear, none of the person's", () => {
    expect(referralFieldOrder[0]).toBe("source");
    expect(referralFieldOrder).toContain("consent");
    expect(referralFieldOrder).not.toContain("given-name");
    expect(referralFieldOrder).not.toContain("nhs-number");
  });

  it("finds the same referral problems as the whole intake", () => {
    const form = { ...filled(), source: "other" as const, reason: " " };
    const intake = validateIntake(form, TODAY);
    expect(validateReferral(form, TODAY)).toEqual({
      "source-other": intake["source-other"],
      reason: intake.reason,
    });
  });
});

describe("validateIntake", () => {
  it("accepts a complete form", () => {
    expect(validateIntake(filled(), TODAY)).toEqual({});
  });

  it("names every missing required field with how to fix it", () => {
    const errors = validateIntake(emptyIntakeForm(TODAY), TODAY);
    expect(Object.keys(errors).sort()).toEqual(
      ["given-name", "family-name", "source", "needs", "reason", "consent"].sort(),
    );
    expect(errors.needs).toContain("Tick at least one need");
  });

  const cases: Array<[string, Partial<IntakeForm>, string, string]> = [
    ["a mistyped NHS number", { nhsNumber: "943 476 5918" }, "nhs-number", "last digit"],
    ["a short NHS number", { nhsNumber: "943 476" }, "nhs-number", "you entered 6"],
    ["a check digit of 10", { nhsNumber: "123 456 7890" }, "nhs-number", "would be 10"],
    ["a birth date in the future", { dateOfBirth: "2025-06-11" }, "date-of-birth", "future"],
    ["a birth date too long ago", { dateOfBirth: "1905-06-09" }, "date-of-birth", "120 years"],
    ["a phone with letters", { phone: "0161 abc 4567" }, "phone", "remove any letters"],
    ["a short phone", { phone: "0161 496" }, "phone", "you entered 7 digits"],
    ["an email without a domain", { email: "dot@home" }, "email", "name@example.org"],
    ["text messages without a phone", { contactMethods: ["text_message"] }, "phone", "Add a phone"],
    ["letters without an address", { contactMethods: ["letter"] }, "address-line-1", "address"],
    ["an interpreter without a language", { interpreterNeeded: true }, "preferred-language", "language"],
    ["other source without words", { source: "other" }, "source-other", "Say who"],
    ["a GP referral without a referrer", { referrerName: " " }, "referrer-name", "referrer"],
    ["other need without words", { needOther: true }, "need-other", "Describe"],
    ["a referral dated tomorrow", { receivedOn: "2025-06-11" }, "received-on", "future"],
    // What the day / month / year input holds for 3 June with no year, and for 31 February.
    ["a referral date without a year", { receivedOn: '["3","6",""]' }, "received-on",
      "Date received must include a year"],
    ["an impossible birth date", { dateOfBirth: '["31","2","1950"]' }, "date-of-birth",
      "Date of birth must be a real date"],
    ["no consent", { consentToReferral: false }, "consent", "consent"],
  ];
  for (const [what, changes, field, words] of cases) {
    it(`refuses ${what}`, () => {
      const errors = validateIntake(filled(changes), TODAY);
      expect(Object.keys(errors)).toEqual([field]);
      expect(errors[field as keyof typeof errors]).toContain(words);
    });
  }

  it("lets a self-referral go without a referrer, and keeps a valid NHS number", () => {
    expect(
      validateIntake(filled({ source: "self_referral", referrerName: "", nhsNumber: "9434765919" }), TODAY),
    ).toEqual({});
  });
});

describe("nhsNumberAsTyped", () => {
  it("says nothing until the number is complete or plainly wrong", () => {
    expect(nhsNumberAsTyped("943 47")).toBeUndefined();
    expect(nhsNumberAsTyped("943 476 5919")).toBeUndefined();
    expect(nhsNumberAsTyped("943 476 5918")).toContain("does not match");
    expect(nhsNumberAsTyped("94x")).toContain("only digits");
  });
});

describe("toIntake", () => {
  it("turns the form into the Rust shape, blanks into nulls and Other into its words", () => {
    const intake = toIntake(
      filled({
        preferredName: "  ",
        pronouns: "she/her",
        nhsNumber: "943 476 5919",
        dateOfBirth: "1941-03-09",
        addressLine1: "4 Mill Lane",
        town: "Ashbridge",
        accessibility: ["large_print", "hearing"],
        source: "other",
        sourceOther: "Church warden",
        referrerOrganisation: "",
        needs: ["loneliness", "bereavement"],
        needOther: true,
        needOtherText: "Lost her dog",
      }),
      true,
    );
    expect(intake.duplicates_checked).toBe(true);
    expect(intake.person).toMatchObject({
      given_name: "Doreen",
      preferred_name: null,
      pronouns: "she/her",
      nhs_number: "943 476 5919",
      date_of_birth: "1941-03-09",
      address: { line_1: "4 Mill Lane", line_2: null, town: "Ashbridge", postcode: null },
      accessibility_needs: {
        large_print: true,
        easy_read: false,
        hearing: true,
        sight: false,
        mobility: false,
        other: null,
      },
    });
    expect(intake.referral).toEqual({
      received_on: TODAY,
      source: { other: "Church warden" },
      referrer: { name: "Dr Priya Shah", organisation: null, contact: null },
      reason: "Lonely since her husband died.",
      needs: ["loneliness", "bereavement", { other: "Lost her dog" }],
      background: null,
      consent_to_referral: true,
    });
  });

  it("leaves out a blank address and referrer", () => {
    const intake = toIntake(filled({ source: "self_referral", referrerName: "" }), false);
    expect(intake.person.address).toBeNull();
    expect(intake.referral.referrer).toBeNull();
    expect(intake.referral.source).toBe("self_referral");
  });
});

describe("fieldForRustMessage", () => {
  const cases: Array<[string, string | null]> = [
    ["This is not a valid NHS number: the last digit does not match the others", "nhs-number"],
    ["NHS number must have 10 digits; you entered 9", "nhs-number"],
    ["The date of birth cannot be in the future; check the date", "date-of-birth"],
    ["Email address must look like name@example.org", "email"],
    ["The person may be contacted by letter, but no address is recorded", "address-line-1"],
    ["An interpreter is needed: record the preferred language so one can be booked", "preferred-language"],
    ["Something else went wrong", null],
  ];
  for (const [message, field] of cases) {
    it(`places ${JSON.stringify(message.slice(0, 40))} on ${field}`, () => {
      expect(fieldForRustMessage(message)).toBe(field);
    });
  }
});

describe("a person's record in words", () => {
  it("reports each ONS4 item with its band, never a sum", () => {
    const words = measureScoreWords({
      measure: "ons4",
      life_satisfaction: { value: 6, band: "medium" },
      worthwhile: { value: 8, band: "high" },
      happiness: { value: 3, band: "low" },
      anxiety: { value: 7, band: "high" },
    });
    expect(words).toBe(
      "Life satisfaction 6 (medium) · worthwhile 8 (high) · happiness 3 (low) · anxiety 7 (high)",
    );
  });

  it("reports SWEMWBS as its metric score, UCLA as a total, MYCaW per concern", () => {
    expect(
      measureScoreWords({ measure: "swemwbs", raw_total: 22, metric_hundredths: 1998, metric: 19.98 }),
    ).toBe("Score 19.98 (raw total 22 of 35)");
    expect(measureScoreWords({ measure: "ucla3", total: 7, lonely: true })).toBe(
      "Total 7 of 9, which reads as lonely",
    );
    expect(measureScoreWords({ measure: "ucla3", total: 4, lonely: false })).toBe("Total 4 of 9");
    expect(
      measureScoreWords({ measure: "mycaw", concern_1: 5, concern_2: null, wellbeing: 3 }),
    ).toBe("Concern 1: 5 of 6 · wellbeing: 3 of 6");
    expect(measureScoreWords(null)).toContain("no score");
  });

  it("says who referred, and numbers sessions against the plan", () => {
    const referral = {
      id: "r",
      person_id: "p",
      received_on: "2025-06-01",
      source: "gp",
      referrer: { name: "Dr Priya Shah", organisation: "Ashbridge Medical Centre", contact: null },
      reason: "",
      needs: [],
      background: null,
      consent_to_referral: true,
      status: "new",
      first_contact_on: null,
      answer: null,
      closed_on: null,
      gp_codes_sent: [] as never[],
    } as const;
    expect(referralFrom({ ...referral, needs: [] })).toBe(
      "GP: Dr Priya Shah, Ashbridge Medical Centre",
    );
    expect(referralFrom({ ...referral, needs: [], source: "self_referral", referrer: null })).toBe(
      "Self-referral",
    );
    expect(referralFrom({ ...referral, needs: [], source: { other: "Church" }, referrer: null })).toBe(
      "Other: Church",
    );
    expect(sessionNumberWords({ number: 3, of: 8 })).toBe("Session 3 of 8");
    expect(sessionNumberWords(null)).toBe("Extra session");
  });
});
