//! Encryption at rest and unlocking: byte search of the files, wrong secrets, recovery,
//! passphrase change, damage and newer databases.

use std::fs;
use std::path::{Path, PathBuf};

use kith_domain::PersonId;
use kith_store::{Profile, StoreError};

use crate::support::*;

struct Secrets {
    words: Vec<String>,
    nhs_numbers: Vec<String>,
    people: Vec<PersonId>,
}

/// Writes 150 people with unusual names and NHS numbers, each with notes of unusual words.
fn write_secrets(store: &kith_store::Store) -> Secrets {
    let mut words = Vec::new();
    let mut nhs_numbers = Vec::new();
    let mut people = Vec::new();
    for _ in 0..150 {
        let given = unique_word("Given");
        let family = unique_word("Family");
        let nhs = random_nhs_number();
        let person = store.add_person(new_person(&given, &family, Some(nhs.clone()))).unwrap();
        for _ in 0..2 {
            let word = unique_word("Noteword");
            store
                .add_note(new_note(person.id, &format!("Talked about the {word} allotment today")))
                .unwrap();
            words.push(word);
        }
        words.extend([given, family]);
        nhs_numbers.push(nhs);
        people.push(person.id);
    }
    Secrets { words, nhs_numbers, people }
}

fn profile_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect()
}

/// Every secret word starts with one of these, and every note contains "allotment".
const MARKERS: [&str; 4] = ["given", "family", "noteword", "allotment"];

/// Checks that no file holds any marker (case-insensitive) or any of the NHS numbers (as 10
/// digits in a row). Searching for the markers finds every generated word, fast.
fn assert_no_plaintext(files: &[PathBuf], nhs_numbers: &[String]) {
    let nhs_numbers: std::collections::HashSet<&[u8]> =
        nhs_numbers.iter().map(|number| number.as_bytes()).collect();
    for file in files {
        let bytes = fs::read(file).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        for marker in MARKERS {
            assert!(!text.contains(marker), "{marker}... found in plaintext in {}", file.display());
        }
        for run in bytes.split(|byte| !byte.is_ascii_digit()).filter(|run| run.len() >= 10) {
            for window in run.windows(10) {
                assert!(!nhs_numbers.contains(window), "an NHS number is in {}", file.display());
            }
        }
    }
}

#[test]
fn database_and_wal_never_contain_names_nhs_numbers_or_note_words() {
    let (profile, store) = new_profile();
    let secrets = write_secrets(&store);
    let wal = PathBuf::from(format!("{}-wal", Profile::database_path(profile.path()).display()));
    assert!(fs::metadata(&wal).unwrap().len() > 100_000, "the WAL should hold the writes");
    // While open, before any checkpoint: the data sits in the WAL.
    assert_no_plaintext(&profile_files(profile.path()), &secrets.nhs_numbers);
    // After a checkpoint the data is in the main file.
    store.checkpoint().unwrap();
    let database_size = fs::metadata(Profile::database_path(profile.path())).unwrap().len();
    assert!(database_size > 100_000);
    assert_no_plaintext(&profile_files(profile.path()), &secrets.nhs_numbers);
    // Sanity check of the check itself: the words and numbers are really in the database.
    let note_word = secrets.words.iter().find(|word| word.starts_with("Noteword")).unwrap();
    assert_eq!(store.search_notes(note_word, 5).unwrap().len(), 1);
    assert_eq!(store.search_people(&secrets.nhs_numbers[0], 5).unwrap().len(), 1);
    let given = secrets.words.iter().find(|word| word.starts_with("Given")).unwrap();
    assert_eq!(store.search_people(given, 5).unwrap().len(), 1);
    store.lock();
    assert_no_plaintext(&profile_files(profile.path()), &secrets.nhs_numbers);
}

#[test]
fn wrong_passphrase_is_a_clear_error_and_leaves_the_files_untouched() {
    let (profile, store) = new_profile();
    store.add_person(new_person("Ada", "Example", None)).unwrap();
    store.lock();
    let database = Profile::database_path(profile.path());
    let before = (sha256_file(&database), sha256_file(&Profile::keys_path(profile.path())));
    for wrong in ["correct horse battery stapler", "Correct horse battery staple", " "] {
        let error = Profile::unlock(profile.path(), wrong).unwrap_err();
        assert!(matches!(error, StoreError::WrongPassphrase), "{error:?}");
        assert_eq!(error.to_string(), "wrong passphrase");
    }
    let after = (sha256_file(&database), sha256_file(&Profile::keys_path(profile.path())));
    assert_eq!(before, after);
    // And the right one still works.
    assert_eq!(profile.unlock().people(None).unwrap().len(), 1);
}

