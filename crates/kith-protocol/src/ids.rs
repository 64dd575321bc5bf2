//! Newtype ids that travel on the wire (UUIDv7 for everything a client creates).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! wire_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered id (UUIDv7).
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }

            /// The inner UUID.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }
    };
}

wire_id!(
    /// One operation (one local change) as pushed by a device.
    OperationId
);
wire_id!(
    /// An enrolled device (one app install of one user).
    DeviceId
);
wire_id!(
    /// A record (a person, a referral, a note...) as the client knows it.
    RecordId
);
wire_id!(
    /// A person on someone's caseload: the routing key the server uses for scope.
    PersonId
);
wire_id!(
    /// A user account on the practice server.
    UserId
);
wire_id!(
    /// A practice (or PCN) on the server; nothing ever crosses between practices.
    PracticeId
);
wire_id!(
    /// A practice key invite.
    InviteId
);
