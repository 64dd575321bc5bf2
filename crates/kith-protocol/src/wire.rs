//! Request and response bodies of the sync protocol, and the error body.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{DeviceId, InviteId, OperationId, PersonId, PracticeId, RecordId, UserId};

// ---------------------------------------------------------------------------------------------
// Accounts and devices
// ---------------------------------------------------------------------------------------------

/// What a user may do. Closed set; serialised in snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts and devices of a practice; reads and writes no records.
    Admin,
    /// Sees and writes the whole practice; assigns people; creates invites.
    Supervisor,
    /// Sees and writes the people assigned to them (and new people they create).
    LinkWorker,
}

impl Role {
    /// The wire/database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::LinkWorker => "link_worker",
        }
    }

    /// Parses the wire/database spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "supervisor" => Some(Role::Supervisor),
            "link_worker" => Some(Role::LinkWorker),
            _ => None,
        }
    }
}

/// `POST /v1/devices/enrol`: log in with a password and enrol this device.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrolDeviceRequest {
    /// The account's username.
    pub username: String,
    /// The account's password (never logged, never stored; only its Argon2id hash is).
    pub password: String,
    /// A name the user recognises, e.g. "Sam's laptop".
    pub device_name: String,
}

impl std::fmt::Debug for EnrolDeviceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolDeviceRequest")
            .field("username", &"<redacted>")
            .field("password", &"<redacted>")
            .field("device_name", &"<redacted>")
            .finish()
    }
}

/// The answer to an enrolment: the device token is shown once and never stored in the clear.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrolDeviceResponse {
    /// The new device's id: put it in every [`Operation::device_id`].
    pub device_id: DeviceId,
    /// Bearer token for `Authorization: Bearer <token>` (256 random bits, base64url).
    pub token: String,
    /// Who logged in.
    pub user: UserInfo,
}

impl std::fmt::Debug for EnrolDeviceResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrolDeviceResponse")
            .field("device_id", &self.device_id)
            .field("token", &"<redacted>")
            .field("user", &self.user)
            .finish()
    }
}

/// A user account as the API shows it.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    /// The account id.
    pub user_id: UserId,
    /// The practice the account belongs to.
    pub practice_id: PracticeId,
    /// Login name.
    pub username: String,
    /// What the user may do.
    pub role: Role,
    /// Disabled accounts are refused at their next request.
    pub disabled: bool,
}

impl std::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfo")
            .field("user_id", &self.user_id)
            .field("practice_id", &self.practice_id)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// `POST /v1/users` (admin): create an account in the admin's practice.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateUserRequest {
    /// Login name, unique on the server.
    pub username: String,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// What the user may do.
    pub role: Role,
}

impl std::fmt::Debug for CreateUserRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateUserRequest").field("role", &self.role).finish_non_exhaustive()
    }
}

/// `GET /v1/me`: who the bearer token belongs to.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct WhoAmI {
    /// The account.
    pub user: UserInfo,
    /// The device the token belongs to.
    pub device_id: DeviceId,
}

/// A device as the API shows it.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeviceInfo {
    /// The device id.
    pub device_id: DeviceId,
    /// Whose device it is.
    pub user_id: UserId,
    /// The name given at enrolment.
    pub name: String,
    /// When it was enrolled (Unix ms).
    pub created_at_ms: i64,
    /// Revoked devices are refused at their next request.
    pub revoked: bool,
}

impl std::fmt::Debug for DeviceInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceInfo")
            .field("device_id", &self.device_id)
            .field("user_id", &self.user_id)
            .field("revoked", &self.revoked)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Assignments (server-visible routing: person -> link worker)
// ---------------------------------------------------------------------------------------------

/// `PUT /v1/assignments/{person_id}` (supervisor): who carries this person.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AssignPersonRequest {
    /// The link worker who will carry the person.
    pub link_worker_id: UserId,
}

/// One person's assignment.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Assignment {
    /// The person.
    pub person_id: PersonId,
    /// The link worker carrying them.
    pub link_worker_id: UserId,
}

/// `GET /v1/sync/scope`: what the caller may see, so a client can purge what left its scope.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScopeResponse {
    /// True for supervisors: everything in the practice.
    pub whole_practice: bool,
    /// The people in scope when `whole_practice` is false (practice-wide records, those with no
    /// person, are always in scope).
    pub people: Vec<PersonId>,
}

