//! Drafts: text saved as it is typed (visit mode), keyed by the session it is a draft of.
//! Local to this laptop and never synced; each save is its own small durable transaction.
//! A person's drafts go with them when they leave this laptop's scope (`sync::purge_person`).

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use kith_domain::SessionId;

use crate::{Store, StoreError};

/// How a visit draft's key starts; the session id follows.
pub(crate) const VISIT_DRAFT_PREFIX: &str = "visit:";

fn visit_key(session_id: SessionId) -> String {
    format!("{VISIT_DRAFT_PREFIX}{session_id}")
}

/// A saved draft: the body as the UI sent it (JSON text) and when it was saved.
#[derive(Clone, PartialEq, Eq)]
pub struct Draft {
    pub body: String,
    pub saved_at: DateTime<Utc>,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft").field("saved_at", &self.saved_at).finish_non_exhaustive()
    }
}

impl Store {
    /// Saves (or replaces) the visit draft of a session.
    pub fn save_visit_draft(
        &self,
        session_id: SessionId,
        body: &str,
    ) -> Result<DateTime<Utc>, StoreError> {
        let key = visit_key(session_id);
        let saved_at = Utc::now();
        self.connection
            .prepare_cached(
                "INSERT INTO drafts (key, body, saved_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
            )?
            .execute(rusqlite::params![key, body, saved_at.to_rfc3339()])?;
        Ok(saved_at)
    }

    /// The visit draft of a session, if one was saved and not yet discarded.
    pub fn visit_draft(&self, session_id: SessionId) -> Result<Option<Draft>, StoreError> {
        let key = visit_key(session_id);
        let row = self
            .connection
            .prepare_cached("SELECT body, saved_at FROM drafts WHERE key = ?1")?
            .query_row([&key], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
            .optional()?;
        let Some((body, saved_at)) = row else { return Ok(None) };
        let saved_at = DateTime::parse_from_rfc3339(&saved_at)
            .map_err(|error| StoreError::Decode(format!("draft time: {error}")))?
            .with_timezone(&Utc);
        Ok(Some(Draft { body, saved_at }))
    }

    /// Removes a session's visit draft (nothing happens if there is none).
    pub fn discard_visit_draft(&self, session_id: SessionId) -> Result<(), StoreError> {
        let key = visit_key(session_id);
        self.connection.prepare_cached("DELETE FROM drafts WHERE key = ?1")?.execute([key])?;
        Ok(())
    }
}
