//! Consent (record, withdraw) and safeguarding concerns (raise, escalate, close).

use chrono::{NaiveDate, Utc};

use kith_domain::consent::{ConsentDecision, ConsentKind, ConsentRecord, CurrentConsent};
use kith_domain::safeguarding::{Closure, Concern, ConcernKind, Escalation};
use kith_domain::{ConcernId, ConsentId, PersonId};

use crate::{CoreError, Kith};

impl Kith {
    /// Records consent given (or, with [`ConsentDecision::Withdrawn`], withdrawn) on
    /// `decided_on`. Withdrawing needs consent currently given.
    pub fn record_consent(
        &self,
        person_id: PersonId,
        kind: ConsentKind,
        decision: ConsentDecision,
        decided_on: NaiveDate,
    ) -> Result<ConsentRecord, CoreError> {
        let record = ConsentRecord {
            id: ConsentId::new(),
            person_id,
            kind,
            decision,
            decided_on,
            recorded_by: self.current_user()?,
            recorded_at: Utc::now(),
        };
        self.store()?.record_consent(&record)?;
        Ok(record)
    }

    /// Records that consent was withdrawn; it stops the sharing it covers.
    pub fn withdraw_consent(
        &self,
        person_id: PersonId,
        kind: ConsentKind,
        decided_on: NaiveDate,
    ) -> Result<ConsentRecord, CoreError> {
        self.record_consent(person_id, kind, ConsentDecision::Withdrawn, decided_on)
    }

    /// The current state of each consent for a person.
    pub fn current_consents(&self, person_id: PersonId) -> Result<Vec<CurrentConsent>, CoreError> {
        Ok(self.store()?.current_consents(person_id)?)
    }

    /// Raises a safeguarding concern now, by the current user.
    pub fn raise_concern(
        &self,
        person_id: PersonId,
        kind: ConcernKind,
        description: String,
    ) -> Result<Concern, CoreError> {
        let concern = Concern::raise(
            ConcernId::new(),
            person_id,
            kind,
            description,
            self.current_user()?,
            Utc::now(),
        )?;
        self.store()?.raise_concern(&concern)?;
        Ok(concern)
    }

    /// Records who the concern was escalated to (now, by the current user).
    pub fn escalate_concern(
        &self,
        concern_id: ConcernId,
        to_whom: String,
        reference: Option<String>,
    ) -> Result<Concern, CoreError> {
        let escalation = Escalation {
            to_whom,
            escalated_at: Utc::now(),
            escalated_by: self.current_user()?,
            reference,
        };
        Ok(self.store()?.escalate_concern(concern_id, escalation)?)
    }

    /// Closes a concern with its outcome.
    pub fn close_concern(
        &self,
        concern_id: ConcernId,
        outcome: String,
    ) -> Result<Concern, CoreError> {
        let closure = Closure { closed_at: Utc::now(), closed_by: self.current_user()?, outcome };
        Ok(self.store()?.close_concern(concern_id, closure)?)
    }
}