#[test]
fn recovery_key_unlocks_and_a_typo_in_it_is_pointed_out() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Bea", "Example", None)).unwrap();
    store.lock();
    let typed = profile.recovery_key.to_human_string().to_lowercase().replace('-', " ");
    let mut store = Profile::unlock_with_recovery_key(profile.path(), &typed).unwrap();
    store.set_current_user(profile.user).unwrap();
    assert_eq!(store.person(person.id).unwrap().given_name, "Bea");
    store.lock();

    let mut typo: Vec<char> = profile.recovery_key.to_human_string().chars().collect();
    typo[0] = if typo[0] == '7' { '8' } else { '7' };
    let typo: String = typo.into_iter().collect();
    let error = Profile::unlock_with_recovery_key(profile.path(), &typo).unwrap_err();
    assert!(matches!(error, StoreError::RecoveryKeyTypo(_)), "{error:?}");
    assert!(error.to_string().contains("group 1"), "{error}");

    let other = kith_crypto::RecoveryKey::generate().unwrap().to_human_string();
    let error = Profile::unlock_with_recovery_key(profile.path(), &other).unwrap_err();
    assert!(matches!(error, StoreError::WrongRecoveryKey), "{error:?}");
}

#[test]
fn after_a_passphrase_change_the_old_one_is_refused_and_all_data_is_there() {
    let (profile, store) = new_profile();
    let secrets = write_secrets(&store);
    store.lock();
    let database = Profile::database_path(profile.path());
    let database_before = sha256_file(&database);
    let cheap = kith_crypto::KdfParams::insecure_for_tests().unwrap();
    Profile::change_passphrase_with_kdf(profile.path(), PASSPHRASE, "a new passphrase", cheap)
        .unwrap();
    assert_eq!(sha256_file(&database), database_before, "rewrap must not touch the database");
    assert!(matches!(
        Profile::unlock(profile.path(), PASSPHRASE).unwrap_err(),
        StoreError::WrongPassphrase
    ));
    let mut store = Profile::unlock(profile.path(), "a new passphrase").unwrap();
    store.set_current_user(profile.user).unwrap();
    assert_eq!(store.people(None).unwrap().len(), secrets.people.len());
    for person in &secrets.people {
        assert_eq!(store.notes_for(*person).unwrap().len(), 2);
    }
    store.verify_integrity().unwrap();
    // The recovery key still works after the change.
    store.lock();
    let recovery = profile.recovery_key.to_human_string();
    Profile::unlock_with_recovery_key(profile.path(), &recovery).unwrap();
}

#[test]
fn changing_the_passphrase_needs_the_old_one() {
    let (profile, store) = new_profile();
    store.lock();
    let keys_before = sha256_file(&Profile::keys_path(profile.path()));
    let error = Profile::change_passphrase(profile.path(), "not it", "new").unwrap_err();
    assert!(matches!(error, StoreError::WrongPassphrase));
    assert_eq!(sha256_file(&Profile::keys_path(profile.path())), keys_before);
}

/// Flips one byte at `offset` and returns the file's hash after the flip.
fn flip_byte(path: &Path, offset: usize) -> Vec<u8> {
    let mut bytes = fs::read(path).unwrap();
    bytes[offset] ^= 0x01;
    fs::write(path, bytes).unwrap();
    sha256_file(path)
}

/// The error damage gives: at unlock if a page read while opening is damaged, otherwise when
/// the damaged page is read (`verify_integrity` reads every page). Unlock checks only the
/// first page, so that it stays fast on a large practice.
fn damage_reported(dir: &Path) -> StoreError {
    match Profile::unlock(dir, PASSPHRASE) {
        Err(error) => error,
        Ok(store) => store.verify_integrity().unwrap_err(),
    }
}

