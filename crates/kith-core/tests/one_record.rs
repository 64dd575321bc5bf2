//! One record on every laptop, told with two link workers, two supervisors and a reassignment
//! through a real practice server on 127.0.0.1:0: a referral's status history and a concern's
//! steps (with to whom it was escalated) written on a worker's laptop reach both supervisors;
//! a review mark made on one supervisor's laptop clears the item on the other's; the audit
//! trail (who read or changed the record, on which device) reaches supervisors and never a
//! link worker; after a reassignment the new worker's laptop holds the whole record, history
//! included; and the GP codes, the discharge message, the caseload figures, the review queue
//! and the subject access export are the same on every laptop allowed to hold the person.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use kith_core::{today, Intake, Kith, NewDischarge, ReviewQueue, SubjectAccessExport};
use kith_domain::discharge::DischargeReason;
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, ReferralStatus, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::supervision::ReviewedRecord;
use kith_domain::{PersonId, UserId};
use kith_protocol::Role;
use kith_store::registry::record_kinds;
use support::*;

fn join(practice: &Practice, inviter: &Kith, dirs: &tempfile::TempDir, role: Role) -> Kith {
    let (username, _) = practice.account(role);
    let invite = inviter.create_invite().unwrap();
    let name = format!("laptop-{}", uuid::Uuid::now_v7().simple());
    let mut kith = laptop_syncing_when_asked(&dirs.path().join(name));
    kith.join_practice(&sign_in(&username, PASSWORD), &invite.code).unwrap();
    kith
}

fn referral(received_on: NaiveDate) -> NewReferral {
    NewReferral {
        received_on,
        source: ReferralSource::Gp,
        referrer: Some(Referrer {
            name: "Dr Priya Shah".to_owned(),
            organisation: Some("Ashbridge Medical Centre".to_owned()),
            contact: None,
        }),
        reason: "Lonely since her husband died.".to_owned(),
        needs: vec![Need::Loneliness, Need::Bereavement],
        background: None,
        consent_to_referral: true,
    }
}

/// Rows about the person in every registered table (and the merge state), as counted here.
fn rows_about(kith: &Kith, person: PersonId) -> Vec<(&'static str, i64)> {
    let store = kith.store().unwrap();
    record_kinds()
        .into_iter()
        .filter(|kind| kind.about_person)
        .map(|kind| (kind.table, store.count_person_rows(kind.table, person).unwrap()))
        .filter(|(_, rows)| *rows > 0)
        .collect()
}

/// What must be equal on every laptop: the record's own ids from an export, its histories,
/// and the devices whose audit trail it holds.
fn export_shape(export: &SubjectAccessExport) -> serde_json::Value {
    let mut value = serde_json::to_value(export).unwrap();
    let object = value.as_object_mut().unwrap();
    for differs in ["exported_at", "exported_by", "audit_trail"] {
        object.remove(differs);
    }
    value
}

fn waiting_records(queue: &ReviewQueue, person: PersonId) -> BTreeSet<String> {
    queue
        .groups
        .iter()
        .flat_map(|group| &group.people)
        .filter(|entry| entry.person_id == person)
        .flat_map(|entry| entry.items.iter().map(|item| format!("{:?}", item.record)))
        .collect()
}

fn audit_devices(kith: &Kith, person: PersonId) -> BTreeSet<Option<uuid::Uuid>> {
    let trail = kith.store().unwrap().audit_log_for(person).unwrap();
    trail.into_iter().map(|entry| entry.device_id).collect()
}

fn device_of(kith: &Kith) -> uuid::Uuid {
    kith.store().unwrap().sync_device_id().unwrap().expect("a laptop that joined").0
}

