//! Joining the practice server: set up a practice (the first supervisor creates the practice
//! key and gets a recovery kit), make invite codes, join with one; and how membership is kept.
//!
//! # Where the practice key lives
//! In the profile's encrypted database (an app setting, so SQLCipher encrypts it at rest),
//! wrapped (AES-256-GCM, kith-crypto) under a random 256-bit "kit key" kept beside it. On the
//! supervisor who set the practice up, that kit key and wrapped key are exactly the recovery
//! kit shown once. kith-crypto never exports a practice key's bytes, so a wrapped key is the
//! only way to write it down.
//!
//! # How the app knows a practice is already set up
//! Right after creating the key, setup pushes one *practice key check*: a practice-wide
//! `practice_setting` operation sealed with the new key, with the reserved device sequence
//! [`KEY_CHECK_DEVICE_SEQ`] (far above any outbox sequence). Every device can see it. A
//! supervisor's setup first pulls one operation: anything visible (the check, or any record)
//! means the practice already has a key, and setup is refused. After pushing its check, setup
//! pulls again and requires the practice's first operation to open with its key, so two
//! supervisors racing lose at most one of them, clearly. A joining device requires the first
//! operation, when it is a key check, to open with the key from the invite.
//!
//! # Invite codes
//! 24 Crockford base32 characters in 6 groups (`7K2D-...`): 22 random (110 bits, so the SHA-256
//! the server keeps cannot be searched) and 2 check characters that catch a single typo or
//! swap before anything is sent. The code is normalised (case, O/0, I/L/1, dashes) before it is
//! hashed or used, so the server and both apps agree on it.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use kith_crypto::{PracticeKey, RecoveryKey, WrappedKey};
use kith_protocol::{
    CreateInviteRequest, CreateInviteResponse, DeviceId, EnrolDeviceRequest, EnrolDeviceResponse,
    Envelope, ErrorBody, ErrorCode as WireErrorCode, Hlc, Operation, PullRequest, RecordId,
    RecordKind, RedeemInviteRequest, RedeemInviteResponse, Role, PROTOCOL_VERSION,
    PROTOCOL_VERSION_HEADER,
};
use kith_sync::{
    open_operation, seal_operation, FieldChange, HttpTransport, OperationBody, PlainOperation,
    SyncError, Transport,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::CoreError;

/// The device sequence reserved for the practice key check (never used by an outbox).
pub const KEY_CHECK_DEVICE_SEQ: u64 = i64::MAX as u64;
/// The field the key check writes.
const KEY_CHECK_FIELD: &str = "practice_key_check";
const KEY_CHECK_VALUE: &str = "kith practice key v1";
/// The app setting holding the membership (inside the encrypted database).
const MEMBERSHIP_SETTING: &str = "practice_membership";

/// What a person types to sign in to the practice server from this laptop.
#[derive(Clone, Deserialize, TS)]
pub struct PracticeSignIn {
    /// The server's address, e.g. `https://kith.ashbridge.example:8443`. Plain `http://` is
    /// accepted only for this computer itself (`localhost`, `127.0.0.1`, `[::1]`).
    pub server_address: String,
    /// The account the practice administrator made.
    pub username: String,
    /// Its password (sent once to the server to enrol this laptop; never kept).
    pub password: String,
    /// A name the administrator will recognise, e.g. "Sam's laptop".
    pub device_name: String,
}

impl std::fmt::Debug for PracticeSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PracticeSignIn").finish_non_exhaustive()
    }
}

/// The practice key in a form to print and keep safe, shown once when the practice is set up.
/// Both lines are needed to recover the key; neither alone reveals it.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct PracticeRecoveryKit {
    /// The practice server it belongs to.
    pub server_address: String,
    /// The kit key: 14 groups of 4 characters, the last group a check that names a typo.
    pub kit_key: String,
    /// The practice key sealed under the kit key, in groups of 4 characters.
    pub sealed_practice_key: String,
}

impl std::fmt::Debug for PracticeRecoveryKit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PracticeRecoveryKit").finish_non_exhaustive()
    }
}

