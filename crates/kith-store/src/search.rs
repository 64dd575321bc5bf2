//! Full-text search (FTS5, `unicode61 remove_diacritics 2`) over people's names and notes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use kith_domain::referral::{Need, ReferralStatus};
use kith_domain::{NoteId, PersonId};

use crate::{Store, StoreError};

/// Where a person matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedIn {
    Name,
    Notes,
}

/// A person found by search, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonHit {
    pub person_id: PersonId,
    pub display_name: String,
    pub matched_in: MatchedIn,
}

/// A note found by search, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteHit {
    pub note_id: NoteId,
    pub person_id: PersonId,
    pub written_at: String,
}

/// What the People list needs to know about a person besides their name: their latest
/// referral, their latest discharge and whether a care plan is open. Not a record: no
/// contact details, no notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonOverview {
    pub person_id: PersonId,
    pub display_name: String,
    /// The most recently received referral, if any.
    pub latest_referral: Option<ReferralSummary>,
    pub last_discharged_on: Option<NaiveDate>,
    /// A draft, agreed or active care plan exists.
    pub open_plan: bool,
}

/// The parts of a referral the People list shows and filters on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralSummary {
    pub status: ReferralStatus,
    pub received_on: NaiveDate,
    pub needs: Vec<Need>,
}

/// One row per person; `?1` is NULL (everyone) or a JSON array of person ids. Most recent
/// referral first, then by name. A discharge counts only if no referral came after it: a
/// later day, or the same day and recorded later (ids are UUIDv7, so they sort by creation).
const PERSON_OVERVIEWS: &str = "SELECT p.id, p.display_name, r.status, r.received_on,
        json_extract(r.data, '$.needs'),
        (SELECT max(d.discharged_on) FROM discharges d
          WHERE d.person_id = p.id AND d.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM referrals r3
                WHERE r3.person_id = p.id AND r3.deleted_at IS NULL
                  AND (r3.received_on > d.discharged_on
                       OR (r3.received_on = d.discharged_on AND r3.id > d.id)))),
        EXISTS (SELECT 1 FROM care_plans c WHERE c.person_id = p.id AND c.deleted_at IS NULL
                  AND c.status IN ('draft', 'agreed', 'active'))
    FROM people p
    LEFT JOIN referrals r ON r.id = (
        SELECT r2.id FROM referrals r2 WHERE r2.person_id = p.id AND r2.deleted_at IS NULL
        ORDER BY r2.received_on DESC, r2.created_at DESC LIMIT 1)
    WHERE p.deleted_at IS NULL
      AND (?1 IS NULL OR p.id IN (SELECT value FROM json_each(?1)))
    ORDER BY r.received_on DESC, p.display_name";

type OverviewRow =
    (String, String, Option<String>, Option<String>, Option<String>, Option<String>, bool);

fn parse_day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Decode("people list date".into()))
}

fn overview_from_row(row: OverviewRow) -> Result<PersonOverview, StoreError> {
    let (id, display_name, status, received_on, needs, discharged_on, open_plan) = row;
    let latest_referral = match (status, received_on) {
        (Some(status), Some(received_on)) => Some(ReferralSummary {
            status: serde_json::from_value(serde_json::Value::String(status))?,
            received_on: parse_day(&received_on)?,
            needs: match needs {
                Some(needs) => serde_json::from_str(&needs)?,
                None => Vec::new(),
            },
        }),
        _ => None,
    };
    Ok(PersonOverview {
        person_id: parse_id(&id)?,
        display_name,
        latest_referral,
        last_discharged_on: discharged_on.as_deref().map(parse_day).transpose()?,
        open_plan,
    })
}

/// Turns what a person typed into a safe FTS5 query: every word quoted (so no FTS syntax
/// gets through), all words required; `prefix` makes every word a prefix, otherwise only the
/// last (the one still being typed). Words are split where the notes index's tokenizer
/// splits them, so that each is one term. `None` when there is no word to search for.
fn match_expression(typed: &str, prefix: bool) -> Option<String> {
    let words: Vec<&str> =
        typed.split(|c: char| !is_word_char(c)).filter(|word| !word.is_empty()).collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> =
        words
            .iter()
            .enumerate()
            .map(|(index, word)| {
                if prefix || index == last {
                    format!("\"{word}\"*")
                } else {
                    format!("\"{word}\"")
                }
            })
            .collect();
    Some(terms.join(" "))
}

/// Whether the notes index's tokenizer (`unicode61`, categories `L* N* Co M*`) keeps `c`
/// inside a word: letters, marks (so a Hindi or Tamil word stays whole), numbers and
/// private-use characters.
fn is_word_char(c: char) -> bool {
    use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark | GeneralCategoryGroup::Number
    ) || c.general_category() == GeneralCategory::PrivateUse
}

/// The notes index keeps no word positions, so it cannot answer a phrase: the error a typed
/// word gives if the tokenizer still splits it (its Unicode tables are version 6.1, so a
/// character whose category changed since could). Such a word finds no notes.
fn is_phrase_refused(error: &rusqlite::Error) -> bool {
    error.to_string().contains("phrase queries are not supported")
}

/// How many of the most recent matching notes a people search reads per person it may
/// return (a person with many matching notes takes several).
const NOTES_SCANNED_PER_RESULT: usize = 20;

fn parse_id<T: std::str::FromStr>(text: &str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::Decode("search result id".into()))
}

