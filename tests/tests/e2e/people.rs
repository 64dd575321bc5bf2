//! Real-window tests: People: search as you type, new person with a referral, a person's record.

use chrono::{Days, NaiveDate};
use fantoccini::key::Key;
use fantoccini::Locator;
use kith_core::{Intake, Kith, NewCarePlan, NewDischarge, NewGoal, NewMeasure};
use kith_domain::care_plan::{GoalStep, ProgressStatus};
use kith_domain::consent::{ConsentDecision, ConsentKind};
use kith_domain::discharge::DischargeReason;
use kith_domain::measures::{MeasureAnswers, MeasureTiming, Ucla3Answers};
use kith_domain::person::{AccessibilityNeeds, NewPerson};
use kith_domain::referral::{Need, NewReferral, ReferralSource, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::session::SessionKind;
use kith_domain::PersonId;
use kith_tests::window::AppWindow;

use crate::{
    focused_id, launch_unlocked, launch_unlocked_with_env, open_store, type_date, within_time_limit,
};

/// A valid NHS number (check digit 9) and the same with its last digit mistyped.
const VALID_NHS_NUMBER: &str = "943 476 5919";
const MISTYPED_NHS_NUMBER: &str = "943 476 5918";

fn gp_referral(needs: Vec<Need>, reason: &str) -> NewReferral {
    NewReferral {
        received_on: kith_core::today(),
        source: ReferralSource::Gp,
        referrer: Some(Referrer {
            name: "Dr Priya Shah".to_owned(),
            organisation: Some("Ashbridge Medical Centre".to_owned()),
            contact: None,
        }),
        reason: reason.to_owned(),
        needs,
        background: None,
        consent_to_referral: true,
    }
}

fn add(kith: &Kith, person: NewPerson, needs: Vec<Need>) -> anyhow::Result<PersonId> {
    let intake = Intake {
        person,
        referral: gp_referral(needs, "Lonely since her husband died; stopped going out."),
        duplicates_checked: true,
    };
    Ok(kith.add_person_with_referral(intake)?.person.id)
}

fn named(given: &str, family: &str) -> NewPerson {
    NewPerson {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        ..NewPerson::default()
    }
}

/// Doreen ("Dot") Abernathy, with a valid NHS number, Welsh with an interpreter.
fn doreen() -> NewPerson {
    NewPerson {
        nhs_number: Some(VALID_NHS_NUMBER.to_owned()),
        preferred_name: Some("Dot".to_owned()),
        pronouns: Some("she/her".to_owned()),
        date_of_birth: NaiveDate::from_ymd_opt(1941, 3, 9),
        preferred_language: Some("Welsh".to_owned()),
        interpreter_needed: true,
        accessibility_needs: AccessibilityNeeds {
            large_print: true,
            hearing: true,
            ..AccessibilityNeeds::default()
        },
        ..named("Doreen", "Abernathy")
    }
}

/// The smallest screen Kith supports: every screenshot here is taken at this size.
async fn at_smallest_size(window: &AppWindow) -> anyhow::Result<()> {
    window.client()?.set_window_size(1024, 768).await?;
    Ok(())
}

/// Nothing on the page makes it scroll sideways.
async fn fits_across(window: &AppWindow) -> anyhow::Result<bool> {
    let fits = window
        .client()?
        .execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![])
        .await?;
    Ok(fits == true)
}

async fn open_people(window: &AppWindow) -> anyhow::Result<()> {
    window.click("[data-testid=nav-people]").await?;
    window.wait_for_text("h1", "People").await?;
    Ok(())
}

async fn attr(window: &AppWindow, css: &str, name: &str) -> anyhow::Result<Option<String>> {
    Ok(window.element(css).await?.attr(name).await?)
}

async fn result_names(window: &AppWindow) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for link in window.client()?.find_all(Locator::Css("[data-testid=person-result] .name")).await?
    {
        names.push(link.text().await?.trim().to_owned());
    }
    Ok(names)
}

