// Calls into the Rust core over Tauri IPC. Every command's result is an Outcome: the value, or
// the {code, message} error the Rust side sends. Types come only from the generated bindings.
import { invoke } from "@tauri-apps/api/core";
import type {
  AgreedPlan,
  AppStatus,
  CarePlan,
  CarePlanId,
  CarePlanStatus,
  CommunityService,
  Concern,
  ConcernId,
  ConcernKind,
  CreatedInvite,
  ConnectionId,
  ConnectionKind,
  ConnectionStatus,
  Connection,
  ConsentDecision,
  ConsentKind,
  ConsentRecord,
  Conversation,
  CreatedProfile,
  DirectoryImport,
  Discharge,
  ErrorCode,
  Intake,
  IntakeResult,
  IpcError,
  Measure,
  NewCarePlan,
  NewConversation,
  NewDischarge,
  NewMeasure,
  NewPerson,
  NewReferral,
  NewSession,
  Note,
  NoteId,
  PeopleFilter,
  PersonId,
  PersonListing,
  PersonRecord,
  PlanSuggestion,
  PossibleDuplicate,
  PracticeRecoveryKit,
  PracticeSignIn,
  SavedVisitDraft,
  SearchHit,
  ServiceId,
  Referral,
  Session,
  SessionId,
  SessionKind,
  SyncStatus,
  TodayView,
  VisitDraft,
  VisitRecord,
} from "./bindings";

/** The error codes Rust can send; listing them all here is checked against the bindings. */
const ERROR_CODES: Record<ErrorCode, true> = {
  not_found: true,
  data_dir_unavailable: true,
  io: true,
  locked: true,
  wrong_passphrase: true,
  wrong_recovery_key: true,
  recovery_key_typo: true,
  weak_passphrase: true,
  damaged_or_tampered: true,
  newer_database: true,
  profile_exists: true,
  profile_not_found: true,
  invalid_input: true,
  possible_duplicate: true,
  storage: true,
  server_unreachable: true,
  wrong_server_password: true,
  server_account_disabled: true,
  too_many_attempts: true,
  not_permitted: true,
  practice_already_set_up: true,
  already_joined: true,
  not_joined: true,
  invite_code_typo: true,
  invite_not_accepted: true,
  practice_key_mismatch: true,
  server_problem: true,
  sync_stopped: true,
};

/** An IPC failure that is not a Kith error, e.g. the app is not running inside Tauri. */
export interface TransportError {
  code: "transport";
  message: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError | TransportError };

export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === "string" &&
    Object.hasOwn(ERROR_CODES, candidate.code) &&
    typeof candidate.message === "string"
  );
}

/** Turns whatever `invoke` rejected with into an error the UI can show. */
export function toCommandError(reason: unknown): IpcError | TransportError {
  if (isIpcError(reason)) return reason;
  const message = reason instanceof Error ? reason.message : String(reason);
  return { code: "transport", message: `Kith could not reach its core: ${message}` };
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await invoke<T>(command, args) };
  } catch (reason) {
    return { ok: false, error: toCommandError(reason) };
  }
}

/** Version, data folder and whether a profile exists — known before unlocking. */
export function appStatus(): Promise<Outcome<AppStatus>> {
  return call<AppStatus>("app_status");
}

// ---- Profile ----

/** Creates the profile (slow on purpose: Argon2id) and leaves it unlocked. */
export const createProfile = (passphrase: string) =>
  call<CreatedProfile>("create_profile", { passphrase });
export const unlock = (passphrase: string) => call<null>("unlock", { passphrase });
export const unlockWithRecoveryKey = (recovery_key: string) =>
  call<null>("unlock_with_recovery_key", { recovery_key });
/** Closes the database and drops the key. */
export const lock = () => call<null>("lock");
/** Locks and closes the window: asked for once what was typed is saved (App.svelte). */
export const closeWindow = () => call<null>("close_window");

// ---- Practice server and sync ----

/** The first supervisor sets up the practice: returns the recovery kit to print once. */
export const setUpPractice = (sign_in: PracticeSignIn) =>
  call<PracticeRecoveryKit>("set_up_practice", { sign_in });