/// A new invite code, to read out to the person joining.
#[derive(Clone, PartialEq, Eq, Serialize, TS)]
pub struct CreatedInvite {
    /// The code: 6 groups of 4 characters. Shown once; the server keeps only its hash.
    pub code: String,
    /// When it stops working (UTC). It also stops after one use.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for CreatedInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedInvite").field("expires_at", &self.expires_at).finish()
    }
}

/// This laptop's membership of a practice, kept in the encrypted database.
#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub(crate) struct Membership {
    pub(crate) server_address: String,
    #[zeroize(skip)]
    pub(crate) device_id: DeviceId,
    #[zeroize(skip)]
    pub(crate) role: Role,
    pub(crate) device_token: String,
    /// The kit key, human form.
    kit_key: String,
    /// The practice key wrapped under the kit key.
    #[zeroize(skip)]
    practice_key: WrappedKey,
}

impl Membership {
    pub(crate) fn load(store: &kith_store::Store) -> Result<Option<Membership>, CoreError> {
        let Some(text) = store.app_setting(MEMBERSHIP_SETTING)? else { return Ok(None) };
        serde_json::from_str(&text).map(Some).map_err(|_| CoreError::DamagedOrTampered {
            message: "This laptop's practice membership could not be read".into(),
        })
    }

    fn save(&self, store: &kith_store::Store) -> Result<(), CoreError> {
        let text = Zeroizing::new(serde_json::to_string(self).map_err(|error| {
            CoreError::Storage { message: format!("could not record the membership: {error}") }
        })?);
        store.set_app_setting(MEMBERSHIP_SETTING, &text)?;
        Ok(())
    }

    pub(crate) fn practice_key(&self) -> Result<PracticeKey, CoreError> {
        let kit_key = RecoveryKey::parse(&self.kit_key).map_err(damaged_membership)?;
        self.practice_key.unwrap_with_recovery_key(&kit_key).map_err(damaged_membership)
    }
}

fn damaged_membership(_: kith_crypto::CryptoError) -> CoreError {
    CoreError::DamagedOrTampered {
        message: "This laptop's copy of the practice key could not be opened".into(),
    }
}

// ---------------------------------------------------------------------------------------
// Use cases (async; `Kith` runs them on its runtime).

/// A laptop freshly enrolled, with the practice key it will keep.
pub(crate) struct Joined {
    pub(crate) membership: Membership,
    pub(crate) user_id: kith_domain::UserId,
    pub(crate) practice_key: PracticeKey,
    pub(crate) kit: Option<PracticeRecoveryKit>,
}

/// Sets up the practice as its first supervisor: enrol, check nobody did already, create the
/// key, push the key check. On any failure after enrolling, the new device is revoked again.
pub(crate) async fn set_up(sign_in: &PracticeSignIn) -> Result<Joined, CoreError> {
    let server = ServerAddress::parse(&sign_in.server_address)?;
    let client = http_client()?;
    let enrolled = enrol(&client, &server, sign_in).await?;
    let outcome = async {
        if enrolled.user.role != Role::Supervisor {
            return Err(CoreError::NotPermitted {
                message: "Only a supervisor's account can set up the practice. Sign in with a \
                          supervisor's account, or join the practice with an invite code."
                    .into(),
            });
        }
        let transport = HttpTransport::with_client(client.clone(), &server.0, &enrolled.token);
        if first_operation(&transport).await?.is_some() {
            return Err(CoreError::PracticeAlreadySetUp);
        }
        let practice_key = PracticeKey::generate().map_err(crypto_failure)?;
        push_key_check(&transport, enrolled.device_id, &practice_key).await?;
        match first_operation(&transport).await? {
            Some(first) if opens_with(&first, &practice_key) => {}
            _ => return Err(CoreError::PracticeAlreadySetUp),
        }
        let kit_key = RecoveryKey::generate().map_err(crypto_failure)?;
        let wrapped =
            WrappedKey::with_recovery_key(&practice_key, &kit_key).map_err(crypto_failure)?;
        let kit = PracticeRecoveryKit {
            server_address: server.0.clone(),
            kit_key: kit_key.to_human_string().to_string(),
            sealed_practice_key: encode_groups(&wrapped_bytes(&wrapped)?),
        };
        Ok(Joined {
            membership: Membership {
                server_address: server.0.clone(),
                device_id: enrolled.device_id,
                role: enrolled.user.role,
                device_token: enrolled.token.clone(),
                kit_key: kit_key.to_human_string().to_string(),
                practice_key: wrapped,
            },
            user_id: kith_domain::UserId::from_uuid(*enrolled.user.user_id.as_uuid()),
            practice_key,
            kit: Some(kit),
        })
    }
    .await;
    revoke_on_failure(&client, &server, &enrolled, outcome).await
}