/// Fills what the intake form needs besides the NHS number.
async fn fill_intake(window: &AppWindow, given: &str, family: &str) -> anyhow::Result<()> {
    window.fill("#given-name", given).await?;
    window.fill("#family-name", family).await?;
    window.select("#source", "GP").await?;
    window.fill("#referrer-name", "Dr Priya Shah").await?;
    window.click("input[data-need=loneliness]").await?;
    window.fill("#reason", "Finds it hard to leave the house since her fall.").await?;
    window.click("#consent").await?;
    Ok(())
}

/// Where the window tests keep the locales they generate (`localedef`), so a machine that has
/// only the C locale can still run the app under en_US or en_GB.
fn generated_locales() -> std::path::PathBuf {
    kith_tests::window::repository_root().join("target").join("e2e-locales")
}

/// The environment that runs the app under `locale` ("en_US.UTF-8"): `LANG` and `LC_ALL`, and
/// `LOCPATH` to a generated copy of the locale when the system has none (the test's own check
/// of what the page sees is what counts, not this).
fn locale_env(locale: &str) -> Vec<(String, String)> {
    let mut env =
        vec![("LANG".to_owned(), locale.to_owned()), ("LC_ALL".to_owned(), locale.to_owned())];
    let installed = std::process::Command::new("locale")
        .arg("-a")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).to_lowercase())
        .unwrap_or_default();
    if installed.contains(&locale.to_lowercase().replace("utf-8", "utf8")) {
        return env;
    }
    let dir = generated_locales();
    let target = dir.join(locale);
    let (name, charmap) = locale.split_once('.').unwrap_or((locale, "UTF-8"));
    let generated = target.is_dir()
        || std::fs::create_dir_all(&dir).is_ok()
            && std::process::Command::new("localedef")
                .args(["-i", name, "-f", charmap])
                .arg(&target)
                .status()
                .map(|status| status.success())
                .unwrap_or(false);
    if generated {
        env.push(("LOCPATH".to_owned(), dir.display().to_string()));
    }
    env
}

