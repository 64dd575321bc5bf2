//! `cargo xtask bench sync`: encrypted stores syncing through a real practice server on
//! loopback. Initial push and initial pull of 100,000 records of about 1 KB, the same for the
//! generated practice, then an incremental sync of 100 changes. Prints figures; asserts nothing
//! about speed (it does check that every record arrived).
//!
//! Peak memory is measured honestly by giving every measured phase fresh processes: this
//! example re-executes itself as the server (`server <dir>`, SQLite storage) and as the syncing
//! client (`client`, configured through an environment variable), and reads each one's
//! `VmHWM` from `/proc/<pid>/status` at the end of the phase. The parent only prepares the
//! stores (with the app's real Argon2id profile), starts the processes and prints the table.
//!
//! The generated practice is `PracticeShape::small()` scaled up tenfold by default (20
//! workers' worth of mix would be overkill on a 2-core machine); `KITH_BENCH_FULL=1` syncs
//! `PracticeShape::full()` (150,000 notes). The 100k push and pull run `KITH_BENCH_REPEAT`
//! times (default 3), each from the same starting files, and the table keeps the median.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chrono::Local;
use kith_crypto::{PracticeKey, RecoveryKey, WrappedKey};
use kith_domain::note::NewNote;
use kith_domain::person::NewPerson;
use kith_domain::UserId;
use kith_protocol::{
    PullRequest, PullResponse, PushRequest, PushResponse, Role, ScopeResponse, UserId as WireUserId,
};
use kith_server::storage::NewUser;
use kith_server::ServerConfig;
use kith_store::{Profile, Store};
use kith_sync::{
    HttpTransport, PlainOperation, PulledPage, Replica, SyncConfig, SyncEngine, SyncError,
    Transport,
};
use kith_tests::practice::{load_practice, PracticeShape};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

const PASSPHRASE: &str = "a long and memorable benchmark passphrase";
const CLIENT_ENV: &str = "KITH_BENCH_SYNC_CLIENT";
const BULK_PEOPLE: usize = 1_000;
const BULK_NOTES: usize = 99_000;
const NOTE_BYTES: usize = 1_000;
const INCREMENTAL_CHANGES: usize = 100;

/// The targets and the PouchDB → pouchdb-server baseline measured on this machine.
const POUCH_PUSH_PER_S: f64 = 2_900.0;
const POUCH_PULL_PER_S: f64 = 3_800.0;
const TARGET_PULL_100K_S: f64 = 3.0;
const TARGET_CLIENT_PEAK_MIB: f64 = 150.0;

fn main() -> Result<()> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match arguments.first().map(String::as_str) {
        Some("server") => {
            let dir = arguments.get(1).ok_or_else(|| anyhow!("server needs a data dir"))?;
            server_process(Path::new(dir))
        }
        Some("client") => client_process(),
        _ => orchestrate(),
    }
}

// ---------------------------------------------------------------------------------------
// Memory.

/// A `kB` line of `/proc/<pid>/status` (`VmHWM`, `VmRSS`), in KiB.
fn proc_status_kib(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system, all threads) of a process so far, in seconds. Assumes the usual
/// 100 clock ticks a second (`getconf CLK_TCK`).
fn proc_cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// This thread's time waiting for a CPU while runnable, in seconds (`/proc/thread-self/schedstat`):
/// on a shared machine, the part of the wall time other processes took.
fn cpu_queue_seconds() -> Option<f64> {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let waiting_ns: u64 = schedstat.split_whitespace().nth(1)?.parse().ok()?;
    Some(waiting_ns as f64 / 1e9)
}

