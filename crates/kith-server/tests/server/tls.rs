//! HTTPS: the library's `serve_tls` with a generated certificate, and `kith-server serve`
//! with `--dev-self-signed` and with `--tls-cert/--tls-key`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use kith_server::tls::{self, CertificatePem};
use kith_server::{AppState, DatabaseLocation, ServerConfig};

/// A client that trusts only `cert_pem`.
fn client_trusting(cert_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap())
        .tls_built_in_root_certs(false)
        .build()
        .unwrap()
}

#[tokio::test]
async fn serve_tls_answers_over_https_and_refuses_plain_http() {
    let dir = tempfile::tempdir().unwrap();
    let storage =
        kith_server::open_storage(&DatabaseLocation::Sqlite(dir.path().join("server.sqlite3")))
            .await
            .unwrap();
    let state = AppState::new(storage, ServerConfig::default());
    let certificate = tls::self_signed_dev_certificate().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(kith_server::serve_tls(listener, state, certificate.server_config().unwrap()));

    let trusting = client_trusting(&certificate.cert_pem);
    for host in ["localhost", "127.0.0.1"] {
        let response = trusting.get(format!("https://{host}:{port}/health")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{host}");
        let health: kith_protocol::Health = response.json().await.unwrap();
        assert_eq!(health.status, "ok");
    }

    // Plain HTTP to the TLS port gets no answer.
    let plain = reqwest::Client::new().get(format!("http://127.0.0.1:{port}/health")).send().await;
    assert!(plain.is_err(), "plain HTTP must fail on the TLS port: {plain:?}");

    // A client that does not trust this certificate refuses to talk to it.
    let untrusting = reqwest::Client::new().get(format!("https://127.0.0.1:{port}/health")).send();
    assert!(untrusting.await.is_err());
    // Nor does a client that trusts a different self-signed certificate.
    let stranger = tls::self_signed_dev_certificate().unwrap();
    let wrong = client_trusting(&stranger.cert_pem)
        .get(format!("https://127.0.0.1:{port}/health"))
        .send()
        .await;
    assert!(wrong.is_err());

    // The server keeps serving after those failed handshakes.
    let again = trusting.get(format!("https://127.0.0.1:{port}/health")).send().await.unwrap();
    assert_eq!(again.status(), 200);
}

/// A `kith-server serve` process, stopped when dropped (also when an assertion fails).
struct RunningServer(Child);

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `kith-server serve` and reads its stdout up to the listening line; returns the
/// process, the URL and the lines before it.
fn start_serve(data_dir: &std::path::Path, args: &[&str]) -> (RunningServer, String, Vec<String>) {
    let mut child = RunningServer(
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
    let mut before = Vec::new();
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "server exited early: {before:?}");
        if let Some(url) = line.trim().strip_prefix("kith-server listening on ") {
            return (child, url.to_owned(), before);
        }
        before.push(line.trim().to_owned());
    }
}

fn health_status(client: reqwest::Client, url: String) -> Result<u16, reqwest::Error> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            Ok(client.get(format!("{url}/health")).send().await?.status().as_u16())
        })
    })
    .join()
    .unwrap()
}

fn stop(server: RunningServer) {
    drop(server);
}

#[test]
fn serve_with_a_dev_certificate_then_with_certificate_files() {
    let dir = tempfile::tempdir().unwrap();
    let (child, url, notes) = start_serve(dir.path(), &["--dev-self-signed"]);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(notes.iter().any(|line| line.contains("development")), "{notes:?}");
    let printed = notes
        .iter()
        .find_map(|line| line.strip_prefix("certificate SHA-256 fingerprint: "))
        .expect("the fingerprint is printed")
        .to_owned();
    let (cert_path, key_path) = tls::dev_certificate_paths(dir.path());
    let kept = CertificatePem::read(&cert_path, &key_path).unwrap();
    assert_eq!(kept.fingerprint().unwrap(), printed);
    let trusting = client_trusting(&kept.cert_pem);
    assert_eq!(health_status(trusting.clone(), url.clone()).unwrap(), 200);
    assert!(health_status(reqwest::Client::new(), url.replace("https", "http")).is_err());
    stop(child);

    // A restart keeps the same certificate, so clients that trusted it still do.
    let (child, url, notes) = start_serve(dir.path(), &["--dev-self-signed"]);
    assert!(notes.iter().any(|line| line.ends_with(&printed)), "{notes:?}");
    assert_eq!(health_status(trusting.clone(), url).unwrap(), 200);
    stop(child);

    // The same files as a real certificate and key.
    let (cert, key) = (cert_path.to_str().unwrap(), key_path.to_str().unwrap());
    let (child, url, _) = start_serve(dir.path(), &["--tls-cert", cert, "--tls-key", key]);
    assert!(url.starts_with("https://"), "{url}");
    assert_eq!(health_status(trusting, url).unwrap(), 200);
    stop(child);

    // A key without a certificate, or a certificate with the wrong key, is refused at start.
    let output = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-key", key])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let other = tempfile::tempdir().unwrap();
    let wrong_key = tls::self_signed_dev_certificate().unwrap().key_pem;
    std::fs::write(other.path().join("key.pem"), wrong_key).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--data-dir")
        .arg(other.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key"])
        .arg(other.path().join("key.pem"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("do not work together"), "{stderr}");
    assert!(!other.path().join("kith-server.sqlite3").exists(), "nothing opened on a bad flag");
}

#[test]
fn the_tls_config_is_shareable() {
    // `serve_tls` takes an `Arc<rustls::ServerConfig>`, so a caller may build its own.
    let config: Arc<rustls::ServerConfig> =
        tls::self_signed_dev_certificate().unwrap().server_config().unwrap();
    assert_eq!(config.alpn_protocols, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
}
