//! The referral follows the work, with the worker in charge, told through kith-core on real
//! encrypted profiles: the first conversation or held visit moves a new referral to
//! contacted with its day and off Today's new referrals; agreeing a plan records that the
//! person accepted; declined and unable to contact are recorded with the day the worker
//! chose; the consent ticked at intake is a consent record. The codes for the GP record follow
//! NHS England guidance (accepted: 871731000000106 at the first interaction; declined:
//! 871711000000103; unable to contact: none), are listed as soon as they exist and marked
//! sent. And a supervisor's laptop that received the records through a real practice server
//! shows the same codes, discharge message, Today and caseload figures as the worker's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Days, NaiveDate};
use kith_core::{
    today, CaseloadScope, Intake, Kith, NewCarePlan, NewConversation, NewDischarge, NewGoal,
    NewSession, VisitRecord, GP_CODES_CSV_HEADER,
};
use kith_domain::consent::{ConsentKind, ConsentState};
use kith_domain::conversation::ConversationSetting;
use kith_domain::discharge::DischargeReason;
use kith_domain::person::NewPerson;
use kith_domain::referral::{
    Need, NewReferral, ReferralAnswer, ReferralAnswerKind, ReferralSource, ReferralStatus, Referrer,
};
use kith_domain::session::{SessionKind, SessionStatus};
use kith_domain::{PersonId, ReferralId};
use kith_protocol::Role;

use support::{laptop, settle, sign_in, Practice, PASSWORD};

mod support;

const ACCEPTED_CODE: &str = "871731000000106";
const DECLINED_CODE: &str = "871711000000103";

fn unlocked() -> (tempfile::TempDir, Kith) {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    kith.create_profile("referral outcomes passphrase").unwrap();
    (dir, kith)
}

fn days_ago(days: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(days)).unwrap()
}

/// A person referred by their GP `received_days_ago`: (person, referral).
fn intake(kith: &Kith, given: &str, received_days_ago: u64) -> (PersonId, ReferralId) {
    let result = kith
        .add_person_with_referral(Intake {
            person: NewPerson {
                // One NHS number in the test: Ada's.
                nhs_number: (given == "Ada").then(|| "943 476 5919".to_owned()),
                given_name: given.to_owned(),
                family_name: "Abernathy".to_owned(),
                date_of_birth: NaiveDate::from_ymd_opt(1941, 3, 9),
                gp_practice: Some("Ashbridge Medical Centre".to_owned()),
                ..NewPerson::default()
            },
            referral: NewReferral {
                received_on: days_ago(received_days_ago),
                source: ReferralSource::Gp,
                referrer: Some(Referrer {
                    name: "Dr Priya Shah".to_owned(),
                    organisation: None,
                    contact: None,
                }),
                reason: "Lonely since moving here.".to_owned(),
                needs: vec![Need::Loneliness],
                background: None,
                consent_to_referral: true,
            },
            duplicates_checked: true,
        })
        .unwrap();
    (result.person.id, result.referral.id)
}

fn conversation(kith: &Kith, person_id: PersonId, held_days_ago: u64) {
    kith.record_conversation(NewConversation {
        person_id,
        referral_id: None,
        held_on: days_ago(held_days_ago),
        setting: ConversationSetting::Home,
        duration_minutes: 60,
        what_matters: "Getting out of the house again.".to_owned(),
        strengths: None,
        wants_to_change: None,
        concerns: Vec::new(),
        barriers: Vec::new(),
    })
    .unwrap();
}

fn agree_a_plan(kith: &Kith, person_id: PersonId) {
    let plan = kith
        .create_plan(NewCarePlan {
            person_id,
            referral_id: None,
            goals: vec![NewGoal { in_own_words: "Join the walking group".into(), steps: vec![] }],
            connections_to_try: vec![],
            planned_sessions: 6,
            planned_sessions_reason: None,
            starts_on: today(),
            review_on: None,
        })
        .unwrap();
    kith.agree_plan(plan.id, Some(vec![today()]), SessionKind::HomeVisit).unwrap();
}

fn referral_of(kith: &Kith, person_id: PersonId) -> kith_domain::referral::Referral {
    kith.person_record(person_id).unwrap().current_referral.unwrap().referral
}

fn codes_of(kith: &Kith, person_id: PersonId) -> Vec<(String, NaiveDate, Option<NaiveDate>)> {
    kith.person_record(person_id)
        .unwrap()
        .gp_codes
        .into_iter()
        .map(|code| (code.concept.code, code.date, code.sent_on))
        .collect()
}

fn new_referral_people(kith: &Kith, scope: CaseloadScope) -> Vec<PersonId> {
    let today_view = kith.today_for(scope, today()).unwrap();
    today_view.new_referrals.iter().map(|line| line.person_id).collect()
}

