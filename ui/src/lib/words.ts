// Words for the enums that cross IPC: what a link worker reads for each code. Typed as
// complete Records, so a new code in Rust fails svelte-check until it has words here.
import type * as B from "./bindings";

export const contactMethodWords: Record<B.ContactMethod, string> = {
  phone: "Phone",
  text_message: "Text message",
  email: "Email",
  letter: "Letter",
  home_visit: "Home visit",
};

export const referralStatusWords: Record<B.ReferralStatus, string> = {
  new: "New",
  contacted: "Contacted",
  accepted: "Accepted",
  declined: "Declined",
  unable_to_contact: "Unable to contact",
  closed: "Closed",
};

export const duplicateReasonWords: Record<B.DuplicateReason, string> = {
  same_nhs_number: "Same NHS number",
  same_name_and_date_of_birth: "Same name and date of birth",
};

export const concernStatusWords: Record<B.ConcernStatus, string> = {
  raised: "Raised",
  escalated: "Escalated",
  closed: "Closed",
};

export const concernKindWords: Record<B.ConcernKind, string> = {
  abuse: "Abuse",
  neglect: "Neglect",
  exploitation: "Exploitation",
  risk_to_self: "Risk to self",
  risk_to_others: "Risk to others",
  other: "Other",
};

export const wellbeingBandWords: Record<B.WellbeingBand, string> = {
  low: "Low",
  medium: "Medium",
  high: "High",
  very_high: "Very high",
};

export const anxietyBandWords: Record<B.AnxietyBand, string> = {
  very_low: "Very low",
  low: "Low",
  medium: "Medium",
  high: "High",
};

export const measureTimingWords: Record<B.MeasureTiming, string> = {
  baseline: "Baseline",
  follow_up: "Follow-up",
};

export const consentDecisionWords: Record<B.ConsentDecision, string> = {
  given: "Given",
  withdrawn: "Withdrawn",
};

export const sessionKindWords: Record<B.SessionKind, string> = {
  home_visit: "Home visit",
  phone: "Phone",
  video: "Video call",
  meeting: "Meeting",
  accompanied: "Going along with them",
};

export const sessionStatusWords: Record<B.SessionStatus, string> = {
  planned: "Planned",
  held: "Held",
  did_not_attend: "Did not attend",
  cancelled: "Cancelled",
};

export const lifeAreaWords: Record<B.LifeArea, string> = {
  physical_health: "Physical health",
  mental_wellbeing: "Mental wellbeing",
  relationships: "Relationships",
  social_connection: "Social connection",
  housing: "Housing",
  money: "Money",
  work_and_learning: "Work and learning",
  caring: "Caring",
  activity: "Activity",
  other: "Other",
};

export const conversationSettingWords: Record<B.ConversationSetting, string> = {
  home: "At home",
  phone: "By phone",
  video: "By video call",
  practice: "At the practice",
  community: "Somewhere in the community",
};

export const connectionKindWords: Record<B.ConnectionKind, string> = {
  signposted: "Signposted",
  referred: "Referred",
};

export const connectionStatusWords: Record<B.ConnectionStatus, string> = {
  signposted: "Signposted",
  referred: "Referred",
  attended: "Attended",
  stopped: "Stopped",
};

export const progressStatusWords: Record<B.ProgressStatus, string> = {
  not_started: "Not started",
  in_progress: "In progress",
  done: "Done",
  stopped: "Stopped",
};

export const carePlanStatusWords: Record<B.CarePlanStatus, string> = {
  draft: "Draft",
  agreed: "Agreed",
  active: "Active",
  completed: "Completed",
  closed: "Closed",
};

export const serviceCategoryWords: Record<B.ServiceCategory, string> = {
  befriending: "Befriending",
  mens_groups: "Men's groups",
  gardening: "Gardening",
  cookery: "Cookery",
  arts: "Arts",
  singing: "Singing",
  walking_and_sport: "Walking and sport",
  money_and_debt_advice: "Money and debt advice",
  housing_help: "Housing help",
  carers_support: "Carers' support",
  employment_and_volunteering: "Employment and volunteering",
  age_related_groups: "Age-related groups",
  bereavement: "Bereavement support",
  mental_wellbeing: "Mental wellbeing",
  digital_skills: "Digital skills",
  food_and_essentials: "Food banks and essentials",
  other: "Other",
};

export const referralSourceWords: Record<Exclude<B.ReferralSource, { other: string }>, string> = {
  gp: "GP",
  practice_nurse: "Practice nurse",
  pharmacist: "Pharmacist",
  healthcare_assistant: "Healthcare assistant",
  social_care: "Social care",
  police: "Police",
  hospital_discharge_team: "Hospital discharge team",
  ambulance_service: "Ambulance service",
  dwp_job_centre: "DWP Jobcentre",
  library: "Library",
  vcse: "Voluntary or community group (VCSE)",
  multidisciplinary_team: "Multidisciplinary team",
  self_referral: "Self-referral",
};

export const needWords: Record<Exclude<B.Need, { other: string }>, string> = {
  loneliness: "Loneliness",
  housing: "Housing",
  money_debt: "Money and debt",
  mental_wellbeing: "Mental wellbeing",
  physical_activity: "Physical activity",
  long_term_condition: "Long-term condition",
  carer_stress: "Carer stress",
  bereavement: "Bereavement",
  employment: "Employment",
  confidence: "Confidence",
};

export const barrierWords: Record<Exclude<B.Barrier, { other: string }>, string> = {
  anxiety: "Anxiety",
  transport: "Transport",
  mobility: "Mobility",
  confidence: "Confidence",
  money: "Money",
  caring_duties: "Caring for someone",
  language: "Language",
};

export const dischargeReasonWords: Record<Exclude<B.DischargeReason, { other: string }>, string> = {
  plan_completed: "Plan completed",
  person_chose_to_stop: "Person chose to stop",
  unable_to_contact: "Unable to contact",
  referred_elsewhere: "Referred elsewhere",
  moved_away: "Moved away",
  died: "Died",
};

export const personStatusWords: Record<B.PersonStatus, string> = {
  referred: "Waiting for first contact",
  active: "Active",
  discharged: "Discharged or closed",
};

/** Words for a code that may be "other" with the worker's own text. */
export function wordsFor<T extends string>(
  value: T | { other: string },
  words: Record<T, string>,
): string {
  return typeof value === "string" ? words[value] : `Other: ${value.other}`;
}
