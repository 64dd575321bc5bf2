//! Reports for a date range (both days included): referrals by source and need, people seen,
//! contacts by kind, the did-not-attend rate, sessions per person, the active caseload month
//! by month against the 200–250 people a year guidance, paired outcome change per measure,
//! and connections by service category; on screen ([`Report`]) and as one CSV
//! ([`Report::to_csv`]). The SQL is kith-store's (`Store::report_figures`); scoring and
//! pairing are kith-domain's. Reports hold counts only: no names, no free text.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use ts_rs::TS;

use kith_domain::directory::ServiceCategory;
use kith_domain::measures::{
    baseline_and_follow_up, improvement, Improvement, Measure, MeasureKind, MeasureScore,
};
use kith_domain::referral::{Need, ReferralSource};
use kith_domain::session::SessionKind;
use kith_domain::PersonId;
use kith_store::{CaseloadEpisode, KeyCount, ReportFigures};

use crate::{CoreError, Kith};

/// The low end of the recommended caseload: people a year per full-time link worker.
pub const CASELOAD_GUIDANCE_LOW: u32 = 200;
/// The high end of the recommended caseload.
pub const CASELOAD_GUIDANCE_HIGH: u32 = 250;

/// A count under a key (the value's snake_case name, `other` for every free-text "other").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct CountRow {
    pub key: String,
    pub label: String,
    pub count: u32,
}

/// Sessions dated in the range by what happened.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Attendance {
    pub held: u32,
    pub did_not_attend: u32,
    pub cancelled: u32,
    /// Still planned (never recorded).
    pub planned: u32,
    /// did not attend / (held + did not attend), as a fraction (0.125 = 12.5%); `None` when
    /// there were neither.
    pub did_not_attend_rate: Option<f64>,
}

/// How many people had how many sessions held in the range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
pub struct SessionsBucket {
    pub sessions: u32,
    pub people: u32,
}

/// Held sessions per person seen in the range.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct SessionsPerPerson {
    /// People seen (at least one held session).
    pub people: u32,
    /// Held sessions.
    pub sessions: u32,
    /// sessions / people; `None` when no one was seen.
    pub mean: Option<f64>,
    /// For each number of sessions someone had, how many people had it; ascending.
    pub distribution: Vec<SessionsBucket>,
}

/// The active caseload in one month (clipped to the range).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct MonthCaseload {
    /// `YYYY-MM`.
    pub month: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// People with an open referral or plan at some time in the month.
    pub active_people: u32,
}

/// Where a yearly caseload stands against the 200–250 guidance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceComparison {
    Below,
    Within,
    Above,
}

/// The active caseload month by month, and the people supported in the range per link
/// worker, scaled to a year, against the guidance of 200 to 250 people a year.
///
/// A person is active while one of their episodes is open: a referral from the day it was
/// received until it was declined, found unable to contact or closed, or the person was
/// discharged; an open plan (draft, agreed, active) from its start until a discharge.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct CaseloadOverTime {
    pub months: Vec<MonthCaseload>,
    /// People active at some time in the range.
    pub people_supported: u32,
    /// Link workers those people are assigned to.
    pub link_workers: u32,
    /// Days in the range.
    pub days: u32,
    /// people_supported / link_workers × 365 / days; `None` without link workers. A short
    /// range scaled up overstates a year (people carry over): read it as an estimate.
    pub people_a_year_per_link_worker: Option<f64>,
    pub guidance_low: u32,
    pub guidance_high: u32,
    pub against_guidance: Option<GuidanceComparison>,
}

/// Which way is better for an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BetterWhen {
    Higher,
    Lower,
}

