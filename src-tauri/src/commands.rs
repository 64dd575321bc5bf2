//! The IPC commands: each takes its arguments, calls one kith-core use case on the app's
//! [`Kith`] and returns its value or an [`IpcError`]. Nothing else happens here.
//!
//! Every command is `async` so that Argon2id (unlock) and SQLite never block the window's
//! thread. `build.rs` reads this file to grant exactly these commands to the window.

use std::sync::MutexGuard;

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
use kith_domain::safeguarding::{Concern, ConcernKind};
use kith_domain::session::{Session, SessionKind};
use kith_domain::{CarePlanId, ConcernId, ConnectionId, NoteId, PersonId, ServiceId, SessionId};

use crate::AppState;

/// The sample community directory shipped in `assets/` (fictional services, ORUK JSON).
const SAMPLE_DIRECTORY: &str = include_str!("../../assets/directory/oruk-sample.json");

type Reply<T> = Result<T, IpcError>;

fn kith<'a>(state: &'a State<'_, AppState>) -> Result<MutexGuard<'a, Kith>, IpcError> {
    state.kith.lock().map_err(|_| {
        IpcError::from(CoreError::Storage {
            message: "an earlier action failed part-way; restart Kith".to_owned(),
        })
    })
}

/// Runs a read or write on the unlocked app.
fn with<T>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&Kith) -> Result<T, CoreError>,
) -> Reply<T> {
    let kith = kith(state)?;
    body(&kith).map_err(IpcError::from)
}

/// Runs a write and, when it worked, tells sync there is something to send.
fn change<T>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&Kith) -> Result<T, CoreError>,
) -> Reply<T> {
    let kith = kith(state)?;
    let value = body(&kith).map_err(IpcError::from)?;
    kith.changed();
    Ok(value)
}

fn with_mut<T>(
    state: &State<'_, AppState>,
    body: impl FnOnce(&mut Kith) -> Result<T, CoreError>,
) -> Reply<T> {
    let mut kith = kith(state)?;
    body(&mut kith).map_err(IpcError::from)
}

// ---- Profile ----

