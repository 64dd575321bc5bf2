//! The People list through kith-core on a real encrypted profile: search over names and notes
//! with filters by status (referred, active, discharged) and by need.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Days;
use kith_core::{today, Intake, Kith, NewDischarge, PeopleFilter, PersonListing, PersonStatus};
use kith_domain::discharge::DischargeReason;
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, ReferralStatus};
use kith_domain::PersonId;

fn unlocked() -> (tempfile::TempDir, Kith) {
    let dir = tempfile::tempdir().unwrap();
    let mut kith = Kith::new(dir.path().join("profile")).with_cheap_kdf_for_tests();
    kith.create_profile("kettle orchard lantern").unwrap();
    (dir, kith)
}

fn add(kith: &Kith, given: &str, family: &str, needs: Vec<Need>, days_ago: u64) -> PersonId {
    let received_on = today().checked_sub_days(Days::new(days_ago)).unwrap();
    kith.add_person_with_referral(Intake {
        person: NewPerson {
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            ..NewPerson::default()
        },
        referral: NewReferral {
            received_on,
            source: ReferralSource::SelfReferral,
            referrer: None,
            reason: "Wants to get out more.".to_owned(),
            needs,
            background: None,
            consent_to_referral: true,
        },
        duplicates_checked: true,
    })
    .unwrap()
    .person
    .id
}

fn names(list: &[PersonListing]) -> Vec<&str> {
    list.iter().map(|listing| listing.display_name.as_str()).collect()
}

fn filter(typed: &str, status: Option<PersonStatus>, need: Option<Need>) -> PeopleFilter {
    PeopleFilter { typed: typed.to_owned(), status, need }
}

/// Three people: Ada referred (loneliness), Bo active (housing, contacted), Cy discharged
/// (loneliness). Ada's note mentions "allotment"; so does Cy's.
fn practice() -> (tempfile::TempDir, Kith, [PersonId; 3]) {
    let (dir, kith) = unlocked();
    let ada = add(&kith, "Ada", "Lovell", vec![Need::Loneliness], 1);
    let bo = add(&kith, "Bo", "Marsh", vec![Need::Housing, Need::MoneyDebt], 10);
    let cy = add(&kith, "Cy", "Lovell", vec![Need::Loneliness], 20);
    let bo_referral = kith.person_record(bo).unwrap().referrals[0].id;
    kith.move_referral(bo_referral, ReferralStatus::Contacted).unwrap();
    kith.discharge(NewDischarge {
        person_id: cy,
        referral_id: None,
        care_plan_id: None,
        discharged_on: today().checked_sub_days(Days::new(5)).unwrap(),
        reason: DischargeReason::PlanCompleted,
        closing_summary: "Goes to the choir every week now.".to_owned(),
    })
    .unwrap();
    kith.write_note(ada, "Talked about the allotment on Mill Lane.".to_owned()).unwrap();
    kith.write_note(cy, "Her allotment neighbour visits.".to_owned()).unwrap();
    (dir, kith, [ada, bo, cy])
}

#[test]
fn with_nothing_typed_the_list_shows_people_not_discharged_most_recent_referral_first() {
    let (_dir, kith, [ada, bo, _cy]) = practice();
    let list = kith.people_list(&PeopleFilter::default()).unwrap();
    assert_eq!(names(&list), ["Ada Lovell", "Bo Marsh"]);
    assert_eq!(list[0].person_id, ada);
    assert_eq!(list[0].status, PersonStatus::Referred);
    assert_eq!(list[1].person_id, bo);
    assert_eq!(list[1].status, PersonStatus::Active);
    assert_eq!(list[1].needs, [Need::Housing, Need::MoneyDebt]);
    assert!(!list[0].matched_in_notes);
}