// ---------------------------------------------------------------------------------------------
// Invites (practice key handover)
// ---------------------------------------------------------------------------------------------

/// `POST /v1/invites` (supervisor). The supervisor's app makes a high-entropy code, wraps the
/// practice key under a key derived from the code, and sends only the code's hash and the
/// wrapped key. The server never sees the code at creation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateInviteRequest {
    /// Lower-case hex SHA-256 of the UTF-8 invite code (64 characters).
    pub code_hash: String,
    /// The practice key wrapped under a key derived from the code (opaque to the server).
    pub wrapped_practice_key: Envelope,
    /// Lifetime in seconds (at most 30 days; default 7 days).
    pub expires_in_seconds: Option<u64>,
}

/// The answer to creating an invite.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateInviteResponse {
    /// The invite's id.
    pub invite_id: InviteId,
    /// When it stops working (Unix ms).
    pub expires_at_ms: i64,
}

/// `POST /v1/invites/redeem`: a newly enrolled device of the same practice trades the code for
/// the wrapped practice key. Single use.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RedeemInviteRequest {
    /// The invite code as the supervisor read it out.
    pub code: String,
}

impl std::fmt::Debug for RedeemInviteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedeemInviteRequest").field("code", &"<redacted>").finish()
    }
}

/// The answer to redeeming an invite.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RedeemInviteResponse {
    /// The practice key wrapped under the code-derived key: unwrap it on the client.
    pub wrapped_practice_key: Envelope,
}

// ---------------------------------------------------------------------------------------------
// Operations, push and pull
// ---------------------------------------------------------------------------------------------

/// Kinds of records. Closed: a new kind needs a protocol version bump.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// The person themselves (`record_id` must equal `person_id`).
    Person,
    /// A referral in.
    Referral,
    /// A contact: visit, call, meeting.
    Contact,
    /// A personalised care and support plan (with its goals).
    Plan,
    /// A note (insert-only; amendments are new notes).
    Note,
    /// An outcome measure (insert-only).
    Measure,
    /// A consent or its withdrawal.
    Consent,
    /// A safeguarding concern.
    Safeguarding,
    /// A connection to a community service.
    Connection,
    /// A supervisor's comment (insert-only).
    Comment,
    /// A step in a record's history: a referral's status change, a safeguarding concern's
    /// raising, escalation or closing (insert-only).
    History,
    /// Who read or changed a person's record, when and on which device (insert-only). Served
    /// only to supervisors: a link worker never receives another's audit trail.
    Audit,
    /// A community directory entry: practice-wide, no person.
    DirectoryEntry,
    /// A practice setting: practice-wide, no person.
    PracticeSetting,
}

impl RecordKind {
    /// Every kind, for tests and exhaustive tables.
    pub const ALL: [RecordKind; 14] = [
        RecordKind::Person,
        RecordKind::Referral,
        RecordKind::Contact,
        RecordKind::Plan,
        RecordKind::Note,
        RecordKind::Measure,
        RecordKind::Consent,
        RecordKind::Safeguarding,
        RecordKind::Connection,
        RecordKind::Comment,
        RecordKind::History,
        RecordKind::Audit,
        RecordKind::DirectoryEntry,
        RecordKind::PracticeSetting,
    ];

    /// True when records of this kind belong to a person (and so need a `person_id`);
    /// false for practice-wide kinds, which must have none.
    pub fn belongs_to_person(self) -> bool {
        !matches!(self, RecordKind::DirectoryEntry | RecordKind::PracticeSetting)
    }

    /// True for the kinds only supervisors receive (the audit trail). The server applies this
    /// in its pull queries; link workers still push their own.
    pub fn supervisors_only(self) -> bool {
        self == RecordKind::Audit
    }

    /// The wire/database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Referral => "referral",
            RecordKind::Contact => "contact",
            RecordKind::Plan => "plan",
            RecordKind::Note => "note",
            RecordKind::Measure => "measure",
            RecordKind::Consent => "consent",
            RecordKind::Safeguarding => "safeguarding",
            RecordKind::Connection => "connection",
            RecordKind::Comment => "comment",
            RecordKind::History => "history",
            RecordKind::Audit => "audit",
            RecordKind::DirectoryEntry => "directory_entry",
            RecordKind::PracticeSetting => "practice_setting",
        }
    }

    /// Parses the wire/database spelling.
    pub fn parse(text: &str) -> Option<Self> {
        RecordKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A hybrid logical clock reading: wall time in Unix ms and a counter for events within the
/// same millisecond. Ordered by `(wall_ms, counter)`; ties between devices are broken by
/// device id in the client's merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hlc {
    /// Physical part, Unix milliseconds.
    pub wall_ms: u64,
    /// Logical part.
    pub counter: u32,
}