/// Bytes this process has passed to `write` and `pwrite` so far (`/proc/self/io`): the
/// store's log and database pages, plus the few the requests send.
fn proc_written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    let line = io.lines().find(|line| line.starts_with("wchar:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------
// The server process: serves on a free loopback port, enrols practices on request, and ends
// when its stdin closes.

fn server_process(data_dir: &Path) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let (address, storage) = runtime
        .block_on(kith_server::serve_sqlite_on_loopback(data_dir, ServerConfig::default()))?;
    println!("listening http://{address}");
    for line in std::io::stdin().lock().lines() {
        if line?.trim() != "enrol" {
            bail!("the server process only understands `enrol`");
        }
        let enrolled = runtime.block_on(async {
            let practice = storage.create_practice("Benchmark practice".into()).await?;
            let mut devices = serde_json::Map::new();
            for (name, role) in
                [("link_worker", Role::LinkWorker), ("supervisor", Role::Supervisor)]
            {
                let user = NewUser {
                    practice_id: practice.id,
                    username: format!("{name}-{}", uuid::Uuid::now_v7().simple()),
                    role,
                    password_hash: "never used to log in".into(),
                };
                let user: WireUserId = storage.create_user(user).await?.user_id;
                let token = kith_server::secrets::new_device_token();
                let hash = kith_server::secrets::token_hash(&token);
                let now = kith_server::now_ms() as i64;
                let device = storage.create_device(user, "laptop".into(), hash, now).await?;
                devices.insert(
                    name.to_owned(),
                    json!({ "device": device.device_id.to_string(), "token": token }),
                );
            }
            anyhow::Ok(Value::Object(devices))
        })?;
        println!("{enrolled}");
    }
    Ok(())
}

/// A running server process.
struct ServerProcess {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    url: String,
}

impl ServerProcess {
    fn start(data_dir: &Path) -> Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("server")
            .arg(data_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no server stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().ok_or_else(|| anyhow!("the server process ended"))??;
        let url = first
            .strip_prefix("listening ")
            .ok_or_else(|| anyhow!("unexpected server output: {first}"))?
            .to_owned();
        Ok(ServerProcess { child, stdin, lines, url })
    }

    /// A new practice with a link worker's and a supervisor's enrolled device.
    fn enrol(&mut self) -> Result<Value> {
        let stdin = self.stdin.as_mut().ok_or_else(|| anyhow!("server stdin closed"))?;
        writeln!(stdin, "enrol")?;
        let line = self.lines.next().ok_or_else(|| anyhow!("the server process ended"))??;
        Ok(serde_json::from_str(&line)?)
    }

    /// Stops the server; returns its peak memory (KiB) and CPU seconds, read just before.
    fn stop(mut self) -> Result<(u64, f64)> {
        let pid = self.child.id().to_string();
        let peak = proc_status_kib(&pid, "VmHWM")
            .ok_or_else(|| anyhow!("could not read the server's VmHWM"))?;
        let cpu = proc_cpu_seconds(&pid).unwrap_or(f64::NAN);
        drop(self.stdin.take());
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the server process failed: {status}");
        }
        Ok((peak, cpu))
    }
}

// ---------------------------------------------------------------------------------------
// The client process: unlocks a store, runs one sync round, prints its figures as JSON.

/// Where the round spends its time, shared between the transport and the process.
#[derive(Default)]
struct Timings {
    /// When the engine first asked for a page (the push phase is over).
    first_pull: Option<Instant>,
    /// Waiting for pull answers: request, server, transfer, JSON decoding.
    fetch: Duration,
    /// Waiting for push answers.
    push_requests: Duration,
}

/// The real HTTP transport, timed. `push_only` answers every pull with an empty last page,
/// so a push can be measured without pulling this device's own operations back.
#[derive(Clone)]
struct TimedTransport {
    http: HttpTransport,
    push_only: bool,
    timings: Arc<Mutex<Timings>>,
}

impl TimedTransport {
    fn add(&self, update: impl FnOnce(&mut Timings)) {
        if let Ok(mut timings) = self.timings.lock() {
            update(&mut timings);
        }
    }
}

impl Transport for TimedTransport {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        let started = Instant::now();
        let response = self.http.push(request).await;
        self.add(|timings| timings.push_requests += started.elapsed());
        response
    }

    async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        let started = Instant::now();
        self.add(|timings| {
            timings.first_pull.get_or_insert(started);
        });
        if self.push_only {
            return Ok(PullResponse {
                operations: Vec::new(),
                next_cursor: request.since,
                has_more: false,
                resync_required: false,
                scope_checksum: None,
                head_seq: None,
            });
        }
        let response = self.http.pull(request).await;
        self.add(|timings| timings.fetch += started.elapsed());
        response
    }

    async fn scope(&self) -> Result<ScopeResponse, SyncError> {
        self.http.scope().await
    }
}

/// The store, with the time spent applying pages (one transaction each) and marking pushes.
struct TimedStore {
    store: Store,
    apply: Duration,
    read_outbox: Duration,
    mark_pushed: Duration,
}

