//! What the Kith app does: unlock, caseload, record a visit, plan sessions, review. Called by the thin Tauri shell.
