//! Reports on a generated practice: the small practice is loaded into a real encrypted store,
//! a link worker's further work is added (missed and cancelled visits, measures at baseline
//! and follow-up, connections to the sample directory, discharges, an extra referral with
//! two needs, a person deleted), and every total of the report is checked against counts the
//! test computes itself from the records read back person by person, not through the
//! report's SQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Months, NaiveDate};
use kith_core::{
    today, GuidanceComparison, Kith, NewDischarge, NewMeasure, NewSession, Report, VisitRecord,
};
use kith_crypto::KdfParams;
use kith_domain::directory::{CommunityService, ConnectionKind, ConnectionStatus};
use kith_domain::discharge::DischargeReason;
use kith_domain::measures::{
    MeasureAnswers, MeasureTiming, MycawAnswers, MycawConcern, Ons4Answers, SwemwbsAnswers,
    Ucla3Answers, SWEMWBS_METRIC_HUNDREDTHS,
};
use kith_domain::referral::{Need, NewReferral, ReferralAnswerKind, ReferralSource, Referrer};
use kith_domain::session::{SessionKind, SessionStatus};
use kith_domain::{PersonId, UserId};
use kith_store::{Profile, Store};
use kith_tests::practice::{load_practice, GeneratedPractice, PracticeShape};

const PASSPHRASE: &str = "report practice passphrase";

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap()
}

/// The serde name of a unit enum value, or `other` for a free-text one.
macro_rules! key {
    ($value:expr) => {
        match serde_json::to_value($value).unwrap() {
            serde_json::Value::String(text) => text,
            _ => "other".to_owned(),
        }
    };
}

struct Practice {
    _dir: tempfile::TempDir,
    kith: Kith,
    generated: GeneratedPractice,
    deleted: PersonId,
}

fn ons4(seed: u8) -> MeasureAnswers {
    MeasureAnswers::Ons4(Ons4Answers {
        items: [seed % 11, (seed + 3) % 11, (seed * 2) % 11, (seed + 7) % 11].map(Some),
    })
}

fn swemwbs(seed: u8) -> MeasureAnswers {
    let item = |offset: u8| Some(1 + (seed + offset) % 5);
    MeasureAnswers::Swemwbs(SwemwbsAnswers {
        items: [item(0), item(1), item(2), item(0), item(3), item(4), item(1)],
    })
}

fn ucla3(seed: u8) -> MeasureAnswers {
    MeasureAnswers::Ucla3(Ucla3Answers {
        items: [1 + seed % 3, 1 + (seed / 2) % 3, 1 + (seed / 3) % 3].map(Some),
    })
}

fn mycaw(seed: u8, two_concerns: bool) -> MeasureAnswers {
    let mut concerns =
        vec![MycawConcern { in_own_words: "Getting out".to_owned(), rating: Some(seed % 7) }];
    if two_concerns {
        concerns.push(MycawConcern {
            in_own_words: "Money worries".to_owned(),
            rating: Some((seed + 2) % 7),
        });
    }
    MeasureAnswers::Mycaw(MycawAnswers { concerns, wellbeing: Some((seed + 4) % 7) })
}