#[test]
fn status_and_need_filters_narrow_the_list_with_or_without_words() {
    let (_dir, kith, [ada, bo, cy]) = practice();
    let only = |filter: PeopleFilter| -> Vec<PersonId> {
        kith.people_list(&filter).unwrap().iter().map(|listing| listing.person_id).collect()
    };
    assert_eq!(only(filter("", Some(PersonStatus::Discharged), None)), [cy]);
    assert_eq!(only(filter("", Some(PersonStatus::Active), None)), [bo]);
    assert_eq!(only(filter("", None, Some(Need::Loneliness))), [ada, cy]);
    assert_eq!(only(filter("", None, Some(Need::MoneyDebt))), [bo]);
    assert_eq!(only(filter("lovell", None, None)).len(), 2);
    assert_eq!(only(filter("lovell", Some(PersonStatus::Referred), None)), [ada]);
    assert_eq!(only(filter("lovell", None, Some(Need::Housing))), Vec::<PersonId>::new());
    assert_eq!(only(filter("marsh", Some(PersonStatus::Active), Some(Need::Housing))), [bo]);
}

#[test]
fn a_word_from_notes_finds_the_person_and_says_it_was_found_in_notes() {
    let (_dir, kith, [ada, _bo, cy]) = practice();
    let list = kith.people_list(&filter("allotm", None, None)).unwrap();
    let mut found: Vec<PersonId> = list.iter().map(|listing| listing.person_id).collect();
    found.sort_unstable_by_key(|id| id.as_uuid());
    let mut expected = vec![ada, cy];
    expected.sort_unstable_by_key(|id| id.as_uuid());
    assert_eq!(found, expected);
    assert!(list.iter().all(|listing| listing.matched_in_notes));
    let discharged = kith.people_list(&filter("allotment", Some(PersonStatus::Discharged), None));
    assert_eq!(discharged.unwrap().iter().map(|l| l.person_id).collect::<Vec<_>>(), [cy]);
    assert!(kith.people_list(&filter("choir", None, None)).unwrap().is_empty());
}

#[test]
fn a_new_referral_after_a_discharge_brings_the_person_back_as_referred() {
    let (_dir, kith, [_ada, _bo, cy]) = practice();
    let status = |kith: &Kith| kith.people_list(&filter("Cy", None, None)).unwrap()[0].clone();
    assert_eq!(status(&kith).status, PersonStatus::Discharged);
    kith.add_referral(
        cy,
        NewReferral {
            received_on: today(),
            source: ReferralSource::SelfReferral,
            referrer: None,
            reason: "Wants help again.".to_owned(),
            needs: vec![Need::Confidence],
            background: None,
            consent_to_referral: true,
        },
    )
    .unwrap();
    let listing = status(&kith);
    assert_eq!(listing.status, PersonStatus::Referred);
    assert_eq!(listing.needs, [Need::Confidence]);
    assert_eq!(listing.referred_on, Some(today()));
}

#[test]
fn a_referral_recorded_after_a_discharge_the_same_day_brings_the_person_back() {
    let (_dir, kith) = unlocked();
    let di = add(&kith, "Di", "Farrow", vec![Need::Loneliness], 0);
    let discharge = |kith: &Kith| {
        kith.discharge(NewDischarge {
            person_id: di,
            referral_id: None,
            care_plan_id: None,
            discharged_on: today(),
            reason: DischargeReason::PlanCompleted,
            closing_summary: "Settled into the lunch club.".to_owned(),
        })
        .unwrap();
    };
    let status = |kith: &Kith| kith.people_list(&filter("Di", None, None)).unwrap()[0].status;
    // Referred and discharged the same day: discharged.
    discharge(&kith);
    assert_eq!(status(&kith), PersonStatus::Discharged);
    assert!(kith.person_record(di).unwrap().banner.discharged);
    // Referred again later that day: back, in the list and on the record.
    let again = NewReferral {
        received_on: today(),
        source: ReferralSource::SelfReferral,
        referrer: None,
        reason: "Rang again: money worries.".to_owned(),
        needs: vec![Need::MoneyDebt],
        background: None,
        consent_to_referral: true,
    };
    kith.add_referral(di, again).unwrap();
    assert_eq!(status(&kith), PersonStatus::Referred);
    assert!(!kith.person_record(di).unwrap().banner.discharged);
    // And discharged again: discharged.
    discharge(&kith);
    assert_eq!(status(&kith), PersonStatus::Discharged);
    assert!(kith.person_record(di).unwrap().banner.discharged);
}
