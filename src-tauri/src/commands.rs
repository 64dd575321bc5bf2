//! The IPC commands: each takes its arguments, calls one kith-core use case on the app's
//! [`Kith`] and returns its value or an [`IpcError`]. Nothing else happens here.
//!
//! Every command is `async` so that Argon2id (unlock) and SQLite never block the window's
//! thread. `build.rs` reads this file to grant exactly these commands to the window.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use tauri::State;

use kith_core::{
    AgreedPlan, AppStatus, CoreError, CreatedInvite, CreatedProfile, DirectoryImport, Intake,
    IntakeResult, IpcError, Kith, NewCarePlan, NewConversation, NewDischarge, NewMeasure,
    NewSession, PersonRecord, PlanSuggestion, PossibleDuplicate, PracticeRecoveryKit,
    PracticeSignIn, SavedVisitDraft, SearchHit, SyncStatus, TodayView, VisitDraft, VisitRecord,
};
use kith_domain::care_plan::{CarePlan, CarePlanStatus};
use kith_domain::consent::{ConsentDecision, ConsentKind, ConsentRecord};
use kith_domain::conversation::Conversation;
use kith_domain::directory::{CommunityService, Connection, ConnectionKind, ConnectionStatus};
use kith_domain::discharge::Discharge;
use kith_domain::measures::Measure;
use kith_domain::note::Note;
use kith_domain::person::NewPerson;
use kith_domain::referral::{NewReferral, Referral};
use kith_domain::safeguarding::{Concern, ConcernKind};
use kith_domain::session::{Session, SessionKind};
use kith_domain::{CarePlanId, ConcernId, ConnectionId, NoteId, PersonId, ServiceId, SessionId};

use crate::AppState;

/// The sample community directory shipped in `assets/` (fictional services, ORUK JSON).
const SAMPLE_DIRECTORY: &str = include_str!("../../assets/directory/oruk-sample.json");

type Reply<T> = Result<T, IpcError>;

fn poisoned() -> IpcError {
    IpcError::from(CoreError::Storage {
        message: "an earlier action failed part-way; restart Kith".to_owned(),
    })
}

/// Runs `body` on the app on a blocking thread, never on the async runtime's own threads: a
/// core call may wait for the network through that runtime, and holding its few threads while
/// other commands wait for the app's lock would stall them all.
async fn on_kith<T: Send + 'static>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&mut Kith) -> Result<T, CoreError> + Send + 'static,
) -> Reply<T> {
    let kith = Arc::clone(&state.kith);
    tauri::async_runtime::spawn_blocking(move || {
        let mut kith = kith.lock().map_err(|_| poisoned())?;
        body(&mut kith).map_err(IpcError::from)
    })
    .await
    .map_err(|_| poisoned())?
}

/// Runs a read or a write that needs no sync nudge.
async fn with<T: Send + 'static>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&Kith) -> Result<T, CoreError> + Send + 'static,
) -> Reply<T> {
    on_kith(state, move |kith| body(kith)).await
}

/// Runs a write and, when it worked, tells sync there is something to send.
async fn change<T: Send + 'static>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&Kith) -> Result<T, CoreError> + Send + 'static,
) -> Reply<T> {
    on_kith(state, move |kith| {
        let value = body(kith)?;
        kith.changed();
        Ok(value)
    })
    .await
}

/// Runs a use case that changes the app itself (unlock, lock, join...).
async fn with_mut<T: Send + 'static>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&mut Kith) -> Result<T, CoreError> + Send + 'static,
) -> Reply<T> {
    on_kith(state, body).await
}

// ---- Profile ----