/// A new person and their referral with dates typed the UK way, day / month / year, under the
/// laptop locale `locale`: the page really runs under it (its own date format is `native`),
/// and the dates stored and shown are the ones typed, never read month first.
async fn uk_dates_are_stored_as_typed_under(locale: &str, native: &str) -> anyhow::Result<()> {
    let env = locale_env(locale);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let window = launch_unlocked_with_env(|_| Ok(()), &env).await?;
    // The control: the web view follows the locale, so a native date input would too.
    let seen = window
        .client()?
        .execute("return new Date(2026, 11, 3).toLocaleDateString();", vec![])
        .await?;
    assert_eq!(seen.as_str(), Some(native), "the page does not run under {locale}");

    at_smallest_size(&window).await?;
    open_people(&window).await?;
    window.click("[data-testid=add-person]").await?;
    window.wait_for_text("h1", "Add a person").await?;
    let shot = locale.split('.').next().unwrap_or(locale);

    // An optional date starts empty: no greyed-out today that reads as filled in.
    for part in ["day", "month", "year"] {
        let value = window.element(&format!("#date-of-birth-{part}")).await?.prop("value").await?;
        assert_eq!(value.as_deref(), Some(""), "date of birth {part}");
    }
    assert_eq!(window.wait_for_element_text("#date-of-birth-words").await?, "");
    let hint = window.wait_for_element_text("#received-on-hint").await?;
    assert_eq!(hint, "For example, 3 12 2026");
    window.screenshot_at("#date-of-birth", &format!("date-input-empty-{shot}")).await?;

    // Typed the UK way: the date in words says which day that is.
    type_date(&window, "received-on", "03", "11", "2025").await?;
    window.wait_for_text("#received-on-words", "Monday 3 November 2025").await?;
    // A whole date typed into Day is spread over the three fields.
    window.fill("#date-of-birth-day", "9/3/1941").await?;
    window.wait_for_text("#date-of-birth-words", "Sunday 9 March 1941").await?;
    let year = window.element("#date-of-birth-year").await?.prop("value").await?;
    assert_eq!(year.as_deref(), Some("1941"));
    window.screenshot_at("#date-of-birth", &format!("date-input-valid-{shot}")).await?;

    // An impossible date and a partial one: each named, the group marked, the wrong part
    // outlined, and the summary's link puts the cursor in it.
    type_date(&window, "date-of-birth", "29", "2", "1941").await?;
    window.fill("#received-on-year", "").await?;
    fill_intake(&window, "Agnes", "Mbeki").await?;
    window.click("[data-testid=save-person]").await?;
    let summary = window.wait_for_element_text("[data-testid=error-summary]").await?;
    assert!(summary.contains("Date of birth must be a real date"), "{summary}");
    assert!(summary.contains("Date received must include a year"), "{summary}");
    let received = window.wait_for_element_text("#received-on-error").await?;
    assert_eq!(received, "Date received must include a year");
    window.element("fieldset#received-on.invalid").await?;
    assert_eq!(attr(&window, "#received-on-year", "aria-invalid").await?.as_deref(), Some("true"));
    assert_eq!(attr(&window, "#received-on-day", "aria-invalid").await?, None);
    assert_eq!(attr(&window, "#date-of-birth-day", "aria-invalid").await?.as_deref(), Some("true"));
    let described = attr(&window, "#received-on", "aria-describedby").await?.unwrap_or_default();
    assert!(described.contains("received-on-error"), "{described}");
    window.check_accessibility("new person with date errors").await?;
    assert!(fits_across(&window).await?, "the form scrolls sideways at 1024×768");
    window.screenshot_at("#date-of-birth", &format!("date-input-error-{shot}")).await?;
    window.click_text("Date received must include a year").await?;
    assert_eq!(focused_id(&window).await?, "received-on-year");
    // The cursor in a date part shows a ring.
    let ring = window
        .client()?
        .execute(
            "const style = getComputedStyle(document.activeElement);
             return style.outlineStyle + ' ' + style.outlineWidth;",
            vec![],
        )
        .await?;
    assert_eq!(ring.as_str(), Some("solid 3px"), "no focus ring on the year");
    window.screenshot_at("#received-on", &format!("date-input-focus-{shot}")).await?;

    window.fill("#received-on-year", "2025").await?;
    type_date(&window, "date-of-birth", "9", "3", "1941").await?;
    window.wait_for_text("#date-of-birth-words", "Sunday 9 March 1941").await?;
    window.click("[data-testid=save-person]").await?;
    window.wait_for_text("h1", "Agnes Mbeki").await?;
    // Shown as typed, "3 Nov 2025", and stored as that day.
    let referred = window.element("[data-testid=timeline] time[datetime='2025-11-03']").await?;
    assert_eq!(referred.text().await?.trim(), "3 Nov 2025");

    let kith = open_store(window.data_dir())?;
    let person_id = kith
        .search("Mbeki")?
        .first()
        .map(|hit| hit.person_id)
        .ok_or_else(|| anyhow::anyhow!("Agnes was not saved"))?;
    let record = kith.person_record(person_id)?;
    assert_eq!(record.person.date_of_birth, NaiveDate::from_ymd_opt(1941, 3, 9));
    let received_on: Vec<NaiveDate> = record.referrals.iter().map(|r| r.received_on).collect();
    assert_eq!(received_on, NaiveDate::from_ymd_opt(2025, 11, 3).into_iter().collect::<Vec<_>>());
    window.close().await
}

#[tokio::test]
async fn a_uk_date_is_stored_as_typed_on_a_laptop_set_to_a_us_locale() -> anyhow::Result<()> {
    within_time_limit(uk_dates_are_stored_as_typed_under("en_US.UTF-8", "12/3/2026")).await
}

