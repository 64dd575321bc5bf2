//! The HTTP [`Transport`]: reqwest (rustls) against the practice server's `/v1/sync/...`
//! endpoints, with the protocol version header on every request and the server's error codes
//! mapped to [`SyncError`].

use std::time::Duration;

use kith_protocol::{
    ErrorBody, ErrorCode, PullRequest, PullResponse, PushRequest, PushResponse, ScopeResponse,
    PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER,
};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::engine::Transport;
use crate::SyncError;

/// Talks to one practice server as one enrolled device.
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    base_url: String,
    device_token: String,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("base_url", &self.base_url)
            .field("device_token", &"<redacted>")
            .finish()
    }
}

impl HttpTransport {
    /// A transport with sensible timeouts (10 s to connect, 60 s per request). `base_url` is
    /// like `https://kith.practice.example:8443` (no trailing slash needed).
    pub fn new(base_url: &str, device_token: &str) -> Result<Self, SyncError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|error| {
                SyncError::Local(format!("could not start the HTTP client: {error}"))
            })?;
        Ok(Self::with_client(client, base_url, device_token))
    }

    /// A transport over a caller's client (custom timeouts or certificates).
    pub fn with_client(client: reqwest::Client, base_url: &str, device_token: &str) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            device_token: device_token.to_owned(),
        }
    }

    fn request(&self, builder: RequestBuilder) -> RequestBuilder {
        builder
            .bearer_auth(&self.device_token)
            .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
    }

    async fn send<T: DeserializeOwned>(&self, builder: RequestBuilder) -> Result<T, SyncError> {
        let response = self.request(builder).send().await.map_err(unreachable)?;
        let status = response.status();
        if status.is_success() {
            let bytes = response.bytes().await.map_err(unreachable)?;
            return serde_json::from_slice(&bytes)
                .map_err(|_| SyncError::Unreachable("the server's answer was cut off".into()));
        }
        let body = response.bytes().await.unwrap_or_default();
        Err(error_from(status, serde_json::from_slice::<ErrorBody>(&body).ok()))
    }
}

fn unreachable(error: reqwest::Error) -> SyncError {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "the connection broke"
    };
    SyncError::Unreachable(what.into())
}

/// Maps an error answer to a [`SyncError`].
pub fn error_from(status: StatusCode, body: Option<ErrorBody>) -> SyncError {
    let code = body.as_ref().map(|b| b.code);
    match (status.as_u16(), code) {
        (_, Some(ErrorCode::DeviceRevoked)) => SyncError::DeviceRevoked,
        (_, Some(ErrorCode::AccountDisabled)) => SyncError::AccountDisabled,
        (_, Some(ErrorCode::UpdateNeeded)) | (426, _) => SyncError::UpdateNeeded,
        (_, Some(ErrorCode::ServerOutdated)) => SyncError::ServerOutdated,
        (_, Some(ErrorCode::TooManyRequests)) | (429, _) => SyncError::Busy,
        (401, _) => SyncError::Unauthorized,
        // A proxy or load balancer answering for a server that is down.
        (502..=504, None) => SyncError::Unreachable(format!("the server answered {status}")),
        (status, code) => SyncError::Server {
            status,
            code,
            message: body.map(|b| b.message).unwrap_or_else(|| "no details".into()),
        },
    }
}

impl Transport for HttpTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        let url = format!("{}/v1/sync/push", self.base_url);
        self.send(self.client.post(url).json(request)).await
    }

    async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        let url = format!("{}/v1/sync/pull", self.base_url);
        let mut query = vec![("since", request.since.to_string())];
        if let Some(limit) = request.limit {
            query.push(("limit", limit.to_string()));
        }
        if request.checksum {
            query.push(("checksum", "true".into()));
        }
        self.send(self.client.get(url).query(&query)).await
    }

    async fn scope(&self) -> Result<ScopeResponse, SyncError> {
        let url = format!("{}/v1/sync/scope", self.base_url);
        self.send(self.client.get(url)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: ErrorCode) -> Option<ErrorBody> {
        Some(ErrorBody { code, message: "m".into() })
    }

    #[test]
    fn server_errors_map_to_what_the_engine_must_do() {
        type Check = fn(&SyncError) -> bool;
        let cases: Vec<(u16, Option<ErrorBody>, Check)> = vec![
            (401, body(ErrorCode::DeviceRevoked), |e| matches!(e, SyncError::DeviceRevoked)),
            (401, body(ErrorCode::Unauthorized), |e| matches!(e, SyncError::Unauthorized)),
            (403, body(ErrorCode::AccountDisabled), |e| matches!(e, SyncError::AccountDisabled)),
            (426, body(ErrorCode::UpdateNeeded), |e| matches!(e, SyncError::UpdateNeeded)),
            (426, None, |e| matches!(e, SyncError::UpdateNeeded)),
            (400, body(ErrorCode::ServerOutdated), |e| matches!(e, SyncError::ServerOutdated)),
            (429, None, |e| matches!(e, SyncError::Busy)),
            (502, None, |e| e.is_offline()),
            (500, body(ErrorCode::Internal), |e| {
                matches!(e, SyncError::Server { status: 500, .. })
            }),
            (413, body(ErrorCode::PayloadTooLarge), |e| {
                matches!(e, SyncError::Server { code: Some(ErrorCode::PayloadTooLarge), .. })
            }),
        ];
        for (status, body, expected) in cases {
            let error = error_from(StatusCode::from_u16(status).unwrap(), body.clone());
            assert!(expected(&error), "{status} {body:?} gave {error:?}");
        }
        assert!(error_from(StatusCode::UNAUTHORIZED, None).stops_syncing());
        assert!(!error_from(StatusCode::INTERNAL_SERVER_ERROR, None).stops_syncing());
    }

    #[test]
    fn debug_hides_the_device_token() {
        let transport = HttpTransport::new("http://127.0.0.1:1/", "secret-token-value").unwrap();
        assert!(!format!("{transport:?}").contains("secret-token-value"));
        assert_eq!(transport.base_url, "http://127.0.0.1:1");
    }
}
