//! Subject access: two people with full histories (referral moved on, conversation, plan
//! with sessions, a visit with a note and its amendment, a deleted session, measures,
//! a connection, consent given and withdrawn, a concern raised, escalated and closed, a
//! discharge). The export of one holds every record of theirs, checked id by id against the
//! store's tables, and no id, name or note of the other; making it is audited.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use kith_core::{
    today, Intake, Kith, NewCarePlan, NewConversation, NewDischarge, NewGoal, NewMeasure,
    SubjectAccessExport, VisitRecord,
};
use kith_domain::care_plan::{GoalStep, ProgressStatus};
use kith_domain::consent::{ConsentDecision, ConsentKind};
use kith_domain::conversation::{Barrier, ConversationSetting};
use kith_domain::directory::ConnectionKind;
use kith_domain::discharge::DischargeReason;
use kith_domain::measures::{MeasureAnswers, MeasureTiming, Ucla3Answers};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, ReferralStatus, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::session::{SessionKind, SessionStatus};
use kith_domain::PersonId;
use uuid::Uuid;

fn unlocked() -> (tempfile::TempDir, Kith) {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    kith.create_profile("subject access passphrase").unwrap();
    (dir, kith)
}

fn days_ago(days: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(days)).unwrap()
}

/// The words that are this person's alone, to look for in the other's export.
struct Person {
    id: PersonId,
    words: Vec<String>,
}

/// Adds a person with a full history, using `tag` in every free-text field.
fn person_with_full_history(
    kith: &Kith,
    given: &str,
    family: &str,
    nhs: &str,
    tag: &str,
) -> Person {
    let service = kith.directory().unwrap().remove(0).id;
    let intake = kith
        .add_person_with_referral(Intake {
            person: NewPerson {
                nhs_number: Some(nhs.to_owned()),
                given_name: given.to_owned(),
                family_name: family.to_owned(),
                date_of_birth: NaiveDate::from_ymd_opt(1950, 6, 1),
                ..NewPerson::default()
            },
            referral: NewReferral {
                received_on: days_ago(60),
                source: ReferralSource::Gp,
                referrer: Some(Referrer {
                    name: format!("Dr {tag} Referrer"),
                    organisation: None,
                    contact: None,
                }),
                reason: format!("Referral reason {tag}"),
                needs: vec![Need::Loneliness],
                background: Some(format!("Background {tag}")),
                consent_to_referral: true,
            },
            duplicates_checked: true,
        })
        .unwrap();
    let id = intake.person.id;
    kith.move_referral(intake.referral.id, ReferralStatus::Contacted).unwrap();
    kith.move_referral(intake.referral.id, ReferralStatus::Accepted).unwrap();
    kith.record_conversation(NewConversation {
        person_id: id,
        referral_id: Some(intake.referral.id),
        held_on: days_ago(55),
        setting: ConversationSetting::Home,
        duration_minutes: 60,
        what_matters: format!("What matters {tag}"),
        strengths: None,
        wants_to_change: None,
        concerns: Vec::new(),
        barriers: vec![Barrier::Transport],
    })
    .unwrap();
    let plan = kith
        .create_plan(NewCarePlan {
            person_id: id,
            referral_id: Some(intake.referral.id),
            goals: vec![NewGoal {
                in_own_words: format!("Goal {tag}"),
                steps: vec![GoalStep {
                    what: "Walk to the park".to_owned(),
                    who: "Together".to_owned(),
                    by_when: None,
                    status: ProgressStatus::NotStarted,
                }],
            }],
            connections_to_try: Vec::new(),
            planned_sessions: 6,
            planned_sessions_reason: None,
            starts_on: days_ago(50),
            review_on: None,
        })
        .unwrap();
    let agreed = kith.agree_plan(plan.id, None, SessionKind::HomeVisit).unwrap();
    let (_, note) = kith
        .record_visit(VisitRecord {
            session_id: agreed.sessions[0].id,
            status: SessionStatus::Held,
            duration_minutes: Some(50),
            note: format!("Visit note {tag}"),
        })
        .unwrap();
    kith.amend_note(note.unwrap().id, format!("Amendment {tag}")).unwrap();
    kith.write_note(id, format!("Another note {tag}")).unwrap();
    kith.store().unwrap().delete_session(agreed.sessions[5].id).unwrap();
    for (timing, taken_on, answers) in [
        (MeasureTiming::Baseline, days_ago(50), [3, 3, 2]),
        (MeasureTiming::FollowUp, days_ago(2), [1, 2, 1]),
    ] {
        kith.record_measure(NewMeasure {
            person_id: id,
            timing,
            taken_on,
            answers: MeasureAnswers::Ucla3(Ucla3Answers { items: answers.map(Some) }),
        })
        .unwrap();
    }
    kith.connect_to_service(id, service, Some(plan.id), ConnectionKind::Referred, days_ago(40))
        .unwrap();
    kith.record_consent(id, ConsentKind::ShareWithGp, ConsentDecision::Given, days_ago(60))
        .unwrap();
    kith.withdraw_consent(id, ConsentKind::ShareWithGp, days_ago(20)).unwrap();
    let concern = kith.raise_concern(id, ConcernKind::Neglect, format!("Concern {tag}")).unwrap();
    kith.escalate_concern(concern.id, format!("Duty team {tag}"), None).unwrap();
    kith.close_concern(concern.id, format!("Outcome {tag}")).unwrap();
    kith.discharge(NewDischarge {
        person_id: id,
        referral_id: Some(intake.referral.id),
        care_plan_id: Some(plan.id),
        discharged_on: days_ago(1),
        reason: DischargeReason::PlanCompleted,
        closing_summary: format!("Closing summary {tag}"),
    })
    .unwrap();
    let words = [
        given.to_owned(),
        family.to_owned(),
        nhs.replace(' ', ""),
        format!("Referral reason {tag}"),
        format!("Background {tag}"),
        format!("What matters {tag}"),
        format!("Goal {tag}"),
        format!("Visit note {tag}"),
        format!("Amendment {tag}"),
        format!("Another note {tag}"),
        format!("Concern {tag}"),
        format!("Duty team {tag}"),
        format!("Outcome {tag}"),
        format!("Closing summary {tag}"),
        tag.to_owned(),
    ];
    Person { id, words: words.into() }
}

