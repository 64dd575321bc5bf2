//! Opening a profile's SQLCipher database: the raw key, an immediate key check, damage
//! checks, pragmas and migrations. Nothing here writes to the file before the key, the
//! file's integrity and its schema version have been checked.

use std::path::Path;

use kith_crypto::DatabaseKey;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use crate::migrations::MIGRATIONS;
use crate::StoreError;

/// Whether opening may create a new file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    Create,
    Existing,
}

/// How a database file's pages are laid out and authenticated. SQLCipher must be told before
/// the first read, and a file keeps the format it was made with, so a profile records it
/// (`keys.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PageFormat {
    /// Bytes per page (a power of two from 512 to 65,536).
    pub(crate) page_size: u32,
    /// The HMAC that authenticates each page.
    pub(crate) hmac: PageHmac,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PageHmac {
    #[serde(rename = "HMAC_SHA512")]
    Sha512,
    #[serde(rename = "HMAC_SHA256")]
    Sha256,
}

impl PageHmac {
    fn sqlcipher_name(self) -> &'static str {
        match self {
            PageHmac::Sha512 => "HMAC_SHA512",
            PageHmac::Sha256 => "HMAC_SHA256",
        }
    }
}

impl PageFormat {
    /// SQLCipher 4's defaults: the format of every profile made before formats were recorded.
    pub(crate) const SQLCIPHER_4: PageFormat =
        PageFormat { page_size: 4096, hmac: PageHmac::Sha512 };

    /// New profiles. 8 KiB pages hold six ~1 KB notes where 4 KiB ones held two (a page
    /// also keeps 48 to 80 bytes for its IV and HMAC), and each page costs one encryption,
    /// one HMAC and one write, whatever its size. HMAC-SHA256 (one of SQLCipher's options,
    /// and ample for authenticating a page) runs on the SHA instructions of current x86 and
    /// ARM processors, which have none for SHA-512. Together they took a 100k-record pull
    /// from 3.1 s to 2.7 s; a local note save writes a few 8 KiB pages instead of 4 KiB ones
    /// (+0.07 to 0.16 ms).
    pub(crate) const NEW_PROFILES: PageFormat =
        PageFormat { page_size: 8192, hmac: PageHmac::Sha256 };

    /// Whether SQLCipher accepts this page size.
    pub(crate) fn is_valid(self) -> bool {
        self.page_size.is_power_of_two() && (512..=65_536).contains(&self.page_size)
    }

    /// The format a profile's `keys.json` gives when it records none.
    pub(crate) fn sqlcipher_4() -> PageFormat {
        PageFormat::SQLCIPHER_4
    }
}

/// Opens, keys, checks and migrates the database at `path`, whose pages are in `format`.
pub(crate) fn open(
    path: &Path,
    key: &DatabaseKey,
    format: PageFormat,
    mode: OpenMode,
) -> Result<Connection, StoreError> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    match mode {
        OpenMode::Create => flags |= OpenFlags::SQLITE_OPEN_CREATE,
        OpenMode::Existing if !path.exists() => return Err(StoreError::ProfileNotFound),
        OpenMode::Existing => {}
    }
    let connection = Connection::open_with_flags(path, flags)?;
    // `PRAGMA key` answers "ok" even for a wrong key; the first read tells.
    let literal = key.sqlcipher_raw_key_literal();
    connection.pragma_update(None, "key", &*literal)?;
    drop(literal);
    connection.pragma_update(None, "cipher_page_size", format.page_size)?;
    connection.pragma_update(None, "cipher_hmac_algorithm", format.hmac.sqlcipher_name())?;
    // The first read above checked page 1's HMAC. Every other page is checked by SQLCipher
    // when it is read (a damaged page reads as `DamagedOrTampered`), and all at once by
    // `Store::verify_integrity`: checking every page here took 4.4 s on a 660 MB practice.
    prepare(connection, false)
}

/// Opens (creating if needed) an **unencrypted** database, only so benchmarks can compare
/// SQLCipher with plain SQLite on the same schema and queries. Compiled only with the
/// `plaintext-for-benchmarks` feature, which nothing but the benchmark example enables.
#[cfg(feature = "plaintext-for-benchmarks")]
pub(crate) fn open_plaintext_for_benchmarks(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_CREATE;
    let connection = Connection::open_with_flags(path, flags)?;
    // The same page size as a new encrypted profile, so the two compare like for like.
    connection.pragma_update(None, "page_size", PageFormat::NEW_PROFILES.page_size)?;
    prepare(connection, false)
}

/// The checks, pragmas and migrations shared by every way of opening.
fn prepare(connection: Connection, check_pages: bool) -> Result<Connection, StoreError> {
    connection
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get::<_, i64>(0))
        .map_err(|error| match StoreError::from(error) {
            StoreError::DamagedOrTampered(detail) => StoreError::DamagedOrTampered(format!(
                "the first page does not decrypt with this profile's key: {detail}"
            )),
            other => other,
        })?;
    if check_pages {
        check_cipher_integrity(&connection)?;
    }
    let version: u32 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let supported = MIGRATIONS.len() as u32;
    if version > supported {
        return Err(StoreError::NewerDatabase { found: version, supported });
    }
    // Keep temporary tables and sort files in memory, never on disk.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    // A 64 MiB page cache made SQLCipher's queries as fast as plain SQLite's.
    connection.pragma_update(None, "cache_size", -65536)?;
    connection.pragma_update(None, "foreign_keys", true)?;
    // Applying a pulled page alone uses more than rusqlite's default 16 statements; past
    // the cache, each would be compiled again for every record.
    connection.set_prepared_statement_cache_capacity(64);
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    let journal: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !journal.eq_ignore_ascii_case("wal") {
        return Err(StoreError::DamagedOrTampered(format!("journal mode stayed {journal}")));
    }
    // FULL: the WAL is synced at every commit, so an acknowledged note survives a power cut.
    connection.pragma_update(None, "synchronous", "FULL")?;
    migrate(&connection, version)?;
    Ok(connection)
}

/// Reads every page and checks its HMAC; any failure means damage or tampering.
pub(crate) fn check_cipher_integrity(connection: &Connection) -> Result<(), StoreError> {
    let mut statement = connection.prepare("PRAGMA cipher_integrity_check")?;
    let problems: Vec<String> =
        statement.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<_, _>>()?;
    if let Some(first) = problems.first() {
        return Err(StoreError::DamagedOrTampered(format!(
            "{} page(s) fail their integrity check, first: {first}",
            problems.len()
        )));
    }
    Ok(())
}

/// Runs SQLite's own structural check (`PRAGMA integrity_check`).
pub(crate) fn check_structure(connection: &Connection) -> Result<(), StoreError> {
    let result: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if result != "ok" {
        return Err(StoreError::DamagedOrTampered(result));
    }
    Ok(())
}

fn migrate(connection: &Connection, from_version: u32) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(from_version as usize) {
        let version = index as u32 + 1;
        let transaction = connection.unchecked_transaction()?;
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", version)?;
        transaction.commit()?;
    }
    Ok(())
}
