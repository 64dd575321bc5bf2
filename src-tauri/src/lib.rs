//! Kith desktop: the thin Tauri shell over kith-core.
//!
//! Each command deserialises its arguments, calls kith-core and maps the error to the
//! `{code, message}` the UI expects. Nothing else lives here.

use std::path::PathBuf;

use kith_core::{AppStatus, IpcError};

/// What the commands share: the data directory chosen at start-up.
struct AppState {
    data_dir: PathBuf,
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

#[tauri::command]
fn app_status(state: tauri::State<'_, AppState>) -> Result<AppStatus, IpcError> {
    kith_core::app_status(&state.data_dir).map_err(IpcError::from)
}

/// Opens the Kith window and runs until it is closed.
///
/// The data directory is `KITH_DATA_DIR` when set, else the OS data directory.
pub fn run() -> Result<(), StartError> {
    let data_dir = kith_core::resolve_data_dir(std::env::var_os(kith_core::DATA_DIR_ENV))
        .map_err(StartError::DataDir)?;
    tauri::Builder::default()
        .manage(AppState { data_dir })
        .invoke_handler(tauri::generate_handler![app_status])
        .run(tauri::generate_context!("../tauri.conf.json"))
        .map_err(StartError::Tauri)
}
