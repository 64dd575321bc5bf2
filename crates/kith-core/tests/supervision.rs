//! Supervision, told through kith-core with a real practice server on 127.0.0.1:0 and three
//! laptops with real encrypted profiles syncing in the background: two link workers and their
//! supervisor. Notes from both workers reach the supervisor's review queue grouped by worker;
//! marking them reviewed empties it and a new note brings the person back; each group counts its
//! people, records and concerns, and asks for more leave out those shown; a comment reaches
//! the right worker only (worker B never receives worker A's people or comments); a plan's
//! sign-off reaches its worker; caseload figures equal counts made here from what was recorded;
//! link workers are refused the supervisor's use cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, Days, NaiveDate};
use kith_core::{
    today, ErrorCode, Intake, Kith, LinkWorkerCaseload, NewCarePlan, NewGoal, NewSession,
    PracticeRole, ReviewQueue, TimelineItem, VisitRecord,
};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::session::{SessionKind, SessionStatus};
use kith_domain::supervision::{CaseloadBand, CommentAbout, ReviewedRecord, SignedOffRecord};
use kith_domain::{PersonId, UserId};
use kith_protocol::Role;

use support::{laptop, settle, sign_in, wait_until, Practice, PASSWORD};

mod support;

fn referral(received_on: NaiveDate) -> NewReferral {
    NewReferral {
        received_on,
        source: ReferralSource::Gp,
        referrer: Some(Referrer {
            name: "Dr Priya Shah".to_owned(),
            organisation: Some("Ashbridge Medical Centre".to_owned()),
            contact: None,
        }),
        reason: "Lonely since moving here.".to_owned(),
        needs: vec![Need::Loneliness],
        background: None,
        consent_to_referral: true,
    }
}

fn intake(kith: &Kith, given: &str, family: &str, received_on: NaiveDate) -> PersonId {
    let person = NewPerson {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        ..NewPerson::default()
    };
    let intake = Intake { person, referral: referral(received_on), duplicates_checked: true };
    kith.add_person_with_referral(intake).unwrap().person.id
}

fn days(date: NaiveDate, offset: i64) -> NaiveDate {
    if offset >= 0 {
        date.checked_add_days(Days::new(offset as u64)).unwrap()
    } else {
        date.checked_sub_days(Days::new(offset.unsigned_abs())).unwrap()
    }
}

/// The note bodies in the queue, per link worker.
fn notes_by_worker(queue: &ReviewQueue, worker: UserId) -> Vec<String> {
    let mut bodies: Vec<String> = queue
        .groups
        .iter()
        .filter(|group| group.link_worker == Some(worker))
        .flat_map(|group| &group.people)
        .flat_map(|person| &person.items)
        .filter(|item| matches!(item.record, ReviewedRecord::Note(_)))
        .map(|item| item.summary.clone())
        .collect();
    bodies.sort();
    bodies
}

fn queued_people(queue: &ReviewQueue) -> Vec<PersonId> {
    queue.groups.iter().flat_map(|group| &group.people).map(|person| person.person_id).collect()
}

