//! HTTP layer: the router, one `AppError` for every failure, extractors, and the handlers.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kith_protocol::{
    AssignPersonRequest, CreateInviteRequest, CreateInviteResponse, CreateUserRequest, DeviceId,
    EnrolDeviceRequest, EnrolDeviceResponse, Envelope, ErrorBody, ErrorCode, Health, InviteId,
    PersonId, PullRequest, PullResponse, PushOutcome, PushRequest, PushResponse,
    RedeemInviteRequest, RedeemInviteResponse, Role, ScopeResponse, UserId, WhoAmI,
    MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER,
};
use serde::de::DeserializeOwned;

use crate::metrics::Metrics;
use crate::password_workers::PasswordWorkError;
use crate::rate_limit::address_block;
use crate::scope::OperationLimits;
use crate::secrets;
use crate::storage::{Caller, NewInvite, NewUser};
use crate::{now_ms, AppState, ServerError};

/// Every failure a handler can answer with. Internal errors are logged and hidden.
#[derive(Debug)]
pub enum AppError {
    /// 400.
    BadRequest(String),
    /// 401 (no token or an unknown one).
    Unauthorized,
    /// 401 (revoked device).
    DeviceRevoked,
    /// 401 (wrong username or password).
    BadCredentials,
    /// 403 (disabled account).
    AccountDisabled,
    /// 403.
    Forbidden(&'static str),
    /// 404.
    NotFound(&'static str),
    /// 409.
    Conflict(String),
    /// 413.
    PayloadTooLarge(String),
    /// 405 (the path takes other methods).
    MethodNotAllowed,
    /// 408 (the body did not arrive in time).
    RequestTimeout,
    /// 426.
    UpdateNeeded(String),
    /// 400 (client newer than the server).
    ServerOutdated,
    /// 429 (too many failed attempts), with how long to wait.
    TooManyRequests(Duration),
    /// 429 (every password worker busy and the queue full), with how long to wait.
    Busy(Duration),
    /// 500 (logged, never shown).
    Internal(ServerError),
}

impl From<ServerError> for AppError {
    fn from(error: ServerError) -> Self {
        match error {
            ServerError::NotFound(_) => AppError::NotFound("not found"),
            ServerError::Conflict(what) => AppError::Conflict(format!("{what} already exists")),
            ServerError::Invalid(message) => AppError::BadRequest(message),
            other => AppError::Internal(other),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut retry_after = None;
        let (status, code, message) = match self {
            AppError::BadRequest(message) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthorized,
                "a valid device token is needed: Authorization: Bearer <token>".into(),
            ),
            AppError::DeviceRevoked => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::DeviceRevoked,
                "this device was revoked; sign in again to enrol it".into(),
            ),
            AppError::BadCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::BadCredentials,
                "wrong username or password".into(),
            ),
            AppError::AccountDisabled => (
                StatusCode::FORBIDDEN,
                ErrorCode::AccountDisabled,
                "this account is disabled; ask your practice administrator".into(),
            ),
            AppError::Forbidden(message) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, message.into()),
            AppError::NotFound(message) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, message.into()),
            AppError::Conflict(message) => (StatusCode::CONFLICT, ErrorCode::Conflict, message),
            AppError::PayloadTooLarge(message) => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, message)
            }
            AppError::UpdateNeeded(message) => {
                (StatusCode::UPGRADE_REQUIRED, ErrorCode::UpdateNeeded, message)
            }
            AppError::ServerOutdated => (
                StatusCode::BAD_REQUEST,
                ErrorCode::ServerOutdated,
                format!(
                    "this server speaks sync protocol {PROTOCOL_VERSION}; the practice server needs an update"
                ),
            ),
            AppError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "this endpoint does not take this method (see the Allow header)".into(),
            ),
            AppError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                "the request body did not arrive in time; send the request again".into(),
            ),
            AppError::TooManyRequests(wait) => {
                retry_after = Some(wait);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyRequests,
                    "too many failed attempts; wait a few minutes and try again".into(),
                )
            }
            AppError::Busy(wait) => {
                retry_after = Some(wait);
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::TooManyRequests,
                    "the server is busy checking other sign-ins; try again in a moment".into(),
                )
            }
            AppError::Internal(error) => {
                tracing::error!(%error, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "the server could not complete this request; it has been logged".into(),
                )
            }
        };
        let mut response = (status, Json(ErrorBody { code, message })).into_response();
        if status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::REQUEST_TIMEOUT {
            // The rest of the body is never read: close the connection so the client does not
            // send its next request down a half-read stream.
            response
                .headers_mut()
                .insert(header::CONNECTION, axum::http::HeaderValue::from_static("close"));
        }
        if let Some(wait) = retry_after {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge("the request body is over the size limit".into())
    } else {
        AppError::BadRequest(format!("invalid JSON body: {}", rejection.body_text()))
    }
}

