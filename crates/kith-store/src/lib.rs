//! The encrypted local store (SQLCipher through rusqlite): migrations, repositories, search, caseload queries, audit log and the sync outbox. The only client crate with SQL.
