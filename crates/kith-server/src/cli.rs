//! The `kith-server` command line: `serve` and the admin commands, over the same storage.

use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use kith_protocol::{DeviceId, PracticeId, Role};
use uuid::Uuid;

use crate::storage::{open_storage, DatabaseLocation, NewUser};
use crate::{secrets, tls, AppState, ServerConfig, ServerError};

/// The Kith practice server.
#[derive(Debug, Parser)]
#[command(name = "kith-server", version, about)]
pub struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct DatabaseArgs {
    /// Directory for the SQLite database (default: the OS data directory).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://kith@localhost/kith.
    #[arg(long, global = true)]
    database: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
        /// Serve plain HTTP on a non-loopback address (development only: traffic is readable
        /// on the network; put a TLS proxy in front for real use).
        #[arg(long, conflicts_with_all = ["tls_cert", "dev_self_signed"])]
        insecure_dev_http: bool,
        /// Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.
        #[arg(long, requires = "tls_key", value_name = "PEM")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert.
        #[arg(long, requires = "tls_cert", value_name = "PEM")]
        tls_key: Option<PathBuf>,
        /// Serve HTTPS with a self-signed certificate for localhost/127.0.0.1, made on first
        /// use and kept in the data directory. DEVELOPMENT ONLY: clients must be told to trust
        /// it by its fingerprint.
        #[arg(long, conflicts_with = "tls_cert")]
        dev_self_signed: bool,
        #[command(flatten)]
        limits: ServeLimits,
    },
    /// Manage practices.
    #[command(subcommand)]
    Practice(PracticeCommand),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage enrolled devices.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Write a consistent copy of the SQLite database.
    Backup {
        /// Destination file (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Check the database for damage and inconsistencies.
    Check,
}

/// Connection and sign-in limits of `serve` (the defaults suit a practice server).
#[derive(Debug, Args)]
struct ServeLimits {
    /// Connections open at once; more wait until one closes.
    #[arg(long, default_value_t = ServerConfig::default().max_connections)]
    max_connections: usize,
    /// Seconds a client has to send a request's headers, and to finish the TLS handshake
    /// [default: 10].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    header_timeout: Option<Duration>,
    /// Seconds a client has to send a request's body once its headers are in [default: 30].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    body_timeout: Option<Duration>,
    /// Seconds a connection may sit with nothing moving before it is closed [default: 60].
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    idle_timeout: Option<Duration>,
    /// Password checks run at once, each holding 19 MiB while it runs [default: the number of
    /// cores, at most 4].
    #[arg(long)]
    password_hash_threads: Option<usize>,
}

impl ServeLimits {
    fn config(&self) -> ServerConfig {
        let defaults = ServerConfig::default();
        ServerConfig {
            max_connections: self.max_connections.max(1),
            header_read_timeout: self.header_timeout.unwrap_or(defaults.header_read_timeout),
            body_read_timeout: self.body_timeout.unwrap_or(defaults.body_read_timeout),
            idle_timeout: self.idle_timeout.unwrap_or(defaults.idle_timeout),
            password_hash_threads: self
                .password_hash_threads
                .unwrap_or(defaults.password_hash_threads)
                .max(1),
            ..defaults
        }
    }
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0 && *seconds <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| "must be a number of seconds above 0 (at most a day)".to_owned())
}

#[derive(Debug, Subcommand)]
enum PracticeCommand {
    /// Create a practice and print its id.
    Create {
        /// The practice's name.
        name: String,
    },
    /// List practices.
    List,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user; prints a generated password unless --password-stdin is given.
    Add {
        /// The practice id.
        #[arg(long)]
        practice: Uuid,
        /// Login name.
        #[arg(long)]
        username: String,
        /// admin, supervisor or link_worker.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List {
        /// Only this practice.
        #[arg(long)]
        practice: Option<Uuid>,
    },
    /// Disable a user: their devices are refused at their next request.
    Disable {
        /// Login name.
        username: String,
    },
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// List devices.
    List {
        /// Only this user's devices.
        #[arg(long)]
        username: Option<String>,
    },
    /// Revoke a device: it is refused at its next request.
    Revoke {
        /// The device id.
        device_id: Uuid,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| "role must be admin, supervisor or link_worker".to_owned())
}

/// The data directory: `--data-dir`, or the OS data directory.
fn data_directory(args: &DatabaseArgs) -> Result<PathBuf, ServerError> {
    match &args.data_dir {
        Some(directory) => Ok(directory.clone()),
        None => directories::ProjectDirs::from("org", "Kith", "kith-server")
            .map(|dirs| dirs.data_dir().to_path_buf())
            .ok_or_else(|| {
                ServerError::Invalid("no data directory could be found; pass --data-dir".into())
            }),
    }
}

/// Where the database is for these arguments.
fn database_location(args: &DatabaseArgs) -> Result<DatabaseLocation, ServerError> {
    if let Some(url) = &args.database {
        return Ok(DatabaseLocation::Postgres(url.clone()));
    }
    Ok(DatabaseLocation::Sqlite(data_directory(args)?.join("kith-server.sqlite3")))
}

/// How `serve` talks to clients.
enum Transport {
    /// Plain HTTP (loopback, or `--insecure-dev-http`).
    Http,
    /// HTTPS with this configuration.
    Https(Arc<rustls::ServerConfig>),
}

