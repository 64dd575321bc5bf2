//! Real-window tests: First run to recovery key, unlock, lock and auto-lock, and Today.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Locator;
use kith_core::{Intake, NewSession};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::session::SessionKind;
use kith_tests::seed;
use kith_tests::window::AppWindow;

use crate::{launch_unlocked, within_time_limit};

/// A passphrase the first-run guidance rates strong.
const NEW_PASSPHRASE: &str = "orchard kettle lantern fog";
const LOCKED_HEADING: &str = "Kith is locked";

/// Doreen Abernathy, referred by her GP today, with an open concern and a visit booked today.
fn seed_doreen(kith: &kith_core::Kith) -> anyhow::Result<()> {
    let today = kith_core::today();
    let added = kith.add_person_with_referral(Intake {
        person: NewPerson {
            given_name: "Doreen".to_owned(),
            family_name: "Abernathy".to_owned(),
            ..NewPerson::default()
        },
        referral: NewReferral {
            received_on: today,
            source: ReferralSource::Gp,
            referrer: Some(Referrer {
                name: "Dr Priya Shah".to_owned(),
                organisation: Some("Ashbridge Medical Centre".to_owned()),
                contact: None,
            }),
            reason: "Lonely since her husband died; stopped going out.".to_owned(),
            needs: vec![Need::Loneliness, Need::Bereavement],
            background: None,
            consent_to_referral: true,
        },
        duplicates_checked: false,
    })?;
    let person_id = added.person.id;
    kith.raise_concern(person_id, ConcernKind::Neglect, "House very cold; no food in.".to_owned())?;
    kith.schedule_session(NewSession {
        person_id,
        care_plan_id: None,
        date: today,
        start_time: None,
        kind: SessionKind::HomeVisit,
        location: None,
    })?;
    Ok(())
}

/// The whole page as HTML, to check nothing personal is left anywhere in the DOM.
async fn page_html(window: &AppWindow) -> anyhow::Result<String> {
    let html =
        window.client()?.execute("return document.documentElement.outerHTML;", vec![]).await?;
    Ok(html.as_str().unwrap_or_default().to_owned())
}

/// Reads the recovery key from the page while it is shown, group by group.
async fn recovery_key_on_screen(window: &AppWindow) -> anyhow::Result<Vec<String>> {
    window.element("[data-testid=recovery-key-group]").await?;
    let mut groups = Vec::new();
    for element in
        window.client()?.find_all(Locator::Css("[data-testid=recovery-key-group]")).await?
    {
        groups.push(element.text().await?.trim().to_owned());
    }
    Ok(groups)
}