#[tokio::test]
async fn a_uk_date_is_stored_as_typed_on_a_laptop_set_to_a_uk_locale() -> anyhow::Result<()> {
    within_time_limit(uk_dates_are_stored_as_typed_under("en_GB.UTF-8", "03/12/2026")).await
}

#[tokio::test]
async fn a_person_is_added_with_a_referral_after_an_invalid_nhs_number_is_refused_as_typed(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|_| Ok(())).await?;
        at_smallest_size(&window).await?;
        open_people(&window).await?;
        // An empty caseload says what to do rather than showing a blank page.
        let empty = window.wait_for_element_text("[data-testid=people-empty]").await?;
        assert!(empty.contains("Add a person"), "{empty}");

        window.click("[data-testid=add-person]").await?;
        window.wait_for_text("h1", "Add a person").await?;

        // Typed with its last digit wrong: refused at once, with the reason, before any submit.
        window.fill("#nhs-number", MISTYPED_NHS_NUMBER).await?;
        let refused = window.wait_for_element_text("[data-testid=nhs-number-error]").await?;
        assert!(refused.contains("the last digit does not match the others"), "{refused}");
        assert_eq!(attr(&window, "#nhs-number", "aria-invalid").await?.as_deref(), Some("true"));
        let described = attr(&window, "#nhs-number", "aria-describedby").await?.unwrap_or_default();
        assert!(described.contains("nhs-number-error"), "{described}");
        window.check_accessibility("new person with an NHS number error").await?;
        assert!(fits_across(&window).await?, "the form scrolls sideways at 1024×768");
        window.screenshot("people-new-person-error").await?;

        // Corrected: the error goes and the number is confirmed in 3 3 4 groups.
        window.fill("#nhs-number", "9434765919").await?;
        window
            .wait_for_text("[data-testid=nhs-number-status]", "Valid NHS number: 943 476 5919")
            .await?;
        let errors = window.client()?.find_all(Locator::Css("[data-testid=nhs-number-error]"));
        assert!(errors.await?.is_empty(), "the NHS number error stayed after the fix");

        // Saved with nothing else filled in: the summary lists what is missing, in form order.
        window.click("[data-testid=save-person]").await?;
        let summary = window.wait_for_element_text("[data-testid=error-summary]").await?;
        let given = summary.find("given (first) name").unwrap_or(usize::MAX);
        let consent = summary.find("consent").unwrap_or(0);
        assert!(given < consent, "{summary}");

        fill_intake(&window, "Margaret", "Oyelaran").await?;
        window.fill("#preferred-name", "Peggy").await?;
        window.fill("#pronouns", "she/her").await?;
        window.fill("#preferred-language", "Yoruba").await?;
        window.click("#interpreter-needed").await?;
        window.click("input[value=large_print]").await?;
        window.click("[data-testid=save-person]").await?;

        // The new person's record opens with the banner.
        window.wait_for_text("h1", "Peggy Oyelaran").await?;
        let banner = window.wait_for_element_text("[data-testid=person-banner]").await?;
        for shown in ["Known as Peggy", "she/her", "Yoruba", "Interpreter needed", "large print"] {
            assert!(banner.to_lowercase().contains(&shown.to_lowercase()), "{shown}: {banner}");
        }
        let timeline = window.wait_for_element_text("[data-testid=timeline]").await?;
        assert!(timeline.contains("Finds it hard to leave the house"), "{timeline}");
        assert!(timeline.contains("GP: Dr Priya Shah"), "{timeline}");
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_possible_duplicate_is_offered_before_a_second_record_is_made() -> anyhow::Result<()> {
    within_time_limit(async {
        let window =
            launch_unlocked(|kith| add(kith, doreen(), vec![Need::Loneliness]).map(drop)).await?;
        at_smallest_size(&window).await?;
        open_people(&window).await?;
        window.click("[data-testid=add-person]").await?;
        window.wait_for_text("h1", "Add a person").await?;
        fill_intake(&window, "Dorothy", "Abernathy").await?;
        window.fill("#nhs-number", VALID_NHS_NUMBER).await?;
        window.click("[data-testid=save-person]").await?;

        let offer = window.wait_for_element_text("[data-testid=duplicate-offer]").await?;
        assert!(offer.contains("Dot Abernathy"), "{offer}");
        assert!(offer.contains("Same NHS number"), "{offer}");
        assert!(offer.contains("Nothing has been saved yet"), "{offer}");
        window.wait_for_text("a.button", "Open Dot Abernathy's record").await?;
        window.check_accessibility("possible duplicate offer").await?;
        window.screenshot("people-duplicate-offer").await?;

        // Only one record so far: the search finds one person with that NHS number.
        open_people(&window).await?;
        window.fill("#people-search", "9434765919").await?;
        window.element("[data-testid=people-results][data-answered='9434765919']").await?;
        assert_eq!(result_names(&window).await?, ["Dot Abernathy"]);

        // Back on the form, "a different person" adds the second record all the same.
        window.click("[data-testid=add-person]").await?;
        fill_intake(&window, "Dorothy", "Abernathy").await?;
        window.fill("#nhs-number", VALID_NHS_NUMBER).await?;
        window.click("[data-testid=save-person]").await?;
        window.element("[data-testid=duplicate-offer]").await?;
        window.click("[data-testid=add-anyway]").await?;
        window.wait_for_text("h1", "Dorothy Abernathy").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_person_is_found_by_a_word_that_is_only_in_their_notes() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            let dot = add(kith, doreen(), vec![Need::Loneliness, Need::Bereavement])?;
            let raj = add(kith, named("Rajesh", "Mistry"), vec![Need::MoneyDebt])?;
            add(kith, named("Sian", "Tandy"), vec![Need::Housing])?;
            kith.write_note(dot, "Talked about her late husband's allotment.".to_owned())?;
            kith.write_note(raj, "Used to ride a tandem with his brother; misses it.".to_owned())?;
            Ok(())
        })
        .await?;
        at_smallest_size(&window).await?;
        open_people(&window).await?;
        // With nothing typed: open referrals, newest first, each with status and needs.
        window.element("[data-testid=people-results][data-answered='']").await?;
        assert_eq!(result_names(&window).await?.len(), 3);

        // "tandem" is in Rajesh's note only ("Tandy" is a name, but not the same word).
        window.fill("#people-search", "tandem").await?;
        window.element("[data-testid=people-results][data-answered='tandem']").await?;
        assert_eq!(result_names(&window).await?, ["Rajesh Mistry"]);
        let line = window.wait_for_element_text("[data-testid=person-result]").await?;
        assert!(line.contains("Found in notes"), "{line}");
        assert!(line.contains("Money and debt"), "{line}");
        window.wait_for_text("[data-testid=people-count]", "1 person found").await?;
        window.check_accessibility("People with results").await?;
        assert!(fits_across(&window).await?, "People scrolls sideways at 1024×768");
        window.screenshot("people-search-results").await?;

        // A need filter with no match says so; clearing it brings Rajesh back.
        window.select("#people-need", "Housing").await?;
        window.element("[data-testid=people-empty]").await?;
        window.click_text("Clear filters").await?;
        window.element("[data-testid=person-result]").await?;

        // From the keyboard: down arrow to the result, Enter opens the record.
        let search = window.element("#people-search").await?;
        search.send_keys(&Key::Down.to_string()).await?;
        let focused = window
            .client()?
            .execute("return document.activeElement.dataset.testid || '';", vec![])
            .await?;
        assert_eq!(focused, "person-result");
        window.client()?.active_element().await?.send_keys(&Key::Enter.to_string()).await?;
        window.wait_for_text("h1", "Rajesh Mistry").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn the_record_shows_an_open_concern_that_cannot_be_missed() -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            let dot = add(kith, doreen(), vec![Need::Loneliness, Need::Bereavement])?;
            let today = kith_core::today();
            kith.record_consent(
                dot,
                ConsentKind::SocialPrescribing,
                ConsentDecision::Given,
                today,
            )?;
            let plan = kith.create_plan(NewCarePlan {
                person_id: dot,
                referral_id: None,
                goals: vec![NewGoal {
                    in_own_words: "I'd like to sing again, in a choir like before.".to_owned(),
                    steps: vec![GoalStep {
                        what: "Go to the Tuesday community choir together".to_owned(),
                        who: "Dot and her link worker".to_owned(),
                        by_when: None,
                        status: ProgressStatus::NotStarted,
                    }],
                }],
                connections_to_try: vec![],
                planned_sessions: 8,
                planned_sessions_reason: None,
                starts_on: today,
                review_on: None,
            })?;
            let dates: Vec<NaiveDate> = (0..8)
                .map(|week| today.checked_add_days(Days::new(7 * week)).unwrap_or(today))
                .collect();
            kith.agree_plan(plan.id, Some(dates), SessionKind::HomeVisit)?;
            kith.record_measure(NewMeasure {
                person_id: dot,
                timing: MeasureTiming::Baseline,
                taken_on: today,
                answers: MeasureAnswers::Ucla3(Ucla3Answers { items: [Some(3), Some(2), Some(3)] }),
            })?;
            kith.write_note(dot, "Her nephew has been taking her pension money.".to_owned())?;
            kith.raise_concern(
                dot,
                ConcernKind::Exploitation,
                "Nephew may be taking her pension; she seemed frightened to talk about it."
                    .to_owned(),
            )?;
            Ok(())
        })
        .await?;
        at_smallest_size(&window).await?;
        open_people(&window).await?;
        window.fill("#people-search", "Abernathy").await?;
        window.element("[data-testid=people-results][data-answered='Abernathy']").await?;
        window.click("[data-testid=person-result]").await?;
        window.wait_for_text("h1", "Dot Abernathy").await?;

        let alert = window.wait_for_element_text("[data-testid=open-concern]").await?;
        assert!(alert.contains("Open safeguarding concern"), "{alert}");
        assert!(alert.contains("Exploitation"), "{alert}");
        // It comes before the banner: the first thing on the record.
        let first = window
            .client()?
            .execute(
                "const alert = document.querySelector('[data-testid=open-concern]');
                 const banner = document.querySelector('[data-testid=person-banner]');
                 return Boolean(alert.compareDocumentPosition(banner)
                   & Node.DOCUMENT_POSITION_FOLLOWING);",
                vec![],
            )
            .await?;
        assert_eq!(first, true, "the concern is not above the banner");

        let banner = window.wait_for_element_text("[data-testid=person-banner]").await?;
        assert!(banner.contains("Social prescribing: given on"), "{banner}");
        assert!(banner.contains("Sharing with their GP: not recorded"), "{banner}");
        let sessions =
            window.client()?.find_all(Locator::Css("[data-testid=plan-session]")).await?;
        assert_eq!(sessions.len(), 8);
        window.wait_for_text("[data-testid=plan-session] .number", "Session 1 of 8").await?;
        let timeline = window.wait_for_element_text("[data-testid=timeline]").await?;
        assert!(timeline.contains("Total 8 of 9, which reads as lonely"), "{timeline}");
        assert!(timeline.contains("pension money"), "{timeline}");
        window.check_accessibility("person record with an open concern").await?;
        assert!(fits_across(&window).await?, "the record scrolls sideways at 1024×768");
        window.screenshot("people-person-record").await?;

        // The concern links to the safeguarding screen for that concern.
        window.click_text("See the concern and what to do next").await?;
        window.wait_for_text("h1", "Safeguarding").await?;

        // Back on the record, a note is written inline and tops the timeline.
        window.click("[data-testid=nav-people]").await?;
        window.fill("#people-search", "Abernathy").await?;
        window.element("[data-testid=people-results][data-answered='Abernathy']").await?;
        window.click("[data-testid=person-result]").await?;
        window.click("[data-testid=write-note]").await?;
        window.click("[data-testid=save-note]").await?;
        window.wait_for_text("#new-note-error", "Write the note before saving it").await?;
        window.fill("#new-note", "Phoned the practice safeguarding lead.").await?;
        window.click("[data-testid=save-note]").await?;
        window
            .wait_for_text("[data-testid=note-body]", "Phoned the practice safeguarding lead.")
            .await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_discharged_person_referred_again_gets_a_new_referral_on_their_record(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            let person_id = add(kith, named("Wilfred", "Osei"), vec![Need::Loneliness])?;
            kith.discharge(NewDischarge {
                person_id,
                referral_id: None,
                care_plan_id: None,
                discharged_on: kith_core::today(),
                reason: DischargeReason::PlanCompleted,
                closing_summary: "Goes to the Thursday walking group on his own.".to_owned(),
            })?;
            Ok(())
        })
        .await?;
        at_smallest_size(&window).await?;
        open_people(&window).await?;
        window.fill("#people-search", "Osei").await?;
        window.element("[data-testid=people-results][data-answered='Osei']").await?;
        window.click("[data-testid=person-result]").await?;
        window.wait_for_text("h1", "Wilfred Osei").await?;
        let banner = window.wait_for_element_text("[data-testid=person-banner]").await?;
        assert!(banner.contains("Discharged"), "{banner}");
        window.click("[data-testid=new-referral]").await?;
        window.wait_for_text("h1", "New referral").await?;
        let lead = window.wait_for_element_text("[data-testid=referral-for]").await?;
        assert!(lead.contains("Wilfred Osei") && lead.contains("were discharged"), "{lead}");

        // Nothing filled in: every missing answer is listed, linked to its field.
        window.click("[data-testid=save-referral]").await?;
        let summary = window.wait_for_element_text("[data-testid=error-summary]").await?;
        for problem in
            ["Choose who made the referral", "Tick at least one need", "reason", "consent"]
        {
            assert!(summary.contains(problem), "{problem}: {summary}");
        }
        assert_eq!(attr(&window, "#reason", "aria-invalid").await?.as_deref(), Some("true"));
        // Each problem links to its field: following one puts the cursor there.
        window.click_text("Enter the reason for the referral, in the referrer's words").await?;
        let focused =
            window.client()?.execute("return document.activeElement.id || '';", vec![]).await?;
        assert_eq!(focused, "reason");
        window.check_accessibility("new referral with errors").await?;
        assert!(fits_across(&window).await?, "the form scrolls sideways at 1024×768");
        window.screenshot("people-new-referral-errors").await?;

        window.select("#source", "Self-referral").await?;
        window.click("input[data-need=money_debt]").await?;
        window.fill("#reason", "Rang himself: the bills have piled up since the winter.").await?;
        window.click("#consent").await?;
        window.click("[data-testid=save-referral]").await?;

        // Back on his record: the new referral tops the timeline, above the discharge.
        window.wait_for_text("h1", "Wilfred Osei").await?;
        let timeline = window.wait_for_element_text("[data-testid=timeline]").await?;
        let referral = timeline.find("the bills have piled up").unwrap_or(usize::MAX);
        let discharge = timeline.find("Thursday walking group").unwrap_or(0);
        assert!(referral < discharge, "the new referral is not above the discharge: {timeline}");
        let banner = window.wait_for_element_text("[data-testid=person-banner]").await?;
        assert!(!banner.contains("Discharged"), "referred again, yet: {banner}");
        window.screenshot("people-new-referral-saved").await?;
        window.close().await
    })
    .await
}
