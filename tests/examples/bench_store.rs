//! `cargo xtask bench store`: the local store on a generated 150,000-note practice, SQLCipher
//! against plain SQLite in the same run. Prints figures; asserts nothing about speed.
//!
//! Figures: bulk load, unlock (with and without the passphrase KDF), caseload per link worker,
//! search for a rare and a common word, durable note save, file size; then encrypted / plain.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::{Local, NaiveDate};
use kith_crypto::KdfParams;
use kith_domain::note::NewNote;
use kith_store::{CaseloadScope, Profile, Store};
use kith_tests::practice::{load_practice, GeneratedPractice, PracticeShape};
use kith_tests::practice_text::{COMMON_SEARCH_WORD, RARE_SEARCH_WORD};

const PASSPHRASE: &str = "a long and memorable benchmark passphrase";
const QUERY_ROUNDS: usize = 200;
const SAVES: usize = 200;

/// One store's figures.
#[derive(Default)]
struct Figures {
    load: Duration,
    unlock_with_kdf: Option<Duration>,
    open: Duration,
    caseload: Vec<Duration>,
    rare_search: Vec<Duration>,
    common_search: Vec<Duration>,
    rare_hits: usize,
    common_hits: usize,
    note_save: Vec<Duration>,
    file_bytes: u64,
}

fn percentile(samples: &[Duration], fraction: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn timed<T>(body: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = body();
    (value, started.elapsed())
}

fn dir_bytes(dir: &Path) -> Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() && !entry.file_name().to_string_lossy().ends_with(".json") {
            total += entry.metadata()?.len();
        }
    }
    Ok(total)
}

/// Runs the queries and saves on an open store.
fn measure_queries(
    store: &Store,
    practice: &GeneratedPractice,
    today: NaiveDate,
    figures: &mut Figures,
) -> Result<()> {
    for round in 0..QUERY_ROUNDS + 10 {
        for worker in &practice.link_workers {
            let (caseload, elapsed) =
                timed(|| store.caseload(CaseloadScope::LinkWorker(*worker), today));
            caseload?;
            if round >= 10 {
                figures.caseload.push(elapsed);
            }
        }
        let (hits, elapsed) = timed(|| store.search_people(RARE_SEARCH_WORD, 20));
        figures.rare_hits = hits?.len();
        if round >= 10 {
            figures.rare_search.push(elapsed);
        }
        let (hits, elapsed) = timed(|| store.search_people(COMMON_SEARCH_WORD, 20));
        figures.common_hits = hits?.len();
        if round >= 10 {
            figures.common_search.push(elapsed);
        }
    }
    let person_id =
        practice.people.first().map(|(id, _)| *id).ok_or_else(|| anyhow::anyhow!("no people"))?;
    for number in 0..SAVES {
        let note = NewNote {
            person_id,
            body: format!("Benchmark note {number}: phoned to confirm Thursday's visit."),
            amends: None,
        };
        let (saved, elapsed) = timed(|| store.add_note(note));
        saved?;
        figures.note_save.push(elapsed);
    }
    Ok(())
}

fn encrypted(
    shape: PracticeShape,
    today: NaiveDate,
    root: &Path,
) -> Result<(Figures, GeneratedPractice)> {
    let dir = root.join("encrypted");
    let mut figures = Figures::default();
    let (mut store, _recovery_key) = Profile::create(&dir, PASSPHRASE)?;
    let (practice, load) = timed(|| load_practice(&mut store, shape, today));
    let practice = practice?;
    figures.load = load;
    store.checkpoint()?;
    store.lock();

    let mut with_kdf = Vec::new();
    for _ in 0..3 {
        let (store, elapsed) = timed(|| Profile::unlock(&dir, PASSPHRASE));
        store?.lock();
        with_kdf.push(elapsed);
    }
    figures.unlock_with_kdf = Some(percentile(&with_kdf, 0.5));
    // The same file, with the key rewrapped under the cheapest KDF: what opening costs.
    Profile::change_passphrase_with_kdf(
        &dir,
        PASSPHRASE,
        PASSPHRASE,
        KdfParams::insecure_for_tests()?,
    )?;
    let mut without_kdf = Vec::new();
    for _ in 0..3 {
        let (store, elapsed) = timed(|| Profile::unlock(&dir, PASSPHRASE));
        store?.lock();
        without_kdf.push(elapsed);
    }
    figures.open = percentile(&without_kdf, 0.5);

    let mut store = Profile::unlock(&dir, PASSPHRASE)?;
    let worker =
        practice.link_workers.first().copied().ok_or_else(|| anyhow::anyhow!("no workers"))?;
    store.set_current_user(worker)?;
    let (verified, verify) = timed(|| store.verify_integrity());
    verified?;
    println!("  (full integrity check on demand, encrypted: {:.0} ms)", ms(verify));
    measure_queries(&store, &practice, today, &mut figures)?;
    store.checkpoint()?;
    store.lock();
    figures.file_bytes = dir_bytes(&dir)?;
    Ok((figures, practice))
}

