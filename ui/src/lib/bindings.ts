// Generated from kith-core's IPC types by `cargo xtask bindings`. Do not edit.

export type AccessibilityNeeds = { large_print: boolean, easy_read: boolean, hearing: boolean, sight: boolean, mobility: boolean, 
/**
 * Anything else, in words.
 */
other: string | null, };

export type Address = { line_1: string, line_2: string | null, town: string | null, postcode: string | null, };

export type AgreedPlan = { plan: CarePlan, sessions: Array<Session>, };

export type AnxietyBand = "very_low" | "low" | "medium" | "high";

export type AnxietyItemScore = { value: number, band: AnxietyBand, };

export type AppStatus = { 
/**
 * The version of the app, e.g. `0.1.0`.
 */
app_version: string, 
/**
 * Whether a profile has been set up on this computer (so: unlock, not first run).
 */
profile_exists: boolean, 
/**
 * The data folder, for display only.
 */
data_dir_display: string, };

export type Attendance = { held: number, did_not_attend: number, cancelled: number, 
/**
 * Still planned (never recorded).
 */
planned: number, 
/**
 * did not attend / (held + did not attend), as a fraction (0.125 = 12.5%); `None` when
 * there were neither.
 */
did_not_attend_rate: number | null, };

export type AuditRow = { at: string, user_id: UserId, 
/**
 * `read`, `create`, `update` or `delete`.
 */
action: string, record_kind: string, record_id: string, 
/**
 * The device it happened on (none for a laptop that had not joined a practice yet).
 */
device_id: string | null, 
/**
 * The published batch the row came in, if it has been published.
 */
batch_id: string | null, };

export type Banner = { person_id: PersonId, display_name: string, preferred_name: string | null, pronouns: string | null, preferred_language: string | null, interpreter_needed: boolean, 
/**
 * In words: "large print", "hearing", ...
 */
accessibility_needs: Array<string>, consents: Array<CurrentConsent>, 
/**
 * Open safeguarding concerns (raised or escalated): shown so they cannot be missed.
 */
open_concerns: Array<Concern>, discharged: boolean, };

export type Barrier = "anxiety" | "transport" | "mobility" | "confidence" | "money" | "caring_duties" | "language" | { "other": string };

export type BetterWhen = "higher" | "lower";

export type CarePlan = { id: CarePlanId, person_id: PersonId, referral_id: ReferralId | null, status: CarePlanStatus, goals: Array<Goal>, 
/**
 * Community connections to try.
 */
connections_to_try: Array<ServiceId>, planned_sessions: number, 
/**
 * Why the plan has fewer than 6 or more than 12 sessions; required in that case.
 */
planned_sessions_reason: string | null, starts_on: string, review_on: string, 
/**
 * The day the person agreed the plan.
 */
agreed_on: string | null, };

export type CarePlanId = string;

export type CarePlanStatus = "draft" | "agreed" | "active" | "completed" | "closed";

export type CaseloadBand = "below_guidance" | "within_guidance" | "above_guidance" | "well_above_guidance";

export type CaseloadLine = { person_id: PersonId, display_name: string, 
/**
 * The session, plan, referral or concern the line is about.
 */
record_id: string, date: string, };

export type CaseloadOverTime = { months: Array<MonthCaseload>, 
/**
 * People active at some time in the range.
 */
people_supported: number, 
/**
 * Link workers those people are assigned to.
 */
link_workers: number, 
/**
 * Days in the range.
 */
days: number, 
/**
 * people_supported / link_workers × 365 / days; `None` without link workers. A short
 * range scaled up overstates a year (people carry over): read it as an estimate.
 */
people_a_year_per_link_worker: number | null, guidance_low: number, guidance_high: number, against_guidance: GuidanceComparison | null, };

export type CategoryConnections = { category: ServiceCategory, label: string, connections: number, 
/**
 * Gave information.
 */
signposted: number, 
/**
 * Made the contact.
 */
referred: number, 
/**
 * Now recorded as attending.
 */
attended: number, };

export type Closure = { closed_at: string, closed_by: UserId, outcome: string, };

export type CodedEntry = { concept: SnomedConcept, date: string, 
/**
 * Why this code is sent.
 */
meaning: string, 
/**
 * The code is marked "(confirm)" in domain.md: check it against the SNOMED CT browser
 * before it is filed.
 */
to_confirm: boolean, };