/// Opaque bytes (AES-256-GCM ciphertext made by the client), base64 (standard, padded) on the
/// wire. The server stores and returns them unchanged and can never read them.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Envelope(pub Vec<u8>);

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Envelope({} bytes)", self.0.len())
    }
}

impl Serialize for Envelope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Envelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        STANDARD
            .decode(text.as_bytes())
            .map(Envelope)
            .map_err(|_| serde::de::Error::custom("envelope is not valid base64"))
    }
}

/// One local change, as it leaves a device's outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// Globally unique id (UUIDv7).
    pub op_id: OperationId,
    /// The device that made it (must be the pushing device).
    pub device_id: DeviceId,
    /// The device's own counter, 1, 2, 3...; `(device_id, device_seq)` makes a push idempotent.
    pub device_seq: u64,
    /// What kind of record it changes.
    pub kind: RecordKind,
    /// The record it changes.
    pub record_id: RecordId,
    /// The person the record belongs to (`None` for practice-wide kinds). The server routes
    /// and scopes by this.
    pub person_id: Option<PersonId>,
    /// When it was made, by hybrid logical clock.
    pub hlc: Hlc,
    /// The change itself, sealed with the practice key.
    pub envelope: Envelope,
}

/// `POST /v1/sync/push`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// At most [`crate::MAX_OPERATIONS_PER_PUSH`] operations, in device order.
    pub operations: Vec<Operation>,
}

/// Why an operation was refused. Closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The operation's `device_id` is not the pushing device.
    WrongDevice,
    /// The person is not in the caller's scope (assigned to someone else, or an existing
    /// person who is not assigned to them).
    OutOfScope,
    /// The HLC wall time is more than 5 minutes ahead of the server clock; fix the device
    /// clock and push again.
    ClockAhead,
    /// The fields contradict each other (a person-kind op without a person, a practice-wide
    /// kind with one, a person record whose id is not the person id, a zero device_seq...).
    InvalidOperation,
    /// The record already exists with another kind or person: records never move.
    RecordMismatch,
    /// This `(device_id, device_seq)` was already stored with a different `op_id`.
    DeviceSeqReused,
    /// This `op_id` was already stored under another `(device_id, device_seq)`.
    DuplicateOperationId,
    /// The caller's role writes no records (admins).
    NotPermitted,
}

/// What happened to one pushed operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PushOutcome {
    /// Stored (now or by an earlier push of the same operation) with this server sequence.
    Accepted {
        /// The practice-wide sequence number.
        seq: u64,
    },
    /// Not stored.
    Refused {
        /// Why, as a code.
        reason: RefusalReason,
        /// Why, in words.
        message: String,
    },
}

/// The result for one operation, in the order of the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResult {
    /// The operation this is about.
    pub op_id: OperationId,
    /// Its device sequence.
    pub device_seq: u64,
    /// Accepted or refused.
    #[serde(flatten)]
    pub outcome: PushOutcome,
}

/// The answer to a push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// One result per pushed operation, same order.
    pub results: Vec<PushResult>,
    /// The server's clock (Unix ms), so a client can see its own clock skew.
    pub server_time_ms: u64,
}

/// `GET /v1/sync/pull?since=<seq>&limit=<n>&checksum=<bool>` (query string).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PullRequest {
    /// Return operations with a sequence strictly greater than this (0 = from the start).
    #[serde(default)]
    pub since: u64,
    /// Page size; at most [`crate::MAX_PULL_LIMIT`].
    pub limit: Option<u32>,
    /// Ask for a [`ScopeChecksum`] up to the returned cursor.
    #[serde(default)]
    pub checksum: bool,
}

/// An operation with the sequence the server gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOperation {
    /// Practice-wide sequence (strictly increasing in pull order).
    pub seq: u64,
    /// The operation as pushed.
    pub operation: Operation,
}