#[test]
fn one_persons_record_is_the_same_on_every_laptop_that_holds_it() {
    let practice = Practice::new();
    let dirs = tempfile::tempdir().unwrap();
    let (first_supervisor_name, _) = practice.account(Role::Supervisor);
    let mut supervisor_one = laptop_syncing_when_asked(&dirs.path().join("supervisor-one"));
    supervisor_one.set_up_practice(&sign_in(&first_supervisor_name, PASSWORD)).unwrap();
    let mut supervisor_two = join(&practice, &supervisor_one, &dirs, Role::Supervisor);
    let mut worker_one = join(&practice, &supervisor_one, &dirs, Role::LinkWorker);
    let mut worker_two = join(&practice, &supervisor_one, &dirs, Role::LinkWorker);
    let worker_two_id: UserId = worker_two.current_user().unwrap();

    // Worker one takes the referral, contacts her, she accepts; a concern is raised and
    // escalated; a note is written.
    let received = today().pred_opt().unwrap();
    let person = NewPerson {
        given_name: "Maud".into(),
        family_name: "Pettigrew".into(),
        ..NewPerson::default()
    };
    let intake = Intake { person, referral: referral(received), duplicates_checked: true };
    let taken = worker_one.add_person_with_referral(intake).unwrap();
    let (maud, referral_id) = (taken.person.id, taken.referral.id);
    for status in [ReferralStatus::Contacted, ReferralStatus::Accepted] {
        worker_one.move_referral(referral_id, status).unwrap();
    }
    let concern = worker_one
        .raise_concern(maud, ConcernKind::RiskToSelf, "Spoke of not coping.".into())
        .unwrap();
    worker_one
        .escalate_concern(concern.id, "GP duty doctor".into(), Some("REF-2291".into()))
        .unwrap();
    let note = worker_one.write_note(maud, "Walked to the lunch club together.".into()).unwrap();
    let history_on_worker = worker_one.store().unwrap().referral_history(referral_id).unwrap();
    assert_eq!(history_on_worker.len(), 3, "new, contacted, accepted");

    // Both supervisors receive the histories, exactly as written.
    worker_one.changed();
    sync_until(
        "both supervisors have her history",
        &mut [&mut worker_one, &mut supervisor_one, &mut supervisor_two],
        |laptops| {
            laptops[1..].iter().all(|kith| {
                let store = kith.store().unwrap();
                store.referral_history(referral_id).unwrap().len() == 3
                    && store.concern_events(concern.id).unwrap().len() == 2
            })
        },
    );
    for supervisor in [&supervisor_one, &supervisor_two] {
        let store = supervisor.store().unwrap();
        assert_eq!(store.referral_history(referral_id).unwrap(), history_on_worker);
        let steps = store.concern_events(concern.id).unwrap();
        assert_eq!(steps[1].event, "escalated");
        assert_eq!(steps[1].to_whom.as_deref(), Some("GP duty doctor"));
        assert_eq!(steps[1].reference.as_deref(), Some("REF-2291"));
        assert_eq!(steps[1].by, worker_one.current_user().unwrap());
    }

    // Supervisor one reads her record and marks the note reviewed; on supervisor two's
    // laptop the note leaves the queue too.
    let queued = waiting_records(&supervisor_two.review_queue().unwrap(), maud);
    assert!(queued.contains(&format!("{:?}", ReviewedRecord::Note(note.id))), "{queued:?}");
    supervisor_one.person_record(maud).unwrap();
    supervisor_one.mark_reviewed(&[ReviewedRecord::Note(note.id)]).unwrap();
    supervisor_one.changed();
    sync_until(
        "the mark reaches supervisor two",
        &mut [&mut supervisor_one, &mut supervisor_two],
        |laptops| {
            let queue = laptops[1].review_queue().unwrap();
            !waiting_records(&queue, maud).contains(&format!("{:?}", ReviewedRecord::Note(note.id)))
        },
    );
    assert_eq!(
        waiting_records(&supervisor_one.review_queue().unwrap(), maud),
        waiting_records(&supervisor_two.review_queue().unwrap(), maud),
        "the same queue on both supervisors' laptops"
    );

    // The audit trail: worker one's changes and supervisor one's reads reach supervisor two;
    // the link worker never receives a supervisor's trail.
    let (worker_one_device, supervisor_one_device) =
        (device_of(&worker_one), device_of(&supervisor_one));
    supervisor_one.changed();
    worker_one.changed();
    sync_until(
        "supervisor two holds both devices' trails",
        &mut [&mut worker_one, &mut supervisor_one, &mut supervisor_two],
        |laptops| {
            let devices = audit_devices(laptops[2], maud);
            devices.contains(&Some(worker_one_device))
                && devices.contains(&Some(supervisor_one_device))
        },
    );
    let on_worker = audit_devices(&worker_one, maud);
    assert_eq!(on_worker, BTreeSet::from([Some(worker_one_device)]), "only its own trail");
    let trail = supervisor_two.store().unwrap().audit_log_for(maud).unwrap();
    assert!(trail.iter().any(|entry| entry.device_id == Some(supervisor_one_device)
        && entry.action == kith_store::AuditAction::Read));
    assert!(trail.iter().any(|entry| entry.device_id == Some(worker_one_device)
        && entry.record_kind == "note"
        && entry.action == kith_store::AuditAction::Create));
    // Worker two holds nothing of her.
    one_full_round(&mut worker_two);
    assert_eq!(rows_about(&worker_two, maud), vec![]);

    // Supervisor one moves her to worker two, whose laptop receives the whole record with
    // its history; worker one's laptop lets her go.
    supervisor_one.reassign_person(maud, worker_two_id).unwrap();
    sync_until(
        "worker two holds her whole record",
        &mut [&mut supervisor_one, &mut worker_two, &mut worker_one],
        |laptops| {
            let store = laptops[1].store().unwrap();
            store.referral_history(referral_id).unwrap().len() == 3
                && store.concern_events(concern.id).unwrap().len() == 2
                && laptops[2].store().unwrap().count_person_rows("people", maud).unwrap() == 0
        },
    );
    assert_eq!(
        worker_two.store().unwrap().referral_history(referral_id).unwrap(),
        history_on_worker
    );
    assert_eq!(rows_about(&worker_one, maud), vec![], "nothing of hers stays on worker one's");

    // Worker two discharges her. Every laptop that holds her makes the same GP message,
    // caseload figures, review queue and export.
    let discharge = worker_two
        .discharge(NewDischarge {
            person_id: maud,
            referral_id: Some(referral_id),
            care_plan_id: None,
            discharged_on: today(),
            reason: DischargeReason::PlanCompleted,
            closing_summary: "Goes to the lunch club each week.".into(),
        })
        .unwrap();
    worker_two.changed();
    sync_until(
        "both supervisors have the discharge",
        &mut [&mut worker_two, &mut supervisor_one, &mut supervisor_two],
        |laptops| {
            laptops[1..].iter().all(|kith| kith.store().unwrap().discharge(discharge.id).is_ok())
        },
    );
    let holders = [&worker_two, &supervisor_one, &supervisor_two];
    let gp_codes: Vec<serde_json::Value> = holders
        .iter()
        .map(|kith| serde_json::to_value(kith.discharge_message(discharge.id).unwrap().codes))
        .map(Result::unwrap)
        .collect();
    assert!(gp_codes.iter().all(|codes| *codes == gp_codes[0]), "{gp_codes:?}");
    assert!(!gp_codes[0].as_array().unwrap().is_empty(), "her codes were made");
    let exports: Vec<serde_json::Value> = holders
        .iter()
        .map(|kith| export_shape(&kith.subject_access_export(maud).unwrap()))
        .collect();
    assert!(exports.iter().all(|export| *export == exports[0]), "the same export everywhere");
    let caseloads = [&supervisor_one, &supervisor_two].map(|kith| kith.caseloads().unwrap());
    assert_eq!(caseloads[0], caseloads[1], "the same caseload figures");
    let queues = [&supervisor_one, &supervisor_two]
        .map(|kith| waiting_records(&kith.review_queue().unwrap(), maud));
    assert_eq!(queues[0], queues[1], "the same review queue");
    for kith in holders {
        let status = kith.sync_status().unwrap();
        assert_eq!((status.changes_refused, status.last_error.clone()), (0, None));
    }
}
