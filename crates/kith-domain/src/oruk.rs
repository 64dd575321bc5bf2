//! Open Referral UK (ORUK) import: reads a community directory in ORUK JSON into plain
//! services, keeping each bad row out with a reason a person can act on. Pure: no IO.
//!
//! Accepted shapes: a top-level array of services, an object `{ "services": [...] }`, or an
//! ORUK API page `{ "content": [...] }`. Each service is the ORUK "tree" (HSDS) shape:
//! `organization`, `service_at_locations[].location.physical_addresses`, `contacts[].phones`,
//! `regular_schedules`, `eligibilitys`, `cost_options`, `languages`,
//! `service_taxonomys[].taxonomy`, `accessibility_for_disabilities`. Unknown fields are
//! ignored. Rows are checked one by one, so one bad row never rejects the file.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::directory::{CommunityService, ServiceCategory};
use crate::error::DomainError;
use crate::ids::ServiceId;

/// One service read from an ORUK file, flattened to what a link worker needs to see.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportedService {
    /// The service's id in the ORUK file: re-importing the same file updates, never duplicates.
    pub source_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// The organisation that runs the service (ORUK `organization.name`).
    pub organisation: Option<String>,
    /// Mapped from the taxonomy terms (then the name); `Other` when nothing matches.
    pub category: ServiceCategory,
    /// The taxonomy term names as written in the file (kept: a term such as "Bereavement
    /// support" has no category of its own and maps to `Other`).
    pub taxonomy_terms: Vec<String>,
    /// ORUK `status` (`active`, `inactive`, `defunct`, `temporarily closed`); `active` when absent.
    pub status: String,
    /// Where it happens, one line: location name, street, town (without the postcode).
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
    /// When it runs, e.g. "Every Tuesday 10:00–12:00".
    pub schedule: Option<String>,
    /// What it costs, e.g. "Free" or "£2 per session".
    pub cost: Option<String>,
    /// Who it is for, e.g. "Men aged 50 and over (ages 50+)".
    pub eligibility: Option<String>,
    pub languages: Vec<String>,
    /// Access features of the places it runs in, e.g. "Step-free access", "Hearing loop".
    pub accessibility: Vec<String>,
}

impl ImportedService {
    /// The directory entry for this service, under `id` (a new id on first import, the
    /// existing entry's id on a re-import matched by [`ImportedService::source_id`]).
    /// Access features are joined with "; ". `CommunityService` has no languages field: they
    /// are not carried over.
    pub fn to_community_service(&self, id: ServiceId) -> CommunityService {
        CommunityService {
            id,
            name: self.name.clone(),
            organisation: self.organisation.clone(),
            description: self.description.clone(),
            category: self.category,
            address: self.address.clone(),
            postcode: self.postcode.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            website: self.url.clone(),
            schedule: self.schedule.clone(),
            cost: self.cost.clone(),
            eligibility: self.eligibility.clone(),
            accessibility: (!self.accessibility.is_empty()).then(|| self.accessibility.join("; ")),
            oruk_id: Some(self.source_id.to_string()),
            active: self.is_active(),
        }
    }

    /// True unless the file marks the service inactive, defunct or (temporarily) closed.
    pub fn is_active(&self) -> bool {
        let status = self.status.to_ascii_lowercase();
        !(status.contains("inactive") || status.contains("defunct") || status.contains("closed"))
    }
}

/// A row of the file that was not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RejectedRow {
    /// Position in the file's list of services, counting from 0.
    pub index: usize,
    /// The row's `id` as written in the file, when it had one.
    pub source_id: Option<String>,
    /// The row's `name`, when it had one.
    pub name: Option<String>,
    /// Every problem found in the row, each saying what to fix.
    pub reasons: Vec<String>,
}

impl RejectedRow {
    /// One line for a person: `service 12 ('Tea & Chat'): missing name; ...` (numbered from 1).
    pub fn message(&self) -> String {
        let label = match &self.name {
            Some(name) => format!("service {} ('{}')", self.index + 1, name),
            None => match &self.source_id {
                Some(id) => format!("service {} (id {})", self.index + 1, id),
                None => format!("service {}", self.index + 1),
            },
        };
        format!("{label}: {}", self.reasons.join("; "))
    }
}

