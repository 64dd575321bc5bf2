//! Real encrypted stores in temp dirs syncing through a real kith-server on 127.0.0.1:0
//! (SQLite): a link worker's offline day reaches the supervisor exactly once; the same field
//! edited on two laptops converges with the loser kept as a conflict; an amendment syncs and
//! keeps the original; SIGKILL during a large pull, 20 times, resumes to the same state.
//!
//! The killed client is this test binary re-executed with `KITH_SYNC_CHILD_DIR` set: the test
//! `pull_child_process` then pulls forever in small pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "store/support.rs"]
mod support;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::Days;
use kith_crypto::{PracticeKey, RecoveryKey, WrappedKey};
use kith_domain::care_plan::{CarePlan, CarePlanStatus, Goal, ProgressStatus};
use kith_domain::note::NewNote;
use kith_domain::{CarePlanId, GoalId};
use kith_protocol::{DeviceId, PracticeId, Role, UserId as WireUserId};
use kith_server::storage::NewUser;
use kith_server::{ServerConfig, Storage};
use kith_store::{Profile, Store};
use kith_sync::{HttpTransport, SyncConfig, SyncEngine, SyncReport};
use rand::Rng;
use support::*;

struct RealServer {
    runtime: tokio::runtime::Runtime,
    base_url: String,
    storage: Arc<dyn Storage>,
    _dir: tempfile::TempDir,
}

fn server() -> &'static RealServer {
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
        RealServer { runtime, base_url: format!("http://{address}"), storage, _dir: dir }
    })
}

impl RealServer {
    fn practice(&self) -> PracticeId {
        self.runtime.block_on(self.storage.create_practice("Test practice".into())).unwrap().id
    }

    fn user(&self, practice: PracticeId, role: Role) -> WireUserId {
        let user = NewUser {
            practice_id: practice,
            username: format!("user-{}", uuid::Uuid::now_v7().simple()),
            role,
            password_hash: "never used to log in".into(),
        };
        self.runtime.block_on(self.storage.create_user(user)).unwrap().user_id
    }

    /// An enrolled device of `user`: `(device id, bearer token)`.
    fn device(&self, user: WireUserId) -> (DeviceId, String) {
        let token = kith_server::secrets::new_device_token();
        let hash = kith_server::secrets::token_hash(&token);
        let now = kith_server::now_ms() as i64;
        let device = self
            .runtime
            .block_on(self.storage.create_device(user, "laptop".into(), hash, now))
            .unwrap();
        (device.device_id, token)
    }
}

/// A laptop: its own encrypted store, enrolled as a device of `user`.
struct Laptop {
    profile: TestProfile,
    token: String,
    engine: SyncEngine<Store, HttpTransport>,
}

impl Laptop {
    fn new(user: WireUserId, key: &PracticeKey, config: SyncConfig) -> Self {
        let server = server();
        let (profile, store) = new_profile();
        let (device, token) = server.device(user);
        store.enrol_sync_device(device).unwrap();
        let transport = HttpTransport::new(&server.base_url, &token).unwrap();
        let engine = SyncEngine::new(store, transport, key.clone(), config);
        Laptop { profile, token, engine }
    }

    fn store(&self) -> &Store {
        self.engine.replica()
    }

    fn sync(&mut self) -> SyncReport {
        server().runtime.block_on(self.engine.sync_once(kith_server::now_ms())).unwrap()
    }
}

fn small_pages() -> SyncConfig {
    SyncConfig { push_batch: 50, pull_limit: 40 }
}

fn plan_for(person: kith_domain::PersonId) -> CarePlan {
    CarePlan {
        id: CarePlanId::new(),
        person_id: person,
        referral_id: None,
        status: CarePlanStatus::Draft,
        goals: vec![Goal {
            id: GoalId::new(),
            in_own_words: "Get out of the house twice a week".into(),
            steps: Vec::new(),
            status: ProgressStatus::InProgress,
        }],
        connections_to_try: Vec::new(),
        planned_sessions: 8,
        planned_sessions_reason: None,
        starts_on: today(),
        review_on: today().checked_add_days(Days::new(90)).unwrap(),
        agreed_on: None,
    }
}

