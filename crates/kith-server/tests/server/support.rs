//! Test support: a real server on 127.0.0.1:0 over SQLite or a throwaway PostgreSQL cluster,
//! and a small HTTP client that speaks the sync protocol.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Weak};

use kith_protocol::{
    DeviceId, EnrolDeviceRequest, EnrolDeviceResponse, Envelope, Hlc, Operation, OperationId,
    PersonId, PracticeId, PullResponse, PushRequest, PushResponse, RecordId, RecordKind, Role,
    StoredOperation, UserInfo, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER,
};
use kith_server::storage::NewUser;
use kith_server::{secrets, AppState, DatabaseLocation, ServerConfig};
use reqwest::{Method, RequestBuilder, StatusCode};
use tempfile::TempDir;

/// Which storage a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A throwaway PostgreSQL cluster (shared by the tests running at the same time, stopped when
/// the last one drops it).
pub struct PgCluster {
    base_url: String,
    bin_dir: Option<PathBuf>,
    data_dir: Option<PathBuf>,
    running_as_root: bool,
    _dir: Option<TempDir>,
}

static CLUSTER: Mutex<Weak<PgCluster>> = Mutex::new(Weak::new());

fn run_checked(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|e| panic!("could not run {what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn postgres_bin_dir() -> PathBuf {
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).collect::<Vec<_>>()
        })
        .unwrap_or_default();
    candidates.retain(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists());
    candidates.sort_by_key(|dir| {
        dir.parent()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    candidates.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL is needed for these tests and was not found in /usr/lib/postgresql/*/bin; \
             install Debian's `postgresql` package (cargo xtask test does) or set \
             KITH_TEST_POSTGRES_URL"
        )
    })
}

fn as_postgres_user(program: &Path, running_as_root: bool) -> Command {
    if running_as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn id_of(flag: &str) -> u32 {
    let output = Command::new("id").args([flag, "postgres"]).output().expect("run id");
    assert!(output.status.success(), "the postgres system user is needed when running as root");
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("numeric id")
}

impl PgCluster {
    fn start() -> Self {
        if let Ok(url) = std::env::var("KITH_TEST_POSTGRES_URL") {
            return PgCluster {
                base_url: url,
                bin_dir: None,
                data_dir: None,
                running_as_root: false,
                _dir: None,
            };
        }
        let bin = postgres_bin_dir();
        let dir = tempfile::Builder::new().prefix("kith-pg-").tempdir().expect("temp dir");
        use std::os::unix::fs::MetadataExt;
        let running_as_root = std::fs::metadata(dir.path()).expect("stat").uid() == 0;
        if running_as_root {
            std::os::unix::fs::chown(dir.path(), Some(id_of("-u")), Some(id_of("-g")))
                .expect("chown the cluster directory to postgres");
        }
        let data = dir.path().join("data");
        run_checked(
            as_postgres_user(&bin.join("initdb"), running_as_root).arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            ]),
            "initdb",
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.path().display()
        );
        run_checked(
            as_postgres_user(&bin.join("pg_ctl"), running_as_root)
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(dir.path().join("log"))
                .args(["-w", "-t", "60", "start"]),
            "pg_ctl start",
        );
        PgCluster {
            base_url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            bin_dir: Some(bin),
            data_dir: Some(data),
            running_as_root,
            _dir: Some(dir),
        }
    }

    /// The cluster for this test, starting one when none is running.
    pub fn shared() -> Arc<PgCluster> {
        let mut slot = CLUSTER.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cluster) = slot.upgrade() {
            return cluster;
        }
        let cluster = Arc::new(PgCluster::start());
        *slot = Arc::downgrade(&cluster);
        cluster
    }

    /// Creates a fresh database and returns its URL.
    pub async fn fresh_database(&self) -> String {
        let (client, connection) = tokio_postgres::connect(&self.base_url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL: {e}"));
        tokio::spawn(connection);
        let name = format!("kith_test_{}", uuid::Uuid::new_v4().simple());
        client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create database");
        let (without_query, query) = match self.base_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (self.base_url.as_str(), String::new()),
        };
        let (server, _) = without_query.rsplit_once('/').expect("database in URL");
        format!("{server}/{name}{query}")
    }

    /// `pg_dump` of one database, as text.
    pub fn dump(&self, url: &str) -> Vec<u8> {
        let program = self
            .bin_dir
            .as_ref()
            .map(|bin| bin.join("pg_dump"))
            .unwrap_or_else(|| PathBuf::from("pg_dump"));
        let output = Command::new(program).arg("--dbname").arg(url).output().expect("run pg_dump");
        assert!(
            output.status.success(),
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output.stdout
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if let (Some(bin), Some(data)) = (&self.bin_dir, &self.data_dir) {
            let _ = as_postgres_user(&bin.join("pg_ctl"), self.running_as_root)
                .arg("-D")
                .arg(data)
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}

/// A running server.
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    pub sqlite_path: Option<PathBuf>,
    pub postgres: Option<(Arc<PgCluster>, String)>,
    _dir: TempDir,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, ServerConfig::default()).await
    }

    pub async fn start_with(backend: Backend, config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (location, sqlite_path, postgres) = match backend {
            Backend::Sqlite => {
                let path = dir.path().join("server.sqlite3");
                (DatabaseLocation::Sqlite(path.clone()), Some(path), None)
            }
            Backend::Postgres => {
                let cluster = tokio::task::spawn_blocking(PgCluster::shared).await.unwrap();
                let url = cluster.fresh_database().await;
                (DatabaseLocation::Postgres(url.clone()), None, Some((cluster, url)))
            }
        };
        let storage = kith_server::open_storage(&location).await.expect("open storage");
        let state = AppState::new(storage, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(kith_server::serve(listener, state.clone()));
        TestServer { base, state, http: reqwest::Client::new(), sqlite_path, postgres, _dir: dir }
    }

    pub async fn practice(&self, name: &str) -> PracticeId {
        self.state.storage().create_practice(name.into()).await.unwrap().id
    }

    /// Adds a user straight into storage; returns the user and password.
    pub async fn add_user(
        &self,
        practice: PracticeId,
        username: &str,
        role: Role,
    ) -> (UserInfo, String) {
        let password = format!("{username}-password-123");
        let hash = {
            let password = password.clone();
            tokio::task::spawn_blocking(move || secrets::hash_password(&password))
                .await
                .unwrap()
                .unwrap()
        };
        let user = self
            .state
            .storage()
            .create_user(NewUser {
                practice_id: practice,
                username: username.into(),
                role,
                password_hash: hash,
            })
            .await
            .unwrap();
        (user, password)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
    }

    pub async fn enrol(&self, username: &str, password: &str) -> Device {
        let response = self
            .request(Method::POST, "/v1/devices/enrol")
            .json(&EnrolDeviceRequest {
                username: username.into(),
                password: password.into(),
                device_name: format!("{username}'s laptop"),
            })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        let enrolled: EnrolDeviceResponse = response.json().await.unwrap();
        Device {
            token: enrolled.token,
            device_id: enrolled.device_id,
            user: enrolled.user,
            base: self.base.clone(),
            http: self.http.clone(),
            next_seq: 1,
        }
    }

    /// A user with one enrolled device.
    pub async fn member(&self, practice: PracticeId, username: &str, role: Role) -> Device {
        let (_, password) = self.add_user(practice, username, role).await;
        self.enrol(username, &password).await
    }

    pub async fn assert_healthy(&self) {
        let response = self.http.get(format!("{}/health", self.base)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
}

/// An enrolled device.
pub struct Device {
    pub token: String,
    pub device_id: DeviceId,
    pub user: UserInfo,
    pub base: String,
    pub http: reqwest::Client,
    pub next_seq: u64,
}

pub fn now_ms() -> u64 {
    kith_server::now_ms()
}

impl Device {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&self.token)
    }

    /// A new operation from this device.
    pub fn op(
        &mut self,
        kind: RecordKind,
        person: Option<PersonId>,
        envelope: Vec<u8>,
    ) -> Operation {
        let record_id = match (kind, person) {
            (RecordKind::Person, Some(person)) => RecordId(person.0),
            _ => RecordId::new_v7(),
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        Operation {
            op_id: OperationId::new_v7(),
            device_id: self.device_id,
            device_seq: seq,
            kind,
            record_id,
            person_id: person,
            hlc: Hlc { wall_ms: now_ms(), counter: 0 },
            envelope: Envelope(envelope),
        }
    }

    pub async fn push(&self, operations: Vec<Operation>) -> PushResponse {
        let response = self
            .request(Method::POST, "/v1/sync/push")
            .json(&PushRequest { operations })
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    pub async fn pull_page(&self, since: u64, limit: u32, checksum: bool) -> PullResponse {
        let response = self
            .request(
                Method::GET,
                &format!("/v1/sync/pull?since={since}&limit={limit}&checksum={checksum}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// Pulls every page after `since`; returns the operations and the final cursor.
    pub async fn pull_all(&self, mut since: u64, limit: u32) -> (Vec<StoredOperation>, u64) {
        let mut all = Vec::new();
        loop {
            let page = self.pull_page(since, limit, false).await;
            assert!(!page.resync_required, "unexpected resync");
            all.extend(page.operations);
            since = page.next_cursor;
            if !page.has_more {
                return (all, since);
            }
        }
    }
}
