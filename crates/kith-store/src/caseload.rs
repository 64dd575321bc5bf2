//! The "Today" queries: visits today, overdue follow-ups, sessions due this week, new
//! referrals waiting for first contact, open safeguarding concerns; and a supervisor's
//! caseload figures per link worker.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kith_domain::{PersonId, UserId};

use crate::{Store, StoreError};

/// Whose caseload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseloadScope {
    /// One link worker: their sessions, and the people assigned to them.
    LinkWorker(UserId),
    /// Everyone (a supervisor's view).
    Everyone,
}

/// One line of a caseload list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadEntry {
    pub person_id: PersonId,
    pub display_name: String,
    /// The session, plan, referral or concern this line is about.
    pub record_id: Uuid,
    /// The session date, review date, date received or date raised.
    pub date: NaiveDate,
}

/// Everything on a caseload that needs attention, each list oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Caseload {
    pub visits_today: Vec<CaseloadEntry>,
    /// Planned sessions in the past that were never recorded.
    pub overdue_sessions: Vec<CaseloadEntry>,
    /// Agreed or active plans whose review date has passed.
    pub overdue_reviews: Vec<CaseloadEntry>,
    /// Planned sessions after today, up to and including Sunday.
    pub due_this_week: Vec<CaseloadEntry>,
    /// Referrals still `new` (no first contact yet).
    pub new_referrals: Vec<CaseloadEntry>,
    pub open_concerns: Vec<CaseloadEntry>,
}

const PLANNED_SESSIONS: &str = "SELECT p.id, p.display_name, s.id, s.date
    FROM sessions s JOIN people p ON p.id = s.person_id
    WHERE s.status = 'planned' AND s.deleted_at IS NULL AND p.deleted_at IS NULL
      AND s.date >= ?1 AND s.date <= ?2 AND (?3 IS NULL OR s.link_worker = ?3)
    ORDER BY s.date, p.display_name";

const OVERDUE_REVIEWS: &str = "SELECT p.id, p.display_name, c.id, c.review_on
    FROM care_plans c JOIN people p ON p.id = c.person_id
    WHERE c.status IN ('agreed', 'active') AND c.deleted_at IS NULL AND p.deleted_at IS NULL
      AND c.review_on < ?1 AND (?2 IS NULL OR p.assigned_link_worker = ?2)
    ORDER BY c.review_on, p.display_name";

const NEW_REFERRALS: &str = "SELECT p.id, p.display_name, r.id, r.received_on
    FROM referrals r JOIN people p ON p.id = r.person_id
    WHERE r.status = 'new' AND r.deleted_at IS NULL AND p.deleted_at IS NULL
      AND (?1 IS NULL OR p.assigned_link_worker = ?1)
    ORDER BY r.received_on, p.display_name";

const OPEN_CONCERNS: &str = "SELECT p.id, p.display_name, c.id, substr(c.created_at, 1, 10)
    FROM concerns c JOIN people p ON p.id = c.person_id
    WHERE c.status <> 'closed' AND c.deleted_at IS NULL AND p.deleted_at IS NULL
      AND (?1 IS NULL OR p.assigned_link_worker = ?1)
    ORDER BY c.created_at, p.display_name";

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

impl Store {
    /// The caseload as of `today`. Not audited: it lists names and dates, not records.
    pub fn caseload(&self, scope: CaseloadScope, today: NaiveDate) -> Result<Caseload, StoreError> {
        let worker = match scope {
            CaseloadScope::LinkWorker(user) => Some(user.to_string()),
            CaseloadScope::Everyone => None,
        };
        let yesterday = today.pred_opt().unwrap_or(today);
        let tomorrow = today.succ_opt().unwrap_or(today);
        let days_to_sunday = 6 - u64::from(today.weekday().num_days_from_monday());
        let sunday = today.checked_add_days(Days::new(days_to_sunday)).unwrap_or(today);
        let sessions_between = |from: &str, to: &str| {
            self.entries(PLANNED_SESSIONS, rusqlite::params![from, to, worker])
        };
        Ok(Caseload {
            visits_today: sessions_between(&day(today), &day(today))?,
            overdue_sessions: sessions_between("0000-01-01", &day(yesterday))?,
            overdue_reviews: self
                .entries(OVERDUE_REVIEWS, rusqlite::params![day(today), worker])?,
            due_this_week: if tomorrow <= sunday && tomorrow != today {
                sessions_between(&day(tomorrow), &day(sunday))?
            } else {
                Vec::new()
            },
            new_referrals: self.entries(NEW_REFERRALS, rusqlite::params![worker])?,
            open_concerns: self.entries(OPEN_CONCERNS, rusqlite::params![worker])?,
        })
    }

    fn entries<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> Result<Vec<CaseloadEntry>, StoreError> {
        let mut statement = self.connection.prepare_cached(sql)?;
        let rows = statement.query_map(params, |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (person_id, display_name, record_id, date) = row?;
            let bad = |what: &str| StoreError::Decode(format!("caseload {what}"));
            entries.push(CaseloadEntry {
                person_id: person_id.parse().map_err(|_| bad("person id"))?,
                display_name,
                record_id: record_id.parse().map_err(|_| bad("record id"))?,
                date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| bad("date"))?,
            });
        }
        Ok(entries)
    }
}

/// Which count of [`LinkWorkerFigures`] a query fills.
type FigureField = fn(&mut LinkWorkerFigures) -> &mut u32;