export type Comment = { id: CommentId, person_id: PersonId, about: CommentAbout, body: string, written_by: UserId, written_at: string, };

export type CommentAbout = { "kind": "person" } | { "kind": "note", "id": NoteId } | { "kind": "care_plan", "id": CarePlanId } | { "kind": "discharge", "id": DischargeId } | { "kind": "session", "id": SessionId };

export type CommentId = string;

export type CommunityService = { id: ServiceId, name: string, organisation: string | null, description: string | null, category: ServiceCategory, address: string | null, postcode: string | null, phone: string | null, email: string | null, website: string | null, 
/**
 * When it runs, in words ("Tuesdays 10-12").
 */
schedule: string | null, cost: string | null, eligibility: string | null, accessibility: string | null, 
/**
 * The service's id in an imported Open Referral UK directory, so re-imports update.
 */
oruk_id: string | null, 
/**
 * False once the service has stopped running.
 */
active: boolean, };

export type Concern = { id: ConcernId, person_id: PersonId, kind: ConcernKind, description: string, raised_by: UserId, raised_at: string, status: ConcernStatus, escalation: Escalation | null, closure: Closure | null, };

export type ConcernId = string;

export type ConcernKind = "abuse" | "neglect" | "exploitation" | "risk_to_self" | "risk_to_others" | "other";

export type ConcernStatus = "raised" | "escalated" | "closed";

export type ConcernStep = { id: string, event: string, at: string, by: UserId, to_whom: string | null, reference: string | null, };

export type ConcernWithEvents = { concern: Concern, deleted_at: string | null, events: Array<ConcernStep>, };

export type ConflictPerson = { id: PersonId, 
/**
 * Their display name; `None` if their own record has not reached this laptop.
 */
name: string | null, };

export type ConflictValue = { 
/**
 * The value as text to show ("nothing recorded" for an empty field).
 */
text: string, 
/**
 * Who wrote it, when their laptop has announced itself here.
 */
written_by: UserId | null, 
/**
 * Who wrote it, in words: "you", "a supervisor", "a link worker", or "another laptop".
 */
written_by_words: string, 
/**
 * When it was written (the writing laptop's clock, corrected by the hybrid logical clock).
 */
written_at: string, };

export type ConflictView = { 
/**
 * Pass it back to [`Kith::resolve_conflict`].
 */
id: string, 
/**
 * Whose record it is (none for practice-wide records, e.g. a directory entry).
 */
person: ConflictPerson | null, 
/**
 * What kind of record, in words: "personal details", "care plan"...
 */
record_kind: string, 
/**
 * Which field, in words: "phone number", "plan review date"...
 */
field: string, 
/**
 * The value the record shows now.
 */
current: ConflictValue, 
/**
 * The value that lost: kept until someone chooses.
 */
losing: ConflictValue, };

export type Connection = { id: ConnectionId, person_id: PersonId, service_id: ServiceId, care_plan_id: CarePlanId | null, kind: ConnectionKind, status: ConnectionStatus, made_on: string, made_by: UserId, 
/**
 * The day the status last changed.
 */
status_changed_on: string, notes: string | null, };

export type ConnectionId = string;

export type ConnectionKind = "signposted" | "referred";

export type ConnectionOffered = { service: string, category: string, 
/**
 * Signposted (gave information) or referred (made the contact).
 */
kind: ConnectionKind, status: ConnectionStatus, made_on: string, };

export type ConnectionStatus = "signposted" | "referred" | "attended" | "stopped";

export type ConnectionWithService = { connection: Connection, deleted_at: string | null, service_name: string | null, service_category: ServiceCategory | null, };

export type ConsentDecision = "given" | "withdrawn";

export type ConsentId = string;

export type ConsentKind = { "kind": "social_prescribing" } | { "kind": "share_with_gp" } | { "kind": "share_with_organisation", name: string, } | { "kind": "contact_by", method: ContactMethod, };

export type ConsentRecord = { id: ConsentId, person_id: PersonId, kind: ConsentKind, decision: ConsentDecision, 
/**
 * The day the person gave or withdrew consent.
 */
decided_on: string, recorded_by: UserId, recorded_at: string, };

export type ConsentState = { "state": "not_recorded" } | { "state": "given", on: string, recorded_by: UserId, } | { "state": "withdrawn", on: string, recorded_by: UserId, };

export type ContactMethod = "phone" | "text_message" | "email" | "letter" | "home_visit";

