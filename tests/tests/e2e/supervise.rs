//! Real-window tests for supervisors, with a real practice server running in this test process:
//! a link worker's laptop (kith-core, in the test) writes notes and a plan; the supervisor's
//! profile, seeded in the app's data folder, has synced them; in the window the supervisor
//! reviews, comments, signs off and resolves a conflict, and the comment reaches the worker;
//! a link worker with more people waiting than one page shows them page by page.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::elements::Element;
use fantoccini::Locator;
use kith_core::{Intake, Kith, NewCarePlan, NewGoal, PracticeSignIn, TimelineItem};
use kith_domain::person::NewPerson;
use kith_domain::referral::{Need, NewReferral, ReferralSource, Referrer};
use kith_domain::safeguarding::ConcernKind;
use kith_domain::supervision::{CommentAbout, ReviewedRecord, SignedOffRecord};
use kith_domain::{CarePlanId, NoteId, PersonId};
use kith_protocol::Role;
use kith_server::storage::NewUser;
use kith_server::{ServerConfig, Storage};
use kith_sync::{Backoff, Debounce, Schedule};
use kith_tests::seed;
use kith_tests::window::AppWindow;

use crate::within_time_limit;

const PASSWORD: &str = "correct horse battery";
const ADA_NOTE: &str = "Ada was low today; she rang her GP while I was there.";
const ALAN_NOTE: &str = "Alan wants to try the allotment group on Thursdays.";
const COMMENT: &str = "Please record who you spoke to at the GP surgery.";
const REMARK: &str = "Goals are in his own words. Good plan.";

/// The practice server, serving on its own runtime for the whole test process (the app's
/// background sync talks to it while the window test runs).
struct PracticeServer {
    runtime: tokio::runtime::Runtime,
    address: String,
    storage: Arc<dyn Storage>,
    _dir: tempfile::TempDir,
}

fn server() -> anyhow::Result<&'static PracticeServer> {
    static SERVER: OnceLock<PracticeServer> = OnceLock::new();
    if let Some(server) = SERVER.get() {
        return Ok(server);
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let dir = tempfile::tempdir()?;
    let (address, storage) = runtime
        .block_on(kith_server::serve_sqlite_on_loopback(dir.path(), ServerConfig::default()))?;
    let started =
        PracticeServer { runtime, address: format!("http://{address}"), storage, _dir: dir };
    Ok(SERVER.get_or_init(|| started))
}

/// Sync only when asked, so a laptop can stay "apart" as long as a story needs.
fn on_demand() -> Schedule {
    Schedule {
        interval: Duration::from_secs(3600),
        backoff: Backoff { base: Duration::from_millis(100), max: Duration::from_secs(1) },
        debounce: Debounce {
            quiet: Duration::from_millis(50),
            max_wait: Duration::from_millis(200),
        },
    }
}

/// A laptop with a fresh profile (the seeded passphrase, cheap key derivation) in `dir`.
fn laptop(dir: &Path) -> anyhow::Result<Kith> {
    let mut kith = Kith::new(dir)
        .with_cheap_kdf_for_tests()
        .with_runtime(server()?.runtime.handle().clone())
        .with_sync_schedule(on_demand());
    kith.create_profile(seed::PASSPHRASE)?;
    Ok(kith)
}

/// A practice with a supervisor and link worker accounts, on the shared server (usernames are
/// unique across it): creates the accounts and returns the supervisor's username.
fn practice(supervisor: &str, workers: &[&str]) -> anyhow::Result<String> {
    let server = server()?;
    let practice =
        server.runtime.block_on(server.storage.create_practice("Ashbridge Surgery".into()))?;
    let accounts = std::iter::once((supervisor, Role::Supervisor))
        .chain(workers.iter().map(|worker| (*worker, Role::LinkWorker)));
    for (username, role) in accounts {
        let user = NewUser {
            practice_id: practice.id,
            username: username.to_owned(),
            role,
            password_hash: kith_server::secrets::hash_password(PASSWORD)?,
        };
        server.runtime.block_on(server.storage.create_user(user))?;
    }
    Ok(supervisor.to_owned())
}

fn sign_in(username: &str) -> anyhow::Result<PracticeSignIn> {
    Ok(PracticeSignIn {
        server_address: server()?.address.clone(),
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
        device_name: "Test laptop".to_owned(),
    })
}