#[test]
fn one_flipped_byte_in_a_data_page_is_reported_as_damage_without_panicking() {
    let (profile, store) = new_profile();
    write_secrets(&store);
    store.checkpoint().unwrap();
    store.lock();
    let database = Profile::database_path(profile.path());
    let size = fs::metadata(&database).unwrap().len() as usize;
    let page_size = page_format(profile.path()).0 as usize;
    assert!(size / page_size > 20, "need several data pages, have {}", size / page_size);
    // A byte in the middle of a page well past the first.
    let page = size / page_size / 2;
    let damaged = flip_byte(&database, page * page_size + 1000);
    let error = damage_reported(profile.path());
    assert!(matches!(error, StoreError::DamagedOrTampered(_)), "{error:?}");
    assert!(error.to_string().contains("damaged or has been tampered with"), "{error}");
    assert_eq!(sha256_file(&database), damaged, "finding damage must not write to the file");
}

#[test]
fn one_flipped_byte_in_the_first_page_is_reported_as_damage() {
    let (profile, store) = new_profile();
    store.add_person(new_person("Cy", "Example", None)).unwrap();
    store.checkpoint().unwrap();
    store.lock();
    let database = Profile::database_path(profile.path());
    let damaged = flip_byte(&database, 100);
    let error = Profile::unlock(profile.path(), PASSPHRASE).unwrap_err();
    assert!(matches!(error, StoreError::DamagedOrTampered(_)), "{error:?}");
    assert_eq!(sha256_file(&database), damaged);
}

#[test]
fn every_single_byte_flip_in_the_last_page_is_caught() {
    let (profile, store) = new_profile();
    store.add_person(new_person("Di", "Example", None)).unwrap();
    store.checkpoint().unwrap();
    store.lock();
    let database = Profile::database_path(profile.path());
    let original = fs::read(&database).unwrap();
    let last_page = original.len() - page_format(profile.path()).0 as usize;
    for offset in (last_page..original.len()).step_by(97) {
        let mut bytes = original.clone();
        bytes[offset] ^= 0x80;
        fs::write(&database, &bytes).unwrap();
        let error = damage_reported(profile.path());
        assert!(matches!(error, StoreError::DamagedOrTampered(_)), "offset {offset}: {error:?}");
    }
    fs::write(&database, &original).unwrap();
    profile.unlock().verify_integrity().unwrap();
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let (profile, store) = new_profile();
    store.add_person(new_person("Ed", "Example", None)).unwrap();
    store.checkpoint().unwrap();
    store.lock();
    let newer = kith_store::supported_schema_version() + 1;
    {
        let connection = raw_connection(&profile);
        connection.pragma_update(None, "user_version", newer).unwrap();
        connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
    }
    let database = Profile::database_path(profile.path());
    let before = sha256_file(&database);
    let error = Profile::unlock(profile.path(), PASSPHRASE).unwrap_err();
    match &error {
        StoreError::NewerDatabase { found, supported } => {
            assert_eq!(*found, newer);
            assert_eq!(*supported, newer - 1);
        }
        other => panic!("expected NewerDatabase, got {other:?}"),
    }
    assert!(error.to_string().contains("newer version of Kith"), "{error}");
    assert_eq!(sha256_file(&database), before);
}

#[test]
fn creating_over_an_existing_profile_is_refused() {
    let (profile, store) = new_profile();
    store.lock();
    let error = Profile::create(profile.path(), "another").unwrap_err();
    assert!(matches!(error, StoreError::ProfileExists));
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Profile::unlock(empty.path(), PASSPHRASE).unwrap_err(),
        StoreError::ProfileNotFound
    ));
}

#[test]
fn profile_dir_resolution_prefers_the_explicit_path_then_the_environment() {
    let explicit = Path::new("/tmp/explicit-kith");
    assert_eq!(kith_store::resolve_profile_dir(Some(explicit)).unwrap(), explicit);
    // The environment variable is read by the same function; the OS default is the fallback.
    let resolved = kith_store::resolve_profile_dir(None).unwrap();
    match std::env::var_os(kith_store::DATA_DIR_ENV) {
        Some(value) if !value.is_empty() => assert_eq!(resolved, PathBuf::from(value)),
        _ => assert!(resolved.to_string_lossy().to_lowercase().contains("kith")),
    }
}