/// Decides the transport for `serve` before anything is opened, refusing plain HTTP on a
/// network address.
fn serve_transport(
    database: &DatabaseArgs,
    listen: SocketAddr,
    insecure_dev_http: bool,
    tls: Option<(PathBuf, PathBuf)>,
    dev_self_signed: bool,
) -> Result<Transport, ServerError> {
    if let Some((cert_path, key_path)) = tls {
        let certificate = tls::CertificatePem::read(&cert_path, &key_path)?;
        return Ok(Transport::Https(certificate.server_config()?));
    }
    if dev_self_signed {
        let directory = data_directory(database)?;
        let certificate = tls::dev_certificate_in(&directory)?;
        let (cert_path, _) = tls::dev_certificate_paths(&directory);
        println!(
            "WARNING: self-signed development certificate; do not use it for real patient data."
        );
        println!("certificate: {}", cert_path.display());
        println!("certificate SHA-256 fingerprint: {}", certificate.fingerprint()?);
        tracing::warn!("serving with a self-signed development certificate");
        return Ok(Transport::Https(certificate.server_config()?));
    }
    if !listen.ip().is_loopback() && !insecure_dev_http {
        return Err(ServerError::Invalid(
            "refusing to serve plain HTTP on a non-loopback address: pass --tls-cert and \
             --tls-key, put a TLS proxy in front and listen on loopback, or pass \
             --dev-self-signed (or --insecure-dev-http) for development"
                .into(),
        ));
    }
    Ok(Transport::Http)
}

/// Runs one command line.
pub async fn run(cli: Cli) -> Result<(), ServerError> {
    let location = database_location(&cli.database)?;
    // Check the TLS settings before touching the database, so a bad flag changes nothing.
    let transport = match &cli.command {
        Command::Serve {
            listen, insecure_dev_http, tls_cert, tls_key, dev_self_signed, ..
        } => {
            let tls = tls_cert.clone().zip(tls_key.clone());
            Some(serve_transport(
                &cli.database,
                *listen,
                *insecure_dev_http,
                tls,
                *dev_self_signed,
            )?)
        }
        _ => None,
    };
    let storage = open_storage(&location).await?;
    match cli.command {
        Command::Serve { listen, limits, .. } => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            match &location {
                DatabaseLocation::Sqlite(path) => {
                    tracing::info!(database = %path.display(), "using SQLite")
                }
                DatabaseLocation::Postgres(_) => tracing::info!("using PostgreSQL"),
            }
            let state = AppState::new(storage, limits.config());
            let address = listener.local_addr()?;
            match transport {
                Some(Transport::Https(config)) => {
                    println!("kith-server listening on https://{address}");
                    tls::serve_tls(listener, state, config).await?;
                }
                _ => {
                    println!("kith-server listening on http://{address}");
                    crate::serve(listener, state).await?;
                }
            }
        }
        Command::Practice(PracticeCommand::Create { name }) => {
            let practice = storage.create_practice(name).await?;
            println!("{}", practice.id);
        }
        Command::Practice(PracticeCommand::List) => {
            for practice in storage.list_practices().await? {
                println!("{}\t{}", practice.id, practice.name);
            }
        }
        Command::User(UserCommand::Add { practice, username, role, password_stdin }) => {
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (secrets::new_password(), true)
            };
            if password.chars().count() < 10 {
                return Err(ServerError::Invalid("password must be at least 10 characters".into()));
            }
            let password_for_hash = password.clone();
            let password_hash =
                tokio::task::spawn_blocking(move || secrets::hash_password(&password_for_hash))
                    .await??;
            let user = storage
                .create_user(NewUser {
                    practice_id: PracticeId(practice),
                    username,
                    role,
                    password_hash,
                })
                .await?;
            println!("{}", user.user_id);
            if generated {
                println!("password (shown once): {password}");
            }
        }
        Command::User(UserCommand::List { practice }) => {
            for user in storage.list_users(practice.map(PracticeId)).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.user_id,
                    user.practice_id,
                    user.username,
                    user.role.as_str(),
                    if user.disabled { "disabled" } else { "active" }
                );
            }
        }
        Command::User(UserCommand::Disable { username }) => {
            let credentials = storage
                .user_credentials(username)
                .await?
                .ok_or_else(|| ServerError::NotFound("user".into()))?;
            storage.set_user_disabled(credentials.user.user_id, true).await?;
            println!("disabled");
        }
        Command::Device(DeviceCommand::List { username }) => {
            let user_id = match username {
                Some(username) => Some(
                    storage
                        .user_credentials(username)
                        .await?
                        .ok_or_else(|| ServerError::NotFound("user".into()))?
                        .user
                        .user_id,
                ),
                None => None,
            };
            for device in storage.list_devices(None, user_id).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    device.device_id,
                    device.user_id,
                    device.name,
                    if device.revoked { "revoked" } else { "active" }
                );
            }
        }
        Command::Device(DeviceCommand::Revoke { device_id }) => {
            storage.revoke_device(DeviceId(device_id)).await?;
            println!("revoked");
        }
        Command::Backup { to } => {
            storage.backup(to.clone()).await?;
            println!("backed up to {}", to.display());
        }
        Command::Check => {
            let problems = storage.check().await?;
            let counts = storage.counts().await?;
            println!(
                "{} practices, {} users, {} devices, {} operations",
                counts.practices, counts.users, counts.devices, counts.operations
            );
            if problems.is_empty() {
                println!("ok");
            } else {
                for problem in &problems {
                    println!("problem: {problem}");
                }
                return Err(ServerError::Corrupt(format!("{} problems found", problems.len())));
            }
        }
    }
    Ok(())
}