impl Replica for TimedStore {
    fn prepare_push(&mut self) -> Result<(), SyncError> {
        Replica::prepare_push(&mut self.store)
    }
    fn pending_count(&mut self) -> Result<u64, SyncError> {
        Replica::pending_count(&mut self.store)
    }
    fn pending_operations(
        &mut self,
        after_device_seq: u64,
        limit: usize,
    ) -> Result<Vec<PlainOperation>, SyncError> {
        let started = Instant::now();
        let operations = Replica::pending_operations(&mut self.store, after_device_seq, limit);
        self.read_outbox += started.elapsed();
        operations
    }
    fn mark_pushed(&mut self, results: &[kith_protocol::PushResult]) -> Result<(), SyncError> {
        let started = Instant::now();
        let marked = Replica::mark_pushed(&mut self.store, results);
        self.mark_pushed += started.elapsed();
        marked
    }
    fn cursor(&mut self) -> Result<u64, SyncError> {
        Replica::cursor(&mut self.store)
    }
    fn apply_page(&mut self, page: &PulledPage) -> Result<(), SyncError> {
        let started = Instant::now();
        let applied = Replica::apply_page(&mut self.store, page);
        self.apply += started.elapsed();
        applied
    }
    fn resync(&mut self, scope: &ScopeResponse) -> Result<(), SyncError> {
        Replica::resync(&mut self.store, scope)
    }
    fn conflict_count(&mut self) -> Result<u64, SyncError> {
        Replica::conflict_count(&mut self.store)
    }
    fn refused_count(&mut self) -> Result<u64, SyncError> {
        Replica::refused_count(&mut self.store)
    }
}

