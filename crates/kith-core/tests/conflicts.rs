//! Conflicts and reassignment, told through kith-core with real encrypted profiles and a real
//! practice server on 127.0.0.1:0: the same phone number changed on a link worker's and the
//! supervisor's laptops while apart shows as one conflict with both values on both; the
//! supervisor keeps the value that lost and every laptop ends with it and no conflict. A
//! person moved from one link worker to another arrives on the new worker's laptop with their
//! notes and leaves nothing on the old one, even after it syncs again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::Utc;
use kith_core::{ErrorCode, KeepValue, Kith};
use kith_domain::note::NewNote;
use kith_domain::{PersonId, UserId};
use kith_protocol::Role;
use support::*;

/// A supervisor's laptop that set the practice up, and a link worker's that joined it.
fn supervisor_and_worker(
    practice: &Practice,
    dirs: &tempfile::TempDir,
) -> (Kith, (Kith, UserId, String)) {
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let mut supervisor = laptop_syncing_when_asked(&dirs.path().join("supervisor"));
    supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    let worker = join_as_worker(practice, &supervisor, dirs, "worker");
    (supervisor, worker)
}

fn join_as_worker(
    practice: &Practice,
    supervisor: &Kith,
    dirs: &tempfile::TempDir,
    name: &str,
) -> (Kith, UserId, String) {
    let (username, user_id) = practice.account(Role::LinkWorker);
    let invite = supervisor.create_invite().unwrap();
    let mut worker = laptop_syncing_when_asked(&dirs.path().join(name));
    worker.join_practice(&sign_in(&username, PASSWORD), &invite.code).unwrap();
    (worker, support::user_id(user_id), username)
}

fn phone(kith: &Kith, person: PersonId) -> Option<String> {
    kith.store().unwrap().person(person).unwrap().phone
}

