//! The repositories as a link worker uses them: people, referrals, plans, sessions, notes
//! and amendments, concerns, search, caseload, the audit log and the outbox.

use chrono::{Datelike, Days, Utc};
use kith_domain::care_plan::{CarePlan, CarePlanStatus, Goal, ProgressStatus};
use kith_domain::note::NewNote;
use kith_domain::referral::ReferralStatus;
use kith_domain::safeguarding::{Closure, Concern, ConcernKind, Escalation};
use kith_domain::session::{Session, SessionKind, SessionStatus};
use kith_domain::{CarePlanId, ConcernId, GoalId, SessionId, UserId};
use kith_store::{AuditAction, CaseloadScope, MatchedIn, StoreError};

use crate::support::*;

#[test]
fn notes_are_append_only_even_to_raw_sql_and_amendments_keep_the_original() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Nia", "Example", None)).unwrap();
    let original = store.add_note(new_note(person.id, "Visited on Monday")).unwrap();
    let amendment = store
        .add_note(NewNote {
            person_id: person.id,
            body: "Correction: the visit was on Tuesday".into(),
            amends: Some(original.id),
        })
        .unwrap();
    let notes = store.notes_for(person.id).unwrap();
    assert_eq!(notes, vec![original.clone(), amendment.clone()]);
    assert_eq!(notes[1].amends, Some(original.id));
    assert_eq!(original.author, profile.user);

    let connection = raw_connection(&profile);
    let update = connection.execute("UPDATE notes SET data = '{}'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = connection.execute("DELETE FROM notes", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let audit = connection.execute("DELETE FROM audit_log", []);
    assert!(audit.unwrap_err().to_string().contains("append-only"));
    drop(connection);
    assert_eq!(store.notes_for(person.id).unwrap().len(), 2);
}

#[test]
fn referral_moves_through_its_statuses_with_history() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Oli", "Example", None)).unwrap();
    let referral = store.add_referral(person.id, gp_referral()).unwrap();
    store.move_referral(referral.id, ReferralStatus::Contacted).unwrap();
    store.move_referral(referral.id, ReferralStatus::Accepted).unwrap();
    let history = store.referral_history(referral.id).unwrap();
    let steps: Vec<_> = history.iter().map(|change| (change.from, change.to)).collect();
    assert_eq!(
        steps,
        vec![
            (None, ReferralStatus::New),
            (Some(ReferralStatus::New), ReferralStatus::Contacted),
            (Some(ReferralStatus::Contacted), ReferralStatus::Accepted),
        ]
    );
    assert!(history.iter().all(|change| change.changed_by == profile.user));
    assert_eq!(store.referral(referral.id).unwrap().status, ReferralStatus::Accepted);
}

#[test]
fn every_change_is_in_the_outbox_and_the_audit_log_in_order() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Pam", "Example", None)).unwrap();
    let referral = store.add_referral(person.id, gp_referral()).unwrap();
    store.move_referral(referral.id, ReferralStatus::Contacted).unwrap();
    let note = store.add_note(new_note(person.id, "Phoned, will visit")).unwrap();

    let outbox = store.outbox_waiting(100).unwrap();
    let summary: Vec<_> =
        outbox.iter().map(|op| (op.kind.as_str(), op.operation.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            ("person", "create"),
            ("referral", "create"),
            ("referral_status_change", "create"),
            ("referral", "update"),
            ("referral_status_change", "create"),
            ("note", "create"),
        ],
        "each status change is a record of its own, synced like the referral"
    );
    let ids: Vec<_> = [0, 1, 3, 5].map(|index| outbox[index].record_id).into();
    let expected =
        [person.id.as_uuid(), referral.id.as_uuid(), referral.id.as_uuid(), note.id.as_uuid()];
    assert_eq!(ids, expected);
    let history = store.referral_history(referral.id).unwrap();
    assert_eq!([outbox[2].record_id, outbox[4].record_id], [history[0].id, history[1].id]);
    assert!(outbox.windows(2).all(|pair| pair[0].seq < pair[1].seq && pair[0].hlc < pair[1].hlc));
    assert!(outbox.iter().all(|op| op.op_id.get_version_num() == 7));
    assert!(outbox.iter().all(|op| op.person_id == Some(person.id)));
    // The payload is the kith-sync operation body: a note is inserted whole...
    let payload: kith_sync::OperationBody = serde_json::from_str(&outbox[5].payload).unwrap();
    let kith_sync::OperationBody::Insert { body } = payload else { panic!("{payload:?}") };
    assert_eq!(serde_json::from_value::<kith_domain::note::Note>(body).unwrap(), note);
    // ...and an edit carries only the changed field, based on the value it replaced.
    let payload: kith_sync::OperationBody = serde_json::from_str(&outbox[3].payload).unwrap();
    let kith_sync::OperationBody::Fields { fields } = payload else { panic!("{payload:?}") };
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["status"]);
    assert_eq!(fields["status"].value, serde_json::json!("contacted"));
    assert_eq!(fields["status"].bases.len(), 1);
    store.mark_pushed(outbox[1].seq).unwrap();
    assert_eq!(store.outbox_waiting(100).unwrap().len(), 4);

    store.person(person.id).unwrap();
    let audit = store.audit_log_for(person.id).unwrap();
    let actions: Vec<_> =
        audit.iter().map(|entry| (entry.action, entry.record_kind.as_str())).collect();
    assert_eq!(
        actions,
        vec![
            (AuditAction::Create, "person"),
            (AuditAction::Create, "referral"),
            (AuditAction::Update, "referral"),
            (AuditAction::Create, "note"),
            (AuditAction::Read, "person"),
        ]
    );
    assert!(audit.iter().all(|entry| entry.user_id == profile.user));
}