/// `axum::Json` whose rejections become [`AppError`]s (so every error body is `{code, message}`).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| ApiJson(value))
            .map_err(json_rejection)
    }
}

/// `axum::extract::Query` with [`AppError`] rejections.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection: QueryRejection| {
                AppError::BadRequest(format!("invalid query: {}", rejection.body_text()))
            })
    }
}

/// `axum::extract::Path` with [`AppError`] rejections (e.g. an invalid UUID).
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection: PathRejection| {
                AppError::BadRequest(format!("invalid path: {}", rejection.body_text()))
            })
    }
}

/// The client's address, when the server was started with connect info.
fn client_address(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip())
}

/// The authenticated caller, with the device's resync flag.
pub struct Authenticated {
    caller: Caller,
    resync_required: bool,
    address: Option<IpAddr>,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let session = state
            .storage()
            .device_session(secrets::token_hash(token))
            .await?
            .ok_or(AppError::Unauthorized)?;
        if session.device_revoked {
            return Err(AppError::DeviceRevoked);
        }
        if session.user.disabled {
            return Err(AppError::AccountDisabled);
        }
        Ok(Authenticated {
            caller: Caller {
                user_id: session.user.user_id,
                practice_id: session.user.practice_id,
                device_id: session.device_id,
                role: session.user.role,
            },
            resync_required: session.resync_required,
            address: client_address(parts),
        })
    }
}

/// Remote address for handlers without authentication.
pub struct ClientAddress(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        Ok(ClientAddress(client_address(parts)))
    }
}

fn require(caller: &Caller, allowed: &[Role], what: &'static str) -> Result<(), AppError> {
    if allowed.contains(&caller.role) {
        Ok(())
    } else {
        Err(AppError::Forbidden(what))
    }
}

/// Refuses `/v1` requests without a current protocol version header.
async fn check_protocol_version(headers: HeaderMap, request: Request, next: Next) -> Response {
    let update = |message: &str| {
        AppError::UpdateNeeded(format!(
            "{message}; this server speaks sync protocol {PROTOCOL_VERSION}: update needed, \
             install the latest Kith app"
        ))
        .into_response()
    };
    let Some(value) = headers.get(PROTOCOL_VERSION_HEADER) else {
        return update("the request names no protocol version");
    };
    let Some(version) = value.to_str().ok().and_then(|text| text.trim().parse::<u32>().ok()) else {
        return AppError::BadRequest(format!("{PROTOCOL_VERSION_HEADER} must be a whole number"))
            .into_response();
    };
    if version < MIN_SUPPORTED_PROTOCOL_VERSION {
        return update(&format!("protocol {version} is no longer supported"));
    }
    if version > PROTOCOL_VERSION {
        return AppError::ServerOutdated.into_response();
    }
    next.run(request).await
}

async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let metrics = state.metrics();
    Metrics::add(&metrics.requests, 1);
    let response = next.run(request).await;
    if response.status().is_client_error() {
        Metrics::add(&metrics.client_errors, 1);
    } else if response.status().is_server_error() {
        Metrics::add(&metrics.server_errors, 1);
    }
    response
}

async fn not_found() -> AppError {
    AppError::NotFound("no such endpoint")
}

/// Builds the whole HTTP API.
pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/devices/enrol", post(enrol_device))
        .route("/me", get(who_am_i))
        .route("/devices", get(list_devices))
        .route("/devices/{device_id}/revoke", post(revoke_device))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{user_id}/disable", post(disable_user))
        .route("/assignments", get(list_assignments))
        .route("/assignments/{person_id}", put(assign_person))
        .route("/invites", post(create_invite))
        .route("/invites/redeem", post(redeem_invite))
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/sync/scope", get(scope))
        .fallback(not_found)
        .layer(middleware::from_fn(check_protocol_version));
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .nest("/v1", v1)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(state.config().max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), count_requests))
        .layer(middleware::from_fn(json_error_bodies))
        .with_state(state)
}

