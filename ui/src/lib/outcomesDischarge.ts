// The discharge form: its fields, what is wrong with them in words that say how to fix it, which
// open referral and plan the discharge closes, the NewDischarge sent to Rust, and the person's
// earlier discharges (each has its message to the GP).
import type {
  CarePlan,
  Discharge,
  DischargeReason,
  NewDischarge,
  PersonId,
  PersonRecord,
  Referral,
} from "./bindings";
import { dateError } from "./dates";

export type ReasonCode = Exclude<DischargeReason, { other: string }> | "other";

export interface DischargeForm {
  reason: ReasonCode | "";
  otherReason: string;
  dischargedOn: string;
  closingSummary: string;
}

export interface DischargeErrors {
  reason?: string;
  otherReason?: string;
  dischargedOn?: string;
  closingSummary?: string;
}

export function emptyDischargeForm(today: string): DischargeForm {
  return { reason: "", otherReason: "", dischargedOn: today, closingSummary: "" };
}

export function validateDischarge(form: DischargeForm, today: string): DischargeErrors {
  const errors: DischargeErrors = {};
  if (form.reason === "") errors.reason = "Choose why they are being discharged";
  if (form.reason === "other" && form.otherReason.trim() === "") {
    errors.otherReason = "Say in a few words why they are being discharged";
  }
  const dischargedOn = dateError(
    form.dischargedOn,
    "The day of discharge",
    "Enter the day of the discharge",
  );
  if (dischargedOn) {
    errors.dischargedOn = dischargedOn;
  } else if (form.dischargedOn > today) {
    errors.dischargedOn = "The discharge day cannot be in the future";
  }
  if (form.closingSummary.trim() === "") {
    errors.closingSummary =
      "Write a closing summary: what was done, what changed, and what happens next";
  }
  return errors;
}

const OPEN_REFERRAL: Referral["status"][] = ["new", "contacted", "accepted"];
const OPEN_PLAN: CarePlan["status"][] = ["draft", "agreed", "active"];

/** The newest referral still open (new, contacted, accepted), which the discharge closes. */
export function openReferral(record: PersonRecord): Referral | null {
  const open = record.referrals
    .filter((referral) => OPEN_REFERRAL.includes(referral.status))
    .sort((a, b) => b.received_on.localeCompare(a.received_on));
  return open[0] ?? null;
}

/** The newest plan not yet completed or closed, which the discharge completes. */
export function openPlan(record: PersonRecord): CarePlan | null {
  const open = record.plans
    .map((view) => view.plan)
    .filter((plan) => OPEN_PLAN.includes(plan.status))
    .sort((a, b) => b.starts_on.localeCompare(a.starts_on));
  return open[0] ?? null;
}

export function toNewDischarge(
  personId: PersonId,
  form: DischargeForm,
  referral: Referral | null,
  plan: CarePlan | null,
): NewDischarge {
  const reason: DischargeReason =
    form.reason === "other" || form.reason === ""
      ? { other: form.otherReason.trim() }
      : form.reason;
  return {
    person_id: personId,
    referral_id: referral?.id ?? null,
    care_plan_id: plan?.id ?? null,
    discharged_on: form.dischargedOn,
    reason,
    closing_summary: form.closingSummary.trim(),
  };
}

/** The person's discharges, newest first. */
export function dischargesOf(record: PersonRecord): Discharge[] {
  const found: Discharge[] = [];
  for (const entry of record.timeline) {
    if (entry.item.kind === "discharge") found.push(entry.item.discharge);
  }
  return found.sort((a, b) => b.discharged_on.localeCompare(a.discharged_on) || b.id.localeCompare(a.id));
}

/** True when consent to share with the GP stands now, on the record's banner. */
export function gpConsentGiven(record: PersonRecord): boolean {
  return record.banner.consents.some(
    (consent) => consent.kind.kind === "share_with_gp" && consent.state.state === "given",
  );
}
