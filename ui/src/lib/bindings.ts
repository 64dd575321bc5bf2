// Generated from kith-core's IPC types by `cargo xtask bindings`. Do not edit.

export type AppStatus = { 
/**
 * The version of the app, e.g. `0.1.0`.
 */
app_version: string, 
/**
 * Whether a profile has been set up on this computer (so: unlock, not first run).
 */
profile_exists: boolean, 
/**
 * The data folder, for display only.
 */
data_dir_display: string, };

export type ErrorCode = "not_found" | "data_dir_unavailable" | "io" | "locked" | "wrong_passphrase" | "wrong_recovery_key" | "recovery_key_typo" | "weak_passphrase" | "damaged_or_tampered" | "newer_database" | "profile_exists" | "profile_not_found" | "invalid_input" | "possible_duplicate" | "storage";

export type IpcError = { code: ErrorCode, message: string, };
