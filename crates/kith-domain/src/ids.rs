//! Newtype ids (UUIDv7) for every kind of record, so ids of different kinds cannot be mixed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::DomainError;

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident, $label:literal) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// What this id names, for error messages.
            pub const LABEL: &'static str = $label;

            /// A fresh id: a UUIDv7, so ids sort by creation time.
            #[allow(clippy::new_without_default)] // a default id would be a random one: be explicit
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID (read back from the store or the wire).
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(text.trim())
                    .map(Self)
                    .map_err(|_| DomainError::InvalidId { kind: $label })
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

define_id!(/// A person on a caseload.
    PersonId, "person");
define_id!(/// A referral to social prescribing.
    ReferralId, "referral");
define_id!(/// A "what matters to you" conversation.
    ConversationId, "conversation");
define_id!(/// A personalised care and support plan.
    CarePlanId, "care plan");
define_id!(/// A goal inside a care plan.
    GoalId, "goal");
define_id!(/// A session (contact) with a person.
    SessionId, "session");
define_id!(/// A note (append-only).
    NoteId, "note");
define_id!(/// A consent record.
    ConsentId, "consent record");
define_id!(/// A safeguarding concern.
    ConcernId, "safeguarding concern");
define_id!(/// A community service in the directory.
    ServiceId, "community service");
define_id!(/// A connection between a person and a community service.
    ConnectionId, "connection");
define_id!(/// A completed outcome measure (questionnaire).
    MeasureId, "outcome measure");
define_id!(/// A user of Kith: link worker, supervisor or admin.
    UserId, "user");
define_id!(/// A discharge from social prescribing.
    DischargeId, "discharge");

/// A link worker is a user; the alias documents intent at use sites.
pub type LinkWorkerId = UserId;
