//! Joining a practice, told through kith-core with real encrypted profiles and a real practice
//! server on 127.0.0.1:0: a supervisor sets the practice up and makes an invite, a link worker
//! joins with it and a change on her laptop reaches the supervisor by background sync; wrong
//! codes and passwords are refused in plain words; a removed laptop stops syncing and keeps its
//! data encrypted; locking stops sync and closes every connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use kith_core::{CoreError, ErrorCode, InviteCode, IpcError, Kith, SyncStatus};
use kith_protocol::Role;
use support::{laptop, person, server, sign_in, wait_until, Practice, PASSPHRASE, PASSWORD};

fn status(kith: &Kith) -> SyncStatus {
    kith.sync_status().unwrap()
}

fn code_of(error: CoreError) -> (ErrorCode, String) {
    let error = IpcError::from(error);
    (error.code, error.message)
}

#[test]
fn a_supervisor_sets_up_the_practice_and_a_link_workers_change_reaches_her() {
    let practice = Practice::new();
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let (worker_name, worker_id) = practice.account(Role::LinkWorker);
    let dirs = tempfile::tempdir().unwrap();

    // The supervisor sets up the practice and is shown the recovery kit once.
    let mut supervisor = laptop(&dirs.path().join("supervisor"));
    assert!(!status(&supervisor).joined);
    let kit = supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    assert_eq!(kit.server_address, server().address);
    assert_eq!(kit.kit_key.split('-').count(), 14, "printable groups of 4");
    assert!(kit.sealed_practice_key.split('-').all(|group| group.len() <= 4));
    assert!(!format!("{kit:?}").contains(&kit.kit_key[..9]), "the kit stays out of Debug");
    let joined = status(&supervisor);
    assert!(joined.joined && joined.running && !joined.revoked);
    assert_eq!(joined.server_address.as_deref(), Some(server().address.as_str()));
    assert!(supervisor.is_syncing_in_background());

    // Setting up twice, from this laptop or by another supervisor, is refused.
    let again = supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyJoined);
    let (second_supervisor, second_id) = practice.account(Role::Supervisor);
    let mut other = laptop(&dirs.path().join("other-supervisor"));
    let (code, message) =
        code_of(other.set_up_practice(&sign_in(&second_supervisor, PASSWORD)).unwrap_err());
    assert_eq!(code, ErrorCode::PracticeAlreadySetUp);
    assert!(message.contains("already been set up by another supervisor"), "{message}");
    assert!(!status(&other).joined);
    assert!(practice.devices(second_id).iter().all(|(_, revoked)| *revoked));

    // She makes an invite; the link worker joins with it on her laptop.
    let invite = supervisor.create_invite().unwrap();
    assert!(InviteCode::parse(&invite.code).is_ok());
    assert!(invite.expires_at > chrono::Utc::now() + chrono::Duration::days(6));
    let mut worker = laptop(&dirs.path().join("worker"));
    worker.join_practice(&sign_in(&worker_name, PASSWORD), &invite.code.to_lowercase()).unwrap();
    assert_eq!(worker.current_user().unwrap().as_uuid(), *worker_id.as_uuid());
    assert!(status(&worker).joined);
    let not_a_supervisor = worker.create_invite().unwrap_err();
    assert_eq!(not_a_supervisor.code(), ErrorCode::NotPermitted);

    // A used code does not work a second time.
    let (second_worker, _) = practice.account(Role::LinkWorker);
    let mut spare = laptop(&dirs.path().join("spare"));
    let used = spare.join_practice(&sign_in(&second_worker, PASSWORD), &invite.code).unwrap_err();
    assert_eq!(used.code(), ErrorCode::InviteNotAccepted);

    // The link worker records someone new; background sync takes it to the supervisor.
    let added = worker.store().unwrap().add_person(person("Philippa", "Arkwright")).unwrap();
    worker.changed();
    wait_until("the supervisor has the new person", || {
        supervisor.store().unwrap().person(added.id).is_ok()
    });
    let seen = supervisor.store().unwrap().person(added.id).unwrap();
    assert_eq!(seen.given_name, "Philippa");
    wait_until("the worker's change is accepted", || {
        let status = status(&worker);
        status.changes_waiting == 0 && status.last_synced_at.is_some()
    });
    let worker_status = status(&worker);
    assert_eq!(worker_status.online, Some(true));
    assert_eq!(worker_status.last_error, None);
    assert_eq!(worker_status.conflicts, 0);

    // After a restart (lock, unlock) the membership is remembered and sync resumes.
    supervisor.lock();
    assert!(matches!(supervisor.sync_status(), Err(CoreError::Locked)));
    supervisor.unlock(PASSPHRASE).unwrap();
    assert!(status(&supervisor).joined);
    assert!(supervisor.is_syncing_in_background());
    let another = supervisor.create_invite().unwrap();
    assert_ne!(another.code, invite.code);
}