/// What an import found: the services to keep and the rows left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ImportReport {
    /// How many rows the file's list of services held (accepted + rejected).
    pub rows: usize,
    pub services: Vec<ImportedService>,
    pub rejected: Vec<RejectedRow>,
}

/// Parses a whole ORUK file. Fails only when the file itself is unusable (not JSON, or no list
/// of services); bad rows are listed in the report instead.
pub fn parse_directory(json_text: &str) -> Result<ImportReport, DomainError> {
    parse_directory_with_progress(json_text, |_, _| {})
}

/// As [`parse_directory`], calling `on_progress(rows_done, rows_total)` after each row so a
/// caller can show progress on a large file.
pub fn parse_directory_with_progress(
    json_text: &str,
    mut on_progress: impl FnMut(usize, usize),
) -> Result<ImportReport, DomainError> {
    let document: Value = serde_json::from_str(json_text)
        .map_err(|error| DomainError::OrukNotJson { line: error.line(), column: error.column() })?;
    let rows = service_rows(document)?;
    let total = rows.len();
    let mut report = ImportReport { rows: total, ..ImportReport::default() };
    // id → index of the first accepted row that used it
    let mut seen_ids: HashMap<Uuid, usize> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        match read_service(row) {
            Ok(service) => {
                if let Some(first) = seen_ids.get(&service.source_id) {
                    report.rejected.push(RejectedRow {
                        index,
                        source_id: Some(service.source_id.to_string()),
                        name: Some(service.name),
                        reasons: vec![format!(
                            "duplicate id: service {} already uses it; give each service its own \
                             id",
                            first + 1
                        )],
                    });
                } else {
                    seen_ids.insert(service.source_id, index);
                    report.services.push(service);
                }
            }
            Err(mut rejected) => {
                rejected.index = index;
                report.rejected.push(rejected);
            }
        }
        on_progress(index + 1, total);
    }
    Ok(report)
}

/// Finds the list of services in the accepted document shapes.
fn service_rows(document: Value) -> Result<Vec<Value>, DomainError> {
    match document {
        Value::Array(rows) => Ok(rows),
        Value::Object(mut object) => {
            for key in ["services", "content"] {
                match object.remove(key) {
                    Some(Value::Array(rows)) => return Ok(rows),
                    Some(other) => {
                        let found = kind_of(&other);
                        return Err(DomainError::OrukServicesNotAList { key, found });
                    }
                    None => {}
                }
            }
            Err(DomainError::OrukNoServiceList)
        }
        other => Err(DomainError::OrukNotADirectory { found: kind_of(&other) }),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Reads fields of one row, collecting every problem instead of stopping at the first.
#[derive(Default)]
struct RowReader {
    problems: Vec<String>,
}

impl RowReader {
    /// Optional text: absent or null is `None`, blank is `None`, anything else is a problem.
    fn text(&mut self, object: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => {
                let trimmed = text.trim();
                (!trimmed.is_empty()).then(|| trimmed.to_owned())
            }
            Some(other) => {
                self.problems.push(format!("{path} must be text, found {}", kind_of(other)));
                None
            }
        }
    }

    /// Optional whole number (ages): absent or null is `None`.
    fn whole_number(&mut self, object: &Map<String, Value>, key: &str, path: &str) -> Option<u64> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(number)) => match number.as_u64() {
                Some(whole) => Some(whole),
                None => {
                    self.problems.push(format!("{path} must be a whole number of 0 or more"));
                    None
                }
            },
            Some(other) => {
                self.problems.push(format!("{path} must be a number, found {}", kind_of(other)));
                None
            }
        }
    }

    /// Optional amount of money: a number, or text holding one.
    fn amount(&mut self, object: &Map<String, Value>, key: &str, path: &str) -> Option<f64> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Number(number)) => number.as_f64(),
            Some(Value::String(text)) if text.trim().is_empty() => None,
            Some(Value::String(text)) => match text.trim().trim_start_matches('£').parse::<f64>() {
                Ok(amount) if amount.is_finite() && amount >= 0.0 => Some(amount),
                _ => {
                    self.problems
                        .push(format!("{path} must be an amount like 2.50, found '{text}'"));
                    None
                }
            },
            Some(other) => {
                self.problems.push(format!("{path} must be a number, found {}", kind_of(other)));
                None
            }
        }
    }

    /// Optional nested object.
    fn object<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Option<&'v Map<String, Value>> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(inner)) => Some(inner),
            Some(other) => {
                self.problems.push(format!("{path} must be an object, found {}", kind_of(other)));
                None
            }
        }
    }

    /// Optional list of objects, with each item's path (`contacts[0]`). Items that are not
    /// objects are problems.
    fn objects<'v>(
        &mut self,
        object: &'v Map<String, Value>,
        key: &str,
        path: &str,
    ) -> Vec<(String, &'v Map<String, Value>)> {
        match object.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut found = Vec::with_capacity(items.len());
                for (position, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{position}]");
                    match item {
                        Value::Object(inner) => found.push((item_path, inner)),
                        other => self.problems.push(format!(
                            "{item_path} must be an object, found {}",
                            kind_of(other)
                        )),
                    }
                }
                found
            }
            Some(other) => {
                self.problems.push(format!("{path} must be a list, found {}", kind_of(other)));
                Vec::new()
            }
        }
    }
}

