// The care screens' plain logic: conversation prompts and checks, plan and visit form checks,
// and the visit note's "Next steps" paragraph. No IO: tested by care.test.ts.
import type {
  Barrier,
  ConversationSetting,
  GoalStep,
  LifeArea,
  NewCarePlan,
  NewConversation,
  PersonId,
  ReferralId,
  SessionStatus,
  VisitDraft,
  VisitRecord,
  SessionId,
} from "./bindings";
import { dateError, isIsoDate } from "./dates";

/** Longest contact Rust accepts, in minutes (kith-domain's MAX_CONTACT_MINUTES). */
export const MAX_CONTACT_MINUTES = 480;
/** A plan usually has 6 to 12 sessions; outside that the worker says why. */
export const USUAL_SESSIONS = { min: 6, max: 12 } as const;
/** The most sessions the form offers (a u8 in Rust; more than this is never a plan). */
export const MOST_SESSIONS = 30;
/** The number of sessions a new plan starts with. */
export const DEFAULT_SESSIONS = 8;

/** Field id → what is wrong and how to fix it. Ids are the inputs' `id`s. */
export type FormErrors = Record<string, string>;

/** The ids an input's aria-describedby names: its hint (if any) and its error (if any). */
export function describedBy(
  id: string,
  errors: FormErrors,
  hintId?: string,
): string | undefined {
  const ids = [hintId, errors[id] ? `${id}-error` : undefined].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

/** A whole number typed into a field, or null when it is not one. */
export function wholeNumber(typed: string | number | null | undefined): number | null {
  if (typed === null || typed === undefined) return null;
  const text = String(typed).trim();
  if (!/^\d+$/.test(text)) return null;
  return Number(text);
}

function checkDuration(typed: string | number | null, required: boolean): string | null {
  const text = typed === null ? "" : String(typed).trim();
  if (text === "") {
    return required ? "Enter how long it took, in minutes, for example 60" : null;
  }
  const minutes = wholeNumber(text);
  if (minutes === null || minutes < 1 || minutes > MAX_CONTACT_MINUTES) {
    return `Enter the minutes as a whole number from 1 to ${MAX_CONTACT_MINUTES}`;
  }
  return null;
}

function blankToNull(text: string): string | null {
  return text.trim() === "" ? null : text.trim();
}

// ---- "What matters to you" ----

/** Every life area, in the order the form lists them. */
export const LIFE_AREAS: LifeArea[] = [
  "mental_wellbeing",
  "social_connection",
  "physical_health",
  "activity",
  "relationships",
  "caring",
  "money",
  "housing",
  "work_and_learning",
  "other",
];

/** Short questions a link worker might ask about each area of life. */
export const lifeAreaPrompts: Record<LifeArea, string[]> = {
  physical_health: [
    "Is your health getting in the way of things you want to do?",
    "Any pain, sleep or eating worries?",
  ],
  mental_wellbeing: ["How have you been feeling in yourself lately?", "What helps on a bad day?"],
  relationships: [
    "Who is important to you?",
    "Is anything difficult with family or people close to you?",
  ],
  social_connection: [
    "How often do you see or talk to other people?",
    "Do you ever feel lonely or left out?",
  ],
  housing: [
    "Are you happy and safe where you live?",
    "Is your home warm, dry and easy to get around?",
  ],
  money: ["Are bills or debts worrying you?", "Are you getting all the help you're entitled to?"],
  work_and_learning: [
    "Would you like to work, volunteer or learn something new?",
    "Is anything at work getting you down?",
  ],
  caring: ["Do you look after someone?", "Who looks after you when you need it?"],
  activity: ["What do you enjoy doing, or used to enjoy?", "How easy is it to get out and about?"],
  other: ["Is there anything else on your mind?"],
};

/** The named barriers, in the order the form lists them ("Something else" comes after). */
export const NAMED_BARRIERS: Exclude<Barrier, { other: string }>[] = [
  "anxiety",
  "confidence",
  "transport",
  "mobility",
  "money",
  "caring_duties",
  "language",
];

export const SETTINGS: ConversationSetting[] = ["home", "phone", "video", "practice", "community"];

/** The conversation form as typed. */
export interface ConversationForm {
  heldOn: string;
  setting: ConversationSetting;
  duration: string | number | null;
  whatMatters: string;
  strengths: string;
  wantsToChange: string;
  /** The areas ticked, each with the person's words. */
  concerns: Record<LifeArea, { chosen: boolean; words: string }>;
  barriers: Record<Exclude<Barrier, { other: string }>, boolean>;
  otherBarrierChosen: boolean;
  otherBarrier: string;
}

export function emptyConversationForm(today: string): ConversationForm {
  return {
    heldOn: today,
    setting: "home",
    duration: "",
    whatMatters: "",
    strengths: "",
    wantsToChange: "",
    concerns: Object.fromEntries(
      LIFE_AREAS.map((area) => [area, { chosen: false, words: "" }]),
    ) as ConversationForm["concerns"],
    barriers: Object.fromEntries(
      NAMED_BARRIERS.map((barrier) => [barrier, false]),
    ) as ConversationForm["barriers"],
    otherBarrierChosen: false,
    otherBarrier: "",
  };
}

/** The id of the words field for one life area's concern. */
export const concernFieldId = (area: LifeArea) => `concern-${area}`;

export function validateConversation(
  form: ConversationForm,
  today: string,
  areaWords: Record<LifeArea, string>,
): FormErrors {
  const errors: FormErrors = {};
  const heldOn = dateError(
    form.heldOn,
    "Date of the conversation",
    "Enter the date of the conversation, for example 12 5 2025",
  );
  if (heldOn) {
    errors["held-on"] = heldOn;
  } else if (form.heldOn > today) {
    errors["held-on"] = "The date cannot be in the future: enter the day you talked";
  }
  const duration = checkDuration(form.duration, true);
  if (duration) errors["duration"] = duration;
  if (form.whatMatters.trim() === "") {
    errors["what-matters"] = "Write down what matters to the person, in their own words";
  }
  for (const area of LIFE_AREAS) {
    const concern = form.concerns[area];
    if (concern.chosen && concern.words.trim() === "") {
      const name = areaWords[area].toLowerCase();
      errors[concernFieldId(area)] =
        `Write what the person said about ${name}, or untick ${areaWords[area]}`;
    }
  }
  if (form.otherBarrierChosen && form.otherBarrier.trim() === "") {
    errors["other-barrier"] = "Say what else gets in the way, or untick Something else";
  }
  return errors;
}

export function toNewConversation(
  form: ConversationForm,
  personId: PersonId,
  referralId: ReferralId | null,
): NewConversation {
  const barriers: Barrier[] = NAMED_BARRIERS.filter((barrier) => form.barriers[barrier]);
  if (form.otherBarrierChosen && form.otherBarrier.trim() !== "") {
    barriers.push({ other: form.otherBarrier.trim() });
  }
  return {
    person_id: personId,
    referral_id: referralId,
    held_on: form.heldOn,
    setting: form.setting,
    duration_minutes: wholeNumber(form.duration) ?? 0,
    // The person's own words are kept exactly as typed, apart from surrounding blank space.
    what_matters: form.whatMatters.trim(),
    strengths: blankToNull(form.strengths),
    wants_to_change: blankToNull(form.wantsToChange),
    concerns: LIFE_AREAS.flatMap((area) => {
      const concern = form.concerns[area];
      return concern.chosen && concern.words.trim() !== ""
        ? [{ area, in_own_words: concern.words.trim() }]
        : [];
    }),
    barriers,
  };
}

// ---- Care plan ----

export interface StepForm {
  what: string;
  who: string;
  byWhen: string;
}

export interface GoalForm {
  words: string;
  steps: StepForm[];
}

export interface PlanForm {
  startsOn: string;
  goals: GoalForm[];
  sessions: string | number;
  reason: string;
  /** One date per planned session, editable. */
  dates: string[];
}

export const emptyStep = (): StepForm => ({ what: "", who: "", byWhen: "" });
export const emptyGoal = (): GoalForm => ({ words: "", steps: [emptyStep()] });

export function emptyPlanForm(today: string): PlanForm {
  return { startsOn: today, goals: [emptyGoal()], sessions: DEFAULT_SESSIONS, reason: "", dates: [] };
}

/** True when the number of sessions is outside the usual 6 to 12, so a reason is needed. */
export function reasonNeeded(sessions: number | null): boolean {
  return sessions !== null && (sessions < USUAL_SESSIONS.min || sessions > USUAL_SESSIONS.max);
}

const stepIsBlank = (step: StepForm) =>
  step.what.trim() === "" && step.who.trim() === "" && step.byWhen === "";

/** Field ids of a goal and its steps. */
export const goalFieldId = (goal: number) => `goal-${goal}`;
export const stepFieldId = (goal: number, step: number, part: "what" | "who" | "by") =>
  `goal-${goal}-step-${step}-${part}`;
export const dateFieldId = (index: number) => `session-date-${index}`;

export function validatePlan(form: PlanForm): FormErrors {
  const errors: FormErrors = {};
  const startsOn = dateError(form.startsOn, "Plan start date", "Enter the day the plan starts");
  if (startsOn) errors["starts-on"] = startsOn;
  if (form.goals.length === 0) errors["add-goal"] = "Add at least one goal in the person's words";
  form.goals.forEach((goal, goalIndex) => {
    if (goal.words.trim() === "") {
      errors[goalFieldId(goalIndex)] =
        `Write goal ${goalIndex + 1} in the person's own words, or remove it`;
    }
    goal.steps.forEach((step, stepIndex) => {
      if (stepIsBlank(step)) return;
      const label = `goal ${goalIndex + 1}, step ${stepIndex + 1}`;
      if (step.what.trim() === "") {
        errors[stepFieldId(goalIndex, stepIndex, "what")] = `Say what happens at ${label}`;
      }
      if (step.who.trim() === "") {
        errors[stepFieldId(goalIndex, stepIndex, "who")] =
          `Say who does ${label}, for example "Ada" or "Link worker"`;
      }
      const byWhen = dateError(step.byWhen, `The date for ${label}`, null);
      if (byWhen) errors[stepFieldId(goalIndex, stepIndex, "by")] = byWhen;
    });
  });
  const sessions = wholeNumber(form.sessions);
  if (sessions === null || sessions < 1 || sessions > MOST_SESSIONS) {
    errors["sessions"] = `Enter the number of sessions, from 1 to ${MOST_SESSIONS}`;
  } else if (reasonNeeded(sessions) && form.reason.trim() === "") {
    errors["sessions-reason"] =
      `Say why this plan has ${sessions} sessions: usually a plan has 6 to 12`;
  }
  form.dates.forEach((date, index) => {
    const problem = dateError(
      date,
      `The date of session ${index + 1}`,
      `Enter a date for session ${index + 1}`,
    );
    if (problem) {
      errors[dateFieldId(index)] = problem;
    } else if (isIsoDate(form.startsOn) && date < form.startsOn) {
      errors[dateFieldId(index)] = `Session ${index + 1} cannot be before the plan starts`;
    }
  });
  return errors;
}

export function toNewCarePlan(
  form: PlanForm,
  personId: PersonId,
  referralId: ReferralId | null,
): NewCarePlan {
  const sessions = wholeNumber(form.sessions) ?? 0;
  return {
    person_id: personId,
    referral_id: referralId,
    goals: form.goals.map((goal) => ({
      in_own_words: goal.words.trim(),
      steps: goal.steps
        .filter((step) => !stepIsBlank(step))
        .map(
          (step): GoalStep => ({
            what: step.what.trim(),
            who: step.who.trim(),
            by_when: step.byWhen === "" ? null : step.byWhen,
            status: "not_started",
          }),
        ),
    })),
    connections_to_try: [],
    planned_sessions: sessions,
    planned_sessions_reason: reasonNeeded(sessions) ? blankToNull(form.reason) : null,
    starts_on: form.startsOn,
    review_on: null,
  };
}

/**
 * Keeps the dates the worker already changed when a new suggestion arrives: suggested dates
 * replace the old suggestion, but an edited date stays where it is while its session remains.
 */
export function mergeSuggestedDates(
  suggested: string[],
  previousSuggestion: string[],
  current: string[],
): string[] {
  return suggested.map((date, index) => {
    const typed = current[index];
    const wasEdited = typed !== undefined && typed !== previousSuggestion[index];
    return wasEdited ? typed : date;
  });
}

// ---- Visit ----

/** The heading that starts the next-steps paragraph of a visit note. */
export const NEXT_STEPS_HEADING = "Next steps";
const NEXT_STEPS_MARK = `\n\n${NEXT_STEPS_HEADING}:\n`;

/** The visit's one note: the notes, then the next steps under a clear heading. */
export function composeVisitNote(notes: string, nextSteps: string): string {
  const body = notes.trim();
  const steps = nextSteps.trim();
  if (steps === "") return body;
  return `${body}${NEXT_STEPS_MARK}${steps}`;
}

/** Splits a saved visit note back into notes and next steps (the reverse of composeVisitNote). */
export function splitVisitNote(note: string): { notes: string; nextSteps: string } {
  const at = note.lastIndexOf(NEXT_STEPS_MARK);
  if (at === -1) return { notes: note, nextSteps: "" };
  return { notes: note.slice(0, at), nextSteps: note.slice(at + NEXT_STEPS_MARK.length) };
}

/** The outcomes a visit can be recorded with. */
export const VISIT_OUTCOMES: Exclude<SessionStatus, "planned">[] = [
  "held",
  "did_not_attend",
  "cancelled",
];

export interface VisitForm {
  status: Exclude<SessionStatus, "planned"> | null;
  duration: string | number | null;
  notes: string;
  nextSteps: string;
}

export function toVisitDraft(form: VisitForm, sessionId: SessionId): VisitDraft {
  return {
    session_id: sessionId,
    status: form.status,
    duration_minutes: wholeNumber(form.duration),
    // Kept as typed (not trimmed) so restoring gives back exactly what was on screen.
    note: form.nextSteps.trim() === "" ? form.notes : `${form.notes}${NEXT_STEPS_MARK}${form.nextSteps}`,
  };
}

export function fromVisitDraft(draft: VisitDraft): VisitForm {
  const { notes, nextSteps } = splitVisitNote(draft.note);
  return {
    status: draft.status === "planned" ? null : draft.status,
    duration: draft.duration_minutes === null ? "" : String(draft.duration_minutes),
    notes,
    nextSteps,
  };
}

export function validateVisit(form: VisitForm): FormErrors {
  const errors: FormErrors = {};
  if (form.status === null) {
    errors["outcome-held"] = "Choose what happened: held, did not attend or cancelled";
  }
  const duration = checkDuration(form.duration, form.status === "held");
  if (duration) errors["duration"] = duration;
  return errors;
}

export function toVisitRecord(form: VisitForm, sessionId: SessionId): VisitRecord {
  return {
    session_id: sessionId,
    status: form.status ?? "held",
    duration_minutes: wholeNumber(form.duration),
    note: composeVisitNote(form.notes, form.nextSteps),
  };
}
