//! The client sync engine: push the outbox, pull by cursor, merge, report progress. (Work comes with issue #5.)
