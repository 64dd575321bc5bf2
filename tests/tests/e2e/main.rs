//! Real-window tests: drive the built Kith app under Xvfb through tauri-driver and WebDriver.
//!
//! Run with `cargo xtask e2e` (or `cargo test -p kith-tests --features e2e --test e2e --
//! --test-threads=1` after building the UI and `kith-desktop`).

use std::future::Future;
use std::time::{Duration, Instant};

mod care;
mod directory_safety;
mod outcomes;
mod people;
mod supervise;
mod unlock_today;

use fantoccini::Locator;
use kith_tests::seed;
use kith_tests::window::AppWindow;

/// No window test may run longer than this; a hang fails instead of blocking CI.
const TEST_TIME_LIMIT: Duration = Duration::from_secs(60);

pub(crate) async fn within_time_limit(
    test: impl Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<()> {
    match tokio::time::timeout(TEST_TIME_LIMIT, test).await {
        Ok(result) => result,
        Err(_) => anyhow::bail!("the window test did not finish within {TEST_TIME_LIMIT:?}"),
    }
}

/// Launches the app over a seeded profile (see `kith_tests::seed`), with `fill` adding what
/// the story needs, and unlocks it through the unlock screen: the window shows Today.
///
/// The unlock screen's contract: a password input `#unlock-passphrase`, a submit button, and
/// after unlocking an `h1` reading "Today".
pub(crate) async fn launch_unlocked(
    fill: impl FnOnce(&kith_core::Kith) -> anyhow::Result<()>,
) -> anyhow::Result<AppWindow> {
    launch_unlocked_with_env(fill, &[]).await
}

/// Like [`launch_unlocked`], with extra environment variables for the app (a locale).
pub(crate) async fn launch_unlocked_with_env(
    fill: impl FnOnce(&kith_core::Kith) -> anyhow::Result<()>,
    env: &[(&str, &str)],
) -> anyhow::Result<AppWindow> {
    let window =
        AppWindow::launch_with_env(|dir| seed::seed_profile(dir, fill).map(|_| ()), env).await?;
    window.fill("#unlock-passphrase", seed::PASSPHRASE).await?;
    window.click("form button[type=submit]").await?;
    window.wait_for_text("h1", "Today").await?;
    Ok(window)
}

/// Opens the app's own store from the test, beside the running app, to check what it saved.
pub(crate) fn open_store(data_dir: &std::path::Path) -> anyhow::Result<kith_core::Kith> {
    let mut kith = kith_core::Kith::new(data_dir).with_cheap_kdf_for_tests();
    kith.unlock(seed::PASSPHRASE)?;
    Ok(kith)
}

/// Types a date the UK way into the day / month / year date input whose group id is `id`, as a
/// person would: each part cleared, then typed.
pub(crate) async fn type_date(
    window: &AppWindow,
    id: &str,
    day: &str,
    month: &str,
    year: &str,
) -> anyhow::Result<()> {
    window.fill(&format!("#{id}-day"), day).await?;
    window.fill(&format!("#{id}-month"), month).await?;
    window.fill(&format!("#{id}-year"), year).await?;
    Ok(())
}

/// The id of the element that has the keyboard focus (the cursor), if it has one.
pub(crate) async fn focused_id(window: &AppWindow) -> anyhow::Result<String> {
    let id = window.client()?.execute("return document.activeElement?.id ?? '';", vec![]).await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn first_run_shows_the_welcome_screen_with_status_from_rust() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = AppWindow::launch().await?;

        // The window rendered: the first-run heading appears (a blank page fails here).
        window.wait_for_text("h1", "Welcome to Kith").await?;
        let heading_after = window.launched_at.elapsed();
        let title = window.client()?.title().await?;
        assert_eq!(title, "Kith");

        // An IPC round trip: these values can only have come from the Rust core.
        let version = window.wait_for_element_text("[data-testid=app-version]").await?;
        assert_eq!(version, env!("CARGO_PKG_VERSION"));
        let data_dir = window.wait_for_element_text("[data-testid=data-dir]").await?;
        assert_eq!(data_dir, window.data_dir().display().to_string());
        let profile = window.wait_for_element_text("[data-testid=profile-state]").await?;
        assert_eq!(profile, "Not set up yet");
        let status_after = window.launched_at.elapsed();

        let paint = window
            .client()?
            .execute(
                "const entry = performance.getEntriesByName('first-contentful-paint')[0];
                 return entry ? entry.startTime : null;",
                vec![],
            )
            .await?;
        println!(
            "launch → heading found: {heading_after:?}; launch → status from Rust shown: \
             {status_after:?}; first contentful paint (page clock): {paint} ms"
        );
        let shot = window.screenshot("first-run").await?;
        println!("screenshot: {}", shot.display());

        // At the smallest supported size everything still fits across, with no sideways scroll.
        window.client()?.set_window_size(1024, 768).await?;
        let fits = window
            .client()?
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth
                    && window.innerWidth <= 1024;",
                vec![],
            )
            .await?;
        assert_eq!(fits, true, "the first-run screen scrolls sideways at 1024×768");
        window.screenshot("first-run-1024x768").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn get_started_leads_to_the_passphrase_step_which_explains_what_is_wrong(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = AppWindow::launch().await?;
        let client = window.client()?;
        window.wait_for_text("h1", "Welcome to Kith").await?;

        client.find(Locator::XPath("//button[contains(., 'Get started')]")).await?.click().await?;
        window.wait_for_text("h1", "Choose a passphrase").await?;

        let passphrase = client.find(Locator::Css("#passphrase")).await?;
        assert_eq!(passphrase.attr("type").await?.as_deref(), Some("password"));
        passphrase.send_keys("short").await?;
        window.wait_for_text("[data-testid=strength-label]", "Too short.").await?;

        client.find(Locator::Css("#confirmation")).await?.send_keys("shorter").await?;
        client.find(Locator::XPath("//button[contains(., 'Continue')]")).await?.click().await?;
        window.wait_for_text(".error-summary h2", "There is a problem").await?;
        let summary = window.wait_for_element_text(".error-summary").await?;
        assert!(summary.contains("Use at least 12 characters"), "{summary}");
        assert!(summary.contains("The two passphrases are different"), "{summary}");
        let invalid = client.find(Locator::Css("#passphrase")).await?.attr("aria-invalid").await?;
        assert_eq!(invalid.as_deref(), Some("true"));
        window.screenshot("choose-passphrase-errors").await?;

        // Fixing both fields clears the errors as they are typed; nothing is written until the
        // form is submitted valid (creating the profile is the first-run story in
        // `unlock_today`).
        passphrase.clear().await?;
        passphrase.send_keys("kettle lantern orbit").await?;
        let confirmation = client.find(Locator::Css("#confirmation")).await?;
        confirmation.clear().await?;
        confirmation.send_keys("kettle lantern orbit").await?;
        window.wait_for_text("[data-testid=strength-label]", "Strong.").await?;
        assert!(client.find_all(Locator::Css(".error-summary")).await?.is_empty());
        let invalid = client.find(Locator::Css("#passphrase")).await?.attr("aria-invalid").await?;
        assert_eq!(invalid, None);
        let written = std::fs::read_dir(window.data_dir())?.count();
        assert_eq!(written, 0, "the passphrase step wrote before it was submitted");
        window.screenshot("choose-passphrase").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn an_existing_profile_opens_the_lock_screen_and_a_damaged_one_is_left_untouched(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let started = Instant::now();
        let window = AppWindow::launch_with(|data_dir| {
            std::fs::write(data_dir.join(kith_core::PROFILE_DATABASE_FILE), b"not a database")
        })
        .await?;
        // The core reports a profile, so the app asks to unlock instead of starting afresh.
        window.wait_for_text("h1", "Kith is locked").await?;
        println!("launch → lock screen shown for an existing profile: {:?}", started.elapsed());
        window.fill("#unlock-passphrase", "kettle lantern orbit").await?;
        window.click("form button[type=submit]").await?;
        let message = window.wait_for_element_text("#unlock-error").await?;
        println!("unlocking a file that is not a Kith database: {message:?}");
        assert!(!message.is_empty());
        let file = std::fs::read(window.data_dir().join(kith_core::PROFILE_DATABASE_FILE))?;
        assert_eq!(file, b"not a database", "a refused unlock changed the file");
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_window_that_does_not_render_fails_the_check() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = AppWindow::launch().await?;
        window.wait_for_text("h1", "Welcome to Kith").await?;
        // Blank the page, as a broken build or a CSP-blocked bundle would leave it.
        window.client()?.execute("document.body.replaceChildren();", vec![]).await?;
        let blank = window
            .wait_for_text_within("h1", "Welcome to Kith", Duration::from_secs(2))
            .await
            .err()
            .ok_or_else(|| anyhow::anyhow!("a blank window passed the first-run check"))?;
        let message = format!("{blank:#}");
        assert!(message.contains("no `h1` showing \"Welcome to Kith\""), "{message}");
        window.close().await
    })
    .await
}