export type Conversation = { id: ConversationId, person_id: PersonId, referral_id: ReferralId | null, held_on: string, setting: ConversationSetting, duration_minutes: number, 
/**
 * What matters to the person, in their own words.
 */
what_matters: string, strengths: string | null, 
/**
 * What the person wants to change.
 */
wants_to_change: string | null, concerns: Array<LifeAreaConcern>, barriers: Array<Barrier>, recorded_by: UserId, };

export type ConversationId = string;

export type ConversationSetting = "home" | "phone" | "video" | "practice" | "community";

export type CountRow = { key: string, label: string, count: number, };

export type CreatedInvite = { 
/**
 * The code: 6 groups of 4 characters. Shown once; the server keeps only its hash.
 */
code: string, 
/**
 * When it stops working (UTC). It also stops after one use.
 */
expires_at: string, };

export type CreatedProfile = { 
/**
 * The recovery key, grouped for reading aloud and writing down. It is stored nowhere:
 * show it once and ask the person to keep it.
 */
recovery_key: string, 
/**
 * The user this laptop's records are attributed to.
 */
user_id: UserId, };

export type CurrentConsent = { kind: ConsentKind, state: ConsentState, };

export type DirectoryImport = { added: number, updated: number, 
/**
 * One line per row left out, saying why.
 */
rejected: Array<string>, };

export type Discharge = { id: DischargeId, person_id: PersonId, referral_id: ReferralId | null, care_plan_id: CarePlanId | null, discharged_on: string, reason: DischargeReason, closing_summary: string, discharged_by: UserId, };

export type DischargeDetails = { reason: DischargeReason, reason_in_words: string, closing_summary: string, };

export type DischargeId = string;

export type DischargeReason = "plan_completed" | "person_chose_to_stop" | "unable_to_contact" | "referred_elsewhere" | "moved_away" | "died" | { "other": string };

export type DuplicateReason = "same_nhs_number" | "same_name_and_date_of_birth";

export type ErrorCode = "not_found" | "data_dir_unavailable" | "io" | "locked" | "wrong_passphrase" | "wrong_recovery_key" | "recovery_key_typo" | "weak_passphrase" | "damaged_or_tampered" | "newer_database" | "profile_exists" | "profile_not_found" | "invalid_input" | "possible_duplicate" | "storage" | "server_unreachable" | "wrong_server_password" | "server_account_disabled" | "too_many_attempts" | "not_permitted" | "practice_already_set_up" | "already_joined" | "not_joined" | "invite_code_typo" | "invite_not_accepted" | "practice_key_mismatch" | "server_problem" | "sync_stopped";

export type Escalation = { 
/**
 * The person or team, e.g. "practice safeguarding lead" or "adult social care".
 */
to_whom: string, escalated_at: string, escalated_by: UserId, 
/**
 * A reference given by the team escalated to, if any.
 */
reference: string | null, };

export type Goal = { id: GoalId, in_own_words: string, steps: Array<GoalStep>, status: ProgressStatus, };

export type GoalId = string;

export type GoalStep = { what: string, 
/**
 * Who does it: the person, the link worker, a named organisation...
 */
who: string, by_when: string | null, status: ProgressStatus, };

export type GpMessage = { standard: string, discharge_id: DischargeId, person_id: PersonId, discharged_on: string, to: GpMessageRecipients, 
/**
 * Consent to share with the GP was given, and not withdrawn, on the discharge date.
 */
consent_to_share_with_gp: boolean, patient: PatientIdentity, codes: Array<CodedEntry>, 
/**
 * `None` without consent: then only the codes go.
 */
shared: SharedDetails | null, };

export type GpMessageDemographics = { address: Address | null, phone: string | null, preferred_language: string | null, interpreter_needed: boolean, 
/**
 * In words: "large print", "hearing", ...
 */
accessibility_needs: Array<string>, };

export type GpMessageRecipients = { 
/**
 * The person's GP practice, as recorded.
 */
gp_practice: string | null, 
/**
 * The referrer: only with consent to share (`None` otherwise, and for self-referrals).
 */
referrer: Referrer | null, };

export type GuidanceComparison = "below" | "within" | "above";

export type HeldRecord<T> = { record: T, deleted_at: string | null, };

export type Improvement = { "measure": "ons4", life_satisfaction: number, worthwhile: number, happiness: number, anxiety: number, } | { "measure": "swemwbs", metric_hundredths: number, } | { "measure": "ucla3", total: number, } | { "measure": "mycaw" } & MycawChange;