/// Reads one row into a service, or the reasons it cannot be imported. The returned
/// rejection's `index` is filled in by the caller.
fn read_service(row: &Value) -> Result<ImportedService, RejectedRow> {
    let Value::Object(service) = row else {
        return Err(RejectedRow {
            index: 0,
            source_id: None,
            name: None,
            reasons: vec![format!("must be an object, found {}", kind_of(row))],
        });
    };
    let mut reader = RowReader::default();

    let raw_id = match service.get("id") {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            reader.problems.push("missing id: every service needs a UUID id".to_owned());
            None
        }
        Some(other) => {
            reader.problems.push(format!("id must be text (a UUID), found {}", kind_of(other)));
            None
        }
    };
    let source_id = raw_id.as_deref().and_then(|text| match Uuid::parse_str(text) {
        Ok(id) => Some(id),
        Err(_) => {
            reader.problems.push(format!(
                "id '{text}' is not a UUID (expected like 0f8fad5b-d9cb-469f-a165-70867728950e)"
            ));
            None
        }
    });

    let name = match service.get("name") {
        Some(Value::String(text)) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            reader.problems.push("missing name: every service needs a name".to_owned());
            None
        }
        Some(other) => {
            reader.problems.push(format!("name must be text, found {}", kind_of(other)));
            None
        }
    };

    let description = reader.text(service, "description", "description");
    let status = reader.text(service, "status", "status").unwrap_or_else(|| "active".to_owned());
    let fees = reader.text(service, "fees", "fees");

    let email = reader.text(service, "email", "email");
    if let Some(address) = &email {
        if !looks_like_email(address) {
            reader.problems.push(format!("email '{address}' is not a valid email address"));
        }
    }
    let url = reader.text(service, "url", "url");
    if let Some(link) = &url {
        if !looks_like_web_address(link) {
            reader.problems.push(format!("url '{link}' must start with https:// or http://"));
        }
    }

    let organization = reader.object(service, "organization", "organization");
    let organisation = organization.and_then(|org| reader.text(org, "name", "organization.name"));
    let organisation_url = organization.and_then(|org| reader.text(org, "url", "organization.url"));
    let organisation_email =
        organization.and_then(|org| reader.text(org, "email", "organization.email"));

    let taxonomy_terms = read_taxonomy_terms(&mut reader, service);
    let places = read_places(&mut reader, service);
    let phone = read_phone(&mut reader, service, organization);
    let schedule = read_schedule(&mut reader, service);
    let cost = read_cost(&mut reader, service, fees);
    let eligibility = read_eligibility(&mut reader, service);
    let languages = read_languages(&mut reader, service);

    let (Some(source_id), Some(name), true) = (source_id, name.clone(), reader.problems.is_empty())
    else {
        // a list read twice (places and schedules both walk service_at_locations) may report
        // the same problem twice
        let mut reasons: Vec<String> = Vec::with_capacity(reader.problems.len());
        for problem in reader.problems {
            if !reasons.contains(&problem) {
                reasons.push(problem);
            }
        }
        return Err(RejectedRow { index: 0, source_id: raw_id, name, reasons });
    };

    let category = category_for(&taxonomy_terms, &name);
    Ok(ImportedService {
        source_id,
        name,
        description,
        organisation,
        category,
        taxonomy_terms,
        status,
        address: places.address,
        postcode: places.postcode,
        phone,
        email: email.or(organisation_email.filter(|address| looks_like_email(address))),
        url: url.or(organisation_url.filter(|link| looks_like_web_address(link))),
        schedule,
        cost,
        eligibility,
        languages,
        accessibility: places.accessibility,
    })
}

