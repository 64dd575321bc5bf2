//! Integration tests of kith-store that try to break it: encryption at rest, wrong secrets,
//! damage, newer databases, crashes mid-write, bad input, and the repositories' behaviour.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod crash;
mod encryption;
mod records;
mod support;
mod validation;