/// The generated practice, plus a link worker's further work on it.
fn practice(today: NaiveDate) -> Practice {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let (mut store, _recovery) =
        Profile::create_with_kdf(&profile, PASSPHRASE, KdfParams::insecure_for_tests().unwrap())
            .unwrap();
    let generated = load_practice(&mut store, PracticeShape::small(), today).unwrap();
    store.lock();
    let mut kith = Kith::new(&profile);
    kith.unlock(PASSPHRASE).unwrap();
    let worker = generated.link_workers[0];
    kith.set_current_user(worker).unwrap();

    let sample = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/directory/oruk-sample.json"),
    )
    .unwrap();
    kith.import_directory(&sample).unwrap();
    let services: Vec<CommunityService> = kith.directory().unwrap();

    let people: Vec<PersonId> = generated.people.iter().map(|(id, _)| *id).collect();
    for (index, person) in people.iter().copied().enumerate() {
        let seed = index as u8;
        // Missed, cancelled and extra held visits, before and inside the range.
        if index % 5 == 0 {
            let kinds = [SessionKind::Video, SessionKind::Meeting, SessionKind::Accompanied];
            for (step, kind) in kinds.into_iter().enumerate() {
                let date = days_before(today, 3 + (index as u64 * 7 + step as u64 * 40) % 260);
                let session = kith
                    .schedule_session(NewSession {
                        person_id: person,
                        care_plan_id: None,
                        date,
                        start_time: None,
                        kind,
                        location: None,
                    })
                    .unwrap();
                let (status, minutes) = match (index / 5 + step) % 3 {
                    0 => (SessionStatus::DidNotAttend, None),
                    1 => (SessionStatus::Held, Some(45)),
                    _ => (SessionStatus::Cancelled, None),
                };
                kith.record_visit(VisitRecord {
                    session_id: session.id,
                    status,
                    duration_minutes: minutes,
                    note: String::new(),
                })
                .unwrap();
            }
        }
        // Measures: a baseline and a follow-up of each kind, some follow-ups before the range,
        // some people with a baseline only.
        if index % 4 == 1 {
            let baseline_on = days_before(today, 150 + (index as u64 % 90));
            let follow_up_on = days_before(today, (index as u64 * 13) % 230);
            let follow_up_on = follow_up_on.max(baseline_on);
            let two_concerns = index % 8 == 1;
            let takes = [
                (ons4(seed), ons4(seed + 2)),
                (swemwbs(seed), swemwbs(seed + 1)),
                (ucla3(seed), ucla3(seed + 5)),
                (mycaw(seed, two_concerns), mycaw(seed + 3, two_concerns)),
            ];
            for (baseline, follow_up) in takes {
                kith.record_measure(NewMeasure {
                    person_id: person,
                    timing: MeasureTiming::Baseline,
                    taken_on: baseline_on,
                    answers: baseline,
                })
                .unwrap();
                if index % 12 != 9 {
                    kith.record_measure(NewMeasure {
                        person_id: person,
                        timing: MeasureTiming::FollowUp,
                        taken_on: follow_up_on,
                        answers: follow_up,
                    })
                    .unwrap();
                }
            }
        }
        // Connections: signposted or referred, some attended, across the directory.
        if index % 3 == 0 {
            let service = &services[(index * 7) % services.len()];
            let kind =
                if index % 2 == 0 { ConnectionKind::Referred } else { ConnectionKind::Signposted };
            let made_on = days_before(today, (index as u64 * 11) % 300);
            let connection =
                kith.connect_to_service(person, service.id, None, kind, made_on).unwrap();
            if index % 9 == 0 {
                kith.move_connection(connection.id, ConnectionStatus::Attended, today).unwrap();
            }
        }
        // Discharges: every sixth person, after their referral arrived.
        if index % 6 == 2 {
            let referral = kith.store().unwrap().referrals_for(person).unwrap().remove(0);
            let gap = (today - referral.received_on).num_days() as u64;
            kith.discharge(NewDischarge {
                person_id: person,
                referral_id: Some(referral.id),
                care_plan_id: None,
                discharged_on: days_before(today, gap / 2),
                reason: DischargeReason::PlanCompleted,
                closing_summary: "Going to the lunch club weekly.".to_owned(),
            })
            .unwrap();
        }
    }

    // A referral with two needs, one of them in the referrer's words, from an "other" source.
    let store = kith.store().unwrap();
    let with_two_needs = people[1];
    let referral = store
        .add_referral(
            with_two_needs,
            NewReferral {
                received_on: days_before(today, 10),
                source: ReferralSource::Other("Fire and rescue service".to_owned()),
                referrer: Some(Referrer {
                    name: "Station officer".to_owned(),
                    organisation: None,
                    contact: None,
                }),
                reason: "Hoarding and isolation".to_owned(),
                needs: vec![Need::Loneliness, Need::Other("Hoarding".to_owned())],
                background: None,
                consent_to_referral: true,
            },
        )
        .unwrap();
    store
        .update_referral_progress(referral.id, |referral, today| {
            referral.record_answer(ReferralAnswerKind::Declined, days_before(today, 3), today)
        })
        .unwrap();

    // A person entered by mistake, with held visits: deleted, so left out of every figure.
    let deleted = people
        .iter()
        .copied()
        .find(|person| {
            store
                .sessions_for(*person)
                .unwrap()
                .iter()
                .any(|session| session.status == SessionStatus::Held)
        })
        .unwrap();
    store.delete_person(deleted).unwrap();
    Practice { _dir: dir, kith, generated, deleted }
}