#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> Reply<AppStatus> {
    let kith = kith(&state)?;
    kith_core::app_status(kith.profile_dir()).map_err(IpcError::from)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn create_profile(state: State<'_, AppState>, passphrase: String) -> Reply<CreatedProfile> {
    with_mut(&state, |kith| kith.create_profile(&passphrase))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unlock(state: State<'_, AppState>, passphrase: String) -> Reply<()> {
    with_mut(&state, |kith| kith.unlock(&passphrase))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unlock_with_recovery_key(state: State<'_, AppState>, recovery_key: String) -> Reply<()> {
    with_mut(&state, |kith| kith.unlock_with_recovery_key(&recovery_key))
}

#[tauri::command(async)]
pub fn lock(state: State<'_, AppState>) -> Reply<()> {
    with_mut(&state, |kith| {
        kith.lock();
        Ok(())
    })
}

// ---- Practice server and sync ----

/// The first supervisor: enrol this laptop, create the practice key, return the kit to print.
#[tauri::command(async, rename_all = "snake_case")]
pub fn set_up_practice(
    state: State<'_, AppState>,
    sign_in: PracticeSignIn,
) -> Reply<PracticeRecoveryKit> {
    with_mut(&state, |kith| kith.set_up_practice(&sign_in))
}

/// Any other laptop: enrol, redeem the invite code for the practice key, start syncing.
#[tauri::command(async, rename_all = "snake_case")]
pub fn join_practice(
    state: State<'_, AppState>,
    sign_in: PracticeSignIn,
    invite_code: String,
) -> Reply<()> {
    with_mut(&state, |kith| kith.join_practice(&sign_in, &invite_code))
}

/// A supervisor: an invite code to read out to a new laptop.
#[tauri::command(async)]
pub fn create_invite(state: State<'_, AppState>) -> Reply<CreatedInvite> {
    with(&state, Kith::create_invite)
}

#[tauri::command(async)]
pub fn sync_status(state: State<'_, AppState>) -> Reply<SyncStatus> {
    with(&state, Kith::sync_status)
}

#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>) -> Reply<()> {
    with_mut(&state, Kith::sync_now)
}

// ---- Today, people, records ----

#[tauri::command(async)]
pub fn today(state: State<'_, AppState>) -> Reply<TodayView> {
    with(&state, Kith::today)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn search_people(state: State<'_, AppState>, typed: String) -> Reply<Vec<SearchHit>> {
    with(&state, |kith| kith.search(&typed))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn find_possible_duplicates(
    state: State<'_, AppState>,
    person: NewPerson,
) -> Reply<Vec<PossibleDuplicate>> {
    with(&state, |kith| kith.find_possible_duplicates(&person))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn add_person_with_referral(state: State<'_, AppState>, intake: Intake) -> Reply<IntakeResult> {
    change(&state, |kith| kith.add_person_with_referral(intake))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn person_record(state: State<'_, AppState>, person_id: PersonId) -> Reply<PersonRecord> {
    with(&state, |kith| kith.person_record(person_id))
}

// ---- Care: conversations, plans, sessions, visits, notes, measures, discharge ----

#[tauri::command(async, rename_all = "snake_case")]
pub fn record_conversation(
    state: State<'_, AppState>,
    input: NewConversation,
) -> Reply<Conversation> {
    change(&state, |kith| kith.record_conversation(input))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn suggest_plan(
    state: State<'_, AppState>,
    starts_on: NaiveDate,
    planned_sessions: u8,
) -> Reply<PlanSuggestion> {
    with(&state, |kith| Ok(kith.suggest_plan(starts_on, planned_sessions)))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn create_plan(state: State<'_, AppState>, input: NewCarePlan) -> Reply<CarePlan> {
    change(&state, |kith| kith.create_plan(input))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn agree_plan(
    state: State<'_, AppState>,
    plan_id: CarePlanId,
    session_dates: Option<Vec<NaiveDate>>,
    kind: SessionKind,
) -> Reply<AgreedPlan> {
    change(&state, |kith| kith.agree_plan(plan_id, session_dates, kind))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn move_plan(
    state: State<'_, AppState>,
    plan_id: CarePlanId,
    to: CarePlanStatus,
) -> Reply<CarePlan> {
    change(&state, |kith| kith.move_plan(plan_id, to))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn schedule_session(state: State<'_, AppState>, input: NewSession) -> Reply<Session> {
    change(&state, |kith| kith.schedule_session(input))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn save_visit_draft(state: State<'_, AppState>, draft: VisitDraft) -> Reply<DateTime<Utc>> {
    with(&state, |kith| kith.save_visit_draft(&draft))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn visit_draft(
    state: State<'_, AppState>,
    session_id: SessionId,
) -> Reply<Option<SavedVisitDraft>> {
    with(&state, |kith| kith.visit_draft(session_id))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn discard_visit_draft(state: State<'_, AppState>, session_id: SessionId) -> Reply<()> {
    with(&state, |kith| kith.discard_visit_draft(session_id))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn record_visit(state: State<'_, AppState>, visit: VisitRecord) -> Reply<Session> {
    change(&state, |kith| kith.record_visit(visit).map(|(session, _note)| session))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn write_note(state: State<'_, AppState>, person_id: PersonId, body: String) -> Reply<Note> {
    change(&state, |kith| kith.write_note(person_id, body))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn amend_note(state: State<'_, AppState>, note_id: NoteId, body: String) -> Reply<Note> {
    change(&state, |kith| kith.amend_note(note_id, body))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn record_measure(state: State<'_, AppState>, input: NewMeasure) -> Reply<Measure> {
    change(&state, |kith| kith.record_measure(input))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn discharge(state: State<'_, AppState>, input: NewDischarge) -> Reply<Discharge> {
    change(&state, |kith| kith.discharge(input))
}

// ---- Community directory and connections ----

#[tauri::command(async)]
pub fn directory(state: State<'_, AppState>) -> Reply<Vec<CommunityService>> {
    with(&state, Kith::directory)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn import_directory(state: State<'_, AppState>, oruk_json: String) -> Reply<DirectoryImport> {
    change(&state, |kith| kith.import_directory(&oruk_json))
}

#[tauri::command(async)]
pub fn import_sample_directory(state: State<'_, AppState>) -> Reply<DirectoryImport> {
    change(&state, |kith| kith.import_directory(SAMPLE_DIRECTORY))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn connect_to_service(
    state: State<'_, AppState>,
    person_id: PersonId,
    service_id: ServiceId,
    care_plan_id: Option<CarePlanId>,
    kind: ConnectionKind,
    made_on: NaiveDate,
) -> Reply<Connection> {
    change(&state, |kith| {
        kith.connect_to_service(person_id, service_id, care_plan_id, kind, made_on)
    })
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn move_connection(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
    to: ConnectionStatus,
    on: NaiveDate,
) -> Reply<Connection> {
    change(&state, |kith| kith.move_connection(connection_id, to, on))
}

// ---- Consent and safeguarding ----

#[tauri::command(async, rename_all = "snake_case")]
pub fn record_consent(
    state: State<'_, AppState>,
    person_id: PersonId,
    kind: ConsentKind,
    decision: ConsentDecision,
    decided_on: NaiveDate,
) -> Reply<ConsentRecord> {
    change(&state, |kith| kith.record_consent(person_id, kind, decision, decided_on))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn withdraw_consent(
    state: State<'_, AppState>,
    person_id: PersonId,
    kind: ConsentKind,
    decided_on: NaiveDate,
) -> Reply<ConsentRecord> {
    change(&state, |kith| kith.withdraw_consent(person_id, kind, decided_on))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn raise_concern(
    state: State<'_, AppState>,
    person_id: PersonId,
    kind: ConcernKind,
    description: String,
) -> Reply<Concern> {
    change(&state, |kith| kith.raise_concern(person_id, kind, description))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn escalate_concern(
    state: State<'_, AppState>,
    concern_id: ConcernId,
    to_whom: String,
    reference: Option<String>,
) -> Reply<Concern> {
    change(&state, |kith| kith.escalate_concern(concern_id, to_whom, reference))
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn close_concern(
    state: State<'_, AppState>,
    concern_id: ConcernId,
    outcome: String,
) -> Reply<Concern> {
    change(&state, |kith| kith.close_concern(concern_id, outcome))
}
