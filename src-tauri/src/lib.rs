//! Kith desktop: the thin Tauri shell over kith-core.
//!
//! [`commands`] holds one IPC command per kith-core use case; each maps the error to the
//! `{code, message}` the UI expects. Nothing else lives here.

mod commands;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kith_core::Kith;
use tauri::Manager;

/// What the commands share: the app, locked or unlocked, over the profile folder chosen at
/// start-up.
struct AppState {
    kith: Arc<Mutex<Kith>>,
    /// Set at the first request to close the window, while the page saves what was typed.
    closing: AtomicBool,
}

/// How long a close waits for the page to save and ask to close (its own limit is 5 s).
const CLOSE_WAIT: Duration = Duration::from_secs(7);

/// The first request to close the window is held while the page saves what was typed (a
/// visit's last words) and calls `close_window`. A page that does not answer within
/// [`CLOSE_WAIT`], or a second request, closes the window anyway.
fn close_requested(window: &tauri::Window, api: &tauri::CloseRequestApi) {
    let state = window.state::<AppState>();
    if state.closing.swap(true, Ordering::SeqCst) {
        return;
    }
    api.prevent_close();
    if let Some(webview) = window.get_webview_window(window.label()) {
        // A DOM event, not a Tauri event: the page is granted no event permissions.
        let _ = webview.eval("window.dispatchEvent(new Event('kith-close-requested'))");
    }
    let window = window.clone();
    std::thread::spawn(move || {
        std::thread::sleep(CLOSE_WAIT);
        let _ = window.destroy();
    });
}

/// Why the app could not start.
#[derive(Debug)]
pub enum StartError {
    DataDir(kith_core::CoreError),
    Tauri(tauri::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::DataDir(error) => write!(f, "{error}"),
            StartError::Tauri(error) => write!(f, "the window could not be opened: {error}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Opens the Kith window and runs until it is closed.
///
/// The data directory is `KITH_DATA_DIR` when set, else the OS data directory.
pub fn run() -> Result<(), StartError> {
    let data_dir: PathBuf = kith_core::resolve_data_dir(std::env::var_os(kith_core::DATA_DIR_ENV))
        .map_err(StartError::DataDir)?;
    tauri::Builder::default()
        .setup(move |app| {
            // Practice calls and background sync run on tauri's tokio runtime.
            let runtime = tauri::async_runtime::handle().inner().clone();
            app.manage(AppState {
                kith: Arc::new(Mutex::new(Kith::new(data_dir).with_runtime(runtime))),
                closing: AtomicBool::new(false),
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                close_requested(window, api);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::create_profile,
            commands::unlock,
            commands::unlock_with_recovery_key,
            commands::lock,
            commands::close_window,
            commands::set_up_practice,
            commands::join_practice,
            commands::create_invite,
            commands::sync_status,
            commands::sync_now,
            commands::today,
            commands::search_people,
            commands::find_possible_duplicates,
            commands::add_person_with_referral,
            commands::add_referral,
            commands::person_record,
            commands::record_conversation,
            commands::suggest_plan,
            commands::create_plan,
            commands::agree_plan,
            commands::move_plan,
            commands::schedule_session,
            commands::save_visit_draft,
            commands::visit_draft,
            commands::discard_visit_draft,
            commands::record_visit,
            commands::write_note,
            commands::amend_note,
            commands::record_measure,
            commands::discharge,
            commands::directory,
            commands::import_directory,
            commands::import_sample_directory,
            commands::connect_to_service,
            commands::move_connection,
            commands::record_consent,
            commands::withdraw_consent,
            commands::raise_concern,
            commands::escalate_concern,
            commands::close_concern,
            commands::people_list,
            commands::practice_role,
            commands::review_queue,
            commands::mark_reviewed,
            commands::comment,
            commands::sign_off,
            commands::caseloads,
            commands::conflicts,
            commands::resolve_conflict,
            commands::link_workers,
            commands::reassign_person,
            commands::report,
            commands::report_csv,
            commands::record_referral_answer,
            commands::practice_gp_codes,
            commands::unsent_gp_codes_csv,
            commands::mark_gp_codes_sent,
            commands::discharge_message,
            commands::discharge_message_json,
            commands::subject_access_export,
            commands::subject_access_json,
            commands::review_queue_more,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .map_err(StartError::Tauri)
}

#[cfg(test)]
mod tests {
    /// The window is granted exactly the app's own commands: each one (so none is refused)
    /// and nothing else (no plugin or core permission).
    #[test]
    fn the_capability_grants_exactly_the_commands() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
        let mut granted: Vec<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|permission| permission.as_str().unwrap().to_owned())
            .collect();
        let mut commands: Vec<String> = env!("KITH_COMMANDS")
            .split(',')
            .map(|name| format!("allow-{}", name.replace('_', "-")))
            .collect();
        granted.sort();
        commands.sort();
        assert!(commands.len() > 30, "{commands:?}");
        assert_eq!(granted, commands);
    }
}