/// What the test expects, computed from the records read back person by person.
#[derive(Default, Debug)]
struct Expected {
    referrals: u32,
    by_source: BTreeMap<String, u32>,
    by_need: BTreeMap<String, u32>,
    held_by_person: BTreeMap<PersonId, u32>,
    held_by_kind: BTreeMap<String, u32>,
    by_status: BTreeMap<SessionStatus, u32>,
    /// (person, link worker, from, until)
    episodes: Vec<(PersonId, Option<UserId>, NaiveDate, Option<NaiveDate>)>,
    /// (measure item, baseline, follow-up, change with positive = better), hundredths for
    /// SWEMWBS.
    outcomes: BTreeMap<String, Vec<(i64, i64, i64)>>,
    /// category -> (all, signposted, referred, attended)
    connections: BTreeMap<String, [u32; 4]>,
}

fn expected(store: &Store, people: &[PersonId], from: NaiveDate, to: NaiveDate) -> Expected {
    let in_range = |date: NaiveDate| date >= from && date <= to;
    let services: BTreeMap<_, _> =
        store.services().unwrap().into_iter().map(|service| (service.id, service)).collect();
    let mut expected = Expected::default();
    for person_id in people {
        let person = store.person(*person_id).unwrap();
        let referrals = store.referrals_for(*person_id).unwrap();
        let discharges = store.discharges_for(*person_id).unwrap();
        for referral in &referrals {
            if in_range(referral.received_on) {
                expected.referrals += 1;
                *expected.by_source.entry(key!(&referral.source)).or_default() += 1;
                let needs: BTreeSet<String> =
                    referral.needs.iter().map(|need| key!(need)).collect();
                for need in needs {
                    *expected.by_need.entry(need).or_default() += 1;
                }
            }
        }
        for session in store.sessions_for(*person_id).unwrap() {
            if !in_range(session.date) {
                continue;
            }
            *expected.by_status.entry(session.status).or_default() += 1;
            if session.status == SessionStatus::Held {
                *expected.held_by_person.entry(*person_id).or_default() += 1;
                *expected.held_by_kind.entry(key!(&session.kind)).or_default() += 1;
            }
        }
        // Episodes: each referral until it ended or the person was discharged; open plans
        // until a discharge.
        let discharged_from = |start: NaiveDate| {
            discharges
                .iter()
                .map(|discharge| discharge.discharged_on)
                .filter(|on| *on >= start)
                .min()
        };
        for referral in &referrals {
            if referral.received_on > to {
                continue;
            }
            // From the referral record's own fields, which sync.
            let answered = referral
                .answer
                .filter(|answer| answer.kind != ReferralAnswerKind::Accepted)
                .map(|answer| answer.on);
            let ended = [answered, referral.closed_on].into_iter().flatten().min();
            let until = [ended, discharged_from(referral.received_on)].into_iter().flatten().min();
            expected.episodes.push((
                *person_id,
                person.assigned_link_worker,
                referral.received_on,
                until,
            ));
        }
        for plan in store.care_plans_for(*person_id).unwrap() {
            use kith_domain::care_plan::CarePlanStatus::{Active, Agreed, Draft};
            if matches!(plan.status, Draft | Agreed | Active) && plan.starts_on <= to {
                expected.episodes.push((
                    *person_id,
                    person.assigned_link_worker,
                    plan.starts_on,
                    discharged_from(plan.starts_on),
                ));
            }
        }
        // Outcomes: the earliest baseline and the latest follow-up on or after it, taken by
        // the end of the range; counted when the follow-up is in the range.
        let measures = store.measures_for(*person_id).unwrap();
        for kind in ["ons4", "swemwbs", "ucla3", "mycaw"] {
            let of_kind = |timing: MeasureTiming| {
                measures.iter().filter(move |measure| {
                    key!(&measure.answers.kind()) == kind
                        && measure.timing == timing
                        && measure.taken_on <= to
                })
            };
            let Some(baseline) =
                of_kind(MeasureTiming::Baseline).min_by_key(|m| (m.taken_on, m.id))
            else {
                continue;
            };
            let Some(follow_up) = of_kind(MeasureTiming::FollowUp)
                .filter(|m| m.taken_on >= baseline.taken_on)
                .max_by_key(|m| (m.taken_on, m.id))
            else {
                continue;
            };
            if follow_up.taken_on < from {
                continue;
            }
            let mut add = |item: &str, before: i64, after: i64, higher_is_better: bool| {
                let change = if higher_is_better { after - before } else { before - after };
                expected.outcomes.entry(item.to_owned()).or_default().push((before, after, change));
            };
            match (&baseline.answers, &follow_up.answers) {
                (MeasureAnswers::Ons4(before), MeasureAnswers::Ons4(after)) => {
                    let items = ["life_satisfaction", "worthwhile", "happiness", "anxiety"];
                    for (index, item) in items.iter().enumerate() {
                        let (b, a) = (before.items[index].unwrap(), after.items[index].unwrap());
                        add(&format!("ons4.{item}"), b.into(), a.into(), index < 3);
                    }
                }
                (MeasureAnswers::Swemwbs(before), MeasureAnswers::Swemwbs(after)) => {
                    let metric = |answers: &SwemwbsAnswers| -> i64 {
                        let raw: u8 = answers.items.iter().map(|item| item.unwrap()).sum();
                        SWEMWBS_METRIC_HUNDREDTHS[usize::from(raw - 7)].into()
                    };
                    add("swemwbs.metric_score", metric(before), metric(after), true);
                }
                (MeasureAnswers::Ucla3(before), MeasureAnswers::Ucla3(after)) => {
                    let total = |answers: &Ucla3Answers| -> i64 {
                        answers.items.iter().map(|item| i64::from(item.unwrap())).sum()
                    };
                    add("ucla3.total", total(before), total(after), false);
                }
                (MeasureAnswers::Mycaw(before), MeasureAnswers::Mycaw(after)) => {
                    assert_eq!(before.concerns.len(), after.concerns.len());
                    for (index, (b, a)) in before.concerns.iter().zip(&after.concerns).enumerate() {
                        let item = format!("mycaw.concern_{}", index + 1);
                        add(&item, b.rating.unwrap().into(), a.rating.unwrap().into(), false);
                    }
                    let (b, a) = (before.wellbeing.unwrap(), after.wellbeing.unwrap());
                    add("mycaw.wellbeing", b.into(), a.into(), false);
                }
                _ => unreachable!("paired by kind"),
            }
        }
        for connection in store.connections_for(*person_id).unwrap() {
            if !in_range(connection.made_on) {
                continue;
            }
            let category = key!(&services[&connection.service_id].category);
            let counts = expected.connections.entry(category).or_default();
            counts[0] += 1;
            match connection.kind {
                ConnectionKind::Signposted => counts[1] += 1,
                ConnectionKind::Referred => counts[2] += 1,
            }
            if connection.status == ConnectionStatus::Attended {
                counts[3] += 1;
            }
        }
    }
    expected
}