export type Intake = { person: NewPerson, referral: NewReferral, 
/**
 * Set once the worker has seen the possible duplicates and still wants a new record.
 */
duplicates_checked: boolean, };

export type IntakeResult = { person: Person, referral: Referral, };

export type IpcError = { code: ErrorCode, message: string, };

export type KeepValue = "current" | "losing";

export type LifeArea = "physical_health" | "mental_wellbeing" | "relationships" | "social_connection" | "housing" | "money" | "work_and_learning" | "caring" | "activity" | "other";

export type LifeAreaConcern = { area: LifeArea, in_own_words: string, };

export type LinkWorkerCaseload = { link_worker: UserId, 
/**
 * People assigned to them, discharged or not.
 */
people: number, 
/**
 * Being worked with: contacted, accepted or with an open plan.
 */
active_people: number, 
/**
 * Referred and waiting for first contact.
 */
waiting_for_first_contact: number, 
/**
 * Planned or held sessions, Monday to Sunday of this week.
 */
sessions_this_week: number, 
/**
 * Planned sessions in the past never recorded, plus plans past their review date.
 */
overdue_follow_ups: number, overdue_sessions: number, overdue_reviews: number, open_concerns: number, 
/**
 * People with a referral received in the last 12 months: the figure the guidance counts.
 */
people_started_in_last_year: number, guidance: CaseloadBand, guidance_min_per_year: number, guidance_max_per_year: number, };

export type LinkWorkerChoice = { user_id: UserId, 
/**
 * Their account name on the practice server.
 */
username: string, };

export type Measure = { id: MeasureId, person_id: PersonId, timing: MeasureTiming, taken_on: string, recorded_by: UserId, answers: MeasureAnswers, };

export type MeasureAnswers = { "measure": "ons4" } & Ons4Answers | { "measure": "swemwbs" } & SwemwbsAnswers | { "measure": "ucla3" } & Ucla3Answers | { "measure": "mycaw" } & MycawAnswers;

export type MeasureId = string;

export type MeasureKind = "ons4" | "swemwbs" | "ucla3" | "mycaw";

export type MeasureOutcome = { measure: MeasureKind, baseline_on: string, baseline: MeasureScore, follow_up_on: string, follow_up: MeasureScore, 
/**
 * Positive means better (see kith-domain's `Improvement`).
 */
improvement: Improvement, };

export type MeasureScore = { "measure": "ons4" } & Ons4Score | { "measure": "swemwbs" } & SwemwbsScore | { "measure": "ucla3" } & Ucla3Score | { "measure": "mycaw" } & MycawScore;

export type MeasureTiming = "baseline" | "follow_up";

export type MeasureWithScore = { measure: Measure, score: MeasureScore | null, };

export type MonthCaseload = { 
/**
 * `YYYY-MM`.
 */
month: string, from: string, to: string, 
/**
 * People with an open referral or plan at some time in the month.
 */
active_people: number, };

export type MycawAnswers = { concerns: Array<MycawConcern>, wellbeing: number | null, };

export type MycawChange = { concern_1: number, concern_2: number | null, wellbeing: number, };

export type MycawConcern = { in_own_words: string, rating: number | null, };

export type MycawScore = { concern_1: number, concern_2: number | null, wellbeing: number, };

export type Need = "loneliness" | "housing" | "money_debt" | "mental_wellbeing" | "physical_activity" | "long_term_condition" | "carer_stress" | "bereavement" | "employment" | "confidence" | { "other": string };

export type NeedsAndConcerns = { referral_received_on: string | null, referral_source: string | null, referral_reason: string | null, 
/**
 * The needs behind the referral, in words.
 */
needs: Array<string>, 
/**
 * What matters to the person, in their own words (each conversation of the episode).
 */
what_matters: Array<string>, 
/**
 * Concerns named in those conversations, in the person's words.
 */
concerns: Array<string>, };

export type NewCarePlan = { person_id: PersonId, referral_id: ReferralId | null, goals: Array<NewGoal>, connections_to_try: Array<ServiceId>, 
/**
 * 6 to 12 unless `planned_sessions_reason` says why not.
 */
planned_sessions: number, planned_sessions_reason: string | null, starts_on: string, 
/**
 * `None`: the usual review date, 12 weeks after the start.
 */
review_on: string | null, };

