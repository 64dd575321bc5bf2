//! Window benchmark: search-as-you-type latency on the People screen of the real app, over the
//! generated 15,000-person practice (150,000 notes). Prints figures; asserts no timing.
//!
//! Run with `cargo xtask bench window` (release build of the app and this test).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

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
