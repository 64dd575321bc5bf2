// Tests of the consent and safeguarding screens' logic: words, rows, history, concerns, checks.
import { describe, expect, it } from "vitest";
import type { Concern, ConsentRecord, PersonRecord, TimelineEntry } from "./bindings";
import {
  concernsOf,
  consentHistory,
  consentKindLabel,
  consentKindOf,
  consentRows,
  consentStateWords,
  sameConsentKind,
  validateConsentForm,
  type ConsentForm,
} from "./directorySafety";

const TODAY = "2025-06-10";

describe("consent words", () => {
  it("names every kind of consent", () => {
    expect(consentKindLabel({ kind: "social_prescribing" })).toBe("Social prescribing");
    expect(consentKindLabel({ kind: "share_with_gp" })).toBe("Sharing with their GP");
    expect(consentKindLabel({ kind: "share_with_organisation", name: " Age Concern " })).toBe(
      "Sharing with Age Concern",
    );
    expect(consentKindLabel({ kind: "contact_by", method: "text_message" })).toBe(
      "Contact by text message",
    );
  });
  it("says the state with its date", () => {
    expect(consentStateWords({ state: "given", on: "2025-05-03", recorded_by: "u" })).toBe(
      "Given on 3 May 2025",
    );
    expect(consentStateWords({ state: "withdrawn", on: "2025-06-01", recorded_by: "u" })).toBe(
      "Withdrawn on 1 Jun 2025",
    );
    expect(consentStateWords({ state: "not_recorded" })).toBe("Not recorded");
  });
  it("treats organisation names alike ignoring case and spaces, and methods by method", () => {
    const org = (name: string) => ({ kind: "share_with_organisation" as const, name });
    expect(sameConsentKind(org("Age UK"), org(" age uk "))).toBe(true);
    expect(sameConsentKind(org("Age UK"), org("Mind"))).toBe(false);
    expect(
      sameConsentKind({ kind: "contact_by", method: "phone" }, { kind: "contact_by", method: "email" }),
    ).toBe(false);
    expect(sameConsentKind({ kind: "share_with_gp" }, { kind: "share_with_gp" })).toBe(true);
  });
});

describe("consent rows", () => {
  it("always shows social prescribing and GP sharing, then what else was recorded", () => {
    const rows = consentRows([
      { kind: { kind: "contact_by", method: "phone" }, state: { state: "given", on: "2025-01-01", recorded_by: "u" } },
      { kind: { kind: "share_with_gp" }, state: { state: "withdrawn", on: "2025-02-01", recorded_by: "u" } },
    ]);
    expect(rows.map((row) => [consentKindLabel(row.kind), row.state.state])).toEqual([
      ["Social prescribing", "not_recorded"],
      ["Sharing with their GP", "withdrawn"],
      ["Contact by phone", "given"],
    ]);
  });
});

describe("consent history", () => {
  function consent(id: string, decided_on: string, recorded_at: string): TimelineEntry {
    const record: ConsentRecord = {
      id,
      person_id: "p",
      kind: { kind: "share_with_gp" },
      decision: "given",
      decided_on,
      recorded_by: "u",
      recorded_at,
    };
    return { date: decided_on, item: { kind: "consent", consent: record } };
  }
  it("puts the newest decision first, and on the same day the latest recorded", () => {
    const record = {
      timeline: [
        consent("old", "2025-01-01", "2025-01-01T10:00:00Z"),
        consent("same-day-early", "2025-03-01", "2025-03-01T09:00:00Z"),
        consent("same-day-late", "2025-03-01", "2025-03-01T15:00:00Z"),
      ],
    } as unknown as PersonRecord;
    expect(consentHistory(record).map((entry) => entry.id)).toEqual([
      "same-day-late",
      "same-day-early",
      "old",
    ]);
  });
});

describe("consent form", () => {
  const valid: ConsentForm = {
    kind: "share_with_gp",
    organisation: "",
    method: "",
    decision: "given",
    decidedOn: TODAY,
  };
  it("accepts a complete form", () => {
    expect(validateConsentForm(valid, TODAY)).toEqual({});
    expect(consentKindOf(valid)).toEqual({ kind: "share_with_gp" });
  });
  it.each<[Partial<ConsentForm>, string, string]>([
    [{ kind: "" }, "kind", "Choose what the consent is about"],
    [{ kind: "share_with_organisation", organisation: "  " }, "organisation", "Enter the name of the organisation"],
    [{ kind: "contact_by", method: "" }, "method", "Choose how they may be contacted"],
    [{ decision: "" }, "decision", "Choose whether consent was given or withdrawn"],
    [{ decidedOn: "" }, "decidedOn", "Enter the date they decided, for example 3 5 2025"],
    [{ decidedOn: "2025-06-11" }, "decidedOn", "The date cannot be in the future; enter the day they decided"],
  ])("refuses %j with a message on %s", (change, field, message) => {
    const errors = validateConsentForm({ ...valid, ...change }, TODAY);
    expect(errors).toEqual({ [field]: message });
  });
  it("builds the organisation and contact kinds with their details", () => {
    expect(
      consentKindOf({ ...valid, kind: "share_with_organisation", organisation: " Mind " }),
    ).toEqual({ kind: "share_with_organisation", name: "Mind" });
    expect(consentKindOf({ ...valid, kind: "contact_by", method: "letter" })).toEqual({
      kind: "contact_by",
      method: "letter",
    });
    expect(consentKindOf({ ...valid, kind: "contact_by", method: "" })).toBeNull();
  });
});

describe("concerns", () => {
  function concern(id: string, status: Concern["status"], raised_at: string): TimelineEntry {
    return {
      date: raised_at.slice(0, 10),
      item: {
        kind: "concern",
        concern: {
          id,
          person_id: "p",
          kind: "neglect",
          description: "Seen",
          raised_by: "u",
          raised_at,
          status,
          escalation: null,
          closure: null,
        },
      },
    };
  }
  it("lists escalated open concerns first, then raised, each newest first; closed apart", () => {
    const record = {
      timeline: [
        concern("raised-old", "raised", "2025-01-01T10:00:00Z"),
        concern("closed", "closed", "2025-02-01T10:00:00Z"),
        concern("escalated", "escalated", "2024-12-01T10:00:00Z"),
        concern("raised-new", "raised", "2025-03-01T10:00:00Z"),
      ],
    } as unknown as PersonRecord;
    const { open, closed } = concernsOf(record);
    expect(open.map((found) => found.id)).toEqual(["escalated", "raised-new", "raised-old"]);
    expect(closed.map((found) => found.id)).toEqual(["closed"]);
  });
});