#[test]
fn a_new_profile_records_its_page_format_and_its_file_opens_only_in_that_format() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Fay", "Example", None)).unwrap();
    store.checkpoint().unwrap();
    store.lock();
    assert_eq!(page_format(profile.path()), (8192, "HMAC_SHA256".to_owned()));
    let database = Profile::database_path(profile.path());
    let key = database_key(&profile);
    let people = |connection: rusqlite::Connection| {
        connection.query_row("SELECT count(*) FROM people", [], |row| row.get::<_, i64>(0))
    };
    assert_eq!(people(raw_connection_with(&database, &key, Some((8192, "HMAC_SHA256")))), Ok(1));
    // The recorded format is the one the file is in: SQLCipher's defaults cannot read it.
    assert!(people(raw_connection_with(&database, &key, None)).is_err());
    assert!(people(raw_connection_with(&database, &key, Some((8192, "HMAC_SHA512")))).is_err());
    assert_eq!(profile.unlock().person(person.id).unwrap().id, person.id);
}

/// Rewrites `keys.json` through `edit` (its JSON).
fn edit_keys_file(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = Profile::keys_path(dir);
    let mut keys: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut keys);
    fs::write(&path, serde_json::to_string_pretty(&keys).unwrap()).unwrap();
}

#[test]
fn a_profile_made_before_page_formats_were_recorded_opens_in_sqlcipher_defaults() {
    // Such a profile: a database in SQLCipher 4's default format (empty: unlocking creates
    // the schema) and a keys file without `pages`.
    let (profile, store) = new_profile();
    store.lock();
    let database = Profile::database_path(profile.path());
    fs::remove_file(&database).unwrap();
    let key = database_key(&profile);
    {
        let connection = raw_connection_with(&database, &key, None);
        connection.execute_batch("CREATE TABLE made (x); DROP TABLE made;").unwrap();
    }
    edit_keys_file(profile.path(), |keys| {
        keys.as_object_mut().unwrap().remove("pages");
    });

    let mut store = profile.unlock();
    store.set_current_user(profile.user).unwrap();
    let person = store.add_person(new_person("Gil", "Example", None)).unwrap();
    store.add_note(new_note(person.id, "Walked to the library together")).unwrap();
    assert_eq!(store.search_notes("library", 10).unwrap().len(), 1);
    store.verify_integrity().unwrap();
    store.checkpoint().unwrap();
    store.lock();
    // Still in the old format (nothing converted it), and the keys file still says nothing.
    let people = raw_connection_with(&database, &key, None)
        .query_row("SELECT count(*) FROM people", [], |row| row.get::<_, i64>(0))
        .unwrap();
    assert_eq!(people, 1);
    assert_eq!(page_format(profile.path()), (4096, "HMAC_SHA512".to_owned()));
    // Background sync's connection and its checkpointer open it too.
    let sync = Profile::open_for_sync(profile.path(), &key).unwrap();
    assert_eq!(sync.people(None).unwrap().len(), 1);
}

#[test]
fn a_keys_file_naming_a_page_size_sqlcipher_refuses_is_reported_as_damaged() {
    let (profile, store) = new_profile();
    store.lock();
    edit_keys_file(profile.path(), |keys| keys["pages"]["page_size"] = 5000.into());
    let error = Profile::unlock(profile.path(), PASSPHRASE).unwrap_err();
    assert!(matches!(error, StoreError::KeysFileDamaged(_)), "{error:?}");
    assert!(error.to_string().contains("5000"), "{error}");
    edit_keys_file(profile.path(), |keys| keys["pages"]["hmac"] = "HMAC_MD5".into());
    let error = Profile::unlock(profile.path(), PASSPHRASE).unwrap_err();
    assert!(matches!(error, StoreError::KeysFileDamaged(_)), "{error:?}");
}

#[test]
fn a_keys_file_giving_the_wrong_page_format_is_damage_and_writes_nothing() {
    let (profile, store) = new_profile();
    store.add_person(new_person("Hal", "Example", None)).unwrap();
    store.checkpoint().unwrap();
    store.lock();
    let database = Profile::database_path(profile.path());
    let before = sha256_file(&database);
    edit_keys_file(profile.path(), |keys| keys["pages"]["page_size"] = 4096.into());
    let error = Profile::unlock(profile.path(), PASSPHRASE).unwrap_err();
    assert!(matches!(error, StoreError::DamagedOrTampered(_)), "{error:?}");
    assert_eq!(sha256_file(&database), before);
}