/// People with an episode open at some time in `from..=to`, with their link workers.
fn active(expected: &Expected, from: NaiveDate, to: NaiveDate) -> (usize, usize) {
    let open: Vec<_> = expected
        .episodes
        .iter()
        .filter(|(_, _, start, until)| *start <= to && until.is_none_or(|until| until >= from))
        .collect();
    let people: BTreeSet<PersonId> = open.iter().map(|(person, ..)| *person).collect();
    let workers: BTreeSet<UserId> = open.iter().filter_map(|(_, worker, ..)| *worker).collect();
    (people.len(), workers.len())
}

fn mean(values: &[(i64, i64, i64)], pick: fn(&(i64, i64, i64)) -> i64, scale: f64) -> f64 {
    values.iter().map(pick).sum::<i64>() as f64 / values.len() as f64 / scale
}

fn close(actual: Option<f64>, expected: f64, what: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{what}: no value"));
    assert!((actual - expected).abs() < 1e-9, "{what}: {actual} != {expected}");
}

fn check_report(report: &Report, expected: &Expected) {
    // Referrals.
    assert_eq!(report.referrals_received, expected.referrals);
    let sources: u32 = report.referrals_by_source.iter().map(|row| row.count).sum();
    assert_eq!(sources, expected.referrals, "every referral under exactly one source");
    for row in &report.referrals_by_source {
        let want = expected.by_source.get(&row.key).copied().unwrap_or(0);
        assert_eq!(row.count, want, "referrals from {}", row.key);
    }
    for row in &report.referrals_by_need {
        let want = expected.by_need.get(&row.key).copied().unwrap_or(0);
        assert_eq!(row.count, want, "referrals for {}", row.key);
    }
    assert!(expected
        .by_need
        .keys()
        .all(|need| report.referrals_by_need.iter().any(|row| row.key == *need)));

    // Contacts, attendance, sessions per person.
    let held: u32 = expected.held_by_person.values().sum();
    assert_eq!(report.people_seen as usize, expected.held_by_person.len());
    assert_eq!(report.contacts, held);
    for row in &report.contacts_by_kind {
        assert_eq!(
            row.count,
            expected.held_by_kind.get(&row.key).copied().unwrap_or(0),
            "{}",
            row.key
        );
    }
    assert_eq!(report.contacts_by_kind.iter().map(|row| row.count).sum::<u32>(), held);
    let status = |status| expected.by_status.get(&status).copied().unwrap_or(0);
    let attendance = &report.attendance;
    assert_eq!(attendance.held, held);
    assert_eq!(attendance.did_not_attend, status(SessionStatus::DidNotAttend));
    assert_eq!(attendance.cancelled, status(SessionStatus::Cancelled));
    assert_eq!(attendance.planned, status(SessionStatus::Planned));
    let dna = f64::from(status(SessionStatus::DidNotAttend));
    close(attendance.did_not_attend_rate, dna / (f64::from(held) + dna), "DNA rate");
    let per_person = &report.sessions_per_person;
    assert_eq!(per_person.people as usize, expected.held_by_person.len());
    assert_eq!(per_person.sessions, held);
    close(per_person.mean, f64::from(held) / expected.held_by_person.len() as f64, "mean");
    let mut distribution: BTreeMap<u32, u32> = BTreeMap::new();
    for sessions in expected.held_by_person.values() {
        *distribution.entry(*sessions).or_default() += 1;
    }
    let reported: BTreeMap<u32, u32> =
        per_person.distribution.iter().map(|bucket| (bucket.sessions, bucket.people)).collect();
    assert_eq!(reported, distribution);

    // Caseload month by month, and against the guidance.
    let (from, to) = (report.from, report.to);
    let mut month = from.with_day(1).unwrap();
    let mut months = Vec::new();
    while month <= to {
        let next = month.checked_add_months(Months::new(1)).unwrap();
        let (start, end) = (month.max(from), next.pred_opt().unwrap().min(to));
        months.push((
            month.format("%Y-%m").to_string(),
            start,
            end,
            active(expected, start, end).0,
        ));
        month = next;
    }
    let reported: Vec<_> = report
        .caseload
        .months
        .iter()
        .map(|month| (month.month.clone(), month.from, month.to, month.active_people as usize))
        .collect();
    assert_eq!(reported, months);
    let (people, workers) = active(expected, from, to);
    let caseload = &report.caseload;
    assert_eq!(caseload.people_supported as usize, people);
    assert_eq!(caseload.link_workers as usize, workers);
    let days = (to - from).num_days() + 1;
    assert_eq!(i64::from(caseload.days), days);
    let per_year = people as f64 / workers as f64 * 365.0 / days as f64;
    close(caseload.people_a_year_per_link_worker, per_year, "people a year per link worker");
    assert_eq!((caseload.guidance_low, caseload.guidance_high), (200, 250));
    let comparison = if per_year < 200.0 {
        GuidanceComparison::Below
    } else if per_year > 250.0 {
        GuidanceComparison::Above
    } else {
        GuidanceComparison::Within
    };
    assert_eq!(caseload.against_guidance, Some(comparison));

    // Paired outcome change per measure item.
    assert_eq!(report.outcomes.len(), 9, "ONS4 x4, SWEMWBS, UCLA-3, MYCaW x3");
    for outcome in &report.outcomes {
        let item = format!("{}.{}", key!(&outcome.measure), outcome.item);
        let values = expected.outcomes.get(&item).cloned().unwrap_or_default();
        assert_eq!(outcome.n as usize, values.len(), "{item} n");
        if values.is_empty() {
            assert_eq!(outcome.mean_change, None, "{item}");
            continue;
        }
        let scale = if item.starts_with("swemwbs") { 100.0 } else { 1.0 };
        close(outcome.mean_baseline, mean(&values, |v| v.0, scale), &item);
        close(outcome.mean_follow_up, mean(&values, |v| v.1, scale), &item);
        close(outcome.mean_change, mean(&values, |v| v.2, scale), &item);
    }

    // Connections by service category.
    for category in &report.connections_by_category {
        let counts = expected.connections.get(&key!(&category.category)).copied().unwrap_or([0; 4]);
        assert_eq!(
            [category.connections, category.signposted, category.referred, category.attended],
            counts,
            "{}",
            category.label
        );
    }
    let connections: u32 = expected.connections.values().map(|counts| counts[0]).sum();
    assert_eq!(
        report.connections_by_category.iter().map(|row| row.connections).sum::<u32>(),
        connections
    );
}