fn plain(shape: PracticeShape, today: NaiveDate, root: &Path) -> Result<Figures> {
    let dir = root.join("plain");
    let mut figures = Figures::default();
    let mut store = Store::open_plaintext_for_benchmarks(&dir)?;
    let (practice, load) = timed(|| load_practice(&mut store, shape, today));
    let practice = practice?;
    figures.load = load;
    store.checkpoint()?;
    store.lock();
    let mut opens = Vec::new();
    for _ in 0..3 {
        let (store, elapsed) = timed(|| Store::open_plaintext_for_benchmarks(&dir));
        store?.lock();
        opens.push(elapsed);
    }
    figures.open = percentile(&opens, 0.5);
    let mut store = Store::open_plaintext_for_benchmarks(&dir)?;
    let worker =
        practice.link_workers.first().copied().ok_or_else(|| anyhow::anyhow!("no workers"))?;
    store.set_current_user(worker)?;
    measure_queries(&store, &practice, today, &mut figures)?;
    store.checkpoint()?;
    store.lock();
    figures.file_bytes = dir_bytes(&dir)?;
    Ok(figures)
}

fn row(name: &str, encrypted: Duration, plain: Duration) {
    let ratio =
        if plain.is_zero() { f64::NAN } else { encrypted.as_secs_f64() / plain.as_secs_f64() };
    println!("{name:<34} {:>11.3} {:>11.3} {:>8.2}x", ms(encrypted), ms(plain), ratio);
}

fn main() -> Result<()> {
    let shape = PracticeShape::full();
    let today = Local::now().date_naive();
    let root = tempfile::tempdir()?;
    println!(
        "Generated practice: {} link workers, {} people (each with a referral), {} notes, {} care plans",
        shape.link_workers, shape.people, shape.notes, shape.care_plans
    );
    let (encrypted, practice) = encrypted(shape, today, root.path())?;
    let plain = plain(shape, today, root.path())?;
    println!(
        "  {} sessions, {} new referrals, {} open concerns; {} caseload queries per store ({} workers x {QUERY_ROUNDS}), {QUERY_ROUNDS} searches per word, {SAVES} note saves",
        practice.sessions,
        practice.new_referrals,
        practice.open_concerns,
        encrypted.caseload.len(),
        practice.link_workers.len()
    );
    println!(
        "  search hits (people, limit 20): rare '{RARE_SEARCH_WORD}' {}, common '{COMMON_SEARCH_WORD}' {}",
        encrypted.rare_hits, encrypted.common_hits
    );
    println!();
    println!("{:<34} {:>11} {:>11} {:>9}", "figure (ms)", "SQLCipher", "plain", "ratio");
    row("bulk load", encrypted.load, plain.load);
    if let Some(unlock) = encrypted.unlock_with_kdf {
        println!("{:<34} {:>11.3} {:>11} {:>9}", "unlock with Argon2id KDF", ms(unlock), "-", "-");
    }
    row("unlock without KDF (open + checks)", encrypted.open, plain.open);
    for (name, fraction) in [("p50", 0.5), ("p99", 0.99)] {
        row(
            &format!("caseload per link worker {name}"),
            percentile(&encrypted.caseload, fraction),
            percentile(&plain.caseload, fraction),
        );
    }
    for (name, fraction) in [("p50", 0.5), ("p99", 0.99)] {
        row(
            &format!("search rare word {name}"),
            percentile(&encrypted.rare_search, fraction),
            percentile(&plain.rare_search, fraction),
        );
    }
    for (name, fraction) in [("p50", 0.5), ("p99", 0.99)] {
        row(
            &format!("search common word {name}"),
            percentile(&encrypted.common_search, fraction),
            percentile(&plain.common_search, fraction),
        );
    }
    for (name, fraction) in [("p50", 0.5), ("p99", 0.99)] {
        row(
            &format!("durable note save {name}"),
            percentile(&encrypted.note_save, fraction),
            percentile(&plain.note_save, fraction),
        );
    }
    println!(
        "{:<34} {:>11.1} {:>11.1} {:>8.2}x",
        "file size (MB, db + wal)",
        encrypted.file_bytes as f64 / 1e6,
        plain.file_bytes as f64 / 1e6,
        encrypted.file_bytes as f64 / plain.file_bytes.max(1) as f64
    );
    println!();
    println!("Targets: unlock <= 1000 ms; caseload p99 <= 2 ms; search p99 <= 20 ms; encrypted/plain <= 1.5x on queries.");
    Ok(())
}
