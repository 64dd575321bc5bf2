//! The SQL of the reports for a date range: referrals by source and need, sessions by status
//! and kind, held sessions per person, caseload episodes, the measures to pair, connections
//! by service category. Figures only, no names or free text; kith-core shapes them into the
//! report. People who were deleted (tombstoned) and their records are left out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use kith_domain::measures::Measure;
use kith_domain::{PersonId, UserId};

use crate::records::decode_rows;
use crate::{Store, StoreError};

/// A count under a key: the serde (snake_case) name of a source, need, kind, status or
/// category; `other` for every free-text "other" value (its words never reach a report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCount {
    pub key: String,
    pub count: u32,
}

/// Sessions dated in the range, counted by status and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCount {
    pub status: String,
    pub kind: String,
    pub count: u32,
}

/// Connections made in the range, counted by the service's category, the connection's kind
/// (signposted, referred) and its current status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionCount {
    pub category: String,
    pub kind: String,
    pub status: String,
    pub count: u32,
}

/// One episode of a person on the caseload: from `starts_on` until `ends_on` (`None`: still
/// open). A referral's episode starts when it was received and ends on the first of: the day
/// of its answer when that is declined or unable to contact, the day it was closed (both
/// fields of the referral record, which syncs, so every device counts the same), and the
/// person's first discharge on or after it was received. A referral stored before those
/// fields existed falls back to its status history (UTC date). An open plan's (draft, agreed,
/// active) starts on its start date and ends at the person's first discharge on or after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseloadEpisode {
    pub person_id: PersonId,
    pub link_worker: Option<UserId>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// Everything a report for `from..=to` is computed from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportFigures {
    /// Referrals received in the range.
    pub referrals_received: u32,
    pub referrals_by_source: Vec<KeyCount>,
    /// Referrals received in the range naming each need (a referral with two needs counts
    /// under both).
    pub referrals_by_need: Vec<KeyCount>,
    pub sessions: Vec<SessionCount>,
    /// For each person with a held session in the range: how many they had.
    pub held_sessions_per_person: Vec<u32>,
    /// Episodes that started on or before the end of the range.
    pub episodes: Vec<CaseloadEpisode>,
    /// Every measure taken on or before the end of the range by someone with a follow-up in
    /// the range (to be paired by kith-domain).
    pub measures: Vec<Measure>,
    pub connections: Vec<ConnectionCount>,
}

const REFERRALS_RECEIVED: &str = "SELECT count(*)
    FROM referrals r JOIN people p ON p.id = r.person_id
    WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL AND r.received_on BETWEEN ?1 AND ?2";

const REFERRALS_BY_SOURCE: &str = "SELECT
        CASE WHEN json_type(r.data, '$.source') = 'text'
             THEN json_extract(r.data, '$.source') ELSE 'other' END AS source,
        count(*)
    FROM referrals r JOIN people p ON p.id = r.person_id
    WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL AND r.received_on BETWEEN ?1 AND ?2
    GROUP BY source ORDER BY source";

const REFERRALS_BY_NEED: &str = "SELECT
        CASE WHEN need.type = 'text' THEN need.value ELSE 'other' END AS need_key,
        count(DISTINCT r.id)
    FROM referrals r JOIN people p ON p.id = r.person_id, json_each(r.data, '$.needs') need
    WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL AND r.received_on BETWEEN ?1 AND ?2
    GROUP BY need_key ORDER BY need_key";

const SESSIONS_BY_STATUS_AND_KIND: &str = "SELECT s.status, json_extract(s.data, '$.kind'),
        count(*)
    FROM sessions s JOIN people p ON p.id = s.person_id
    WHERE s.deleted_at IS NULL AND p.deleted_at IS NULL AND s.date BETWEEN ?1 AND ?2
    GROUP BY 1, 2 ORDER BY 1, 2";

const HELD_SESSIONS_PER_PERSON: &str = "SELECT count(*)
    FROM sessions s JOIN people p ON p.id = s.person_id
    WHERE s.deleted_at IS NULL AND p.deleted_at IS NULL AND s.status = 'held'
      AND s.date BETWEEN ?1 AND ?2
    GROUP BY s.person_id ORDER BY 1";

const CASELOAD_EPISODES: &str = "SELECT r.person_id, p.assigned_link_worker, r.received_on,
        CASE WHEN json_extract(r.data, '$.answer.kind') IN ('declined', 'unable_to_contact')
             THEN json_extract(r.data, '$.answer.on') END,
        json_extract(r.data, '$.closed_on'),
        CASE WHEN json_type(r.data, '$.answer') IS NULL THEN
            (SELECT min(substr(h.changed_at, 1, 10)) FROM referral_status_history h
             WHERE h.referral_id = r.id
               AND json_extract(h.data, '$.to') IN ('declined', 'unable_to_contact', 'closed')) END,
        (SELECT min(d.discharged_on) FROM discharges d
         WHERE d.person_id = r.person_id AND d.deleted_at IS NULL
           AND d.discharged_on >= r.received_on)
    FROM referrals r JOIN people p ON p.id = r.person_id
    WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL AND r.received_on <= ?1
    UNION ALL
    SELECT c.person_id, p.assigned_link_worker, json_extract(c.data, '$.starts_on'), NULL, NULL,
        NULL,
        (SELECT min(d.discharged_on) FROM discharges d
         WHERE d.person_id = c.person_id AND d.deleted_at IS NULL
           AND d.discharged_on >= json_extract(c.data, '$.starts_on'))
    FROM care_plans c JOIN people p ON p.id = c.person_id
    WHERE c.deleted_at IS NULL AND p.deleted_at IS NULL
      AND c.status IN ('draft', 'agreed', 'active')
      AND json_extract(c.data, '$.starts_on') <= ?1";

