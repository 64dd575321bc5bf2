// The People area's logic, kept out of the screens so it can be unit tested: search as you
// type (debounced, only the newest answer kept) and the referral intake form (validation,
// turning the form into an Intake, placing a Rust error against its field) and the words a
// person's record uses for measures, referrals and sessions.
import type {
  AccessibilityNeeds,
  ContactMethod,
  Intake,
  MeasureAnswers,
  MeasureScore,
  Need,
  NewPerson,
  NewReferral,
  Referral,
  ReferralSource,
  SessionNumber,
} from "./bindings";
import { dateError } from "./dates";
import { checkNhsNumber } from "./nhs";
import {
  anxietyBandWords,
  needWords,
  referralSourceWords,
  wellbeingBandWords,
  wordsFor as codeWords,
} from "./words";

// ---- Search as you type ----

/**
 * Runs `search` for the latest request only: a request waits `delayMs` (typing resets the
 * wait), and an answer that arrives after a newer request was made is dropped, so a slow
 * answer for "mar" can never overwrite the answer for "mary".
 */
export class LatestOnlySearch<Q, A> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private latest = 0;

  constructor(
    private readonly search: (query: Q) => Promise<A>,
    private readonly onAnswer: (answer: A, query: Q) => void,
    private readonly delayMs = 120,
  ) {}

  /** Asks for `query` after the delay (cancelling any request not yet sent). */
  request(query: Q): void {
    const ticket = ++this.latest;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(query, ticket), this.delayMs);
  }

  /** Asks for `query` at once (e.g. a filter changed, or Enter was pressed). */
  now(query: Q): Promise<void> {
    const ticket = ++this.latest;
    clearTimeout(this.timer);
    return this.run(query, ticket);
  }

  /** Forgets any pending request and any answer still on its way. */
  cancel(): void {
    this.latest++;
    clearTimeout(this.timer);
  }

  private async run(query: Q, ticket: number): Promise<void> {
    const answer = await this.search(query);
    if (ticket === this.latest) this.onAnswer(answer, query);
  }
}

// ---- Referral intake ----

/** Named referral sources in the order the form lists them. */
export const referralSources = Object.keys(referralSourceWords) as Array<
  keyof typeof referralSourceWords
>;
/** Named needs in the order the form lists them. */
export const namedNeeds = Object.keys(needWords) as Array<keyof typeof needWords>;

export type AccessibilityFlag = Exclude<keyof AccessibilityNeeds, "other">;
export const accessibilityFlags: AccessibilityFlag[] = [
  "large_print",
  "easy_read",
  "hearing",
  "sight",
  "mobility",
];
export const accessibilityWords: Record<AccessibilityFlag, string> = {
  large_print: "Large print",
  easy_read: "Easy read",
  hearing: "Hearing (e.g. loop, BSL, face me when speaking)",
  sight: "Sight",
  mobility: "Mobility",
};

/** Everything the intake form holds, as typed. */
export interface IntakeForm {
  givenName: string;
  familyName: string;
  preferredName: string;
  pronouns: string;
  dateOfBirth: string;
  nhsNumber: string;
  phone: string;
  email: string;
  addressLine1: string;
  addressLine2: string;
  town: string;
  postcode: string;
  contactMethods: ContactMethod[];
  contactNotes: string;
  preferredLanguage: string;
  interpreterNeeded: boolean;
  accessibility: AccessibilityFlag[];
  accessibilityOther: string;
  /** A named source code, "other", or "" (not chosen). */
  source: keyof typeof referralSourceWords | "other" | "";
  sourceOther: string;
  referrerName: string;
  referrerOrganisation: string;
  referrerContact: string;
  needs: Array<keyof typeof needWords>;
  needOther: boolean;
  needOtherText: string;
  reason: string;
  background: string;
  receivedOn: string;
  consentToReferral: boolean;
}

