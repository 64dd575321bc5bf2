//! Kith domain: the types and rules of social prescribing (people, referrals, plans,
//! sessions, notes, consent, safeguarding, outcome measures). Pure: no IO, and no clock
//! reads inside rules (`today` / `now` are arguments); only [`ids`] reads the clock, to
//! make UUIDv7 ids.
//!
//! # Module map
//! - [`ids`]: newtype UUIDv7 ids (`PersonId`, `NoteId`, ...).
//! - [`nhs_number`]: `NhsNumber`, parsed and checked with the modulus 11 check digit.
//! - [`person`]: `Person`, `NewPerson`, contact methods, accessibility needs.
//! - [`referral`]: `Referral`, sources, needs, status transitions, the person's answer and
//!   the first contact of the episode.
//! - [`conversation`]: the "what matters to you" conversation.
//! - [`care_plan`]: goals and steps, planned sessions (6-12 or a reason), lifecycle,
//!   suggested session dates.
//! - [`session`]: contacts, their status and their number in the plan ("3 of 8").
//! - [`note`]: append-only notes and amendments.
//! - [`consent`]: consent history and the current state computed from it.
//! - [`safeguarding`]: concerns, raised → escalated → closed.
//! - [`directory`]: community services and people's connections to them.
//! - [`discharge`]: discharge with reason and closing summary.
//! - [`measures`]: ONS4, SWEMWBS, UCLA-3 and MYCaW, with exact wording and scoring.
//! - [`snomed`]: SNOMED CT codes for the GP record.
//! - [`gp_record`]: the codes a referral calls for, dated, and whether they were sent.
//! - [`supervision`]: supervisors' comments, review marks and sign-offs; caseload guidance.
//! - [`error`]: `DomainError`, the one error type, each message saying how to fix it.
//!
//! Types the UI exchanges derive `ts_rs::TS` (without `#[ts(export)]`); bindings are
//! generated elsewhere. Types that hold personal data have a `Debug` that prints only ids,
//! dates and statuses.
#![forbid(unsafe_code)]

/// Implements `Debug` printing only the named fields (ids, dates, statuses) and `..`, for
/// types holding personal data.
macro_rules! debug_without_personal_data {
    ($type:ident { $($field:ident),* $(,)? }) => {
        impl ::std::fmt::Debug for $type {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}
pub(crate) use debug_without_personal_data;

pub mod care_plan;
pub mod consent;
pub mod conversation;
pub mod directory;
pub mod discharge;
pub mod error;
pub mod gp_record;
#[macro_use] // `define_id!`, for ids defined beside their types (supervision)
pub mod ids;
pub mod measures;
pub mod nhs_number;
pub mod note;
pub mod oruk;
pub mod person;
pub mod referral;
pub mod safeguarding;
pub mod session;
pub mod snomed;
pub mod supervision;
mod text;

pub use error::DomainError;
pub use ids::*;
pub use nhs_number::NhsNumber;
