//! The community directory and a person's connections to it: signposted (gave information)
//! apart from referred (made the contact), and whether the person attended.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{CarePlanId, ConnectionId, PersonId, ServiceId, UserId};
use crate::text::require;

/// The category of a community service (the groups in domain.md).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ServiceCategory {
    Befriending,
    MensGroups,
    Gardening,
    Cookery,
    Arts,
    Singing,
    WalkingAndSport,
    MoneyAndDebtAdvice,
    HousingHelp,
    CarersSupport,
    EmploymentAndVolunteering,
    AgeRelatedGroups,
    Bereavement,
    MentalWellbeing,
    DigitalSkills,
    FoodAndEssentials,
    Other,
}

impl ServiceCategory {
    /// Every category, in the order the UI lists them.
    pub const ALL: [ServiceCategory; 17] = [
        ServiceCategory::Befriending,
        ServiceCategory::MensGroups,
        ServiceCategory::Gardening,
        ServiceCategory::Cookery,
        ServiceCategory::Arts,
        ServiceCategory::Singing,
        ServiceCategory::WalkingAndSport,
        ServiceCategory::MoneyAndDebtAdvice,
        ServiceCategory::HousingHelp,
        ServiceCategory::CarersSupport,
        ServiceCategory::EmploymentAndVolunteering,
        ServiceCategory::AgeRelatedGroups,
        ServiceCategory::Bereavement,
        ServiceCategory::MentalWellbeing,
        ServiceCategory::DigitalSkills,
        ServiceCategory::FoodAndEssentials,
        ServiceCategory::Other,
    ];

    /// Words for people and reports.
    pub fn label(self) -> &'static str {
        match self {
            ServiceCategory::Befriending => "Befriending",
            ServiceCategory::MensGroups => "Men's groups",
            ServiceCategory::Gardening => "Gardening",
            ServiceCategory::Cookery => "Cookery",
            ServiceCategory::Arts => "Arts",
            ServiceCategory::Singing => "Singing",
            ServiceCategory::WalkingAndSport => "Walking and sport",
            ServiceCategory::MoneyAndDebtAdvice => "Money and debt advice",
            ServiceCategory::HousingHelp => "Housing help",
            ServiceCategory::CarersSupport => "Carers' support",
            ServiceCategory::EmploymentAndVolunteering => "Employment and volunteering",
            ServiceCategory::AgeRelatedGroups => "Age-related groups",
            ServiceCategory::Bereavement => "Bereavement support",
            ServiceCategory::MentalWellbeing => "Mental wellbeing",
            ServiceCategory::DigitalSkills => "Digital skills",
            ServiceCategory::FoodAndEssentials => "Food banks and essentials",
            ServiceCategory::Other => "Other",
        }
    }
}

/// A community group or service in the directory (not personal data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CommunityService {
    pub id: ServiceId,
    pub name: String,
    pub organisation: Option<String>,
    pub description: Option<String>,
    pub category: ServiceCategory,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// When it runs, in words ("Tuesdays 10-12").
    pub schedule: Option<String>,
    pub cost: Option<String>,
    pub eligibility: Option<String>,
    pub accessibility: Option<String>,
    /// The service's id in an imported Open Referral UK directory, so re-imports update.
    pub oruk_id: Option<String>,
    /// False once the service has stopped running.
    pub active: bool,
}

impl CommunityService {
    /// A service needs a name.
    pub fn validate(&self) -> Result<(), DomainError> {
        require("service name", &self.name)
    }
}

/// How the connection was made.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    /// The link worker gave the person information.
    Signposted,
    /// The link worker made the contact.
    Referred,
}

/// Where a connection is. A connection starts as signposted or referred (its kind); a
/// signposted one may later be referred; either may become attended or stopped; an
/// attended one may stop. Stopped is final.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    Signposted,
    Referred,
    Attended,
    Stopped,
}

impl ConnectionStatus {
    /// Every status.
    pub const ALL: [ConnectionStatus; 4] = [
        ConnectionStatus::Signposted,
        ConnectionStatus::Referred,
        ConnectionStatus::Attended,
        ConnectionStatus::Stopped,
    ];

    /// The status a new connection of this kind starts in.
    pub fn initial(kind: ConnectionKind) -> ConnectionStatus {
        match kind {
            ConnectionKind::Signposted => ConnectionStatus::Signposted,
            ConnectionKind::Referred => ConnectionStatus::Referred,
        }
    }

    /// The statuses this one may move to.
    pub fn allowed_next(self) -> &'static [ConnectionStatus] {
        match self {
            ConnectionStatus::Signposted => {
                &[ConnectionStatus::Referred, ConnectionStatus::Attended, ConnectionStatus::Stopped]
            }
            ConnectionStatus::Referred => &[ConnectionStatus::Attended, ConnectionStatus::Stopped],
            ConnectionStatus::Attended => &[ConnectionStatus::Stopped],
            ConnectionStatus::Stopped => &[],
        }
    }

    /// Moves to `to` if allowed, otherwise [`DomainError::ConnectionStatusJump`].
    pub fn transition(self, to: ConnectionStatus) -> Result<ConnectionStatus, DomainError> {
        if self.allowed_next().contains(&to) {
            Ok(to)
        } else {
            Err(DomainError::ConnectionStatusJump { from: self, to })
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            ConnectionStatus::Signposted => "signposted",
            ConnectionStatus::Referred => "referred",
            ConnectionStatus::Attended => "attended",
            ConnectionStatus::Stopped => "stopped",
        }
    }
}

/// A person's connection to a community service.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Connection {
    pub id: ConnectionId,
    pub person_id: PersonId,
    pub service_id: ServiceId,
    pub care_plan_id: Option<CarePlanId>,
    pub kind: ConnectionKind,
    pub status: ConnectionStatus,
    pub made_on: NaiveDate,
    pub made_by: UserId,
    /// The day the status last changed.
    pub status_changed_on: NaiveDate,
    pub notes: Option<String>,
}
crate::debug_without_personal_data!(Connection {
    id,
    person_id,
    service_id,
    kind,
    status,
    made_on
});

impl Connection {
    /// A new connection, in the status its kind starts in. `made_on` must not be in the future.
    #[allow(clippy::too_many_arguments)] // each is a distinct field of the record
    pub fn make(
        id: ConnectionId,
        person_id: PersonId,
        service_id: ServiceId,
        care_plan_id: Option<CarePlanId>,
        kind: ConnectionKind,
        made_on: NaiveDate,
        made_by: UserId,
        today: NaiveDate,
    ) -> Result<Connection, DomainError> {
        if made_on > today {
            return Err(DomainError::DateInFuture { field: "date of the connection" });
        }
        Ok(Connection {
            id,
            person_id,
            service_id,
            care_plan_id,
            kind,
            status: ConnectionStatus::initial(kind),
            made_on,
            made_by,
            status_changed_on: made_on,
            notes: None,
        })
    }

    /// Moves the connection to `to` on `on`. Refused moves leave it unchanged.
    pub fn move_to(&mut self, to: ConnectionStatus, on: NaiveDate) -> Result<(), DomainError> {
        let next = self.status.transition(to)?;
        if on < self.made_on {
            return Err(DomainError::DateOrder {
                later: "date of the status change",
                earlier: "date the connection was made",
            });
        }
        self.status = next;
        self.status_changed_on = on;
        Ok(())
    }
}
