// The referral's progress and the codes for the GP record, in words: what the record and the
// practice's list show, which answers the form offers (Rust says which are allowed), what
// "mark sent" marks, and the checks made before a call. Pure, so it is unit tested.
import type {
  GpCode,
  GpCodeList,
  GpCodeToMark,
  Referral,
  ReferralAnswerKind,
  ReferralProgress,
} from "./bindings";
import { dateError, shortDate } from "./dates";

export const referralAnswerWords: Record<ReferralAnswerKind, string> = {
  accepted: "Accepted",
  declined: "Declined",
  unable_to_contact: "Unable to contact",
};

/** What each answer means, beside its choice. */
export const referralAnswerHints: Record<ReferralAnswerKind, string> = {
  accepted: "The person wants to work with you. Agreeing a plan records this too.",
  declined: "The person does not want social prescribing now. The GP is sent the declined code.",
  unable_to_contact: "You tried and could not reach them. There is no national code for this.",
};

/** The referral's story so far, one line each: received, first contact, answer, closed. */
export function referralProgressLines(referral: Referral): string[] {
  const lines = [`Received ${shortDate(referral.received_on)}`];
  if (referral.first_contact_on) lines.push(`First contact ${shortDate(referral.first_contact_on)}`);
  else lines.push("No contact yet");
  if (referral.answer) {
    lines.push(`${referralAnswerWords[referral.answer.kind]} ${shortDate(referral.answer.on)}`);
  }
  if (referral.closed_on) lines.push(`Closed ${shortDate(referral.closed_on)}`);
  return lines;
}

/** The answers to offer, in Rust's order; the one already recorded is offered to correct its day. */
export function answerChoices(progress: ReferralProgress): ReferralAnswerKind[] {
  return progress.answers_allowed;
}

/** The form's own check before calling Rust (which checks again): a choice and a real day. */
export function checkAnswer(
  kind: ReferralAnswerKind | null,
  on: string,
  today: string,
): { kind?: string; on?: string } {
  const errors: { kind?: string; on?: string } = {};
  if (kind === null) errors.kind = "Choose the person's answer";
  const problem = dateError(on, "The date of their answer", "Enter the date of their answer");
  if (problem) errors.on = problem;
  else if (on > today) errors.on = "The date cannot be in the future";
  return errors;
}

/** "871731000000106 Referral to social prescribing service (procedure)". */
export function codeWords(code: GpCode): string {
  return `${code.concept.code} ${code.concept.term}`;
}

/** "Sent 14 Mar 2025" or "Not sent yet". */
export function sentWords(code: GpCode): string {
  return code.sent_on ? `Sent ${shortDate(code.sent_on)}` : "Not sent yet";
}

/** The codes of a list still to send, to mark sent after exporting exactly these. */
export function unsentToMark(codes: GpCode[]): GpCodeToMark[] {
  return codes
    .filter((code) => code.sent_on === null)
    .map((code) => ({ referral_id: code.referral_id, code: code.concept.code }));
}

/** The practice list's codes still to send. */
export function unsentOfList(list: GpCodeList): GpCodeToMark[] {
  return unsentToMark(list.lines.map((line) => line.code));
}

/** "1 code to send", "3 codes to send", "Every code has been sent". */
export function unsentWords(count: number): string {
  if (count === 0) return "Every code has been sent";
  return `${count} ${count === 1 ? "code" : "codes"} to send`;
}

/** The CSV file's name for a day: "gp-codes-2025-03-14.csv". */
export function gpCodesFileName(today: string): string {
  return `gp-codes-${today}.csv`;
}