/// Paired change for one measure item: people with a baseline and a follow-up of the same
/// measure (kith-domain's pairing: the earliest baseline and the latest follow-up on or
/// after it, taken by the end of the range) whose follow-up falls in the range.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct OutcomeChange {
    pub measure: MeasureKind,
    /// `life_satisfaction`, `worthwhile`, `happiness`, `anxiety` (ONS4, each item on its
    /// own, never a sum); `metric_score` (SWEMWBS); `total` (UCLA-3); `concern_1`,
    /// `concern_2`, `wellbeing` (MYCaW).
    pub item: String,
    pub label: String,
    pub better_when: BetterWhen,
    /// People paired.
    pub n: u32,
    pub mean_baseline: Option<f64>,
    pub mean_follow_up: Option<f64>,
    /// Mean change, signed so that positive means better: follow-up − baseline where
    /// higher is better (ONS4 items 1–3, SWEMWBS metric score), baseline − follow-up where
    /// lower is better (ONS4 anxiety, UCLA-3, and MYCaW, whose change domain.md defines as
    /// baseline − follow-up).
    pub mean_change: Option<f64>,
}

/// Connections made in the range to services of one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct CategoryConnections {
    pub category: ServiceCategory,
    pub label: String,
    pub connections: u32,
    /// Gave information.
    pub signposted: u32,
    /// Made the contact.
    pub referred: u32,
    /// Now recorded as attending.
    pub attended: u32,
}

/// A report for `from..=to`.
#[derive(Clone, Debug, PartialEq, Serialize, TS)]
pub struct Report {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub referrals_received: u32,
    /// Every named source (zeros included), then `other`.
    pub referrals_by_source: Vec<CountRow>,
    /// Every named need (zeros included), then `other`; a referral counts under each of
    /// its needs.
    pub referrals_by_need: Vec<CountRow>,
    /// People with at least one session held in the range.
    pub people_seen: u32,
    /// Sessions held in the range.
    pub contacts: u32,
    /// Sessions held in the range by kind (every kind, zeros included).
    pub contacts_by_kind: Vec<CountRow>,
    pub attendance: Attendance,
    pub sessions_per_person: SessionsPerPerson,
    pub caseload: CaseloadOverTime,
    /// Every item of every measure, in a fixed order (n = 0 when no one was paired).
    pub outcomes: Vec<OutcomeChange>,
    /// Every category (zeros included).
    pub connections_by_category: Vec<CategoryConnections>,
}

impl Kith {
    /// The report for `from..=to` (both days included), over everyone in this profile.
    pub fn report(&self, from: NaiveDate, to: NaiveDate) -> Result<Report, CoreError> {
        if from > to {
            return Err(CoreError::Invalid {
                rule: "report_range",
                message: "The report's start date must be on or before its end date".into(),
            });
        }
        let figures = self.store()?.report_figures(from, to)?;
        Ok(build_report(from, to, &figures))
    }
}

/// The snake_case serde name of a unit enum value.
fn key_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => "other".to_owned(),
    }
}

fn count_of(counts: &[KeyCount], key: &str) -> u32 {
    counts.iter().filter(|row| row.key == key).map(|row| row.count).sum()
}

/// Rows for every named value, then `other` (everything not named).
fn count_rows(counts: &[KeyCount], named: Vec<(String, String)>) -> Vec<CountRow> {
    let mut rows: Vec<CountRow> = named
        .iter()
        .map(|(key, label)| CountRow {
            key: key.clone(),
            label: label.clone(),
            count: count_of(counts, key),
        })
        .collect();
    let other = counts
        .iter()
        .filter(|row| !named.iter().any(|(key, _)| *key == row.key))
        .map(|row| row.count)
        .sum();
    rows.push(CountRow { key: "other".into(), label: "Other".into(), count: other });
    rows
}

/// A label for a kind of session.
pub fn session_kind_label(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::HomeVisit => "Home visit",
        SessionKind::Phone => "Phone",
        SessionKind::Video => "Video",
        SessionKind::Meeting => "Meeting",
        SessionKind::Accompanied => "Accompanied visit",
    }
}