/// Splits one CSV line made by the report (RFC 4180 quoting) into its fields.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(String::new()),
            (c, _) => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

#[test]
fn every_total_of_a_report_matches_the_records_counted_one_by_one() {
    let today = today();
    let practice = practice(today);
    let store = practice.kith.store().unwrap();
    let people: Vec<PersonId> = practice
        .generated
        .people
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| *id != practice.deleted)
        .collect();
    assert_eq!(store.people(None).unwrap().len(), people.len(), "only the deleted one is gone");

    for (from, to) in [
        (days_before(today, 200), today),
        (days_before(today, 400), days_before(today, 30)),
        (days_before(today, 45), days_before(today, 45)),
    ] {
        let report = practice.kith.report(from, to).unwrap();
        let expected = expected(store, &people, from, to);
        check_report(&report, &expected);
        if to == today {
            // The wide range exercises every kind of figure.
            assert!(expected.referrals > 10 && expected.by_source.len() >= 4, "{expected:?}");
            assert!(expected.by_need.contains_key("other"), "the free-text need is counted");
            assert!(expected.by_source.contains_key("other"));
            assert!(expected.held_by_person.len() > 10);
            assert!(expected.by_status.get(&SessionStatus::DidNotAttend).copied().unwrap_or(0) > 3);
            assert!(expected.held_by_kind.len() >= 3, "{:?}", expected.held_by_kind);
            assert!(expected.outcomes.get("ons4.anxiety").is_some_and(|v| v.len() >= 5));
            assert!(expected.outcomes.contains_key("mycaw.concern_2"));
            assert!(expected.connections.len() >= 4, "{:?}", expected.connections);
            assert!(expected.connections.values().any(|counts| counts[3] > 0));
            assert!(report.caseload.months.len() >= 7);
        }
    }

    // The deleted person's visits count nowhere: their sessions are still in the table.
    let deleted_sessions = store.sessions_for(practice.deleted).unwrap();
    assert!(!deleted_sessions.is_empty());
}