fn client_process() -> Result<()> {
    let config: Value = serde_json::from_str(&std::env::var(CLIENT_ENV)?)?;
    let text = |name: &str| {
        config[name].as_str().map(str::to_owned).ok_or_else(|| anyhow!("client needs {name}"))
    };
    let push_only = config["push_only"].as_bool().unwrap_or(false);
    let practice_recovery: RecoveryKey = text("practice_recovery")?.parse()?;
    let wrapped: WrappedKey = serde_json::from_str(&text("practice_key")?)?;
    let key: PracticeKey = wrapped.unwrap_with_recovery_key(&practice_recovery)?;

    // The recovery key opens the real SQLCipher store without Argon2id's 128 MiB, which would
    // otherwise be this process's peak before sync even started. Opened as the app's
    // background sync opens it (its checkpoints on a thread of their own).
    let started = Instant::now();
    let dir = PathBuf::from(text("store")?);
    let database_key = Profile::unlock_key_with_recovery_key(&dir, &text("recovery")?)?;
    let store = Profile::open_for_sync(&dir, &database_key)?;
    drop(database_key);
    let unlock = started.elapsed();

    let timings = Arc::new(Mutex::new(Timings::default()));
    let transport = TimedTransport {
        http: HttpTransport::new(&text("url")?, &text("token")?)?,
        push_only,
        timings: timings.clone(),
    };
    let replica = TimedStore {
        store,
        apply: Duration::ZERO,
        read_outbox: Duration::ZERO,
        mark_pushed: Duration::ZERO,
    };
    let mut engine = SyncEngine::new(replica, transport, key, SyncConfig::default());
    // As in the app (Tauri's runtime): the server calls run on one worker while the store
    // works on the other.
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let cpu_before = proc_cpu_seconds("self").unwrap_or(f64::NAN);
    let queued_before = cpu_queue_seconds().unwrap_or(f64::NAN);
    let written_before = proc_written_bytes().unwrap_or(0);
    let started = Instant::now();
    let report = runtime.block_on(engine.sync_once(kith_server::now_ms()))?;
    let total = started.elapsed();
    let peak = proc_status_kib("self", "VmHWM").ok_or_else(|| anyhow!("no VmHWM"))?;
    let cpu = proc_cpu_seconds("self").unwrap_or(f64::NAN) - cpu_before;
    let queued = cpu_queue_seconds().unwrap_or(f64::NAN) - queued_before;
    let written = proc_written_bytes().unwrap_or(0).saturating_sub(written_before);
    let timings = timings.lock().map_err(|_| anyhow!("timings poisoned"))?;
    let push = timings.first_pull.map_or(total, |at| at.duration_since(started));
    let replica = engine.replica();
    let figures = json!({
        "unlock_s": unlock.as_secs_f64(),
        "total_s": total.as_secs_f64(),
        "push_s": push.as_secs_f64(),
        "pull_s": (total - push).as_secs_f64(),
        "push_requests_s": timings.push_requests.as_secs_f64(),
        "read_outbox_s": replica.read_outbox.as_secs_f64(),
        "mark_pushed_s": replica.mark_pushed.as_secs_f64(),
        "fetch_s": timings.fetch.as_secs_f64(),
        "apply_s": replica.apply.as_secs_f64(),
        "pushed": report.pushed,
        "refused": report.refused,
        "pulled": report.pulled,
        "unreadable": report.unreadable,
        "pages": report.pages,
        "peak_kib": peak,
        "cpu_s": cpu,
        "queued_s": queued,
        "written_mib": written as f64 / (1024.0 * 1024.0),
    });
    println!("RESULT {figures}");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The parent: stores, phases, the table.

/// One side of a practice: an enrolled encrypted store.
struct Device {
    dir: PathBuf,
    recovery: String,
    token: String,
}

/// A practice on the server with its key, a link worker's laptop and a supervisor's.
struct BenchPractice {
    wrapped_key: String,
    key_recovery: String,
    link_worker: Device,
    supervisor: Device,
}

fn new_device(root: &Path, name: &str, enrolled: &Value) -> Result<(Device, Store)> {
    let dir = root.join(name);
    let (mut store, recovery) = Profile::create(&dir, PASSPHRASE)?;
    store.set_current_user(UserId::new())?;
    let device = enrolled["device"].as_str().ok_or_else(|| anyhow!("no device id"))?;
    store.enrol_sync_device(kith_protocol::DeviceId(device.parse()?))?;
    let token = enrolled["token"].as_str().ok_or_else(|| anyhow!("no token"))?.to_owned();
    Ok((Device { dir, recovery: recovery.to_human_string().to_string(), token }, store))
}

/// One client process's figures plus the server's peak over the same phase.
struct Phase {
    name: String,
    client: Value,
    server_peak_kib: u64,
    server_cpu_s: f64,
}

impl Phase {
    fn seconds(&self, field: &str) -> f64 {
        self.client[field].as_f64().unwrap_or(f64::NAN)
    }
    fn count(&self, field: &str) -> u64 {
        self.client[field].as_u64().unwrap_or(0)
    }
    fn client_peak_kib(&self) -> u64 {
        self.client["peak_kib"].as_u64().unwrap_or(0)
    }
}

/// Runs one sync round of `device` in a fresh client process against a fresh server process.
fn run_phase(
    name: &str,
    server_dir: &Path,
    practice: &BenchPractice,
    device: &Device,
    push_only: bool,
) -> Result<Phase> {
    let server = ServerProcess::start(server_dir)?;
    let config = json!({
        "store": device.dir,
        "recovery": device.recovery,
        "url": server.url,
        "token": device.token,
        "practice_key": practice.wrapped_key,
        "practice_recovery": practice.key_recovery,
        "push_only": push_only,
    });
    let output = Command::new(std::env::current_exe()?)
        .arg("client")
        .env(CLIENT_ENV, config.to_string())
        .stderr(Stdio::inherit())
        .output()?;
    let (server_peak_kib, server_cpu_s) = server.stop()?;
    if !output.status.success() {
        bail!("the client process failed in `{name}`: {}", output.status);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let result = stdout
        .lines()
        .find_map(|line| line.strip_prefix("RESULT "))
        .ok_or_else(|| anyhow!("no figures from the client in `{name}`"))?;
    let client = serde_json::from_str(result)?;
    let phase = Phase { name: name.to_owned(), client, server_peak_kib, server_cpu_s };
    if phase.count("refused") > 0 || phase.count("unreadable") > 0 {
        bail!("`{name}`: the server refused or the client could not open operations");
    }
    println!(
        "  {name}: {:.2} s (push {:.2} s, pull {:.2} s), client peak {:.0} MiB, server peak {:.0} MiB",
        phase.seconds("total_s"),
        phase.seconds("push_s"),
        phase.seconds("pull_s"),
        mib(phase.client_peak_kib()),
        mib(server_peak_kib),
    );
    Ok(phase)
}

fn enrol_practice(
    server: &mut ServerProcess,
    root: &Path,
    name: &str,
) -> Result<(BenchPractice, Store, Store)> {
    let enrolled = server.enrol()?;
    let key = PracticeKey::generate()?;
    let key_recovery = RecoveryKey::generate()?;
    let wrapped_key = serde_json::to_string(&WrappedKey::with_recovery_key(&key, &key_recovery)?)?;
    let (link_worker, worker_store) =
        new_device(root, &format!("{name}-link-worker"), &enrolled["link_worker"])?;
    let (supervisor, supervisor_store) =
        new_device(root, &format!("{name}-supervisor"), &enrolled["supervisor"])?;
    let practice = BenchPractice {
        wrapped_key,
        key_recovery: key_recovery.to_human_string().to_string(),
        link_worker,
        supervisor,
    };
    Ok((practice, worker_store, supervisor_store))
}

/// About `NOTE_BYTES` of varied text, so records are not all alike.
fn note_body(rng: &mut StdRng, index: usize) -> String {
    const WORDS: &[&str] = &[
        "visited",
        "at",
        "home",
        "phoned",
        "walking",
        "group",
        "allotment",
        "library",
        "debt",
        "advice",
        "carer",
        "support",
        "bus",
        "pass",
        "Tuesday",
        "cafe",
        "felt",
        "better",
        "anxious",
        "benefits",
        "form",
        "daughter",
        "neighbour",
        "garden",
        "choir",
        "lunch",
        "club",
        "appointment",
        "agreed",
        "next",
        "steps",
        "sleep",
        "money",
        "housing",
        "letter",
    ];
    let mut body = format!("Note {index}: ");
    while body.len() < NOTE_BYTES {
        body.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        body.push(' ');
    }
    body.truncate(NOTE_BYTES);
    body.trim_end().to_owned()
}

/// 1,000 people and 99,000 notes of about 1 KB: 100,000 records, one operation each.
fn write_bulk_records(store: &Store) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(100_000);
    let notes_per_person = BULK_NOTES / BULK_PEOPLE;
    store.in_one_transaction(|store| {
        for index in 0..BULK_PEOPLE {
            let person = store.add_person(NewPerson {
                given_name: format!("Person{index}"),
                family_name: "Example".into(),
                ..Default::default()
            })?;
            for note in 0..notes_per_person {
                let body = note_body(&mut rng, index * notes_per_person + note);
                store.add_note(NewNote { person_id: person.id, body, amends: None })?;
            }
        }
        Ok(())
    })?;
    store.checkpoint()?;
    Ok(())
}

/// 100 changes on the link worker's laptop: 50 people renamed, 50 new notes.
fn write_incremental_changes(store: &Store) -> Result<()> {
    let people = store.people(None)?;
    let mut rng = StdRng::seed_from_u64(100);
    store.in_one_transaction(|store| {
        for (index, person) in people.iter().take(INCREMENTAL_CHANGES / 2).enumerate() {
            let mut edited = person.clone();
            edited.preferred_name = Some(format!("P{index}"));
            store.update_person(&edited)?;
        }
        for (index, person) in people.iter().take(INCREMENTAL_CHANGES / 2).enumerate() {
            let body = note_body(&mut rng, index);
            store.add_note(NewNote { person_id: person.id, body, amends: None })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Every compared table has as many rows on the supervisor's laptop as on the link worker's.
fn check_arrived(practice: &BenchPractice, what: &str) -> Result<String> {
    let source = Profile::unlock_with_recovery_key(
        &practice.link_worker.dir,
        &practice.link_worker.recovery,
    )?;
    let target =
        Profile::unlock_with_recovery_key(&practice.supervisor.dir, &practice.supervisor.recovery)?;
    let mut counts = Vec::new();
    // Every record kind (the audit log and outbox are each laptop's own).
    for table in
        Store::tables().into_iter().filter(|table| !["audit_log", "outbox"].contains(table))
    {
        let (theirs, ours) = (source.count_rows(table)?, target.count_rows(table)?);
        if theirs != ours {
            bail!("{what}: {table} has {ours} rows on the supervisor's laptop, {theirs} at source");
        }
        if ours > 0 {
            counts.push(format!("{ours} {table}"));
        }
    }
    target.verify_integrity().with_context(|| format!("{what}: integrity"))?;
    Ok(counts.join(", "))
}

/// Opens the supervisor's laptop after its initial pull and builds the review queue as it
/// opens (every link worker's first page; the whole practice is waiting): its time, and how
/// many records wait.
fn time_review_queue(practice: &BenchPractice) -> Result<(f64, usize)> {
    let store =
        Profile::unlock_with_recovery_key(&practice.supervisor.dir, &practice.supervisor.recovery)?;
    let reviewer = store.current_user().context("the supervisor's laptop has a user")?;
    let started = Instant::now();
    let groups = store.review_queue(
        reviewer,
        kith_core::REVIEW_PEOPLE_PER_PAGE,
        kith_core::REVIEW_ITEMS_PER_PERSON,
    )?;
    let waiting: u32 = groups.iter().map(|group| group.records_waiting).sum();
    Ok((started.elapsed().as_secs_f64(), waiting as usize))
}

fn practice_shape() -> (PracticeShape, &'static str) {
    if std::env::var("KITH_BENCH_FULL").is_ok_and(|value| value == "1") {
        (PracticeShape::full(), "full (KITH_BENCH_FULL=1)")
    } else {
        let small = PracticeShape::small();
        let shape = PracticeShape {
            link_workers: small.link_workers * 5,
            people: small.people * 10,
            notes: small.notes * 10,
            care_plans: small.care_plans * 10,
            ..small
        };
        (shape, "small() x10 (set KITH_BENCH_FULL=1 for full())")
    }
}

fn orchestrate() -> Result<()> {
    let root = tempfile::tempdir()?;
    let server_dir = root.path().join("server");
    std::fs::create_dir_all(&server_dir)?;
    let (shape, shape_name) = practice_shape();

    println!("Preparing: two practices on one server, each with a link worker's and a supervisor's laptop");
    let mut server = ServerProcess::start(&server_dir)?;
    let (bulk, mut bulk_worker, bulk_supervisor) =
        enrol_practice(&mut server, root.path(), "bulk")?;
    let (generated, practice_worker, practice_supervisor) =
        enrol_practice(&mut server, root.path(), "practice")?;
    server.stop()?;
    bulk_supervisor.lock();
    practice_supervisor.lock();

    let started = Instant::now();
    write_bulk_records(&bulk_worker)?;
    let bulk_waiting = Replica::pending_count(&mut bulk_worker)?;
    bulk_worker.lock();
    println!(
        "  bulk: {BULK_PEOPLE} people + {BULK_NOTES} notes of ~{NOTE_BYTES} B = {bulk_waiting} operations written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let mut practice_worker = practice_worker;
    let today = Local::now().date_naive();
    let loaded = load_practice(&mut practice_worker, shape, today)?;
    practice_worker.checkpoint()?;
    let practice_waiting = Replica::pending_count(&mut practice_worker)?;
    practice_worker.lock();
    println!(
        "  generated practice, {shape_name}: {} people, {} notes, {} care plans, {} sessions = {practice_waiting} operations written in {:.1} s",
        loaded.people.len(),
        loaded.notes,
        loaded.care_plans,
        loaded.sessions,
        started.elapsed().as_secs_f64()
    );

    println!("\nRunning (each phase: a fresh server process and a fresh client process)");
    let repeats = repeats();
    let bulk_push = run_repeated(
        "100k initial push",
        repeats,
        &[&server_dir, &bulk.link_worker.dir],
        Direction::Push,
        || run_phase("100k initial push", &server_dir, &bulk, &bulk.link_worker, true),
    )?;
    let bulk_pull = run_repeated(
        "100k initial pull",
        repeats,
        &[&bulk.supervisor.dir],
        Direction::Pull,
        || run_phase("100k initial pull", &server_dir, &bulk, &bulk.supervisor, false),
    )?;
    let arrived = check_arrived(&bulk, "100k")?;
    println!("    arrived and integrity_check ok: {arrived}");
    let bulk_echo = run_phase(
        "100k pusher's next round (own ops come back)",
        &server_dir,
        &bulk,
        &bulk.link_worker,
        false,
    )?;
    let practice_push =
        run_phase("practice initial push", &server_dir, &generated, &generated.link_worker, true)?;
    let practice_pull =
        run_phase("practice initial pull", &server_dir, &generated, &generated.supervisor, false)?;
    let arrived = check_arrived(&generated, "practice")?;
    println!("    arrived and integrity_check ok: {arrived}");
    let (queue_seconds, waiting_records) = time_review_queue(&generated)?;
    println!(
        "    supervisor's fresh laptop: practice pulled in {:.2} s, then the review queue ({waiting_records} records waiting) built in {queue_seconds:.2} s: {:.2} s in all",
        practice_pull.seconds("pull_s"),
        practice_pull.seconds("pull_s") + queue_seconds
    );

    let worker =
        Profile::unlock_with_recovery_key(&bulk.link_worker.dir, &bulk.link_worker.recovery)?;
    write_incremental_changes(&worker)?;
    worker.lock();
    let incremental_push =
        run_phase("incremental: 100 changes pushed", &server_dir, &bulk, &bulk.link_worker, false)?;
    let incremental_pull =
        run_phase("incremental: 100 changes pulled", &server_dir, &bulk, &bulk.supervisor, false)?;
    let arrived = check_arrived(&bulk, "incremental")?;
    println!("    arrived and integrity_check ok: {arrived}");

    print_table(&[
        (&bulk_push, Direction::Push),
        (&bulk_pull, Direction::Pull),
        (&bulk_echo, Direction::Pull),
        (&practice_push, Direction::Push),
        (&practice_pull, Direction::Pull),
        (&incremental_push, Direction::Push),
        (&incremental_pull, Direction::Pull),
    ]);
    print_breakdown(&[&bulk_push, &bulk_pull, &bulk_echo, &practice_push, &practice_pull]);
    print_targets(
        &bulk_push,
        &bulk_pull,
        &[
            &bulk_push,
            &bulk_pull,
            &bulk_echo,
            &practice_push,
            &practice_pull,
            &incremental_push,
            &incremental_pull,
        ],
    );
    Ok(())
}

/// How many times the 100k push and pull run (`KITH_BENCH_REPEAT`, default 3): this machine
/// is noisy, so the table shows the median run and the line above it every run.
fn repeats() -> usize {
    std::env::var("KITH_BENCH_REPEAT").ok().and_then(|text| text.parse().ok()).unwrap_or(3).max(1)
}

/// Runs a phase `repeats` times, each from the same starting files (`dirs` are copied aside
/// first and put back before every run after the first), and returns its median run.
fn run_repeated(
    name: &str,
    repeats: usize,
    dirs: &[&Path],
    direction: Direction,
    mut run: impl FnMut() -> Result<Phase>,
) -> Result<Phase> {
    let saved = tempfile::tempdir()?;
    let copies: Vec<PathBuf> =
        (0..dirs.len()).map(|index| saved.path().join(index.to_string())).collect();
    for (dir, copy) in dirs.iter().zip(&copies) {
        copy_dir(dir, copy)?;
    }
    let mut runs = Vec::new();
    for run_index in 0..repeats {
        if run_index > 0 {
            for (dir, copy) in dirs.iter().zip(&copies) {
                std::fs::remove_dir_all(dir)?;
                copy_dir(copy, dir)?;
            }
        }
        runs.push(run()?);
    }
    let field = direction.seconds_field();
    runs.sort_by(|a, b| a.seconds(field).total_cmp(&b.seconds(field)));
    if repeats > 1 {
        let times: Vec<String> =
            runs.iter().map(|phase| format!("{:.2}", phase.seconds(field))).collect();
        println!("    {name}, {repeats} runs: {} s; the median is kept", times.join(" / "));
    }
    Ok(runs.swap_remove(repeats / 2))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Direction {
    Push,
    Pull,
}

impl Direction {
    /// The client figure that times this direction.
    fn seconds_field(self) -> &'static str {
        match self {
            Direction::Push => "push_s",
            Direction::Pull => "pull_s",
        }
    }
}

fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        f64::NAN
    }
}

fn print_table(phases: &[(&Phase, Direction)]) {
    println!();
    println!(
        "{:<46} {:>8} {:>9} {:>10} {:>9} {:>10} {:>10}",
        "phase", "ops", "time (s)", "ops/s", "vs Pouch", "client MiB", "server MiB"
    );
    for (phase, direction) in phases {
        let (count, seconds, baseline) = match direction {
            Direction::Push => (phase.count("pushed"), phase.seconds("push_s"), POUCH_PUSH_PER_S),
            Direction::Pull => (phase.count("pulled"), phase.seconds("pull_s"), POUCH_PULL_PER_S),
        };
        let rate = per_second(count, seconds);
        println!(
            "{:<46} {:>8} {:>9.3} {:>10.0} {:>8.1}x {:>10.1} {:>10.1}",
            phase.name,
            count,
            seconds,
            rate,
            rate / baseline,
            mib(phase.client_peak_kib()),
            mib(phase.server_peak_kib),
        );
    }
    println!(
        "  push rows: time to push everything (a round's push phase); pull rows: the round's pull phase."
    );
    println!("  `vs Pouch`: ops/s over PouchDB -> pouchdb-server on this machine ({POUCH_PUSH_PER_S:.0} docs/s push, {POUCH_PULL_PER_S:.0} docs/s pull).");
}

fn print_breakdown(phases: &[&Phase]) {
    println!();
    println!(
        "{:<46} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7} {:>8}",
        "where the time goes (s)",
        "read ob",
        "push rq",
        "mark",
        "fetch",
        "apply",
        "other",
        "unlock",
        "CPU cl",
        "queued",
        "CPU sv",
        "wrote MiB"
    );
    for phase in phases {
        // Server calls overlap the store's work, so only the latter adds up with "other".
        let accounted = ["read_outbox_s", "mark_pushed_s", "apply_s"]
            .iter()
            .map(|field| phase.seconds(field))
            .sum::<f64>();
        println!(
            "{:<46} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>7.3} {:>7.2} {:>7.2} {:>7.2} {:>8.0}",
            phase.name,
            phase.seconds("read_outbox_s"),
            phase.seconds("push_requests_s"),
            phase.seconds("mark_pushed_s"),
            phase.seconds("fetch_s"),
            phase.seconds("apply_s"),
            phase.seconds("total_s") - accounted,
            phase.seconds("unlock_s"),
            phase.seconds("cpu_s"),
            phase.seconds("queued_s"),
            phase.server_cpu_s,
            phase.seconds("written_mib"),
        );
    }
    println!("  read ob: reading the outbox; mark: recording push answers; apply: applying pages (one transaction each);");
    println!("  push rq / fetch: push / pull requests incl. the server and JSON decoding; they (and opening pulled");
    println!("    envelopes) run on another task alongside the store's work, so they overlap the other columns;");
    println!("  other: the rest of the round (sealing, waiting for an answer not back yet); unlock: opening the store (not in the round);");
    println!("  CPU cl / CPU sv: CPU seconds (user + system) the client used in the round / the server over the phase;");
    println!("  queued: the client's time runnable but waiting for a CPU (other processes on this machine);");
    println!("  wrote MiB: what the client wrote (the store's log, its checkpoints into the database, requests).");
}

fn print_targets(push: &Phase, pull: &Phase, all: &[&Phase]) {
    let pull_s = pull.seconds("pull_s");
    let push_rate = per_second(push.count("pushed"), push.seconds("push_s"));
    let pull_rate = per_second(pull.count("pulled"), pull_s);
    let client_peak = all.iter().map(|phase| phase.client_peak_kib()).max().unwrap_or(0);
    println!();
    println!("Targets (issue #5): at least 10x PouchDB; 100k records pulled into the encrypted store in < {TARGET_PULL_100K_S} s; client peak < {TARGET_CLIENT_PEAK_MIB} MiB");
    println!(
        "  100k push: {push_rate:.0} ops/s = {:.1}x PouchDB's {POUCH_PUSH_PER_S:.0}/s (target >= 10x)",
        push_rate / POUCH_PUSH_PER_S
    );
    println!(
        "  100k pull: {pull_rate:.0} ops/s = {:.1}x PouchDB's {POUCH_PULL_PER_S:.0}/s (target >= 10x); {pull_s:.2} s = {:.2}x the {TARGET_PULL_100K_S} s target",
        pull_rate / POUCH_PULL_PER_S,
        pull_s / TARGET_PULL_100K_S
    );
    println!(
        "  client peak over all phases: {:.1} MiB = {:.2}x the {TARGET_CLIENT_PEAK_MIB} MiB target",
        mib(client_peak),
        mib(client_peak) / TARGET_CLIENT_PEAK_MIB
    );
}
