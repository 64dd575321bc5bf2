//! Window benchmarks over the generated 15,000-person practice (150,000 notes), in the real
//! app: search-as-you-type latency on the People screen, and a supervisor opening the review
//! queue with the whole practice waiting. Prints figures; asserts no timing.
//!
//! Run with `cargo xtask bench window` (release build of the app and this test; one test at a
//! time, so the two never share the machine).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use kith_core::{Kith, PracticeSignIn, REVIEW_ITEMS_PER_PERSON, REVIEW_PEOPLE_PER_PAGE};
use kith_protocol::Role;
use kith_server::storage::NewUser;
use kith_server::ServerConfig;
use kith_store::profile::Profile;
use kith_tests::practice::{load_practice, PracticeShape};
use kith_tests::practice_text::{COMMON_SEARCH_WORD, RARE_SEARCH_WORD};
use kith_tests::window::AppWindow;

const PASSPHRASE: &str = "kitchen table blue teapot";
/// Searches timed per kind of query.
const ROUNDS: usize = 30;

/// Sets the search box to `typed` as one keystroke (an `input` event, as typing fires) and
/// returns the milliseconds until the results for it are on screen: the People screen marks
/// what it answered in `data-answered`, then one animation frame lets it paint.
const TIME_ONE_SEARCH: &str = "
    const [typed, done] = arguments;
    const input = document.getElementById('people-search');
    const answered = () =>
      document.querySelector('[data-testid=people-count]')?.dataset.answered === typed;
    const started = performance.now();
    const observer = new MutationObserver(() => {
      if (!answered()) return;
      observer.disconnect();
      requestAnimationFrame(() => done({
        ms: performance.now() - started,
        shown: document.querySelectorAll('[data-testid=person-result]').length,
      }));
    });
    observer.observe(document.body, { subtree: true, attributes: true, childList: true,
                                      characterData: true });
    input.value = typed;
    input.dispatchEvent(new Event('input', { bubbles: true }));";

/// The same query straight through IPC (no debounce, no rendering): the core's share.
const TIME_ONE_CALL: &str = "
    const [typed, done] = arguments;
    const started = performance.now();
    window.__TAURI_INTERNALS__
      .invoke('people_list', { filter: { typed, status: null, need: null } })
      .then((found) => done({ ms: performance.now() - started, shown: found.length }),
            (error) => done({ ms: -1, shown: String(error) }));";

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    println!(
        "{what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} searches",
        percentile(&samples, 0.5),
        percentile(&samples, 0.95),
        samples.last().copied().unwrap_or_default(),
        samples.len()
    );
}

async fn time_all(
    window: &AppWindow,
    script: &str,
    queries: &[String],
) -> anyhow::Result<(Vec<f64>, usize)> {
    let mut samples = Vec::new();
    let mut shown_total = 0;
    for typed in queries {
        let answer = window
            .client()?
            .execute_async(script, vec![serde_json::Value::String(typed.clone())])
            .await?;
        let ms = answer["ms"].as_f64().unwrap_or(-1.0);
        anyhow::ensure!(ms >= 0.0, "the search for {typed:?} failed: {answer}");
        shown_total += answer["shown"].as_u64().unwrap_or(0) as usize;
        samples.push(ms);
    }
    Ok((samples, shown_total))
}

