//! Real-window tests: questionnaires at baseline and follow-up and the chart of change, an
//! incomplete questionnaire refused, the report for a date range, discharge with the message
//! back to the GP, and the subject access export.

use std::path::Path;
use std::time::Duration;

use chrono::Days;
use kith_core::{Intake, Kith, NewConversation, NewDischarge, NewMeasure, TimelineItem};
use kith_domain::consent::{ConsentDecision, ConsentKind};
use kith_domain::conversation::ConversationSetting;
use kith_domain::discharge::DischargeReason;
use kith_domain::measures::{
    MeasureAnswers, MeasureTiming, MycawAnswers, MycawConcern, Ons4Answers, Ucla3Answers,
};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralAnswerKind, ReferralSource, Referrer};
use kith_domain::PersonId;
use kith_tests::seed;
use kith_tests::window::AppWindow;

use crate::{launch_unlocked, type_date, within_time_limit};

/// Adds a person with a referral received `days_ago` days ago from `source`.
fn seed_person(
    kith: &Kith,
    given: &str,
    family: &str,
    source: ReferralSource,
    days_ago: u64,
) -> anyhow::Result<PersonId> {
    let today = kith_core::today();
    let referrer = (source != ReferralSource::SelfReferral).then(|| Referrer {
        name: "Dr Priya Shah".to_owned(),
        organisation: Some("Ashbridge Medical Centre".to_owned()),
        contact: None,
    });
    let added = kith.add_person_with_referral(Intake {
        person: NewPerson {
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            gp_practice: Some("Ashbridge Medical Centre".to_owned()),
            ..NewPerson::default()
        },
        referral: NewReferral {
            received_on: today.checked_sub_days(Days::new(days_ago)).unwrap_or(today),
            source,
            referrer,
            reason: "Lonely since moving to be near her daughter.".to_owned(),
            needs: vec![Need::Loneliness],
            background: None,
            consent_to_referral: true,
        },
        duplicates_checked: false,
    })?;
    Ok(added.person.id)
}

/// Records a UCLA-3 taken `days_ago` days ago.
fn seed_ucla3(
    kith: &Kith,
    person_id: PersonId,
    timing: MeasureTiming,
    days_ago: u64,
    items: [u8; 3],
) -> anyhow::Result<()> {
    let today = kith_core::today();
    kith.record_measure(NewMeasure {
        person_id,
        timing,
        taken_on: today.checked_sub_days(Days::new(days_ago)).unwrap_or(today),
        answers: MeasureAnswers::Ucla3(Ucla3Answers { items: items.map(Some) }),
    })?;
    Ok(())
}

/// A first contact (a "what matters" conversation) `days_ago` days ago, at which the person
/// accepted the referral: the SNOMED code for the referral is dated by it.
fn seed_conversation(kith: &Kith, person_id: PersonId, days_ago: u64) -> anyhow::Result<()> {
    let today = kith_core::today();
    let held_on = today.checked_sub_days(Days::new(days_ago)).unwrap_or(today);
    kith.record_conversation(NewConversation {
        person_id,
        referral_id: None,
        held_on,
        setting: ConversationSetting::Home,
        duration_minutes: 60,
        what_matters: "Getting back to the bowls club.".to_owned(),
        strengths: None,
        wants_to_change: None,
        concerns: vec![],
        barriers: vec![],
    })?;
    let referral = kith.person_record(person_id)?.current_referral.map(|current| current.referral);
    if let Some(referral) = referral {
        kith.record_referral_answer(referral.id, ReferralAnswerKind::Accepted, held_on)?;
    }
    Ok(())
}

/// Opens the app's store beside the running app, to check what it saved.
fn open_store(data_dir: &Path) -> anyhow::Result<Kith> {
    let mut kith = Kith::new(data_dir).with_cheap_kdf_for_tests();
    kith.unlock(seed::PASSPHRASE)?;
    Ok(kith)
}

