// Tests the discharge form's checks, which referral and plan a discharge closes, what is sent to
// Rust, and the printable documents' readable labels (every field of a held record listed).
import { describe, expect, it } from "vitest";
import type { CarePlan, PersonRecord, Referral } from "./bindings";
import {
  emptyDischargeForm,
  gpConsentGiven,
  openPlan,
  openReferral,
  toNewDischarge,
  validateDischarge,
} from "./outcomesDischarge";
import { consentKindWords, fieldLabel, fieldRows, safeFileName } from "./outcomesDocuments";

const today = "2026-03-31";

describe("discharge form", () => {
  it("asks for a reason, a summary, and a day not in the future", () => {
    const form = emptyDischargeForm(today);
    expect(Object.keys(validateDischarge(form, today)).sort()).toEqual(["closingSummary", "reason"]);
    form.reason = "other";
    form.closingSummary = "Goals met.";
    form.dischargedOn = "2026-04-01";
    expect(validateDischarge(form, today)).toEqual({
      otherReason: "Say in a few words why they are being discharged",
      dischargedOn: "The discharge day cannot be in the future",
    });
  });

  it("sends the reason code, or the other reason in words, and the trimmed summary", () => {
    const form = { ...emptyDischargeForm(today), reason: "plan_completed" as const, closingSummary: " Done. " };
    const sent = toNewDischarge("p1", form, null, null);
    expect(sent).toEqual({
      person_id: "p1",
      referral_id: null,
      care_plan_id: null,
      discharged_on: today,
      reason: "plan_completed",
      closing_summary: "Done.",
    });
    const other = toNewDischarge("p1", { ...form, reason: "other", otherReason: " Went abroad " }, null, null);
    expect(other.reason).toEqual({ other: "Went abroad" });
  });
});

function referral(id: string, received_on: string, status: Referral["status"]): Referral {
  return {
    id,
    person_id: "p1",
    received_on,
    source: "gp",
    referrer: null,
    reason: "r",
    needs: [],
    background: null,
    consent_to_referral: true,
    status,
    first_contact_on: null,
    answer: null,
    closed_on: null,
    gp_codes_sent: [],
  };
}
function plan(id: string, starts_on: string, status: CarePlan["status"]): CarePlan {
  return {
    id,
    person_id: "p1",
    referral_id: null,
    status,
    goals: [],
    connections_to_try: [],
    planned_sessions: 8,
    planned_sessions_reason: null,
    starts_on,
    review_on: starts_on,
    agreed_on: null,
  };
}

describe("what a discharge closes", () => {
  const record = {
    referrals: [
      referral("old", "2025-01-01", "closed"),
      referral("open", "2026-01-10", "accepted"),
      referral("older-open", "2025-06-01", "contacted"),
    ],
    plans: [
      { plan: plan("done", "2025-02-01", "completed"), sessions: [] },
      { plan: plan("active", "2026-01-20", "active"), sessions: [] },
    ],
    banner: { consents: [{ kind: { kind: "share_with_gp" }, state: { state: "withdrawn", on: "2026-01-01", recorded_by: "u" } }] },
  } as unknown as PersonRecord;

  it("the newest open referral and the newest open plan", () => {
    expect(openReferral(record)?.id).toBe("open");
    expect(openPlan(record)?.id).toBe("active");
  });

  it("consent to share with the GP counts only while given", () => {
    expect(gpConsentGiven(record)).toBe(false);
    const given = {
      ...record,
      banner: { consents: [{ kind: { kind: "share_with_gp" }, state: { state: "given", on: "2026-01-01", recorded_by: "u" } }] },
    } as unknown as PersonRecord;
    expect(gpConsentGiven(given)).toBe(true);
  });
});

describe("readable documents", () => {
  it("labels fields in plain words", () => {
    expect(fieldLabel("given_name")).toBe("Given name");
    expect(fieldLabel("nhs_number")).toBe("NHS number");
    expect(consentKindWords({ kind: "share_with_organisation", name: "Age UK" })).toBe("Sharing with Age UK");
    expect(safeFileName("Kith GP message: O'Neill 2026-03-31", "json")).toBe("kith-gp-message-o-neill-2026-03-31.json");
  });

  it("lists every field, nested and in lists, leaving nothing out", () => {
    const rows = fieldRows({
      given_name: "Ada",
      interpreter_needed: false,
      address: { line_1: "1 High St", town: null },
      needs: ["loneliness", { other: "Pigeons" }],
      source: { other: "Church" },
      contact_methods: [],
    });
    expect(rows).toEqual([
      { label: "Given name", kind: "text", text: "Ada" },
      { label: "Interpreter needed", kind: "text", text: "No" },
      {
        label: "Address",
        kind: "group",
        rows: [
          { label: "Address line 1", kind: "text", text: "1 High St" },
          { label: "Town", kind: "text", text: "—" },
        ],
      },
      { label: "Needs", kind: "list", items: ["Loneliness", [{ label: "Other", kind: "text", text: "Pigeons" }]] },
      { label: "Source", kind: "text", text: "Other: Church" },
      { label: "Contact methods", kind: "text", text: "None" },
    ]);
  });
});