/// Gives every error answer a `{code, message}` body, including those axum makes itself (405
/// for a wrong method, with its `Allow` header kept, and any other bare status).
async fn json_error_bodies(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such endpoint".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::MethodNotAllowed,
            "this endpoint does not take this method (see the Allow header)".to_owned(),
        ),
        StatusCode::REQUEST_TIMEOUT => (
            ErrorCode::RequestTimeout,
            "the request did not arrive in time; send it again".to_owned(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => {
            (ErrorCode::PayloadTooLarge, "the request body is over the size limit".to_owned())
        }
        StatusCode::TOO_MANY_REQUESTS => {
            (ErrorCode::TooManyRequests, "too many requests; wait and try again".to_owned())
        }
        status if status.is_server_error() => (
            ErrorCode::Internal,
            "the server could not complete this request; it has been logged".to_owned(),
        ),
        status => (ErrorCode::BadRequest, format!("the request was refused ({status})")),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = Json(ErrorBody { code, message }).into_response();
    let (body_parts, body) = body.into_parts();
    if let Some(content_type) = body_parts.headers.get(header::CONTENT_TYPE) {
        parts.headers.insert(header::CONTENT_TYPE, content_type.clone());
    }
    Response::from_parts(parts, body)
}

async fn health(State(state): State<AppState>) -> Response {
    let ok = state.storage().ping().await.is_ok();
    let body = Health {
        status: if ok { "ok" } else { "database unavailable" }.into(),
        protocol_version: PROTOCOL_VERSION,
        min_protocol_version: MIN_SUPPORTED_PROTOCOL_VERSION,
        server_version: env!("CARGO_PKG_VERSION").into(),
    };
    let status = if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics().render())
        .into_response()
}

fn check_text(name: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.trim().is_empty() || value.chars().count() > max || value.chars().any(char::is_control)
    {
        return Err(AppError::BadRequest(format!(
            "{name} must be 1 to {max} characters without control characters"
        )));
    }
    Ok(())
}

/// The per-address login limiter's one key.
const ADDRESS_LOGIN_KEY: &str = "login";
/// What a client is told to wait when every password worker is busy.
const PASSWORD_BUSY_WAIT: Duration = Duration::from_secs(2);

/// Runs Argon2 work on the password workers: 429 with `Retry-After` when they are full.
async fn password_work<T, F>(state: &AppState, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    state.password_workers().run(work).await.map_err(|error| match error {
        PasswordWorkError::Busy => {
            Metrics::add(&state.metrics().password_work_refused, 1);
            AppError::Busy(PASSWORD_BUSY_WAIT)
        }
        PasswordWorkError::Failed => {
            AppError::Internal(ServerError::Task("password work failed".into()))
        }
    })
}

async fn enrol_device(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(request): ApiJson<EnrolDeviceRequest>,
) -> Result<Json<EnrolDeviceResponse>, AppError> {
    check_text("username", &request.username, 100)?;
    check_text("device_name", &request.device_name, 100)?;
    if request.password.len() > 1024 {
        return Err(AppError::BadRequest("password is too long".into()));
    }
    // Per address first (new usernames do not escape it), then per username and address.
    let block = address_block(address);
    if let Some(wait) = state.address_limiter().wait_needed(ADDRESS_LOGIN_KEY, block) {
        return Err(AppError::TooManyRequests(wait));
    }
    let limiter_key = format!("login:{}", request.username);
    if let Some(wait) = state.login_limiter().wait_needed(&limiter_key, address) {
        return Err(AppError::TooManyRequests(wait));
    }
    let credentials = state.storage().user_credentials(request.username.clone()).await?;
    let password = request.password;
    let stored_hash = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified =
        password_work(&state, move || secrets::verify_password(&password, stored_hash.as_deref()))
            .await?;
    let Some(credentials) = credentials.filter(|_| verified) else {
        state.login_limiter().record_failure(&limiter_key, address);
        state.address_limiter().record_failure(ADDRESS_LOGIN_KEY, block);
        Metrics::add(&state.metrics().login_failures, 1);
        return Err(AppError::BadCredentials);
    };
    // Only the username's count is forgiven: a success must not wipe the address's failures,
    // or one real account would let an address guess at every other one.
    state.login_limiter().record_success(&limiter_key, address);
    if credentials.user.disabled {
        return Err(AppError::AccountDisabled);
    }
    let token = secrets::new_device_token();
    let device = state
        .storage()
        .create_device(
            credentials.user.user_id,
            request.device_name,
            secrets::token_hash(&token),
            now_ms() as i64,
        )
        .await?;
    tracing::info!(device = %device.device_id, "device enrolled");
    Ok(Json(EnrolDeviceResponse { device_id: device.device_id, token, user: credentials.user }))
}

