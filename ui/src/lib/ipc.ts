// Calls into the Rust core over Tauri IPC. Every command's result is an Outcome: the value, or
// the {code, message} error the Rust side sends. Types come only from the generated bindings.
import { invoke } from "@tauri-apps/api/core";
import type { AppStatus, ErrorCode, IpcError } from "./bindings";

/** The error codes Rust can send; listing them all here is checked against the bindings. */
const ERROR_CODES: Record<ErrorCode, true> = {
  not_found: true,
  data_dir_unavailable: true,
  io: true,
  locked: true,
  wrong_passphrase: true,
  wrong_recovery_key: true,
  recovery_key_typo: true,
  weak_passphrase: true,
  damaged_or_tampered: true,
  newer_database: true,
  profile_exists: true,
  profile_not_found: true,
  invalid_input: true,
  possible_duplicate: true,
  storage: true,
};

/** An IPC failure that is not a Kith error, e.g. the app is not running inside Tauri. */
export interface TransportError {
  code: "transport";
  message: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IpcError | TransportError };

export function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.code === "string" &&
    Object.hasOwn(ERROR_CODES, candidate.code) &&
    typeof candidate.message === "string"
  );
}

/** Turns whatever `invoke` rejected with into an error the UI can show. */
export function toCommandError(reason: unknown): IpcError | TransportError {
  if (isIpcError(reason)) return reason;
  const message = reason instanceof Error ? reason.message : String(reason);
  return { code: "transport", message: `Kith could not reach its core: ${message}` };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await invoke<T>(command, args) };
  } catch (reason) {
    return { ok: false, error: toCommandError(reason) };
  }
}

/** Version, data folder and whether a profile exists — known before unlocking. */
export function appStatus(): Promise<Outcome<AppStatus>> {
  return call<AppStatus>("app_status");
}
