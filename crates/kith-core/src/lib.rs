//! What the Kith app does: unlock, caseload, record a visit, plan sessions, review. Called by the thin Tauri shell.
//!
//! Everything here is testable without a window. The types that cross the IPC boundary to the
//! UI derive `ts_rs::TS`; [`ipc_bindings`] lists them and `tests/bindings.rs` keeps
//! `ui/src/lib/bindings.ts` in step with them.

mod app_status;
mod care;
mod conflicts;
mod data_dir;
mod directory;
mod error;
mod gp_message;
mod kith;
mod people;
mod practice;
mod reassign;
mod referrals;
mod reports;
mod safety;
mod subject_access;
mod supervision;
mod sync_status;
mod views;

pub use app_status::{app_status, AppStatus, PROFILE_DATABASE_FILE};
pub use data_dir::{resolve_data_dir, DATA_DIR_ENV};
pub use error::{CoreError, ErrorCode, IpcError};

pub use care::{
    today, AgreedPlan, NewCarePlan, NewConversation, NewDischarge, NewGoal, NewMeasure, NewSession,
    PlanSuggestion, SavedVisitDraft, VisitDraft, VisitRecord,
};
pub use conflicts::{ConflictPerson, ConflictValue, ConflictView, KeepValue};
pub use directory::DirectoryImport;
pub use gp_message::{
    discharge_reason_words, may_share_with_gp_on, CodedEntry, ConnectionOffered, DischargeDetails,
    GpMessage, GpMessageDemographics, GpMessageRecipients, MeasureOutcome, NeedsAndConcerns,
    PatientIdentity, SharedDetails, SupportOffered, GP_MESSAGE_STANDARD,
};
pub use kith::{CreatedProfile, Kith, MIN_PASSPHRASE_CHARS};
pub use kith_store::CaseloadScope;
pub use people::{
    DuplicateReason, Intake, IntakeResult, PeopleFilter, PersonListing, PersonStatus,
    PossibleDuplicate, SearchHit,
};
pub use practice::{
    CreatedInvite, InviteCode, PracticeRecoveryKit, PracticeSignIn, KEY_CHECK_DEVICE_SEQ,
};
pub use reassign::LinkWorkerChoice;
pub use referrals::{GpCodeLine, GpCodeList, GpCodeToMark, ReferralProgress, GP_CODES_CSV_HEADER};
pub use reports::{
    session_kind_label, Attendance, BetterWhen, CaseloadOverTime, CategoryConnections, CountRow,
    GuidanceComparison, MonthCaseload, OutcomeChange, Report, SessionsBucket, SessionsPerPerson,
    CASELOAD_GUIDANCE_HIGH, CASELOAD_GUIDANCE_LOW, REPORT_CSV_HEADER,
};
pub use subject_access::{
    AuditRow, ConcernStep, ConcernWithEvents, ConnectionWithService, HeldRecord, MeasureWithScore,
    NoteWithAmendments, ReferralWithHistory, StatusChange, SubjectAccessExport,
};
pub use supervision::{
    LinkWorkerCaseload, PracticeRole, ReviewGroup, ReviewItem, ReviewPerson, ReviewQueue,
    SupervisorComment, REVIEW_ITEMS_PER_PERSON, REVIEW_PEOPLE_PER_PAGE, REVIEW_SUMMARY_CHARS,
};
pub use sync_status::SyncStatus;
pub use views::{
    Banner, CaseloadLine, PersonRecord, PlanView, SessionView, TimelineEntry, TimelineItem,
    TodayView,
};

use std::collections::BTreeSet;

use ts_rs::{TypeVisitor, TS};

/// The TypeScript declarations of every type that crosses the IPC boundary and of every type
/// they use, each once, sorted by name (ts-rs visits dependencies in an order that can change
/// from one build to the next).
///
/// Each entry is `(type name, declaration)`, e.g. `("AppStatus", "type AppStatus = { ... };")`.
pub fn ipc_bindings() -> Vec<(String, String)> {
    use kith_domain::{consent, directory, measures, safeguarding, session, supervision};
    let mut collect = Declarations::default();
    collect.visit::<AppStatus>();
    collect.visit::<ErrorCode>();
    collect.visit::<IpcError>();
    collect.visit::<CreatedProfile>();
    collect.visit::<TodayView>();
    collect.visit::<SearchHit>();
    collect.visit::<PeopleFilter>();
    collect.visit::<PersonListing>();
    collect.visit::<Intake>();
    collect.visit::<IntakeResult>();
    collect.visit::<PossibleDuplicate>();
    collect.visit::<PersonRecord>();
    collect.visit::<NewConversation>();
    collect.visit::<NewCarePlan>();
    collect.visit::<PlanSuggestion>();
    collect.visit::<AgreedPlan>();
    collect.visit::<NewSession>();
    collect.visit::<VisitRecord>();
    collect.visit::<VisitDraft>();
    collect.visit::<SavedVisitDraft>();
    collect.visit::<NewMeasure>();
    collect.visit::<NewDischarge>();
    collect.visit::<DirectoryImport>();
    collect.visit::<directory::CommunityService>();
    collect.visit::<directory::ConnectionKind>();
    collect.visit::<directory::ConnectionStatus>();
    collect.visit::<consent::ConsentKind>();
    collect.visit::<consent::ConsentDecision>();
    collect.visit::<safeguarding::ConcernKind>();
    collect.visit::<session::SessionStatus>();
    collect.visit::<session::SessionKind>();
    collect.visit::<measures::MeasureScore>();
    collect.visit::<SyncStatus>();
    collect.visit::<PracticeSignIn>();
    collect.visit::<PracticeRecoveryKit>();
    collect.visit::<CreatedInvite>();
    collect.visit::<PracticeRole>();
    collect.visit::<ReviewQueue>();
    collect.visit::<LinkWorkerCaseload>();
    collect.visit::<SupervisorComment>();
    collect.visit::<supervision::ReviewedRecord>();
    collect.visit::<supervision::CommentAbout>();
    collect.visit::<supervision::SignedOffRecord>();
    collect.visit::<supervision::Comment>();
    collect.visit::<supervision::ReviewMark>();
    collect.visit::<supervision::SignOff>();
    collect.visit::<ConflictView>();
    collect.visit::<KeepValue>();
    collect.visit::<LinkWorkerChoice>();
    collect.visit::<Report>();
    collect.visit::<GpMessage>();
    collect.visit::<GpCodeList>();
    collect.visit::<GpCodeToMark>();
    collect.visit::<kith_domain::referral::ReferralAnswerKind>();
    collect.visit::<SubjectAccessExport>();
    let mut declarations = collect.declarations;
    declarations.sort_by(|left, right| left.0.cmp(&right.0));
    declarations
}

/// Walks the IPC types and collects each named type's declaration once.
#[derive(Default)]
struct Declarations {
    seen: BTreeSet<String>,
    declarations: Vec<(String, String)>,
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        let cfg = ts_rs::Config::new();
        if T::output_path().is_some() {
            let name = T::ident(&cfg);
            if !self.seen.insert(name.clone()) {
                return;
            }
            self.declarations.push((name, T::decl(&cfg)));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}