async fn who_am_i(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<WhoAmI>, AppError> {
    let user = state.storage().user(auth.caller.user_id).await?.ok_or(AppError::Unauthorized)?;
    Ok(Json(WhoAmI { user, device_id: auth.caller.device_id }))
}

async fn list_devices(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<kith_protocol::DeviceInfo>>, AppError> {
    let caller = auth.caller;
    let only_user = if caller.role == Role::Admin { None } else { Some(caller.user_id) };
    Ok(Json(state.storage().list_devices(Some(caller.practice_id), only_user).await?))
}

async fn revoke_device(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(device_id): ApiPath<DeviceId>,
) -> Result<StatusCode, AppError> {
    let caller = auth.caller;
    let (device, practice) =
        state.storage().device(device_id).await?.ok_or(AppError::NotFound("no such device"))?;
    let may = practice == caller.practice_id
        && (caller.role == Role::Admin || device.user_id == caller.user_id);
    if !may {
        return Err(AppError::NotFound("no such device"));
    }
    state.storage().revoke_device(device_id).await?;
    tracing::info!(device = %device_id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_users(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<kith_protocol::UserInfo>>, AppError> {
    require(
        &auth.caller,
        &[Role::Admin, Role::Supervisor],
        "only admins and supervisors list users",
    )?;
    Ok(Json(state.storage().list_users(Some(auth.caller.practice_id)).await?))
}

async fn create_user(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<kith_protocol::UserInfo>), AppError> {
    require(&auth.caller, &[Role::Admin], "only admins create accounts")?;
    check_text("username", &request.username, 100)?;
    if request.password.chars().count() < 10 || request.password.len() > 1024 {
        return Err(AppError::BadRequest("password must be 10 to 1024 characters".into()));
    }
    let password = request.password;
    let password_hash = password_work(&state, move || secrets::hash_password(&password)).await??;
    let user = state
        .storage()
        .create_user(NewUser {
            practice_id: auth.caller.practice_id,
            username: request.username,
            role: request.role,
            password_hash,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

async fn disable_user(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(user_id): ApiPath<UserId>,
) -> Result<StatusCode, AppError> {
    require(&auth.caller, &[Role::Admin], "only admins disable accounts")?;
    let user = state.storage().user(user_id).await?;
    if user.map(|u| u.practice_id) != Some(auth.caller.practice_id) {
        return Err(AppError::NotFound("no such user"));
    }
    state.storage().set_user_disabled(user_id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_assignments(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<kith_protocol::Assignment>>, AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor, Role::LinkWorker], "admins see no caseloads")?;
    let only = if caller.role == Role::LinkWorker { Some(caller.user_id) } else { None };
    Ok(Json(state.storage().list_assignments(caller.practice_id, only).await?))
}

async fn assign_person(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiPath(person_id): ApiPath<PersonId>,
    ApiJson(request): ApiJson<AssignPersonRequest>,
) -> Result<StatusCode, AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor], "only supervisors assign people")?;
    let worker = state
        .storage()
        .user(request.link_worker_id)
        .await?
        .filter(|user| user.practice_id == caller.practice_id)
        .ok_or(AppError::NotFound("no such link worker"))?;
    if worker.role != Role::LinkWorker || worker.disabled {
        return Err(AppError::BadRequest(
            "people can only be assigned to active link workers".into(),
        ));
    }
    state
        .storage()
        .assign_person(caller.practice_id, person_id, worker.user_id, now_ms() as i64)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Longest invite lifetime.
const MAX_INVITE_SECONDS: u64 = 30 * 24 * 3600;
/// Default invite lifetime.
const DEFAULT_INVITE_SECONDS: u64 = 7 * 24 * 3600;

async fn create_invite(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(request): ApiJson<CreateInviteRequest>,
) -> Result<(StatusCode, Json<CreateInviteResponse>), AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor], "only supervisors create invites")?;
    let code_hash = secrets::parse_hex32(&request.code_hash)
        .ok_or_else(|| AppError::BadRequest("code_hash must be 64 hex characters".into()))?;
    let wrapped_key = request.wrapped_practice_key.0;
    if wrapped_key.is_empty() || wrapped_key.len() > 4096 {
        return Err(AppError::BadRequest("wrapped_practice_key must be 1 to 4096 bytes".into()));
    }
    let seconds = request.expires_in_seconds.unwrap_or(DEFAULT_INVITE_SECONDS);
    if seconds == 0 || seconds > MAX_INVITE_SECONDS {
        return Err(AppError::BadRequest("expires_in_seconds must be 1 to 30 days".into()));
    }
    let expires_at_ms = now_ms() as i64 + (seconds as i64) * 1000;
    let invite_id = InviteId::new_v7();
    state
        .storage()
        .create_invite(NewInvite {
            invite_id,
            practice_id: caller.practice_id,
            created_by: caller.user_id,
            code_hash,
            wrapped_key,
            expires_at_ms,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(CreateInviteResponse { invite_id, expires_at_ms })))
}

async fn redeem_invite(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(request): ApiJson<RedeemInviteRequest>,
) -> Result<Json<RedeemInviteResponse>, AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor, Role::LinkWorker], "admins hold no practice key")?;
    if request.code.is_empty() || request.code.len() > 256 {
        return Err(AppError::BadRequest("code must be 1 to 256 characters".into()));
    }
    let limiter_key = format!("invite:{}", caller.user_id);
    if let Some(wait) = state.login_limiter().wait_needed(&limiter_key, auth.address) {
        return Err(AppError::TooManyRequests(wait));
    }
    let code_hash = secrets::parse_hex32(&secrets::invite_code_hash(&request.code))
        .ok_or_else(|| AppError::Internal(ServerError::Invalid("hash".into())))?;
    let redeemed = state
        .storage()
        .redeem_invite(caller.practice_id, code_hash, caller.device_id, now_ms() as i64)
        .await?;
    match redeemed {
        Some(wrapped_key) => {
            state.login_limiter().record_success(&limiter_key, auth.address);
            Ok(Json(RedeemInviteResponse { wrapped_practice_key: Envelope(wrapped_key) }))
        }
        None => {
            state.login_limiter().record_failure(&limiter_key, auth.address);
            Err(AppError::NotFound("no such invite, or it has expired or been used"))
        }
    }
}

