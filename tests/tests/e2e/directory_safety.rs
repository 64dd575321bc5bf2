//! Real-window tests: The community directory, connecting a person, consent and safeguarding.

use chrono::Datelike;
use fantoccini::Locator;
use kith_core::{today, Intake, Kith};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, Referrer};
use kith_domain::PersonId;
use kith_tests::window::{repository_root, AppWindow};

use crate::{focused_id, launch_unlocked, type_date, within_time_limit};

/// Adds Dot Abernathy with a GP referral, as intake would.
fn seed_dot(kith: &Kith) -> anyhow::Result<PersonId> {
    let intake = Intake {
        person: NewPerson {
            given_name: "Doreen".to_owned(),
            family_name: "Abernathy".to_owned(),
            preferred_name: Some("Dot".to_owned()),
            ..NewPerson::default()
        },
        referral: NewReferral {
            received_on: today(),
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
        duplicates_checked: true,
    };
    Ok(kith.add_person_with_referral(intake)?.person.id)
}

/// Imports the sample directory shipped in `assets/`, as the app's "Load the sample" does.
fn seed_sample_directory(kith: &Kith) -> anyhow::Result<()> {
    let sample =
        std::fs::read_to_string(repository_root().join("assets/directory/oruk-sample.json"))?;
    let imported = kith.import_directory(&sample)?;
    anyhow::ensure!(imported.added == 48, "the sample added {}", imported.added);
    Ok(())
}

/// Finds Dot from People, as a link worker would, and opens her record.
async fn open_dots_record(window: &AppWindow) -> anyhow::Result<()> {
    window.click("[data-testid=nav-people]").await?;
    window.wait_for_text("h1", "People").await?;
    window.fill("#people-search", "Abernathy").await?;
    window.wait_for_text("[data-testid=people-count]", "1 person found").await?;
    window.click("a[data-testid=person-result]").await?;
    window.wait_for_text("h1", "Dot Abernathy").await?;
    Ok(())
}

/// Today's date as the screens write it, e.g. "3 Dec 2026".
fn today_in_words() -> String {
    today().format("%-d %b %Y").to_string()
}

/// The names on the service cards now showing.
async fn service_names(window: &AppWindow) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for heading in window.client()?.find_all(Locator::Css("[data-testid=service-card] h3")).await? {
        names.push(heading.text().await?.trim().to_owned());
    }
    Ok(names)
}

