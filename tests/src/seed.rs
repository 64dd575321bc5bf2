//! Profiles prepared before a window test launches the app: a profile with a known passphrase
//! (cheap key derivation, so unlocking in the window is quick), unlocked for the test to add
//! what its story needs, then locked before the app opens it.

use std::path::Path;

use kith_core::{CreatedProfile, Kith};

/// The passphrase of every seeded profile.
pub const PASSPHRASE: &str = "kitchen table blue teapot";

/// Creates a profile in `data_dir`, lets `fill` add records through kith-core, and locks it.
/// Returns the recovery key shown at creation.
pub fn seed_profile(
    data_dir: &Path,
    fill: impl FnOnce(&Kith) -> anyhow::Result<()>,
) -> std::io::Result<CreatedProfile> {
    let mut kith = Kith::new(data_dir).with_cheap_kdf_for_tests();
    let created = kith.create_profile(PASSPHRASE).map_err(std::io::Error::other)?;
    fill(&kith).map_err(std::io::Error::other)?;
    kith.lock();
    Ok(created)
}