export type NewConversation = { person_id: PersonId, referral_id: ReferralId | null, held_on: string, setting: ConversationSetting, duration_minutes: number, 
/**
 * In the person's own words.
 */
what_matters: string, strengths: string | null, wants_to_change: string | null, concerns: Array<LifeAreaConcern>, barriers: Array<Barrier>, };

export type NewDischarge = { person_id: PersonId, referral_id: ReferralId | null, care_plan_id: CarePlanId | null, discharged_on: string, reason: DischargeReason, closing_summary: string, };

export type NewGoal = { in_own_words: string, steps: Array<GoalStep>, };

export type NewMeasure = { person_id: PersonId, timing: MeasureTiming, taken_on: string, answers: MeasureAnswers, };

export type NewPerson = { 
/**
 * As typed (spaces and dashes allowed); blank means not known.
 */
nhs_number: string | null, given_name: string, family_name: string, preferred_name: string | null, pronouns: string | null, date_of_birth: string | null, address: Address | null, phone: string | null, email: string | null, contact_methods: Array<ContactMethod>, contact_notes: string | null, preferred_language: string | null, interpreter_needed: boolean, accessibility_needs: AccessibilityNeeds, gp_practice: string | null, assigned_link_worker: UserId | null, };

export type NewReferral = { received_on: string, source: ReferralSource, referrer: Referrer | null, reason: string, needs: Array<Need>, background: string | null, consent_to_referral: boolean, };

export type NewSession = { person_id: PersonId, care_plan_id: CarePlanId | null, date: string, start_time: string | null, kind: SessionKind, location: string | null, };

export type NhsNumber = string;

export type Note = { id: NoteId, person_id: PersonId, author: UserId, written_at: string, body: string, 
/**
 * The note this one corrects, if it is an amendment.
 */
amends: NoteId | null, };

export type NoteId = string;

export type NoteWithAmendments = { note: Note, amended_by: Array<NoteId>, };

export type Ons4Answers = { items: [number | null, number | null, number | null, number | null], };

export type Ons4Score = { life_satisfaction: WellbeingItemScore, worthwhile: WellbeingItemScore, happiness: WellbeingItemScore, anxiety: AnxietyItemScore, };

export type OutcomeChange = { measure: MeasureKind, 
/**
 * `life_satisfaction`, `worthwhile`, `happiness`, `anxiety` (ONS4, each item on its
 * own, never a sum); `metric_score` (SWEMWBS); `total` (UCLA-3); `concern_1`,
 * `concern_2`, `wellbeing` (MYCaW).
 */
item: string, label: string, better_when: BetterWhen, 
/**
 * People paired.
 */
n: number, mean_baseline: number | null, mean_follow_up: number | null, 
/**
 * Mean change, signed so that positive means better: follow-up − baseline where
 * higher is better (ONS4 items 1–3, SWEMWBS metric score), baseline − follow-up where
 * lower is better (ONS4 anxiety, UCLA-3, and MYCaW, whose change domain.md defines as
 * baseline − follow-up).
 */
mean_change: number | null, };

export type PatientIdentity = { 
/**
 * 10 digits, no spaces.
 */
nhs_number: string | null, given_name: string, family_name: string, date_of_birth: string | null, };

export type PeopleFilter = { 
/**
 * As typed; blank lists people by most recent referral.
 */
typed: string, status: PersonStatus | null, 
/**
 * Only people whose latest referral names this need.
 */
need: Need | null, };

export type Person = { id: PersonId, nhs_number: NhsNumber | null, given_name: string, family_name: string, preferred_name: string | null, pronouns: string | null, date_of_birth: string | null, address: Address | null, phone: string | null, email: string | null, 
/**
 * How the person agrees to be contacted.
 */
contact_methods: Array<ContactMethod>, 
/**
 * Anything else about contact, e.g. "not before 10am, no voicemail".
 */
contact_notes: string | null, preferred_language: string | null, interpreter_needed: boolean, accessibility_needs: AccessibilityNeeds, gp_practice: string | null, assigned_link_worker: UserId | null, };

export type PersonId = string;

export type PersonListing = { person_id: PersonId, display_name: string, 
/**
 * True when the typed words were found in the person's notes rather than their name.
 */
matched_in_notes: boolean, status: PersonStatus, 
/**
 * The needs named by the latest referral.
 */
needs: Array<Need>, 
/**
 * When the latest referral was received.
 */
referred_on: string | null, };

export type PersonRecord = { banner: Banner, person: Person, referrals: Array<Referral>, plans: Array<PlanView>, timeline: Array<TimelineEntry>, };