export function emptyIntakeForm(today: string): IntakeForm {
  return {
    givenName: "",
    familyName: "",
    preferredName: "",
    pronouns: "",
    dateOfBirth: "",
    nhsNumber: "",
    phone: "",
    email: "",
    addressLine1: "",
    addressLine2: "",
    town: "",
    postcode: "",
    contactMethods: [],
    contactNotes: "",
    preferredLanguage: "",
    interpreterNeeded: false,
    accessibility: [],
    accessibilityOther: "",
    source: "",
    sourceOther: "",
    referrerName: "",
    referrerOrganisation: "",
    referrerContact: "",
    needs: [],
    needOther: false,
    needOtherText: "",
    reason: "",
    background: "",
    receivedOn: today,
    consentToReferral: false,
  };
}

/** The form's fields that can carry an error; each is also the id of its input. */
export type IntakeField =
  | "given-name"
  | "family-name"
  | "date-of-birth"
  | "nhs-number"
  | "phone"
  | "email"
  | "address-line-1"
  | "preferred-language"
  | "source"
  | "source-other"
  | "referrer-name"
  | "needs"
  | "need-other"
  | "reason"
  | "received-on"
  | "consent";

export type IntakeErrors = Partial<Record<IntakeField, string>>;

/** The ids describing a field for `aria-describedby`: its error if it has one, and `hint`. */
export function describedBy(
  errors: IntakeErrors,
  field: IntakeField,
  hint?: string,
): string | undefined {
  const ids = [errors[field] ? `${field}-error` : null, hint ?? null].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** The fields in the order they appear, for the error summary. */
export const intakeFieldOrder: IntakeField[] = [
  "given-name",
  "family-name",
  "date-of-birth",
  "nhs-number",
  "phone",
  "email",
  "address-line-1",
  "preferred-language",
  "source",
  "source-other",
  "referrer-name",
  "needs",
  "need-other",
  "reason",
  "received-on",
  "consent",
];

const blank = (text: string) => text.trim() === "";
const orNull = (text: string) => (blank(text) ? null : text.trim());

function phoneError(phone: string): string | undefined {
  const rest = phone.trim().replace(/^\+/, "");
  if (/[^0-9 ()-]/.test(rest)) {
    return "Phone number must have 10 to 15 digits, with only spaces, dashes, brackets and a leading + besides; remove any letters or other characters";
  }
  const digits = rest.replace(/[^0-9]/g, "").length;
  if (digits < 10 || digits > 15) {
    return `Phone number must have 10 to 15 digits, with only spaces, dashes, brackets and a leading + besides; you entered ${digits} digits`;
  }
  return undefined;
}

function emailLooksRight(email: string): boolean {
  const text = email.trim();
  const at = text.indexOf("@");
  if (at <= 0 || text.indexOf("@", at + 1) !== -1 || /\s/.test(text)) return false;
  const parts = text.slice(at + 1).split(".");
  return parts.length >= 2 && parts.every((part) => part !== "");
}

/** The NHS number's message as typed (nothing while still incomplete), for the live check. */
export function nhsNumberAsTyped(typed: string): string | undefined {
  const check = checkNhsNumber(typed);
  return check.state === "invalid" ? check.message : undefined;
}

/** Checks the whole form (dates are "YYYY-MM-DD", so they compare as text). */
export function validateIntake(form: IntakeForm, today: string): IntakeErrors {
  const errors: IntakeErrors = {};
  if (blank(form.givenName)) errors["given-name"] = "Enter the person's given (first) name";
  if (blank(form.familyName)) errors["family-name"] = "Enter the person's family name (surname)";
  const dateOfBirth = dateError(form.dateOfBirth, "Date of birth", null);
  if (dateOfBirth) {
    errors["date-of-birth"] = dateOfBirth;
  } else if (form.dateOfBirth !== "") {
    const oldest = `${Number(today.slice(0, 4)) - 120}${today.slice(4)}`;
    if (form.dateOfBirth > today) {
      errors["date-of-birth"] = "The date of birth cannot be in the future; check the date";
    } else if (form.dateOfBirth < oldest) {
      errors["date-of-birth"] = "Date of birth is more than 120 years ago; check the year";
    }
  }
  const nhs = checkNhsNumber(form.nhsNumber, true);
  if (nhs.state === "invalid") errors["nhs-number"] = nhs.message;
  if (!blank(form.phone)) {
    const problem = phoneError(form.phone);
    if (problem) errors.phone = problem;
  }
  if (!blank(form.email) && !emailLooksRight(form.email)) {
    errors.email = "Email address must look like name@example.org, with no spaces; check for typos";
  }
  const methods = form.contactMethods;
  if ((methods.includes("phone") || methods.includes("text_message")) && blank(form.phone)) {
    errors.phone ??= "Add a phone number, or untick phone and text message as ways to contact";
  }
  if (methods.includes("email") && blank(form.email)) {
    errors.email ??= "Add an email address, or untick email as a way to contact";
  }
  if ((methods.includes("letter") || methods.includes("home_visit")) && blank(form.addressLine1)) {
    errors["address-line-1"] =
      "Add the first line of the address, or untick letter and home visit as ways to contact";
  }
  if (form.interpreterNeeded && blank(form.preferredLanguage)) {
    errors["preferred-language"] =
      "An interpreter is needed: record the preferred language so one can be booked";
  }
  return { ...errors, ...validateReferral(form, today) };
}

/** The referral fields, in the order they appear (a re-referral's form has only these). */
export const referralFieldOrder: IntakeField[] = intakeFieldOrder.slice(
  intakeFieldOrder.indexOf("source"),
);

/** Checks the referral part of the form (all of a re-referral's form). */
export function validateReferral(form: IntakeForm, today: string): IntakeErrors {
  const errors: IntakeErrors = {};
  if (form.source === "") errors.source = "Choose who made the referral";
  if (form.source === "other" && blank(form.sourceOther)) {
    errors["source-other"] = "Say who made the referral";
  }
  if (form.source !== "self_referral" && form.source !== "" && blank(form.referrerName)) {
    errors["referrer-name"] = "Enter the referrer's name (for the message back to them)";
  }
  if (form.needs.length === 0 && !form.needOther) {
    errors.needs = "Tick at least one need, or tick Other and describe it";
  }
  if (form.needOther && blank(form.needOtherText)) {
    errors["need-other"] = "Describe the other need, or untick Other";
  }
  if (blank(form.reason)) errors.reason = "Enter the reason for the referral, in the referrer's words";
  const receivedOn = dateError(
    form.receivedOn,
    "Date received",
    "Enter the date the referral was received",
  );
  if (receivedOn) {
    errors["received-on"] = receivedOn;
  } else if (form.receivedOn > today) {
    errors["received-on"] = "The date the referral was received cannot be in the future; check the date";
  }
  if (!form.consentToReferral) {
    errors.consent = "Social prescribing needs the person's consent to the referral; confirm it was given";
  }
  return errors;
}

export function toNewPerson(form: IntakeForm): NewPerson {
  const accessibility: AccessibilityNeeds = {
    large_print: form.accessibility.includes("large_print"),
    easy_read: form.accessibility.includes("easy_read"),
    hearing: form.accessibility.includes("hearing"),
    sight: form.accessibility.includes("sight"),
    mobility: form.accessibility.includes("mobility"),
    other: orNull(form.accessibilityOther),
  };
  return {
    nhs_number: orNull(form.nhsNumber),
    given_name: form.givenName.trim(),
    family_name: form.familyName.trim(),
    preferred_name: orNull(form.preferredName),
    pronouns: orNull(form.pronouns),
    date_of_birth: form.dateOfBirth === "" ? null : form.dateOfBirth,
    address: blank(form.addressLine1)
      ? null
      : {
          line_1: form.addressLine1.trim(),
          line_2: orNull(form.addressLine2),
          town: orNull(form.town),
          postcode: orNull(form.postcode),
        },
    phone: orNull(form.phone),
    email: orNull(form.email),
    contact_methods: form.contactMethods,
    contact_notes: orNull(form.contactNotes),
    preferred_language: orNull(form.preferredLanguage),
    interpreter_needed: form.interpreterNeeded,
    accessibility_needs: accessibility,
    gp_practice: null,
    assigned_link_worker: null,
  };
}

export function toNewReferral(form: IntakeForm): NewReferral {
  const source: ReferralSource =
    form.source === "other" || form.source === ""
      ? { other: form.sourceOther.trim() }
      : form.source;
  const needs: Need[] = [...form.needs];
  if (form.needOther) needs.push({ other: form.needOtherText.trim() });
  return {
    received_on: form.receivedOn,
    source,
    referrer: blank(form.referrerName)
      ? null
      : {
          name: form.referrerName.trim(),
          organisation: orNull(form.referrerOrganisation),
          contact: orNull(form.referrerContact),
        },
    reason: form.reason.trim(),
    needs,
    background: orNull(form.background),
    consent_to_referral: form.consentToReferral,
  };
}

export function toIntake(form: IntakeForm, duplicatesChecked: boolean): Intake {
  return {
    person: toNewPerson(form),
    referral: toNewReferral(form),
    duplicates_checked: duplicatesChecked,
  };
}

/** Which field a Rust `invalid_input` message is about, so it is shown against that field. */
export function fieldForRustMessage(message: string): IntakeField | null {
  const text = message.toLowerCase();
  const rules: Array<[string, IntakeField]> = [
    ["nhs number", "nhs-number"],
    ["interpreter", "preferred-language"],
    ["contacted by phone", "phone"],
    ["contacted by text", "phone"],
    ["contacted by email", "email"],
    ["contacted by", "address-line-1"],
    ["date of birth", "date-of-birth"],
    ["phone", "phone"],
    ["email", "email"],
    ["given name", "given-name"],
    ["family name", "family-name"],
    ["referral source", "source-other"],
    ["referrer", "referrer-name"],
    ["need (other)", "need-other"],
    ["at least one need", "needs"],
    ["reason for referral", "reason"],
    ["date the referral was received", "received-on"],
    ["consent", "consent"],
    ["address", "address-line-1"],
  ];
  return rules.find(([words]) => text.includes(words))?.[1] ?? null;
}

// ---- A person's record ----


export const measureNames: Record<MeasureAnswers["measure"], string> = {
  ons4: "ONS4 personal wellbeing",
  swemwbs: "Short Warwick-Edinburgh wellbeing (SWEMWBS)",
  ucla3: "Loneliness (UCLA 3 items)",
  mycaw: "MYCaW concerns and wellbeing",
};

/** A measure's score in one line, each ONS4 item on its own (never a sum). */
export function measureScoreWords(score: MeasureScore | null): string {
  if (score === null) return "Incomplete: no score (some answers are missing)";
  switch (score.measure) {
    case "ons4":
      return [
        `Life satisfaction ${score.life_satisfaction.value} (${wellbeingBandWords[score.life_satisfaction.band].toLowerCase()})`,
        `worthwhile ${score.worthwhile.value} (${wellbeingBandWords[score.worthwhile.band].toLowerCase()})`,
        `happiness ${score.happiness.value} (${wellbeingBandWords[score.happiness.band].toLowerCase()})`,
        `anxiety ${score.anxiety.value} (${anxietyBandWords[score.anxiety.band].toLowerCase()})`,
      ].join(" · ");
    case "swemwbs":
      return `Score ${score.metric.toFixed(2)} (raw total ${score.raw_total} of 35)`;
    case "ucla3":
      return `Total ${score.total} of 9${score.lonely ? ", which reads as lonely" : ""}`;
    case "mycaw": {
      const parts = [`Concern 1: ${score.concern_1} of 6`];
      if (score.concern_2 !== null) parts.push(`concern 2: ${score.concern_2} of 6`);
      parts.push(`wellbeing: ${score.wellbeing} of 6`);
      return parts.join(" · ");
    }
  }
}

/** "From GP: Dr Priya Shah, Ashbridge Medical Centre" (a self-referral has no referrer). */
export function referralFrom(referral: Referral): string {
  const source = codeWords(referral.source, referralSourceWords);
  const referrer = referral.referrer;
  if (!referrer) return source;
  const who = [referrer.name, referrer.organisation].filter((part) => part && part.trim()).join(", ");
  return `${source}: ${who}`;
}

/** "Session 3 of 8", or "Extra session" for one beyond the plan's count. */
export function sessionNumberWords(number: SessionNumber | null): string {
  return number === null ? "Extra session" : `Session ${number.number} of ${number.of}`;
}
