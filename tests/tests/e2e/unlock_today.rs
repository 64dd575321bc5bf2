//! Real-window tests: First run to recovery key, unlock, lock and auto-lock, and Today.