/// The network part of joining: enrol, redeem the invite. The caller unwraps the key
/// ([`unwrap_invite_key`], Argon2id, off the runtime) and then calls [`finish_join`].
pub(crate) async fn enrol_and_redeem(
    sign_in: &PracticeSignIn,
    code: &InviteCode,
) -> Result<(EnrolDeviceResponse, WrappedKey), CoreError> {
    let server = ServerAddress::parse(&sign_in.server_address)?;
    let client = http_client()?;
    let enrolled = enrol(&client, &server, sign_in).await?;
    let outcome = async {
        if enrolled.user.role == Role::Admin {
            return Err(CoreError::NotPermitted {
                message: "An administrator's account cannot join a practice on a laptop. Sign \
                          in with your own supervisor or link worker account."
                    .into(),
            });
        }
        let url = format!("{}/v1/invites/redeem", server.0);
        let request = RedeemInviteRequest { code: code.as_str().to_owned() };
        let response: RedeemInviteResponse =
            send(client.post(url).bearer_auth(&enrolled.token).json(&request), Call::Redeem)
                .await?;
        serde_json::from_slice::<WrappedKey>(&response.wrapped_practice_key.0)
            .map_err(|_| CoreError::InviteNotAccepted)
    }
    .await;
    let wrapped = revoke_on_failure(&client, &server, &enrolled, outcome).await?;
    Ok((enrolled, wrapped))
}

/// Opens the practice key from an invite (Argon2id over the code: CPU-heavy, synchronous).
pub(crate) fn unwrap_invite_key(
    wrapped: &WrappedKey,
    code: &InviteCode,
) -> Result<PracticeKey, CoreError> {
    wrapped.unwrap_with_passphrase(code.as_str()).map_err(|_| CoreError::InviteNotAccepted)
}

/// Checks the invite's key against the practice's key check, and makes the membership.
pub(crate) async fn finish_join(
    sign_in: &PracticeSignIn,
    enrolled: EnrolDeviceResponse,
    practice_key: PracticeKey,
) -> Result<Joined, CoreError> {
    let server = ServerAddress::parse(&sign_in.server_address)?;
    let client = http_client()?;
    let outcome = async {
        let transport = HttpTransport::with_client(client.clone(), &server.0, &enrolled.token);
        if let Some(first) = first_operation(&transport).await? {
            if first.kind == RecordKind::PracticeSetting && !opens_with(&first, &practice_key) {
                return Err(CoreError::PracticeKeyMismatch);
            }
        }
        let kit_key = RecoveryKey::generate().map_err(crypto_failure)?;
        let wrapped =
            WrappedKey::with_recovery_key(&practice_key, &kit_key).map_err(crypto_failure)?;
        Ok(Joined {
            membership: Membership {
                server_address: server.0.clone(),
                device_id: enrolled.device_id,
                role: enrolled.user.role,
                device_token: enrolled.token.clone(),
                kit_key: kit_key.to_human_string().to_string(),
                practice_key: wrapped,
            },
            user_id: kith_domain::UserId::from_uuid(*enrolled.user.user_id.as_uuid()),
            practice_key: practice_key.clone(),
            kit: None,
        })
    }
    .await;
    revoke_on_failure(&client, &server, &enrolled, outcome).await
}

/// Revokes a device enrolled by a use case that then failed (best effort).
pub(crate) async fn revoke_enrolled(sign_in: &PracticeSignIn, enrolled: &EnrolDeviceResponse) {
    if let (Ok(server), Ok(client)) = (ServerAddress::parse(&sign_in.server_address), http_client())
    {
        revoke(&client, &server, enrolled).await;
    }
}