#[test]
fn the_first_conversation_moves_a_new_referral_to_contacted_and_off_todays_new_referrals() {
    let (_dir, kith) = unlocked();
    let worker = CaseloadScope::LinkWorker(kith.current_user().unwrap());
    let (ada, _) = intake(&kith, "Ada", 20);
    let (bo, _) = intake(&kith, "Bo", 20);
    assert_eq!(new_referral_people(&kith, worker), [ada, bo]);

    conversation(&kith, ada, 12);
    let referral = referral_of(&kith, ada);
    assert_eq!(referral.status, ReferralStatus::Contacted);
    assert_eq!(referral.first_contact_on, Some(days_ago(12)));
    assert_eq!(new_referral_people(&kith, worker), [bo], "Ada was contacted");
    assert!(codes_of(&kith, ada).is_empty(), "contact alone calls for no code");

    // A later conversation keeps the first day; one recorded late for an earlier day moves it.
    conversation(&kith, ada, 5);
    assert_eq!(referral_of(&kith, ada).first_contact_on, Some(days_ago(12)));
    conversation(&kith, ada, 14);
    assert_eq!(referral_of(&kith, ada).first_contact_on, Some(days_ago(14)));
}

#[test]
fn a_held_visit_is_a_first_contact_and_a_missed_one_is_not() {
    let (_dir, kith) = unlocked();
    let (bo, _) = intake(&kith, "Bo", 20);
    let visit = |days: u64, status: SessionStatus| {
        let session = kith
            .schedule_session(NewSession {
                person_id: bo,
                care_plan_id: None,
                date: days_ago(days),
                start_time: None,
                kind: SessionKind::Phone,
                location: None,
            })
            .unwrap();
        kith.record_visit(VisitRecord {
            session_id: session.id,
            status,
            duration_minutes: (status == SessionStatus::Held).then_some(30),
            note: String::new(),
        })
        .unwrap();
    };
    visit(10, SessionStatus::DidNotAttend);
    assert_eq!(referral_of(&kith, bo).status, ReferralStatus::New);
    assert_eq!(referral_of(&kith, bo).first_contact_on, None);
    visit(8, SessionStatus::Held);
    let referral = referral_of(&kith, bo);
    assert_eq!(
        (referral.status, referral.first_contact_on),
        (ReferralStatus::Contacted, Some(days_ago(8)))
    );
}

#[test]
fn an_agreed_plan_records_acceptance_and_the_national_code_dated_at_the_first_interaction() {
    let (_dir, kith) = unlocked();
    let (ada, referral_id) = intake(&kith, "Ada", 30);
    conversation(&kith, ada, 21);
    agree_a_plan(&kith, ada);

    let referral = referral_of(&kith, ada);
    assert_eq!(referral.status, ReferralStatus::Accepted);
    assert_eq!(
        referral.answer,
        Some(ReferralAnswer { kind: ReferralAnswerKind::Accepted, on: today() })
    );
    assert_eq!(codes_of(&kith, ada), [(ACCEPTED_CODE.to_owned(), days_ago(21), None)]);
    let record = kith.person_record(ada).unwrap();
    assert!(
        record.current_referral.unwrap().answers_allowed.is_empty(),
        "accepted: nothing to answer"
    );

    // Ready for the GP as soon as it exists: on the practice's list, unsent, and in the CSV.
    let list = kith.practice_gp_codes().unwrap();
    assert_eq!((list.lines.len(), list.unsent), (1, 1));
    let line = &list.lines[0];
    assert_eq!((line.person_id, line.nhs_number.as_deref()), (ada, Some("9434765919")));
    let csv = kith.unsent_gp_codes_csv().unwrap();
    let rows: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(rows[0], GP_CODES_CSV_HEADER);
    assert_eq!(
        rows[1],
        format!(
            "9434765919,Abernathy,Ada,1941-03-09,Ashbridge Medical Centre,{ACCEPTED_CODE},\
             Referral to social prescribing service (procedure),{},",
            days_ago(21)
        )
    );

    // Marked sent once exported: the list says so, the CSV of codes to send is empty, and
    // marking again changes nothing.
    assert_eq!(kith.mark_gp_codes_sent(list.unsent(), today()).unwrap(), 1);
    assert_eq!(codes_of(&kith, ada), [(ACCEPTED_CODE.to_owned(), days_ago(21), Some(today()))]);
    assert_eq!(kith.practice_gp_codes().unwrap().unsent, 0);
    assert_eq!(kith.unsent_gp_codes_csv().unwrap(), format!("{GP_CODES_CSV_HEADER}\r\n"));
    assert_eq!(kith.mark_gp_codes_sent(list.unsent(), today()).unwrap(), 0);
    // A declined code is not due on an accepted referral.
    let wrong = vec![kith_core::GpCodeToMark { referral_id, code: DECLINED_CODE.to_owned() }];
    assert!(kith.mark_gp_codes_sent(wrong, today()).is_err());
}

