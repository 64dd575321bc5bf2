//! The real practice server and laptops for the conflict and reassignment stories (copied
//! from `tests/practice.rs`, with sync that runs only when asked, so a laptop can be
//! "offline" for as long as a test needs).

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use kith_core::{Kith, PracticeSignIn};
use kith_domain::person::NewPerson;
use kith_protocol::{PracticeId, Role, UserId as WireUserId};
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
    pub fn account(&self, role: Role) -> (String, kith_domain::UserId) {
        let server = server();
        let username = format!("user-{}", uuid::Uuid::now_v7().simple());
        let user = NewUser {
            practice_id: self.id,
            username: username.clone(),
            role,
            password_hash: kith_server::secrets::hash_password(PASSWORD).unwrap(),
        };
        let user: WireUserId =
            server.runtime.block_on(server.storage.create_user(user)).unwrap().user_id;
        (username, kith_domain::UserId::from_uuid(*user.as_uuid()))
    }
}

pub fn sign_in(username: &str) -> PracticeSignIn {
    PracticeSignIn {
        server_address: server().address.clone(),
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
        device_name: "Test laptop".to_owned(),
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

/// A laptop with a fresh, unlocked encrypted profile.
pub fn laptop(dir: &Path) -> Kith {
    let mut kith = Kith::new(dir)
        .with_cheap_kdf_for_tests()
        .with_runtime(server().runtime.handle().clone())
        .with_sync_schedule(on_demand_schedule());
    kith.create_profile(PASSPHRASE).unwrap();
    kith
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