/// Waits until an `h1` reads exactly `text`. Asked in one script, so a screen being swapped
/// while it looks (as when the app locks itself) cannot leave it holding a stale element.
async fn wait_for_heading(window: &AppWindow, text: &str, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let found = window
            .client()?
            .execute(
                "return [...document.querySelectorAll('h1')]
                   .some((heading) => heading.textContent.trim() === arguments[0]);",
                vec![serde_json::Value::String(text.to_owned())],
            )
            .await?;
        if found == true {
            return Ok(());
        }
        if Instant::now() > deadline {
            let page = window.page_text().await.unwrap_or_default();
            anyhow::bail!("no h1 {text:?} after {limit:?}; the page showed {page:?}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn lock_with_the_button(window: &AppWindow) -> anyhow::Result<()> {
    window.click("[data-testid=lock]").await?;
    wait_for_heading(window, LOCKED_HEADING, Duration::from_secs(10)).await?;
    Ok(())
}

async fn unlock_with_passphrase(window: &AppWindow, passphrase: &str) -> anyhow::Result<Duration> {
    window.fill("#unlock-passphrase", passphrase).await?;
    let submitted = Instant::now();
    window.click("form button[type=submit]").await?;
    wait_for_heading(window, "Today", Duration::from_secs(20)).await?;
    Ok(submitted.elapsed())
}

#[tokio::test]
async fn first_run_shows_the_recovery_key_once_checks_the_copy_and_it_unlocks_later(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = AppWindow::launch().await?;
        wait_for_heading(&window, "Welcome to Kith", Duration::from_secs(20)).await?;
        window.check_accessibility("welcome").await?;
        window.screenshot("welcome").await?;

        window.click_text("Get started").await?;
        wait_for_heading(&window, "Choose a passphrase", Duration::from_secs(20)).await?;
        window.fill("#passphrase", NEW_PASSPHRASE).await?;
        window.fill("#confirmation", NEW_PASSPHRASE).await?;
        window.wait_for_text("[data-testid=strength-label]", "Strong.").await?;
        window.check_accessibility("passphrase").await?;
        window.screenshot("passphrase").await?;

        // Creating the profile runs the real Argon2id: the button is disabled meanwhile.
        let created = Instant::now();
        window.click("[data-testid=create-profile]").await?;
        // Unless creation already finished, the button is disabled and progress is shown.
        let state = window
            .client()?
            .execute(
                "const button = document.querySelector('[data-testid=create-profile]');
                 const progress = document.querySelector('[data-testid=create-progress]');
                 return button ? { disabled: button.disabled,
                                   progress: progress.textContent.trim() } : null;",
                vec![],
            )
            .await?;
        if !state.is_null() {
            assert_eq!(state["disabled"], true, "the button stays enabled while creating");
            assert_ne!(state["progress"], "", "no progress is shown while creating");
        }
        wait_for_heading(&window, "Save your recovery key", Duration::from_secs(20)).await?;
        println!("create profile (real Argon2id) → recovery key shown: {:?}", created.elapsed());
        assert!(
            window.data_dir().join(kith_core::PROFILE_DATABASE_FILE).is_file(),
            "the profile was not written"
        );

        let groups = recovery_key_on_screen(&window).await?;
        assert_eq!(groups.len(), 14, "{groups:?}");
        assert!(groups.iter().all(|group| group.len() == 4), "{groups:?}");
        let recovery_key = groups.join("-");
        window.check_accessibility("recovery key").await?;
        window.screenshot("recovery-key").await?;

        // Continuing without saying the key was kept is refused, next to the box.
        window.click_text("Continue").await?;
        let refused = window.wait_for_element_text("#kept-error").await?;
        assert!(refused.contains("Tick the box"), "{refused}");

        window.click("#kept-copy").await?;
        window.click_text("Continue").await?;
        window.wait_for_text("h2", "Check your copy").await?;
        // The key is hidden now: the check proves there is a copy elsewhere.
        let html = page_html(&window).await?;
        for group in &groups[1..13] {
            assert!(!html.contains(group.as_str()), "group {group} still on the page");
        }
        let asked: usize = window
            .element("#recovery-check")
            .await?
            .attr("data-group")
            .await?
            .ok_or_else(|| anyhow::anyhow!("no data-group on the check field"))?
            .parse()?;
        assert!((2..=13).contains(&asked), "asked for group {asked}");
        let wrong = if groups[asked - 1] == "0000" { "1111" } else { "0000" };
        window.screenshot("recovery-key-check").await?;
        window.fill("#recovery-check", wrong).await?;
        window.click_text("Finish and open Kith").await?;
        let refused = window.wait_for_element_text("#recovery-check-error").await?;
        assert!(refused.contains(&format!("That is not group {asked}")), "{refused}");

        // Typed in lower case, as people do: still accepted.
        window.fill("#recovery-check", &groups[asked - 1].to_lowercase()).await?;
        window.click_text("Finish and open Kith").await?;
        wait_for_heading(&window, "Today", Duration::from_secs(20)).await?;
        assert!(!page_html(&window).await?.contains(&recovery_key), "the key is still shown");

        // Lock; the lock screen offers the recovery key, which unlocks.
        lock_with_the_button(&window).await?;
        window.click_text("Use recovery key instead").await?;
        window.fill("#unlock-recovery-key", &recovery_key).await?;
        window.click("form button[type=submit]").await?;
        wait_for_heading(&window, "Today", Duration::from_secs(20)).await?;

        // Lock again and unlock with the passphrase (real Argon2id), without relaunching.
        lock_with_the_button(&window).await?;
        let unlocked_after = unlock_with_passphrase(&window, NEW_PASSPHRASE).await?;
        println!(
            "unlock with passphrase (real Argon2id): submit → Today shown: {unlocked_after:?}"
        );
        window.close().await
    })
    .await
}

