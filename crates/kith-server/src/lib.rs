//! The Kith practice server: accounts, devices and an end-to-end encrypted record relay.
//!
//! A library (`router`; `serve` for plain HTTP or `serve_tls` for HTTPS on a given listener)
//! with a thin binary over it. The server only ever holds record envelopes it cannot read,
//! plus the routing metadata it needs (ids, kinds, which person a record belongs to, who
//! carries that person, clocks, sizes).

#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
mod connection;
mod error;
pub mod metrics;
pub mod password_workers;
pub mod rate_limit;
pub mod scope;
pub mod secrets;
pub mod storage;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

pub use api::router;
pub use error::ServerError;
pub use storage::{open_storage, DatabaseLocation, Storage};
pub use tls::serve_tls;

/// Limits and tunables; the defaults are what `kith-server serve` uses.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Largest request body (413 above it).
    pub max_body_bytes: usize,
    /// Most operations in one push (413 above it).
    pub max_operations_per_push: usize,
    /// Largest page a pull returns.
    pub max_pull_limit: u32,
    /// Largest envelope accepted (the operation is refused above it).
    pub max_envelope_bytes: usize,
    /// Failed logins allowed per username and address within `login_window`.
    pub login_max_failures: usize,
    /// Failed logins allowed per address (an IPv6 /64), whatever the usernames, within
    /// `login_window`. Behind a reverse proxy every client has the proxy's address.
    pub login_max_failures_per_address: usize,
    /// The window for failed logins.
    pub login_window: Duration,
    /// Password checks and hashes (Argon2, 19 MiB each) that run at once.
    pub password_hash_threads: usize,
    /// Password checks that may wait for a free thread; beyond them, 429 with `Retry-After`.
    pub password_hash_queue: usize,
    /// Connections open at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
    /// Time for a request's head to arrive (and for the TLS handshake); then the connection
    /// is closed.
    pub header_read_timeout: Duration,
    /// Time for a request's body to arrive after its head; then 408 and the connection is
    /// closed.
    pub body_read_timeout: Duration,
    /// A connection with nothing moving and no request running is closed after this long.
    pub idle_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            max_operations_per_push: kith_protocol::MAX_OPERATIONS_PER_PUSH,
            max_pull_limit: kith_protocol::MAX_PULL_LIMIT,
            max_envelope_bytes: 1024 * 1024,
            login_max_failures: 5,
            login_max_failures_per_address: 50,
            login_window: Duration::from_secs(15 * 60),
            password_hash_threads: std::thread::available_parallelism()
                .map_or(2, usize::from)
                .clamp(1, 4),
            password_hash_queue: 16,
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Shared state of a running server (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    inner: Arc<StateInner>,
}

struct StateInner {
    storage: Arc<dyn Storage>,
    config: ServerConfig,
    metrics: metrics::Metrics,
    login_limiter: rate_limit::AttemptLimiter,
    address_limiter: rate_limit::AttemptLimiter,
    password_workers: password_workers::PasswordWorkers,
}

impl AppState {
    /// State over an opened storage.
    pub fn new(storage: Arc<dyn Storage>, config: ServerConfig) -> Self {
        let login_limiter =
            rate_limit::AttemptLimiter::new(config.login_max_failures, config.login_window);
        let address_limiter = rate_limit::AttemptLimiter::new(
            config.login_max_failures_per_address,
            config.login_window,
        );
        let password_workers = password_workers::PasswordWorkers::new(
            config.password_hash_threads,
            config.password_hash_queue,
        );
        Self {
            inner: Arc::new(StateInner {
                storage,
                config,
                metrics: metrics::Metrics::default(),
                login_limiter,
                address_limiter,
                password_workers,
            }),
        }
    }

    /// The storage.
    pub fn storage(&self) -> &dyn Storage {
        self.inner.storage.as_ref()
    }

    /// The limits.
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The counters.
    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    pub(crate) fn login_limiter(&self) -> &rate_limit::AttemptLimiter {
        &self.inner.login_limiter
    }

    pub(crate) fn address_limiter(&self) -> &rate_limit::AttemptLimiter {
        &self.inner.address_limiter
    }

    pub(crate) fn password_workers(&self) -> &password_workers::PasswordWorkers {
        &self.inner.password_workers
    }
}

/// Serves plain HTTP on `listener` until the process ends, with the connection limits of the
/// state's [`ServerConfig`]. Use it on loopback, or behind a TLS-terminating proxy.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    connection::serve_connections(listener, state, None).await
}

/// Starts a server with SQLite storage in `data_dir` on a free loopback port, serving in the
/// background on the current tokio runtime: what tests and benchmarks need. Returns the
/// address and the storage (to set up practices and users directly).
pub async fn serve_sqlite_on_loopback(
    data_dir: &std::path::Path,
    config: ServerConfig,
) -> Result<(std::net::SocketAddr, Arc<dyn Storage>), ServerError> {
    let storage = open_storage(&DatabaseLocation::Sqlite(data_dir.join("server.db"))).await?;
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    tokio::spawn(serve(listener, AppState::new(storage.clone(), config)));
    Ok((address, storage))
}

/// Unix time in milliseconds.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as u64)
        .unwrap_or(0)
}