#[test]
fn the_csv_carries_every_figure_of_the_report_one_row_each() {
    let today = today();
    let practice = practice(today);
    let report = practice.kith.report(days_before(today, 200), today).unwrap();
    let csv = report.to_csv();
    assert!(csv.ends_with("\r\n"));
    let lines: Vec<&str> = csv.trim_end_matches("\r\n").split("\r\n").collect();
    assert_eq!(lines[0], "section,item,label,value");
    let rows: Vec<Vec<String>> = lines[1..].iter().map(|line| csv_fields(line)).collect();
    assert!(rows.iter().all(|row| row.len() == 4), "every row has 4 fields");
    let value = |section: &str, item: &str| -> String {
        rows.iter()
            .find(|row| row[0] == section && row[1] == item)
            .unwrap_or_else(|| panic!("no row {section},{item}"))[3]
            .clone()
    };
    assert_eq!(value("referrals", "received"), report.referrals_received.to_string());
    assert_eq!(value("people_seen", "people_seen"), report.people_seen.to_string());
    for row in &report.referrals_by_source {
        assert_eq!(value("referrals_by_source", &row.key), row.count.to_string());
    }
    for row in &report.contacts_by_kind {
        assert_eq!(value("contacts_by_kind", &row.key), row.count.to_string());
    }
    let rate = report.attendance.did_not_attend_rate.unwrap() * 100.0;
    assert_eq!(value("attendance", "did_not_attend_rate_percent"), format!("{rate:.2}"));
    for month in &report.caseload.months {
        assert_eq!(value("caseload_by_month", &month.month), month.active_people.to_string());
    }
    for outcome in &report.outcomes {
        let item = format!("{}.{}", key!(&outcome.measure), outcome.item);
        assert_eq!(value("outcome_change", &format!("{item}.n")), outcome.n.to_string());
        let change = outcome.mean_change.map(|m| format!("{m:.2}")).unwrap_or_default();
        assert_eq!(value("outcome_change", &format!("{item}.mean_change")), change);
    }
    // A negative change stays a number (not prefixed), and no cell could run as a formula.
    for row in &rows {
        for cell in row {
            let is_number = cell.parse::<f64>().is_ok();
            assert!(
                is_number || !cell.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet could run: {cell}"
            );
        }
    }
    // The free-text source and need never reach the CSV.
    assert!(!csv.contains("Fire and rescue") && !csv.contains("Hoarding"));
    // Nor does anyone's NHS number or phone number.
    for (_, person) in &practice.generated.people {
        assert!(!csv.contains(&person.nhs_number) && !csv.contains(&person.phone));
    }
}