/** Another laptop joins with the code a supervisor read out. */
export const joinPractice = (sign_in: PracticeSignIn, invite_code: string) =>
  call<null>("join_practice", { sign_in, invite_code });
export const createInvite = () => call<CreatedInvite>("create_invite");
export const syncStatus = () => call<SyncStatus>("sync_status");
export const syncNow = () => call<null>("sync_now");

// ---- Today, people, records ----

export const today = () => call<TodayView>("today");
export const searchPeople = (typed: string) => call<SearchHit[]>("search_people", { typed });
export const findPossibleDuplicates = (person: NewPerson) =>
  call<PossibleDuplicate[]>("find_possible_duplicates", { person });
export const addPersonWithReferral = (intake: Intake) =>
  call<IntakeResult>("add_person_with_referral", { intake });
export const addReferral = (person_id: PersonId, referral: NewReferral) =>
  call<Referral>("add_referral", { person_id, referral });
export const personRecord = (person_id: PersonId) =>
  call<PersonRecord>("person_record", { person_id });

// ---- Care ----

export const recordConversation = (input: NewConversation) =>
  call<Conversation>("record_conversation", { input });
export const suggestPlan = (starts_on: string, planned_sessions: number) =>
  call<PlanSuggestion>("suggest_plan", { starts_on, planned_sessions });
export const createPlan = (input: NewCarePlan) => call<CarePlan>("create_plan", { input });
/** Agrees a draft plan and schedules its sessions (`session_dates` null: the suggested ones). */
export const agreePlan = (plan_id: CarePlanId, session_dates: string[] | null, kind: SessionKind) =>
  call<AgreedPlan>("agree_plan", { plan_id, session_dates, kind });
export const movePlan = (plan_id: CarePlanId, to: CarePlanStatus) =>
  call<CarePlan>("move_plan", { plan_id, to });
export const scheduleSession = (input: NewSession) => call<Session>("schedule_session", { input });
/** Saves what visit mode has typed so far; returns when it was saved (RFC 3339). */
export const saveVisitDraft = (draft: VisitDraft) => call<string>("save_visit_draft", { draft });
export const visitDraft = (session_id: SessionId) =>
  call<SavedVisitDraft | null>("visit_draft", { session_id });
export const discardVisitDraft = (session_id: SessionId) =>
  call<null>("discard_visit_draft", { session_id });
/** Records the visit and its note together; removes the session's draft. */
export const recordVisit = (visit: VisitRecord) => call<Session>("record_visit", { visit });
export const writeNote = (person_id: PersonId, body: string) =>
  call<Note>("write_note", { person_id, body });
/** A correction: a new note pointing at the original, which is kept unchanged. */
export const amendNote = (note_id: NoteId, body: string) =>
  call<Note>("amend_note", { note_id, body });
export const recordMeasure = (input: NewMeasure) => call<Measure>("record_measure", { input });
export const discharge = (input: NewDischarge) => call<Discharge>("discharge", { input });

// ---- Community directory ----

export const directory = () => call<CommunityService[]>("directory");
export const importDirectory = (oruk_json: string) =>
  call<DirectoryImport>("import_directory", { oruk_json });
/** Imports the fictional sample directory shipped with Kith (a re-import updates). */
export const importSampleDirectory = () => call<DirectoryImport>("import_sample_directory");
export const connectToService = (
  person_id: PersonId,
  service_id: ServiceId,
  care_plan_id: CarePlanId | null,
  kind: ConnectionKind,
  made_on: string,
) => call<Connection>("connect_to_service", { person_id, service_id, care_plan_id, kind, made_on });
export const moveConnection = (connection_id: ConnectionId, to: ConnectionStatus, on: string) =>
  call<Connection>("move_connection", { connection_id, to, on });

// ---- Consent and safeguarding ----

export const recordConsent = (
  person_id: PersonId,
  kind: ConsentKind,
  decision: ConsentDecision,
  decided_on: string,
) => call<ConsentRecord>("record_consent", { person_id, kind, decision, decided_on });
export const withdrawConsent = (person_id: PersonId, kind: ConsentKind, decided_on: string) =>
  call<ConsentRecord>("withdraw_consent", { person_id, kind, decided_on });