/// A checksum over what the caller may see up to a cursor, to detect drift: lower-case hex
/// SHA-256 over, for every visible operation in sequence order with `seq <= upto`, the 8-byte
/// big-endian seq followed by the 16 bytes of the op_id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChecksum {
    /// The cursor it covers up to (inclusive).
    pub upto: u64,
    /// How many visible operations it covers.
    pub count: u64,
    /// The hash.
    pub sha256: String,
}

/// The answer to a pull.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    /// In sequence order.
    pub operations: Vec<StoredOperation>,
    /// Pass as `since` next time; store it in the same transaction as the applied page.
    pub next_cursor: u64,
    /// More pages are waiting.
    pub has_more: bool,
    /// The caller's scope changed (a person reassigned): fetch `/v1/sync/scope`, purge what
    /// left it, and pull again from `since=0`. While set, pages from `since > 0` are empty.
    pub resync_required: bool,
    /// Present when the request asked for it.
    pub scope_checksum: Option<ScopeChecksum>,
    /// The highest sequence number the caller may see right now (0 when nothing is visible),
    /// read in the same snapshot as the page: progress is `next_cursor` of `head_seq`, and
    /// the caller is up to date when `next_cursor >= head_seq`. It is scoped like the page
    /// (a link worker's head counts only practice-wide records and their own people), so it
    /// never reveals activity in another caseload or practice. `None` from older servers and
    /// on a `resync_required` answer.
    #[serde(default)]
    pub head_seq: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Errors and health
// ---------------------------------------------------------------------------------------------

/// Every error code the server answers with. Closed set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request was malformed (bad JSON, wrong types, invalid ids...).
    BadRequest,
    /// 401: no token, or an unknown one.
    Unauthorized,
    /// 401: this device was revoked; enrol again.
    DeviceRevoked,
    /// 401: wrong username or password.
    BadCredentials,
    /// 403: the account is disabled.
    AccountDisabled,
    /// 403: the caller's role may not do this.
    Forbidden,
    /// 404: no such thing (or not visible to the caller).
    NotFound,
    /// 405: the path exists but not with this method (the `Allow` header lists those it takes).
    MethodNotAllowed,
    /// 408: the request's body did not arrive in time; send it again.
    RequestTimeout,
    /// 409: it already exists.
    Conflict,
    /// 413: the body, or the number of operations, is over the limit.
    PayloadTooLarge,
    /// 426: the client's protocol is too old (or missing): update the app.
    UpdateNeeded,
    /// 400: the client speaks a newer protocol than this server: update the server.
    ServerOutdated,
    /// 429: too many attempts, or the server is busy; wait (see `Retry-After`) and retry.
    TooManyRequests,
    /// 500: something went wrong on the server (details are in its log, never here).
    Internal,
}

/// The body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What kind of error.
    pub code: ErrorCode,
    /// What was wrong, in words for people.
    pub message: String,
}

