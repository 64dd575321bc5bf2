//! Kith desktop: the thin Tauri shell over kith-core.
