//! The `kith-server` binary: admin commands over a SQLite data directory, and `serve` with
//! no database flags.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn kith_server(data_dir: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("run kith-server");
    assert!(
        output.status.success(),
        "kith-server {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn admin_commands_manage_a_practice_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let practice = kith_server(dir.path(), &["practice", "create", "CLI Surgery"]);
    let practice = practice.trim();
    assert_eq!(practice.len(), 36, "{practice}");
    let added = kith_server(
        dir.path(),
        &["user", "add", "--practice", practice, "--username", "casey", "--role", "link_worker"],
    );
    assert!(added.contains("password (shown once): "), "{added}");
    let users = kith_server(dir.path(), &["user", "list"]);
    assert!(users.contains("casey\tlink_worker\tactive"), "{users}");
    kith_server(dir.path(), &["user", "disable", "casey"]);
    let users = kith_server(dir.path(), &["user", "list", "--practice", practice]);
    assert!(users.contains("casey\tlink_worker\tdisabled"), "{users}");
    assert!(kith_server(dir.path(), &["check"]).contains("ok"));
    let backup = dir.path().join("copy.sqlite3");
    kith_server(dir.path(), &["backup", "--to", backup.to_str().unwrap()]);
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(&backup, copy.path().join("kith-server.sqlite3")).unwrap();
    let users = kith_server(copy.path(), &["user", "list"]);
    assert!(users.contains("casey"), "the backup holds the users: {users}");
    // A bad role is refused with a clear message.
    let output = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["user", "add", "--practice", practice, "--username", "x", "--role", "boss"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("admin, supervisor or link_worker"));
}

#[test]
fn serve_runs_on_sqlite_with_no_database_flags() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().rsplit(' ').next().unwrap().to_owned();
    let health = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            reqwest::get(format!("{address}/health")).await.unwrap().status().as_u16()
        })
    })
    .join()
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(health, 200);
    assert!(dir.path().join("kith-server.sqlite3").exists());
    // Plain HTTP on a non-loopback address needs the explicit development flag.
    let output = Command::new(env!("CARGO_BIN_EXE_kith-server"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--insecure-dev-http"));
}
