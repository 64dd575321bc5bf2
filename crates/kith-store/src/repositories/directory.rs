//! Community services (the directory) and people's connections to them.

use chrono::NaiveDate;
use rusqlite::types::Value;
use uuid::Uuid;

use kith_domain::directory::{CommunityService, Connection, ConnectionStatus};
use kith_domain::{ConnectionId, PersonId, ServiceId};

use kith_protocol::RecordKind;

use crate::records::{decode_rows, enum_text, StoredRecord};
use crate::repositories::care::require_person;
use crate::{Store, StoreError};

impl StoredRecord for CommunityService {
    const KIND: &'static str = "community_service";
    const TABLE: &'static str = "community_services";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::DirectoryEntry;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        None
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("name", Value::Text(self.name.clone())),
            ("active", Value::Integer(self.active.into())),
        ]
    }
}

impl StoredRecord for Connection {
    const KIND: &'static str = "connection";
    const TABLE: &'static str = "connections";
    const EDITABLE: bool = true;
    const WIRE: RecordKind = RecordKind::Connection;
    fn record_id(&self) -> Uuid {
        self.id.as_uuid()
    }
    fn person_id(&self) -> Option<PersonId> {
        Some(self.person_id)
    }
    fn columns(&self) -> Vec<(&'static str, Value)> {
        vec![
            ("service_id", Value::Text(self.service_id.to_string())),
            ("status", enum_text(&self.status)),
        ]
    }
}

impl Store {
    /// Adds a service to the directory.
    pub fn add_service(&self, service: &CommunityService) -> Result<(), StoreError> {
        self.write(|change| {
            service.validate()?;
            change.insert(service)
        })
    }

    /// Saves changes to a service.
    pub fn update_service(&self, service: &CommunityService) -> Result<(), StoreError> {
        self.write(|change| {
            service.validate()?;
            change.update(service)
        })
    }

    /// Tombstones a service.
    pub fn delete_service(&self, id: ServiceId) -> Result<(), StoreError> {
        self.write(|change| {
            let service: CommunityService = change.require(id.as_uuid())?;
            change.tombstone(&service)
        })
    }

    /// Every service in the directory, by name.
    pub fn services(&self) -> Result<Vec<CommunityService>, StoreError> {
        decode_rows(
            &self.connection,
            "SELECT data FROM community_services WHERE deleted_at IS NULL ORDER BY name",
            [],
        )
    }

    /// Records a connection (signposted or referred) to a service.
    pub fn add_connection(&self, connection: &Connection) -> Result<(), StoreError> {
        self.write(|change| {
            require_person(change, connection.person_id)?;
            let _service: CommunityService = change.require(connection.service_id.as_uuid())?;
            let checked = Connection::make(
                connection.id,
                connection.person_id,
                connection.service_id,
                connection.care_plan_id,
                connection.kind,
                connection.made_on,
                connection.made_by,
                change.today(),
            )?;
            if checked.status != connection.status {
                return Err(StoreError::Invalid(kith_domain::DomainError::ConnectionStatusJump {
                    from: checked.status,
                    to: connection.status,
                }));
            }
            change.insert(connection)
        })
    }

    /// Moves a connection on (referred, attended, stopped).
    pub fn move_connection(
        &self,
        id: ConnectionId,
        to: ConnectionStatus,
        on: NaiveDate,
    ) -> Result<Connection, StoreError> {
        self.write(|change| {
            let mut connection: Connection = change.require(id.as_uuid())?;
            connection.move_to(to, on)?;
            change.update(&connection)?;
            Ok(connection)
        })
    }

    /// A person's connections (audited read).
    pub fn connections_for(&self, person_id: PersonId) -> Result<Vec<Connection>, StoreError> {
        self.list_audited(person_id)
    }
}