#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Reply<AppStatus> {
    with(&state, move |kith| kith_core::app_status(kith.profile_dir())).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_profile(
    state: State<'_, AppState>,
    passphrase: String,
) -> Reply<CreatedProfile> {
    with_mut(&state, move |kith| kith.create_profile(&passphrase)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock(state: State<'_, AppState>, passphrase: String) -> Reply<()> {
    with_mut(&state, move |kith| kith.unlock(&passphrase)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn unlock_with_recovery_key(
    state: State<'_, AppState>,
    recovery_key: String,
) -> Reply<()> {
    with_mut(&state, move |kith| kith.unlock_with_recovery_key(&recovery_key)).await
}

#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> Reply<()> {
    with_mut(&state, move |kith| {
        kith.lock();
        Ok(())
    })
    .await
}

/// Closing the window, asked for by the page once it has saved what was typed (see
/// `crate::close_requested`): lock, forgetting the key, then close.
#[tauri::command]
pub async fn close_window(state: State<'_, AppState>, window: tauri::WebviewWindow) -> Reply<()> {
    with_mut(&state, move |kith| {
        kith.lock();
        Ok(())
    })
    .await?;
    // Should closing fail, the window stays open and the next close request closes it.
    let _ = window.destroy();
    Ok(())
}

// ---- Practice server and sync ----

/// The first supervisor: enrol this laptop, create the practice key, return the kit to print.
#[tauri::command(rename_all = "snake_case")]
pub async fn set_up_practice(
    state: State<'_, AppState>,
    sign_in: PracticeSignIn,
) -> Reply<PracticeRecoveryKit> {
    with_mut(&state, move |kith| kith.set_up_practice(&sign_in)).await
}

/// Any other laptop: enrol, redeem the invite code for the practice key, start syncing.
#[tauri::command(rename_all = "snake_case")]
pub async fn join_practice(
    state: State<'_, AppState>,
    sign_in: PracticeSignIn,
    invite_code: String,
) -> Reply<()> {
    with_mut(&state, move |kith| kith.join_practice(&sign_in, &invite_code)).await
}

/// A supervisor: an invite code to read out to a new laptop.
#[tauri::command]
pub async fn create_invite(state: State<'_, AppState>) -> Reply<CreatedInvite> {
    with(&state, Kith::create_invite).await
}

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> Reply<SyncStatus> {
    with(&state, Kith::sync_status).await
}

#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Reply<()> {
    with_mut(&state, Kith::sync_now).await
}

// ---- Today, people, records ----

#[tauri::command]
pub async fn today(state: State<'_, AppState>) -> Reply<TodayView> {
    with(&state, Kith::today).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn search_people(state: State<'_, AppState>, typed: String) -> Reply<Vec<SearchHit>> {
    with(&state, move |kith| kith.search(&typed)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn find_possible_duplicates(
    state: State<'_, AppState>,
    person: NewPerson,
) -> Reply<Vec<PossibleDuplicate>> {
    with(&state, move |kith| kith.find_possible_duplicates(&person)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_person_with_referral(
    state: State<'_, AppState>,
    intake: Intake,
) -> Reply<IntakeResult> {
    change(&state, move |kith| kith.add_person_with_referral(intake)).await
}

/// Another referral for someone already recorded (they were discharged and referred again,
/// or referred for something new).
#[tauri::command(rename_all = "snake_case")]
pub async fn add_referral(
    state: State<'_, AppState>,
    person_id: PersonId,
    referral: NewReferral,
) -> Reply<Referral> {
    change(&state, move |kith| kith.add_referral(person_id, referral)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn person_record(state: State<'_, AppState>, person_id: PersonId) -> Reply<PersonRecord> {
    with(&state, move |kith| kith.person_record(person_id)).await
}

// ---- Care: conversations, plans, sessions, visits, notes, measures, discharge ----

#[tauri::command(rename_all = "snake_case")]
pub async fn record_conversation(
    state: State<'_, AppState>,
    input: NewConversation,
) -> Reply<Conversation> {
    change(&state, move |kith| kith.record_conversation(input)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn suggest_plan(
    state: State<'_, AppState>,
    starts_on: NaiveDate,
    planned_sessions: u8,
) -> Reply<PlanSuggestion> {
    with(&state, move |kith| Ok(kith.suggest_plan(starts_on, planned_sessions))).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn create_plan(state: State<'_, AppState>, input: NewCarePlan) -> Reply<CarePlan> {
    change(&state, move |kith| kith.create_plan(input)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn agree_plan(
    state: State<'_, AppState>,
    plan_id: CarePlanId,
    session_dates: Option<Vec<NaiveDate>>,
    kind: SessionKind,
) -> Reply<AgreedPlan> {
    change(&state, move |kith| kith.agree_plan(plan_id, session_dates, kind)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn move_plan(
    state: State<'_, AppState>,
    plan_id: CarePlanId,
    to: CarePlanStatus,
) -> Reply<CarePlan> {
    change(&state, move |kith| kith.move_plan(plan_id, to)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn schedule_session(state: State<'_, AppState>, input: NewSession) -> Reply<Session> {
    change(&state, move |kith| kith.schedule_session(input)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn save_visit_draft(
    state: State<'_, AppState>,
    draft: VisitDraft,
) -> Reply<DateTime<Utc>> {
    with(&state, move |kith| kith.save_visit_draft(&draft)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn visit_draft(
    state: State<'_, AppState>,
    session_id: SessionId,
) -> Reply<Option<SavedVisitDraft>> {
    with(&state, move |kith| kith.visit_draft(session_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn discard_visit_draft(state: State<'_, AppState>, session_id: SessionId) -> Reply<()> {
    with(&state, move |kith| kith.discard_visit_draft(session_id)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_visit(state: State<'_, AppState>, visit: VisitRecord) -> Reply<Session> {
    change(&state, move |kith| kith.record_visit(visit).map(|(session, _note)| session)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn write_note(
    state: State<'_, AppState>,
    person_id: PersonId,
    body: String,
) -> Reply<Note> {
    change(&state, move |kith| kith.write_note(person_id, body)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn amend_note(state: State<'_, AppState>, note_id: NoteId, body: String) -> Reply<Note> {
    change(&state, move |kith| kith.amend_note(note_id, body)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_measure(state: State<'_, AppState>, input: NewMeasure) -> Reply<Measure> {
    change(&state, move |kith| kith.record_measure(input)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn discharge(state: State<'_, AppState>, input: NewDischarge) -> Reply<Discharge> {
    change(&state, move |kith| kith.discharge(input)).await
}

// ---- Community directory and connections ----

#[tauri::command]
pub async fn directory(state: State<'_, AppState>) -> Reply<Vec<CommunityService>> {
    with(&state, Kith::directory).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_directory(
    state: State<'_, AppState>,
    oruk_json: String,
) -> Reply<DirectoryImport> {
    change(&state, move |kith| kith.import_directory(&oruk_json)).await
}

#[tauri::command]
pub async fn import_sample_directory(state: State<'_, AppState>) -> Reply<DirectoryImport> {
    change(&state, move |kith| kith.import_directory(SAMPLE_DIRECTORY)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn connect_to_service(
    state: State<'_, AppState>,
    person_id: PersonId,
    service_id: ServiceId,
    care_plan_id: Option<CarePlanId>,
    kind: ConnectionKind,
    made_on: NaiveDate,
) -> Reply<Connection> {
    change(&state, move |kith| {
        kith.connect_to_service(person_id, service_id, care_plan_id, kind, made_on)
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn move_connection(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
    to: ConnectionStatus,
    on: NaiveDate,
) -> Reply<Connection> {
    change(&state, move |kith| kith.move_connection(connection_id, to, on)).await
}

// ---- Consent and safeguarding ----

#[tauri::command(rename_all = "snake_case")]
pub async fn record_consent(
    state: State<'_, AppState>,
    person_id: PersonId,
    kind: ConsentKind,
    decision: ConsentDecision,
    decided_on: NaiveDate,
) -> Reply<ConsentRecord> {
    change(&state, move |kith| kith.record_consent(person_id, kind, decision, decided_on)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn withdraw_consent(
    state: State<'_, AppState>,
    person_id: PersonId,
    kind: ConsentKind,
    decided_on: NaiveDate,
) -> Reply<ConsentRecord> {
    change(&state, move |kith| kith.withdraw_consent(person_id, kind, decided_on)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn raise_concern(
    state: State<'_, AppState>,
    person_id: PersonId,
    kind: ConcernKind,
    description: String,
) -> Reply<Concern> {
    change(&state, move |kith| kith.raise_concern(person_id, kind, description)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn escalate_concern(
    state: State<'_, AppState>,
    concern_id: ConcernId,
    to_whom: String,
    reference: Option<String>,
) -> Reply<Concern> {
    change(&state, move |kith| kith.escalate_concern(concern_id, to_whom, reference)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn close_concern(
    state: State<'_, AppState>,
    concern_id: ConcernId,
    outcome: String,
) -> Reply<Concern> {
    change(&state, move |kith| kith.close_concern(concern_id, outcome)).await
}

// ---- People ----

#[tauri::command(rename_all = "snake_case")]
pub async fn people_list(
    state: State<'_, AppState>,
    filter: kith_core::PeopleFilter,
) -> Reply<Vec<kith_core::PersonListing>> {
    with(&state, move |kith| kith.people_list(&filter)).await
}

// ---- Supervision: review queue, comments, sign-off, caseloads, conflicts, reassigning ----

/// Link worker or supervisor, once this laptop has joined a practice.
#[tauri::command]
pub async fn practice_role(state: State<'_, AppState>) -> Reply<Option<kith_core::PracticeRole>> {
    with(&state, Kith::role).await
}

#[tauri::command]
pub async fn review_queue(state: State<'_, AppState>) -> Reply<kith_core::ReviewQueue> {
    with(&state, Kith::review_queue).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn mark_reviewed(
    state: State<'_, AppState>,
    records: Vec<kith_domain::supervision::ReviewedRecord>,
) -> Reply<Vec<kith_domain::supervision::ReviewMark>> {
    with(&state, move |kith| kith.mark_reviewed(&records)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn comment(
    state: State<'_, AppState>,
    person_id: PersonId,
    about: kith_domain::supervision::CommentAbout,
    body: String,
) -> Reply<kith_domain::supervision::Comment> {
    with(&state, move |kith| kith.comment(person_id, about, &body)).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_off(
    state: State<'_, AppState>,
    record: kith_domain::supervision::SignedOffRecord,
    remark: Option<String>,
) -> Reply<kith_domain::supervision::SignOff> {
    with(&state, move |kith| kith.sign_off(record, remark.as_deref())).await
}

#[tauri::command]
pub async fn caseloads(state: State<'_, AppState>) -> Reply<Vec<kith_core::LinkWorkerCaseload>> {
    with(&state, Kith::caseloads).await
}

#[tauri::command]
pub async fn conflicts(state: State<'_, AppState>) -> Reply<Vec<kith_core::ConflictView>> {
    with(&state, Kith::conflicts).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: String,
    keep: kith_core::KeepValue,
) -> Reply<()> {
    with(&state, move |kith| kith.resolve_conflict(&id, keep)).await
}

#[tauri::command]
pub async fn link_workers(state: State<'_, AppState>) -> Reply<Vec<kith_core::LinkWorkerChoice>> {
    with(&state, Kith::link_workers).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reassign_person(
    state: State<'_, AppState>,
    person_id: PersonId,
    to_link_worker: kith_domain::UserId,
) -> Reply<()> {
    with(&state, move |kith| kith.reassign_person(person_id, to_link_worker)).await
}

// ---- Outcomes and reports, the message back to the GP, subject access ----

/// The figures for a date range (inclusive), on screen.
#[tauri::command(rename_all = "snake_case")]
pub async fn report(
    state: State<'_, AppState>,
    from: NaiveDate,
    to: NaiveDate,
) -> Reply<kith_core::Report> {
    with(&state, move |kith| kith.report(from, to)).await
}

/// The same figures as one CSV text (the UI offers it as a download).
#[tauri::command(rename_all = "snake_case")]
pub async fn report_csv(
    state: State<'_, AppState>,
    from: NaiveDate,
    to: NaiveDate,
) -> Reply<String> {
    with(&state, move |kith| kith.report(from, to).map(|report| report.to_csv())).await
}

/// Records the person's answer to a referral (accepted, declined, unable to contact) on the
/// day the worker chose.
#[tauri::command(rename_all = "snake_case")]
pub async fn record_referral_answer(
    state: State<'_, AppState>,
    referral_id: kith_domain::ReferralId,
    answer: kith_domain::referral::ReferralAnswerKind,
    on: NaiveDate,
) -> Reply<Referral> {
    change(&state, move |kith| kith.record_referral_answer(referral_id, answer, on)).await
}

/// The practice's list "for the GP record": every code, dated, and whether it was sent.
#[tauri::command(rename_all = "snake_case")]
pub async fn practice_gp_codes(state: State<'_, AppState>) -> Reply<kith_core::GpCodeList> {
    with(&state, move |kith| kith.practice_gp_codes()).await
}

/// The codes still to send to the GP record, as CSV (the UI offers it as a download).
#[tauri::command(rename_all = "snake_case")]
pub async fn unsent_gp_codes_csv(state: State<'_, AppState>) -> Reply<String> {
    with(&state, move |kith| kith.unsent_gp_codes_csv()).await
}

/// Marks codes as sent to the GP record on a day (after they were exported).
#[tauri::command(rename_all = "snake_case")]
pub async fn mark_gp_codes_sent(
    state: State<'_, AppState>,
    codes: Vec<kith_core::GpCodeToMark>,
    sent_on: NaiveDate,
) -> Reply<u32> {
    change(&state, move |kith| kith.mark_gp_codes_sent(codes, sent_on)).await
}

/// The discharge message to the GP and referrer (only codes without consent to share).
#[tauri::command(rename_all = "snake_case")]
pub async fn discharge_message(
    state: State<'_, AppState>,
    discharge_id: kith_domain::DischargeId,
) -> Reply<kith_core::GpMessage> {
    with(&state, move |kith| kith.discharge_message(discharge_id)).await
}

/// The discharge message as structured JSON, for export.
#[tauri::command(rename_all = "snake_case")]
pub async fn discharge_message_json(
    state: State<'_, AppState>,
    discharge_id: kith_domain::DischargeId,
) -> Reply<String> {
    with(&state, move |kith| kith.discharge_message(discharge_id)?.to_json()).await
}

/// Everything held about one person (audited), to show and print.
#[tauri::command(rename_all = "snake_case")]
pub async fn subject_access_export(
    state: State<'_, AppState>,
    person_id: PersonId,
) -> Reply<kith_core::SubjectAccessExport> {
    with(&state, move |kith| kith.subject_access_export(person_id)).await
}

/// The same export as JSON text, for the person to take away.
#[tauri::command(rename_all = "snake_case")]
pub async fn subject_access_json(state: State<'_, AppState>, person_id: PersonId) -> Reply<String> {
    with(&state, move |kith| kith.subject_access_export(person_id)?.to_json()).await
}

// ---- Supervision: the review queue, page by page ----

/// The next page of one link worker's people in the review queue, leaving out those shown.
#[tauri::command(rename_all = "snake_case")]
pub async fn review_queue_more(
    state: State<'_, AppState>,
    link_worker: Option<kith_domain::UserId>,
    shown: Vec<PersonId>,
) -> Reply<kith_core::ReviewGroup> {
    with(&state, move |kith| kith.review_queue_more(link_worker, &shown)).await
}
