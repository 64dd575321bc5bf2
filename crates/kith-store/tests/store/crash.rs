//! SIGKILL of a process in the middle of writing notes, 20 times: the database must reopen,
//! pass its integrity checks, and hold every note whose commit was acknowledged.
//!
//! The writer is this same test binary re-executed with `KITH_CRASH_WRITER_DIR` set: the
//! test `crash::writer_process` then writes notes forever, printing each committed id.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use kith_domain::{NoteId, PersonId};
use kith_store::Profile;
use rand::Rng;

use crate::support::*;

const WRITER_DIR_ENV: &str = "KITH_CRASH_WRITER_DIR";
const WRITER_PERSON_ENV: &str = "KITH_CRASH_WRITER_PERSON";

/// The child side. Does nothing unless started by `sigkill_while_writing...` below.
#[test]
fn writer_process() {
    let (Some(dir), Some(person)) =
        (std::env::var_os(WRITER_DIR_ENV), std::env::var_os(WRITER_PERSON_ENV))
    else {
        return;
    };
    let person: PersonId = person.to_str().unwrap().parse().unwrap();
    let store = Profile::unlock(std::path::Path::new(&dir), PASSPHRASE).unwrap();
    println!("ready");
    let mut counter = 0u64;
    loop {
        counter += 1;
        let body = format!("Crash test note {counter}: {}", "walked to the allotment. ".repeat(20));
        let note = store.add_note(new_note(person, &body)).unwrap();
        // println! on stdout is line-buffered: each line is flushed as it is written.
        println!("committed {}", note.id);
    }
}

#[test]
fn sigkill_while_writing_notes_loses_no_acknowledged_note() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Crash", "Example", None)).unwrap();
    store.lock();
    let executable = std::env::current_exe().unwrap();
    let mut acknowledged: Vec<NoteId> = Vec::new();
    let mut rng = rand::thread_rng();
    for round in 0..20 {
        let mut child = Command::new(&executable)
            .args(["crash::writer_process", "--exact", "--nocapture", "--test-threads=1"])
            .env(WRITER_DIR_ENV, profile.path())
            .env(WRITER_PERSON_ENV, person.id.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Wait for the writer's first commit, then let it write for a random while.
        loop {
            let line = lines.next().expect("writer exited before its first commit").unwrap();
            if let Some(id) = line.strip_prefix("committed ") {
                acknowledged.push(id.trim().parse().unwrap());
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..150)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        for line in lines {
            let line = line.unwrap();
            if let Some(id) = line.strip_prefix("committed ") {
                acknowledged.push(id.trim().parse().unwrap());
            }
        }

        let mut store = Profile::unlock(profile.path(), PASSPHRASE).unwrap();
        store.verify_integrity().unwrap();
        store.set_current_user(profile.user).unwrap();
        let stored: std::collections::HashSet<NoteId> =
            store.notes_for(person.id).unwrap().into_iter().map(|note| note.id).collect();
        for id in &acknowledged {
            assert!(stored.contains(id), "round {round}: acknowledged note {id} is missing");
        }
        store.lock();
    }
}