#[tokio::test]
async fn the_lock_screen_explains_each_refusal_next_to_the_field() -> anyhow::Result<()> {
    within_time_limit(async {
        let mut recovery_key = String::new();
        let window = AppWindow::launch_with(|dir| {
            recovery_key = seed::seed_profile(dir, |_| Ok(()))?.recovery_key;
            Ok(())
        })
        .await?;
        wait_for_heading(&window, LOCKED_HEADING, Duration::from_secs(20)).await?;
        let shown_after = window.launched_at.elapsed();
        window.element("#unlock-passphrase").await?;
        window.check_accessibility("unlock").await?;
        window.screenshot("unlock").await?;
        let profile = window.data_dir().join(kith_core::PROFILE_DATABASE_FILE);
        let before = std::fs::read(&profile)?;

        window.fill("#unlock-passphrase", "not my passphrase at all").await?;
        window.click("form button[type=submit]").await?;
        let message = window.wait_for_element_text("#unlock-error").await?;
        assert!(message.to_lowercase().contains("passphrase"), "{message}");
        let field = window.element("#unlock-passphrase").await?;
        assert_eq!(field.attr("aria-invalid").await?.as_deref(), Some("true"));
        assert_eq!(field.attr("aria-describedby").await?.as_deref(), Some("unlock-error"));
        window.check_accessibility("unlock with an error").await?;
        window.screenshot("unlock-wrong-passphrase").await?;

        // The recovery key: a typo and a well-formed key of another profile get their own words.
        window.click_text("Use recovery key instead").await?;
        window.fill("#unlock-recovery-key", "ABCD-EFGH").await?;
        window.click("form button[type=submit]").await?;
        let typo = window.wait_for_element_text("#unlock-error").await?;
        let other_dir = tempfile::tempdir()?;
        let other_key = seed::seed_profile(other_dir.path(), |_| Ok(()))?.recovery_key;
        window.fill("#unlock-recovery-key", &other_key).await?;
        window.click("form button[type=submit]").await?;
        let wrong = loop {
            let shown = window.wait_for_element_text("#unlock-error").await?;
            if shown != typo {
                break shown;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        };
        println!("recovery key typo: {typo:?}; another profile's key: {wrong:?}");
        assert!(!typo.is_empty() && !wrong.is_empty());
        assert_eq!(std::fs::read(&profile)?, before, "a refused unlock changed the profile");

        // The right key unlocks.
        window.fill("#unlock-recovery-key", &recovery_key).await?;
        window.click("form button[type=submit]").await?;
        wait_for_heading(&window, "Today", Duration::from_secs(20)).await?;

        lock_with_the_button(&window).await?;
        let unlocked_after = unlock_with_passphrase(&window, seed::PASSPHRASE).await?;
        println!(
            "launch → unlock screen shown: {shown_after:?}; unlock (submit, test-cheap KDF) → \
             Today rendered: {unlocked_after:?}"
        );
        window.close().await
    })
    .await
}

#[tokio::test]
async fn today_lists_the_open_concern_first_and_the_visit_due_today() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(seed_doreen).await?;
        let concerns = window.wait_for_element_text("[data-testid=today-open_concerns]").await?;
        assert!(concerns.contains("Doreen Abernathy"), "{concerns}");
        let count = window.wait_for_element_text("[data-testid=count-open_concerns]").await?;
        assert_eq!(count, "1 person");
        let visits = window.wait_for_element_text("[data-testid=today-visits_today]").await?;
        assert!(visits.contains("Doreen Abernathy"), "{visits}");
        assert!(visits.contains("Start visit"), "{visits}");
        let referrals = window.wait_for_element_text("[data-testid=today-new_referrals]").await?;
        assert!(referrals.contains("Doreen Abernathy"), "{referrals}");
        let sync = window.wait_for_element_text("[data-testid=sync-state]").await?;
        assert!(sync.contains("Not connected to a practice server"), "{sync}");

        // The open concern is the first section, before the visits.
        let first = window.element(".today-section").await?.attr("data-testid").await?;
        assert_eq!(first.as_deref(), Some("today-open_concerns"));
        window.check_accessibility("Today").await?;
        window.screenshot("today").await?;
        // At the smallest supported size Today still fits across, with no sideways scroll.
        window.client()?.set_window_size(1024, 768).await?;
        let fits = window
            .client()?
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth
                    && window.innerWidth <= 1024;",
                vec![],
            )
            .await?;
        assert_eq!(fits, true, "Today scrolls sideways at 1024×768");
        window.screenshot("today-1024x768").await?;

        // Each line opens the person's record.
        let line =
            window.client()?.find(Locator::Css("[data-testid=today-open_concerns] a")).await?;
        line.click().await?;
        window
            .client()?
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("[data-testid=nav-people][aria-current=page]"))
            .await?;
        assert!(window.client()?.find_all(Locator::Css(".today-section")).await?.is_empty());

        // The nav goes to each section and back to Today, where focus lands on the heading.
        window.click("[data-testid=nav-directory]").await?;
        window.element("[data-testid=nav-directory][aria-current=page]").await?;
        window.click("[data-testid=nav-today]").await?;
        wait_for_heading(&window, "Today", Duration::from_secs(20)).await?;
        let focused = window
            .client()?
            .execute("return document.activeElement && document.activeElement.tagName;", vec![])
            .await?;
        assert_eq!(focused, "H1", "focus did not move to the new screen's heading");

        // Settings: the auto-lock delay, kept in localStorage.
        window.click("[data-testid=open-settings]").await?;
        wait_for_heading(&window, "Settings", Duration::from_secs(20)).await?;
        window.check_accessibility("settings").await?;
        window.screenshot("settings").await?;
        window.select("#auto-lock-minutes", "10 minutes").await?;
        window.click_text("Save").await?;
        window
            .wait_for_text("[role=status]", "Saved. Kith will lock after 10 minutes without use.")
            .await?;
        let stored = window
            .client()?
            .execute("return localStorage.getItem('kith.autoLockSeconds');", vec![])
            .await?;
        assert_eq!(stored, "600");
        window.click_text("Close").await?;

        // Ctrl+L locks at once, from anywhere.
        window
            .client()?
            .active_element()
            .await?
            .send_keys(&format!("{}l", char::from(Key::Control)))
            .await?;
        wait_for_heading(&window, LOCKED_HEADING, Duration::from_secs(10)).await?;
        assert!(!page_html(&window).await?.contains("Abernathy"));
        window.close().await
    })
    .await
}

