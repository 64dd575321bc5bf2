//! Server benchmark (`cargo xtask bench server` runs it in release mode): push and pull
//! throughput for 100k operations on loopback, and p50/p99 latency of incremental syncs from
//! 200 concurrent devices. SQLite always; PostgreSQL too when `KITH_BENCH_POSTGRES_URL` names
//! an empty database. Usage: `bench_server [operations] [devices]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use kith_protocol::{
    DeviceId, EnrolDeviceRequest, EnrolDeviceResponse, Envelope, Hlc, Operation, OperationId,
    PersonId, PracticeId, PullResponse, PushOutcome, PushRequest, PushResponse, RecordId,
    RecordKind, Role, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER,
};
use kith_server::storage::NewUser;
use kith_server::{secrets, AppState, DatabaseLocation, ServerConfig};
use rand::RngCore;

const ENVELOPE_BYTES: usize = 1024;
const BATCH: usize = 1000;
const ROUNDS: usize = 10;
const OPS_PER_INCREMENT: usize = 5;

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
    device_id: DeviceId,
    next_seq: u64,
}

fn envelope() -> Envelope {
    let mut bytes = vec![0u8; ENVELOPE_BYTES];
    rand::thread_rng().fill_bytes(&mut bytes);
    Envelope(bytes)
}

impl Client {
    fn op(&mut self, kind: RecordKind, person: Option<PersonId>) -> Operation {
        let record_id = match (kind, person) {
            (RecordKind::Person, Some(person)) => RecordId(person.0),
            _ => RecordId::new_v7(),
        };
        self.next_seq += 1;
        Operation {
            op_id: OperationId::new_v7(),
            device_id: self.device_id,
            device_seq: self.next_seq,
            kind,
            record_id,
            person_id: person,
            hlc: Hlc { wall_ms: kith_server::now_ms(), counter: 0 },
            envelope: envelope(),
        }
    }

    async fn push(&self, operations: Vec<Operation>) -> anyhow::Result<()> {
        let response: PushResponse = self
            .http
            .post(format!("{}/v1/sync/push", self.base))
            .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&self.token)
            .json(&PushRequest { operations })
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if let Some(refused) =
            response.results.iter().find(|r| matches!(r.outcome, PushOutcome::Refused { .. }))
        {
            bail!("operation refused: {:?}", refused.outcome);
        }
        Ok(())
    }

    /// Pulls everything after `since`; returns (operations, new cursor).
    async fn pull_all(&self, mut since: u64) -> anyhow::Result<(usize, u64)> {
        let mut count = 0;
        loop {
            let page: PullResponse = self
                .http
                .get(format!("{}/v1/sync/pull?since={since}&limit=1000", self.base))
                .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
                .bearer_auth(&self.token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            count += page.operations.len();
            since = page.next_cursor;
            if !page.has_more {
                return Ok((count, since));
            }
        }
    }
}

async fn add_user(
    state: &AppState,
    practice: PracticeId,
    name: &str,
    role: Role,
) -> anyhow::Result<String> {
    let password = format!("{name}-bench-password");
    let for_hash = password.clone();
    let password_hash =
        tokio::task::spawn_blocking(move || secrets::hash_password(&for_hash)).await??;
    state
        .storage()
        .create_user(NewUser { practice_id: practice, username: name.into(), role, password_hash })
        .await?;
    Ok(password)
}