#[test]
fn declined_and_unable_to_contact_are_recorded_with_the_day_the_worker_chose() {
    let (_dir, kith) = unlocked();
    let (bert, bert_referral) = intake(&kith, "Bert", 30);
    let (cath, cath_referral) = intake(&kith, "Cath", 30);

    kith.record_referral_answer(bert_referral, ReferralAnswerKind::Declined, days_ago(9)).unwrap();
    let referral = referral_of(&kith, bert);
    assert_eq!(referral.status, ReferralStatus::Declined);
    assert_eq!(referral.first_contact_on, Some(days_ago(9)), "declining is an interaction");
    assert_eq!(codes_of(&kith, bert), [(DECLINED_CODE.to_owned(), days_ago(9), None)]);
    // The worker corrects the day.
    kith.record_referral_answer(bert_referral, ReferralAnswerKind::Declined, days_ago(10)).unwrap();
    assert_eq!(codes_of(&kith, bert), [(DECLINED_CODE.to_owned(), days_ago(10), None)]);

    kith.record_referral_answer(cath_referral, ReferralAnswerKind::UnableToContact, days_ago(4))
        .unwrap();
    let referral = referral_of(&kith, cath);
    assert_eq!(referral.status, ReferralStatus::UnableToContact);
    assert_eq!(referral.answer.unwrap().on, days_ago(4));
    assert!(codes_of(&kith, cath).is_empty(), "no national code for unable to contact");

    // Refused: a day in the future, a day before the referral, declining after accepting.
    let tomorrow = today().succ_opt().unwrap();
    for (referral, answer, on) in [
        (cath_referral, ReferralAnswerKind::Declined, tomorrow),
        (cath_referral, ReferralAnswerKind::Declined, days_ago(31)),
    ] {
        assert!(kith.record_referral_answer(referral, answer, on).is_err());
    }
    // Reached after all: they accept, and the code is dated at that first interaction.
    kith.record_referral_answer(cath_referral, ReferralAnswerKind::Accepted, days_ago(2)).unwrap();
    assert_eq!(codes_of(&kith, cath), [(ACCEPTED_CODE.to_owned(), days_ago(2), None)]);
    let error = kith
        .record_referral_answer(cath_referral, ReferralAnswerKind::Declined, days_ago(1))
        .unwrap_err();
    assert_eq!(kith_core::IpcError::from(error).code, kith_core::ErrorCode::InvalidInput);

    // Discharge closes the referral; the code stays.
    kith.discharge(NewDischarge {
        person_id: bert,
        referral_id: Some(bert_referral),
        care_plan_id: None,
        discharged_on: today(),
        reason: DischargeReason::PersonChoseToStop,
        closing_summary: "Declined.".to_owned(),
    })
    .unwrap();
    let referral = referral_of(&kith, bert);
    assert_eq!((referral.status, referral.closed_on), (ReferralStatus::Closed, Some(today())));
    assert_eq!(codes_of(&kith, bert), [(DECLINED_CODE.to_owned(), days_ago(10), None)]);
}

#[test]
fn consent_ticked_at_intake_is_a_consent_record_and_a_re_referral_does_not_repeat_it() {
    let (_dir, kith) = unlocked();
    let (ada, _) = intake(&kith, "Ada", 30);
    let social_prescribing = |kith: &Kith| {
        let banner = kith.person_record(ada).unwrap().banner;
        banner
            .consents
            .into_iter()
            .find(|consent| consent.kind == ConsentKind::SocialPrescribing)
            .map(|consent| consent.state)
    };
    let user = kith.current_user().unwrap();
    assert_eq!(
        social_prescribing(&kith),
        Some(ConsentState::Given { on: days_ago(30), recorded_by: user })
    );
    let consents = |kith: &Kith| {
        let record = kith.person_record(ada).unwrap();
        record
            .timeline
            .iter()
            .filter(|entry| matches!(entry.item, kith_core::TimelineItem::Consent { .. }))
            .count()
    };
    assert_eq!(consents(&kith), 1);
    kith.add_referral(
        ada,
        NewReferral {
            received_on: days_ago(2),
            source: ReferralSource::SelfReferral,
            referrer: None,
            reason: "Back again".to_owned(),
            needs: vec![Need::Confidence],
            background: None,
            consent_to_referral: true,
        },
    )
    .unwrap();
    assert_eq!(consents(&kith), 1, "consent still stands: not recorded twice");
}