#[tokio::test]
async fn auto_lock_after_inactivity_hides_everything() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(seed_doreen).await?;
        window.wait_for_text("[data-testid=today-open_concerns] a", "Doreen Abernathy").await?;
        // Settings offer whole minutes only; a test writes a few seconds directly. The delay
        // is read at unlock, so lock and unlock once to take it up.
        window
            .client()?
            .execute("localStorage.setItem('kith.autoLockSeconds', '3');", vec![])
            .await?;
        lock_with_the_button(&window).await?;
        unlock_with_passphrase(&window, seed::PASSPHRASE).await?;
        window.wait_for_text("[data-testid=today-open_concerns] a", "Doreen Abernathy").await?;
        let idle_from = Instant::now();

        wait_for_heading(&window, LOCKED_HEADING, Duration::from_secs(15)).await?;
        let locked_after = idle_from.elapsed();
        assert!(locked_after >= Duration::from_secs(2), "locked too early: {locked_after:?}");
        println!("auto-lock (3 s setting) took effect after {locked_after:?}");
        window.element("[data-testid=locked-by-inactivity]").await?;

        let text = window.page_text().await?;
        let html = page_html(&window).await?;
        for personal in ["Doreen", "Abernathy", "1 person", "Today"] {
            assert!(!text.contains(personal), "{personal:?} still on the locked screen: {text}");
            assert!(!html.contains(personal), "{personal:?} still in the locked page's DOM");
        }
        // The core is locked too: asking for Today over IPC is refused.
        let answer = window
            .client()?
            .execute_async(
                "const done = arguments[0];
                 window.__TAURI_INTERNALS__.invoke('today')
                   .then(() => done('answered'), (error) => done(error.code));",
                vec![],
            )
            .await?;
        assert_eq!(answer, "locked");
        window.check_accessibility("locked").await?;
        window.screenshot("locked").await?;
        window.close().await
    })
    .await
}