export const raiseConcern = (person_id: PersonId, kind: ConcernKind, description: string) =>
  call<Concern>("raise_concern", { person_id, kind, description });
export const escalateConcern = (concern_id: ConcernId, to_whom: string, reference: string | null) =>
  call<Concern>("escalate_concern", { concern_id, to_whom, reference });
export const closeConcern = (concern_id: ConcernId, outcome: string) =>
  call<Concern>("close_concern", { concern_id, outcome });

// ---- People ----

/** The People list: typed words (names, NHS number, notes) and filters; at most 50. */
export const peopleList = (filter: PeopleFilter) =>
  call<PersonListing[]>("people_list", { filter });

// ---- Supervision ----

import type * as S from "./bindings";

export const practiceRole = () => call<S.PracticeRole | null>("practice_role");
/** Supervisors: records written or changed since they last marked them reviewed. */
export const reviewQueue = () => call<S.ReviewQueue>("review_queue");
export const markReviewed = (records: S.ReviewedRecord[]) =>
  call<S.ReviewMark[]>("mark_reviewed", { records });
/** Supervisors: an insert-only comment, synced to the person's link worker. */
export const comment = (person_id: PersonId, about: S.CommentAbout, body: string) =>
  call<S.Comment>("comment", { person_id, about, body });
export const signOff = (record: S.SignedOffRecord, remark: string | null) =>
  call<S.SignOff>("sign_off", { record, remark });
export const caseloads = () => call<S.LinkWorkerCaseload[]>("caseloads");
/** Same-field edits made on two laptops, with both values. */
export const conflicts = () => call<S.ConflictView[]>("conflicts");
export const resolveConflict = (id: string, keep: S.KeepValue) =>
  call<null>("resolve_conflict", { id, keep });
export const linkWorkers = () => call<S.LinkWorkerChoice[]>("link_workers");
/** Supervisors: moves a person to another link worker (the old laptop loses them). */
export const reassignPerson = (person_id: PersonId, to_link_worker: S.UserId) =>
  call<null>("reassign_person", { person_id, to_link_worker });

// ---- Outcomes and reports, the message back to the GP, subject access ----

/** The figures for a date range (inclusive, "YYYY-MM-DD"). */
export const report = (from: string, to: string) => call<S.Report>("report", { from, to });
/** The same figures as CSV text. */
export const reportCsv = (from: string, to: string) => call<string>("report_csv", { from, to });
/** Records the person's answer to a referral on the day chosen ("YYYY-MM-DD"). */
export const recordReferralAnswer = (
  referral_id: S.ReferralId,
  answer: S.ReferralAnswerKind,
  on: string,
) => call<Referral>("record_referral_answer", { referral_id, answer, on });
/** The practice's list "for the GP record": every code on this laptop, and whether it was sent. */
export const practiceGpCodes = () => call<S.GpCodeList>("practice_gp_codes");
/** The codes still to send, as CSV text. */
export const unsentGpCodesCsv = () => call<string>("unsent_gp_codes_csv");
/** Marks exactly these codes sent on a day; answers how many were newly marked. */
export const markGpCodesSent = (codes: S.GpCodeToMark[], sent_on: string) =>
  call<number>("mark_gp_codes_sent", { codes, sent_on });
/** The discharge message to the GP and referrer; only codes go without consent to share. */
export const dischargeMessage = (discharge_id: S.DischargeId) =>
  call<S.GpMessage>("discharge_message", { discharge_id });
export const dischargeMessageJson = (discharge_id: S.DischargeId) =>
  call<string>("discharge_message_json", { discharge_id });
/** Everything held about one person (the export itself is audited). */
export const subjectAccessExport = (person_id: PersonId) =>
  call<S.SubjectAccessExport>("subject_access_export", { person_id });
export const subjectAccessJson = (person_id: PersonId) =>
  call<string>("subject_access_json", { person_id });

// ---- Supervision: the review queue, page by page ----

/** The next page of one link worker's people in the review queue, leaving out those shown. */
export const reviewQueueMore = (link_worker: S.UserId | null, shown: PersonId[]) =>
  call<S.ReviewGroup>("review_queue_more", { link_worker, shown });