/// Asks every laptop to sync until `check` holds (at most a minute: a liveness bound).
fn sync_until(
    what: &str,
    laptops: &mut [&mut Kith],
    mut check: impl FnMut(&[&mut Kith]) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        for laptop in laptops.iter_mut() {
            laptop.sync_now()?;
        }
        std::thread::sleep(Duration::from_millis(100));
        if check(laptops)? {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(40) {
            bail!("timed out syncing until {what}");
        }
    }
}

/// Runs one whole sync round on `laptop` that starts after this call, and waits for it.
fn one_full_round(laptop: &mut Kith) -> anyhow::Result<()> {
    let start = Instant::now();
    while laptop.sync_status()?.syncing {
        std::thread::sleep(Duration::from_millis(20));
    }
    let before = laptop.sync_status()?.last_synced_at;
    laptop.sync_now()?;
    loop {
        let status = laptop.sync_status()?;
        if status.last_synced_at > before && !status.syncing {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(30) {
            bail!("a sync round did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn intake(kith: &Kith, given: &str, family: &str) -> anyhow::Result<PersonId> {
    let added = kith.add_person_with_referral(Intake {
        person: NewPerson {
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            ..NewPerson::default()
        },
        referral: NewReferral {
            received_on: kith_core::today(),
            source: ReferralSource::Gp,
            referrer: Some(Referrer {
                name: "Dr Priya Shah".to_owned(),
                organisation: Some("Ashbridge Surgery".to_owned()),
                contact: None,
            }),
            reason: "Lonely since moving here.".to_owned(),
            needs: vec![Need::Loneliness],
            background: None,
            consent_to_referral: true,
        },
        duplicates_checked: true,
    })?;
    Ok(added.person.id)
}

/// What the link worker's laptop recorded, kept (unlocked, syncing on request) after launch.
struct WorkerLaptop {
    kith: Kith,
    username: String,
    _dir: tempfile::TempDir,
    ada: PersonId,
    ada_note: NoteId,
    alan: PersonId,
    plan: CarePlanId,
}

/// In `app_dir`: the supervisor sets up a practice; a link worker joins it and records Ada (an
/// open safeguarding concern, a note) and Alan (a note, a plan); the supervisor's laptop pulls
/// them and is locked for the app to open. Runs on its own thread (it blocks on the server).
fn seed_review_story(app_dir: &Path) -> anyhow::Result<WorkerLaptop> {
    let worker_name = "jo.baker".to_owned();
    let supervisor_name = practice("dr.shah", &[&worker_name])?;
    let mut supervisor = laptop(app_dir)?;
    supervisor.set_up_practice(&sign_in(&supervisor_name)?)?;
    let worker_dir = tempfile::tempdir()?;
    let mut worker = laptop(worker_dir.path())?;
    let code = supervisor.create_invite()?.code;
    worker.join_practice(&sign_in(&worker_name)?, &code)?;

    let ada = intake(&worker, "Ada", "Lovelace")?;
    worker.raise_concern(ada, ConcernKind::RiskToSelf, "Spoke of not coping.".into())?;
    let ada_note = worker.write_note(ada, ADA_NOTE.into())?.id;
    let alan = intake(&worker, "Alan", "Turing")?;
    worker.write_note(alan, ALAN_NOTE.into())?;
    let plan = worker
        .create_plan(NewCarePlan {
            person_id: alan,
            referral_id: None,
            goals: vec![NewGoal { in_own_words: "Get out twice a week".into(), steps: vec![] }],
            connections_to_try: vec![],
            planned_sessions: 6,
            planned_sessions_reason: None,
            starts_on: kith_core::today(),
            review_on: None,
        })?
        .id;

    sync_until(
        "the supervisor has both notes to review",
        &mut [&mut worker, &mut supervisor],
        |both| {
            let queue = both[1].review_queue()?;
            let items: Vec<ReviewedRecord> = queue
                .groups
                .iter()
                .flat_map(|group| &group.people)
                .flat_map(|person| person.items.iter().map(|item| item.record))
                .collect();
            Ok(items.contains(&ReviewedRecord::Note(ada_note))
                && items.contains(&ReviewedRecord::CarePlan(plan)))
        },
    )?;
    supervisor.lock();
    Ok(WorkerLaptop {
        kith: worker,
        username: worker_name,
        _dir: worker_dir,
        ada,
        ada_note,
        alan,
        plan,
    })
}

/// Launches the app over a profile that `seed_profile` (run on its own thread, as it blocks on
/// the server) writes into the app's data folder, and unlocks it: the window shows Today.
async fn launch_seeded<T: Send + 'static>(
    seed_profile: fn(&Path) -> anyhow::Result<T>,
) -> anyhow::Result<(AppWindow, T)> {
    let mut seeded = None;
    let window = AppWindow::launch_with(|dir| {
        let dir = dir.to_owned();
        let outcome = std::thread::spawn(move || seed_profile(&dir))
            .join()
            .map_err(|_| std::io::Error::other("seeding the practice panicked"))?;
        seeded = Some(outcome.map_err(|error| std::io::Error::other(format!("{error:#}")))?);
        Ok(())
    })
    .await?;
    window.fill("#unlock-passphrase", seed::PASSPHRASE).await?;
    window.click("form button[type=submit]").await?;
    window.wait_for_text("h1", "Today").await?;
    let seeded = seeded.context("the profile was seeded")?;
    Ok((window, seeded))
}

/// The review item (an `li`) under `worker`'s group whose text contains `text`.
async fn review_item(window: &AppWindow, worker: &str, text: &str) -> anyhow::Result<Element> {
    let xpath = format!(
        "//section[@data-testid='review-group'][.//*[@data-testid='review-group-name'][normalize-space()='{worker}']]\
         //li[@data-testid='review-item'][contains(., '{text}')]"
    );
    let found = window
        .client()?
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(&xpath))
        .await;
    match found {
        Ok(element) => Ok(element),
        Err(error) => {
            let page = window.page_text().await.unwrap_or_default();
            bail!("no review item {text:?} under {worker} ({error}); the page showed {page:?}")
        }
    }
}

/// Waits until nothing matches `xpath`.
async fn wait_gone(window: &AppWindow, xpath: &str, what: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    while !window.client()?.find_all(Locator::XPath(xpath)).await?.is_empty() {
        if start.elapsed() > Duration::from_secs(10) {
            bail!("{what} is still shown");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

#[tokio::test]
async fn a_supervisor_reviews_comments_and_signs_off_and_the_comment_reaches_the_worker(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let (window, mut worker) = launch_seeded(seed_review_story).await?;
        let client = window.client()?;

        // Only a supervisor's laptop shows the supervision sections.
        window.click("[data-testid=nav-review]").await?;
        window.wait_for_text("h1", "Review").await?;
        assert!(!client.find_all(Locator::Css("[data-testid=nav-caseloads]")).await?.is_empty());

        // The worker's notes are under the worker's name; Ada, with an open safeguarding
        // concern, comes first and is marked.
        let note = review_item(&window, &worker.username, ADA_NOTE).await?;
        review_item(&window, &worker.username, ALAN_NOTE).await?;
        let first = window.element("[data-testid=review-person]").await?;
        let first_text = first.text().await?;
        assert!(first_text.contains("Ada Lovelace"), "{first_text}");
        assert!(first_text.contains("Open safeguarding concern"), "{first_text}");
        let note_text = note.text().await?;
        assert!(note_text.contains("Note"), "{note_text}");
        assert!(note_text.contains(&format!("by {}", worker.username)), "{note_text}");
        window.screenshot("supervise-review-queue").await?;
        window.check_accessibility("the review queue").await?;

        // A comment on Ada's note: insert-only, and said so.
        note.find(Locator::Css("[data-testid=comment-on-item]")).await?.click().await?;
        let hint = window.wait_for_element_text("[data-testid=comment-box] .field-hint").await?;
        assert!(hint.contains("cannot be changed or deleted"), "{hint}");
        window.fill("[data-testid=comment-body]", COMMENT).await?;
        window.screenshot("supervise-review-comment").await?;
        window.click("[data-testid=save-comment]").await?;
        window
            .wait_for_text(
                "[data-testid=review-status]",
                "Comment saved on the note. It will reach the link worker.",
            )
            .await?;

        // Marking the note reviewed takes it out of the queue, and it stays out.
        let note = review_item(&window, &worker.username, ADA_NOTE).await?;
        note.find(Locator::Css("[data-testid=mark-reviewed]")).await?.click().await?;
        window
            .wait_for_text("[data-testid=review-status]", "Marked reviewed: note for Ada Lovelace.")
            .await?;
        let note_xpath = format!("//li[@data-testid='review-item'][contains(., '{ADA_NOTE}')]");
        wait_gone(&window, &note_xpath, "the reviewed note").await?;
        window.click("[data-testid=nav-today]").await?;
        window.wait_for_text("h1", "Today").await?;
        window.click("[data-testid=nav-review]").await?;
        window.wait_for_text("h1", "Review").await?;
        review_item(&window, &worker.username, ALAN_NOTE).await?;
        assert!(
            client.find_all(Locator::XPath(&note_xpath)).await?.is_empty(),
            "the reviewed note came back after reloading the queue"
        );

        // Signing off Alan's plan, with a remark.
        let plan = review_item(&window, &worker.username, "Get out twice a week").await?;
        assert!(plan.text().await?.contains("Care plan"));
        plan.find(Locator::Css("[data-testid=sign-off]")).await?.click().await?;
        window.fill("[data-testid=sign-off-remark]", REMARK).await?;
        window.click("[data-testid=confirm-sign-off]").await?;
        window.wait_for_text("[data-testid=signed-off]", "Signed off").await?;

        window.screenshot("supervise-review-signed-off").await?;

        // Only Alan is left (Ada's one record was reviewed); marking all of his reviewed
        // leaves the queue empty, and it says so.
        let people = client.find_all(Locator::Css("[data-testid=review-person]")).await?;
        assert_eq!(people.len(), 1, "only Alan is left to review");
        window.click("[data-testid=mark-person-reviewed]").await?;
        window
            .wait_for_text(
                "[data-testid=review-status]",
                "Marked reviewed: everything for Alan Turing.",
            )
            .await?;
        window.wait_for_text("[data-testid=review-empty] h2", "Nothing waiting for review").await?;
        window.screenshot("supervise-review-empty").await?;

        // Caseloads: the worker's table, with Ada's open concern counted.
        window.click("[data-testid=nav-caseloads]").await?;
        window.wait_for_text("h1", "Caseloads").await?;
        let caseload = window.element("[data-testid=caseload]").await?;
        let caseload_text = caseload.text().await?;
        assert!(caseload_text.contains(&worker.username), "{caseload_text}");
        let concerns = window.wait_for_element_text("[data-testid=open-concerns]").await?;
        assert_eq!(concerns, "1");
        let band = window.wait_for_element_text("[data-testid=caseload-band]").await?;
        assert_eq!(band, "Below the guidance");
        window.screenshot("supervise-caseloads").await?;
        window.check_accessibility("caseloads").await?;

        // The comment and the sign-off reach the link worker's laptop.
        let start = Instant::now();
        loop {
            worker.kith.sync_now()?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            let ada = worker.kith.person_record(worker.ada)?;
            let alan = worker.kith.person_record(worker.alan)?;
            let comment_arrived = ada.timeline.iter().any(|entry| {
                matches!(&entry.item, TimelineItem::Comment { comment }
                    if comment.body == COMMENT
                        && comment.about == CommentAbout::Note(worker.ada_note))
            });
            let sign_off_arrived = alan.timeline.iter().any(|entry| {
                matches!(&entry.item, TimelineItem::SignOff { sign_off }
                    if sign_off.record == SignedOffRecord::CarePlan(worker.plan)
                        && sign_off.remark.as_deref() == Some(REMARK))
            });
            if comment_arrived && sign_off_arrived {
                break;
            }
            if start.elapsed() > Duration::from_secs(20) {
                bail!(
                    "the worker's laptop has the comment: {comment_arrived}, the sign-off: \
                     {sign_off_arrived}"
                );
            }
        }
        let today = worker.kith.today()?;
        assert!(
            today
                .supervisor_comments
                .iter()
                .any(|shown| shown.comment.body == COMMENT && shown.display_name == "Ada Lovelace"),
            "the comment is on the worker's Today"
        );
        window.close().await
    })
    .await
}

/// People waiting in the paging story: one page (5) and two more.
const PAGED_PEOPLE: [(&str, &str); 7] = [
    ("Cora", "Ames"),
    ("Dev", "Bhatt"),
    ("Edith", "Cole"),
    ("Fola", "Dada"),
    ("Gus", "Evans"),
    ("Hana", "Fox"),
    ("Ivo", "Grant"),
];

/// In `app_dir`: a practice whose link worker (mo.ali) has written a note for each of seven
/// people, the first with an open concern; the supervisor's laptop has pulled them all.
fn seed_paging_story(app_dir: &Path) -> anyhow::Result<()> {
    let supervisor_name = practice("dr.kaur", &["mo.ali"])?;
    let mut supervisor = laptop(app_dir)?;
    supervisor.set_up_practice(&sign_in(&supervisor_name)?)?;
    let worker_dir = tempfile::tempdir()?;
    let mut worker = laptop(worker_dir.path())?;
    let code = supervisor.create_invite()?.code;
    worker.join_practice(&sign_in("mo.ali")?, &code)?;
    for (index, (given, family)) in PAGED_PEOPLE.iter().enumerate() {
        let person = intake(&worker, given, family)?;
        if index == 0 {
            worker.raise_concern(person, ConcernKind::Neglect, "Cold flat.".into())?;
        }
        worker.write_note(person, format!("{given} came to the walking group."))?;
    }
    sync_until(
        "the supervisor has everyone to review",
        &mut [&mut worker, &mut supervisor],
        |both| Ok(both[1].review_queue()?.people_waiting == PAGED_PEOPLE.len() as u32),
    )?;
    supervisor.lock();
    Ok(())
}

#[tokio::test]
async fn a_supervisor_pages_through_a_link_workers_people() -> anyhow::Result<()> {
    within_time_limit(async {
        let (window, ()) = launch_seeded(seed_paging_story).await?;
        let client = window.client()?;
        client.set_window_size(1024, 768).await?;
        window.click("[data-testid=nav-review]").await?;
        window.wait_for_text("h1", "Review").await?;
        window.wait_for_text("[data-testid=review-group-name]", "mo.ali").await?;

        // The header counts everyone waiting; one page of people is shown, the concern first.
        let totals = window.wait_for_element_text("[data-testid=review-group-totals]").await?;
        assert!(totals.contains("7 people · 7 records waiting"), "{totals}");
        assert!(totals.contains("1 person with an open concern"), "{totals}");
        let cards = client.find_all(Locator::Css("[data-testid=review-person]")).await?;
        assert_eq!(cards.len(), 5, "one page of people");
        assert!(cards[0].text().await?.contains("Cora Ames"));
        let more = window.wait_for_element_text("[data-testid=review-show-more]").await?;
        assert_eq!(more, "Show the last 2 people");
        window.screenshot_from_top("supervise-review-paged").await?;
        window
            .screenshot_at("[data-testid=review-show-more]", "supervise-review-show-more")
            .await?;

        // "Show more" adds the other two, says so, and puts focus on the first of them.
        let shown_first: Vec<String> = {
            let mut names = Vec::new();
            for card in &cards {
                names.push(card.find(Locator::Css("h3")).await?.text().await?);
            }
            names
        };
        window.click("[data-testid=review-show-more]").await?;
        window
            .wait_for_text("[data-testid=review-status]", "Showing 2 more people for mo.ali.")
            .await?;
        let cards = client.find_all(Locator::Css("[data-testid=review-person]")).await?;
        assert_eq!(cards.len(), 7, "everyone is shown");
        let mut all_names = Vec::new();
        for card in &cards {
            all_names.push(card.find(Locator::Css("h3")).await?.text().await?);
        }
        assert_eq!(all_names[..5], shown_first[..], "the first page stays in place");
        let mut sorted = all_names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 7, "no one is shown twice: {all_names:?}");
        assert!(
            client.find_all(Locator::Css("[data-testid=review-show-more]")).await?.is_empty(),
            "nothing more to show"
        );
        let focused = client
            .execute("return document.activeElement?.textContent?.trim() ?? '';", vec![])
            .await?;
        assert_eq!(focused.as_str(), Some(all_names[5].as_str()), "focus on the first new person");
        window.check_accessibility("the review queue, paged").await?;

        // Marking one of the new people reviewed takes them off the group's totals.
        let last = cards[6].find(Locator::Css("[data-testid=mark-person-reviewed]")).await?;
        last.click().await?;
        window
            .wait_for_text(
                "[data-testid=review-status]",
                &format!("Marked reviewed: everything for {}.", all_names[6]),
            )
            .await?;
        window
            .wait_for_text("[data-testid=review-group-count]", "6 people · 6 records waiting")
            .await?;
        window
            .wait_for_text("[data-testid=review-waiting]", "6 records waiting for 6 people")
            .await?;
        window.close().await
    })
    .await
}

const WORKER_PHONE: &str = "01632 960001";
const SUPERVISOR_PHONE: &str = "01632 960002";

/// The link worker's laptop in the conflict story, and Margaret, whose phone number conflicts.
struct ConflictStory {
    kith: Kith,
    _dir: tempfile::TempDir,
    margaret: PersonId,
}

/// In `app_dir`: a practice with two link workers (sam.reid and priya.nair). Sam adds Margaret;
/// then, apart, Sam and the supervisor each record a different phone number for her; back
/// together, the supervisor's laptop holds one conflict. Locked for the app to open.
fn seed_conflict_story(app_dir: &Path) -> anyhow::Result<ConflictStory> {
    let supervisor_name = practice("dr.okoro", &["sam.reid", "priya.nair"])?;
    let mut supervisor = laptop(app_dir)?;
    supervisor.set_up_practice(&sign_in(&supervisor_name)?)?;
    let worker_dir = tempfile::tempdir()?;
    let mut worker = laptop(worker_dir.path())?;
    let code = supervisor.create_invite()?.code;
    worker.join_practice(&sign_in("sam.reid")?, &code)?;

    let margaret = intake(&worker, "Margaret", "Okafor")?;
    sync_until("the supervisor has Margaret", &mut [&mut worker, &mut supervisor], |both| {
        Ok(both[1].store()?.person(margaret).is_ok())
    })?;
    // Each laptop learns who wrote on the other, so each value can be attributed.
    one_full_round(&mut worker)?;
    one_full_round(&mut supervisor)?;
    one_full_round(&mut worker)?;

    // Apart (neither syncs), each records a different phone number.
    for (kith, phone) in [(&worker, WORKER_PHONE), (&supervisor, SUPERVISOR_PHONE)] {
        let mut person = kith.store()?.person(margaret)?;
        person.phone = Some(phone.to_owned());
        kith.store()?.update_person(&person)?;
    }
    sync_until("the supervisor sees the conflict", &mut [&mut worker, &mut supervisor], |both| {
        Ok(both.iter().all(|laptop| laptop.conflicts().is_ok_and(|list| list.len() == 1)))
    })?;
    supervisor.lock();
    Ok(ConflictStory { kith: worker, _dir: worker_dir, margaret })
}

/// Asks `kith` to sync until `check` holds, from async code (20 s at most).
async fn worker_syncs_until(
    kith: &mut Kith,
    what: &str,
    mut check: impl FnMut(&Kith) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        kith.sync_now()?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        if check(kith)? {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!("the link worker's laptop never got there: {what}");
        }
    }
}

#[tokio::test]
async fn a_supervisor_resolves_a_conflict_for_everyone_and_moves_a_person_to_another_worker(
) -> anyhow::Result<()> {
    within_time_limit(async {
        let (window, mut worker) = launch_seeded(seed_conflict_story).await?;
        let client = window.client()?;
        client.set_window_size(1024, 768).await?;

        // Both values side by side, with who wrote each.
        window.click("[data-testid=nav-conflicts]").await?;
        window.wait_for_text("h1", "Conflicts").await?;
        let conflict = window.element("[data-testid=conflict]").await?;
        let text = conflict.text().await?;
        assert!(text.contains("Margaret Okafor"), "{text}");
        assert!(text.contains("phone number"), "{text}");
        let current = window.wait_for_element_text("[data-testid=conflict-current]").await?;
        let losing = window.wait_for_element_text("[data-testid=conflict-losing]").await?;
        let (current_value, losing_value) = if current.contains(WORKER_PHONE) {
            (WORKER_PHONE, SUPERVISOR_PHONE)
        } else {
            (SUPERVISOR_PHONE, WORKER_PHONE)
        };
        assert!(losing.contains(losing_value), "{losing}");
        for (side, value) in [(&current, current_value), (&losing, losing_value)] {
            let writer =
                if value == WORKER_PHONE { "Written by sam.reid" } else { "Written by you" };
            assert!(side.contains(writer), "{side}");
        }
        let explained = window.page_text().await?;
        assert!(explained.contains("changed on two laptops before they synced"));
        window.screenshot("supervise-conflicts").await?;
        window.check_accessibility("conflicts").await?;

        // Keeping the value that lost: the list empties, and Sam's laptop ends with it too.
        window.click("[data-testid=keep-losing]").await?;
        window.element("[data-testid=conflicts-empty]").await?;
        let status = window.wait_for_element_text("[data-testid=conflicts-status]").await?;
        assert!(status.contains(losing_value), "{status}");
        let margaret = worker.margaret;
        worker_syncs_until(&mut worker.kith, "the chosen phone number, no conflict", |kith| {
            let phone = kith.store()?.person(margaret)?.phone;
            Ok(phone.as_deref() == Some(losing_value) && kith.conflicts()?.is_empty())
        })
        .await?;

        // Moving Margaret from Sam to Priya, from her record, after a warning about Sam's laptop.
        window.click("[data-testid=nav-people]").await?;
        window.click("a[data-testid=person-result]").await?;
        let panel = window.element("[data-testid=supervisor-panel]").await?;
        client
            .execute("arguments[0].scrollIntoView();", vec![serde_json::to_value(&panel)?])
            .await?;
        window.wait_for_text("[data-testid=current-worker]", "sam.reid").await?;
        window.click("[data-testid=open-reassign]").await?;
        window.select("[data-testid=reassign-worker]", "priya.nair").await?;
        window.click("[data-testid=reassign-next]").await?;
        let warning = window.wait_for_element_text("[data-testid=reassign-confirm]").await?;
        assert!(
            warning.contains("sam.reid's laptop will no longer have Margaret Okafor"),
            "{warning}"
        );
        window.screenshot("supervise-reassign").await?;
        window.check_accessibility("a person's record, as a supervisor").await?;
        window.click("[data-testid=reassign-confirm-button]").await?;
        window.wait_for_text("[data-testid=current-worker]", "priya.nair").await?;
        worker_syncs_until(&mut worker.kith, "Margaret is gone from Sam's laptop", |kith| {
            Ok(kith.store()?.person(margaret).is_err())
        })
        .await?;
        window.close().await
    })
    .await
}

/// A practice whose supervisor (a laptop in the test) has set it up and made an invite code.
/// Usernames are unique across the shared server: this story's are its own.
fn seed_invite() -> anyhow::Result<String> {
    let supervisor_name = practice("dr.mensah", &["lee.tran"])?;
    let dir = tempfile::tempdir()?;
    let mut supervisor = laptop(dir.path())?;
    supervisor.set_up_practice(&sign_in(&supervisor_name)?)?;
    Ok(supervisor.create_invite()?.code)
}

#[tokio::test]
async fn a_link_worker_joins_the_practice_from_the_app_with_an_invite_code() -> anyhow::Result<()> {
    within_time_limit(async {
        let code = std::thread::spawn(seed_invite)
            .join()
            .map_err(|_| anyhow::anyhow!("seeding the practice panicked"))??;
        let window = crate::launch_unlocked(|_| Ok(())).await?;
        window
            .wait_for_text(
                "[data-testid=sync-headline]",
                "Not connected to a practice server — everything is saved on this laptop.",
            )
            .await?;
        window.click_text("Join a practice").await?;
        window.wait_for_text("h1", "Practice server").await?;

        // A short code is refused on the laptop, with what is wrong.
        window.fill("#server-address", &server()?.address).await?;
        window.fill("#username", "lee.tran").await?;
        window.fill("#server-password", PASSWORD).await?;
        window.fill("#device-name", "Lee's laptop").await?;
        window.fill("#invite-code", "ABCD-EFGH").await?;
        window.click("form button[type=submit]").await?;
        window
            .wait_for_text("#invite-code-error", "An invite code has 24 characters; this has 8.")
            .await?;
        window.screenshot("practice-join").await?;
        window.check_accessibility("joining a practice").await?;

        // The right code joins; the password field is never kept.
        window.fill("#server-password", PASSWORD).await?;
        window.fill("#invite-code", &code).await?;
        window.click("form button[type=submit]").await?;
        window.element("[data-testid=sync-details]").await?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = window.page_text().await?;
            if text.contains("Online and up to date.") {
                break;
            }
            if Instant::now() > deadline {
                bail!("the joined laptop never showed a finished sync; the page said {text:?}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        window.screenshot("practice-joined").await?;
        window.check_accessibility("the practice server, joined").await?;
        window.close().await
    })
    .await
}
