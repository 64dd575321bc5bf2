//! Moving a person to another link worker (supervisors): the server changes who carries
//! them, the person's record names the new worker, and sync does the rest: the new worker's
//! laptop receives the person with everything recorded about them, and the old worker's
//! laptop removes them (the server tells both to resync; the old one purges the person).

use kith_domain::{PersonId, UserId};
use kith_protocol::Role;
use serde::Serialize;
use ts_rs::TS;

use crate::practice::{self, Membership};
use crate::sync_status::block_on;
use crate::{CoreError, Kith};

/// A link worker a person can be moved to, for the picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct LinkWorkerChoice {
    pub user_id: UserId,
    /// Their account name on the practice server.
    pub username: String,
}

impl Kith {
    /// The practice's active link worker accounts, by name (supervisors only; needs the
    /// practice server).
    pub fn link_workers(&self) -> Result<Vec<LinkWorkerChoice>, CoreError> {
        let membership = self.supervisor_membership()?;
        let users = block_on(&self.runtime()?, practice::practice_users(&membership))?;
        let mut workers: Vec<LinkWorkerChoice> = users
            .into_iter()
            .filter(|user| user.role == Role::LinkWorker && !user.disabled)
            .map(|user| LinkWorkerChoice {
                user_id: UserId::from_uuid(*user.user_id.as_uuid()),
                username: user.username,
            })
            .collect();
        workers.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(workers)
    }

    /// Moves a person to another link worker (supervisors only; needs the practice server).
    /// The server is asked first; only when it agrees does the person's record name the new
    /// worker, and that change syncs like any other.
    pub fn reassign_person(
        &self,
        person_id: PersonId,
        to_link_worker: UserId,
    ) -> Result<(), CoreError> {
        let membership = self.supervisor_membership()?;
        let store = self.store()?;
        let mut person = store.person(person_id)?;
        block_on(
            &self.runtime()?,
            practice::assign_person(&membership, person_id, to_link_worker),
        )?;
        if person.assigned_link_worker != Some(to_link_worker) {
            person.assigned_link_worker = Some(to_link_worker);
            store.update_person(&person)?;
        }
        self.changed();
        Ok(())
    }

    fn supervisor_membership(&self) -> Result<Membership, CoreError> {
        let membership = Membership::load(self.store()?)?.ok_or(CoreError::NotJoined)?;
        if membership.role != Role::Supervisor {
            return Err(CoreError::NotPermitted {
                message: "Only supervisors can move a person to another link worker.".into(),
            });
        }
        Ok(membership)
    }
}