/// A plausible email address: one `@`, something before it, a dotted domain after, no spaces.
fn looks_like_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !address.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

fn looks_like_web_address(link: &str) -> bool {
    let lower = link.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !rest.chars().any(char::is_whitespace))
}

/// Taxonomy term names from `service_taxonomys[].taxonomy` (ORUK 1) and
/// `attributes[].taxonomy_term` (ORUK 3).
fn read_taxonomy_terms(reader: &mut RowReader, service: &Map<String, Value>) -> Vec<String> {
    let mut terms = Vec::new();
    for (list, inner) in [("service_taxonomys", "taxonomy"), ("attributes", "taxonomy_term")] {
        for (path, link) in reader.objects(service, list, list) {
            let inner_path = format!("{path}.{inner}");
            if let Some(term) = reader.object(link, inner, &inner_path) {
                if let Some(name) = reader.text(term, "name", &format!("{inner_path}.name")) {
                    terms.push(name);
                }
            }
        }
    }
    terms
}

/// Keywords for each category, tried in order against each taxonomy term, then the service
/// name. A keyword matches at the start of a word ("garden" matches "gardening", "art" would
/// match "arthritis"); a trailing space makes it end a word too ("art " matches only "art").
/// Specific groups come first ("carers' support" is carers, not support). Kinds of
/// service that have no category of their own (bereavement, mental wellbeing, digital skills,
/// food banks) are recognised as `Other`, so a "Bereavement support" term is not re-guessed
/// from a name such as "Walk and talk after loss".
const CATEGORY_KEYWORDS: &[(&str, ServiceCategory)] = &[
    ("bereave", ServiceCategory::Bereavement),
    ("grief", ServiceCategory::Bereavement),
    ("carer", ServiceCategory::CarersSupport),
    ("caring", ServiceCategory::CarersSupport),
    ("men's", ServiceCategory::MensGroups),
    ("mens ", ServiceCategory::MensGroups),
    ("men ", ServiceCategory::MensGroups),
    ("shed ", ServiceCategory::MensGroups),
    ("sheds ", ServiceCategory::MensGroups),
    ("food bank", ServiceCategory::FoodAndEssentials),
    ("foodbank", ServiceCategory::FoodAndEssentials),
    ("food support", ServiceCategory::FoodAndEssentials),
    ("pantry", ServiceCategory::FoodAndEssentials),
    ("mental", ServiceCategory::MentalWellbeing),
    ("wellbeing", ServiceCategory::MentalWellbeing),
    ("anxiety", ServiceCategory::MentalWellbeing),
    ("digital", ServiceCategory::DigitalSkills),
    ("computer", ServiceCategory::DigitalSkills),
    ("get online", ServiceCategory::DigitalSkills),
    ("befriend", ServiceCategory::Befriending),
    ("lonel", ServiceCategory::Befriending),
    ("garden", ServiceCategory::Gardening),
    ("allotment", ServiceCategory::Gardening),
    ("green space", ServiceCategory::Gardening),
    ("cook", ServiceCategory::Cookery),
    ("healthy eating", ServiceCategory::Cookery),
    ("kitchen", ServiceCategory::Cookery),
    ("singing", ServiceCategory::Singing),
    ("singers", ServiceCategory::Singing),
    ("sing ", ServiceCategory::Singing),
    ("choir", ServiceCategory::Singing),
    ("music", ServiceCategory::Singing),
    ("art ", ServiceCategory::Arts),
    ("arts ", ServiceCategory::Arts),
    ("artist", ServiceCategory::Arts),
    ("craft", ServiceCategory::Arts),
    ("painting", ServiceCategory::Arts),
    ("walk", ServiceCategory::WalkingAndSport),
    ("sport", ServiceCategory::WalkingAndSport),
    ("exercise", ServiceCategory::WalkingAndSport),
    ("physical activity", ServiceCategory::WalkingAndSport),
    ("swim", ServiceCategory::WalkingAndSport),
    ("football", ServiceCategory::WalkingAndSport),
    ("debt", ServiceCategory::MoneyAndDebtAdvice),
    ("money", ServiceCategory::MoneyAndDebtAdvice),
    ("benefits", ServiceCategory::MoneyAndDebtAdvice),
    ("financ", ServiceCategory::MoneyAndDebtAdvice),
    ("housing", ServiceCategory::HousingHelp),
    ("homeless", ServiceCategory::HousingHelp),
    ("tenan", ServiceCategory::HousingHelp),
    ("employ", ServiceCategory::EmploymentAndVolunteering),
    ("volunteering", ServiceCategory::EmploymentAndVolunteering),
    ("volunteer centre", ServiceCategory::EmploymentAndVolunteering),
    ("job ", ServiceCategory::EmploymentAndVolunteering),
    ("jobs ", ServiceCategory::EmploymentAndVolunteering),
    ("work ", ServiceCategory::EmploymentAndVolunteering),
    ("older people", ServiceCategory::AgeRelatedGroups),
    ("older person", ServiceCategory::AgeRelatedGroups),
    ("later life", ServiceCategory::AgeRelatedGroups),
    ("age related", ServiceCategory::AgeRelatedGroups),
    ("senior", ServiceCategory::AgeRelatedGroups),
    ("over 50s", ServiceCategory::AgeRelatedGroups),
    ("over 60s", ServiceCategory::AgeRelatedGroups),
];

