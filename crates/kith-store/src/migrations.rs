//! The embedded schema migrations: append-only, applied in order, counted in `user_version`.
//! A shipped migration is never edited; add a new one at the end instead.

/// Migration `n` (1-based) takes the schema from version `n - 1` to `n`.
pub(crate) const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2_SYNC,
    MIGRATION_3_DRAFTS,
    MIGRATION_4_SUPERVISION,
    MIGRATION_5_NOTES_INDEX_MERGES,
    MIGRATION_6_NOTES_INDEX_WITHOUT_POSITIONS,
    MIGRATION_7_SYNCED_HISTORY,
];

/// The first schema: every record keeps its full data as JSON in `data`, plus the columns
/// the queries need. `deleted_at` marks a tombstone.
const MIGRATION_1: &str = r#"
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    assigned_link_worker TEXT,
    display_name TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX people_by_link_worker ON people(assigned_link_worker) WHERE deleted_at IS NULL;

CREATE TABLE referrals (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    status TEXT NOT NULL,
    received_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX referrals_by_person ON referrals(person_id);
CREATE INDEX referrals_by_status ON referrals(status) WHERE deleted_at IS NULL;

CREATE TABLE referral_status_history (
    id INTEGER PRIMARY KEY,
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
) STRICT;
CREATE INDEX referral_status_history_by_referral ON referral_status_history(referral_id);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    held_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX conversations_by_person ON conversations(person_id);

CREATE TABLE care_plans (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    status TEXT NOT NULL,
    review_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX care_plans_by_person ON care_plans(person_id);
CREATE INDEX care_plans_by_review ON care_plans(review_on) WHERE deleted_at IS NULL;

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    care_plan_id TEXT REFERENCES care_plans(id),
    link_worker TEXT NOT NULL,
    date TEXT NOT NULL,
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX sessions_by_person ON sessions(person_id);
CREATE INDEX sessions_by_plan ON sessions(care_plan_id);
CREATE INDEX sessions_planned_by_date ON sessions(date, link_worker)
    WHERE status = 'planned' AND deleted_at IS NULL;

CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    amends TEXT REFERENCES notes(id),
    written_at TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX notes_by_person ON notes(person_id, written_at);
CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;

CREATE TABLE consent_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    decided_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX consent_records_by_person ON consent_records(person_id);
CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER consent_records_no_delete BEFORE DELETE ON consent_records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;

CREATE TABLE concerns (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX concerns_by_person ON concerns(person_id);
CREATE INDEX concerns_open ON concerns(status) WHERE status <> 'closed' AND deleted_at IS NULL;

CREATE TABLE concern_events (
    id INTEGER PRIMARY KEY,
    concern_id TEXT NOT NULL REFERENCES concerns(id),
    event TEXT NOT NULL,
    at TEXT NOT NULL,
    by_user TEXT NOT NULL
) STRICT;
CREATE INDEX concern_events_by_concern ON concern_events(concern_id);

CREATE TABLE community_services (
    id TEXT PRIMARY KEY,
    person_id TEXT,
    name TEXT NOT NULL,
    active INTEGER NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;

CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    service_id TEXT NOT NULL REFERENCES community_services(id),
    status TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX connections_by_person ON connections(person_id);

CREATE TABLE measures (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    kind TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX measures_by_person ON measures(person_id, taken_on);

CREATE TABLE discharges (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    discharged_on TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX discharges_by_person ON discharges(person_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT NOT NULL,
    person_id TEXT,
    action TEXT NOT NULL,
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_by_person ON audit_log(person_id, at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    operation TEXT NOT NULL,
    record_id TEXT NOT NULL,
    person_id TEXT,
    hlc TEXT NOT NULL,
    payload TEXT NOT NULL,
    pushed_at TEXT
) STRICT;
CREATE INDEX outbox_waiting ON outbox(seq) WHERE pushed_at IS NULL;

CREATE VIRTUAL TABLE people_search USING fts5(
    names, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE VIRTUAL TABLE notes_search USING fts5(
    body, content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO people_search(people_search, rank) VALUES ('pgsz', 3900);
INSERT INTO notes_search(notes_search, rank) VALUES ('pgsz', 3900);
"#;

/// Sync with the practice server (kith-sync): the outbox gains a status (pending, accepted,
/// refused with a reason; rows written before sync existed are `legacy` and never pushed), each
/// editable record its merge state (kith-sync `RecordState`), insert-only operations are kept
/// by op id, unreadable pulled operations are kept aside, and notes and consent records may be
/// deleted only while a scope purge is running (`sync_purging` holds a row).
const MIGRATION_2_SYNC: &str = r#"
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE outbox ADD COLUMN refusal TEXT;
UPDATE outbox SET status = CASE WHEN pushed_at IS NULL THEN 'legacy' ELSE 'accepted' END;
CREATE INDEX outbox_pending ON outbox(seq) WHERE status = 'pending';
CREATE INDEX outbox_pending_by_person ON outbox(person_id) WHERE status = 'pending';

CREATE TABLE sync_records (
    record_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    person_id TEXT,
    state TEXT NOT NULL,
    conflicts INTEGER NOT NULL DEFAULT 0,
    projected INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX sync_records_by_person ON sync_records(person_id);
CREATE INDEX sync_records_with_conflicts ON sync_records(record_id) WHERE conflicts > 0;
CREATE INDEX sync_records_unprojected ON sync_records(record_id) WHERE projected = 0;

CREATE TABLE sync_inserts (
    op_id TEXT PRIMARY KEY,
    record_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    person_id TEXT,
    body TEXT,
    status TEXT NOT NULL
) STRICT;
CREATE INDEX sync_inserts_by_person ON sync_inserts(person_id);
CREATE INDEX sync_inserts_waiting ON sync_inserts(op_id) WHERE status = 'waiting';

CREATE TABLE sync_unreadable (
    seq INTEGER PRIMARY KEY,
    operation TEXT NOT NULL,
    reason TEXT NOT NULL,
    kept_at TEXT NOT NULL
) STRICT;

CREATE TABLE sync_purging (active INTEGER NOT NULL) STRICT;
DROP TRIGGER notes_no_delete;
CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'notes are append-only'); END;
DROP TRIGGER consent_records_no_delete;
CREATE TRIGGER consent_records_no_delete BEFORE DELETE ON consent_records
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
"#;

/// Work in progress saved as it is typed (visit mode), so a crash or power cut mid-visit loses
/// at most the last keystrokes. Local to this laptop: drafts are never synced, and one is
/// removed in the same transaction that records what it was a draft of.
const MIGRATION_3_DRAFTS: &str = r#"
CREATE TABLE drafts (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    saved_at TEXT NOT NULL
) STRICT;
"#;

/// Supervision: supervisors' comments, review marks and sign-offs. All three are append-only
/// like notes (deleted only by a scope purge, while `sync_purging` holds a row). Times are
/// RFC 3339 text in UTC with microseconds, as `created_at` / `updated_at` are, so a review
/// mark's time compares with when a record last changed on this device.
const MIGRATION_4_SUPERVISION: &str = r#"
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    about_kind TEXT NOT NULL,
    about_id TEXT,
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comments_by_person ON comments(person_id, written_at);
CREATE INDEX comments_by_time ON comments(written_at);
CREATE TRIGGER comments_no_update BEFORE UPDATE ON comments
BEGIN SELECT RAISE(ABORT, 'comments are append-only'); END;
CREATE TRIGGER comments_no_delete BEFORE DELETE ON comments
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'comments are append-only'); END;

CREATE TABLE review_marks (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX review_marks_by_record ON review_marks(record_id, reviewed_at);
CREATE INDEX review_marks_by_person ON review_marks(person_id);
CREATE TRIGGER review_marks_no_update BEFORE UPDATE ON review_marks
BEGIN SELECT RAISE(ABORT, 'review marks are append-only'); END;
CREATE TRIGGER review_marks_no_delete BEFORE DELETE ON review_marks
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'review marks are append-only'); END;

CREATE TABLE sign_offs (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    record_kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX sign_offs_by_record ON sign_offs(record_id);
CREATE INDEX sign_offs_by_person ON sign_offs(person_id, signed_at);
CREATE TRIGGER sign_offs_no_update BEFORE UPDATE ON sign_offs
BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END;
CREATE TRIGGER sign_offs_no_delete BEFORE DELETE ON sign_offs
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'sign-offs are append-only'); END;
"#;

/// The notes' full-text index merges its segments 16 at a time instead of 4: every commit adds
/// a segment, and a supervisor's first pull commits hundreds of pages, so with 4 each note's
/// index data was rewritten about 4 times (a sixth of a 100k-note pull's CPU). A search reads
/// a few more segments; it stays within milliseconds.
const MIGRATION_5_NOTES_INDEX_MERGES: &str = r#"
INSERT INTO notes_search(notes_search, rank) VALUES ('automerge', 16);
"#;

/// The notes' full-text index keeps which notes hold each word, not where in them
/// (`detail = column`; there is one column), and no per-note token counts
/// (`columnsize = 0`): searches ask for notes holding every typed word, newest first, never
/// for a phrase or a relevance rank. Positions were most of what indexing a pulled note
/// wrote. (`detail = none` indexed as fast but made common-word prefix searches 2.5 times
/// slower.) Marks now count as word characters, so a word in Hindi, Bengali, Punjabi or
/// Tamil is one term; before, the tokenizer cut it at every vowel sign. The index is rebuilt
/// from the notes: being contentless, it holds no text to copy.
const MIGRATION_6_NOTES_INDEX_WITHOUT_POSITIONS: &str = r#"
DROP TABLE notes_search;
CREATE VIRTUAL TABLE notes_search USING fts5(
    body, content = '', detail = column, columnsize = 0,
    tokenize = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
);
INSERT INTO notes_search(notes_search, rank) VALUES ('pgsz', 3900);
INSERT INTO notes_search(notes_search, rank) VALUES ('automerge', 16);
INSERT INTO notes_search(rowid, body) SELECT rowid, json_extract(data, '$.body') FROM notes;
"#;

/// History that syncs. A referral's status changes and a concern's steps become records of
/// their own (insert-only, wire kind `history`, with a UUID and the person), and this
/// device's audit rows are published in batches (`audit_batches`, wire kind `audit`, for
/// supervisors). The rows written before this are kept in the `*_before_sync` tables until
/// the store publishes them once (`history_upgrade`), then those tables are dropped.
/// `sync_inserts.hlc` keeps a waiting insert's clock, so when it is finally written its row
/// is dated by when it was made, as on every other device, not by when it arrived here.
const MIGRATION_7_SYNCED_HISTORY: &str = r#"
ALTER TABLE referral_status_history RENAME TO referral_status_history_before_sync;
ALTER TABLE concern_events RENAME TO concern_events_before_sync;

CREATE TABLE referral_status_history (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    referral_id TEXT NOT NULL REFERENCES referrals(id),
    changed_at TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX referral_status_changes_by_referral
    ON referral_status_history(referral_id, changed_at);
CREATE INDEX referral_status_changes_by_person ON referral_status_history(person_id);
CREATE TRIGGER referral_status_history_no_update BEFORE UPDATE ON referral_status_history
BEGIN SELECT RAISE(ABORT, 'referral history is append-only'); END;
CREATE TRIGGER referral_status_history_no_delete BEFORE DELETE ON referral_status_history
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'referral history is append-only'); END;

CREATE TABLE concern_events (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    concern_id TEXT NOT NULL REFERENCES concerns(id),
    at TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX concern_steps_by_concern ON concern_events(concern_id, at);
CREATE INDEX concern_steps_by_person ON concern_events(person_id);
CREATE TRIGGER concern_events_no_update BEFORE UPDATE ON concern_events
BEGIN SELECT RAISE(ABORT, 'concern history is append-only'); END;
CREATE TRIGGER concern_events_no_delete BEFORE DELETE ON concern_events
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'concern history is append-only'); END;

CREATE TABLE audit_batches (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    device_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX audit_batches_by_person ON audit_batches(person_id);
CREATE TRIGGER audit_batches_no_update BEFORE UPDATE ON audit_batches
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_batches_no_delete BEFORE DELETE ON audit_batches
WHEN NOT EXISTS (SELECT 1 FROM sync_purging)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

ALTER TABLE sync_inserts ADD COLUMN hlc TEXT;
"#;

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::MIGRATIONS;

    fn matches(connection: &Connection, query: &str) -> Vec<i64> {
        let mut statement = connection
            .prepare("SELECT rowid FROM notes_search WHERE notes_search MATCH ?1")
            .unwrap();
        statement.query_map([query], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
    }

    #[test]
    fn migration_6_rebuilds_the_notes_index_from_the_notes_already_there() {
        let connection = Connection::open_in_memory().unwrap();
        // Notes without their people: only the index is under test.
        connection.pragma_update(None, "foreign_keys", false).unwrap();
        for sql in &MIGRATIONS[..5] {
            connection.execute_batch(sql).unwrap();
        }
        let notes =
            [(1, "Allotment on Tuesday"), (2, "Phoned about the allotment"), (3, "काम मिला")];
        for (rowid, body) in notes {
            let data = serde_json::json!({ "body": body }).to_string();
            connection
                .execute(
                    "INSERT INTO notes (rowid, id, person_id, written_at, data, created_at)
                     VALUES (?1, ?1, 'p', 'now', ?2, 'now')",
                    rusqlite::params![rowid, data],
                )
                .unwrap();
            connection
                .execute(
                    "INSERT INTO notes_search (rowid, body) VALUES (?1, ?2)",
                    rusqlite::params![rowid, body],
                )
                .unwrap();
        }
        connection.execute_batch(MIGRATIONS[5]).unwrap();
        assert_eq!(matches(&connection, "\"allotment\""), vec![1, 2]);
        assert_eq!(matches(&connection, "\"tues\"*"), vec![1]);
        assert_eq!(matches(&connection, "\"phoned\" \"allot\"*"), vec![2]);
        assert_eq!(matches(&connection, "\"काम\""), vec![3]);
        // A purge removes a note's entries with its text, as before.
        connection
            .execute(
                "INSERT INTO notes_search (notes_search, rowid, body)
                 SELECT 'delete', rowid, json_extract(data, '$.body') FROM notes WHERE rowid = 2",
                [],
            )
            .unwrap();
        assert_eq!(matches(&connection, "\"allotment\""), vec![1]);
    }

    #[test]
    fn migration_7_keeps_the_history_written_before_it_for_publishing() {
        let connection = Connection::open_in_memory().unwrap();
        connection.pragma_update(None, "foreign_keys", false).unwrap();
        for sql in &MIGRATIONS[..6] {
            connection.execute_batch(sql).unwrap();
        }
        connection
            .execute_batch(
                "INSERT INTO referral_status_history
                     (referral_id, from_status, to_status, changed_at, changed_by)
                     VALUES ('r', NULL, 'new', 'then', 'u');
                 INSERT INTO concern_events (concern_id, event, at, by_user)
                     VALUES ('c', 'raised', 'then', 'u');",
            )
            .unwrap();
        connection.execute_batch(MIGRATIONS[6]).unwrap();
        let count = |table: &str| -> i64 {
            connection
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0))
                .unwrap()
        };
        assert_eq!(count("referral_status_history_before_sync"), 1);
        assert_eq!(count("concern_events_before_sync"), 1);
        assert_eq!(count("referral_status_history"), 0, "the new tables start empty");
        assert_eq!(count("concern_events"), 0);
        assert_eq!(count("audit_batches"), 0);
    }
}