#[test]
fn the_same_field_changed_on_two_laptops_is_one_conflict_the_supervisor_resolves_for_all() {
    let practice = Practice::new();
    let dirs = tempfile::tempdir().unwrap();
    let (mut supervisor, (mut worker, worker_id, _)) = supervisor_and_worker(&practice, &dirs);
    let supervisor_id = supervisor.current_user().unwrap();

    // The link worker adds someone; both laptops have them (and know each other's laptop).
    let person = worker.store().unwrap().add_person(person("Margaret", "Okafor")).unwrap();
    worker.changed();
    sync_until("the supervisor has the person", &mut [&mut worker, &mut supervisor], |both| {
        both[1].store().unwrap().person(person.id).is_ok()
    });
    one_full_round(&mut worker);
    one_full_round(&mut supervisor);
    one_full_round(&mut worker);

    // Apart (neither syncs), each records a different phone number.
    let mut on_worker = person.clone();
    on_worker.phone = Some("01632 960001".into());
    worker.store().unwrap().update_person(&on_worker).unwrap();
    let mut on_supervisor = supervisor.store().unwrap().person(person.id).unwrap();
    on_supervisor.phone = Some("01632 960002".into());
    supervisor.store().unwrap().update_person(&on_supervisor).unwrap();
    assert!(worker.conflicts().unwrap().is_empty());
    assert!(supervisor.conflicts().unwrap().is_empty());

    // Back together: both show the same one conflict with both values.
    sync_until("both laptops see the conflict", &mut [&mut worker, &mut supervisor], |both| {
        both.iter().all(|laptop| laptop.conflicts().unwrap().len() == 1)
    });
    let shown = supervisor.conflicts().unwrap().remove(0);
    let on_worker_laptop = worker.conflicts().unwrap().remove(0);
    assert_eq!(shown.id, on_worker_laptop.id, "the same conflict on both laptops");
    assert_eq!(shown.field, "phone number");
    assert_eq!(shown.record_kind, "personal details");
    let shown_person = shown.person.clone().unwrap();
    assert_eq!(shown_person.id, person.id);
    assert_eq!(shown_person.name.as_deref(), Some("Margaret Okafor"));
    let mut values = [shown.current.text.clone(), shown.losing.text.clone()];
    values.sort();
    assert_eq!(values, ["01632 960001".to_owned(), "01632 960002".to_owned()]);
    assert_eq!(phone(&supervisor, person.id).unwrap(), shown.current.text);
    assert_eq!(phone(&worker, person.id).unwrap(), shown.current.text);
    // Who wrote each value, as each laptop sees it.
    for (side, on_worker_side) in
        [(&shown.current, &on_worker_laptop.current), (&shown.losing, &on_worker_laptop.losing)]
    {
        let by_worker = side.text == "01632 960001";
        let writer = if by_worker { worker_id } else { supervisor_id };
        assert_eq!(side.written_by, Some(writer));
        assert_eq!(on_worker_side.written_by, Some(writer));
        let (on_supervisor_words, on_worker_words) =
            if by_worker { ("a link worker", "you") } else { ("you", "a supervisor") };
        assert_eq!(side.written_by_words, on_supervisor_words);
        assert_eq!(on_worker_side.written_by_words, on_worker_words);
        let age = Utc::now() - side.written_at;
        assert!(age >= chrono::Duration::zero() - chrono::Duration::seconds(5), "{age}");
        assert!(age < chrono::Duration::minutes(5), "written just now: {age}");
    }
    assert!(!format!("{shown:?}").contains("01632"), "no values in Debug");
    assert!(!format!("{shown:?}").contains("Margaret"), "no names in Debug");

    // The supervisor keeps the value that lost. A stale id is refused.
    let stale = supervisor.resolve_conflict("not-a-conflict", KeepValue::Losing).unwrap_err();
    assert_eq!(stale.code(), ErrorCode::NotFound);
    let chosen = shown.losing.text.clone();
    supervisor.resolve_conflict(&shown.id, KeepValue::Losing).unwrap();
    assert!(supervisor.conflicts().unwrap().is_empty());
    assert_eq!(phone(&supervisor, person.id).unwrap(), chosen);
    let again = supervisor.resolve_conflict(&shown.id, KeepValue::Current).unwrap_err();
    assert_eq!(again.code(), ErrorCode::NotFound, "resolved once only");

    // After sync every laptop has the chosen value and no conflict.
    sync_until("the worker has the resolution", &mut [&mut supervisor, &mut worker], |both| {
        both[1].conflicts().unwrap().is_empty()
    });
    one_full_round(&mut supervisor);
    one_full_round(&mut worker);
    for kith in [&worker, &supervisor] {
        assert_eq!(phone(kith, person.id).unwrap(), chosen);
        assert!(kith.conflicts().unwrap().is_empty());
        let status = kith.sync_status().unwrap();
        assert_eq!(status.conflicts, 0);
        assert_eq!(status.changes_waiting, 0);
        assert_eq!(status.last_error, None);
    }
}

/// Tables that hold a person's records on a laptop: every registered kind about a person,
/// and sync's bookkeeping.
fn person_tables() -> Vec<&'static str> {
    let kinds = kith_store::registry::record_kinds().into_iter().filter(|kind| kind.about_person);
    kinds.map(|kind| kind.table).chain(["outbox", "sync_records", "sync_inserts"]).collect()
}

fn rows_for(kith: &Kith, person: PersonId) -> Vec<(&'static str, i64)> {
    let store = kith.store().unwrap();
    person_tables()
        .into_iter()
        .map(|table| (table, store.count_person_rows(table, person).unwrap()))
        .filter(|(_, rows)| *rows > 0)
        .collect()
}