async fn push(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor, Role::LinkWorker], "admins write no records")?;
    let max = state.config().max_operations_per_push;
    if request.operations.len() > max {
        return Err(AppError::PayloadTooLarge(format!(
            "a push carries at most {max} operations ({} sent); split it into batches",
            request.operations.len()
        )));
    }
    Metrics::add(&state.metrics().pushes, 1);
    let now = now_ms();
    let limits = OperationLimits { max_envelope_bytes: state.config().max_envelope_bytes };
    let report =
        state.storage().push(caller, Arc::new(request.operations.clone()), now, limits).await?;
    let mut refused = 0;
    let results = request
        .operations
        .iter()
        .zip(report.outcomes)
        .map(|(op, outcome)| {
            if matches!(outcome, PushOutcome::Refused { .. }) {
                refused += 1;
            }
            kith_protocol::PushResult { op_id: op.op_id, device_seq: op.device_seq, outcome }
        })
        .collect();
    // Replays of already stored operations are accepted but not counted as stored.
    Metrics::add(&state.metrics().operations_stored, report.newly_stored);
    Metrics::add(&state.metrics().operations_refused, refused);
    Ok(Json(PushResponse { results, server_time_ms: now }))
}

async fn pull(
    State(state): State<AppState>,
    auth: Authenticated,
    ApiQuery(request): ApiQuery<PullRequest>,
) -> Result<Json<PullResponse>, AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor, Role::LinkWorker], "admins read no records")?;
    Metrics::add(&state.metrics().pulls, 1);
    if auth.resync_required {
        if request.since > 0 {
            return Ok(Json(PullResponse {
                operations: Vec::new(),
                next_cursor: 0,
                has_more: false,
                resync_required: true,
                scope_checksum: None,
                head_seq: None,
            }));
        }
        state.storage().clear_resync(caller.device_id).await?;
    }
    let limit = request
        .limit
        .unwrap_or(kith_protocol::DEFAULT_PULL_LIMIT)
        .clamp(1, state.config().max_pull_limit);
    let page = state.storage().pull(caller, request.since, limit).await?;
    let next_cursor = page.operations.last().map_or(request.since, |op| op.seq);
    let scope_checksum = if request.checksum {
        Some(state.storage().scope_checksum(caller, next_cursor).await?)
    } else {
        None
    };
    Ok(Json(PullResponse {
        operations: page.operations,
        next_cursor,
        has_more: page.has_more,
        resync_required: false,
        scope_checksum,
        head_seq: Some(page.head_seq),
    }))
}

async fn scope(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<ScopeResponse>, AppError> {
    let caller = auth.caller;
    require(&caller, &[Role::Supervisor, Role::LinkWorker], "admins read no records")?;
    if caller.role == Role::Supervisor {
        return Ok(Json(ScopeResponse { whole_practice: true, people: Vec::new() }));
    }
    let people = state
        .storage()
        .list_assignments(caller.practice_id, Some(caller.user_id))
        .await?
        .into_iter()
        .map(|assignment| assignment.person_id)
        .collect();
    Ok(Json(ScopeResponse { whole_practice: false, people }))
}