/// Makes an invite: a new code, the practice key wrapped under it (Argon2id with `kdf`), and
/// only the code's hash and the wrapped key sent to the server.
pub(crate) async fn create_invite(
    membership_server: &str,
    device_token: &str,
    wrapped_practice_key: Vec<u8>,
    code: &InviteCode,
) -> Result<CreatedInvite, CoreError> {
    let server = ServerAddress::parse(membership_server)?;
    let client = http_client()?;
    let request = CreateInviteRequest {
        code_hash: code.sha256_hex(),
        wrapped_practice_key: Envelope(wrapped_practice_key),
        expires_in_seconds: None,
    };
    let url = format!("{}/v1/invites", server.0);
    let response: CreateInviteResponse =
        send(client.post(url).bearer_auth(device_token).json(&request), Call::CreateInvite).await?;
    Ok(CreatedInvite {
        code: code.as_str().to_owned(),
        expires_at: DateTime::from_timestamp_millis(response.expires_at_ms)
            .unwrap_or_else(Utc::now),
    })
}

/// Serialises a wrapped key for the server (opaque bytes to it).
pub(crate) fn wrapped_key_bytes(wrapped: &WrappedKey) -> Result<Vec<u8>, CoreError> {
    serde_json::to_vec(wrapped)
        .map_err(|error| CoreError::Storage { message: format!("wrapping the key: {error}") })
}

/// Persists a fresh membership in the UI store: device, user, membership.
pub(crate) fn record_membership(
    store: &mut kith_store::Store,
    joined: &Joined,
) -> Result<(), CoreError> {
    store.enrol_sync_device(joined.membership.device_id)?;
    joined.membership.save(store)?;
    store.set_current_user(joined.user_id)?;
    // Every laptop says whose it is, so a sync conflict can say who wrote each value.
    store.record_device_owner(joined.membership.role.as_str())?;
    Ok(())
}

async fn revoke_on_failure<T>(
    client: &reqwest::Client,
    server: &ServerAddress,
    enrolled: &EnrolDeviceResponse,
    outcome: Result<T, CoreError>,
) -> Result<T, CoreError> {
    if outcome.is_err() {
        revoke(client, server, enrolled).await;
    }
    outcome
}

async fn revoke(client: &reqwest::Client, server: &ServerAddress, enrolled: &EnrolDeviceResponse) {
    let url = format!("{}/v1/devices/{}/revoke", server.0, enrolled.device_id);
    let request = client
        .post(url)
        .bearer_auth(&enrolled.token)
        .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string());
    if let Err(error) = request.send().await {
        tracing::warn!(%error, "could not revoke a device left from a failed enrolment");
    }
}

// ---------------------------------------------------------------------------------------
// Assignments and the practice's accounts (supervisors).

/// `PUT /v1/assignments/{person}`: the server moves the person to `link_worker`, and tells
/// the old and the new worker's laptops to resync (the old one then purges the person).
pub(crate) async fn assign_person(
    membership: &Membership,
    person: kith_domain::PersonId,
    link_worker: kith_domain::UserId,
) -> Result<(), CoreError> {
    let server = ServerAddress::parse(&membership.server_address)?;
    let client = http_client()?;
    let url = format!("{}/v1/assignments/{person}", server.0);
    let request = kith_protocol::AssignPersonRequest {
        link_worker_id: kith_protocol::UserId(link_worker.as_uuid()),
    };
    let response = client
        .put(url)
        .bearer_auth(&membership.device_token)
        .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
        .json(&request)
        .send()
        .await
        .map_err(|_| CoreError::ServerUnreachable)?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let bytes = response.bytes().await.map_err(|_| CoreError::ServerUnreachable)?;
    let body = serde_json::from_slice::<ErrorBody>(&bytes).ok();
    Err(match body.as_ref().map(|body| body.code) {
        Some(WireErrorCode::Forbidden) => CoreError::NotPermitted {
            message: "Only supervisors can move a person to another link worker.".into(),
        },
        Some(WireErrorCode::NotFound) => CoreError::NotFound { what: "That link worker" },
        Some(WireErrorCode::BadRequest) => CoreError::Invalid {
            rule: "assign_person",
            message: "People can only be moved to an active link worker of this practice.".into(),
        },
        _ => sync_failure(kith_sync::error_from(status, body)),
    })
}

