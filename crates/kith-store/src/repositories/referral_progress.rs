//! A referral's progress kept on the referral record itself: the first contact of the
//! episode, the person's answer, the day it closed and the GP codes sent. These are fields
//! of the record, so they sync per field like any edit and every device that holds the
//! referral shows the same GP codes, Today and caseload figures.

use chrono::NaiveDate;

use kith_domain::referral::{Referral, StatusMoves};
use kith_domain::{DomainError, ReferralId};

use crate::records::decode_rows;
use crate::{Store, StoreError};

/// Live referrals of live people whose answer calls for a GP code (accepted or declined).
const REFERRALS_WITH_GP_CODES: &str = "SELECT r.data
    FROM referrals r JOIN people p ON p.id = r.person_id
    WHERE r.deleted_at IS NULL AND p.deleted_at IS NULL
      AND json_extract(r.data, '$.answer.kind') IN ('accepted', 'declined')
    ORDER BY r.received_on, r.id";

impl Store {
    /// Applies `progress` (a kith-domain rule, given the referral and today) to a referral
    /// in one transaction: each status move it made goes through [`Store::move_referral`],
    /// which keeps the status history, and the other fields it changed are saved with the
    /// record. Nothing changes if `progress` refuses.
    pub fn update_referral_progress(
        &self,
        id: ReferralId,
        progress: impl FnOnce(&mut Referral, NaiveDate) -> Result<StatusMoves, DomainError>,
    ) -> Result<Referral, StoreError> {
        self.write(|change| {
            let mut referral: Referral = change.require(id.as_uuid())?;
            let moves = progress(&mut referral, change.today())?;
            for status in moves {
                self.move_referral(id, status)?;
            }
            let stored: Referral = change.require(id.as_uuid())?;
            if stored.status != referral.status {
                return Err(StoreError::Invalid(DomainError::ReferralStatusJump {
                    from: stored.status,
                    to: referral.status,
                }));
            }
            if stored != referral {
                change.update(&referral)?;
            }
            Ok(referral)
        })
    }

    /// Every live referral whose answer calls for a code for the GP record (accepted or
    /// declined), oldest received first. Not audited: kith-core reads each person it lists
    /// through the audited [`Store::person`].
    pub fn referrals_with_gp_codes(&self) -> Result<Vec<Referral>, StoreError> {
        decode_rows(&self.connection, REFERRALS_WITH_GP_CODES, [])
    }
}
