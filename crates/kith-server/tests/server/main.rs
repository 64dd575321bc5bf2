//! Integration tests of the practice server: a real server on 127.0.0.1:0, driven over HTTP,
//! with the same stories run against SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod authorization;
mod cli;
mod concurrency;
mod hostile;
mod plaintext;
mod progress;
mod robustness;
mod story;
mod support;
mod tls;

/// Runs each named async test fn (taking a `Backend`) once per storage backend.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    crate::$test(crate::support::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    crate::$test(crate::support::Backend::Postgres).await
                }
            )*
        }
    };
}

use authorization::{authorization_matrix, foreign_ids_answer_like_missing_ones};
use concurrency::fifty_devices_push_and_pull_at_once;
use plaintext::no_plaintext_at_rest;
use progress::pull_reports_a_scoped_head_and_stored_counts_skip_replays;
use story::practice_story;

on_every_backend!(
    practice_story,
    authorization_matrix,
    foreign_ids_answer_like_missing_ones,
    no_plaintext_at_rest,
    fifty_devices_push_and_pull_at_once,
    pull_reports_a_scoped_head_and_stored_counts_skip_replays,
);