/// `GET /v1/users`: the practice's accounts (admins and supervisors only).
pub(crate) async fn practice_users(
    membership: &Membership,
) -> Result<Vec<kith_protocol::UserInfo>, CoreError> {
    let server = ServerAddress::parse(&membership.server_address)?;
    let client = http_client()?;
    let url = format!("{}/v1/users", server.0);
    send(client.get(url).bearer_auth(&membership.device_token), Call::ListUsers).await
}

// ---------------------------------------------------------------------------------------
// The key check.

async fn first_operation(transport: &HttpTransport) -> Result<Option<Operation>, CoreError> {
    let page = transport
        .pull(&PullRequest { since: 0, limit: Some(1), checksum: false })
        .await
        .map_err(sync_failure)?;
    if page.operations.is_empty() && page.head_seq.unwrap_or(0) > 0 {
        // Visible records exist but the first page is empty (a resync pending): set up.
        return Err(CoreError::PracticeAlreadySetUp);
    }
    Ok(page.operations.into_iter().next().map(|stored| stored.operation))
}

fn opens_with(operation: &Operation, key: &PracticeKey) -> bool {
    open_operation(key, operation).is_ok()
}

async fn push_key_check(
    transport: &HttpTransport,
    device_id: DeviceId,
    key: &PracticeKey,
) -> Result<(), CoreError> {
    let now_ms =
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0);
    let fields = [(
        KEY_CHECK_FIELD.to_owned(),
        FieldChange { value: serde_json::Value::from(KEY_CHECK_VALUE), bases: Vec::new() },
    )];
    let check = PlainOperation {
        op_id: kith_protocol::OperationId::new_v7(),
        device_id,
        device_seq: KEY_CHECK_DEVICE_SEQ,
        kind: RecordKind::PracticeSetting,
        record_id: RecordId::new_v7(),
        person_id: None,
        hlc: Hlc { wall_ms: now_ms, counter: 0 },
        body: OperationBody::Fields { fields: fields.into_iter().collect() },
    };
    let sealed = seal_operation(key, &check).map_err(sync_failure)?;
    let response = transport
        .push(&kith_protocol::PushRequest { operations: vec![sealed] })
        .await
        .map_err(sync_failure)?;
    match response.results.first().map(|result| &result.outcome) {
        Some(kith_protocol::PushOutcome::Accepted { .. }) => Ok(()),
        _ => Err(CoreError::ServerProblem {
            message: "The practice server did not accept the new practice key's check, so the \
                      practice was not set up. Try again, or ask your practice administrator."
                .into(),
        }),
    }
}

// ---------------------------------------------------------------------------------------
// HTTP.

/// A server address, normalised: scheme and host, no trailing slash.
struct ServerAddress(String);

impl ServerAddress {
    fn parse(text: &str) -> Result<Self, CoreError> {
        let text = text.trim().trim_end_matches('/');
        let invalid = |why: &str| CoreError::Invalid {
            rule: "server_address",
            message: format!("That practice server address does not look right: {why}"),
        };
        if text.is_empty() || text.ends_with(':') {
            return Err(invalid("it has no server name"));
        }
        let with_scheme =
            if text.contains("://") { text.to_owned() } else { format!("https://{text}") };
        let url =
            reqwest::Url::parse(&with_scheme).map_err(|_| invalid("check how it is typed"))?;
        let host = url.host_str().ok_or_else(|| invalid("it has no server name"))?;
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1");
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(invalid("it must start with https:// so the connection is private"))
            }
            _ => return Err(invalid("it must start with https://")),
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
            return Err(invalid("it must be only the server's address"));
        }
        Ok(ServerAddress(url.as_str().trim_end_matches('/').to_owned()))
    }
}

