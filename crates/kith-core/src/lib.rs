//! What the Kith app does: unlock, caseload, record a visit, plan sessions, review. Called by the thin Tauri shell.
//!
//! Everything here is testable without a window. The types that cross the IPC boundary to the
//! UI derive `ts_rs::TS`; [`ipc_bindings`] lists them and `tests/bindings.rs` keeps
//! `ui/src/lib/bindings.ts` in step with them.

mod app_status;
mod care;
mod data_dir;
mod directory;
mod error;
mod kith;
mod people;
mod safety;
mod views;

pub use app_status::{app_status, AppStatus, PROFILE_DATABASE_FILE};
pub use data_dir::{resolve_data_dir, DATA_DIR_ENV};
pub use error::{CoreError, ErrorCode, IpcError};

pub use care::{
    today, AgreedPlan, NewCarePlan, NewConversation, NewDischarge, NewGoal, NewMeasure, NewSession,
    PlanSuggestion, VisitRecord,
};
pub use directory::DirectoryImport;
pub use kith::{CreatedProfile, Kith, MIN_PASSPHRASE_CHARS};
pub use kith_store::CaseloadScope;
pub use people::{DuplicateReason, Intake, IntakeResult, PossibleDuplicate, SearchHit};
pub use views::{
    Banner, CaseloadLine, PersonRecord, PlanView, SessionView, TimelineEntry, TimelineItem,
    TodayView,
};

use ts_rs::TS;

/// The TypeScript declarations of every type that crosses the IPC boundary, in a stable order.
///
/// Each entry is `(type name, declaration)`, e.g. `("AppStatus", "type AppStatus = { ... };")`.
pub fn ipc_bindings() -> Vec<(String, String)> {
    let cfg = ts_rs::Config::new();
    vec![
        (AppStatus::name(&cfg), AppStatus::decl(&cfg)),
        (ErrorCode::name(&cfg), ErrorCode::decl(&cfg)),
        (IpcError::name(&cfg), IpcError::decl(&cfg)),
    ]
}
