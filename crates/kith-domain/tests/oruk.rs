//! ORUK directory import: the shipped sample imports whole; a file with bad rows keeps the
//! good ones and says what is wrong with each bad one; an unusable file is refused clearly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashSet};

use kith_domain::directory::ServiceCategory;
use kith_domain::error::DomainError;
use kith_domain::ids::ServiceId;
use kith_domain::oruk::{parse_directory, parse_directory_with_progress, ImportedService};
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("../../../assets/directory/oruk-sample.json");

fn service<'a>(services: &'a [ImportedService], name: &str) -> &'a ImportedService {
    services
        .iter()
        .find(|service| service.name == name)
        .unwrap_or_else(|| panic!("no service named {name}"))
}

/// A complete, valid ORUK service in the tree shape.
fn good_service(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "description": "A weekly group.",
        "url": "https://example.org/group",
        "email": "group@example.org",
        "status": "active",
        "organization": { "id": "3f1e7a9c-2b4d-4c6e-8f0a-1b2c3d4e5f60", "name": "Town Action" },
        "contacts": [{ "id": "c1", "phones": [{ "id": "p1", "number": "01632 960001" }] }],
        "service_taxonomys": [{ "id": "st1", "taxonomy": { "id": "t1", "name": "Befriending" } }],
        "regular_schedules": [{ "id": "r1", "opens_at": "10:00", "closes_at": "12:00",
                                "freq": "WEEKLY", "interval": 1, "byday": "TU" }],
        "cost_options": [{ "id": "co1", "option": "Free", "amount": 0 }],
        "eligibilitys": [{ "id": "e1", "eligibility": "Adults", "minimum_age": 18 }],
        "languages": [{ "id": "l1", "language": "English" }]
    })
}

const ID_A: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const ID_B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const ID_C: &str = "16fd2706-8baf-433b-82eb-8c7fada847da";
const ID_D: &str = "886313e1-3b8a-5372-9b90-0c9aee199e5d";

#[test]
fn the_shipped_sample_imports_whole_across_the_categories() {
    let report = parse_directory(SAMPLE).expect("the sample is a usable ORUK file");

    let messages: Vec<String> = report.rejected.iter().map(|row| row.message()).collect();
    assert!(messages.is_empty(), "sample rows rejected: {messages:#?}");
    assert!(report.services.len() >= 40, "only {} services", report.services.len());
    assert_eq!(report.rows, report.services.len());

    let categories: BTreeSet<ServiceCategory> =
        report.services.iter().map(|service| service.category).collect();
    assert!(categories.len() >= 12, "only {} categories: {categories:?}", categories.len());
    // every named category of the domain has at least one service
    for category in ServiceCategory::ALL.into_iter().filter(|c| *c != ServiceCategory::Other) {
        assert!(categories.contains(&category), "no service in {category:?}");
    }

    let ids: HashSet<_> = report.services.iter().map(|service| service.source_id).collect();
    assert_eq!(ids.len(), report.services.len(), "ids are unique");
    for service in &report.services {
        let name = &service.name;
        let phone = service.phone.as_deref().unwrap_or_else(|| panic!("{name}: no phone"));
        assert!(phone.starts_with("01632 960"), "{name}: {phone} is outside the drama range");
        let email = service.email.as_deref().unwrap_or_else(|| panic!("{name}: no email"));
        assert!(email.ends_with("@example.org"), "{name}: {email}");
        assert!(service.schedule.is_some(), "{name}: no schedule");
        assert!(service.cost.is_some(), "{name}: no cost");
        assert!(service.eligibility.is_some(), "{name}: no eligibility");
        assert!(service.organisation.is_some(), "{name}: no organisation");
        assert!(!service.languages.is_empty(), "{name}: no language");
        assert!(service.description.as_deref().is_some_and(|text| text.len() > 60), "{name}");
    }
}

