//! The real practice server and laptops shared by kith-core's story tests: one server on
//! 127.0.0.1:0 per test binary, practices and accounts made as an administrator would with the
//! server's CLI, and laptops with real encrypted profiles (cheap key derivation) syncing in the
//! background, either every few hundred milliseconds or only when asked.
// Each test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use kith_core::{Kith, PracticeSignIn};
use kith_domain::person::NewPerson;
use kith_protocol::{DeviceId, PracticeId, Role, UserId as WireUserId};
use kith_server::storage::NewUser;
use kith_server::{ServerConfig, Storage};
use kith_sync::{Backoff, Debounce, Schedule};

pub const PASSPHRASE: &str = "kettle orchard lantern";
pub const PASSWORD: &str = "correct horse battery";

pub struct RealServer {
    pub runtime: tokio::runtime::Runtime,
    pub address: String,
    pub storage: Arc<dyn Storage>,
    _dir: tempfile::TempDir,
}

pub fn server() -> &'static RealServer {
    static SERVER: OnceLock<RealServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (address, storage) = runtime
            .block_on(kith_server::serve_sqlite_on_loopback(dir.path(), ServerConfig::default()))
            .unwrap();
        RealServer { runtime, address: format!("http://{address}"), storage, _dir: dir }
    })
}

/// A practice on the server, as an administrator would make it with the server's CLI.
pub struct Practice {
    pub id: PracticeId,
}

impl Practice {
    pub fn new() -> Self {
        let server = server();
        let practice = server.runtime.block_on(server.storage.create_practice("Ashbridge".into()));
        Practice { id: practice.unwrap().id }
    }

    /// An account with [`PASSWORD`]: `(username, user id)`.
    pub fn account(&self, role: Role) -> (String, WireUserId) {
        let server = server();
        let username = format!("user-{}", uuid::Uuid::now_v7().simple());
        let user = NewUser {
            practice_id: self.id,
            username: username.clone(),
            role,
            password_hash: kith_server::secrets::hash_password(PASSWORD).unwrap(),
        };
        let user = server.runtime.block_on(server.storage.create_user(user)).unwrap();
        (username, user.user_id)
    }

    /// The account's devices: `(device id, revoked)`.
    pub fn devices(&self, user: WireUserId) -> Vec<(DeviceId, bool)> {
        let server = server();
        let devices =
            server.runtime.block_on(server.storage.list_devices(Some(self.id), Some(user)));
        devices.unwrap().into_iter().map(|device| (device.device_id, device.revoked)).collect()
    }
}

/// The app's id of a server account.
pub fn user_id(user: WireUserId) -> kith_domain::UserId {
    kith_domain::UserId::from_uuid(*user.as_uuid())
}

pub fn sign_in(username: &str, password: &str) -> PracticeSignIn {
    PracticeSignIn {
        server_address: server().address.clone(),
        username: username.to_owned(),
        password: password.to_owned(),
        device_name: "Test laptop".to_owned(),
    }
}

/// Sync every 300 ms and soon after each change.
fn fast_schedule() -> Schedule {
    Schedule {
        interval: Duration::from_millis(300),
        backoff: Backoff { base: Duration::from_millis(100), max: Duration::from_secs(1) },
        debounce: Debounce {
            quiet: Duration::from_millis(100),
            max_wait: Duration::from_millis(500),
        },
    }
}

/// Sync only when asked (`sync_now`, or `changed` after a change): otherwise once an hour.
fn on_demand_schedule() -> Schedule {
    Schedule {
        interval: Duration::from_secs(3600),
        backoff: Backoff { base: Duration::from_millis(100), max: Duration::from_secs(1) },
        debounce: Debounce {
            quiet: Duration::from_millis(50),
            max_wait: Duration::from_millis(200),
        },
    }
}

fn laptop_with(dir: &Path, schedule: Schedule) -> Kith {
    let mut kith = Kith::new(dir)
        .with_cheap_kdf_for_tests()
        .with_runtime(server().runtime.handle().clone())
        .with_sync_schedule(schedule);
    kith.create_profile(PASSPHRASE).unwrap();
    kith
}

/// A laptop with a fresh, unlocked encrypted profile, syncing every 300 ms once joined.
pub fn laptop(dir: &Path) -> Kith {
    laptop_with(dir, fast_schedule())
}

/// A laptop that syncs only when asked, so that it can stay "offline" as long as a test needs.
pub fn laptop_syncing_when_asked(dir: &Path) -> Kith {
    laptop_with(dir, on_demand_schedule())
}

pub fn person(given: &str, family: &str) -> NewPerson {
    NewPerson {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        ..NewPerson::default()
    }
}

/// Waits (at most a minute: a liveness bound, not a timing claim) until `check` holds.
pub fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asks `laptops` to sync, again and again, until `check` (given the same laptops) holds.
pub fn sync_until(
    what: &str,
    laptops: &mut [&mut Kith],
    mut check: impl FnMut(&[&mut Kith]) -> bool,
) {
    let start = Instant::now();
    loop {
        for laptop in laptops.iter_mut() {
            laptop.sync_now().unwrap();
        }
        std::thread::sleep(Duration::from_millis(100));
        if check(laptops) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "timed out syncing until {what}");
    }
}

/// Runs one whole sync round on `laptop` that starts after this call, and waits for it.
pub fn one_full_round(laptop: &mut Kith) {
    let before = laptop.sync_status().unwrap().last_synced_at;
    wait_until("no sync in progress", || !laptop.sync_status().unwrap().syncing);
    let started = laptop.sync_status().unwrap().last_synced_at;
    laptop.sync_now().unwrap();
    wait_until("a sync round finished", || {
        let status = laptop.sync_status().unwrap();
        status.last_synced_at > started.max(before) && !status.syncing
    });
}

/// Waits until every laptop has sent all its changes, then until each has finished two
/// whole sync rounds after that: the second began after everything was on the server, so
/// each laptop then holds everything it may see.
pub fn settle(laptops: &[&Kith]) {
    for kith in laptops {
        kith.changed();
    }
    wait_until("every change is sent", || {
        laptops.iter().all(|kith| {
            let status = kith.sync_status().unwrap();
            status.changes_waiting == 0 && status.last_synced_at.is_some()
        })
    });
    for _ in 0..2 {
        let mark = chrono::Utc::now();
        wait_until("every laptop synced again", || {
            laptops
                .iter()
                .all(|kith| kith.sync_status().unwrap().last_synced_at.is_some_and(|at| at > mark))
        });
    }
}