#[test]
fn a_link_workers_offline_day_reaches_the_supervisor_exactly_once() {
    let server = server();
    let practice = server.practice();
    let key = PracticeKey::generate().unwrap();
    let mut link_worker = Laptop::new(server.user(practice, Role::LinkWorker), &key, small_pages());
    let mut supervisor = Laptop::new(server.user(practice, Role::Supervisor), &key, small_pages());

    // Offline: three people, two notes each, a referral, a plan agreed and its goal reworded.
    let store = link_worker.store();
    let mut people = Vec::new();
    for name in ["Ada", "Bo", "Cyd"] {
        let person = store.add_person(new_person(name, "Example", None)).unwrap();
        store.add_note(new_note(person.id, &format!("Visited {name} at home"))).unwrap();
        store.add_note(new_note(person.id, &format!("Phoned {name}"))).unwrap();
        people.push(person);
    }
    store.add_referral(people[0].id, gp_referral()).unwrap();
    let plan = plan_for(people[0].id);
    store.add_care_plan(&plan).unwrap();
    store.move_care_plan(plan.id, CarePlanStatus::Agreed).unwrap();
    let mut edited = store.care_plan(plan.id).unwrap();
    edited.goals[0].in_own_words = "Go to the Tuesday walking group".into();
    store.update_care_plan(&edited).unwrap();
    // The audit trail goes with them: one batch per person, published before each push.
    assert_eq!(store.publish_audit_trail().unwrap(), 3);
    let waiting = store.outbox_waiting(1000).unwrap().len() as u64;
    assert_eq!(waiting, 3 + 6 + 2 + 3 + 3, "people, notes, referral and its history, plan, audit");

    let report = link_worker.sync();
    assert_eq!((report.pushed, report.refused), (waiting, 0));
    assert_eq!(link_worker.engine.state().changes_waiting, 0);
    assert_eq!(supervisor.sync().pulled, waiting);

    let theirs = supervisor.store();
    assert_eq!(theirs.people(None).unwrap(), link_worker.store().people(None).unwrap());
    for person in &people {
        assert_eq!(
            theirs.notes_for(person.id).unwrap(),
            link_worker.store().notes_for(person.id).unwrap()
        );
    }
    assert_eq!(theirs.care_plan(plan.id).unwrap(), link_worker.store().care_plan(plan.id).unwrap());
    assert_eq!(
        theirs.care_plan(plan.id).unwrap().goals[0].in_own_words,
        "Go to the Tuesday walking group"
    );
    assert_eq!(theirs.referrals_for(people[0].id).unwrap().len(), 1);
    let hits = theirs.search_people("Cyd", 10).unwrap();
    assert_eq!(hits.len(), 1, "the pulled person is in the supervisor's search index");

    // Syncing again moves nothing but the trail of what was read since: everything arrived
    // exactly once.
    let read_since = link_worker.store().publish_audit_trail().unwrap() as u64;
    assert_eq!(link_worker.sync().pushed, read_since);
    let supervisor_read = supervisor.store().publish_audit_trail().unwrap() as u64;
    assert_eq!(supervisor.sync().pulled, read_since + supervisor_read, "its own come back too");
    assert_eq!(supervisor.store().count_rows("notes").unwrap(), 6);
    assert_eq!(supervisor.store().count_rows("people").unwrap(), 3);
    assert_eq!(supervisor.store().sync_conflicts().unwrap(), vec![]);
}