/// The category of the first taxonomy term that names one; failing that, of the name.
fn category_for(taxonomy_terms: &[String], name: &str) -> ServiceCategory {
    let in_terms = taxonomy_terms.iter().find_map(|term| category_in(term));
    in_terms.or_else(|| category_in(name)).unwrap_or(ServiceCategory::Other)
}

fn category_in(text: &str) -> Option<ServiceCategory> {
    // lower case, punctuation to spaces (apostrophes kept), padded so every word has a space
    // before and after it
    let words: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '\u{2019}' => '\'',
            c if c.is_alphanumeric() || c == '\'' => c,
            _ => ' ',
        })
        .collect();
    let padded = format!(" {} ", words.split_whitespace().collect::<Vec<_>>().join(" "));
    CATEGORY_KEYWORDS
        .iter()
        .find(|(keyword, _)| padded.contains(&format!(" {keyword}")))
        .map(|(_, category)| *category)
}

#[derive(Default)]
struct Places {
    address: Option<String>,
    postcode: Option<String>,
    accessibility: Vec<String>,
}

/// The first place's address, and the access features of every place.
fn read_places(reader: &mut RowReader, service: &Map<String, Value>) -> Places {
    let mut places = Places::default();
    for (link_path, link) in reader.objects(service, "service_at_locations", "service_at_locations")
    {
        let location_path = format!("{link_path}.location");
        let Some(location) = reader.object(link, "location", &location_path) else {
            continue;
        };
        let location_name = reader.text(location, "name", &format!("{location_path}.name"));
        let addresses_path = format!("{location_path}.physical_addresses");
        for (address_path, address) in
            reader.objects(location, "physical_addresses", &addresses_path)
        {
            let street = reader.text(address, "address_1", &format!("{address_path}.address_1"));
            let city = reader.text(address, "city", &format!("{address_path}.city"));
            let postcode =
                reader.text(address, "postal_code", &format!("{address_path}.postal_code"));
            if places.address.is_none() {
                let parts: Vec<String> =
                    [location_name.clone(), street, city].into_iter().flatten().collect();
                places.address = (!parts.is_empty()).then(|| parts.join(", "));
                places.postcode = postcode;
            }
        }
        if places.address.is_none() {
            places.address = location_name;
        }
        let access_path = format!("{location_path}.accessibility_for_disabilities");
        for (item_path, item) in
            reader.objects(location, "accessibility_for_disabilities", &access_path)
        {
            let feature = reader.text(item, "accessibility", &format!("{item_path}.accessibility"));
            if let Some(feature) = feature {
                if !places.accessibility.contains(&feature) {
                    places.accessibility.push(feature);
                }
            }
        }
    }
    places
}

