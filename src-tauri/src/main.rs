//! Kith desktop binary: starts the app and reports a start-up failure plainly.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    match kith_desktop::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Kith could not start: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