fn http_client() -> Result<reqwest::Client, CoreError> {
    reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|_| CoreError::ServerProblem {
            message: "Kith could not start its connection to the practice server".into(),
        })
}

async fn enrol(
    client: &reqwest::Client,
    server: &ServerAddress,
    sign_in: &PracticeSignIn,
) -> Result<EnrolDeviceResponse, CoreError> {
    let request = EnrolDeviceRequest {
        username: sign_in.username.trim().to_owned(),
        password: sign_in.password.clone(),
        device_name: sign_in.device_name.trim().to_owned(),
    };
    let url = format!("{}/v1/devices/enrol", server.0);
    send(client.post(url).json(&request), Call::Enrol).await
}

/// Which call, for the words of its errors.
#[derive(Clone, Copy)]
enum Call {
    Enrol,
    Redeem,
    CreateInvite,
    ListUsers,
}

async fn send<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    call: Call,
) -> Result<T, CoreError> {
    let response = request
        .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
        .send()
        .await
        .map_err(|_| CoreError::ServerUnreachable)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|_| CoreError::ServerUnreachable)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|_| CoreError::ServerProblem {
            message: "The practice server's answer could not be read. Check the address is \
                      the Kith practice server."
                .into(),
        });
    }
    let body = serde_json::from_slice::<ErrorBody>(&bytes).ok();
    Err(match (call, body.as_ref().map(|body| body.code)) {
        (_, Some(WireErrorCode::BadCredentials)) => CoreError::WrongServerPassword,
        (_, Some(WireErrorCode::AccountDisabled)) => CoreError::ServerAccountDisabled,
        (_, Some(WireErrorCode::TooManyRequests)) => CoreError::TooManyAttempts,
        (Call::Redeem, Some(WireErrorCode::NotFound)) => CoreError::InviteNotAccepted,
        (Call::CreateInvite, Some(WireErrorCode::Forbidden)) => {
            CoreError::NotPermitted { message: "Only supervisors can make invite codes.".into() }
        }
        (Call::Enrol | Call::Redeem, Some(WireErrorCode::Forbidden)) => CoreError::NotPermitted {
            message: "The practice server does not allow this account to do that.".into(),
        },
        (Call::ListUsers, Some(WireErrorCode::Forbidden)) => CoreError::NotPermitted {
            message: "Only supervisors can see the practice's link workers.".into(),
        },
        _ => sync_failure(kith_sync::error_from(status, body)),
    })
}

fn sync_failure(error: SyncError) -> CoreError {
    if error.is_offline() {
        CoreError::ServerUnreachable
    } else {
        CoreError::ServerProblem { message: error.words() }
    }
}

fn crypto_failure(error: kith_crypto::CryptoError) -> CoreError {
    CoreError::Storage { message: format!("Kith could not make a key: {error}") }
}

// ---------------------------------------------------------------------------------------
// Invite codes and the kit's printable groups.

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_DATA_SYMBOLS: usize = 22;
const CODE_SYMBOLS: usize = 24;
const CHECK_MODULUS: u32 = 1021;

/// An invite code in its canonical form (upper case, 6 dash-separated groups of 4). Zeroized
/// when dropped.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct InviteCode(String);

impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InviteCode(<redacted>)")
    }
}

impl InviteCode {
    /// A fresh code from the operating system's random number generator.
    pub fn generate() -> Result<Self, CoreError> {
        let mut bytes = Zeroizing::new([0u8; CODE_DATA_SYMBOLS]);
        rand::rngs::OsRng
            .try_fill_bytes(bytes.as_mut())
            .map_err(|_| CoreError::Storage { message: "no randomness for a code".into() })?;
        let mut symbols: Zeroizing<Vec<u8>> =
            Zeroizing::new(bytes.iter().map(|byte| byte & 0x1f).collect());
        let check = code_check(&symbols);
        symbols.extend([(check >> 5) as u8, (check & 0x1f) as u8]);
        Ok(InviteCode(group(&symbols)))
    }