const MEASURES_TO_PAIR: &str = "SELECT m.data
    FROM measures m JOIN people p ON p.id = m.person_id
    WHERE p.deleted_at IS NULL AND m.taken_on <= ?2
      AND m.person_id IN (
        SELECT f.person_id FROM measures f
        WHERE json_extract(f.data, '$.timing') = 'follow_up' AND f.taken_on BETWEEN ?1 AND ?2)
    ORDER BY m.person_id, m.taken_on, m.id";

const CONNECTIONS_BY_CATEGORY: &str = "SELECT json_extract(s.data, '$.category'),
        json_extract(c.data, '$.kind'), c.status, count(*)
    FROM connections c
      JOIN people p ON p.id = c.person_id
      JOIN community_services s ON s.id = c.service_id
    WHERE c.deleted_at IS NULL AND p.deleted_at IS NULL
      AND json_extract(c.data, '$.made_on') BETWEEN ?1 AND ?2
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn parse_day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Decode("a date in a report".into()))
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl Store {
    /// The figures of a report for `from..=to` (both days included), read in one snapshot.
    /// Not audited per person: it returns counts, and measures only for kith-core to pair.
    pub fn report_figures(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<ReportFigures, StoreError> {
        let (from, to) = (day(from), day(to));
        // One read snapshot, unless the caller already holds a transaction.
        let own_snapshot = self.connection.is_autocommit();
        if own_snapshot {
            self.connection.execute_batch("BEGIN DEFERRED")?;
        }
        let figures = self.read_figures(&from, &to);
        if own_snapshot {
            self.connection.execute_batch("ROLLBACK")?;
        }
        figures
    }

    fn read_figures(&self, from: &str, to: &str) -> Result<ReportFigures, StoreError> {
        let referrals_received: i64 =
            self.connection.query_row(REFERRALS_RECEIVED, [from, to], |row| row.get(0))?;
        Ok(ReportFigures {
            referrals_received: count(referrals_received),
            referrals_by_source: self.key_counts(REFERRALS_BY_SOURCE, from, to)?,
            referrals_by_need: self.key_counts(REFERRALS_BY_NEED, from, to)?,
            sessions: self.session_counts(from, to)?,
            held_sessions_per_person: self.held_sessions_per_person(from, to)?,
            episodes: self.caseload_episodes(to)?,
            measures: decode_rows(&self.connection, MEASURES_TO_PAIR, [from, to])?,
            connections: self.connection_counts(from, to)?,
        })
    }

    fn key_counts(&self, sql: &str, from: &str, to: &str) -> Result<Vec<KeyCount>, StoreError> {
        let mut statement = self.connection.prepare_cached(sql)?;
        let rows = statement.query_map([from, to], |row| {
            Ok(KeyCount { key: row.get(0)?, count: count(row.get(1)?) })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn session_counts(&self, from: &str, to: &str) -> Result<Vec<SessionCount>, StoreError> {
        let mut statement = self.connection.prepare_cached(SESSIONS_BY_STATUS_AND_KIND)?;
        let rows = statement.query_map([from, to], |row| {
            Ok(SessionCount { status: row.get(0)?, kind: row.get(1)?, count: count(row.get(2)?) })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn held_sessions_per_person(&self, from: &str, to: &str) -> Result<Vec<u32>, StoreError> {
        let mut statement = self.connection.prepare_cached(HELD_SESSIONS_PER_PERSON)?;
        let rows = statement.query_map([from, to], |row| row.get::<_, i64>(0).map(count))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn caseload_episodes(&self, to: &str) -> Result<Vec<CaseloadEpisode>, StoreError> {
        let mut statement = self.connection.prepare_cached(CASELOAD_EPISODES)?;
        let rows = statement.query_map([to], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut episodes = Vec::new();
        for row in rows {
            let (person_id, link_worker, starts_on, answered, closed, in_history, discharged) =
                row?;
            let bad = |what: &str| StoreError::Decode(format!("a caseload episode's {what}"));
            let ends = [answered, closed, in_history, discharged]
                .into_iter()
                .flatten()
                .map(|text| parse_day(&text))
                .collect::<Result<Vec<_>, _>>()?;
            episodes.push(CaseloadEpisode {
                person_id: person_id.parse().map_err(|_| bad("person"))?,
                link_worker: link_worker
                    .map(|id| id.parse().map_err(|_| bad("link worker")))
                    .transpose()?,
                starts_on: parse_day(&starts_on)?,
                ends_on: ends.into_iter().min(),
            });
        }
        Ok(episodes)
    }

    fn connection_counts(&self, from: &str, to: &str) -> Result<Vec<ConnectionCount>, StoreError> {
        let mut statement = self.connection.prepare_cached(CONNECTIONS_BY_CATEGORY)?;
        let rows = statement.query_map([from, to], |row| {
            Ok(ConnectionCount {
                category: row.get(0)?,
                kind: row.get(1)?,
                status: row.get(2)?,
                count: count(row.get(3)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
