//! Table tests for every rule in kith-domain: one integration-test binary, one module per
//! area of the domain.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod care_plan;
mod consent;
mod directory;
mod measures;
mod nhs_number;
mod notes;
mod person;
mod referral;
mod safeguarding;
mod serde_shapes;
mod sessions;
mod supervision;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// A date for tests.
pub fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

/// A UTC time for tests.
pub fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

/// "Today" in tests.
pub fn today() -> NaiveDate {
    date(2025, 3, 14)
}