    /// Reads a code as typed: case, spaces and dashes do not matter, O reads as zero and I or
    /// L as one. A wrong length, a stray character or a typo the check catches is refused
    /// here, before anything is sent.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        let typo = |detail: String| CoreError::InviteCodeTypo {
            message: format!(
                "That invite code is not quite right: {detail}. It is 6 groups of 4 letters and \
                 numbers; check it with your supervisor."
            ),
        };
        let mut symbols = Zeroizing::new(Vec::with_capacity(CODE_SYMBOLS));
        for character in text.chars() {
            if character.is_whitespace() || character == '-' {
                continue;
            }
            let value = symbol_value(character)
                .ok_or_else(|| typo(format!("\"{character}\" is not used in invite codes")))?;
            symbols.push(value);
        }
        if symbols.len() != CODE_SYMBOLS {
            return Err(typo(format!("it has {} letters and numbers, not 24", symbols.len())));
        }
        let check = code_check(&symbols[..CODE_DATA_SYMBOLS]);
        let typed = (u32::from(symbols[CODE_DATA_SYMBOLS]) << 5)
            | u32::from(symbols[CODE_DATA_SYMBOLS + 1]);
        if check != typed {
            return Err(typo("a letter or number is mistyped or two are swapped".into()));
        }
        Ok(InviteCode(group(&symbols)))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-case hex SHA-256 of the canonical text: what the server keeps.
    pub fn sha256_hex(&self) -> String {
        Sha256::digest(self.0.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

/// `Σ (i+1)·v[i] + Σ v[i]·7 mod 1021`, as two 5-bit symbols (10 bits, below 1024).
fn code_check(symbols: &[u8]) -> u32 {
    let mut weighted = 0u32;
    let mut plain = 0u32;
    for (index, symbol) in symbols.iter().enumerate() {
        weighted = (weighted + (index as u32 + 1) * u32::from(*symbol)) % CHECK_MODULUS;
        plain = (plain + u32::from(*symbol)) % CHECK_MODULUS;
    }
    (weighted + 7 * plain) % CHECK_MODULUS
}

fn symbol_value(character: char) -> Option<u8> {
    let upper = match character.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&symbol| char::from(symbol) == upper)
        .and_then(|p| u8::try_from(p).ok())
}

fn group(symbols: &[u8]) -> String {
    let mut text = String::with_capacity(symbols.len() + symbols.len() / 4);
    for (index, symbol) in symbols.iter().enumerate() {
        if index > 0 && index % 4 == 0 {
            text.push('-');
        }
        text.push(char::from(ALPHABET[usize::from(*symbol)]));
    }
    text
}

/// The wrapped key's nonce and ciphertext as bytes, for printing.
fn wrapped_bytes(wrapped: &WrappedKey) -> Result<Vec<u8>, CoreError> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    let nonce = engine.decode(&wrapped.nonce);
    let ciphertext = engine.decode(&wrapped.ciphertext);
    match (nonce, ciphertext) {
        (Ok(mut nonce), Ok(ciphertext)) => {
            nonce.extend(ciphertext);
            Ok(nonce)
        }
        _ => Err(CoreError::Storage { message: "a wrapped key could not be printed".into() }),
    }
}

/// Bytes as Crockford base32 in dash-separated groups of 4.
fn encode_groups(bytes: &[u8]) -> String {
    let mut symbols = Vec::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut accumulator, mut bits) = (0u32, 0u32);
    for byte in bytes {
        accumulator = (accumulator << 8) | u32::from(*byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            symbols.push(((accumulator >> bits) & 0x1f) as u8);
        }
    }
    if bits > 0 {
        symbols.push(((accumulator << (5 - bits)) & 0x1f) as u8);
    }
    group(&symbols)
}