#[test]
fn a_person_moved_to_another_link_worker_moves_with_their_notes_and_leaves_the_old_laptop() {
    let practice = Practice::new();
    let dirs = tempfile::tempdir().unwrap();
    let (mut supervisor, (mut first, first_id, first_name)) =
        supervisor_and_worker(&practice, &dirs);
    let (mut second, second_id, second_name) =
        join_as_worker(&practice, &supervisor, &dirs, "second-worker");

    // The first worker carries two people and writes notes about the one who will move.
    let moving = first.store().unwrap().add_person(person("Philippa", "Arkwright")).unwrap();
    let staying = first.store().unwrap().add_person(person("Arthur", "Penhaligon")).unwrap();
    for body in ["First visit: keen on the walking group", "Phoned: went to the group"] {
        let note = NewNote { person_id: moving.id, body: body.into(), amends: None };
        first.store().unwrap().add_note(note).unwrap();
    }
    first.changed();
    sync_until("the supervisor has both people", &mut [&mut first, &mut supervisor], |both| {
        let store = both[1].store().unwrap();
        store.count_person_rows("notes", moving.id).unwrap() == 2
            && store.count_person_rows("people", staying.id).unwrap() == 1
    });
    one_full_round(&mut second);
    assert!(rows_for(&second, moving.id).is_empty(), "not the second worker's person yet");

    // Only a supervisor may list link workers or move people.
    let not_allowed = first.link_workers().unwrap_err();
    assert_eq!(not_allowed.code(), ErrorCode::NotPermitted);
    let not_allowed = first.reassign_person(moving.id, second_id).unwrap_err();
    assert_eq!(not_allowed.code(), ErrorCode::NotPermitted);
    let workers = supervisor.link_workers().unwrap();
    let names: Vec<_> = workers.iter().map(|worker| worker.username.as_str()).collect();
    assert!(names.contains(&first_name.as_str()) && names.contains(&second_name.as_str()));
    assert!(workers.iter().any(|worker| worker.user_id == first_id));
    assert!(workers.iter().any(|worker| worker.user_id == second_id));
    assert_eq!(workers.len(), 2, "link workers only, not the supervisor");
    let nobody = supervisor.reassign_person(moving.id, UserId::new()).unwrap_err();
    assert_eq!(nobody.code(), ErrorCode::NotFound);
    let (_, other_supervisor) = practice.account(Role::Supervisor);
    let not_a_worker =
        supervisor.reassign_person(moving.id, support::user_id(other_supervisor)).unwrap_err();
    assert_eq!(not_a_worker.code(), ErrorCode::InvalidInput);

    // The supervisor moves her to the second worker.
    supervisor.reassign_person(moving.id, second_id).unwrap();
    let on_supervisor = supervisor.store().unwrap().person(moving.id).unwrap();
    assert_eq!(on_supervisor.assigned_link_worker, Some(second_id));

    // The second worker receives her, with her notes and the new assignment.
    sync_until("the second worker has her", &mut [&mut supervisor, &mut second], |both| {
        let store = both[1].store().unwrap();
        store.count_person_rows("notes", moving.id).unwrap() == 2
            && store.person(moving.id).is_ok_and(|p| p.assigned_link_worker == Some(second_id))
    });
    assert!(rows_for(&second, staying.id).is_empty(), "never the first worker's other people");

    // The first worker's laptop removes her and everything about her; the other person stays.
    sync_until("the first worker's laptop lets her go", &mut [&mut first], |only| {
        only[0].store().unwrap().count_person_rows("people", moving.id).unwrap() == 0
    });
    assert_eq!(rows_for(&first, moving.id), vec![]);
    assert_eq!(first.store().unwrap().count_person_rows("people", staying.id).unwrap(), 1);
    assert!(first.store().unwrap().search_people("Arkwright", 10).unwrap().is_empty());

    // Later syncs do not bring her back, even after the second worker writes about her.
    let note = NewNote { person_id: moving.id, body: "Third visit".into(), amends: None };
    second.store().unwrap().add_note(note).unwrap();
    second.changed();
    sync_until("the supervisor has the new note", &mut [&mut second, &mut supervisor], |both| {
        both[1].store().unwrap().count_person_rows("notes", moving.id).unwrap() == 3
    });
    one_full_round(&mut first);
    one_full_round(&mut first);
    assert_eq!(rows_for(&first, moving.id), vec![]);
    assert_eq!(first.store().unwrap().count_person_rows("people", staying.id).unwrap(), 1);
    let status = first.sync_status().unwrap();
    assert_eq!(status.last_error, None);
    assert_eq!(status.changes_refused, 0);
}