#[test]
fn the_same_field_edited_on_two_laptops_converges_and_keeps_the_loser() {
    let server = server();
    let practice = server.practice();
    let key = PracticeKey::generate().unwrap();
    let user = server.user(practice, Role::Supervisor);
    let mut first = Laptop::new(user, &key, small_pages());
    let mut second = Laptop::new(user, &key, small_pages());
    let person = first.store().add_person(new_person("Margaret", "Okafor", None)).unwrap();
    first.sync();
    second.sync();
    assert_eq!(second.store().person(person.id).unwrap(), person);

    // Both edit the preferred name offline; the second also edits another field.
    let mut on_first = person.clone();
    on_first.preferred_name = Some("Peggy".into());
    first.store().update_person(&on_first).unwrap();
    let mut on_second = person.clone();
    on_second.preferred_name = Some("Meg".into());
    on_second.family_name = "Okafor-Smith".into();
    second.store().update_person(&on_second).unwrap();

    first.sync();
    second.sync();
    first.sync();

    let merged = first.store().person(person.id).unwrap();
    assert_eq!(second.store().person(person.id).unwrap(), merged);
    assert_eq!(merged.family_name, "Okafor-Smith", "an edit of another field is kept");
    let winner = merged.preferred_name.clone().unwrap();
    assert!(winner == "Peggy" || winner == "Meg", "{winner}");
    let loser = if winner == "Peggy" { "Meg" } else { "Peggy" };
    for laptop in [&first, &second] {
        let conflicts = laptop.store().sync_conflicts().unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].field, "preferred_name");
        assert_eq!(conflicts[0].losing_value, serde_json::json!(loser));
        assert_eq!(conflicts[0].record_id.0, person.id.as_uuid());
    }
    assert_eq!(first.engine.state().conflicts, 1);
    // The search index follows the merged record.
    assert_eq!(first.store().search_people("Okafor-Smith", 10).unwrap().len(), 1);
}

#[test]
fn an_amendment_syncs_and_the_original_note_is_kept() {
    let server = server();
    let practice = server.practice();
    let key = PracticeKey::generate().unwrap();
    let user = server.user(practice, Role::Supervisor);
    let mut first = Laptop::new(user, &key, small_pages());
    let mut second = Laptop::new(user, &key, small_pages());
    let person = first.store().add_person(new_person("Pam", "Example", None)).unwrap();
    let original = first.store().add_note(new_note(person.id, "Walked to the allotmnet")).unwrap();
    first.sync();
    second.sync();
    let amendment = second
        .store()
        .add_note(NewNote {
            person_id: person.id,
            body: "Correction: walked to the allotment".into(),
            amends: Some(original.id),
        })
        .unwrap();
    second.sync();
    assert_eq!(first.sync().pulled, 2, "the amendment, and the trail of who wrote it");
    let notes = first.store().notes_for(person.id).unwrap();
    assert_eq!(notes, vec![original.clone(), amendment.clone()]);
    assert_eq!(notes[0].body, "Walked to the allotmnet", "the original is never changed");
    assert_eq!(notes[1].amends, Some(original.id));
    assert_eq!(second.store().notes_for(person.id).unwrap(), notes);
}

const CHILD_DIR_ENV: &str = "KITH_SYNC_CHILD_DIR";
const CHILD_URL_ENV: &str = "KITH_SYNC_CHILD_URL";
const CHILD_TOKEN_ENV: &str = "KITH_SYNC_CHILD_TOKEN";
const CHILD_KEY_ENV: &str = "KITH_SYNC_CHILD_KEY";
const CHILD_RECOVERY_ENV: &str = "KITH_SYNC_CHILD_RECOVERY";

/// The child side of the SIGKILL test. Does nothing unless started by it.
#[test]
fn pull_child_process() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else { return };
    let var = |name: &str| std::env::var(name).unwrap();
    let recovery: RecoveryKey = var(CHILD_RECOVERY_ENV).parse().unwrap();
    let wrapped: WrappedKey = serde_json::from_str(&var(CHILD_KEY_ENV)).unwrap();
    let key: PracticeKey = wrapped.unwrap_with_recovery_key(&recovery).unwrap();
    let store = Profile::unlock(std::path::Path::new(&dir), PASSPHRASE).unwrap();
    let transport = HttpTransport::new(&var(CHILD_URL_ENV), &var(CHILD_TOKEN_ENV)).unwrap();
    let mut engine =
        SyncEngine::new(store, transport, key, SyncConfig { push_batch: 50, pull_limit: 25 });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    println!("ready");
    loop {
        let report = runtime.block_on(engine.sync_once(kith_server::now_ms())).unwrap();
        println!("pulled {}", report.pulled);
    }
}