fn build_report(from: NaiveDate, to: NaiveDate, figures: &ReportFigures) -> Report {
    let sources = ReferralSource::NAMED
        .iter()
        .map(|source| (key_of(source), source.label().to_owned()))
        .collect();
    let needs = Need::NAMED.iter().map(|need| (key_of(need), need.label().to_owned())).collect();
    let sessions_with = |status: &str, kind: Option<&str>| -> u32 {
        figures
            .sessions
            .iter()
            .filter(|row| row.status == status && kind.is_none_or(|kind| row.kind == kind))
            .map(|row| row.count)
            .sum()
    };
    let contacts_by_kind: Vec<CountRow> = SessionKind::ALL
        .iter()
        .map(|kind| CountRow {
            key: key_of(kind),
            label: session_kind_label(*kind).to_owned(),
            count: sessions_with("held", Some(&key_of(kind))),
        })
        .collect();
    let held = sessions_with("held", None);
    let did_not_attend = sessions_with("did_not_attend", None);
    Report {
        from,
        to,
        referrals_received: figures.referrals_received,
        referrals_by_source: count_rows(&figures.referrals_by_source, sources),
        referrals_by_need: count_rows(&figures.referrals_by_need, needs),
        people_seen: count_u32(figures.held_sessions_per_person.len()),
        contacts: held,
        contacts_by_kind,
        attendance: Attendance {
            held,
            did_not_attend,
            cancelled: sessions_with("cancelled", None),
            planned: sessions_with("planned", None),
            did_not_attend_rate: ratio(did_not_attend, held + did_not_attend),
        },
        sessions_per_person: sessions_per_person(&figures.held_sessions_per_person),
        caseload: caseload_over_time(from, to, &figures.episodes),
        outcomes: outcome_changes(from, &figures.measures),
        connections_by_category: connections_by_category(figures),
    }
}

fn count_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