/// The figures of the link worker `id`, started at zero when first seen.
fn worker_entry<'a>(
    figures: &'a mut BTreeMap<String, LinkWorkerFigures>,
    id: &str,
) -> Result<&'a mut LinkWorkerFigures, StoreError> {
    let link_worker: UserId =
        id.parse().map_err(|_| StoreError::Decode("caseload figures link worker".into()))?;
    Ok(figures.entry(id.to_owned()).or_insert_with(|| LinkWorkerFigures {
        link_worker,
        people: Vec::new(),
        sessions_this_week: 0,
        overdue_sessions: 0,
        overdue_reviews: 0,
        open_concerns: 0,
        people_referred_in_last_year: 0,
    }))
}

/// One link worker's caseload in figures (a supervisor's view). The link worker of a person is
/// the one they are assigned to; of a session, the one who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkWorkerFigures {
    pub link_worker: UserId,
    /// The live people assigned to them (kith-core tells which are active).
    pub people: Vec<PersonId>,
    /// Their planned or held sessions from Monday to Sunday of this week.
    pub sessions_this_week: u32,
    /// Their planned sessions before today that were never recorded.
    pub overdue_sessions: u32,
    /// Agreed or active plans of their people whose review date has passed.
    pub overdue_reviews: u32,
    /// Open safeguarding concerns about their people.
    pub open_concerns: u32,
    /// Their people with a referral received in the 12 months up to today.
    pub people_referred_in_last_year: u32,
}

const PEOPLE_BY_WORKER: &str = "SELECT assigned_link_worker, id FROM people
    WHERE deleted_at IS NULL AND assigned_link_worker IS NOT NULL
    ORDER BY assigned_link_worker, display_name";

const SESSIONS_BY_WORKER: &str = "SELECT s.link_worker, count(*)
    FROM sessions s JOIN people p ON p.id = s.person_id
    WHERE s.deleted_at IS NULL AND p.deleted_at IS NULL AND s.status IN ('planned', 'held')
      AND s.date >= ?1 AND s.date <= ?2
    GROUP BY s.link_worker";

const OVERDUE_SESSIONS_BY_WORKER: &str = "SELECT s.link_worker, count(*)
    FROM sessions s JOIN people p ON p.id = s.person_id
    WHERE s.deleted_at IS NULL AND p.deleted_at IS NULL AND s.status = 'planned' AND s.date < ?1
    GROUP BY s.link_worker";

const OVERDUE_REVIEWS_BY_WORKER: &str = "SELECT p.assigned_link_worker, count(*)
    FROM care_plans c JOIN people p ON p.id = c.person_id
    WHERE c.status IN ('agreed', 'active') AND c.deleted_at IS NULL AND p.deleted_at IS NULL
      AND c.review_on < ?1 AND p.assigned_link_worker IS NOT NULL
    GROUP BY p.assigned_link_worker";

const OPEN_CONCERNS_BY_WORKER: &str = "SELECT p.assigned_link_worker, count(*)
    FROM concerns c JOIN people p ON p.id = c.person_id
    WHERE c.status <> 'closed' AND c.deleted_at IS NULL AND p.deleted_at IS NULL
      AND p.assigned_link_worker IS NOT NULL
    GROUP BY p.assigned_link_worker";

const REFERRED_BY_WORKER: &str = "SELECT p.assigned_link_worker, count(DISTINCT p.id)
    FROM referrals r JOIN people p ON p.id = r.person_id
    WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL AND p.assigned_link_worker IS NOT NULL
      AND r.received_on > ?1 AND r.received_on <= ?2
    GROUP BY p.assigned_link_worker";

impl Store {
    /// Every link worker's caseload figures as of `today`, by link worker id. Not audited:
    /// counts and ids, no names or records.
    pub fn link_worker_figures(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<LinkWorkerFigures>, StoreError> {
        let mut figures: BTreeMap<String, LinkWorkerFigures> = BTreeMap::new();
        let bad = |what: &str| StoreError::Decode(format!("caseload figures {what}"));
        for (id, person) in self.pairs(PEOPLE_BY_WORKER, [])? {
            worker_entry(&mut figures, &id)?
                .people
                .push(person.parse().map_err(|_| bad("person id"))?);
        }
        let monday = today
            .checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))
            .unwrap_or(today);
        let sunday = monday.checked_add_days(Days::new(6)).unwrap_or(today);
        let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
        let counted: [(&str, Vec<String>, FigureField); 5] = [
            (SESSIONS_BY_WORKER, vec![day(monday), day(sunday)], |f| &mut f.sessions_this_week),
            (OVERDUE_SESSIONS_BY_WORKER, vec![day(today)], |f| &mut f.overdue_sessions),
            (OVERDUE_REVIEWS_BY_WORKER, vec![day(today)], |f| &mut f.overdue_reviews),
            (OPEN_CONCERNS_BY_WORKER, vec![], |f| &mut f.open_concerns),
            (REFERRED_BY_WORKER, vec![day(year_ago), day(today)], |f| {
                &mut f.people_referred_in_last_year
            }),
        ];
        for (sql, params, field) in counted {
            for (id, count) in self.pairs(sql, rusqlite::params_from_iter(params))? {
                *field(worker_entry(&mut figures, &id)?) =
                    count.parse().map_err(|_| bad("count"))?;
            }
        }
        Ok(figures.into_values().collect())
    }

    /// Rows of two columns, both read as text.
    fn pairs<P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let mut statement = self.connection.prepare_cached(sql)?;
        let rows = statement.query_map(params, |row| {
            let second = match row.get_ref(1)? {
                rusqlite::types::ValueRef::Integer(number) => number.to_string(),
                _ => row.get::<_, String>(1)?,
            };
            Ok((row.get::<_, String>(0)?, second))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