#[test]
fn sigkill_during_a_large_pull_resumes_to_the_same_state() {
    let server = server();
    let practice = server.practice();
    let key = PracticeKey::generate().unwrap();
    let user = server.user(practice, Role::Supervisor);
    let mut source = Laptop::new(user, &key, SyncConfig::default());
    let store = source.store();
    store
        .in_one_transaction(|store| {
            for index in 0..600 {
                let person =
                    store.add_person(new_person(&format!("Person{index}"), "Example", None))?;
                store.add_note(new_note(
                    person.id,
                    &format!("Note {index}: {}", "visited. ".repeat(30)),
                ))?;
                if index % 3 == 0 {
                    let mut edited = person.clone();
                    edited.preferred_name = Some(format!("P{index}"));
                    store.update_person(&edited)?;
                }
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(source.sync().pushed, 1400 + 600, "and one audit batch per person");

    let target = Laptop::new(user, &key, SyncConfig::default());
    let Laptop { profile, token, engine } = target;
    drop(engine);
    let recovery = RecoveryKey::generate().unwrap();
    let wrapped =
        serde_json::to_string(&WrappedKey::with_recovery_key(&key, &recovery).unwrap()).unwrap();
    let executable = std::env::current_exe().unwrap();
    let mut rng = rand::thread_rng();
    let mut cursors = Vec::new();
    for round in 0..20 {
        let mut child = Command::new(&executable)
            .args(["pull_child_process", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR_ENV, profile.path())
            .env(CHILD_URL_ENV, &server.base_url)
            .env(CHILD_TOKEN_ENV, &token)
            .env(CHILD_KEY_ENV, &wrapped)
            .env(CHILD_RECOVERY_ENV, recovery.to_human_string().as_str())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("the child exited before it was ready").unwrap();
            // libtest may print "test pull_child_process ... " before it on the same line.
            if line.ends_with("ready") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(rng.gen_range(0..120)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();

        let mut store = Profile::unlock(profile.path(), PASSPHRASE).unwrap();
        store.verify_integrity().unwrap_or_else(|error| panic!("round {round}: {error}"));
        cursors.push(kith_sync::Replica::cursor(&mut store).unwrap());
        store.lock();
    }
    assert!(cursors.windows(2).all(|pair| pair[0] <= pair[1]), "the cursor never goes back");
    assert!(cursors.iter().any(|cursor| *cursor > 0), "some kills came mid-pull: {cursors:?}");

    // Finish the pull in this process: the same state as the source.
    let store = Profile::unlock(profile.path(), PASSPHRASE).unwrap();
    let transport = HttpTransport::new(&server.base_url, &token).unwrap();
    let mut engine = SyncEngine::new(store, transport, key.clone(), SyncConfig::default());
    server.runtime.block_on(engine.sync_once(kith_server::now_ms())).unwrap();
    let mut target = engine.replica_mut();
    target.set_current_user(profile.user).unwrap();
    target.verify_integrity().unwrap();
    let source_people = source.store().people(None).unwrap();
    assert_eq!(target.people(None).unwrap(), source_people);
    assert_eq!(target.count_rows("notes").unwrap(), 600);
    let source_notes: BTreeSet<_> = source_people
        .iter()
        .flat_map(|person| source.store().notes_for(person.id).unwrap())
        .map(|note| (note.id, note.body))
        .collect();
    let target_notes: BTreeSet<_> = source_people
        .iter()
        .flat_map(|person| target.notes_for(person.id).unwrap())
        .map(|note| (note.id, note.body))
        .collect();
    assert_eq!(target_notes, source_notes);
    target = engine.replica_mut();
    assert_eq!(target.sync_conflicts().unwrap(), vec![]);
    let _ = &mut source;
}

#[test]
fn changes_made_before_joining_the_practice_sync_as_the_enrolled_device() {
    let server = server();
    let practice = server.practice();
    let key = PracticeKey::generate().unwrap();
    let user = server.user(practice, Role::Supervisor);
    // A profile used before it joined: its writes carry a provisional device id.
    let (profile, store) = new_profile();
    let person = store.add_person(new_person("Early", "Example", None)).unwrap();
    let mut edited = person.clone();
    edited.preferred_name = Some("Em".into());
    store.update_person(&edited).unwrap();
    let (device, token) = server.device(user);
    store.enrol_sync_device(device).unwrap();
    assert!(store.enrol_sync_device(DeviceId::new_v7()).is_err(), "a device id is for good");
    let transport = HttpTransport::new(&server.base_url, &token).unwrap();
    let mut first = Laptop {
        profile,
        token,
        engine: SyncEngine::new(store, transport, key.clone(), small_pages()),
    };
    assert_eq!(first.sync().pushed, 2 + 1, "accepted: stamped with the enrolled device");
    let mut second = Laptop::new(user, &key, small_pages());
    second.sync();
    assert_eq!(second.store().person(person.id).unwrap(), edited);
    // The other laptop edits what it saw: a sequential edit, no conflict anywhere.
    let mut again = edited.clone();
    again.preferred_name = Some("Emmy".into());
    second.store().update_person(&again).unwrap();
    second.sync();
    first.sync();
    assert_eq!(first.store().person(person.id).unwrap(), again);
    assert_eq!(first.store().sync_conflicts().unwrap(), vec![]);
    assert_eq!(second.store().sync_conflicts().unwrap(), vec![]);
    assert_eq!(first.store().sync_device_id().unwrap(), Some(device));
}

// ---------------------------------------------------------------------------------------
// Convergence over real stores: three SQLCipher laptops of one practice make random offline
// changes and sync in random orders through the real server; afterwards every laptop holds
// the same records, history, conflicts and audit batches, and nothing was lost or doubled.

/// One thing a laptop does while offline, or a sync.
#[derive(Clone, Debug)]
enum Step {
    AddPerson { laptop: usize },
    EditPhone { laptop: usize, person: usize, phone: u8 },
    EditName { laptop: usize, person: usize, name: u8 },
    Note { laptop: usize, person: usize },
    Amend { laptop: usize, person: usize },
    Refer { laptop: usize, person: usize },
    MoveReferral { laptop: usize, person: usize },
    Sync { laptop: usize },
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let laptop = 0usize..3;
    let person = 0usize..6;
    prop_oneof![
        1 => laptop.clone().prop_map(|laptop| Step::AddPerson { laptop }),
        2 => (laptop.clone(), person.clone(), 0u8..4)
            .prop_map(|(laptop, person, phone)| Step::EditPhone { laptop, person, phone }),
        1 => (laptop.clone(), person.clone(), 0u8..3)
            .prop_map(|(laptop, person, name)| Step::EditName { laptop, person, name }),
        2 => (laptop.clone(), person.clone())
            .prop_map(|(laptop, person)| Step::Note { laptop, person }),
        1 => (laptop.clone(), person.clone())
            .prop_map(|(laptop, person)| Step::Amend { laptop, person }),
        1 => (laptop.clone(), person.clone())
            .prop_map(|(laptop, person)| Step::Refer { laptop, person }),
        1 => (laptop.clone(), person.clone())
            .prop_map(|(laptop, person)| Step::MoveReferral { laptop, person }),
        2 => laptop.prop_map(|laptop| Step::Sync { laptop }),
    ]
}

/// The person at `index` among those the laptop holds, if it holds any.
fn held_person(laptop: &Laptop, index: usize) -> Option<kith_domain::person::Person> {
    let mut people = laptop.store().people(None).unwrap();
    people.sort_by_key(|person| person.id);
    (!people.is_empty()).then(|| people.swap_remove(index % people.len()))
}

/// Does `step`; returns how many notes it wrote (to count at the end).
fn take_step(laptops: &mut [Laptop], step: &Step) -> usize {
    match *step {
        Step::AddPerson { laptop } => {
            laptops[laptop].store().add_person(new_person("Wynn", "Oakes", None)).unwrap();
        }
        Step::EditPhone { laptop, person, phone } => {
            if let Some(mut held) = held_person(&laptops[laptop], person) {
                held.phone = Some(format!("07700 90000{phone}"));
                laptops[laptop].store().update_person(&held).unwrap();
            }
        }
        Step::EditName { laptop, person, name } => {
            if let Some(mut held) = held_person(&laptops[laptop], person) {
                held.given_name = ["Wynn", "Wynne", "Winifred"][usize::from(name)].to_owned();
                laptops[laptop].store().update_person(&held).unwrap();
            }
        }
        Step::Note { laptop, person } => {
            if let Some(held) = held_person(&laptops[laptop], person) {
                laptops[laptop].store().add_note(new_note(held.id, "Phoned; all well")).unwrap();
                return 1;
            }
        }
        Step::Amend { laptop, person } => {
            let store = laptops[laptop].store();
            if let Some(held) = held_person(&laptops[laptop], person) {
                if let Some(original) = store.notes_for(held.id).unwrap().first() {
                    let amendment = NewNote {
                        person_id: held.id,
                        body: "Correction: phoned on Tuesday".into(),
                        amends: Some(original.id),
                    };
                    store.add_note(amendment).unwrap();
                    return 1;
                }
            }
        }
        Step::Refer { laptop, person } => {
            if let Some(held) = held_person(&laptops[laptop], person) {
                laptops[laptop].store().add_referral(held.id, gp_referral()).unwrap();
            }
        }
        Step::MoveReferral { laptop, person } => {
            let store = laptops[laptop].store();
            if let Some(held) = held_person(&laptops[laptop], person) {
                if let Some(referral) = store.referrals_for(held.id).unwrap().first() {
                    // The same move made on two laptops apart is refused on neither: each
                    // checks its own copy; the status merges like any field.
                    if let Some(next) = referral.status.allowed_next().first() {
                        let _ = store.move_referral(referral.id, *next);
                    }
                }
            }
        }
        Step::Sync { laptop } => {
            laptops[laptop].sync();
        }
    }
    0
}

/// Everything that must be equal on every laptop, read without auditing where possible.
fn converged_state(laptop: &Laptop) -> Vec<String> {
    let store = laptop.store();
    let mut state = Vec::new();
    let mut people = store.people(None).unwrap();
    people.sort_by_key(|person| person.id);
    for person in &people {
        state.push(format!("{person:?} phone={:?} name={}", person.phone, person.given_name));
        state.push(format!("notes {:?}", store.notes_for(person.id).unwrap()));
        for referral in store.referrals_for(person.id).unwrap() {
            state.push(format!("referral {:?}", referral));
            state.push(format!("history {:?}", store.referral_history(referral.id).unwrap()));
        }
        let batches: BTreeSet<String> = store
            .audit_log_for(person.id)
            .unwrap()
            .into_iter()
            .filter(|entry| entry.batch_id.is_some())
            .map(|entry| format!("{entry:?}"))
            .collect();
        state.push(format!("audit {batches:?}"));
    }
    let mut conflicts: Vec<String> =
        store.sync_conflicts().unwrap().into_iter().map(|c| format!("{c:?}")).collect();
    conflicts.sort();
    state.extend(conflicts);
    for table in
        Store::tables().into_iter().filter(|table| !["audit_log", "outbox"].contains(table))
    {
        state.push(format!("{table}: {}", store.count_rows(table).unwrap()));
    }
    state
}

fn converge(steps: Vec<Step>) {
    let server = server();
    let practice = server.practice();
    let key = PracticeKey::generate().unwrap();
    let mut laptops: Vec<Laptop> = (0..3)
        .map(|_| {
            let config = SyncConfig { push_batch: 4, pull_limit: 5 };
            Laptop::new(server.user(practice, Role::Supervisor), &key, config)
        })
        .collect();
    let notes: usize = steps.iter().map(|step| take_step(&mut laptops, step)).sum();
    // Settle: rounds until a whole pass over every laptop moves nothing.
    for _ in 0..20 {
        let moved: u64 = laptops
            .iter_mut()
            .map(|laptop| {
                let report = laptop.sync();
                report.pushed + report.pulled
            })
            .sum();
        if moved == 0 {
            break;
        }
    }
    let first = converged_state(&laptops[0]);
    for laptop in &laptops[1..] {
        assert_eq!(converged_state(laptop), first, "every laptop holds the same");
    }
    assert_eq!(laptops[0].store().count_rows("notes").unwrap(), notes as i64, "no note lost");
    for laptop in &laptops {
        let state = laptop.engine.state();
        assert_eq!((state.changes_waiting, state.changes_refused), (0, 0));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("KITH_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200),
        ..proptest::prelude::ProptestConfig::default()
    })]

    #[test]
    fn three_laptops_with_real_stores_converge_through_the_real_server(
        steps in proptest::collection::vec(step(), 1..30)
    ) {
        converge(steps);
    }
}