/// Finds a person on the People screen by name and opens their record.
async fn open_record(window: &AppWindow, name: &str) -> anyhow::Result<()> {
    window.click("[data-testid=nav-people]").await?;
    window.wait_for_text("h1", "People").await?;
    window.fill("#people-search", name).await?;
    // Search as you type: wait until the first result is this person, then open it.
    for _ in 0..200 {
        let first = window.element("a[data-testid=person-result]").await?;
        if first.text().await.unwrap_or_default().contains(name) {
            first.click().await?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    window.element("[data-testid=record-banner], [data-testid=person-banner]").await?;
    Ok(())
}

async fn attr(window: &AppWindow, css: &str, name: &str) -> anyhow::Result<String> {
    Ok(window.element(css).await?.attr(name).await?.unwrap_or_default())
}

async fn text(window: &AppWindow, css: &str) -> anyhow::Result<String> {
    window.wait_for_element_text(css).await
}

async fn is_checked(window: &AppWindow, css: &str) -> anyhow::Result<bool> {
    Ok(window.element(css).await?.prop("checked").await?.as_deref() == Some("true"))
}

/// Answers the UCLA-3 with `answers` (1 to 3 each) and saves it; returns the saved score text.
async fn record_ucla3(window: &AppWindow, answers: [u8; 3]) -> anyhow::Result<String> {
    window.click("#measure-kind-ucla3").await?;
    for (index, answer) in answers.iter().enumerate() {
        window.click(&format!("#ucla3-q{}-answer-{answer}", index + 1)).await?;
    }
    window.wait_for_text("[data-testid=answered-count]", "3 of 3 answered").await?;
    window.click("[data-testid=save-measure]").await?;
    text(window, "[data-testid=saved-score]").await
}

#[tokio::test]
async fn a_baseline_and_a_follow_up_show_as_a_chart_with_its_table_and_an_incomplete_one_is_refused(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            seed_person(kith, "Winifred", "Oduya", ReferralSource::Gp, 3).map(|_| ())
        })
        .await?;
        open_record(&window, "Winifred Oduya").await?;
        window.click("[data-testid=open-questionnaire]").await?;
        window.wait_for_text("h1", "Questionnaire").await?;

        // UCLA-3 with one question left unanswered: counted, refused, and what is missing named.
        window.click("#measure-kind-ucla3").await?;
        assert!(is_checked(&window, "#timing-baseline").await?, "a first UCLA-3 is the baseline");
        window.wait_for_text("[data-testid=answered-count]", "0 of 3 answered").await?;
        window.click("#ucla3-q1-answer-3").await?;
        window.click("#ucla3-q2-answer-3").await?;
        window.wait_for_text("[data-testid=answered-count]", "2 of 3 answered").await?;
        window.click("[data-testid=save-measure]").await?;
        let summary = text(&window, "[data-testid=error-summary]").await?;
        assert!(
            summary.contains("Answer question 3: How often do you feel isolated from others?"),
            "{summary}"
        );
        assert!(
            summary.contains("not complete (2 of 3 answered), so it has no score"),
            "{summary}"
        );
        let store = open_store(window.data_dir())?;
        let person_id = store.search("Winifred")?.first().map(|hit| hit.person_id);
        let person_id = person_id.ok_or_else(|| anyhow::anyhow!("Winifred was not found"))?;
        let measures = |kith: &Kith| -> anyhow::Result<usize> {
            Ok(kith
                .person_record(person_id)?
                .timeline
                .iter()
                .filter(|entry| matches!(entry.item, TimelineItem::Measure { .. }))
                .count())
        };
        assert_eq!(measures(&store)?, 0, "an incomplete questionnaire was saved");
        window.check_accessibility("questionnaire-incomplete").await?;
        window.screenshot_from_top("outcomes-questionnaire-incomplete").await?;

        // Answering the last question completes it: the baseline is 3 + 3 + 2 = 8, from Rust.
        window.click("#ucla3-q3-answer-2").await?;
        window.wait_for_text("[data-testid=answered-count]", "3 of 3 answered").await?;
        window.check_accessibility("questionnaire").await?;
        window.screenshot_at("[data-testid=questions]", "outcomes-questionnaire").await?;
        window.click("[data-testid=save-measure]").await?;
        let baseline = text(&window, "[data-testid=saved-score]").await?;
        assert!(baseline.contains("8 of 9"), "{baseline}");
        window.screenshot("outcomes-questionnaire-saved").await?;

        // The follow-up: offered as follow-up now that a baseline exists; 2 + 2 + 1 = 5.
        window.click("[data-testid=record-another]").await?;
        window.click("#measure-kind-ucla3").await?;
        assert!(is_checked(&window, "#timing-follow_up").await?, "the second should be follow-up");
        window.click("#measure-kind-swemwbs").await?;
        window.wait_for_text("[data-testid=answered-count]", "0 of 7 answered").await?;
        window.check_accessibility("questionnaire-swemwbs").await?;
        window.screenshot_at("[data-testid=questions]", "outcomes-questionnaire-swemwbs").await?;
        window.click("#measure-kind-ons4").await?;
        window.wait_for_text("[data-testid=answered-count]", "0 of 4 answered").await?;
        window.click("#ons4-q4-answer-0").await?;
        window.wait_for_text("[data-testid=answered-count]", "1 of 4 answered").await?;
        window.check_accessibility("questionnaire-ons4").await?;
        window.screenshot_at("[data-testid=questions]", "outcomes-questionnaire-ons4").await?;
        window.click("#measure-kind-mycaw").await?;
        window.wait_for_text("[data-testid=answered-count]", "0 of 2 answered").await?;
        window.click_text("Add a second concern").await?;
        window.wait_for_text("[data-testid=answered-count]", "0 of 3 answered").await?;
        window.check_accessibility("questionnaire-mycaw").await?;
        window.screenshot_at("[data-testid=questions]", "outcomes-questionnaire-mycaw").await?;
        let follow_up = record_ucla3(&window, [2, 2, 1]).await?;
        assert!(follow_up.contains("5 of 9"), "{follow_up}");
        assert_eq!(measures(&open_store(window.data_dir())?)?, 2);

        // The chart and its table, with the right numbers and which way is better.
        window.click("[data-testid=see-outcomes]").await?;
        window.wait_for_text("h1", "Change over time").await?;
        window.element("svg[data-testid=chart-ucla3]").await?;
        assert_eq!(
            attr(&window, "[data-testid=chart-ucla3] [data-testid=baseline-mark]", "data-value")
                .await?,
            "8"
        );
        assert_eq!(
            attr(&window, "[data-testid=chart-ucla3] [data-testid=follow-up-mark]", "data-value")
                .await?,
            "5"
        );
        let row = "[data-testid=row-ucla3-total]";
        assert_eq!(
            text(&window, &format!("{row} [data-testid=baseline-value]")).await?,
            "8 (lonely)"
        );
        assert_eq!(text(&window, &format!("{row} [data-testid=follow-up-value]")).await?, "5");
        assert_eq!(
            text(&window, &format!("{row} [data-testid=change-value]")).await?,
            "Better by 3"
        );
        let better = text(&window, "[data-testid=better-ucla3]").await?;
        assert!(better.starts_with("Lower is better"), "{better}");
        window.check_accessibility("outcomes-chart").await?;
        window.screenshot_from_top("outcomes-chart").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn the_report_for_a_range_shows_the_seeded_referrals_and_offers_the_csv() -> anyhow::Result<()>
{
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            // Two people paired on UCLA-3: 8 → 5 and 7 → 6, a mean change of 2 (lower is better).
            let agnes = seed_person(kith, "Agnes", "Whitlow", ReferralSource::Gp, 10)?;
            seed_ucla3(kith, agnes, MeasureTiming::Baseline, 9, [3, 3, 2])?;
            seed_ucla3(kith, agnes, MeasureTiming::FollowUp, 1, [2, 2, 1])?;
            let bernard = seed_person(kith, "Bernard", "Okafor", ReferralSource::Gp, 20)?;
            seed_ucla3(kith, bernard, MeasureTiming::Baseline, 19, [3, 2, 2])?;
            seed_ucla3(kith, bernard, MeasureTiming::FollowUp, 2, [2, 2, 2])?;
            seed_person(kith, "Cyril", "Mbeki", ReferralSource::SelfReferral, 30)?;
            // Long ago: outside the default range of the last twelve months.
            seed_person(kith, "Dorothy", "Fenwick", ReferralSource::Pharmacist, 800)?;
            Ok(())
        })
        .await?;
        window.click("[data-testid=nav-reports]").await?;
        window.wait_for_text("h1", "Reports").await?;
        window.wait_for_text("[data-testid=referrals-received]", "3").await?;
        let source = |key: &str| format!("[data-testid=referrals-by-source] tr[data-key={key}] td");
        assert_eq!(text(&window, &source("gp")).await?, "2");
        assert_eq!(text(&window, &source("self_referral")).await?, "1");
        assert_eq!(text(&window, &source("pharmacist")).await?, "0");
        assert_eq!(
            text(&window, "[data-testid=referrals-by-need] tr[data-key=loneliness] td").await?,
            "3"
        );
        let ucla = "[data-testid=outcomes-ucla3] tr[data-item=total]";
        let ucla_row = text(&window, ucla).await?;
        assert!(ucla_row.contains("Better by 2.00 on average"), "{ucla_row}");
        assert_eq!(text(&window, &format!("{ucla} td")).await?, "2", "n should be 2");
        window.check_accessibility("reports").await?;
        window.screenshot_from_top("outcomes-reports").await?;
        window.screenshot_at("#caseload-heading", "outcomes-reports-caseload").await?;
        window.screenshot_at("#outcomes-heading", "outcomes-reports-outcomes").await?;

        // The CSV: shown in a box to copy, with the same figure.
        window.click("[data-testid=report-csv-show]").await?;
        let csv = window
            .element("[data-testid=report-csv-text]")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(csv.starts_with(&kith_core::REPORT_CSV_HEADER.join(",")), "{csv}");
        assert!(
            csv.lines()
                .any(|line| line.starts_with("referrals_by_source,gp,") && line.ends_with(",2")),
            "{csv}"
        );

        // Download through a blob: link. WebKitGTK saves it without asking into the user's
        // Downloads folder (XDG user dirs; here a private one), not into the folder the app was
        // started from: the file must hold exactly the CSV shown.
        let downloads = window.downloads_dir();
        let is_report = |path: &Path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with("kith-report-") && name.ends_with(".csv"))
        };
        let before: Vec<_> = std::fs::read_dir(&downloads)?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| is_report(path))
            .collect();
        window.click("[data-testid=report-csv-download]").await?;
        let status = text(&window, "[data-testid=report-csv] [role=status]").await?;
        assert!(status.contains(".csv"), "{status}");
        let mut saved = None;
        for _ in 0..100 {
            saved = std::fs::read_dir(&downloads)?
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .find(|path| is_report(path) && !before.contains(path));
            if saved.as_ref().is_some_and(|path| {
                std::fs::read_to_string(path).is_ok_and(|t| t.replace("\r\n", "\n") == csv)
            }) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let saved =
            saved.ok_or_else(|| anyhow::anyhow!("no CSV was downloaded into {downloads:?}"))?;
        let stray = std::fs::read_dir(window.working_dir())?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .any(|path| is_report(&path));
        assert!(!stray, "a report was saved into the app's working directory");
        let downloaded = std::fs::read_to_string(&saved)?;
        std::fs::remove_file(&saved)?;
        println!("the CSV downloaded through a blob: link to {}", saved.display());
        // The file keeps Rust's CRLF line ends; a text box shows them as plain line ends.
        assert!(downloaded.contains("\r\n"), "the download lost its CRLF line ends");
        assert_eq!(
            downloaded.replace("\r\n", "\n"),
            csv,
            "the downloaded CSV differs from the one shown"
        );
        // The page is still the report: a download never navigates away.
        window.wait_for_text("h1", "Reports").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn discharge_shows_the_gp_message_with_its_snomed_code_and_then_the_subject_access_export(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            let person_id = seed_person(kith, "Harold", "Pemberton", ReferralSource::Gp, 40)?;
            // The first contact of the episode, where Harold accepted: the SNOMED code for the
            // referral is dated by it.
            seed_conversation(kith, person_id, 35)?;
            let note = kith.write_note(person_id, "Met Harold at home; keen on bowls.".to_owned())?;
            kith.amend_note(note.id, "Met Harold at home; keen on bowls and darts.".to_owned())?;
            // Consent to share with the GP given, then withdrawn: none on the discharge day.
            let today = kith_core::today();
            let before = |days| today.checked_sub_days(Days::new(days)).unwrap_or(today);
            kith.record_consent(person_id, ConsentKind::ShareWithGp, ConsentDecision::Given, before(39))?;
            kith.record_consent(person_id, ConsentKind::ShareWithGp, ConsentDecision::Withdrawn, before(5))?;
            Ok(())
        })
        .await?;
        open_record(&window, "Harold Pemberton").await?;
        window.click("[data-testid=open-discharge]").await?;
        window.wait_for_text("h1", "Discharge").await?;
        // No consent to share with the GP: the screen says only the codes go.
        let notice = text(&window, "[data-testid=no-consent-notice]").await?;
        assert!(notice.contains("Only the codes will be sent: no consent to share with the GP"));

        // Submitting empty says what to fix.
        window.click("[data-testid=discharge-submit]").await?;
        let summary = text(&window, "[data-testid=error-summary]").await?;
        assert!(summary.contains("Choose why they are being discharged"), "{summary}");
        assert!(summary.contains("Write a closing summary"), "{summary}");

        window.click("#reason-plan_completed").await?;
        window
            .fill("#closing-summary", "Harold rejoined the bowls club and plays twice a week.")
            .await?;
        window.check_accessibility("discharge").await?;
        window.screenshot_from_top("outcomes-discharge").await?;
        window.click("[data-testid=discharge-submit]").await?;

        window.wait_for_text("[data-testid=message-heading]", "Message to the GP and referrer").await?;
        let codes = text(&window, "[data-testid=snomed-codes]").await?;
        assert!(codes.contains("871731000000106"), "{codes}");
        assert!(codes.contains("Referral to social prescribing service"), "{codes}");
        let codes_only = text(&window, "[data-testid=codes-only]").await?;
        assert!(codes_only.contains("Only the codes will be sent: no consent to share with the GP"));
        let message = text(&window, "[data-testid=gp-message]").await?;
        assert!(!message.contains("bowls"), "the closing summary went without consent: {message}");
        window.click("[data-testid=gp-json-show]").await?;
        let json = window
            .element("[data-testid=gp-json-text]")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        let parsed: serde_json::Value = serde_json::from_str(&json)?;
        assert_eq!(parsed["consent_to_share_with_gp"], false, "{json}");
        assert!(json.contains("871731000000106"), "{json}");
        window.click("[data-testid=gp-json-show]").await?;
        window.check_accessibility("gp-message").await?;
        window.screenshot_from_top("outcomes-gp-message").await?;
        window.screenshot_at("#codes-title", "outcomes-gp-message-codes").await?;

        // The subject access export: everything held, readable, with the audit trail.
        window.click_text("Back to the record").await?;
        window.click("[data-testid=open-subject-access]").await?;
        window.wait_for_text("h1", "Subject access export").await?;
        let document = text(&window, "[data-testid=subject-access-document]").await?;
        for expected in [
            "Information held about Harold Pemberton",
            "Getting back to the bowls club.",
            "Met Harold at home; keen on bowls.",
            "Met Harold at home; keen on bowls and darts.",
            "Amendment written",
            "Sharing with their GP",
            "Withdrawn",
            "Harold rejoined the bowls club and plays twice a week.",
            "Audit trail",
        ] {
            assert!(document.contains(expected), "missing {expected:?} in {document}");
        }
        let audit_rows = window
            .client()?
            .find_all(fantoccini::Locator::Css("[data-testid=audit-trail] tbody tr"))
            .await?
            .len();
        assert!(audit_rows > 0, "the audit trail is empty");
        window.check_accessibility("subject-access").await?;
        window.screenshot_from_top("outcomes-subject-access").await?;
        window.screenshot_at("#sar-notes", "outcomes-subject-access-notes").await?;
        window.screenshot_at("#sar-audit", "outcomes-subject-access-audit").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn with_consent_the_gp_message_carries_needs_support_outcomes_and_the_summary(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            let person_id = seed_person(kith, "Ivy", "Castellano", ReferralSource::Gp, 100)?;
            let today = kith_core::today();
            let before = |days| today.checked_sub_days(Days::new(days)).unwrap_or(today);
            kith.record_consent(
                person_id,
                ConsentKind::ShareWithGp,
                ConsentDecision::Given,
                before(95),
            )?;
            seed_conversation(kith, person_id, 90)?;
            seed_ucla3(kith, person_id, MeasureTiming::Baseline, 90, [3, 3, 3])?;
            seed_ucla3(kith, person_id, MeasureTiming::FollowUp, 3, [2, 1, 2])?;
            let measure = |timing, days, answers| {
                kith.record_measure(NewMeasure {
                    person_id,
                    timing,
                    taken_on: before(days),
                    answers,
                })
            };
            let ons4 =
                |items: [u8; 4]| MeasureAnswers::Ons4(Ons4Answers { items: items.map(Some) });
            measure(MeasureTiming::Baseline, 90, ons4([4, 5, 3, 8]))?;
            measure(MeasureTiming::FollowUp, 3, ons4([7, 6, 6, 3]))?;
            let mycaw = |concern: u8, wellbeing: u8| {
                MeasureAnswers::Mycaw(MycawAnswers {
                    concerns: vec![MycawConcern {
                        in_own_words: "Going out on my own".to_owned(),
                        rating: Some(concern),
                    }],
                    wellbeing: Some(wellbeing),
                })
            };
            measure(MeasureTiming::Baseline, 90, mycaw(5, 4))?;
            measure(MeasureTiming::FollowUp, 3, mycaw(2, 2))?;
            kith.discharge(NewDischarge {
                person_id,
                referral_id: None,
                care_plan_id: None,
                discharged_on: before(2),
                reason: DischargeReason::PlanCompleted,
                closing_summary: "Ivy goes to the Tuesday lunch club every week.".to_owned(),
            })?;
            Ok(())
        })
        .await?;
        open_record(&window, "Ivy Castellano").await?;
        window.click("[data-testid=open-discharge]").await?;
        window.wait_for_text("h1", "Discharge").await?;
        // Already discharged: the earlier discharge keeps its message.
        let earlier = text(&window, "[data-testid=earlier-discharges]").await?;
        assert!(earlier.contains("Plan completed"), "{earlier}");
        window.click("[data-testid=open-message]").await?;
        window
            .wait_for_text("[data-testid=message-heading]", "Message to the GP and referrer")
            .await?;
        let message = text(&window, "[data-testid=gp-message]").await?;
        for expected in [
            "871731000000106",
            "Ivy goes to the Tuesday lunch club every week.",
            "Getting back to the bowls club.",
            "UCLA-3 loneliness",
            "Loneliness total: better by 4",
            "Dr Priya Shah",
        ] {
            assert!(message.contains(expected), "missing {expected:?} in {message}");
        }
        assert!(!message.contains("Only the codes will be sent"), "{message}");
        window.check_accessibility("gp-message-shared").await?;
        window.screenshot_at("#needs-title", "outcomes-gp-message-shared").await?;

        // The chart of change for every measure taken, each ONS4 item with its band.
        window.click_text("Back to the record").await?;
        window.click("[data-testid=open-outcomes]").await?;
        window.wait_for_text("h1", "Change over time").await?;
        let anxiety = "[data-testid=row-ons4-anxiety]";
        assert_eq!(
            text(&window, &format!("{anxiety} [data-testid=baseline-value]")).await?,
            "8 (high)"
        );
        assert_eq!(
            text(&window, &format!("{anxiety} [data-testid=follow-up-value]")).await?,
            "3 (low)"
        );
        assert_eq!(
            text(&window, &format!("{anxiety} [data-testid=change-value]")).await?,
            "Better by 5"
        );
        let happiness = "[data-testid=row-ons4-happiness] [data-testid=change-value]";
        assert_eq!(text(&window, happiness).await?, "Better by 3");
        let concern = text(&window, "[data-testid=row-mycaw-concern_1]").await?;
        assert!(
            concern.contains("Going out on my own") && concern.contains("Better by 3"),
            "{concern}"
        );
        window.check_accessibility("outcomes-chart-all").await?;
        window.screenshot_from_top("outcomes-chart-ons4").await?;
        window.screenshot_at("[data-testid=change-mycaw]", "outcomes-chart-mycaw").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_large_oruk_file_imports_the_good_rows_and_lists_each_bad_one_with_its_reason(
) -> anyhow::Result<()> {
    within_time_limit(async {
        // The sample directory twenty times over (fresh ids), plus two bad rows.
        let sample = std::fs::read_to_string(
            kith_tests::window::repository_root().join("assets/directory/oruk-sample.json"),
        )?;
        let services: Vec<serde_json::Value> = serde_json::from_str(&sample)?;
        let mut rows = Vec::new();
        for copy in 0..20 {
            for service in &services {
                let mut service = service.clone();
                let id = format!("00000000-0000-4000-8000-{:012x}", rows.len() + 1);
                service["id"] = serde_json::Value::String(id);
                let name = service["name"].as_str().unwrap_or_default().to_owned();
                service["name"] = serde_json::Value::String(format!("{name} ({copy})"));
                rows.push(service);
            }
        }
        let good = rows.len();
        rows.push(serde_json::json!({ "id": "no-name-here", "description": "Missing its name" }));
        rows.push(serde_json::json!("not a service at all"));
        let folder = tempfile::tempdir()?;
        let file = folder.path().join("large-directory.json");
        std::fs::write(&file, serde_json::to_vec(&rows)?)?;
        let size = std::fs::metadata(&file)?.len();

        let window = launch_unlocked(|_| Ok(())).await?;
        window.click("[data-testid=nav-directory]").await?;
        window.wait_for_text("h1", "Community directory").await?;
        let started = std::time::Instant::now();
        window.element("#directory-file").await?.send_keys(&file.display().to_string()).await?;
        // A large file shows its progress: reading it, then importing.
        let busy = window
            .wait_for_element_text("[data-testid=import-reading], [data-testid=import-busy]")
            .await?;
        assert!(busy.starts_with("Reading") || busy.starts_with("Importing…"), "{busy}");
        let summary = window.wait_for_element_text("[data-testid=import-result]").await?;
        println!(
            "imported a {size}-byte ORUK file of {} rows in {:?}",
            good + 2,
            started.elapsed()
        );
        let start: String = summary.chars().take(300).collect();
        assert!(summary.contains(&format!("Added {good} services")), "{start}");
        assert!(summary.contains("2 left out"), "{start}");
        window.click("[data-testid=import-result] summary").await?;
        let reasons = window
            .client()?
            .find_all(fantoccini::Locator::Css("[data-testid=import-result] li"))
            .await?;
        assert_eq!(reasons.len(), 2, "each bad row is listed once");
        for reason in reasons {
            let words = reason.text().await?;
            assert!(words.len() > 10, "a rejected row without its reason: {words:?}");
        }
        window.check_accessibility("directory-import").await?;
        window.screenshot("outcomes-directory-import").await?;
        window.close().await
    })
    .await
}