#[tokio::test]
async fn an_empty_directory_loads_the_sample_which_can_be_searched_as_you_type(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|_| Ok(())).await?;
        window.click("[data-testid=nav-directory]").await?;
        window.wait_for_text("h1", "Community directory").await?;

        // Empty at first: the screen says why and offers the sample.
        window.wait_for_text("[data-testid=directory-empty] h2", "The directory is empty").await?;
        window.check_accessibility("directory (empty)").await?;
        window.screenshot("directory-empty").await?;

        window.click("[data-testid=load-sample]").await?;
        let summary = window.wait_for_element_text("[data-testid=import-result]").await?;
        assert_eq!(summary, "Added 48 services, updated 0, 0 left out.");
        window.wait_for_text("[data-testid=result-count]", "48 services").await?;
        assert_eq!(service_names(&window).await?.len(), 48);

        // Search as you type: every word must match somewhere in the service.
        window.fill("#directory-search", "choir").await?;
        window.wait_for_text("[data-testid=result-count]", "1 service matching “choir”").await?;
        assert_eq!(service_names(&window).await?, ["Riverside Voices Community Choir"]);

        window.fill("#directory-search", "library").await?;
        let count = window.wait_for_element_text("[data-testid=result-count]").await?;
        assert!(count.ends_with("services matching “library”"), "{count}");
        let found = service_names(&window).await?;
        assert!(found.contains(&"Knit, Stitch and Natter".to_owned()), "{found:?}");
        assert!(!found.contains(&"Telephone Friends".to_owned()), "{found:?}");

        // A category narrows the search further.
        window.select("#directory-category", "Money and debt advice (3)").await?;
        window
            .wait_for_text(
                "[data-testid=result-count]",
                "1 service matching “library” in Money and debt advice",
            )
            .await?;
        assert_eq!(service_names(&window).await?, ["Money Matters Drop-in at the Library"]);

        // Backspacing the words away (as a person would) shows the whole category again.
        let search = window.element("#directory-search").await?;
        search.send_keys(&"\u{E003}".repeat("library".len())).await?;
        window
            .wait_for_text("[data-testid=result-count]", "3 services in Money and debt advice")
            .await?;
        window.select("#directory-category", "All categories (48)").await?;
        window.wait_for_text("[data-testid=result-count]", "48 services").await?;
        window.check_accessibility("directory").await?;
        window.screenshot("directory").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_person_is_referred_to_a_service_then_marked_attended() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            seed_sample_directory(kith)?;
            seed_dot(kith).map(|_| ())
        })
        .await?;
        open_dots_record(&window).await?;
        window.click("[data-testid=connect-service]").await?;
        window.wait_for_text("h1", "Community directory").await?;
        let banner = window.wait_for_element_text("[data-testid=connecting-banner]").await?;
        assert!(banner.starts_with("Connecting Dot Abernathy"), "{banner}");
        window.element("[data-testid=no-connections]").await?;
        window.check_accessibility("directory for a person").await?;
        window.screenshot("directory-for-person").await?;

        window.fill("#directory-search", "choir").await?;
        window.wait_for_text("[data-testid=result-count]", "1 service matching “choir”").await?;
        window.click("[data-testid=service-card] [data-testid=refer]").await?;

        // The connection is listed at the top, referred today; the card says it is connected.
        window
            .wait_for_text("[data-testid=connection] strong", "Riverside Voices Community Choir")
            .await?;
        window.wait_for_text("[data-testid=connection-status]", "Referred").await?;
        let history = window.wait_for_element_text("[data-testid=connection] .history").await?;
        assert_eq!(history, format!("Referred on {}", today_in_words()));
        window.element("[data-testid=service-card] [data-testid=service-connected]").await?;
        let refer_buttons = window.client()?.find_all(Locator::Css("[data-testid=refer]")).await?;
        assert!(refer_buttons.is_empty(), "a live connection can be referred twice");

        window.click("[data-testid=move-attended]").await?;
        window.wait_for_text("[data-testid=connection-status]", "Attended").await?;
        // Attended may only stop now: the earlier moves are not offered.
        let moves = window.client()?.find_all(Locator::Css("[data-testid^=move-]")).await?;
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].attr("data-testid").await?.as_deref(), Some("move-stopped"));

        // A date with no year is refused before anything is sent, the cursor put in the year.
        window.fill("#connection-change-date-year", "").await?;
        window.click("[data-testid=move-stopped]").await?;
        let problem = window.wait_for_element_text("#connection-change-date-error").await?;
        assert_eq!(problem, "The date of the change must include a year");
        assert_eq!(focused_id(&window).await?, "connection-change-date-year");
        window.wait_for_text("[data-testid=connection-status]", "Attended").await?;
        window.check_accessibility("a connection's date of change with an error").await?;
        window.screenshot_at("#connection-change-date", "directory-change-date-error").await?;

        // A move dated before the connection was made is refused with the core's message.
        let yesterday = today().pred_opt().ok_or_else(|| anyhow::anyhow!("no yesterday"))?;
        let [day, month, year] = [yesterday.day(), yesterday.month(), yesterday.year() as u32]
            .map(|part| part.to_string());
        type_date(&window, "connection-change-date", &day, &month, &year).await?;
        window
            .wait_for_text(
                "#connection-change-date-words",
                &yesterday.format("%A %-d %B %Y").to_string(),
            )
            .await?;
        window.click("[data-testid=move-stopped]").await?;
        let refused = window.wait_for_element_text("[data-testid=connection] .field-error").await?;
        assert_eq!(
            refused,
            "The date of the status change cannot be before the date the connection was made; \
             check the dates"
        );
        window.wait_for_text("[data-testid=connection-status]", "Attended").await?;
        window.screenshot("directory-connection-attended").await?;

        // Back on her record, the connection is on the timeline.
        window.click_text("Back").await?;
        window.wait_for_text("h1", "Dot Abernathy").await?;
        let record = window.page_text().await?;
        assert!(record.contains("Riverside Voices Community Choir"), "{record}");
        window.close().await
    })
    .await
}