#[test]
fn sample_fields_reach_the_service() {
    let report = parse_directory(SAMPLE).unwrap();

    let cuppa = service(&report.services, "Cuppa and Company");
    assert_eq!(cuppa.category, ServiceCategory::Befriending);
    assert_eq!(cuppa.organisation.as_deref(), Some("St Cuthbert's Church"));
    assert_eq!(cuppa.schedule.as_deref(), Some("Every Tuesday 14:00–16:00"));
    assert_eq!(cuppa.cost.as_deref(), Some("£2 donation towards tea and cake, pay what you can"));
    assert_eq!(cuppa.postcode.as_deref(), Some("HB2 4LS"));
    assert_eq!(
        cuppa.address.as_deref(),
        Some("St Cuthbert's Church Hall, Church Lane, Hollinsbridge")
    );
    assert!(cuppa.accessibility.iter().any(|feature| feature == "Hearing loop"));

    let carers = service(&report.services, "Young Adult Carers Group");
    assert_eq!(carers.category, ServiceCategory::CarersSupport);
    assert_eq!(carers.eligibility.as_deref(), Some("Young carers aged 16 to 25"));

    let polish = service(&report.services, "Klub Seniora: Polish Seniors Club");
    assert_eq!(polish.category, ServiceCategory::AgeRelatedGroups);
    assert_eq!(polish.languages, ["Polish", "English"]);

    // delivered at home: no place, the schedule comes from the service itself
    let tablets = service(&report.services, "Get Online at Home: Tablet Loan");
    assert_eq!(tablets.address, None);
    assert_eq!(
        tablets.schedule.as_deref(),
        Some("Every Monday to Friday 10:00–16:00 (Home visits arranged after referral)")
    );

    // a description that gives the times is kept as it is
    let phone_friends = service(&report.services, "Telephone Friends");
    assert_eq!(
        phone_friends.schedule.as_deref(),
        Some("Calls arranged between 10:00 and 16:00 on weekdays")
    );
    assert_eq!(tablets.cost.as_deref(), Some("Free"));

    // the category comes from the taxonomy term, and the term is kept as written
    let bereavement_walk = service(&report.services, "Walk and Talk after Loss");
    assert_eq!(bereavement_walk.category, ServiceCategory::Bereavement);
    assert_eq!(bereavement_walk.taxonomy_terms, ["Bereavement support"]);
}

#[test]
fn bad_rows_are_listed_with_their_reasons_and_good_rows_import() {
    let mut missing_name = good_service(ID_C, "");
    missing_name.as_object_mut().unwrap().remove("name");
    let mut wrong_types = good_service("16fd2706-8baf-433b-82eb-8c7fada84700", "Tea and Chat");
    wrong_types["description"] = json!(42);
    wrong_types["organization"] = json!("Town Action");
    wrong_types["languages"] = json!({ "language": "English" });
    let mut bad_email = good_service("16fd2706-8baf-433b-82eb-8c7fada84701", "Lunch Club");
    bad_email["email"] = json!("lunch club at example.org");
    let mut bad_age = good_service("16fd2706-8baf-433b-82eb-8c7fada84702", "Youth Club");
    bad_age["eligibilitys"][0]["minimum_age"] = json!("eighteen");
    bad_age["cost_options"][0]["amount"] = json!("two pounds");
    let mut numeric_name = good_service("16fd2706-8baf-433b-82eb-8c7fada84703", "x");
    numeric_name["name"] = json!(7);
    let mut no_id = good_service("", "Book Club");
    no_id.as_object_mut().unwrap().remove("id");

    let file = json!([
        good_service(ID_A, "Garden Club"),       // 0 good
        missing_name,                            // 1
        good_service("not-a-uuid", "Choir"),     // 2
        good_service(ID_B, "Walking Group"),     // 3 good
        good_service(ID_A, "Garden Club again"), // 4 duplicate of 0
        wrong_types,                             // 5
        bad_email,                               // 6
        12,                                      // 7
        bad_age,                                 // 8
        numeric_name,                            // 9
        good_service(ID_D, "Singing Group"),     // 10 good
        no_id,                                   // 11
        good_service(" ", "Quiz Night"),         // 12 blank id
    ]);
    let report = parse_directory(&file.to_string()).unwrap();

    assert_eq!(report.rows, 13);
    let accepted: Vec<&str> = report.services.iter().map(|service| service.name.as_str()).collect();
    assert_eq!(accepted, ["Garden Club", "Walking Group", "Singing Group"]);

    let rejected_indexes: Vec<usize> = report.rejected.iter().map(|row| row.index).collect();
    assert_eq!(rejected_indexes, [1, 2, 4, 5, 6, 7, 8, 9, 11, 12]);
    let reasons_of = |index: usize| -> String {
        report.rejected.iter().find(|row| row.index == index).unwrap().reasons.join(" | ")
    };
    assert_eq!(reasons_of(1), "missing name: every service needs a name");
    assert!(reasons_of(2).contains("id 'not-a-uuid' is not a UUID"), "{}", reasons_of(2));
    assert_eq!(
        reasons_of(4),
        "duplicate id: service 1 already uses it; give each service its own id"
    );
    let wrong = reasons_of(5);
    assert!(wrong.contains("description must be text, found a number"), "{wrong}");
    assert!(wrong.contains("organization must be an object, found text"), "{wrong}");
    assert!(wrong.contains("languages must be a list, found an object"), "{wrong}");
    assert_eq!(reasons_of(6), "email 'lunch club at example.org' is not a valid email address");
    assert_eq!(reasons_of(7), "must be an object, found a number");
    let age = reasons_of(8);
    assert!(age.contains("eligibilitys[0].minimum_age must be a number, found text"), "{age}");
    assert!(age.contains("cost_options[0].amount must be an amount like 2.50"), "{age}");
    assert_eq!(reasons_of(9), "name must be text, found a number");
    assert_eq!(reasons_of(11), "missing id: every service needs a UUID id");
    assert_eq!(reasons_of(12), "missing id: every service needs a UUID id");

    // the messages a person reads name the row from 1, and the service when it can
    let rejected = &report.rejected;
    assert_eq!(
        rejected[0].message(),
        format!("service 2 (id {ID_C}): missing name: every service needs a name")
    );
    assert_eq!(rejected[2].source_id.as_deref(), Some(ID_A));
    assert!(rejected[3].message().starts_with("service 6 ('Tea and Chat'): "));
    assert_eq!(
        rejected[4].message(),
        "service 7 ('Lunch Club'): email 'lunch club at example.org' is not a valid email address"
    );
    assert_eq!(rejected[5].message(), "service 8: must be an object, found a number");
}

