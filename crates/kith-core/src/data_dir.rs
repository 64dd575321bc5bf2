//! Where Kith keeps its data: the OS data directory, or `KITH_DATA_DIR` when set (tests use it).

use std::ffi::OsString;
use std::path::PathBuf;

use crate::CoreError;

/// The environment variable that overrides the data directory (kith-store's, re-exported).
pub const DATA_DIR_ENV: &str = kith_store::DATA_DIR_ENV;

/// Chooses the data directory: `override_dir` (the value of [`DATA_DIR_ENV`]) when given,
/// otherwise the operating system's per-user data directory for Kith.
///
/// The directory is not created here.
pub fn resolve_data_dir(override_dir: Option<OsString>) -> Result<PathBuf, CoreError> {
    match override_dir {
        Some(dir) if dir.is_empty() => Err(CoreError::DataDirUnavailable {
            reason: format!("{DATA_DIR_ENV} is set but empty"),
        }),
        Some(dir) => Ok(kith_store::resolve_profile_dir(Some(&PathBuf::from(dir)))?),
        // One rule for where the profile lives: kith-store's (the OS data directory).
        None => kith_store::resolve_profile_dir(None).map_err(|_| CoreError::DataDirUnavailable {
            reason: "the operating system reported no home directory".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_wins() {
        let dir = resolve_data_dir(Some("/tmp/kith-test".into())).unwrap();
        assert_eq!(dir, PathBuf::from("/tmp/kith-test"));
    }

    #[test]
    fn an_empty_override_is_refused_rather_than_meaning_the_current_directory() {
        let error = resolve_data_dir(Some(OsString::new())).unwrap_err();
        assert!(matches!(error, CoreError::DataDirUnavailable { .. }), "{error:?}");
    }

    #[test]
    fn without_override_the_os_data_dir_names_kith() {
        if let Ok(dir) = resolve_data_dir(None) {
            assert!(dir.to_string_lossy().to_lowercase().contains("kith"), "{}", dir.display());
        }
    }
}
