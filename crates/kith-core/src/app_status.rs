//! What the first-run screen shows before anything is unlocked: version, data folder, profile.

use std::path::Path;

use serde::Serialize;
use ts_rs::TS;

use crate::CoreError;

/// The file name of the encrypted profile database inside the data directory.
pub const PROFILE_DATABASE_FILE: &str = kith_store::DATABASE_FILE;

/// The app's state as far as it can be known without a passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    /// The version of the app, e.g. `0.1.0`.
    pub app_version: String,
    /// Whether a profile has been set up on this computer (so: unlock, not first run).
    pub profile_exists: bool,
    /// The data folder, for display only.
    pub data_dir_display: String,
}

/// Reports the app's status for the data directory `data_dir`. Reads, never writes.
pub fn app_status(data_dir: &Path) -> Result<AppStatus, CoreError> {
    let profile = data_dir.join(PROFILE_DATABASE_FILE);
    let profile_exists = match std::fs::metadata(&profile) {
        Ok(metadata) => metadata.is_file(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => false,
        Err(error) => return Err(error.into()),
    };
    Ok(AppStatus {
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        profile_exists,
        data_dir_display: data_dir.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_data_dir_has_no_profile() {
        let dir = tempfile::tempdir().unwrap();
        let status = app_status(dir.path()).unwrap();
        assert!(!status.profile_exists);
        assert_eq!(status.app_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(status.data_dir_display, dir.path().display().to_string());
    }

    #[test]
    fn a_missing_data_dir_is_first_run_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let status = app_status(&dir.path().join("not-yet-created")).unwrap();
        assert!(!status.profile_exists);
    }

    #[test]
    fn a_profile_file_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PROFILE_DATABASE_FILE), b"x").unwrap();
        assert!(app_status(dir.path()).unwrap().profile_exists);
    }

    #[test]
    fn a_directory_named_like_the_profile_is_not_a_profile() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(PROFILE_DATABASE_FILE)).unwrap();
        assert!(!app_status(dir.path()).unwrap().profile_exists);
    }
}