#[tokio::test]
async fn a_declined_referral_shows_its_code_for_the_gp_record_which_is_marked_sent_from_reports(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let window = launch_unlocked(|kith| {
            seed_person(kith, "Stanley", "Whitlow", ReferralSource::Gp, 20).map(|_| ())
        })
        .await?;
        open_record(&window, "Stanley Whitlow").await?;
        window.wait_for_text("[data-testid=referral-status]", "New").await?;
        let empty = text(&window, "[data-testid=gp-codes-empty]").await?;
        assert!(empty.contains("No code yet"), "{empty}");
        // Intake's consent to social prescribing is on the banner as given.
        let banner = text(&window, "[data-testid=person-banner]").await?;
        assert!(banner.contains("Social prescribing: given"), "{banner}");

        // Saving with nothing chosen says what to fix; then declined, three days ago.
        window.click("[data-testid=record-answer]").await?;
        window.click("[data-testid=save-answer]").await?;
        window.wait_for_text("#answer-kind-error", "Choose the person's answer").await?;
        window.click("#answer-declined").await?;
        let today = kith_core::today();
        let declined_on = today.checked_sub_days(Days::new(3)).unwrap_or(today);
        let (day, month, year) = (
            declined_on.format("%-d").to_string(),
            declined_on.format("%-m").to_string(),
            declined_on.format("%Y").to_string(),
        );
        type_date(&window, "answer-on", &day, &month, &year).await?;
        window.check_accessibility("referral answer").await?;
        window.screenshot_at("[data-testid=current-referral]", "referral-answer-form").await?;
        window.click("[data-testid=save-answer]").await?;
        window.wait_for_text("[data-testid=referral-status]", "Declined").await?;
        let progress = text(&window, "[data-testid=referral-progress]").await?;
        let day = declined_on.format("%-d %b %Y").to_string();
        assert!(progress.contains(&format!("Declined {day}")), "{progress}");

        // The code for the GP record is there at once, dated when they declined, not sent.
        let code = "[data-testid=gp-code][data-code='871711000000103']";
        let row = text(&window, code).await?;
        assert!(row.contains("Social prescribing declined (situation)"), "{row}");
        assert!(row.contains(&day) && row.contains("Not sent yet"), "{row}");
        assert_eq!(attr(&window, code, "data-sent").await?, "no");
        assert!(!window.page_text().await?.contains("871731000000106"), "no referral code");
        window.check_accessibility("record with GP codes").await?;
        window
            .screenshot_at("[data-testid=current-referral]", "referral-declined-gp-codes")
            .await?;

        // The practice's list on Reports: download or copy, then mark sent.
        window.click("[data-testid=nav-reports]").await?;
        window.wait_for_text("h1", "Reports").await?;
        let listed = "[data-testid=practice-gp-code][data-code='871711000000103']";
        let line = text(&window, listed).await?;
        assert!(line.contains("Stanley Whitlow") && line.contains("Not sent yet"), "{line}");
        window.wait_for_text("[data-testid=practice-gp-codes-unsent]", "1 code to send.").await?;
        window.click("[data-testid=gp-codes-csv-show]").await?;
        let csv = window
            .element("[data-testid=gp-codes-csv-text]")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(
            csv.contains(&format!(
                "871711000000103,Social prescribing declined (situation),{declined_on},"
            )),
            "{csv}"
        );
        window.check_accessibility("reports with GP codes").await?;
        window.screenshot_at("[data-testid=practice-gp-codes]", "reports-gp-codes").await?;
        window.click("[data-testid=mark-practice-gp-codes-sent]").await?;
        window
            .wait_for_text("[data-testid=practice-gp-codes-unsent]", "Every code has been sent.")
            .await?;
        let sent = format!("Sent {}", today.format("%-d %b %Y"));
        window.wait_for_text(&format!("{listed} td:last-child"), &sent).await?;

        // Back on the record, the code says it was sent.
        open_record(&window, "Stanley Whitlow").await?;
        window.wait_for_text(&format!("{code} td:last-child"), &sent).await?;
        window.close().await
    })
    .await
}