export type PersonStatus = "referred" | "active" | "discharged";

export type PlanSuggestion = { planned_sessions: number, weeks: number, session_dates: Array<string>, review_on: string, 
/**
 * True when the number is outside 6 to 12, so the form must ask for a reason.
 */
reason_needed: boolean, };

export type PlanView = { plan: CarePlan, sessions: Array<SessionView>, };

export type PossibleDuplicate = { person_id: PersonId, display_name: string, date_of_birth: string | null, reason: DuplicateReason, };

export type PracticeRecoveryKit = { 
/**
 * The practice server it belongs to.
 */
server_address: string, 
/**
 * The kit key: 14 groups of 4 characters, the last group a check that names a typo.
 */
kit_key: string, 
/**
 * The practice key sealed under the kit key, in groups of 4 characters.
 */
sealed_practice_key: string, };

export type PracticeRole = "link_worker" | "supervisor" | "admin";

export type PracticeSignIn = { 
/**
 * The server's address, e.g. `https://kith.ashbridge.example:8443`. Plain `http://` is
 * accepted only for this computer itself (`localhost`, `127.0.0.1`, `[::1]`).
 */
server_address: string, 
/**
 * The account the practice administrator made.
 */
username: string, 
/**
 * Its password (sent once to the server to enrol this laptop; never kept).
 */
password: string, 
/**
 * A name the administrator will recognise, e.g. "Sam's laptop".
 */
device_name: string, };

export type ProgressStatus = "not_started" | "in_progress" | "done" | "stopped";

export type Referral = { id: ReferralId, person_id: PersonId, received_on: string, source: ReferralSource, 
/**
 * Blank for a self-referral.
 */
referrer: Referrer | null, 
/**
 * The reason for the referral, in words.
 */
reason: string, needs: Array<Need>, 
/**
 * Relevant background and health issues.
 */
background: string | null, 
/**
 * The person agreed to be referred.
 */
consent_to_referral: boolean, status: ReferralStatus, };

export type ReferralId = string;

export type ReferralSource = "gp" | "practice_nurse" | "pharmacist" | "healthcare_assistant" | "social_care" | "police" | "hospital_discharge_team" | "ambulance_service" | "dwp_job_centre" | "library" | "vcse" | "multidisciplinary_team" | "self_referral" | { "other": string };

export type ReferralStatus = "new" | "contacted" | "accepted" | "declined" | "unable_to_contact" | "closed";

export type ReferralWithHistory = { referral: Referral, deleted_at: string | null, history: Array<StatusChange>, };

export type Referrer = { name: string, organisation: string | null, 
/**
 * Phone or email, to send the message back.
 */
contact: string | null, };

export type Report = { from: string, to: string, referrals_received: number, 
/**
 * Every named source (zeros included), then `other`.
 */
referrals_by_source: Array<CountRow>, 
/**
 * Every named need (zeros included), then `other`; a referral counts under each of
 * its needs.
 */
referrals_by_need: Array<CountRow>, 
/**
 * People with at least one session held in the range.
 */
people_seen: number, 
/**
 * Sessions held in the range.
 */
contacts: number, 
/**
 * Sessions held in the range by kind (every kind, zeros included).
 */
contacts_by_kind: Array<CountRow>, attendance: Attendance, sessions_per_person: SessionsPerPerson, caseload: CaseloadOverTime, 
/**
 * Every item of every measure, in a fixed order (n = 0 when no one was paired).
 */
outcomes: Array<OutcomeChange>, 
/**
 * Every category (zeros included).
 */
connections_by_category: Array<CategoryConnections>, };

export type ReviewGroup = { 
/**
 * `None` for people assigned to no one.
 */
link_worker: UserId | null, 
/**
 * All this worker's people with records waiting (not only those in `people`).
 */
people_waiting: number, 
/**
 * All the records waiting for this worker's people.
 */
records_waiting: number, 
/**
 * This worker's people waiting with open safeguarding concerns (they come first).
 */
people_with_concerns: number, 
/**
 * One page of [`REVIEW_PEOPLE_PER_PAGE`] at most: people with open safeguarding concerns
 * first, then the most recently changed.
 */
people: Array<ReviewPerson>, };

