//! The "what matters to you" conversation: the person's own words, strengths, concerns and
//! barriers.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{ConversationId, PersonId, ReferralId, UserId};
use crate::text::require;

/// Longest contact accepted, in minutes (a long home visit is 1-2 hours).
pub const MAX_CONTACT_MINUTES: u16 = 480;

/// Where the conversation took place.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ConversationSetting {
    Home,
    Phone,
    Video,
    Practice,
    Community,
}

/// An area of life a concern belongs to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum LifeArea {
    PhysicalHealth,
    MentalWellbeing,
    Relationships,
    SocialConnection,
    Housing,
    Money,
    WorkAndLearning,
    Caring,
    Activity,
    Other,
}

/// A concern in one area of life, in the person's own words.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LifeAreaConcern {
    pub area: LifeArea,
    pub in_own_words: String,
}
crate::debug_without_personal_data!(LifeAreaConcern { area });

/// Something that makes change harder.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Barrier {
    Anxiety,
    Transport,
    Mobility,
    Confidence,
    Money,
    CaringDuties,
    Language,
    /// Any other barrier, in words.
    Other(String),
}

/// A "what matters to you" conversation.
#[derive(Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Conversation {
    pub id: ConversationId,
    pub person_id: PersonId,
    pub referral_id: Option<ReferralId>,
    pub held_on: NaiveDate,
    pub setting: ConversationSetting,
    pub duration_minutes: u16,
    /// What matters to the person, in their own words.
    pub what_matters: String,
    pub strengths: Option<String>,
    /// What the person wants to change.
    pub wants_to_change: Option<String>,
    pub concerns: Vec<LifeAreaConcern>,
    pub barriers: Vec<Barrier>,
    pub recorded_by: UserId,
}
crate::debug_without_personal_data!(Conversation {
    id,
    person_id,
    held_on,
    setting,
    duration_minutes
});

impl Conversation {
    /// Checks the conversation: not in the future, a duration, the person's words recorded.
    pub fn validate(&self, today: NaiveDate) -> Result<(), DomainError> {
        if self.held_on > today {
            return Err(DomainError::DateInFuture { field: "date of the conversation" });
        }
        validate_duration(self.duration_minutes)?;
        require("what matters to the person", &self.what_matters)?;
        for concern in &self.concerns {
            require("concern (in the person's words)", &concern.in_own_words)?;
        }
        for barrier in &self.barriers {
            if let Barrier::Other(text) = barrier {
                require("barrier (other)", text)?;
            }
        }
        Ok(())
    }
}

/// A contact's duration: 1 to [`MAX_CONTACT_MINUTES`] minutes.
pub fn validate_duration(minutes: u16) -> Result<(), DomainError> {
    if (1..=MAX_CONTACT_MINUTES).contains(&minutes) {
        Ok(())
    } else {
        Err(DomainError::DurationOutOfRange { minutes, max: MAX_CONTACT_MINUTES })
    }
}