impl Store {
    /// People whose names (or preferred name, or NHS number) match, ranked; then people whose
    /// notes match, most recent note first (among the `limit x 20` most recent matching
    /// notes). At most `limit` people.
    pub fn search_people(&self, typed: &str, limit: usize) -> Result<Vec<PersonHit>, StoreError> {
        let mut hits: Vec<PersonHit> = Vec::new();
        let Some(names_query) = match_expression(typed, true) else { return Ok(hits) };
        let mut statement = self.connection.prepare_cached(
            "SELECT p.id, p.display_name FROM people_search s JOIN people p ON p.rowid = s.rowid
             WHERE people_search MATCH ?1 AND p.deleted_at IS NULL
             ORDER BY s.rank LIMIT ?2",
        )?;
        let rows = statement.query_map(rusqlite::params![names_query, limit as i64], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, display_name) = row?;
            hits.push(PersonHit {
                person_id: parse_id(&id)?,
                display_name,
                matched_in: MatchedIn::Name,
            });
        }
        if hits.len() >= limit {
            return Ok(hits);
        }
        let notes_query = match_expression(typed, false).unwrap_or_default();
        // Most recent matching notes first, read from the full-text index alone with a
        // LIMIT: ranking every match (bm25) and joining each to its person cost ~0.3 s for a
        // word in a third of 150,000 notes; this stays within milliseconds.
        let mut statement = self.connection.prepare_cached(
            "SELECT p.id, p.display_name
             FROM (SELECT rowid FROM notes_search WHERE notes_search MATCH ?1
                   ORDER BY rowid DESC LIMIT ?2) s
             JOIN notes n ON n.rowid = s.rowid
             JOIN people p ON p.id = n.person_id
             WHERE p.deleted_at IS NULL
             ORDER BY s.rowid DESC",
        )?;
        let scanned = (limit * NOTES_SCANNED_PER_RESULT) as i64;
        let rows: Result<Vec<(String, String)>, rusqlite::Error> = statement
            .query_map(rusqlite::params![notes_query, scanned], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect();
        let rows = match rows {
            Err(error) if is_phrase_refused(&error) => Vec::new(),
            rows => rows?,
        };
        for (id, display_name) in rows {
            let person_id: PersonId = parse_id(&id)?;
            if hits.len() < limit && !hits.iter().any(|hit| hit.person_id == person_id) {
                hits.push(PersonHit { person_id, display_name, matched_in: MatchedIn::Notes });
            }
        }
        Ok(hits)
    }

    /// An overview of the given people (`None`: everyone not deleted), most recent referral
    /// first. Not audited: like the caseload, it lists names and statuses, not records.
    pub fn person_overviews(
        &self,
        people: Option<&[PersonId]>,
    ) -> Result<Vec<PersonOverview>, StoreError> {
        let ids = people
            .map(|ids| {
                serde_json::to_string(&ids.iter().map(ToString::to_string).collect::<Vec<_>>())
            })
            .transpose()?;
        let mut statement = self.connection.prepare_cached(PERSON_OVERVIEWS)?;
        let rows = statement.query_map([ids], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
            ))
        })?;
        let mut overviews = Vec::new();
        for row in rows {
            overviews.push(overview_from_row(row?)?);
        }
        Ok(overviews)
    }

    /// Notes containing every typed word (the last as a prefix), most recent first.
    pub fn search_notes(&self, typed: &str, limit: usize) -> Result<Vec<NoteHit>, StoreError> {
        let Some(query) = match_expression(typed, false) else { return Ok(Vec::new()) };
        // As in `search_people`: the LIMIT applies inside the full-text index.
        let mut statement = self.connection.prepare_cached(
            "SELECT n.id, n.person_id, n.written_at
             FROM (SELECT rowid FROM notes_search WHERE notes_search MATCH ?1
                   ORDER BY rowid DESC LIMIT ?2) s
             JOIN notes n ON n.rowid = s.rowid
             JOIN people p ON p.id = n.person_id
             WHERE p.deleted_at IS NULL
             ORDER BY s.rowid DESC",
        )?;
        let rows: Result<Vec<(String, String, String)>, rusqlite::Error> = statement
            .query_map(rusqlite::params![query, limit as i64], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?
            .collect();
        let rows = match rows {
            Err(error) if is_phrase_refused(&error) => Vec::new(),
            rows => rows?,
        };
        let mut hits = Vec::new();
        for (note_id, person_id, written_at) in rows {
            hits.push(NoteHit {
                note_id: parse_id(&note_id)?,
                person_id: parse_id(&person_id)?,
                written_at,
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::{is_phrase_refused, match_expression};

    #[test]
    fn typed_text_becomes_quoted_terms_and_fts_syntax_is_neutralised() {
        assert_eq!(match_expression("  ", true), None);
        assert_eq!(match_expression("mary o'brien", true).unwrap(), "\"mary\"* \"o\"* \"brien\"*");
        assert_eq!(match_expression("garden NEAR(x", false).unwrap(), "\"garden\" \"NEAR\" \"x\"*");
        assert_eq!(match_expression("\"a\" OR b*", false).unwrap(), "\"a\" \"OR\" \"b\"*");
        // Marks stay inside words (Devanagari vowel signs, combining accents); symbols that
        // Unicode calls alphabetic (circled letters) split them, as the tokenizer does.
        assert_eq!(match_expression("काम बहुत", false).unwrap(), "\"काम\" \"बहुत\"*");
        assert_eq!(match_expression("cafe\u{301}", false).unwrap(), "\"cafe\u{301}\"*");
        assert_eq!(match_expression("x\u{24B6}y", false).unwrap(), "\"x\" \"y\"*");
    }

    #[test]
    fn a_phrase_the_notes_index_refuses_is_recognised() {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        for sql in crate::migrations::MIGRATIONS {
            connection.execute_batch(sql).unwrap();
        }
        let error = connection
            .query_row(
                "SELECT rowid FROM notes_search WHERE notes_search MATCH '\"two words\"'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .unwrap_err();
        assert!(is_phrase_refused(&error), "{error}");
    }
}