export type ReviewItem = { 
/**
 * What it is (`kind`) and its id; give it back to [`Kith::mark_reviewed`].
 */
record: ReviewedRecord, 
/**
 * The note's day, the plan's start, the discharge or session date.
 */
date: string, 
/**
 * When it was written or last changed, as this laptop received it.
 */
changed_at: string, 
/**
 * The note's words, the plan's goals, the closing summary, or the session in words; cut
 * to [`REVIEW_SUMMARY_CHARS`].
 */
summary: string, 
/**
 * Who wrote it (notes), discharged (discharges) or held it (sessions); none for plans.
 */
author: UserId | null, };

export type ReviewMark = { id: ReviewMarkId, person_id: PersonId, record: ReviewedRecord, reviewed_by: UserId, reviewed_at: string, };

export type ReviewMarkId = string;

export type ReviewPerson = { person_id: PersonId, display_name: string, 
/**
 * Open safeguarding concerns: people with any come first.
 */
open_concerns: number, 
/**
 * How many records wait (more than `items` when over [`REVIEW_ITEMS_PER_PERSON`]).
 */
waiting: number, 
/**
 * Newest first.
 */
items: Array<ReviewItem>, };

export type ReviewQueue = { groups: Array<ReviewGroup>, 
/**
 * Records waiting in all.
 */
records_waiting: number, 
/**
 * People with records waiting in all.
 */
people_waiting: number, };

export type ReviewedRecord = { "kind": "person", "id": PersonId } | { "kind": "note", "id": NoteId } | { "kind": "care_plan", "id": CarePlanId } | { "kind": "discharge", "id": DischargeId } | { "kind": "session", "id": SessionId };

export type SavedVisitDraft = { draft: VisitDraft, saved_at: string, };

export type SearchHit = { person_id: PersonId, display_name: string, 
/**
 * True when the words were found in the person's notes rather than their name.
 */
matched_in_notes: boolean, };

export type ServiceCategory = "befriending" | "mens_groups" | "gardening" | "cookery" | "arts" | "singing" | "walking_and_sport" | "money_and_debt_advice" | "housing_help" | "carers_support" | "employment_and_volunteering" | "age_related_groups" | "bereavement" | "mental_wellbeing" | "digital_skills" | "food_and_essentials" | "other";

export type ServiceId = string;

export type Session = { id: SessionId, person_id: PersonId, care_plan_id: CarePlanId | null, link_worker: UserId, date: string, start_time: string | null, kind: SessionKind, status: SessionStatus, 
/**
 * Required once the session is held.
 */
duration_minutes: number | null, 
/**
 * Where, for a visit or meeting.
 */
location: string | null, };

export type SessionId = string;

export type SessionKind = "home_visit" | "phone" | "video" | "meeting" | "accompanied";

export type SessionNumber = { number: number, of: number, };

export type SessionStatus = "planned" | "held" | "did_not_attend" | "cancelled";

export type SessionView = { session: Session, number: SessionNumber | null, };

export type SessionsBucket = { sessions: number, people: number, };

export type SessionsPerPerson = { 
/**
 * People seen (at least one held session).
 */
people: number, 
/**
 * Held sessions.
 */
sessions: number, 
/**
 * sessions / people; `None` when no one was seen.
 */
mean: number | null, 
/**
 * For each number of sessions someone had, how many people had it; ascending.
 */
distribution: Array<SessionsBucket>, };

export type SharedDetails = { demographics: GpMessageDemographics, needs_and_concerns: NeedsAndConcerns, support_offered: SupportOffered, outcomes: Array<MeasureOutcome>, discharge: DischargeDetails, };

export type SignOff = { id: SignOffId, person_id: PersonId, record: SignedOffRecord, signed_by: UserId, signed_at: string, remark: string | null, };

export type SignOffId = string;

export type SignedOffRecord = { "kind": "care_plan", "id": CarePlanId } | { "kind": "discharge", "id": DischargeId };

export type SnomedConcept = { code: string, term: string, };

export type StatusChange = { id: string, from: ReferralStatus | null, to: ReferralStatus, changed_at: string, changed_by: UserId, };

export type SubjectAccessExport = { exported_at: string, exported_by: UserId, person: HeldRecord<Person>, referrals: Array<ReferralWithHistory>, conversations: Array<HeldRecord<Conversation>>, care_plans: Array<HeldRecord<CarePlan>>, sessions: Array<HeldRecord<Session>>, 
/**
 * Every note and amendment, oldest first.
 */
notes: Array<NoteWithAmendments>, measures: Array<MeasureWithScore>, connections: Array<ConnectionWithService>, consent_history: Array<ConsentRecord>, concerns: Array<ConcernWithEvents>, discharges: Array<HeldRecord<Discharge>>, 
/**
 * Supervisors' comments about the person or their records.
 */
comments: Array<Comment>, 
/**
 * Supervisors' marks that records were reviewed.
 */
review_marks: Array<ReviewMark>, sign_offs: Array<SignOff>, 
/**
 * Oldest first; the last row is this export's own.
 */
audit_trail: Array<AuditRow>, };