#[tokio::test]
async fn consent_is_recorded_then_withdrawn_and_the_state_follows() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| seed_dot(kith).map(|_| ())).await?;
        open_dots_record(&window).await?;
        window.click("[data-testid=record-consent]").await?;
        window.wait_for_text("h1", "Consent").await?;
        let gp_state =
            "[data-testid=consent-row][data-kind=share_with_gp] [data-testid=consent-state]";
        window.wait_for_text(gp_state, "Not recorded").await?;

        // An empty form explains what is missing.
        window.click("[data-testid=consent-form] button[type=submit]").await?;
        let summary = window.wait_for_element_text(".error-summary").await?;
        assert!(summary.contains("Choose what the consent is about"), "{summary}");
        assert!(summary.contains("Choose whether consent was given or withdrawn"), "{summary}");

        window.click("#consent-kind-share_with_gp").await?;
        window.click("#consent-decision-given").await?;
        window.click("[data-testid=consent-form] button[type=submit]").await?;
        let given = format!("Given on {}", today_in_words());
        window.wait_for_text(gp_state, &given).await?;
        let history = window.wait_for_element_text("[data-testid=consent-history]").await?;
        assert!(history.contains("Sharing with their GP: given"), "{history}");
        window.check_accessibility("consent").await?;
        window.screenshot("consent").await?;

        // Withdrawing from the row fills in the form; the state and history follow.
        window
            .click(
                "[data-testid=consent-row][data-kind=share_with_gp] [data-testid=prepare-withdraw]",
            )
            .await?;
        let withdrawn_chosen =
            window.element("#consent-decision-withdrawn").await?.prop("checked").await?;
        assert_eq!(withdrawn_chosen.as_deref(), Some("true"));
        window.click("[data-testid=consent-form] button[type=submit]").await?;
        let withdrawn = format!("Withdrawn on {}", today_in_words());
        window.wait_for_text(gp_state, &withdrawn).await?;
        let history = window.wait_for_element_text("[data-testid=consent-history]").await?;
        assert!(history.contains("Sharing with their GP: withdrawn"), "{history}");
        let first = history.lines().next().unwrap_or_default().to_owned();
        assert!(first.contains("withdrawn"), "newest is not first: {history}");
        window.screenshot("consent-withdrawn").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_concern_is_raised_seen_on_today_and_the_record_escalated_and_closed(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| seed_dot(kith).map(|_| ())).await?;
        open_dots_record(&window).await?;
        window.click("[data-testid=raise-concern]").await?;
        window.wait_for_text("h1", "Safeguarding").await?;
        let urgent = window.wait_for_element_text("[data-testid=urgent-advice]").await?;
        assert!(urgent.contains("In immediate danger: call 999 now."), "{urgent}");
        assert!(urgent.contains("adult social care"), "{urgent}");

        window.click("[data-testid=raise-form] button[type=submit]").await?;
        let summary = window.wait_for_element_text(".error-summary").await?;
        assert!(summary.contains("Choose what kind of concern it is"), "{summary}");
        assert!(summary.contains("Describe what you saw or heard, in facts"), "{summary}");

        window.click("#concern-kind-neglect").await?;
        window
            .fill(
                "#concern-description",
                "Kitchen had no food on 3rd visit; Dot said \"I haven't eaten since Sunday\".",
            )
            .await?;
        window.click("[data-testid=raise-form] button[type=submit]").await?;
        window
            .wait_for_text("[data-testid=open-concerns] [data-testid=concern-status]", "Raised")
            .await?;
        window.check_accessibility("safeguarding").await?;
        window.screenshot("safeguarding").await?;

        // On Today, under open concerns; and on her record, where it cannot be missed.
        window.click("[data-testid=nav-today]").await?;
        window.wait_for_text("h1", "Today").await?;
        window
            .wait_for_text("[data-testid=today-open_concerns] a", "Dot Abernathy")
            .await?
            .click()
            .await?;
        window.wait_for_text("h1", "Dot Abernathy").await?;
        let alert = window.wait_for_element_text("[data-testid=open-concern]").await?;
        assert!(alert.contains("Neglect"), "{alert}");

        window.click("[data-testid=raise-concern]").await?;
        window.wait_for_text("h1", "Safeguarding").await?;
        window.click("[data-testid=escalate-open]").await?;
        window
            .fill("[data-testid=escalate-form] input[name=to-whom]", "Practice safeguarding lead")
            .await?;
        window.fill("[data-testid=escalate-form] input[name=reference]", "SG-0412").await?;
        window.click("[data-testid=escalate-form] button[type=submit]").await?;
        window
            .wait_for_text("[data-testid=open-concerns] [data-testid=concern-status]", "Escalated")
            .await?;
        let escalation = window.wait_for_element_text("[data-testid=concern-escalation]").await?;
        assert!(
            escalation.starts_with("Escalated to Practice safeguarding lead on"),
            "{escalation}"
        );
        assert!(escalation.ends_with("reference SG-0412."), "{escalation}");
        // Escalated once, it cannot be escalated again; it can only be closed.
        let again = window.client()?.find_all(Locator::Css("[data-testid=escalate-open]")).await?;
        assert!(again.is_empty());
        window.screenshot("safeguarding-escalated").await?;

        window.click("[data-testid=close-open]").await?;
        window.click("[data-testid=close-form] button[type=submit]").await?;
        window
            .wait_for_text(
                "[data-testid=close-form] .field-error",
                "Enter the outcome: what happened and why it can be closed",
            )
            .await?;
        window
            .fill(
                "[data-testid=close-form] textarea[name=outcome]",
                "Adult social care visited; daughter now shops for her weekly.",
            )
            .await?;
        window.click("[data-testid=close-form] button[type=submit]").await?;
        window
            .wait_for_text("[data-testid=closed-concerns] [data-testid=concern-status]", "Closed")
            .await?;
        window.element("[data-testid=no-open-concerns]").await?;
        let closure = window.wait_for_element_text("[data-testid=concern-closure]").await?;
        assert!(closure.ends_with("daughter now shops for her weekly."), "{closure}");

        // Closed, it leaves Today's open concerns.
        window.click("[data-testid=nav-today]").await?;
        window.wait_for_text("h1", "Today").await?;
        let today_text = window.wait_for_element_text("[data-testid=today-open_concerns]").await?;
        assert!(!today_text.contains("Dot Abernathy"), "{today_text}");
        window.close().await
    })
    .await
}
