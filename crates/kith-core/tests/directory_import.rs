//! ORUK directory import through `Kith::import_directory` on a real profile: a file with bad
//! rows imports the good ones and lists each bad one with its reason; importing the file
//! again, changed, updates the services in place (same ids, connections kept) instead of
//! duplicating them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kith_core::{today, Kith};
use kith_domain::directory::ConnectionKind;
use kith_domain::person::NewPerson;
use serde_json::{json, Value};

const GARDEN: &str = "0b6f4a52-8f0e-4a57-9d1e-2f7c3b1a9e01";
const WALKING: &str = "0b6f4a52-8f0e-4a57-9d1e-2f7c3b1a9e02";
const CHOIR: &str = "0b6f4a52-8f0e-4a57-9d1e-2f7c3b1a9e03";
const LUNCH: &str = "0b6f4a52-8f0e-4a57-9d1e-2f7c3b1a9e04";

fn unlocked() -> (tempfile::TempDir, Kith) {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    kith.create_profile("directory import passphrase").unwrap();
    (dir, kith)
}

fn service(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "Meets every week.",
        "email": "hello@example.org",
        "status": "active"
    })
}

fn file_with_bad_rows() -> Value {
    let mut no_name = service("0b6f4a52-8f0e-4a57-9d1e-2f7c3b1a9e05", "x");
    no_name.as_object_mut().unwrap().remove("name");
    let mut bad_email = service("0b6f4a52-8f0e-4a57-9d1e-2f7c3b1a9e06", "Lunch Club");
    bad_email["email"] = json!("lunch club at example.org");
    json!([
        service(GARDEN, "Community Garden"), // 0 good
        no_name,                             // 1 no name
        service("not-a-uuid", "Book Club"),  // 2 id not a UUID
        service(WALKING, "Walking Group"),   // 3 good
        service(GARDEN, "Community Garden"), // 4 the same id again
        bad_email,                           // 5 bad email
        "a string, not a service",           // 6 not an object
        service(CHOIR, "Community Choir"),   // 7 good
    ])
}

#[test]
fn bad_rows_are_listed_with_their_reasons_and_the_good_ones_imported() {
    let (_dir, kith) = unlocked();
    let outcome = kith.import_directory(&file_with_bad_rows().to_string()).unwrap();
    assert_eq!((outcome.added, outcome.updated), (3, 0));
    let mut names: Vec<String> =
        kith.directory().unwrap().into_iter().map(|service| service.name).collect();
    names.sort();
    assert_eq!(names, ["Community Choir", "Community Garden", "Walking Group"]);

    assert_eq!(outcome.rejected.len(), 5, "{:#?}", outcome.rejected);
    let reasons = [
        ("service 2", "missing name"),
        ("service 3", "not a UUID"),
        ("service 5", "duplicate id: service 1 already uses it"),
        ("service 6", "not a valid email address"),
        ("service 7", "must be an object"),
    ];
    for ((row, reason), line) in reasons.iter().zip(&outcome.rejected) {
        assert!(line.starts_with(row), "{line:?} should be about {row}");
        assert!(line.contains(reason), "{line:?} should say {reason:?}");
    }
}

#[test]
fn a_re_import_updates_in_place_and_never_duplicates() {
    let (_dir, kith) = unlocked();
    kith.import_directory(&file_with_bad_rows().to_string()).unwrap();
    let before = kith.directory().unwrap();
    let garden = before.iter().find(|service| service.name == "Community Garden").unwrap().clone();

    let person = kith
        .store()
        .unwrap()
        .add_person(NewPerson {
            given_name: "Ivy".into(),
            family_name: "Marsh".into(),
            ..NewPerson::default()
        })
        .unwrap();
    let connection = kith
        .connect_to_service(person.id, garden.id, None, ConnectionKind::Signposted, today())
        .unwrap();

    // The directory a month later: the garden renamed, the choir gone from the file, a new
    // lunch club, and one bad row.
    let mut renamed = service(GARDEN, "Community Garden and Allotments");
    renamed["description"] = json!("Now on Saturdays too.");
    let changed = json!([
        renamed,
        service(WALKING, "Walking Group"),
        service(LUNCH, "Lunch Club"),
        service("", "No id"),
    ]);
    let outcome = kith.import_directory(&changed.to_string()).unwrap();
    assert_eq!((outcome.added, outcome.updated), (1, 2));
    assert_eq!(outcome.rejected.len(), 1);
    assert!(outcome.rejected[0].contains("missing id"), "{:?}", outcome.rejected);

    let after = kith.directory().unwrap();
    assert_eq!(after.len(), 4, "garden, walking, choir (kept), lunch: no duplicates");
    let garden_now = after.iter().find(|service| service.id == garden.id).unwrap();
    assert_eq!(garden_now.name, "Community Garden and Allotments");
    assert_eq!(garden_now.description.as_deref(), Some("Now on Saturdays too."));
    assert_eq!(after.iter().filter(|s| s.oruk_id.as_deref() == Some(GARDEN)).count(), 1);

    // Importing the same file again changes nothing in number.
    let again = kith.import_directory(&changed.to_string()).unwrap();
    assert_eq!((again.added, again.updated), (0, 3));
    assert_eq!(kith.directory().unwrap().len(), 4);

    // The person's connection still points at the same, renamed service.
    let connections = kith.store().unwrap().connections_for(person.id).unwrap();
    assert_eq!(connections.len(), 1);
    assert_eq!((connections[0].id, connections[0].service_id), (connection.id, garden.id));
}