#[test]
fn wrong_codes_and_passwords_are_refused_in_plain_words() {
    let practice = Practice::new();
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let (worker_name, worker_id) = practice.account(Role::LinkWorker);
    let dirs = tempfile::tempdir().unwrap();
    let mut supervisor = laptop(&dirs.path().join("supervisor"));
    supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    let invite = supervisor.create_invite().unwrap();
    let mut worker = laptop(&dirs.path().join("worker"));

    // A typo is caught on the laptop, before anything is sent.
    let mut typo: Vec<char> = invite.code.chars().collect();
    typo[0] = if typo[0] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    let (code, message) =
        code_of(worker.join_practice(&sign_in(&worker_name, PASSWORD), &typo).unwrap_err());
    assert_eq!(code, ErrorCode::InviteCodeTypo);
    assert!(message.contains("mistyped"), "{message}");
    assert!(practice.devices(worker_id).is_empty(), "nothing was sent for a typo");

    // A well-formed code the server never issued.
    let unknown = InviteCode::generate().unwrap();
    let (code, message) = code_of(
        worker.join_practice(&sign_in(&worker_name, PASSWORD), unknown.as_str()).unwrap_err(),
    );
    assert_eq!(code, ErrorCode::InviteNotAccepted);
    assert!(message.contains("Ask your supervisor for a new code"), "{message}");

    // The wrong password.
    let (code, message) = code_of(
        worker.join_practice(&sign_in(&worker_name, "not the password"), &invite.code).unwrap_err(),
    );
    assert_eq!(code, ErrorCode::WrongServerPassword);
    assert!(message.contains("username and password"), "{message}");

    // A link worker cannot set the practice up.
    let (code, _) = code_of(worker.set_up_practice(&sign_in(&worker_name, PASSWORD)).unwrap_err());
    assert_eq!(code, ErrorCode::NotPermitted);

    // A server that is not there.
    let mut nowhere = sign_in(&worker_name, PASSWORD);
    nowhere.server_address = "http://127.0.0.1:9".into();
    let (code, _) = code_of(worker.join_practice(&nowhere, &invite.code).unwrap_err());
    assert_eq!(code, ErrorCode::ServerUnreachable);

    // Nothing half-joined is left: not joined here, every enrolled device revoked again.
    assert!(!status(&worker).joined);
    let devices = practice.devices(worker_id);
    assert_eq!(devices.len(), 2, "the unknown code and the set-up attempt enrolled");
    assert!(devices.iter().all(|(_, revoked)| *revoked), "{devices:?}");

    // The right code still works after all that.
    worker.join_practice(&sign_in(&worker_name, PASSWORD), &invite.code).unwrap();
    assert!(status(&worker).joined);
}

#[test]
fn a_removed_laptop_stops_syncing_and_keeps_its_data_encrypted() {
    let practice = Practice::new();
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let (worker_name, worker_id) = practice.account(Role::LinkWorker);
    let dirs = tempfile::tempdir().unwrap();
    let mut supervisor = laptop(&dirs.path().join("supervisor"));
    supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    let invite = supervisor.create_invite().unwrap();
    let worker_dir = dirs.path().join("worker");
    let mut worker = laptop(&worker_dir);
    worker.join_practice(&sign_in(&worker_name, PASSWORD), &invite.code).unwrap();
    let synced = worker.store().unwrap().add_person(person("Zebedee", "Quartermaine")).unwrap();
    worker.changed();
    wait_until("the change is sent", || {
        let status = status(&worker);
        status.changes_waiting == 0 && status.last_synced_at.is_some()
    });

    // The administrator removes the laptop (lost, say).
    let (device, _) =
        practice.devices(worker_id).into_iter().find(|(_, revoked)| !revoked).unwrap();
    server().runtime.block_on(server().storage.revoke_device(device)).unwrap();
    worker.sync_now().unwrap();
    wait_until("the laptop knows it was removed", || status(&worker).revoked);
    let removed = status(&worker);
    assert!(!removed.running);
    let words = removed.last_error.unwrap();
    assert!(words.contains("removed from the practice"), "{words}");
    assert!(words.contains("stays encrypted"), "{words}");
    assert!(!worker.is_syncing_in_background());
    assert_eq!(worker.sync_now().unwrap_err().code(), ErrorCode::SyncStopped);

    // Work goes on locally; nothing is lost or sent.
    let local = worker.store().unwrap().add_person(person("Ottoline", "Fairweather")).unwrap();
    worker.changed();
    worker.lock();

    // On disk, every byte is ciphertext.
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&worker_dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for needle in ["Zebedee", "Quartermaine", "Ottoline", "Fairweather", "practice_membership"] {
        let found = bytes.windows(needle.len()).any(|window| window == needle.as_bytes());
        assert!(!found, "{needle} is readable in the profile's files");
    }
    let token_like = server().address.as_bytes();
    assert!(!bytes.windows(token_like.len()).any(|w| w == token_like), "the server address leaked");

    // It still opens, with everything there, and still refuses to sync.
    worker.unlock(PASSPHRASE).unwrap();
    assert_eq!(worker.store().unwrap().person(synced.id).unwrap().given_name, "Zebedee");
    assert_eq!(worker.store().unwrap().person(local.id).unwrap().given_name, "Ottoline");
    wait_until("the restarted laptop sees it was removed", || status(&worker).revoked);
    assert!(status(&worker).changes_waiting >= 1, "the local change is kept, waiting");
    assert!(supervisor.store().unwrap().person(local.id).is_err(), "nothing was sent");
}

#[test]
fn locking_stops_background_sync_and_closes_every_connection() {
    let practice = Practice::new();
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let dirs = tempfile::tempdir().unwrap();
    let profile = dirs.path().join("supervisor");
    let mut supervisor = laptop(&profile);
    supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    wait_until("a first sync", || status(&supervisor).last_synced_at.is_some());
    assert!(supervisor.is_syncing_in_background());

    supervisor.lock();
    assert!(!supervisor.is_syncing_in_background());
    assert!(matches!(supervisor.sync_status(), Err(CoreError::Locked)));
    // SQLite removes the WAL when the last connection closes: the UI's and the runner's.
    for leftover in ["kith.db-wal", "kith.db-shm"] {
        assert!(!profile.join(leftover).exists(), "{leftover} remains: a connection is open");
    }
    supervisor.changed(); // harmless when locked
    assert_eq!(supervisor.sync_now().unwrap_err().code(), ErrorCode::Locked);
}