/// The inverse of [`encode_groups`] for `len` bytes; `None` on a stray character.
#[cfg(test)]
fn decode_groups(text: &str, len: usize) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(len);
    let (mut accumulator, mut bits) = (0u32, 0u32);
    for character in text.chars().filter(|c| *c != '-' && !c.is_whitespace()) {
        accumulator = (accumulator << 5) | u32::from(symbol_value(character)?);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            bytes.push(((accumulator >> bits) & 0xff) as u8);
        }
    }
    bytes.truncate(len);
    (bytes.len() == len).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = InviteCode::generate().unwrap();
        assert_eq!(code.as_str().len(), 29);
        assert_eq!(code.as_str().split('-').count(), 6);
        let typed = code.as_str().to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(InviteCode::parse(&typed).unwrap(), code);
        assert_eq!(code.sha256_hex().len(), 64);
    }

    #[test]
    fn every_single_typo_and_every_swap_of_neighbours_is_caught() {
        let code = InviteCode::generate().unwrap();
        let symbols: Vec<char> = code.as_str().chars().filter(|c| *c != '-').collect();
        for position in 0..symbols.len() {
            for replacement in ALPHABET.iter().map(|b| char::from(*b)) {
                if replacement == symbols[position] {
                    continue;
                }
                let mut typo = symbols.clone();
                typo[position] = replacement;
                let text: String = typo.into_iter().collect();
                let error = InviteCode::parse(&text).unwrap_err();
                assert!(matches!(error, CoreError::InviteCodeTypo { .. }), "{text}: {error}");
            }
            // Swaps of two random characters (a swap into the check is caught only almost
            // always, so it is left out of this exhaustive test).
            if position + 1 < CODE_DATA_SYMBOLS && symbols[position] != symbols[position + 1] {
                let mut swapped = symbols.clone();
                swapped.swap(position, position + 1);
                let text: String = swapped.into_iter().collect();
                assert!(InviteCode::parse(&text).is_err(), "swap at {position} not caught");
            }
        }
    }

    #[test]
    fn wrong_lengths_and_characters_say_what_is_wrong() {
        let short = InviteCode::parse("ABCD-EFGH").unwrap_err().to_string();
        assert!(short.contains("has 8 letters and numbers, not 24"), "{short}");
        let stray = InviteCode::parse("ABCD-EFGH-JKMN-PQRS-TVWX-YZ0U").unwrap_err().to_string();
        assert!(stray.contains("\"U\" is not used"), "{stray}");
    }

    #[test]
    fn codes_are_not_repeated() {
        let codes: std::collections::BTreeSet<String> =
            (0..200).map(|_| InviteCode::generate().unwrap().as_str().to_owned()).collect();
        assert_eq!(codes.len(), 200);
    }

    #[test]
    fn the_kit_opens_the_same_practice_key() {
        let practice_key = PracticeKey::generate().unwrap();
        let kit_key = RecoveryKey::generate().unwrap();
        let wrapped = WrappedKey::with_recovery_key(&practice_key, &kit_key).unwrap();
        let printed = encode_groups(&wrapped_bytes(&wrapped).unwrap());
        let bytes = decode_groups(&printed, 60).unwrap();
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
        let rebuilt = WrappedKey {
            nonce: engine.encode(&bytes[..12]),
            ciphertext: engine.encode(&bytes[12..]),
            ..wrapped.clone()
        };
        let typed_kit_key = kit_key.to_human_string().to_lowercase();
        let opened: PracticeKey =
            rebuilt.unwrap_with_recovery_key(&RecoveryKey::parse(&typed_kit_key).unwrap()).unwrap();
        assert_eq!(opened, practice_key);
        let other: Result<PracticeKey, _> =
            rebuilt.unwrap_with_recovery_key(&RecoveryKey::generate().unwrap());
        assert!(other.is_err());
    }

    #[test]
    fn server_addresses_must_be_private_except_on_this_computer() {
        let ok = |text: &str| ServerAddress::parse(text).unwrap().0;
        assert_eq!(ok("kith.example.org:8443/"), "https://kith.example.org:8443");
        assert_eq!(ok("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(ok(" https://kith.example.org "), "https://kith.example.org");
        for bad in ["http://kith.example.org", "ftp://kith.example.org", "https://", "https://a@b"]
        {
            assert!(ServerAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let code = InviteCode::generate().unwrap();
        assert!(!format!("{code:?}").contains(&code.as_str()[..4]));
        let sign_in = PracticeSignIn {
            server_address: "https://x".into(),
            username: "sam".into(),
            password: "hunter2hunter2".into(),
            device_name: "laptop".into(),
        };
        assert!(!format!("{sign_in:?}").contains("hunter2"));
    }
}
