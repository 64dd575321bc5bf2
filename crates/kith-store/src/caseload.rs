//! The "Today" queries: visits today, overdue follow-ups, sessions due this week, new
//! referrals waiting for first contact, open safeguarding concerns.

use chrono::{Datelike, Days, NaiveDate};
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
