//! Hostile clients: a burst of wrong logins with random usernames (memory measured on a real
//! `kith-server` process), stalled and dribbling connections on HTTP and HTTPS, the connection
//! cap, the per-address login limit, the password work cap, and `{code, message}` on every
//! error status.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kith_protocol::{ErrorBody, ErrorCode, Role, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER};
use kith_server::tls::{self, CertificatePem};
use kith_server::{AppState, DatabaseLocation, ServerConfig};
use reqwest::{Method, StatusCode};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::task::JoinSet;

use crate::support::{Backend, TestServer};

/// Peak resident memory allowed for a server process under the 200-login burst. Measured here
/// (debug build, two password workers): 62 MiB; with the workers but Argon2 memory allocated
/// per call, 368 MiB; with neither (one blocking thread per attempt), 3750 MiB. Four workers,
/// the most the defaults give, add about 40 MiB.
const BURST_MEMORY_CEILING_MIB: u64 = 200;

/// How late a stalled connection may be closed after its timeout on a busy test machine.
const SLACK: Duration = Duration::from_secs(3);

// ---------------------------------------------------------------------------------------------
// The burst, against a real process
// ---------------------------------------------------------------------------------------------

/// A `kith-server serve` process, killed when dropped.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ServerProcess {
    fn start(data_dir: &std::path::Path, args: &[&str]) -> (Self, String) {
        let mut child = ServerProcess(
            Command::new(env!("CARGO_BIN_EXE_kith-server"))
                .arg("--data-dir")
                .arg(data_dir)
                .args(["serve", "--listen", "127.0.0.1:0"])
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut reader = BufReader::new(child.0.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            assert!(reader.read_line(&mut line).unwrap() > 0, "kith-server exited early");
            if let Some(url) = line.trim().strip_prefix("kith-server listening on ") {
                return (child, url.to_owned());
            }
        }
    }

    /// A `/proc/<pid>/status` figure in MiB (`VmHWM`: peak resident; `VmRSS`: resident now).
    fn memory_mib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap();
        let line = status
            .lines()
            .find(|line| line.starts_with(&format!("{field}:")))
            .unwrap_or_else(|| panic!("no {field} in /proc status"));
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib / 1024
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_wrong_logins_with_random_usernames_stay_under_the_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let (server, url) = ServerProcess::start(dir.path(), &[]);
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{url}/health")).send().await.unwrap().status(), 200);
    let before = server.memory_mib("VmHWM");

    let mut attempts = JoinSet::new();
    for index in 0..200 {
        let (http, url) = (http.clone(), url.clone());
        attempts.spawn(async move {
            let response = http
                .post(format!("{url}/v1/devices/enrol"))
                .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
                .json(&serde_json::json!({
                    "username": format!("nobody-{}", uuid::Uuid::new_v4()),
                    "password": format!("wrong password {index}"),
                    "device_name": "attacker",
                }))
                .send()
                .await
                .unwrap();
            let status = response.status();
            let retry_after = response.headers().get("retry-after").cloned();
            let body: ErrorBody = response.json().await.unwrap();
            (status, retry_after, body.code)
        });
    }
    let (mut refused_as_wrong, mut told_to_wait) = (0, 0);
    while let Some(outcome) = attempts.join_next().await {
        let (status, retry_after, code) = outcome.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => {
                assert_eq!(code, ErrorCode::BadCredentials);
                refused_as_wrong += 1;
            }
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(code, ErrorCode::TooManyRequests);
                let seconds: u64 = retry_after.unwrap().to_str().unwrap().parse().unwrap();
                assert!(seconds >= 1);
                told_to_wait += 1;
            }
            other => panic!("unexpected answer {other} to a wrong login"),
        }
    }
    let peak = server.memory_mib("VmHWM");
    let now = server.memory_mib("VmRSS");
    eprintln!(
        "200 wrong logins: {refused_as_wrong} checked and refused, {told_to_wait} told to wait; \
         VmHWM {before} MiB before, {peak} MiB after; VmRSS after {now} MiB"
    );
    assert!(refused_as_wrong > 0, "some attempts must be checked");
    assert!(told_to_wait > 0, "a burst of 200 must overflow the password workers");
    assert!(
        peak < BURST_MEMORY_CEILING_MIB,
        "peak resident memory {peak} MiB is over the {BURST_MEMORY_CEILING_MIB} MiB ceiling"
    );
    // The server still answers.
    assert_eq!(http.get(format!("{url}/health")).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_flags_set_the_timeouts_and_refuse_nonsense() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = ServerProcess::start(
        dir.path(),
        &["--header-timeout", "0.5", "--body-timeout", "0.5", "--idle-timeout", "0.5"],
    );
    let address: SocketAddr = url.trim_start_matches("http://").parse().unwrap();
    let target = Target { address, tls: None };
    let mut stream = target.connect().await;
    stream.write_all(PARTIAL_HEAD).await.unwrap();
    let since = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, since, Duration::from_secs(10)).await;
    assert_closed_in_time("headers never finished", closed, Duration::from_millis(500));
    for nonsense in ["0", "-1", "soon", "NaN"] {
        let output = Command::new(env!("CARGO_BIN_EXE_kith-server"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0", &format!("--header-timeout={nonsense}")])
            .output()
            .unwrap();
        assert!(!output.status.success(), "--header-timeout {nonsense} was accepted");
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(error.contains("number of seconds"), "{error}");
    }
}

// ---------------------------------------------------------------------------------------------
// Logins: the per-address limit and the password work cap
// ---------------------------------------------------------------------------------------------

fn enrol_attempt(server: &TestServer, username: &str, password: &str) -> reqwest::RequestBuilder {
    server.request(Method::POST, "/v1/devices/enrol").json(&serde_json::json!({
        "username": username, "password": password, "device_name": "laptop"
    }))
}

async fn assert_told_to_wait(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let seconds: u64 =
        response.headers()["retry-after"].to_str().unwrap().parse().expect("Retry-After seconds");
    assert!(seconds >= 1);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::TooManyRequests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn new_usernames_do_not_escape_the_per_address_limit_and_a_success_does_not_reset_it() {
    let config = ServerConfig {
        login_max_failures: 100,
        login_max_failures_per_address: 4,
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(Backend::Sqlite, config).await;
    let practice = server.practice("Address Practice").await;
    let (_, password) = server.add_user(practice, "real-user", Role::LinkWorker).await;
    for _ in 0..3 {
        let random = format!("guess-{}", uuid::Uuid::new_v4());
        let response = enrol_attempt(&server, &random, "wrong").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Three failures of four: the real account still gets in, and that forgives nothing.
    let response = enrol_attempt(&server, "real-user", &password).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = enrol_attempt(&server, "fourth-guess", "wrong").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Four failures from this address: every username waits now, the right password too.
    assert_told_to_wait(enrol_attempt(&server, "fifth-guess", "wrong").send().await.unwrap()).await;
    assert_told_to_wait(enrol_attempt(&server, "real-user", &password).send().await.unwrap()).await;
    server.assert_healthy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_work_beyond_the_workers_and_queue_is_refused_with_retry_after() {
    let config = ServerConfig {
        password_hash_threads: 1,
        password_hash_queue: 1,
        login_max_failures_per_address: 10_000,
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(Backend::Sqlite, config).await;
    let mut attempts = JoinSet::new();
    for _ in 0..30 {
        let request = enrol_attempt(&server, &format!("x-{}", uuid::Uuid::new_v4()), "wrong");
        attempts.spawn(async move { request.send().await.unwrap() });
    }
    let (mut checked, mut busy) = (0, 0);
    while let Some(response) = attempts.join_next().await {
        let response = response.unwrap();
        if response.status() == StatusCode::UNAUTHORIZED {
            checked += 1;
        } else {
            assert_told_to_wait(response).await;
            busy += 1;
        }
    }
    assert!(checked >= 1 && busy >= 1, "checked {checked}, busy {busy}");
    let metrics = server.http.get(format!("{}/metrics", server.base)).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(text.contains(&format!("kith_password_work_refused_total {busy}\n")), "{text}");
    // Once the burst is over, logins are checked again.
    let response = enrol_attempt(&server, "after-the-burst", "wrong").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_request_waiting_for_a_password_worker_is_not_idle() {
    // Sixteen logins queue for one worker, far longer than the idle timeout, with no bytes
    // moving: each must still be answered.
    let config = ServerConfig {
        password_hash_threads: 1,
        password_hash_queue: 16,
        login_max_failures_per_address: 10_000,
        idle_timeout: Duration::from_millis(100),
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(Backend::Sqlite, config).await;
    let started = Instant::now();
    let mut attempts = JoinSet::new();
    for _ in 0..16 {
        let http = reqwest::Client::new();
        let request = http
            .post(format!("{}/v1/devices/enrol", server.base))
            .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
            .json(&serde_json::json!({
                "username": format!("q-{}", uuid::Uuid::new_v4()),
                "password": "wrong",
                "device_name": "laptop",
            }));
        attempts.spawn(async move { request.send().await.map(|response| response.status()) });
    }
    while let Some(outcome) = attempts.join_next().await {
        let status = outcome.unwrap().expect("answered, not cut off as idle");
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert!(started.elapsed() > Duration::from_millis(300), "the queue was not long enough");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn account_creation_shares_the_password_work_cap() {
    let config = ServerConfig {
        password_hash_threads: 1,
        password_hash_queue: 0,
        ..ServerConfig::default()
    };
    let server = TestServer::start_with(Backend::Sqlite, config).await;
    let practice = server.practice("Busy Practice").await;
    let admin = server.member(practice, "busy-admin", Role::Admin).await;
    let mut creations = JoinSet::new();
    for index in 0..12 {
        let request = admin.request(Method::POST, "/v1/users").json(&serde_json::json!({
            "username": format!("new-worker-{index}"),
            "password": "a long enough password",
            "role": "link_worker",
        }));
        creations.spawn(async move { request.send().await.unwrap() });
    }
    let (mut created, mut busy) = (0, 0);
    while let Some(response) = creations.join_next().await {
        let response = response.unwrap();
        if response.status() == StatusCode::CREATED {
            created += 1;
        } else {
            assert_told_to_wait(response).await;
            busy += 1;
        }
    }
    assert!(created >= 1 && busy >= 1, "created {created}, busy {busy}");
    let users = admin.request(Method::GET, "/v1/users").send().await.unwrap();
    let users: Vec<kith_protocol::UserInfo> = users.json().await.unwrap();
    assert_eq!(users.len(), 1 + created, "every 201 made exactly one account");
}

// ---------------------------------------------------------------------------------------------
// Error bodies
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wrong_methods_and_unknown_paths_answer_with_code_and_message() {
    let server = TestServer::start(Backend::Sqlite).await;
    for (method, path, status, code) in [
        (Method::GET, "/v1/sync/push", StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
        (Method::DELETE, "/v1/users", StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
        (Method::POST, "/health", StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
        (Method::GET, "/v1/no-such-thing", StatusCode::NOT_FOUND, ErrorCode::NotFound),
        (Method::GET, "/no-such-thing", StatusCode::NOT_FOUND, ErrorCode::NotFound),
    ] {
        let response = server.request(method.clone(), path).send().await.unwrap();
        assert_eq!(response.status(), status, "{method} {path}");
        if status == StatusCode::METHOD_NOT_ALLOWED {
            assert!(response.headers().contains_key("allow"), "{method} {path}: no Allow");
        }
        assert!(response.headers()["content-type"].to_str().unwrap().contains("json"));
        let body: ErrorBody = response.json().await.unwrap();
        assert_eq!(body.code, code, "{method} {path}");
        assert!(!body.message.is_empty());
    }
    // A body over the size limit: 413 in JSON.
    let small = ServerConfig { max_body_bytes: 1024, ..ServerConfig::default() };
    let server = TestServer::start_with(Backend::Sqlite, small).await;
    let response = server
        .request(Method::POST, "/v1/devices/enrol")
        .header("content-type", "application/json")
        .body(vec![b' '; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: ErrorBody = response.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::PayloadTooLarge);
}

// ---------------------------------------------------------------------------------------------
// Stalled connections, on plain HTTP and on HTTPS
// ---------------------------------------------------------------------------------------------

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Where to connect, and how.
#[derive(Clone)]
struct Target {
    address: SocketAddr,
    tls: Option<tokio_rustls::TlsConnector>,
}

impl Target {
    /// Starts a server with `config` on SQLite, over TLS when `https`.
    async fn start(config: ServerConfig, https: bool) -> (Self, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let location = DatabaseLocation::Sqlite(dir.path().join("server.sqlite3"));
        let state = AppState::new(kith_server::open_storage(&location).await.unwrap(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        if !https {
            tokio::spawn(kith_server::serve(listener, state));
            return (Target { address, tls: None }, dir);
        }
        let certificate = tls::self_signed_dev_certificate().unwrap();
        tokio::spawn(kith_server::serve_tls(listener, state, certificate.server_config().unwrap()));
        (Target { address, tls: Some(connector_trusting(&certificate)) }, dir)
    }

    async fn connect(&self) -> Box<dyn Stream> {
        let tcp = tokio::net::TcpStream::connect(self.address).await.unwrap();
        match &self.tls {
            None => Box::new(tcp),
            Some(connector) => {
                let name = ServerName::try_from("localhost").unwrap();
                Box::new(connector.connect(name, tcp).await.unwrap())
            }
        }
    }
}

fn connector_trusting(certificate: &CertificatePem) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(certificate.cert_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// Reads until the server closes the connection or `give_up` passes; returns what the server
/// sent and, when it closed, how long after `since`.
async fn read_until_closed(
    stream: &mut Box<dyn Stream>,
    since: Instant,
    give_up: Duration,
) -> (Vec<u8>, Option<Duration>) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let left = give_up.saturating_sub(since.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Err(_) => return (received, None),
            // A reset or a TLS stream cut without close_notify is a close too.
            Ok(Ok(0)) | Ok(Err(_)) => return (received, Some(since.elapsed())),
            Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

fn assert_closed_in_time(what: &str, closed: Option<Duration>, timeout: Duration) {
    let closed = closed.unwrap_or_else(|| panic!("{what}: still open after {SLACK:?} past"));
    assert!(closed + Duration::from_millis(150) >= timeout, "{what}: closed early, {closed:?}");
    assert!(closed <= timeout + SLACK, "{what}: closed late, {closed:?}");
}

const HEADER_TIMEOUT: Duration = Duration::from_millis(700);
const BODY_TIMEOUT: Duration = Duration::from_millis(1000);
const IDLE_TIMEOUT: Duration = Duration::from_millis(800);

fn read_timeouts() -> ServerConfig {
    ServerConfig {
        header_read_timeout: HEADER_TIMEOUT,
        body_read_timeout: BODY_TIMEOUT,
        idle_timeout: Duration::from_secs(60),
        ..ServerConfig::default()
    }
}

const PARTIAL_HEAD: &[u8] = b"POST /v1/devices/enrol HTTP/1.1\r\nHost: localhost\r\n";

fn head_with_body_of(length: usize) -> Vec<u8> {
    format!(
        "POST /v1/devices/enrol HTTP/1.1\r\nHost: localhost\r\n{PROTOCOL_VERSION_HEADER}: \
         {PROTOCOL_VERSION}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    )
    .into_bytes()
}

/// Headers started and never finished: closed at the header timeout.
async fn headers_never_finished(target: Target) {
    let mut stream = target.connect().await;
    stream.write_all(PARTIAL_HEAD).await.unwrap();
    let since = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, since, HEADER_TIMEOUT + SLACK).await;
    assert_closed_in_time("headers never finished", closed, HEADER_TIMEOUT);
}

/// Headers sent a byte at a time, never finished: the header timeout is a deadline, not a
/// pause between bytes.
async fn headers_dribbled(target: Target) {
    let mut stream = target.connect().await;
    let since = Instant::now();
    let writer = async {
        for byte in PARTIAL_HEAD.iter().cycle().take(10_000) {
            if stream.write_all(&[*byte]).await.is_err() {
                return Some(since.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            if since.elapsed() > HEADER_TIMEOUT + SLACK {
                return None;
            }
        }
        None
    };
    let closed = writer.await;
    // A write can still succeed briefly after the server closed; the read side tells.
    let closed = match closed {
        Some(at) => Some(at),
        None => read_until_closed(&mut stream, since, HEADER_TIMEOUT + SLACK).await.1,
    };
    assert_closed_in_time("headers dribbled", closed, HEADER_TIMEOUT);
}

/// Connected and sent nothing at all (on TLS: the handshake done, then nothing).
async fn nothing_sent(target: Target) {
    let mut stream = target.connect().await;
    let since = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, since, HEADER_TIMEOUT + SLACK).await;
    assert_closed_in_time("nothing sent", closed, HEADER_TIMEOUT);
}

/// A body that stops half way, or dribbles: 408 with `{code, message}`, then closed.
async fn body_never_finished(target: Target, dribble: bool) {
    let what = if dribble { "body dribbled" } else { "body never finished" };
    let mut stream = target.connect().await;
    stream.write_all(&head_with_body_of(1000)).await.unwrap();
    stream.write_all(b"{\"username\": \"").await.unwrap();
    let since = Instant::now();
    let (received, closed) = if dribble {
        let mut received = Vec::new();
        let mut closed = None;
        let mut buffer = [0u8; 4096];
        while since.elapsed() < BODY_TIMEOUT + SLACK {
            if stream.write_all(b"a").await.is_err() {
                break;
            }
            match tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buffer)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    closed = Some(since.elapsed());
                    break;
                }
                Ok(Ok(read)) => received.extend_from_slice(&buffer[..read]),
                Err(_) => {}
            }
        }
        if closed.is_none() {
            let (rest, at) = read_until_closed(&mut stream, since, BODY_TIMEOUT + SLACK).await;
            received.extend(rest);
            closed = at;
        }
        (received, closed)
    } else {
        read_until_closed(&mut stream, since, BODY_TIMEOUT + SLACK).await
    };
    assert_closed_in_time(what, closed, BODY_TIMEOUT);
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{what}: {text}");
    let body = text.split("\r\n\r\n").nth(1).unwrap_or_default();
    let error: ErrorBody = serde_json::from_str(body).unwrap_or_else(|_| panic!("{what}: {text}"));
    assert_eq!(error.code, ErrorCode::RequestTimeout);
}

/// A kept-alive connection after a complete request and answer: closed at the idle timeout.
async fn idle_keep_alive(target: Target) {
    let mut stream = target.connect().await;
    stream.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").await.unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&received).contains("\"status\"") {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "closed before answering");
        received.extend_from_slice(&buffer[..read]);
    }
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200"));
    let since = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, since, IDLE_TIMEOUT + SLACK).await;
    assert_closed_in_time("idle keep-alive", closed, IDLE_TIMEOUT);
}

async fn stalled_connections_are_closed_in_time(https: bool) {
    let (target, _dir) = Target::start(read_timeouts(), https).await;
    tokio::join!(
        headers_never_finished(target.clone()),
        headers_dribbled(target.clone()),
        nothing_sent(target.clone()),
        body_never_finished(target.clone(), false),
        body_never_finished(target.clone(), true),
    );
    // Idle: the header timeout (which hyper also applies between requests) set long.
    let idle = ServerConfig {
        header_read_timeout: Duration::from_secs(60),
        body_read_timeout: Duration::from_secs(60),
        idle_timeout: IDLE_TIMEOUT,
        ..ServerConfig::default()
    };
    let (target, _dir) = Target::start(idle, https).await;
    idle_keep_alive(target).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stalled_connections_are_closed_in_time_over_http() {
    stalled_connections_are_closed_in_time(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stalled_connections_are_closed_in_time_over_https() {
    stalled_connections_are_closed_in_time(true).await;
}

/// A client still sending an oversized body when it is refused: it can read the 413, rather
/// than find the connection reset under it.
async fn an_oversized_body_is_answered_not_reset(https: bool) {
    let config = ServerConfig { max_body_bytes: 1024, ..ServerConfig::default() };
    let (target, _dir) = Target::start(config, https).await;
    let mut stream = target.connect().await;
    let body = vec![b' '; 4 * 1024 * 1024];
    stream.write_all(&head_with_body_of(body.len())).await.unwrap();
    // Everything is written before anything is read, as a simple client would; the write may
    // fail part way once the server has answered.
    let _ = stream.write_all(&body).await;
    let (received, _) = read_until_closed(&mut stream, Instant::now(), SLACK).await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 413"), "no 413 to read: {text:?}");
    assert!(text.contains("payload_too_large"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversized_body_is_answered_not_reset_over_http() {
    an_oversized_body_is_answered_not_reset(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_oversized_body_is_answered_not_reset_over_https() {
    an_oversized_body_is_answered_not_reset(true).await;
}

/// Opens connections up to the cap (sending nothing), then shows the next one is answered
/// only once a slot frees.
async fn connections_over_the_cap_wait_for_a_free_slot(https: bool) {
    let config = ServerConfig {
        max_connections: 3,
        header_read_timeout: Duration::from_secs(60),
        idle_timeout: Duration::from_secs(60),
        ..ServerConfig::default()
    };
    let (target, _dir) = Target::start(config, https).await;
    let mut holders = Vec::new();
    for _ in 0..3 {
        holders.push(target.connect().await);
    }
    let late = target.clone();
    let mut answer = tokio::spawn(async move {
        let mut stream = late.connect().await;
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let (received, _) =
            read_until_closed(&mut stream, Instant::now(), Duration::from_secs(30)).await;
        String::from_utf8_lossy(&received).into_owned()
    });
    let waited = tokio::time::timeout(Duration::from_millis(800), &mut answer).await;
    assert!(waited.is_err(), "a fourth connection was served past the cap of three");
    drop(holders.pop());
    let text = tokio::time::timeout(SLACK, answer).await.expect("served once a slot freed");
    assert!(text.unwrap().starts_with("HTTP/1.1 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_over_the_cap_wait_for_a_free_slot_over_http() {
    connections_over_the_cap_wait_for_a_free_slot(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_over_the_cap_wait_for_a_free_slot_over_https() {
    connections_over_the_cap_wait_for_a_free_slot(true).await;
}