/// The first phone number of the service's contacts, else the organisation's phones.
fn read_phone(
    reader: &mut RowReader,
    service: &Map<String, Value>,
    organization: Option<&Map<String, Value>>,
) -> Option<String> {
    let mut numbers = Vec::new();
    for (contact_path, contact) in reader.objects(service, "contacts", "contacts") {
        let phones_path = format!("{contact_path}.phones");
        for (phone_path, phone) in reader.objects(contact, "phones", &phones_path) {
            numbers.extend(reader.text(phone, "number", &format!("{phone_path}.number")));
        }
    }
    for (phone_path, phone) in reader.objects(service, "phones", "phones") {
        numbers.extend(reader.text(phone, "number", &format!("{phone_path}.number")));
    }
    if let Some(organization) = organization {
        for (phone_path, phone) in reader.objects(organization, "phones", "organization.phones") {
            numbers.extend(reader.text(phone, "number", &format!("{phone_path}.number")));
        }
    }
    numbers.into_iter().next()
}

/// Schedules of the service and of its places, each as its description or built from its
/// rule ("Every Tuesday 10:00–12:00"), joined with "; ".
fn read_schedule(reader: &mut RowReader, service: &Map<String, Value>) -> Option<String> {
    let mut schedule_lists =
        vec![reader.objects(service, "regular_schedules", "regular_schedules")];
    for (link_path, link) in reader.objects(service, "service_at_locations", "service_at_locations")
    {
        let list =
            reader.objects(link, "regular_schedules", &format!("{link_path}.regular_schedules"));
        schedule_lists.push(list);
    }
    let mut lines: Vec<String> = Vec::new();
    for (path, schedule) in schedule_lists.into_iter().flatten() {
        let description = reader.text(schedule, "description", &format!("{path}.description"));
        let opens = reader.text(schedule, "opens_at", &format!("{path}.opens_at"));
        let closes = reader.text(schedule, "closes_at", &format!("{path}.closes_at"));
        let by_day = reader.text(schedule, "byday", &format!("{path}.byday"));
        let frequency = reader.text(schedule, "freq", &format!("{path}.freq"));
        let interval = reader.whole_number(schedule, "interval", &format!("{path}.interval"));
        let rule = describe_rule(by_day.as_deref(), frequency.as_deref(), interval, opens, closes);
        let line = match (rule, description) {
            // the description already says it, or the rule says all it says
            (Some(rule), Some(description))
                if rule.to_lowercase().contains(&description.to_lowercase()) =>
            {
                Some(rule)
            }
            (Some(rule), Some(description)) if !mentions_a_time(&description) => {
                Some(format!("{rule} ({description})"))
            }
            (_, Some(description)) => Some(description),
            (rule, None) => rule,
        };
        if let Some(line) = line {
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
    }
    (!lines.is_empty()).then(|| lines.join("; "))
}

fn describe_rule(
    by_day: Option<&str>,
    frequency: Option<&str>,
    interval: Option<u64>,
    opens: Option<String>,
    closes: Option<String>,
) -> Option<String> {
    let days: Vec<usize> =
        by_day.unwrap_or_default().split(',').filter_map(|code| day_number(code.trim())).collect();
    let times = match (opens, closes) {
        (Some(opens), Some(closes)) => Some(format!("{opens}–{closes}")),
        (Some(opens), None) => Some(format!("from {opens}")),
        (None, Some(closes)) => Some(format!("until {closes}")),
        (None, None) => None,
    };
    let every = match (frequency.map(str::to_ascii_uppercase).as_deref(), interval) {
        (Some("MONTHLY"), _) => "Monthly on".to_owned(),
        (Some("WEEKLY"), Some(2)) => "Every other".to_owned(),
        (Some("WEEKLY"), Some(weeks)) if weeks > 2 => format!("Every {weeks} weeks on"),
        _ => "Every".to_owned(),
    };
    let when = (!days.is_empty()).then(|| format!("{every} {}", describe_days(&days)));
    match (when, times) {
        (Some(when), Some(times)) => Some(format!("{when} {times}")),
        (Some(when), None) => Some(when),
        (None, Some(times)) => Some(times),
        (None, None) => None,
    }
}

const DAY_NAMES: [&str; 7] =
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// iCal day code (`MO` ... `SU`) to 0 (Monday) ... 6 (Sunday).
fn day_number(code: &str) -> Option<usize> {
    let codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    codes.iter().position(|day| day.eq_ignore_ascii_case(code))
}

/// "Tuesday", "Tuesday and Friday", "Monday, Wednesday and Friday"; three or more days in a
/// row as "Monday to Friday".
fn describe_days(days: &[usize]) -> String {
    let consecutive = days.windows(2).all(|pair| pair[1] == pair[0] + 1);
    let names: Vec<&str> = days.iter().filter_map(|day| DAY_NAMES.get(*day).copied()).collect();
    match names.as_slice() {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [first, .., last] if consecutive && names.len() >= 3 => format!("{first} to {last}"),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// True when the text gives a clock time such as "10:00".
fn mentions_a_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit())
}

/// Each cost option as its description, else its option and amount; "Free" when every option
/// costs nothing; the service's `fees` text when there are no options.
fn read_cost(
    reader: &mut RowReader,
    service: &Map<String, Value>,
    fees: Option<String>,
) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut all_free = true;
    let options = reader.objects(service, "cost_options", "cost_options");
    for (path, option) in &options {
        let label = reader.text(option, "option", &format!("{path}.option"));
        let amount = reader.amount(option, "amount", &format!("{path}.amount"));
        let description =
            reader.text(option, "amount_description", &format!("{path}.amount_description"));
        let free = amount.is_some_and(|amount| amount == 0.0)
            || label.as_deref().is_some_and(|label| label.eq_ignore_ascii_case("free"));
        all_free &= free;
        let line = match (description, amount, label) {
            (Some(description), _, _) => Some(description),
            (None, Some(amount), label) if amount > 0.0 => {
                Some(format!("£{amount:.2} {}", label.unwrap_or_default()).trim_end().to_owned())
            }
            (None, _, label) => label,
        };
        lines.extend(line.filter(|line| !lines.contains(line)));
    }
    if options.is_empty() {
        return fees;
    }
    if all_free {
        return Some("Free".to_owned());
    }
    (!lines.is_empty()).then(|| lines.join("; ")).or(fees)
}