#[tokio::test(flavor = "multi_thread")]
async fn search_as_you_type_latency_on_the_full_practice() -> anyhow::Result<()> {
    let shape = PracticeShape::full();
    let today = chrono::Local::now().date_naive();
    let mut names = Vec::new();
    let started = Instant::now();
    let window = AppWindow::launch_with(|dir| {
        let (mut store, _recovery_key) =
            Profile::create(dir, PASSPHRASE).map_err(std::io::Error::other)?;
        let practice = load_practice(&mut store, shape, today).map_err(std::io::Error::other)?;
        store.checkpoint().map_err(std::io::Error::other)?;
        store.lock();
        // Family names of people spread through the practice.
        let step = (practice.people.len() / ROUNDS).max(1);
        names = practice
            .people
            .iter()
            .step_by(step)
            .take(ROUNDS)
            .map(|(_, person)| person.family_name.clone())
            .collect();
        Ok(())
    })
    .await?;
    println!(
        "generated {} people, {} notes, {} plans and launched in {:.1?}",
        shape.people,
        shape.notes,
        shape.care_plans,
        started.elapsed()
    );
    window.fill("#unlock-passphrase", PASSPHRASE).await?;
    window.click("form button[type=submit]").await?;
    window.wait_for_text("h1", "Today").await?;
    window.click("[data-testid=nav-people]").await?;
    window.wait_for_text("h1", "People").await?;
    window.element("[data-testid=people-count][data-answered='']").await?;

    // Each query differs from the one before, so every search changes what is shown.
    let mut name_queries: Vec<String> = names.clone();
    name_queries.dedup();
    let mut prefix_queries: Vec<String> =
        names.iter().map(|name| name.chars().take(3).collect()).collect();
    prefix_queries.dedup();
    let note_queries: Vec<String> = (0..ROUNDS)
        .map(|round| if round % 2 == 0 { COMMON_SEARCH_WORD } else { RARE_SEARCH_WORD }.to_owned())
        .collect();
    // A warm-up pass, not counted: the first query of a kind fills SQLite's caches.
    time_all(&window, TIME_ONE_SEARCH, &name_queries[..3]).await?;

    println!("search as you type, keystroke → results on screen (includes the 120 ms debounce):");
    for (what, queries) in [
        ("  a family name", &name_queries),
        ("  the first 3 letters of a family name", &prefix_queries),
        ("  a note word (common 'group' / rare 'euphonium', alternating)", &note_queries),
    ] {
        let (samples, shown) = time_all(&window, TIME_ONE_SEARCH, queries).await?;
        anyhow::ensure!(shown > 0, "{what}: no search showed any result");
        report(what, samples);
    }
    println!("the same queries straight through IPC (core + IPC only, no debounce or rendering):");
    for (what, queries) in [
        ("  a family name", &name_queries),
        ("  the first 3 letters of a family name", &prefix_queries),
        ("  a note word", &note_queries),
    ] {
        let (samples, _) = time_all(&window, TIME_ONE_CALL, queries).await?;
        report(what, samples);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    window.close().await
}

/// Rounds of opening the review queue (after one first opening, counted apart).
const QUEUE_ROUNDS: usize = 6;

/// Clicks Review in the navigation and returns the milliseconds until the first link worker's
/// cards and every group's header are in the page and painted (a frame, then a task after
/// it), with how many groups and cards are shown.
const TIME_OPEN_QUEUE: &str = "
    const done = arguments[arguments.length - 1];
    const shown = () => {
      const groups = document.querySelectorAll('[data-testid=review-group]');
      const first = groups[0];
      if (!first || !first.querySelector('[data-testid=review-person]')) return null;
      return {
        groups: groups.length,
        headers: document.querySelectorAll('[data-testid=review-group-count]').length,
        cards: document.querySelectorAll('[data-testid=review-person]').length,
        items: document.querySelectorAll('[data-testid=review-item]').length,
        waiting: document.querySelector('[data-testid=review-waiting]')?.textContent?.trim(),
      };
    };
    const started = performance.now();
    const finish = (seen) => requestAnimationFrame(() => setTimeout(() =>
      done({ ms: performance.now() - started, ...seen }), 0));
    const observer = new MutationObserver(() => {
      const seen = shown();
      if (!seen) return;
      observer.disconnect();
      finish(seen);
    });
    observer.observe(document.body, { subtree: true, childList: true });
    document.querySelector('[data-testid=nav-review]').click();";

/// The queue's command straight through IPC (no rendering): the core's share with IPC.
const TIME_QUEUE_CALL: &str = "
    const done = arguments[arguments.length - 1];
    const started = performance.now();
    window.__TAURI_INTERNALS__.invoke('review_queue').then(
      (queue) => done({ ms: performance.now() - started, groups: queue.groups.length,
                        worker: queue.groups[0].link_worker,
                        shown: queue.groups[0].people.map((p) => p.person_id) }),
      (error) => done({ ms: -1, error: String(error) }));";

/// The next page of the first group straight through IPC.
const TIME_MORE_CALL: &str = "
    const [worker, shown, done] = arguments;
    const started = performance.now();
    window.__TAURI_INTERNALS__.invoke('review_queue_more', { link_worker: worker, shown }).then(
      (group) => done({ ms: performance.now() - started, people: group.people.length }),
      (error) => done({ ms: -1, error: String(error) }));";

/// A supervisor's laptop holding the generated practice, written by its link workers: all of
/// it waits for review. The supervisor sets up a practice on a practice server started here
/// (so the laptop is a real supervisor's), then the practice is written into their encrypted
/// store, and the server is stopped before the app opens so background sync cannot push the
/// load's outbox while the queue is timed. Prints the store's own time for the first page.
fn seed_supervisor_with_practice(dir: &Path, shape: PracticeShape) -> anyhow::Result<()> {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let server_dir = tempfile::tempdir()?;
    let (address, storage) = runtime.block_on(kith_server::serve_sqlite_on_loopback(
        server_dir.path(),
        ServerConfig::default(),
    ))?;
    let practice = runtime.block_on(storage.create_practice("Ashbridge Surgery".into()))?;
    let password = "correct horse battery";
    runtime.block_on(storage.create_user(NewUser {
        practice_id: practice.id,
        username: "dr.shah".into(),
        role: Role::Supervisor,
        password_hash: kith_server::secrets::hash_password(password)?,
    }))?;
    let mut kith = Kith::new(dir).with_cheap_kdf_for_tests().with_runtime(runtime.handle().clone());
    kith.create_profile(PASSPHRASE)?;
    kith.set_up_practice(&PracticeSignIn {
        server_address: format!("http://{address}"),
        username: "dr.shah".into(),
        password: password.into(),
        device_name: "Supervisor's laptop".into(),
    })?;
    kith.lock();
    drop(kith);
    runtime.shutdown_timeout(Duration::from_secs(5));

    let mut store = Profile::unlock(dir, PASSPHRASE)?;
    let supervisor = store.current_user().expect("the supervisor's laptop has a user");
    let started = Instant::now();
    let today = chrono::Local::now().date_naive();
    let generated = load_practice(&mut store, shape, today)?;
    store.set_current_user(supervisor)?;
    store.checkpoint()?;
    println!(
        "generated {} people, {} notes, {} plans, {} sessions as {} link workers in {:.1?}",
        generated.people.len(),
        generated.notes,
        generated.care_plans,
        generated.sessions,
        generated.link_workers.len(),
        started.elapsed()
    );
    let mut samples = Vec::new();
    let mut waiting = (0, 0);
    for _ in 0..3 {
        let started = Instant::now();
        let groups =
            store.review_queue(supervisor, REVIEW_PEOPLE_PER_PAGE, REVIEW_ITEMS_PER_PERSON)?;
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
        waiting = (
            groups.iter().map(|group| group.people_waiting).sum::<u32>(),
            groups.iter().map(|group| group.records_waiting).sum::<u32>(),
        );
    }
    println!(
        "waiting for review: {} records of {} people; the store's first page (every link \
         worker's first {REVIEW_PEOPLE_PER_PAGE} people, up to {REVIEW_ITEMS_PER_PERSON} records \
         each):",
        waiting.1, waiting.0
    );
    report_rounds("  Store::review_queue", samples);
    store.lock();
    Ok(())
}

fn report_rounds(what: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    println!(
        "{what}: p50 {:.1} ms, max {:.1} ms over {} rounds",
        percentile(&samples, 0.5),
        samples.last().copied().unwrap_or_default(),
        samples.len()
    );
}

async fn timed(
    window: &AppWindow,
    script: &str,
    arguments: Vec<serde_json::Value>,
) -> anyhow::Result<serde_json::Value> {
    let answer = window.client()?.execute_async(script, arguments).await?;
    anyhow::ensure!(answer["ms"].as_f64().unwrap_or(-1.0) >= 0.0, "the call failed: {answer}");
    Ok(answer)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_opens_the_review_queue_on_the_full_practice() -> anyhow::Result<()> {
    let shape = PracticeShape::full();
    let started = Instant::now();
    let window = AppWindow::launch_with(|dir| {
        let dir = dir.to_owned();
        std::thread::spawn(move || seed_supervisor_with_practice(&dir, shape))
            .join()
            .map_err(|_| std::io::Error::other("seeding the supervisor's laptop panicked"))?
            .map_err(|error| std::io::Error::other(format!("{error:#}")))
    })
    .await?;
    println!("seeded and launched in {:.1?}", started.elapsed());
    window.client()?.set_window_size(1024, 768).await?;
    window.fill("#unlock-passphrase", PASSPHRASE).await?;
    window.click("form button[type=submit]").await?;
    window.wait_for_text("h1", "Today").await?;

    println!("a supervisor opens Review: click → the first link worker's cards and every group header painted:");
    let mut samples = Vec::new();
    for round in 0..=QUEUE_ROUNDS {
        if round > 0 {
            window.click("[data-testid=nav-today]").await?;
            window.wait_for_text("h1", "Today").await?;
        }
        let answer = timed(&window, TIME_OPEN_QUEUE, vec![]).await?;
        let ms = answer["ms"].as_f64().unwrap_or_default();
        anyhow::ensure!(
            answer["groups"] == answer["headers"],
            "every group has its header: {answer}"
        );
        if round == 0 {
            println!(
                "  first opening after unlock: {ms:.1} ms ({} groups, {} people's cards, {} records shown; {})",
                answer["groups"],
                answer["cards"],
                answer["items"],
                answer["waiting"].as_str().unwrap_or("?")
            );
            window.screenshot_from_top("bench-review-queue").await?;
        } else {
            samples.push(ms);
        }
    }
    report_rounds("  opened again (from Today)", samples);

    let mut calls = Vec::new();
    let mut more_calls = Vec::new();
    for _ in 0..QUEUE_ROUNDS {
        let answer = timed(&window, TIME_QUEUE_CALL, vec![]).await?;
        calls.push(answer["ms"].as_f64().unwrap_or_default());
        let more =
            timed(&window, TIME_MORE_CALL, vec![answer["worker"].clone(), answer["shown"].clone()])
                .await?;
        anyhow::ensure!(more["people"].as_u64() == Some(REVIEW_PEOPLE_PER_PAGE as u64), "{more}");
        more_calls.push(more["ms"].as_f64().unwrap_or_default());
    }
    println!("the commands straight through IPC (core + IPC, no rendering):");
    report_rounds("  review_queue (the first page of every group)", calls);
    report_rounds("  review_queue_more (the next page of one group)", more_calls);
    tokio::time::sleep(Duration::from_millis(100)).await;
    window.close().await
}