#[test]
fn nothing_is_written_without_a_current_user() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _recovery) = kith_store::Profile::create_with_kdf(
        dir.path(),
        PASSPHRASE,
        kith_crypto::KdfParams::insecure_for_tests().unwrap(),
    )
    .unwrap();
    let error = store.add_person(new_person("Ray", "Example", None)).unwrap_err();
    assert!(matches!(error, StoreError::NoCurrentUser));
    assert_eq!(store.count_rows("people").unwrap(), 0);
}

#[test]
fn search_finds_people_by_name_ignoring_accents_and_by_their_notes() {
    let (_profile, store) = new_profile();
    let zoe = store.add_person(new_person("Zoë", "Ashworth", None)).unwrap();
    let mut preferred = new_person("Margaret", "Ashdown", None);
    preferred.preferred_name = Some("Peggy".into());
    let peggy = store.add_person(preferred).unwrap();
    let other = store.add_person(new_person("Sam", "Brook", None)).unwrap();
    store.add_note(new_note(other.id, "Enjoys the Ashworth community garden")).unwrap();

    let by_accentless = store.search_people("zoe", 10).unwrap();
    assert_eq!(by_accentless.first().map(|hit| hit.person_id), Some(zoe.id));
    assert_eq!(store.search_people("peg", 10).unwrap()[0].person_id, peggy.id);
    let ash = store.search_people("ash", 10).unwrap();
    let names: Vec<_> = ash.iter().filter(|hit| hit.matched_in == MatchedIn::Name).collect();
    assert_eq!(names.len(), 2);
    let ashworth = store.search_people("ashworth", 10).unwrap();
    assert_eq!(ashworth[0].person_id, zoe.id);
    assert_eq!(ashworth[0].matched_in, MatchedIn::Name);
    assert_eq!(ashworth[1].person_id, other.id);
    assert_eq!(ashworth[1].matched_in, MatchedIn::Notes);
    assert!(store.search_people("\"unbalanced OR (", 10).unwrap().is_empty());

    let notes = store.search_notes("community gard", 10).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].person_id, other.id);

    // Renamed and deleted people follow.
    let mut renamed = store.person(zoe.id).unwrap();
    renamed.family_name = "Whitfield".into();
    store.update_person(&renamed).unwrap();
    assert!(store.search_people("whitfield", 10).unwrap()[0].person_id == zoe.id);
    assert!(store.search_people("ashworth", 10).unwrap().iter().all(|hit| hit.person_id != zoe.id));
    store.delete_person(peggy.id).unwrap();
    assert!(store.search_people("peggy", 10).unwrap().is_empty());
    assert!(matches!(store.person(peggy.id), Err(StoreError::NotFound { .. })));
    assert_eq!(store.count_rows("people").unwrap(), 3, "a deletion is a tombstone");
}

