//! Real-window tests: The community directory, connecting a person, consent and safeguarding.

use fantoccini::Locator;
use kith_core::{today, Intake, Kith};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, Referrer};
use kith_domain::PersonId;

use crate::{launch_unlocked, within_time_limit};

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

/// The names on the service cards now showing.
async fn service_names(window: &kith_tests::window::AppWindow) -> anyhow::Result<Vec<String>> {
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

        window.fill("#directory-search", "").await?;
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