#[test]
fn a_supervisors_laptop_shows_the_same_codes_message_today_and_caseload_as_the_workers() {
    let practice = Practice::new();
    let (supervisor_name, _) = practice.account(Role::Supervisor);
    let (worker_name, _) = practice.account(Role::LinkWorker);
    let dirs = tempfile::tempdir().unwrap();
    let mut supervisor = laptop(&dirs.path().join("supervisor"));
    supervisor.set_up_practice(&sign_in(&supervisor_name, PASSWORD)).unwrap();
    let mut worker = laptop(&dirs.path().join("worker"));
    let code = supervisor.create_invite().unwrap().code;
    worker.join_practice(&sign_in(&worker_name, PASSWORD), &code).unwrap();

    // Ada: a conversation 55 days ago, a plan agreed, discharged today. Bert declined 40
    // days ago; Cath could not be contacted by 30 days ago; Dee's referral is new.
    let (ada, ada_referral) = intake(&worker, "Ada", 60);
    conversation(&worker, ada, 55);
    agree_a_plan(&worker, ada);
    let (_bert, bert_referral) = intake(&worker, "Bert", 60);
    worker
        .record_referral_answer(bert_referral, ReferralAnswerKind::Declined, days_ago(40))
        .unwrap();
    let (_cath, cath_referral) = intake(&worker, "Cath", 60);
    worker
        .record_referral_answer(cath_referral, ReferralAnswerKind::UnableToContact, days_ago(30))
        .unwrap();
    let (dee, _) = intake(&worker, "Dee", 10);
    let discharge = worker
        .discharge(NewDischarge {
            person_id: ada,
            referral_id: Some(ada_referral),
            care_plan_id: None,
            discharged_on: today(),
            reason: DischargeReason::PlanCompleted,
            closing_summary: "Walks every week now.".to_owned(),
        })
        .unwrap();
    // Ada's code was sent at once, before the discharge.
    let first_list = worker.practice_gp_codes().unwrap();
    let ada_code: Vec<_> =
        first_list.unsent().into_iter().filter(|code| code.referral_id == ada_referral).collect();
    assert_eq!(worker.mark_gp_codes_sent(ada_code, days_ago(1)).unwrap(), 1);

    settle(&[&worker, &supervisor]);

    // The same codes, each with the same day and sent status.
    let on_worker = worker.practice_gp_codes().unwrap();
    let codes: Vec<(&str, NaiveDate, Option<NaiveDate>)> = on_worker
        .lines
        .iter()
        .map(|line| (line.code.concept.code.as_str(), line.code.date, line.code.sent_on))
        .collect();
    assert_eq!(
        codes,
        [(ACCEPTED_CODE, days_ago(55), Some(days_ago(1))), (DECLINED_CODE, days_ago(40), None)]
    );
    assert_eq!(supervisor.practice_gp_codes().unwrap(), on_worker);
    assert_eq!(supervisor.unsent_gp_codes_csv().unwrap(), worker.unsent_gp_codes_csv().unwrap());

    // The same discharge message, with the code dated at the first interaction.
    let message = worker.discharge_message(discharge.id).unwrap();
    assert_eq!(message.codes.len(), 1);
    assert_eq!(
        (message.codes[0].concept.code.as_str(), message.codes[0].date),
        (ACCEPTED_CODE, days_ago(55))
    );
    assert_eq!(supervisor.discharge_message(discharge.id).unwrap(), message);

    // The same Today: only Dee waits for first contact.
    let worker_scope = CaseloadScope::LinkWorker(worker.current_user().unwrap());
    assert_eq!(new_referral_people(&worker, worker_scope), [dee]);
    assert_eq!(new_referral_people(&supervisor, worker_scope), [dee]);
    assert_eq!(new_referral_people(&supervisor, CaseloadScope::Everyone), [dee]);

    // The same caseload: over the last 20 days Ada and Dee were active; Bert (declined) and
    // Cath (unable to contact) were not, on either laptop.
    let report_on = |kith: &Kith| kith.report(days_ago(20), today()).unwrap();
    let report = report_on(&worker);
    assert_eq!(report.caseload.people_supported, 2);
    assert_eq!(report_on(&supervisor), report);
    assert_eq!(report_on(&supervisor).to_csv(), report.to_csv());

    // The consent ticked at intake reached the supervisor as a consent record.
    let banner = supervisor.person_record(dee).unwrap().banner;
    assert!(banner
        .consents
        .iter()
        .any(|consent| consent.kind == ConsentKind::SocialPrescribing && consent.state.is_given()));
}