/// Each eligibility text with its age range, joined with "; ".
fn read_eligibility(reader: &mut RowReader, service: &Map<String, Value>) -> Option<String> {
    let mut lines = Vec::new();
    for (path, rule) in reader.objects(service, "eligibilitys", "eligibilitys") {
        let text = reader.text(rule, "eligibility", &format!("{path}.eligibility"));
        let minimum = reader.whole_number(rule, "minimum_age", &format!("{path}.minimum_age"));
        let maximum = reader.whole_number(rule, "maximum_age", &format!("{path}.maximum_age"));
        let ages = match (minimum, maximum) {
            (Some(minimum), Some(maximum)) if minimum > maximum => {
                reader
                    .problems
                    .push(format!("{path}: minimum_age {minimum} is above maximum_age {maximum}"));
                None
            }
            (Some(minimum), Some(maximum)) => Some(format!("ages {minimum}–{maximum}")),
            (Some(minimum), None) => Some(format!("ages {minimum}+")),
            (None, Some(maximum)) => Some(format!("up to age {maximum}")),
            (None, None) => None,
        };
        // "Adults 18 and over" needs no "(ages 18+)"
        let text_gives_ages = text.as_deref().is_some_and(|text| {
            [minimum, maximum].iter().flatten().all(|age| text.contains(&age.to_string()))
        });
        let line = match (text, ages) {
            (Some(text), Some(_)) if text_gives_ages => Some(text),
            (Some(text), Some(ages)) => Some(format!("{text} ({ages})")),
            (Some(text), None) => Some(text),
            (None, Some(ages)) => Some(ages),
            (None, None) => None,
        };
        lines.extend(line);
    }
    (!lines.is_empty()).then(|| lines.join("; "))
}

/// Languages from `languages[].language` (ORUK 1) or `languages[].name` (ORUK 3).
fn read_languages(reader: &mut RowReader, service: &Map<String, Value>) -> Vec<String> {
    let mut languages: Vec<String> = Vec::new();
    for (path, item) in reader.objects(service, "languages", "languages") {
        let language = reader
            .text(item, "language", &format!("{path}.language"))
            .or_else(|| reader.text(item, "name", &format!("{path}.name")));
        if let Some(language) = language {
            if !languages.contains(&language) {
                languages.push(language);
            }
        }
    }
    languages
}