/// `GET /health` (no authentication, no protocol header needed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// "ok" when the server can reach its database.
    pub status: String,
    /// The protocol version the server speaks.
    pub protocol_version: u32,
    /// The oldest protocol version it serves.
    pub min_protocol_version: u32,
    /// The server's crate version.
    pub server_version: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn sample_operation() -> Operation {
        let person = PersonId::new_v7();
        Operation {
            op_id: OperationId::new_v7(),
            device_id: DeviceId::new_v7(),
            device_seq: 7,
            kind: RecordKind::Note,
            record_id: RecordId::new_v7(),
            person_id: Some(person),
            hlc: Hlc { wall_ms: 1_700_000_000_000, counter: 3 },
            envelope: Envelope(vec![0, 1, 2, 250, 251, 252]),
        }
    }

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(
        value: &T,
    ) {
        let json = serde_json::to_string(value).unwrap();
        let back: T = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, value, "round trip changed the value: {json}");
    }

    #[test]
    fn operation_round_trips_and_has_the_documented_shape() {
        let op = sample_operation();
        round_trip(&op);
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["kind"], "note");
        assert_eq!(json["envelope"], "AAEC+vv8");
        assert_eq!(json["hlc"]["wall_ms"], 1_700_000_000_000u64);
        assert_eq!(json["device_seq"], 7);
        assert!(json["op_id"].is_string());
    }

    #[test]
    fn envelope_rejects_invalid_base64() {
        let err = serde_json::from_str::<Envelope>("\"not base64!!\"").unwrap_err();
        assert!(err.to_string().contains("base64"), "{err}");
    }

    #[test]
    fn envelope_debug_hides_bytes() {
        assert_eq!(format!("{:?}", Envelope(vec![1, 2, 3])), "Envelope(3 bytes)");
    }

    #[test]
    fn push_outcomes_are_tagged_by_status() {
        let response = PushResponse {
            results: vec![
                PushResult {
                    op_id: OperationId::new_v7(),
                    device_seq: 1,
                    outcome: PushOutcome::Accepted { seq: 42 },
                },
                PushResult {
                    op_id: OperationId::new_v7(),
                    device_seq: 2,
                    outcome: PushOutcome::Refused {
                        reason: RefusalReason::ClockAhead,
                        message: "clock ahead".into(),
                    },
                },
            ],
            server_time_ms: 5,
        };
        round_trip(&response);
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["results"][0]["status"], "accepted");
        assert_eq!(json["results"][0]["seq"], 42);
        assert_eq!(json["results"][1]["status"], "refused");
        assert_eq!(json["results"][1]["reason"], "clock_ahead");
    }

    #[test]
    fn pull_types_round_trip() {
        let response = PullResponse {
            operations: vec![StoredOperation { seq: 9, operation: sample_operation() }],
            next_cursor: 9,
            has_more: false,
            resync_required: true,
            scope_checksum: Some(ScopeChecksum { upto: 9, count: 1, sha256: "ab".into() }),
            head_seq: Some(12),
        };
        round_trip(&response);
        // An answer from a server without `head_seq` still parses.
        let mut older = serde_json::to_value(&response).unwrap();
        older.as_object_mut().unwrap().remove("head_seq");
        let parsed: PullResponse = serde_json::from_value(older).unwrap();
        assert_eq!(parsed.head_seq, None);
        assert_eq!(parsed.next_cursor, 9);
        round_trip(&PullRequest { since: 3, limit: Some(10), checksum: true });
        let defaulted: PullRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(defaulted, PullRequest { since: 0, limit: None, checksum: false });
    }

    #[test]
    fn error_codes_are_snake_case_and_round_trip() {
        let body = ErrorBody { code: ErrorCode::UpdateNeeded, message: "update".into() };
        round_trip(&body);
        assert_eq!(serde_json::to_value(&body).unwrap()["code"], "update_needed");
        assert!(serde_json::from_str::<ErrorBody>(r#"{"code":"nope","message":""}"#).is_err());
    }

    #[test]
    fn roles_and_kinds_parse_their_own_spelling() {
        for role in [Role::Admin, Role::Supervisor, Role::LinkWorker] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        for kind in RecordKind::ALL {
            assert_eq!(RecordKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(RecordKind::parse("spaceship"), None);
        assert!(!RecordKind::DirectoryEntry.belongs_to_person());
        assert!(RecordKind::Note.belongs_to_person());
    }

    #[test]
    fn account_and_invite_types_round_trip_and_hide_secrets_from_debug() {
        let enrol = EnrolDeviceRequest {
            username: "sam".into(),
            password: "correct horse".into(),
            device_name: "laptop".into(),
        };
        round_trip(&enrol);
        assert!(!format!("{enrol:?}").contains("correct horse"));
        let user = UserInfo {
            user_id: UserId(Uuid::nil()),
            practice_id: PracticeId(Uuid::nil()),
            username: "sam".into(),
            role: Role::LinkWorker,
            disabled: false,
        };
        let response = EnrolDeviceResponse {
            device_id: DeviceId::new_v7(),
            token: "secret-token".into(),
            user: user.clone(),
        };
        round_trip(&response);
        assert!(!format!("{response:?}").contains("secret-token"));
        round_trip(&CreateInviteRequest {
            code_hash: "00".repeat(32),
            wrapped_practice_key: Envelope(vec![9; 60]),
            expires_in_seconds: Some(60),
        });
        let redeem = RedeemInviteRequest { code: "ABCD-EFGH".into() };
        round_trip(&redeem);
        assert!(!format!("{redeem:?}").contains("ABCD"));
        round_trip(&WhoAmI { user, device_id: DeviceId::new_v7() });
        round_trip(&Health {
            status: "ok".into(),
            protocol_version: 1,
            min_protocol_version: 1,
            server_version: "0.1.0".into(),
        });
    }
}
