//! The server library's one error enum (storage, accounts, admin commands).

/// Everything that can go wrong below the HTTP layer. Messages never carry personal data,
/// passwords or tokens.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The thing being created already exists.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The input was not acceptable.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The database was written by a newer server.
    #[error("the database schema is version {found}, newer than this server knows ({known}); update the server")]
    NewerDatabase {
        /// Version in the database.
        found: i64,
        /// Newest version this binary knows.
        known: i64,
    },
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// The PostgreSQL pool failed.
    #[error("postgres pool: {0}")]
    Pool(String),
    /// A blocking task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
    /// Password hashing failed.
    #[error("password hashing failed")]
    PasswordHash,
    /// A file could not be read or written.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// A TLS certificate or key could not be loaded or made.
    #[error("tls: {0}")]
    Tls(String),
    /// Stored data is inconsistent.
    #[error("database is inconsistent: {0}")]
    Corrupt(String),
}

impl From<deadpool_postgres::PoolError> for ServerError {
    fn from(error: deadpool_postgres::PoolError) -> Self {
        ServerError::Pool(error.to_string())
    }
}

impl From<tokio::task::JoinError> for ServerError {
    fn from(error: tokio::task::JoinError) -> Self {
        ServerError::Task(error.to_string())
    }
}
