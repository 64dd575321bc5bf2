//! The community directory: import an Open Referral UK file (a re-import updates services
//! by their ORUK id, never duplicates them), browse, and connect a person to a service.

use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

use kith_domain::directory::{CommunityService, Connection, ConnectionKind, ConnectionStatus};
use kith_domain::oruk::parse_directory;
use kith_domain::{CarePlanId, ConnectionId, PersonId, ServiceId};

use crate::{CoreError, Kith};

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
pub struct DirectoryImport {
    pub added: usize,
    pub updated: usize,
    /// One line per row left out, saying why.
    pub rejected: Vec<String>,
}

impl Kith {
    /// Imports an ORUK JSON directory in one transaction. Services already imported (same
    /// ORUK id) are updated in place; bad rows are reported, not imported.
    pub fn import_directory(&self, oruk_json: &str) -> Result<DirectoryImport, CoreError> {
        let report = parse_directory(oruk_json)?;
        let store = self.store()?;
        Ok(store.in_one_transaction(|store| {
            let existing = store.services()?;
            let mut outcome = DirectoryImport {
                added: 0,
                updated: 0,
                rejected: report.rejected.iter().map(|row| row.message()).collect(),
            };
            for imported in &report.services {
                let oruk_id = imported.source_id.to_string();
                let known =
                    existing.iter().find(|service| service.oruk_id.as_deref() == Some(&oruk_id));
                match known {
                    Some(service) => {
                        store.update_service(&imported.to_community_service(service.id))?;
                        outcome.updated += 1;
                    }
                    None => {
                        store.add_service(&imported.to_community_service(ServiceId::new()))?;
                        outcome.added += 1;
                    }
                }
            }
            Ok(outcome)
        })?)
    }

    /// Every service in the directory, by name.
    pub fn directory(&self) -> Result<Vec<CommunityService>, CoreError> {
        Ok(self.store()?.services()?)
    }

    /// Connects a person to a service (signposted: gave information; referred: made contact).
    pub fn connect_to_service(
        &self,
        person_id: PersonId,
        service_id: ServiceId,
        care_plan_id: Option<CarePlanId>,
        kind: ConnectionKind,
        made_on: NaiveDate,
    ) -> Result<Connection, CoreError> {
        let connection = Connection::make(
            ConnectionId::new(),
            person_id,
            service_id,
            care_plan_id,
            kind,
            made_on,
            self.current_user()?,
            crate::care::today(),
        )?;
        self.store()?.add_connection(&connection)?;
        Ok(connection)
    }

    /// Moves a connection on: referred, attended, stopped.
    pub fn move_connection(
        &self,
        connection_id: ConnectionId,
        to: ConnectionStatus,
        on: NaiveDate,
    ) -> Result<Connection, CoreError> {
        Ok(self.store()?.move_connection(connection_id, to, on)?)
    }
}