export type SupervisorComment = { display_name: string, comment: Comment, };

export type SupportOffered = { sessions_held: number, sessions_did_not_attend: number, sessions_cancelled: number, 
/**
 * The plan's goals, in the person's words.
 */
goals: Array<string>, connections: Array<ConnectionOffered>, };

export type SwemwbsAnswers = { items: [number | null, number | null, number | null, number | null, number | null, number | null, number | null], };

export type SwemwbsScore = { raw_total: number, 
/**
 * The metric score exactly, in hundredths (e.g. 1998 for 19.98).
 */
metric_hundredths: number, 
/**
 * The metric score as a number (e.g. 19.98), for display.
 */
metric: number, };

export type SyncStatus = { 
/**
 * Whether this laptop has joined (or set up) a practice.
 */
joined: boolean, 
/**
 * The practice server's address, once joined.
 */
server_address: string | null, 
/**
 * Whether background sync is running now (false when locked out, stopped or not joined).
 */
running: boolean, 
/**
 * Whether the last attempt reached the server; `None` before the first attempt.
 */
online: boolean | null, 
/**
 * Whether a sync is in progress right now.
 */
syncing: boolean, 
/**
 * Progress of the sync in progress: `"pushing"` or `"pulling"`.
 */
phase: string | null, 
/**
 * Done so far in this phase (changes sent, or changes received).
 */
done: number, 
/**
 * The whole of this phase, when known.
 */
total: number | null, 
/**
 * When the last sync finished (UTC).
 */
last_synced_at: string | null, 
/**
 * Changes saved on this laptop and not yet accepted by the server.
 */
changes_waiting: number, 
/**
 * Changes the server refused for good (kept on this laptop, shown to the user).
 */
changes_refused: number, 
/**
 * Edits of the same thing on two laptops, waiting for someone to choose.
 */
conflicts: number, 
/**
 * The last problem, in plain words; `None` when all is well.
 */
last_error: string | null, 
/**
 * This laptop was removed from the practice: it no longer syncs, and everything on it
 * stays encrypted. `last_error` says what to do.
 */
revoked: boolean, };

export type TimelineEntry = { date: string, item: TimelineItem, };

export type TimelineItem = { "kind": "referral", referral: Referral, } | { "kind": "conversation", conversation: Conversation, } | { "kind": "session", session: Session, } | { "kind": "note", note: Note, amended: boolean, } | { "kind": "measure", measure: Measure, score: MeasureScore | null, } | { "kind": "connection", connection: Connection, } | { "kind": "concern", concern: Concern, } | { "kind": "consent", consent: ConsentRecord, } | { "kind": "discharge", discharge: Discharge, } | { "kind": "comment", comment: Comment, } | { "kind": "sign_off", sign_off: SignOff, };

export type TodayView = { date: string, visits_today: Array<CaseloadLine>, overdue_sessions: Array<CaseloadLine>, overdue_reviews: Array<CaseloadLine>, due_this_week: Array<CaseloadLine>, new_referrals: Array<CaseloadLine>, open_concerns: Array<CaseloadLine>, 
/**
 * Comments from a supervisor on these people in the last 4 weeks, newest first.
 */
supervisor_comments: Array<SupervisorComment>, };

export type Ucla3Answers = { items: [number | null, number | null, number | null], };

export type Ucla3Score = { total: number, 
/**
 * True when the total is [`UCLA3_LONELY_FROM`] or more.
 */
lonely: boolean, };

export type UserId = string;

export type VisitDraft = { session_id: SessionId, status: SessionStatus | null, duration_minutes: number | null, note: string, };

export type VisitRecord = { session_id: SessionId, 
/**
 * Held, did not attend or cancelled.
 */
status: SessionStatus, duration_minutes: number | null, 
/**
 * The visit's note; blank means no note.
 */
note: string, };

export type WellbeingBand = "low" | "medium" | "high" | "very_high";

export type WellbeingItemScore = { value: number, band: WellbeingBand, };