fn sample_directory() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../assets/directory/oruk-sample.json"),
    )
    .unwrap()
}

/// The export's record ids, by the store table they come from.
fn export_ids(export: &SubjectAccessExport) -> BTreeMap<String, BTreeSet<Uuid>> {
    let mut ids: BTreeMap<String, BTreeSet<Uuid>> = BTreeMap::new();
    let mut add = |table: &str, id: Uuid| {
        ids.entry(table.to_owned()).or_default().insert(id);
    };
    add("people", export.person.record.id.as_uuid());
    for kept in &export.referrals {
        add("referrals", kept.referral.id.as_uuid());
        for change in &kept.history {
            add("referral_status_history", change.id);
        }
    }
    for kept in &export.conversations {
        add("conversations", kept.record.id.as_uuid());
    }
    for kept in &export.care_plans {
        add("care_plans", kept.record.id.as_uuid());
    }
    for kept in &export.sessions {
        add("sessions", kept.record.id.as_uuid());
    }
    for kept in &export.notes {
        add("notes", kept.note.id.as_uuid());
    }
    for kept in &export.consent_history {
        add("consent_records", kept.id.as_uuid());
    }
    for kept in &export.concerns {
        add("concerns", kept.concern.id.as_uuid());
        for step in &kept.events {
            add("concern_events", step.id);
        }
    }
    for kept in &export.connections {
        add("connections", kept.connection.id.as_uuid());
    }
    for kept in &export.measures {
        add("measures", kept.measure.id.as_uuid());
    }
    for kept in &export.discharges {
        add("discharges", kept.record.id.as_uuid());
    }
    for comment in &export.comments {
        add("comments", comment.id.as_uuid());
    }
    for mark in &export.review_marks {
        add("review_marks", mark.id.as_uuid());
    }
    for sign_off in &export.sign_offs {
        add("sign_offs", sign_off.id.as_uuid());
    }
    for row in &export.audit_trail {
        if let Some(batch) = row.batch_id {
            add("audit_batches", batch);
        }
    }
    ids
}