#[test]
fn a_file_that_is_not_an_oruk_directory_is_refused_with_a_clear_error() {
    let not_json = parse_directory("name,description\nGarden Club,Weekly").unwrap_err();
    assert!(matches!(not_json, DomainError::OrukNotJson { line: 1, .. }), "{not_json:?}");
    assert_eq!(not_json.code(), "oruk_not_json");
    assert!(not_json
        .to_string()
        .starts_with("The directory file is not valid JSON (line 1, column"));

    // a file cut short is refused whole, not imported in part
    let truncated = parse_directory(&SAMPLE[..SAMPLE.len() / 2]).unwrap_err();
    assert!(matches!(truncated, DomainError::OrukNotJson { .. }), "{truncated:?}");

    let number = parse_directory("42").unwrap_err();
    assert_eq!(number, DomainError::OrukNotADirectory { found: "a number" });
    assert!(number.to_string().contains("holds a number, not a directory"), "{number}");

    let no_list = parse_directory(r#"{"total_items": 3, "items": []}"#).unwrap_err();
    assert_eq!(no_list, DomainError::OrukNoServiceList);

    let services_not_a_list = parse_directory(r#"{"services": {"id": "x"}}"#).unwrap_err();
    assert_eq!(
        services_not_a_list,
        DomainError::OrukServicesNotAList { key: "services", found: "an object" }
    );
    assert_eq!(
        services_not_a_list.to_string(),
        "\"services\" must be a list of services, but it holds an object"
    );
}

#[test]
fn services_objects_and_api_pages_are_accepted_and_unknown_fields_ignored() {
    let mut with_extras = good_service(ID_A, "Garden Club");
    with_extras["x_local_rating"] = json!({ "stars": 5 });
    with_extras["fundings"] = json!([{ "id": "f1", "source": "Lottery" }]);

    let wrapped = json!({ "services": [with_extras.clone()] });
    let page = json!({
        "total_items": 1, "total_pages": 1, "number": 1, "size": 50,
        "first_page": true, "last_page": true, "empty": false,
        "content": [with_extras.clone()]
    });
    for document in [json!([with_extras]), wrapped, page] {
        let report = parse_directory(&document.to_string()).unwrap();
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        assert_eq!(report.services.len(), 1);
        assert_eq!(report.services[0].source_id.to_string(), ID_A);
    }

    let empty = parse_directory("[]").unwrap();
    assert_eq!((empty.rows, empty.services.len(), empty.rejected.len()), (0, 0, 0));
}

#[test]
fn progress_counts_every_row() {
    let file = json!([good_service(ID_A, "A"), 5, good_service(ID_B, "B")]).to_string();
    let mut calls = Vec::new();
    let report =
        parse_directory_with_progress(&file, |done, total| calls.push((done, total))).unwrap();
    assert_eq!(calls, [(1, 3), (2, 3), (3, 3)]);
    assert_eq!(report.rows, 3);
    assert_eq!(report.services.len() + report.rejected.len(), 3);
}

#[test]
fn categories_come_from_taxonomy_terms_then_the_name() {
    let with_term = |term: &str, name: &str| -> ServiceCategory {
        let mut row = good_service(ID_A, name);
        row["service_taxonomys"][0]["taxonomy"]["name"] = json!(term);
        parse_directory(&json!([row]).to_string()).unwrap().services[0].category
    };
    let cases = [
        ("Men's groups", "Tuesday club", ServiceCategory::MensGroups),
        ("Men’s Sheds", "Tuesday club", ServiceCategory::MensGroups),
        ("Walking and sport", "Tuesday club", ServiceCategory::WalkingAndSport),
        ("Money and debt advice", "Tuesday club", ServiceCategory::MoneyAndDebtAdvice),
        ("Carers' support", "Tuesday club", ServiceCategory::CarersSupport),
        ("Employment and volunteering", "Tuesday club", ServiceCategory::EmploymentAndVolunteering),
        ("Older people's groups", "Tuesday club", ServiceCategory::AgeRelatedGroups),
        ("Arts and crafts", "Tuesday club", ServiceCategory::Arts),
        ("Singing and music", "Tuesday club", ServiceCategory::Singing),
        // an unknown term falls back to the name
        ("Community", "Riverside Community Garden", ServiceCategory::Gardening),
        ("Community", "Cook and Eat", ServiceCategory::Cookery),
        // words inside other words do not count: heart is not art, single is not singing
        ("Community", "Heart health for single parents", ServiceCategory::Other),
        // the taxonomy term wins over a name that suggests another category
        ("Bereavement support", "Walk and talk", ServiceCategory::Bereavement),
    ];
    for (term, name, expected) in cases {
        assert_eq!(with_term(term, name), expected, "term {term:?}, name {name:?}");
    }
}

#[test]
fn schedule_cost_and_eligibility_are_put_into_words() {
    let mut row = good_service(ID_A, "Chair Exercise");
    row["regular_schedules"] = json!([
        { "id": "r1", "opens_at": "10:00", "closes_at": "11:00", "freq": "WEEKLY", "interval": 1,
          "byday": "TU,FR" },
        { "id": "r2", "opens_at": "14:00", "closes_at": "15:30", "freq": "WEEKLY", "interval": 2,
          "byday": "WE", "description": "every other wednesday" },
        { "id": "r3", "opens_at": "09:00", "closes_at": "17:00", "freq": "WEEKLY", "interval": 1,
          "byday": "MO,TU,WE,TH", "description": "By appointment" },
        { "id": "r4", "opens_at": "18:00", "closes_at": "19:30", "freq": "MONTHLY",
          "byday": "TU", "description": "First Tuesday of the month" }
    ]);
    row["cost_options"] = json!([{ "id": "c", "option": "per class", "amount": 2.5 }]);
    row["eligibilitys"] = json!([
        { "id": "e", "eligibility": "Young carers", "minimum_age": 16, "maximum_age": 25 },
        { "id": "f", "eligibility": "Adults 60 and over", "minimum_age": 60 }
    ]);
    let report = parse_directory(&json!([row]).to_string()).unwrap();
    let service = &report.services[0];
    assert_eq!(
        service.schedule.as_deref(),
        Some(
            "Every Tuesday and Friday 10:00–11:00; Every other Wednesday 14:00–15:30; \
             Every Monday to Thursday 09:00–17:00 (By appointment); \
             Monthly on Tuesday 18:00–19:30 (First Tuesday of the month)"
        )
    );
    assert_eq!(service.cost.as_deref(), Some("£2.50 per class"));
    assert_eq!(
        service.eligibility.as_deref(),
        Some("Young carers (ages 16–25); Adults 60 and over")
    );

    let mut upside_down = good_service(ID_B, "Youth Club");
    upside_down["eligibilitys"][0]["maximum_age"] = json!(11);
    let report = parse_directory(&json!([upside_down]).to_string()).unwrap();
    assert_eq!(
        report.rejected[0].reasons,
        ["eligibilitys[0]: minimum_age 18 is above maximum_age 11"]
    );
}

#[test]
fn an_imported_service_becomes_a_directory_entry_that_remembers_its_oruk_id() {
    let mut row = good_service(ID_A, "Garden Club");
    row["status"] = json!("inactive");
    let report = parse_directory(&json!([row]).to_string()).unwrap();
    let imported = &report.services[0];
    assert!(!imported.is_active());

    let id = ServiceId::new();
    let entry = imported.to_community_service(id);
    assert_eq!(entry.id, id);
    assert_eq!(entry.oruk_id.as_deref(), Some(ID_A));
    assert_eq!(entry.name, "Garden Club");
    assert_eq!(entry.category, ServiceCategory::Befriending);
    assert_eq!(entry.website.as_deref(), Some("https://example.org/group"));
    assert_eq!(entry.phone.as_deref(), Some("01632 960001"));
    assert!(!entry.active);

    // the same file read again gives the same source ids, so a re-import can match entries
    let again = parse_directory(&json!([good_service(ID_A, "Garden Club")]).to_string()).unwrap();
    assert_eq!(again.services[0].source_id, imported.source_id);
    assert!(again.services[0].is_active());
}