#[test]
fn a_supervisor_reviews_two_link_workers_and_each_sees_only_their_own() {
    let practice = Practice::new();
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let (worker_a_name, _) = practice.account(Role::LinkWorker);
    let (worker_b_name, _) = practice.account(Role::LinkWorker);
    let dirs = tempfile::tempdir().unwrap();

    let mut supervisor = laptop(&dirs.path().join("supervisor"));
    supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    let mut worker_a = laptop(&dirs.path().join("worker-a"));
    let code = supervisor.create_invite().unwrap().code;
    worker_a.join_practice(&sign_in(&worker_a_name, PASSWORD), &code).unwrap();
    let mut worker_b = laptop(&dirs.path().join("worker-b"));
    let code = supervisor.create_invite().unwrap().code;
    worker_b.join_practice(&sign_in(&worker_b_name, PASSWORD), &code).unwrap();
    let a = worker_a.current_user().unwrap();
    let b = worker_b.current_user().unwrap();

    // The app knows its role; link workers are refused the supervisor's use cases.
    assert_eq!(supervisor.role().unwrap(), Some(PracticeRole::Supervisor));
    assert_eq!(worker_a.role().unwrap(), Some(PracticeRole::LinkWorker));

    let today = today();
    // Worker A: Ada (an open safeguarding concern) and Alan (an active plan, one visit held,
    // one missed, a review overdue).
    let ada = intake(&worker_a, "Ada", "Lovelace", today);
    let alan = intake(&worker_a, "Alan", "Turing", days(today, -20));
    worker_a.raise_concern(ada, ConcernKind::RiskToSelf, "Spoke of not coping.".into()).unwrap();
    let ada_note = worker_a.write_note(ada, "A: Ada was low; rang the GP.".into()).unwrap();
    worker_a.write_note(alan, "A: Alan wants to try the allotment.".into()).unwrap();
    let plan = worker_a
        .create_plan(NewCarePlan {
            person_id: alan,
            referral_id: None,
            goals: vec![NewGoal { in_own_words: "Get out twice a week".into(), steps: vec![] }],
            connections_to_try: vec![],
            planned_sessions: 6,
            planned_sessions_reason: None,
            starts_on: days(today, -20),
            review_on: Some(days(today, -1)),
        })
        .unwrap();
    let session_dates: Vec<NaiveDate> = [-14, -7, 0, 1, 2, 3].map(|d| days(today, d)).to_vec();
    let agreed =
        worker_a.agree_plan(plan.id, Some(session_dates.clone()), SessionKind::HomeVisit).unwrap();
    worker_a
        .record_visit(VisitRecord {
            session_id: agreed.sessions[0].id,
            status: SessionStatus::Held,
            duration_minutes: Some(45),
            note: "A: Visit held; we walked to the allotment.".into(),
        })
        .unwrap();

    // Worker B: Beth (a concern raised and closed, a session today) and Bob (referred 13
    // months ago: on the caseload, not in the last year's count).
    let beth = intake(&worker_b, "Beth", "Harmon", today);
    let bob = intake(&worker_b, "Bob", "Marley", days(today, -400));
    let concern = worker_b.raise_concern(beth, ConcernKind::Neglect, "Cold flat.".into()).unwrap();
    worker_b.close_concern(concern.id, "Heating fixed.".into()).unwrap();
    worker_b.write_note(beth, "B: Beth's heating is fixed.".into()).unwrap();
    let beth_session = worker_b
        .schedule_session(NewSession {
            person_id: beth,
            care_plan_id: None,
            date: today,
            start_time: None,
            kind: SessionKind::Phone,
            location: None,
        })
        .unwrap();

    settle(&[&worker_a, &worker_b, &supervisor]);

    // Notes from both workers are in the queue, grouped by worker; A's group comes first, and
    // in it Ada, because of her open concern.
    let queue = supervisor.review_queue().unwrap();
    assert_eq!(
        notes_by_worker(&queue, a),
        [
            "A: Ada was low; rang the GP.",
            "A: Alan wants to try the allotment.",
            "A: Visit held; we walked to the allotment."
        ]
    );
    assert_eq!(notes_by_worker(&queue, b), ["B: Beth's heating is fixed."]);
    assert_eq!(queue.groups.len(), 2, "one group per link worker");
    assert_eq!(queue.groups[0].link_worker, Some(a), "the group with an open concern first");
    assert_eq!(queue.groups[0].people[0].person_id, ada);
    assert_eq!(queue.groups[0].people[0].open_concerns, 1);
    let alan_in_queue = &queue.groups[0].people[1];
    assert_eq!(alan_in_queue.person_id, alan);
    let alan_records: Vec<ReviewedRecord> =
        alan_in_queue.items.iter().map(|item| item.record).collect();
    assert!(alan_records.contains(&ReviewedRecord::CarePlan(plan.id)), "the plan waits");
    assert!(alan_records.contains(&ReviewedRecord::Session(agreed.sessions[0].id)), "held visit");
    assert!(
        !alan_records.contains(&ReviewedRecord::Session(agreed.sessions[1].id)),
        "a planned session is not for review"
    );
    let ada_item = &queue.groups[0].people[0].items[0];
    assert_eq!(ada_item.record, ReviewedRecord::Note(ada_note.id));
    assert_eq!(ada_item.author, Some(a));
    assert!(!queued_people(&queue).contains(&bob), "nothing of Bob's to review");
    assert_eq!(
        queue.records_waiting as usize,
        queue.groups.iter().flat_map(|g| &g.people).map(|p| p.items.len()).sum::<usize>()
    );
    // Each group's totals count its people and records; A's counts Ada's concern.
    assert_eq!(queue.people_waiting, 3);
    for group in &queue.groups {
        assert_eq!(group.people_waiting as usize, group.people.len());
        let items: usize = group.people.iter().map(|p| p.items.len()).sum();
        assert_eq!(group.records_waiting as usize, items);
    }
    assert_eq!(queue.groups[0].people_with_concerns, 1);
    assert_eq!(queue.groups[1].people_with_concerns, 0, "Beth's concern is closed");
    // Asking for more of A's people, with both shown, gives no one else.
    let shown = [ada, alan];
    let more = supervisor.review_queue_more(Some(a), &shown).unwrap();
    assert!(more.people.is_empty());
    assert_eq!(more.people_waiting, 2);

    // Marking reviewed (item by item for A's people, the whole person for Beth) empties it.
    let mut records: Vec<ReviewedRecord> = queue.groups[0]
        .people
        .iter()
        .flat_map(|person| person.items.iter().map(|item| item.record))
        .collect();
    records.push(ReviewedRecord::Person(beth));
    supervisor.mark_reviewed(&records).unwrap();
    let empty = supervisor.review_queue().unwrap();
    assert!(empty.groups.is_empty() && empty.records_waiting == 0, "{empty:?}");
    assert_eq!(empty.people_waiting, 0);

    // A new note brings Alan back, with just that note.
    let later = worker_a.write_note(alan, "A: Alan went to the allotment alone.".into()).unwrap();
    worker_a.changed();
    wait_until("the new note reaches the queue", || {
        queued_people(&supervisor.review_queue().unwrap()).contains(&alan)
    });
    let queue = supervisor.review_queue().unwrap();
    assert_eq!(queued_people(&queue), [alan], "only Alan is back");
    let items: Vec<ReviewedRecord> =
        queue.groups[0].people[0].items.iter().map(|item| item.record).collect();
    assert_eq!(items, [ReviewedRecord::Note(later.id)]);

    // The supervisor's comments reach the right worker: on Today and on the person's record.
    let on_ada = supervisor
        .comment(ada, CommentAbout::Note(ada_note.id), "Please record who you told at the GP.")
        .unwrap();
    let on_beth =
        supervisor.comment(beth, CommentAbout::Person, "Good outcome; close the plan.").unwrap();
    assert_eq!(
        supervisor.comment(ada, CommentAbout::Person, "  ").unwrap_err().code(),
        ErrorCode::InvalidInput,
        "a blank comment is refused"
    );
    let comment_ids = |kith: &Kith| -> Vec<_> {
        kith.today().unwrap().supervisor_comments.iter().map(|c| c.comment.id).collect()
    };
    wait_until("A sees the comment on Today", || comment_ids(&worker_a) == [on_ada.id]);
    wait_until("B sees the comment on Today", || comment_ids(&worker_b) == [on_beth.id]);
    let today_a = worker_a.today().unwrap();
    assert_eq!(today_a.supervisor_comments[0].display_name, "Ada Lovelace");
    assert_eq!(
        today_a.supervisor_comments[0].comment.body,
        "Please record who you told at the GP."
    );
    let ada_record = worker_a.person_record(ada).unwrap();
    assert!(ada_record.timeline.iter().any(|entry| matches!(
        &entry.item,
        TimelineItem::Comment { comment } if comment.id == on_ada.id
            && comment.about == CommentAbout::Note(ada_note.id)
    )));

    // The supervisor signs off Alan's plan; it reaches worker A.
    let sign_off = supervisor
        .sign_off(SignedOffRecord::CarePlan(plan.id), Some("Goals are in his words."))
        .unwrap();
    wait_until("A sees the sign-off on Alan's record", || {
        worker_a.person_record(alan).unwrap().timeline.iter().any(|entry| {
            matches!(
                &entry.item,
                TimelineItem::SignOff { sign_off: seen } if seen.id == sign_off.id
                    && seen.record == SignedOffRecord::CarePlan(plan.id)
                    && seen.remark.as_deref() == Some("Goals are in his words.")
            )
        })
    });

    // Worker B never receives worker A's people or comments, nor A Beth's.
    settle(&[&worker_a, &worker_b, &supervisor]);
    let b_store = worker_b.store().unwrap();
    let mut b_people: Vec<PersonId> = b_store.people(None).unwrap().iter().map(|p| p.id).collect();
    b_people.sort();
    let mut expected_b = vec![beth, bob];
    expected_b.sort();
    assert_eq!(b_people, expected_b);
    for person in [ada, alan] {
        assert!(b_store.person(person).is_err(), "B holds one of A's people");
        assert!(b_store.comments_for(person).unwrap().is_empty(), "B holds a comment on A's");
        assert!(b_store.sign_offs_for(person).unwrap().is_empty());
    }
    assert_eq!(comment_ids(&worker_b), [on_beth.id]);
    assert!(worker_a.store().unwrap().person(beth).is_err());
    assert_eq!(comment_ids(&worker_a), [on_ada.id]);

    // Link workers may not review, comment, sign off or see everyone's caseloads.
    for refused in [
        worker_a.review_queue().map(|_| ()),
        worker_a.review_queue_more(Some(a), &[]).map(|_| ()),
        worker_a.mark_reviewed(&[ReviewedRecord::Note(later.id)]).map(|_| ()),
        worker_a.comment(alan, CommentAbout::Person, "Self-review").map(|_| ()),
        worker_a.sign_off(SignedOffRecord::CarePlan(plan.id), None).map(|_| ()),
        worker_a.caseloads().map(|_| ()),
    ] {
        let error = refused.unwrap_err();
        assert_eq!(error.code(), ErrorCode::NotPermitted);
        assert!(error.to_string().starts_with("Only supervisors can"), "{error}");
    }

    // Caseload figures per worker equal counts made here from what each recorded.
    let monday = days(today, -i64::from(today.weekday().num_days_from_monday()));
    let sunday = days(monday, 6);
    let this_week = |date: &NaiveDate| (monday..=sunday).contains(date);
    // A's sessions: the first was held, the rest are planned.
    let a_sessions_this_week = session_dates.iter().filter(|date| this_week(date)).count() as u32;
    let a_overdue_sessions = session_dates[1..].iter().filter(|date| **date < today).count() as u32;
    let b_sessions_this_week = u32::from(this_week(&beth_session.date));
    let year_ago = today.checked_sub_months(chrono::Months::new(12)).unwrap();
    let started =
        |received: &[NaiveDate]| received.iter().filter(|d| **d > year_ago).count() as u32;
    let expected = |link_worker,
                    people,
                    active,
                    waiting,
                    week,
                    overdue_sessions,
                    overdue_reviews,
                    concerns,
                    started: u32| {
        LinkWorkerCaseload {
            link_worker,
            people,
            active_people: active,
            waiting_for_first_contact: waiting,
            sessions_this_week: week,
            overdue_follow_ups: overdue_sessions + overdue_reviews,
            overdue_sessions,
            overdue_reviews,
            open_concerns: concerns,
            people_started_in_last_year: started,
            guidance: CaseloadBand::BelowGuidance,
            guidance_min_per_year: 200,
            guidance_max_per_year: 250,
        }
    };
    let caseloads = supervisor.caseloads_on(today).unwrap();
    assert_eq!(caseloads.len(), 2, "{caseloads:?}");
    let of = |worker: UserId| caseloads.iter().find(|c| c.link_worker == worker).unwrap().clone();
    // A: Ada referred (new), Alan active with a plan; one review overdue; Ada's concern open.
    assert_eq!(
        of(a),
        expected(
            a,
            2,
            1,
            1,
            a_sessions_this_week,
            a_overdue_sessions,
            1,
            1,
            started(&[today, days(today, -20)])
        )
    );
    // B: Beth and Bob referred (new); Beth's concern closed; Bob referred over a year ago.
    assert_eq!(
        of(b),
        expected(b, 2, 0, 2, b_sessions_this_week, 0, 0, 0, started(&[today, days(today, -400)]))
    );
}