async fn enrol(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> anyhow::Result<Client> {
    let enrolled: EnrolDeviceResponse = http
        .post(format!("{base}/v1/devices/enrol"))
        .header(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION.to_string())
        .json(&EnrolDeviceRequest {
            username: username.into(),
            password: password.into(),
            device_name: "bench".into(),
        })
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Client {
        http: http.clone(),
        base: base.into(),
        token: enrolled.token,
        device_id: enrolled.device_id,
        next_seq: 0,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn bench(
    label: &str,
    location: DatabaseLocation,
    operations: usize,
    devices: usize,
) -> anyhow::Result<()> {
    let storage = kith_server::open_storage(&location).await.context("open storage")?;
    let state = AppState::new(storage, ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(kith_server::serve(listener, state.clone()));
    let http = reqwest::Client::new();
    let practice = state.storage().create_practice(format!("Bench {label}")).await?.id;

    let password = add_user(&state, practice, "bench-writer", Role::Supervisor).await?;
    let mut writer = enrol(&http, &base, "bench-writer", &password).await?;
    let reader = enrol(&http, &base, "bench-writer", &password).await?;

    // Push throughput: batches of 1000 operations of ~1 KiB, one device.
    let people: Vec<PersonId> = (0..100).map(|_| PersonId::new_v7()).collect();
    let mut batches = Vec::new();
    let mut made = 0;
    let mut first = true;
    while made < operations {
        let mut batch = Vec::with_capacity(BATCH);
        if first {
            for person in &people {
                batch.push(writer.op(RecordKind::Person, Some(*person)));
            }
            first = false;
        }
        while batch.len() < BATCH && made + batch.len() < operations {
            let person = people[(made + batch.len()) % people.len()];
            batch.push(writer.op(RecordKind::Note, Some(person)));
        }
        made += batch.len();
        batches.push(batch);
    }
    let started = Instant::now();
    for batch in batches {
        writer.push(batch).await?;
    }
    let push_time = started.elapsed();
    println!(
        "[{label}] push {made} ops ({ENVELOPE_BYTES} B envelopes, batches of {BATCH}): {:.2} s, {:.0} ops/s",
        push_time.as_secs_f64(),
        made as f64 / push_time.as_secs_f64()
    );

    // Pull throughput: a fresh device pulls everything in pages of 1000.
    let started = Instant::now();
    let (pulled, head) = reader.pull_all(0).await?;
    let pull_time = started.elapsed();
    println!(
        "[{label}] pull {pulled} ops (pages of 1000): {:.2} s, {:.0} ops/s",
        pull_time.as_secs_f64(),
        pulled as f64 / pull_time.as_secs_f64()
    );

    // Incremental syncs: devices already at the head push a few changes and pull what is new.
    let users = (devices / 5).max(1);
    let mut clients = Vec::new();
    for index in 0..users {
        let role = if index % 2 == 0 { Role::Supervisor } else { Role::LinkWorker };
        let name = format!("bench-user-{index}");
        let password = add_user(&state, practice, &name, role).await?;
        for _ in 0..devices.div_ceil(users) {
            if clients.len() < devices {
                clients.push((enrol(&http, &base, &name, &password).await?, role));
            }
        }
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(clients.len()));
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .map(|(mut client, role)| {
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                let person = PersonId::new_v7();
                let mut cursor = head;
                let mut latencies = Vec::with_capacity(ROUNDS);
                barrier.wait().await;
                for round in 0..ROUNDS {
                    let mut ops = Vec::new();
                    if round == 0 && role == Role::LinkWorker {
                        ops.push(client.op(RecordKind::Person, Some(person)));
                    }
                    while ops.len() < OPS_PER_INCREMENT {
                        ops.push(client.op(RecordKind::Note, Some(person)));
                    }
                    let sync_started = Instant::now();
                    client.push(ops).await?;
                    let (_, next) = client.pull_all(cursor).await?;
                    latencies.push(sync_started.elapsed());
                    cursor = next;
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let total_time = started.elapsed();
    latencies.sort();
    println!(
        "[{label}] incremental sync ({devices} concurrent devices x {ROUNDS} rounds, push {OPS_PER_INCREMENT} ops + pull new): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {:.0} syncs/s",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        latencies.len() as f64 / total_time.as_secs_f64()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let operations: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let devices: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200);
    let dir = tempfile::tempdir()?;
    bench(
        "sqlite",
        DatabaseLocation::Sqlite(dir.path().join("bench.sqlite3")),
        operations,
        devices,
    )
    .await?;
    if let Ok(url) = std::env::var("KITH_BENCH_POSTGRES_URL") {
        bench("postgres", DatabaseLocation::Postgres(url), operations, devices).await?;
    }
    Ok(())
}
