//! Opening a profile's SQLCipher database: the raw key, an immediate key check, damage
//! checks, pragmas and migrations. Nothing here writes to the file before the key, the
//! file's integrity and its schema version have been checked.

use std::path::Path;

use kith_crypto::DatabaseKey;
use rusqlite::{Connection, OpenFlags};

use crate::migrations::MIGRATIONS;
use crate::StoreError;

/// Whether opening may create a new file.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpenMode {
    Create,
    Existing,
}

/// Opens, keys, checks and migrates the database at `path`.
pub(crate) fn open(
    path: &Path,
    key: &DatabaseKey,
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
    prepare(Connection::open_with_flags(path, flags)?, false)
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
