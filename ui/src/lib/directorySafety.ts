// Consent and safeguarding screen logic: consent kinds in plain words with their current state,
// the consent history, a person's concerns (open first), and the checks each form makes.
import type {
  Concern,
  ConsentKind,
  ConsentRecord,
  ConsentState,
  ContactMethod,
  CurrentConsent,
  PersonRecord,
} from "./bindings";
import { dateError, shortDate } from "./dates";
import { contactMethodWords } from "./words";

/** The four kinds of consent the form offers, by their code. */
export type ConsentKindCode = ConsentKind["kind"];

/** A short name for one consent, e.g. "Sharing with their GP", "Contact by text message". */
export function consentKindLabel(kind: ConsentKind): string {
  switch (kind.kind) {
    case "social_prescribing":
      return "Social prescribing";
    case "share_with_gp":
      return "Sharing with their GP";
    case "share_with_organisation":
      return `Sharing with ${kind.name.trim()}`;
    case "contact_by":
      return `Contact by ${contactMethodWords[kind.method].toLowerCase()}`;
  }
}

/** What giving (and withdrawing) each kind of consent means, in plain words. */
export const consentMeaning: Record<ConsentKindCode, string> = {
  social_prescribing:
    "They agree to get support from a link worker and for it to be recorded here. Withdrawing " +
    "means they no longer want that support.",
  share_with_gp:
    "They agree that what is recorded here may be shared with their GP practice, such as the " +
    "summary sent back at the end. Withdrawing stops further sharing; it cannot recall what " +
    "was already sent.",
  share_with_organisation:
    "They agree that you may pass their details to this organisation, for example when you " +
    "refer them to a group. Withdrawing stops further sharing with it.",
  contact_by:
    "They are happy to be contacted this way. Withdrawing means you should not use it to " +
    "reach them.",
};

/** "Given on 3 May 2025", "Withdrawn on …" or "Not recorded". */
export function consentStateWords(state: ConsentState): string {
  switch (state.state) {
    case "given":
      return `Given on ${shortDate(state.on)}`;
    case "withdrawn":
      return `Withdrawn on ${shortDate(state.on)}`;
    case "not_recorded":
      return "Not recorded";
  }
}

/** True when both name the same consent (organisation names ignoring case and spaces). */
export function sameConsentKind(left: ConsentKind, right: ConsentKind): boolean {
  if (left.kind === "share_with_organisation" && right.kind === "share_with_organisation") {
    return left.name.trim().toLowerCase() === right.name.trim().toLowerCase();
  }
  if (left.kind === "contact_by" && right.kind === "contact_by") {
    return left.method === right.method;
  }
  return left.kind === right.kind;
}

/** The consents to show: social prescribing and sharing with the GP always (perhaps "not
 *  recorded"), then every organisation and contact method that has a decision. */
export function consentRows(current: CurrentConsent[]): CurrentConsent[] {
  const always: ConsentKind[] = [{ kind: "social_prescribing" }, { kind: "share_with_gp" }];
  const rows: CurrentConsent[] = always.map(
    (kind) =>
      current.find((entry) => sameConsentKind(entry.kind, kind)) ?? {
        kind,
        state: { state: "not_recorded" },
      },
  );
  for (const entry of current) {
    if (!always.some((kind) => sameConsentKind(kind, entry.kind))) rows.push(entry);
  }
  return rows;
}

/** The consent history from a record, newest decision first (then latest recorded). */
export function consentHistory(record: PersonRecord): ConsentRecord[] {
  const history: ConsentRecord[] = [];
  for (const entry of record.timeline) {
    if (entry.item.kind === "consent") history.push(entry.item.consent);
  }
  return history.sort(
    (left, right) =>
      right.decided_on.localeCompare(left.decided_on) ||
      right.recorded_at.localeCompare(left.recorded_at),
  );
}

/** What the consent form holds while being filled in. */
export interface ConsentForm {
  kind: ConsentKindCode | "";
  organisation: string;
  method: ContactMethod | "";
  decision: "given" | "withdrawn" | "";
  decidedOn: string;
}

export type ConsentFormErrors = Partial<
  Record<"kind" | "organisation" | "method" | "decision" | "decidedOn", string>
>;

/** Checks the consent form; each message says how to put it right. */
export function validateConsentForm(form: ConsentForm, today: string): ConsentFormErrors {
  const errors: ConsentFormErrors = {};
  if (form.kind === "") errors.kind = "Choose what the consent is about";
  if (form.kind === "share_with_organisation" && form.organisation.trim() === "") {
    errors.organisation = "Enter the name of the organisation";
  }
  if (form.kind === "contact_by" && form.method === "") {
    errors.method = "Choose how they may be contacted";
  }
  if (form.decision === "") errors.decision = "Choose whether consent was given or withdrawn";
  const decidedOn = dateError(
    form.decidedOn,
    "The date they decided",
    "Enter the date they decided, for example 3 5 2025",
  );
  if (decidedOn) {
    errors.decidedOn = decidedOn;
  } else if (form.decidedOn > today) {
    errors.decidedOn = "The date cannot be in the future; enter the day they decided";
  }
  return errors;
}

/** The consent kind the form describes, once the form is valid. */
export function consentKindOf(form: ConsentForm): ConsentKind | null {
  switch (form.kind) {
    case "social_prescribing":
    case "share_with_gp":
      return { kind: form.kind };
    case "share_with_organisation":
      return form.organisation.trim() === ""
        ? null
        : { kind: "share_with_organisation", name: form.organisation.trim() };
    case "contact_by":
      return form.method === "" ? null : { kind: "contact_by", method: form.method };
    case "":
      return null;
  }
}

/** A person's concerns from their record: open ones (escalated first, then newest) and closed. */
export function concernsOf(record: PersonRecord): { open: Concern[]; closed: Concern[] } {
  const concerns: Concern[] = [];
  for (const entry of record.timeline) {
    if (entry.item.kind === "concern") concerns.push(entry.item.concern);
  }
  const newestFirst = (left: Concern, right: Concern) =>
    right.raised_at.localeCompare(left.raised_at);
  const open = concerns.filter((concern) => concern.status !== "closed");
  const escalated = open.filter((concern) => concern.status === "escalated").sort(newestFirst);
  const raised = open.filter((concern) => concern.status === "raised").sort(newestFirst);
  const closed = concerns.filter((concern) => concern.status === "closed").sort(newestFirst);
  return { open: [...escalated, ...raised], closed };
}

/** Who a concern is usually escalated to, offered as suggestions (any text may be typed). */
export const escalationSuggestions = [
  "Practice safeguarding lead",
  "Local authority adult social care",
  "Children's social care",
  "Police",
  "My supervisor",
];

/** A required free-text field: the message when it is blank, or undefined. */
export function requireText(value: string, message: string): string | undefined {
  return value.trim() === "" ? message : undefined;
}