#[test]
fn the_export_of_one_person_holds_every_record_of_theirs_and_nothing_of_anyone_else() {
    let (_dir, kith) = unlocked();
    kith.import_directory(&sample_directory()).unwrap();
    let alice =
        person_with_full_history(&kith, "Alicia", "Fairweather", "943 476 5919", "AARDVARK");
    let bob = person_with_full_history(&kith, "Barnaby", "Quillfeather", "401 023 2137", "ZEBRA");
    let store = kith.store().unwrap();

    let export = kith.subject_access_export(alice.id).unwrap();

    // Every row of every table that names Alice (found from the schema, not the registry),
    // deleted ones included.
    let mut held: BTreeMap<String, BTreeSet<Uuid>> = BTreeMap::new();
    for (table, id) in store.record_ids_about(alice.id).unwrap() {
        held.entry(table).or_default().insert(id);
    }
    assert_eq!(held.len(), 13, "every kind of record was made: {:?}", held.keys());
    assert_eq!(export_ids(&export), held);
    assert!(export.notes.len() >= 3 && export.sessions.len() == 6);
    let deleted: Vec<_> = export.sessions.iter().filter(|kept| kept.deleted_at.is_some()).collect();
    assert_eq!(deleted.len(), 1, "the deleted session is still held, and says so");
    let amended = export.notes.iter().find(|note| !note.amended_by.is_empty()).unwrap();
    let amendment = export.notes.iter().find(|note| note.note.amends.is_some()).unwrap();
    assert_eq!(amended.amended_by, [amendment.note.id]);
    assert!(export.measures.iter().all(|measure| measure.score.is_some()));
    assert!(export.connections.iter().all(|connection| connection.service_name.is_some()));
    assert_eq!(export.consent_history.len(), 2, "given, then withdrawn");

    // Histories, as the store keeps them.
    for referral in &export.referrals {
        let history = store.referral_history(referral.referral.id).unwrap();
        assert_eq!(referral.history.len(), history.len());
        assert!(referral.history.len() >= 4, "new, contacted, accepted, closed");
    }
    for concern in &export.concerns {
        let events = store.concern_events(concern.concern.id).unwrap();
        let steps: Vec<&str> = concern.events.iter().map(|step| step.event.as_str()).collect();
        assert_eq!(steps, ["raised", "escalated", "closed"]);
        assert_eq!(events.len(), 3);
    }

    // The audit trail about Alice, this export's own row last.
    let audit = store.audit_log_for(alice.id).unwrap();
    assert_eq!(export.audit_trail.len(), audit.len());
    let own = export.audit_trail.last().unwrap();
    assert_eq!((own.action.as_str(), own.record_kind.as_str()), ("read", "subject_access_export"));
    assert_eq!(own.record_id, alice.id.as_uuid());
    assert!(export
        .audit_trail
        .iter()
        .any(|row| row.action == "create" && row.record_kind == "note"));

    // Nothing of Bob's: no id, no name, no words.
    let json = export.to_json().unwrap();
    for (_, id) in store.record_ids_about(bob.id).unwrap() {
        assert!(!json.contains(&id.to_string()), "an id of the other person");
    }
    for word in &bob.words {
        assert!(!json.contains(word.as_str()), "the other person's {word:?}");
    }
    // ... while Alice's own words are all there.
    for word in &alice.words {
        assert!(json.contains(word.as_str()), "{word:?} missing from the export");
    }
    assert!(!format!("{export:?}").contains("Fairweather"), "Debug shows no personal data");
}

#[test]
fn every_export_is_audited_and_an_unknown_person_is_not_found() {
    let (_dir, kith) = unlocked();
    kith.import_directory(&sample_directory()).unwrap();
    let alice =
        person_with_full_history(&kith, "Alicia", "Fairweather", "943 476 5919", "AARDVARK");
    let exports = |kith: &Kith| {
        kith.store()
            .unwrap()
            .audit_log_for(alice.id)
            .unwrap()
            .iter()
            .filter(|row| row.record_kind == "subject_access_export")
            .count()
    };
    assert_eq!(exports(&kith), 0);
    kith.subject_access_export(alice.id).unwrap();
    let second = kith.subject_access_export(alice.id).unwrap();
    assert_eq!(exports(&kith), 2);
    let listed =
        second.audit_trail.iter().filter(|row| row.record_kind == "subject_access_export").count();
    assert_eq!(listed, 2, "the second export lists the first, and itself");
    assert_eq!(second.exported_by, kith.current_user().unwrap());
    let error = kith.subject_access_export(PersonId::new()).unwrap_err();
    assert!(matches!(error, kith_core::CoreError::NotFound { .. }), "{error:?}");
}