#[tokio::test]
async fn the_page_can_call_only_kith_commands_and_load_nothing_from_elsewhere() -> anyhow::Result<()>
{
    within_time_limit(async {
        let window = AppWindow::launch().await?;
        window.wait_for_text("h1", "Welcome to Kith").await?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let outside = format!("http://{}/", listener.local_addr()?);

        let answer = window
            .client()?
            .execute_async(
                "const [outside, done] = arguments;
                 const ipc = window.__TAURI_INTERNALS__;
                 const settle = (promise) => promise.then(
                   (value) => ({ ok: true, value }), (error) => ({ ok: false, error: String(error) }));
                 const script = document.createElement('script');
                 script.textContent = 'window.kithInjected = true;';
                 document.head.appendChild(script);
                 Promise.all([
                   settle(ipc.invoke('app_status')),
                   settle(ipc.invoke('plugin:window|set_title', { label: 'main', value: 'Pwned' })),
                   settle(fetch(outside)),
                 ]).then(([own, core, network]) =>
                   done({ injected: window.kithInjected === true, own, core, network }));",
                vec![serde_json::Value::String(outside)],
            )
            .await?;

        // The positive control: the app's own command is allowed.
        assert_eq!(answer["own"]["ok"], true, "{answer:#}");
        // Core plugin commands are not in the capability, so they are refused.
        assert_eq!(answer["core"]["ok"], false, "{answer:#}");
        assert_eq!(window.client()?.title().await?, "Kith");
        // The CSP blocks inline scripts and connections to anywhere but IPC.
        assert_eq!(answer["injected"], false, "an inline script ran: {answer:#}");
        assert_eq!(answer["network"]["ok"], false, "{answer:#}");
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(listener.accept().is_err(), "the page reached {}", listener.local_addr()?);
        window.close().await
    })
    .await
}