fn ratio(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

fn sessions_per_person(per_person: &[u32]) -> SessionsPerPerson {
    let mut distribution: BTreeMap<u32, u32> = BTreeMap::new();
    for sessions in per_person {
        *distribution.entry(*sessions).or_default() += 1;
    }
    let people = count_u32(per_person.len());
    let sessions = per_person.iter().sum();
    SessionsPerPerson {
        people,
        sessions,
        mean: ratio(sessions, people),
        distribution: distribution
            .into_iter()
            .map(|(sessions, people)| SessionsBucket { sessions, people })
            .collect(),
    }
}

/// People with an episode open at some time in `from..=to`, with their link worker.
fn active_between(
    episodes: &[CaseloadEpisode],
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<PersonId, Option<kith_domain::UserId>> {
    episodes
        .iter()
        .filter(|episode| {
            episode.starts_on <= to && episode.ends_on.is_none_or(|ends_on| ends_on >= from)
        })
        .map(|episode| (episode.person_id, episode.link_worker))
        .collect()
}

fn caseload_over_time(
    from: NaiveDate,
    to: NaiveDate,
    episodes: &[CaseloadEpisode],
) -> CaseloadOverTime {
    let mut months = Vec::new();
    let mut month_start = from.with_day(1).unwrap_or(from);
    while month_start <= to {
        let next = month_start.checked_add_months(Months::new(1)).unwrap_or(to);
        let month_end = next.pred_opt().unwrap_or(to);
        let (start, end) = (month_start.max(from), month_end.min(to));
        months.push(MonthCaseload {
            month: month_start.format("%Y-%m").to_string(),
            from: start,
            to: end,
            active_people: count_u32(active_between(episodes, start, end).len()),
        });
        if next <= month_start {
            break;
        }
        month_start = next;
    }
    let supported = active_between(episodes, from, to);
    let link_workers: BTreeSet<_> = supported.values().flatten().collect();
    let days = u32::try_from((to - from).num_days() + 1).unwrap_or(u32::MAX);
    let people_supported = count_u32(supported.len());
    let link_worker_count = count_u32(link_workers.len());
    let per_year = (link_worker_count > 0).then(|| {
        f64::from(people_supported) / f64::from(link_worker_count) * 365.0 / f64::from(days)
    });
    CaseloadOverTime {
        months,
        people_supported,
        link_workers: link_worker_count,
        days,
        people_a_year_per_link_worker: per_year,
        guidance_low: CASELOAD_GUIDANCE_LOW,
        guidance_high: CASELOAD_GUIDANCE_HIGH,
        against_guidance: per_year.map(|per_year| {
            if per_year < f64::from(CASELOAD_GUIDANCE_LOW) {
                GuidanceComparison::Below
            } else if per_year > f64::from(CASELOAD_GUIDANCE_HIGH) {
                GuidanceComparison::Above
            } else {
                GuidanceComparison::Within
            }
        }),
    }
}

/// One person's figures for an outcome item: baseline, follow-up, and the change with
/// positive = better.
type ItemValues = (i64, i64, i64);

/// Reads an item's figures out of a scored pair (`None` when the pair lacks the item).
type ReadItem = fn(&MeasureScore, &MeasureScore, &Improvement) -> Option<ItemValues>;

/// One outcome item: its place, name and how to read its values out of a pair.
struct OutcomeItem {
    measure: MeasureKind,
    item: &'static str,
    label: &'static str,
    better_when: BetterWhen,
    /// (baseline, follow-up, change with positive = better), in the item's own units × `scale`.
    values: ReadItem,
    /// The units the values are in (SWEMWBS is kept in hundredths).
    scale: f64,
}

/// Every outcome item of every measure, in report order.
fn outcome_items() -> Vec<OutcomeItem> {
    use BetterWhen::{Higher, Lower};
    use MeasureKind::{Mycaw, Ons4, Swemwbs, Ucla3};
    let item = |measure, item, label, better_when, values| OutcomeItem {
        measure,
        item,
        label,
        better_when,
        values,
        scale: 1.0,
    };
    vec![
        item(Ons4, "life_satisfaction", "ONS4 life satisfaction", Higher, |b, f, c| {
            match (b, f, c) {
                (
                    MeasureScore::Ons4(b),
                    MeasureScore::Ons4(f),
                    Improvement::Ons4 { life_satisfaction, .. },
                ) => Some((
                    b.life_satisfaction.value.into(),
                    f.life_satisfaction.value.into(),
                    (*life_satisfaction).into(),
                )),
                _ => None,
            }
        }),
        item(Ons4, "worthwhile", "ONS4 worthwhile", Higher, |b, f, c| match (b, f, c) {
            (
                MeasureScore::Ons4(b),
                MeasureScore::Ons4(f),
                Improvement::Ons4 { worthwhile, .. },
            ) => Some((b.worthwhile.value.into(), f.worthwhile.value.into(), (*worthwhile).into())),
            _ => None,
        }),
        item(Ons4, "happiness", "ONS4 happiness", Higher, |b, f, c| match (b, f, c) {
            (MeasureScore::Ons4(b), MeasureScore::Ons4(f), Improvement::Ons4 { happiness, .. }) => {
                Some((b.happiness.value.into(), f.happiness.value.into(), (*happiness).into()))
            }
            _ => None,
        }),
        item(Ons4, "anxiety", "ONS4 anxiety", Lower, |b, f, c| match (b, f, c) {
            (MeasureScore::Ons4(b), MeasureScore::Ons4(f), Improvement::Ons4 { anxiety, .. }) => {
                Some((b.anxiety.value.into(), f.anxiety.value.into(), (*anxiety).into()))
            }
            _ => None,
        }),
        OutcomeItem {
            scale: 100.0,
            ..item(Swemwbs, "metric_score", "SWEMWBS metric score", Higher, |b, f, c| {
                match (b, f, c) {
                    (
                        MeasureScore::Swemwbs(b),
                        MeasureScore::Swemwbs(f),
                        Improvement::Swemwbs { metric_hundredths },
                    ) => Some((
                        b.metric_hundredths.into(),
                        f.metric_hundredths.into(),
                        (*metric_hundredths).into(),
                    )),
                    _ => None,
                }
            })
        },
        item(Ucla3, "total", "UCLA-3 loneliness total", Lower, |b, f, c| match (b, f, c) {
            (MeasureScore::Ucla3(b), MeasureScore::Ucla3(f), Improvement::Ucla3 { total }) => {
                Some((b.total.into(), f.total.into(), (*total).into()))
            }
            _ => None,
        }),
        item(Mycaw, "concern_1", "MYCaW concern 1", Lower, |b, f, c| match (b, f, c) {
            (MeasureScore::Mycaw(b), MeasureScore::Mycaw(f), Improvement::Mycaw(change)) => {
                Some((b.concern_1.into(), f.concern_1.into(), change.concern_1.into()))
            }
            _ => None,
        }),
        item(Mycaw, "concern_2", "MYCaW concern 2", Lower, |b, f, c| match (b, f, c) {
            (MeasureScore::Mycaw(b), MeasureScore::Mycaw(f), Improvement::Mycaw(change)) => {
                Some((b.concern_2?.into(), f.concern_2?.into(), change.concern_2?.into()))
            }
            _ => None,
        }),
        item(Mycaw, "wellbeing", "MYCaW wellbeing", Lower, |b, f, c| match (b, f, c) {
            (MeasureScore::Mycaw(b), MeasureScore::Mycaw(f), Improvement::Mycaw(change)) => {
                Some((b.wellbeing.into(), f.wellbeing.into(), change.wellbeing.into()))
            }
            _ => None,
        }),
    ]
}

/// A scored pair: the baseline's and follow-up's scores and the improvement.
type ScoredPair = (MeasureScore, MeasureScore, Improvement);

/// Each person's scored pair of `kind`, when its follow-up is on or after `from` (every
/// measure given was taken by the end of the range).
fn scored_pairs(from: NaiveDate, measures: &[Measure], kind: MeasureKind) -> Vec<ScoredPair> {
    let mut by_person: BTreeMap<PersonId, Vec<Measure>> = BTreeMap::new();
    for measure in measures {
        by_person.entry(measure.person_id).or_default().push(measure.clone());
    }
    by_person
        .values()
        .filter_map(|theirs| {
            let (baseline, follow_up) = baseline_and_follow_up(theirs, kind)?;
            if follow_up.taken_on < from {
                return None;
            }
            Some((
                baseline.score().ok()?,
                follow_up.score().ok()?,
                improvement(&baseline.answers, &follow_up.answers).ok()?,
            ))
        })
        .collect()
}

fn outcome_changes(from: NaiveDate, measures: &[Measure]) -> Vec<OutcomeChange> {
    let pairs: BTreeMap<MeasureKind, Vec<ScoredPair>> =
        MeasureKind::ALL.iter().map(|kind| (*kind, scored_pairs(from, measures, *kind))).collect();
    outcome_items()
        .into_iter()
        .map(|item| {
            let values: Vec<ItemValues> = pairs
                .get(&item.measure)
                .into_iter()
                .flatten()
                .filter_map(|(baseline, follow_up, change)| {
                    (item.values)(baseline, follow_up, change)
                })
                .collect();
            let n = count_u32(values.len());
            let mean = |pick: fn(&ItemValues) -> i64| -> Option<f64> {
                (n > 0).then(|| {
                    values.iter().map(pick).sum::<i64>() as f64 / f64::from(n) / item.scale
                })
            };
            OutcomeChange {
                measure: item.measure,
                item: item.item.to_owned(),
                label: item.label.to_owned(),
                better_when: item.better_when,
                n,
                mean_baseline: mean(|values| values.0),
                mean_follow_up: mean(|values| values.1),
                mean_change: mean(|values| values.2),
            }
        })
        .collect()
}

fn connections_by_category(figures: &ReportFigures) -> Vec<CategoryConnections> {
    ServiceCategory::ALL
        .iter()
        .map(|category| {
            let key = key_of(category);
            let rows: Vec<_> =
                figures.connections.iter().filter(|row| row.category == key).collect();
            let total = |keep: &dyn Fn(&&&kith_store::ConnectionCount) -> bool| -> u32 {
                rows.iter().filter(keep).map(|row| row.count).sum()
            };
            CategoryConnections {
                category: *category,
                label: category.label().to_owned(),
                connections: total(&|_| true),
                signposted: total(&|row| row.kind == "signposted"),
                referred: total(&|row| row.kind == "referred"),
                attended: total(&|row| row.status == "attended"),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// CSV

/// The CSV's header row.
pub const REPORT_CSV_HEADER: [&str; 4] = ["section", "item", "label", "value"];

fn decimal(value: Option<f64>) -> String {
    value.map(|value| format!("{value:.2}")).unwrap_or_default()
}

impl Report {
    /// The report as one CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line
    /// break quoted, quotes doubled) with the columns `section,item,label,value`, one figure
    /// a row. A text cell that a spreadsheet could run as a formula (starting with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return) is prefixed with `'`; plain numbers such as
    /// `-1.25` are left as numbers.
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<[String; 4]> = Vec::new();
        let mut row = |section: &str, item: &str, label: &str, value: String| {
            rows.push([section.to_owned(), item.to_owned(), label.to_owned(), value]);
        };
        row("range", "from", "From", self.from.to_string());
        row("range", "to", "To", self.to.to_string());
        row("referrals", "received", "Referrals received", self.referrals_received.to_string());
        for count in &self.referrals_by_source {
            row("referrals_by_source", &count.key, &count.label, count.count.to_string());
        }
        for count in &self.referrals_by_need {
            row("referrals_by_need", &count.key, &count.label, count.count.to_string());
        }
        row(
            "people_seen",
            "people_seen",
            "People seen (at least one session held)",
            self.people_seen.to_string(),
        );
        row("contacts", "held", "Contacts (sessions held)", self.contacts.to_string());
        for count in &self.contacts_by_kind {
            row("contacts_by_kind", &count.key, &count.label, count.count.to_string());
        }
        let attendance = &self.attendance;
        row("attendance", "held", "Sessions held", attendance.held.to_string());
        row(
            "attendance",
            "did_not_attend",
            "Did not attend",
            attendance.did_not_attend.to_string(),
        );
        row("attendance", "cancelled", "Cancelled", attendance.cancelled.to_string());
        row("attendance", "planned", "Planned, not yet recorded", attendance.planned.to_string());
        row(
            "attendance",
            "did_not_attend_rate_percent",
            "Did-not-attend rate (%): did not attend / (held + did not attend)",
            decimal(attendance.did_not_attend_rate.map(|rate| rate * 100.0)),
        );
        let per_person = &self.sessions_per_person;
        row("sessions_per_person", "people", "People seen", per_person.people.to_string());
        row("sessions_per_person", "sessions", "Sessions held", per_person.sessions.to_string());
        row("sessions_per_person", "mean", "Mean sessions per person", decimal(per_person.mean));
        for bucket in &per_person.distribution {
            row(
                "sessions_per_person_distribution",
                &bucket.sessions.to_string(),
                &format!("People with {} sessions held", bucket.sessions),
                bucket.people.to_string(),
            );
        }
        let caseload = &self.caseload;
        for month in &caseload.months {
            row(
                "caseload_by_month",
                &month.month,
                &format!("People active {} to {}", month.from, month.to),
                month.active_people.to_string(),
            );
        }
        row(
            "caseload_guidance",
            "people_supported",
            "People active in the range",
            caseload.people_supported.to_string(),
        );
        row("caseload_guidance", "link_workers", "Link workers", caseload.link_workers.to_string());
        row("caseload_guidance", "days", "Days in the range", caseload.days.to_string());
        row(
            "caseload_guidance",
            "people_a_year_per_link_worker",
            "People a year per link worker (scaled from the range)",
            decimal(caseload.people_a_year_per_link_worker),
        );
        row(
            "caseload_guidance",
            "guidance_low",
            "Guidance: at least",
            caseload.guidance_low.to_string(),
        );
        row(
            "caseload_guidance",
            "guidance_high",
            "Guidance: at most",
            caseload.guidance_high.to_string(),
        );
        row(
            "caseload_guidance",
            "against_guidance",
            "Against the guidance",
            caseload.against_guidance.map(|comparison| key_of(&comparison)).unwrap_or_default(),
        );
        for outcome in &self.outcomes {
            let key = format!("{}.{}", key_of(&outcome.measure), outcome.item);
            let figures = [
                ("n", "people paired (n)", outcome.n.to_string()),
                ("mean_baseline", "mean at baseline", decimal(outcome.mean_baseline)),
                ("mean_follow_up", "mean at follow-up", decimal(outcome.mean_follow_up)),
                ("mean_change", "mean change (positive = better)", decimal(outcome.mean_change)),
            ];
            for (what, words, value) in figures {
                row(
                    "outcome_change",
                    &format!("{key}.{what}"),
                    &format!("{}: {words}", outcome.label),
                    value,
                );
            }
        }
        for category in &self.connections_by_category {
            let key = key_of(&category.category);
            let figures = [
                ("connections", "connections", category.connections),
                ("signposted", "signposted", category.signposted),
                ("referred", "referred", category.referred),
                ("attended", "attending", category.attended),
            ];
            for (what, words, value) in figures {
                row(
                    "connections_by_category",
                    &format!("{key}.{what}"),
                    &format!("{}: {words}", category.label),
                    value.to_string(),
                );
            }
        }
        csv(&REPORT_CSV_HEADER.map(str::to_owned), &rows)
    }
}

/// Rows as RFC 4180 CSV, every cell made safe to open in a spreadsheet.
fn csv(header: &[String; 4], rows: &[[String; 4]]) -> String {
    let mut text = String::new();
    for cells in std::iter::once(header).chain(rows) {
        let line: Vec<String> = cells.iter().map(|cell| csv_field(cell)).collect();
        text.push_str(&line.join(","));
        text.push_str("\r\n");
    }
    text
}

/// A plain decimal number, e.g. `-1.25` or `12`.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.is_none_or(|fraction| {
            !fraction.is_empty() && fraction.chars().all(|c| c.is_ascii_digit())
        })
}

/// One CSV field: prefixed with `'` if a spreadsheet could read it as a formula, then
/// quoted if it holds a comma, a quote or a line break (quotes doubled).
pub(crate) fn csv_field(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text);
    let text = if risky { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("cr\rhere"), "\"cr\rhere\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised_but_numbers_stay_numbers() {
        assert_eq!(csv_field("=SUM(A1:A9)"), "'=SUM(A1:A9)");
        assert_eq!(csv_field("+44 7700"), "'+44 7700");
        assert_eq!(csv_field("-2+3"), "'-2+3");
        assert_eq!(csv_field("@cmd"), "'@cmd");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"a,b\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\""
        );
        assert_eq!(csv_field("-1.25"), "-1.25");
        assert_eq!(csv_field("-3"), "-3");
        assert_eq!(csv_field("12.50"), "12.50");
        for not_a_number in ["-", "-.5", "-1.", "-1.2.3", "-1e5", "--1"] {
            assert!(csv_field(not_a_number).starts_with('\''), "{not_a_number}");
        }
    }

    #[test]
    fn the_csv_has_a_header_and_crlf_line_ends() {
        let rows = [["a".to_owned(), "b,c".to_owned(), "=1+1".to_owned(), "-0.50".to_owned()]];
        let text = csv(&REPORT_CSV_HEADER.map(str::to_owned), &rows);
        assert_eq!(text, "section,item,label,value\r\na,\"b,c\",'=1+1,-0.50\r\n");
    }
}