#[test]
fn note_search_matches_every_typed_word_in_any_order_and_copes_with_any_text() {
    let (_profile, store) = new_profile();
    let person = store.add_person(new_person("Ines", "Example", None)).unwrap();
    store.add_note(new_note(person.id, "Went to the café; the choir meets on Thursday")).unwrap();
    let other = store.add_person(new_person("Jo", "Example", None)).unwrap();
    store.add_note(new_note(other.id, "Thursday: choir cancelled, phoned instead")).unwrap();

    // Every word, anywhere in the note, the last one as a prefix; accents do not matter.
    assert_eq!(store.search_notes("thursday cafe", 10).unwrap().len(), 1);
    assert_eq!(store.search_notes("choir thurs", 10).unwrap().len(), 2);
    assert_eq!(store.search_notes("meets choir", 10).unwrap().len(), 1);
    assert!(store.search_notes("choir tuesday", 10).unwrap().is_empty());
    // A word in a script with vowel signs is one word, found whole or by its start.
    let hindi = store.add_person(new_person("Asha", "Example", None)).unwrap();
    store.add_note(new_note(hindi.id, "उन्हें बागवानी पसंद है")).unwrap();
    assert_eq!(store.search_notes("बागवानी", 10).unwrap().len(), 1);
    assert_eq!(store.search_notes("पसंद बाग", 10).unwrap().len(), 1);
    assert!(store.search_notes("बागवानीx", 10).unwrap().is_empty());
    // Letters the index's tokenizer may split (newer scripts, superscripts, joined letters)
    // and search syntax give results or none, never an error.
    for typed in [
        "ꭰꭱ",
        "x²",
        "ǅemal",
        "١٢٣",
        "a\u{301}b",
        "\"choir meets\"",
        "choir NEAR thursday",
        "body:choir",
    ] {
        store.search_notes(typed, 10).unwrap_or_else(|error| panic!("{typed}: {error}"));
    }
}

fn session(person: kith_domain::PersonId, worker: UserId, days_from_today: i64) -> Session {
    let date = if days_from_today >= 0 {
        today().checked_add_days(Days::new(days_from_today as u64)).unwrap()
    } else {
        today().checked_sub_days(Days::new((-days_from_today) as u64)).unwrap()
    };
    Session {
        id: SessionId::new(),
        person_id: person,
        care_plan_id: None,
        link_worker: worker,
        date,
        start_time: None,
        kind: SessionKind::HomeVisit,
        status: SessionStatus::Planned,
        duration_minutes: None,
        location: None,
    }
}

#[test]
fn caseload_shows_what_needs_attention_for_a_link_worker_and_for_everyone() {
    let (profile, store) = new_profile();
    let me = profile.user;
    let colleague = UserId::new();
    let mut mine = new_person("Una", "Example", None);
    mine.assigned_link_worker = Some(me);
    let mine = store.add_person(mine).unwrap();
    let mut theirs = new_person("Vic", "Example", None);
    theirs.assigned_link_worker = Some(colleague);
    let theirs = store.add_person(theirs).unwrap();

    let visit_today = session(mine.id, me, 0);
    let overdue = session(mine.id, me, -3);
    let recorded = session(mine.id, me, -2);
    let later = session(mine.id, me, 30);
    let colleague_today = session(theirs.id, colleague, 0);
    for session in [&visit_today, &overdue, &recorded, &later, &colleague_today] {
        store.add_session(session).unwrap();
    }
    store.record_session_outcome(recorded.id, SessionStatus::Held, Some(45)).unwrap();
    let days_left_this_week = 6 - today().weekday().num_days_from_monday() as i64;
    let this_week = (days_left_this_week > 0).then(|| {
        let session = session(mine.id, me, days_left_this_week);
        store.add_session(&session).unwrap();
        session
    });

    let referral = store.add_referral(mine.id, gp_referral()).unwrap();
    store.add_referral(theirs.id, gp_referral()).unwrap();

    let mut overdue_plan = CarePlan {
        id: CarePlanId::new(),
        person_id: mine.id,
        referral_id: Some(referral.id),
        status: CarePlanStatus::Draft,
        goals: vec![Goal {
            id: GoalId::new(),
            in_own_words: "Get out of the house twice a week".into(),
            steps: Vec::new(),
            status: ProgressStatus::InProgress,
        }],
        connections_to_try: Vec::new(),
        planned_sessions: 8,
        planned_sessions_reason: None,
        starts_on: today().checked_sub_days(Days::new(100)).unwrap(),
        review_on: today().checked_sub_days(Days::new(10)).unwrap(),
        agreed_on: None,
    };
    store.add_care_plan(&overdue_plan).unwrap();
    overdue_plan = store.move_care_plan(overdue_plan.id, CarePlanStatus::Agreed).unwrap();
    assert_eq!(overdue_plan.agreed_on, Some(today()));

    let concern = Concern::raise(
        ConcernId::new(),
        mine.id,
        ConcernKind::Neglect,
        "Home very cold, no heating".into(),
        me,
        Utc::now(),
    )
    .unwrap();
    store.raise_concern(&concern).unwrap();

    let caseload = store.caseload(CaseloadScope::LinkWorker(me), today()).unwrap();
    let ids = |entries: &[kith_store::CaseloadEntry]| -> Vec<uuid::Uuid> {
        entries.iter().map(|entry| entry.record_id).collect()
    };
    assert_eq!(ids(&caseload.visits_today), vec![visit_today.id.as_uuid()]);
    assert_eq!(ids(&caseload.overdue_sessions), vec![overdue.id.as_uuid()]);
    assert_eq!(ids(&caseload.overdue_reviews), vec![overdue_plan.id.as_uuid()]);
    assert_eq!(
        ids(&caseload.due_this_week),
        this_week.iter().map(|session| session.id.as_uuid()).collect::<Vec<_>>()
    );
    assert_eq!(ids(&caseload.new_referrals), vec![referral.id.as_uuid()]);
    assert_eq!(ids(&caseload.open_concerns), vec![concern.id.as_uuid()]);
    assert_eq!(caseload.visits_today[0].display_name, "Una Example");

    let everyone = store.caseload(CaseloadScope::Everyone, today()).unwrap();
    assert_eq!(everyone.visits_today.len(), 2);
    assert_eq!(everyone.new_referrals.len(), 2);

    // Contacting the person and closing the concern clear those lines.
    store.move_referral(referral.id, ReferralStatus::Contacted).unwrap();
    store
        .escalate_concern(
            concern.id,
            Escalation {
                to_whom: "Adult social care duty team".into(),
                escalated_at: Utc::now(),
                escalated_by: me,
                reference: None,
            },
        )
        .unwrap();
    assert_eq!(
        store.caseload(CaseloadScope::LinkWorker(me), today()).unwrap().open_concerns.len(),
        1,
        "an escalated concern is still open"
    );
    store
        .close_concern(
            concern.id,
            Closure { closed_at: Utc::now(), closed_by: me, outcome: "Heating repaired".into() },
        )
        .unwrap();
    let events: Vec<_> =
        store.concern_events(concern.id).unwrap().into_iter().map(|event| event.event).collect();
    assert_eq!(events, ["raised", "escalated", "closed"]);
    let after = store.caseload(CaseloadScope::LinkWorker(me), today()).unwrap();
    assert!(after.new_referrals.is_empty());
    assert!(after.open_concerns.is_empty());
}

#[test]
fn a_session_knows_its_number_in_the_plan() {
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Wyn", "Example", None)).unwrap();
    let plan = CarePlan {
        id: CarePlanId::new(),
        person_id: person.id,
        referral_id: None,
        status: CarePlanStatus::Draft,
        goals: Vec::new(),
        connections_to_try: Vec::new(),
        planned_sessions: 8,
        planned_sessions_reason: None,
        starts_on: today(),
        review_on: today().checked_add_days(Days::new(84)).unwrap(),
        agreed_on: None,
    };
    store.add_care_plan(&plan).unwrap();
    let mut sessions = Vec::new();
    for week in 0..3 {
        let mut planned = session(person.id, profile.user, 7 * week + 1);
        planned.care_plan_id = Some(plan.id);
        store.add_session(&planned).unwrap();
        sessions.push(planned);
    }
    let number = store.session_number(sessions[2].id).unwrap().unwrap();
    assert_eq!(number.to_string(), "3 of 8");
    // A session cannot point at another person's plan.
    let other = store.add_person(new_person("Xan", "Example", None)).unwrap();
    let mut wrong = session(other.id, profile.user, 1);
    wrong.care_plan_id = Some(plan.id);
    assert!(matches!(store.add_session(&wrong), Err(StoreError::NotFound { .. })));
}
