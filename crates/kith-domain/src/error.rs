//! The one error type of kith-domain. Every message says what is wrong and how to fix it,
//! and never contains personal data.

use thiserror::Error;

use crate::care_plan::{CarePlanStatus, MAX_PLANNED_SESSIONS, MIN_PLANNED_SESSIONS};
use crate::directory::ConnectionStatus;
use crate::ids::NoteId;
use crate::measures::MeasureKind;
use crate::person::ContactMethod;
use crate::referral::ReferralStatus;
use crate::safeguarding::ConcernStatus;
use crate::session::SessionStatus;

/// Why a domain rule refused something. [`DomainError::code`] gives a stable code for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DomainError {
    #[error("This is not a valid {kind} id: ids look like 0190c2d4-5a6b-7c8d-9e0f-1a2b3c4d5e6f")]
    InvalidId { kind: &'static str },

    #[error("NHS number must have 10 digits; you entered {digits}")]
    NhsNumberWrongLength { digits: usize },

    #[error(
        "NHS number may contain only digits (spaces and dashes are fine); remove any letters \
         or other characters"
    )]
    NhsNumberNotDigits,

    #[error(
        "This is not a valid NHS number: no NHS number can start with these nine digits \
         (their check digit would be 10). Check the number against a letter or the GP record"
    )]
    NhsNumberCheckDigitTen,

    #[error(
        "This is not a valid NHS number: the last digit does not match the others, so a digit \
         is probably mistyped. Check the number against a letter or the GP record"
    )]
    NhsNumberCheckDigitMismatch,

    #[error("{field} is required; please fill it in")]
    Required { field: &'static str },

    #[error("The {field} cannot be in the future; check the date")]
    DateInFuture { field: &'static str },

    #[error("The {later} cannot be before the {earlier}; check the dates")]
    DateOrder { later: &'static str, earlier: &'static str },

    #[error("Date of birth is more than {max_years} years ago; check the year")]
    DateOfBirthTooLongAgo { max_years: i32 },

    #[error("{}", phone_message(*.digits))]
    InvalidPhone { digits: Option<usize> },

    #[error("Email address must look like name@example.org, with no spaces; check for typos")]
    InvalidEmail,

    #[error(
        "The person may be contacted by {}, but no {} is recorded: add it, or untick {}",
        .method.label(), .method.needs(), .method.label()
    )]
    ContactMethodWithoutDetails { method: ContactMethod },

    #[error("An interpreter is needed: record the preferred language so one can be booked")]
    InterpreterWithoutLanguage,

    #[error(
        "A referral can only be recorded with the person's consent to be referred: confirm it \
         with the referrer or the person first"
    )]
    ReferralWithoutConsent,

    #[error(
        "A referral cannot go from {} to {}; from {} it can go to: {}",
        .from.label(), .to.label(), .from.label(), list(.from.allowed_next().iter().map(|s| s.label()))
    )]
    ReferralStatusJump { from: ReferralStatus, to: ReferralStatus },

    #[error("{}", if *.known {
        "This code is not due for this referral now; refresh the list and try again"
    } else {
        "This is not a code Kith sends to the GP record"
    })]
    GpCodeNotDue { known: bool },

    #[error("Duration must be between 1 and {max} minutes; you entered {minutes}")]
    DurationOutOfRange { minutes: u16, max: u16 },

    #[error(
        "A care plan usually has {MIN_PLANNED_SESSIONS} to {MAX_PLANNED_SESSIONS} sessions; \
         you planned {planned}. Record the reason for planning {planned}, or change the number"
    )]
    PlannedSessionsWithoutReason { planned: u8 },

    #[error("A care plan needs at least one planned session")]
    NoPlannedSessions,

    #[error("A plan needs at least one goal, in the person's own words, before it is agreed")]
    CarePlanWithoutGoals,

    #[error(
        "A care plan cannot go from {} to {}; from {} it can go to: {}",
        .from.label(), .to.label(), .from.label(), list(.from.allowed_next().iter().map(|s| s.label()))
    )]
    CarePlanStatusJump { from: CarePlanStatus, to: CarePlanStatus },

    #[error(
        "A session that is {} cannot become {}; only a planned session can be recorded as \
         held, did not attend or cancelled",
        .from.label(), .to.label()
    )]
    SessionStatusChange { from: SessionStatus, to: SessionStatus },

    #[error("A held session needs its duration in minutes")]
    HeldSessionWithoutDuration,

    #[error("A note cannot be empty; write what happened")]
    EmptyNote,

    #[error(
        "The note being amended ({note_id}) does not exist; choose the note to correct from \
         the person's record"
    )]
    AmendedNoteNotFound { note_id: NoteId },

    #[error("An amendment must belong to the same person as the note it corrects")]
    AmendmentForAnotherPerson,

    #[error("This consent is not currently given, so there is nothing to withdraw")]
    WithdrawWithoutConsent,

    #[error(
        "A safeguarding concern cannot go from {} to {}; from {} it can go to: {}",
        .from.label(), .to.label(), .from.label(), list(.from.allowed_next().iter().map(|s| s.label()))
    )]
    ConcernStatusJump { from: ConcernStatus, to: ConcernStatus },

    #[error(
        "A connection cannot go from {} to {}; from {} it can go to: {}",
        .from.label(), .to.label(), .from.label(), list(.from.allowed_next().iter().map(|s| s.label()))
    )]
    ConnectionStatusJump { from: ConnectionStatus, to: ConnectionStatus },

    #[error(
        "{} item {item} must be between {min} and {max}; you entered {value}",
        .measure.label()
    )]
    AnswerOutOfRange { measure: MeasureKind, item: u8, value: u8, min: u8, max: u8 },

    #[error(
        "{} has no score until every item is answered; still to answer: {}",
        .measure.label(), missing_items(*.measure, .missing)
    )]
    IncompleteQuestionnaire { measure: MeasureKind, missing: Vec<u8> },

    #[error("A SWEMWBS raw total must be between 7 and 35; got {raw_total}")]
    SwemwbsRawTotalOutOfRange { raw_total: u8 },

    #[error("MYCaW needs one or two concerns in the person's own words; there are {count}")]
    MycawConcernCount { count: usize },

    #[error(
        "The MYCaW follow-up must rate the same concerns as the baseline: the baseline has \
         {baseline}, the follow-up {follow_up}"
    )]
    MycawConcernsDiffer { baseline: usize, follow_up: usize },

    #[error(
        "A baseline and a follow-up must be the same measure: the baseline is {}, the \
         follow-up {}",
        .baseline.label(), .follow_up.label()
    )]
    MeasureKindMismatch { baseline: MeasureKind, follow_up: MeasureKind },

    #[error(
        "The directory file is not valid JSON (line {line}, column {column}); check it is an \
         Open Referral UK JSON export and was not cut short"
    )]
    OrukNotJson { line: usize, column: usize },

    #[error(
        "The directory file holds {found}, not a directory: expected a JSON list of services, \
         or an object with a \"services\" or \"content\" list"
    )]
    OrukNotADirectory { found: &'static str },

    #[error(
        "No list of services found: expected a JSON list of services, or an object with a \
         \"services\" or \"content\" list"
    )]
    OrukNoServiceList,

    #[error("\"{key}\" must be a list of services, but it holds {found}")]
    OrukServicesNotAList { key: &'static str, found: &'static str },
}

impl DomainError {
    /// A stable snake_case code for the UI and for tests.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::InvalidId { .. } => "invalid_id",
            DomainError::NhsNumberWrongLength { .. } => "nhs_number_wrong_length",
            DomainError::NhsNumberNotDigits => "nhs_number_not_digits",
            DomainError::NhsNumberCheckDigitTen => "nhs_number_check_digit_ten",
            DomainError::NhsNumberCheckDigitMismatch => "nhs_number_check_digit_mismatch",
            DomainError::Required { .. } => "required",
            DomainError::DateInFuture { .. } => "date_in_future",
            DomainError::DateOrder { .. } => "date_order",
            DomainError::DateOfBirthTooLongAgo { .. } => "date_of_birth_too_long_ago",
            DomainError::InvalidPhone { .. } => "invalid_phone",
            DomainError::InvalidEmail => "invalid_email",
            DomainError::ContactMethodWithoutDetails { .. } => "contact_method_without_details",
            DomainError::InterpreterWithoutLanguage => "interpreter_without_language",
            DomainError::ReferralWithoutConsent => "referral_without_consent",
            DomainError::ReferralStatusJump { .. } => "referral_status_jump",
            DomainError::GpCodeNotDue { .. } => "gp_code_not_due",
            DomainError::DurationOutOfRange { .. } => "duration_out_of_range",
            DomainError::PlannedSessionsWithoutReason { .. } => "planned_sessions_without_reason",
            DomainError::NoPlannedSessions => "no_planned_sessions",
            DomainError::CarePlanWithoutGoals => "care_plan_without_goals",
            DomainError::CarePlanStatusJump { .. } => "care_plan_status_jump",
            DomainError::SessionStatusChange { .. } => "session_status_change",
            DomainError::HeldSessionWithoutDuration => "held_session_without_duration",
            DomainError::EmptyNote => "empty_note",
            DomainError::AmendedNoteNotFound { .. } => "amended_note_not_found",
            DomainError::AmendmentForAnotherPerson => "amendment_for_another_person",
            DomainError::WithdrawWithoutConsent => "withdraw_without_consent",
            DomainError::ConcernStatusJump { .. } => "concern_status_jump",
            DomainError::ConnectionStatusJump { .. } => "connection_status_jump",
            DomainError::AnswerOutOfRange { .. } => "answer_out_of_range",
            DomainError::IncompleteQuestionnaire { .. } => "incomplete_questionnaire",
            DomainError::SwemwbsRawTotalOutOfRange { .. } => "swemwbs_raw_total_out_of_range",
            DomainError::MycawConcernCount { .. } => "mycaw_concern_count",
            DomainError::MycawConcernsDiffer { .. } => "mycaw_concerns_differ",
            DomainError::MeasureKindMismatch { .. } => "measure_kind_mismatch",
            DomainError::OrukNotJson { .. } => "oruk_not_json",
            DomainError::OrukNotADirectory { .. } => "oruk_not_a_directory",
            DomainError::OrukNoServiceList => "oruk_no_service_list",
            DomainError::OrukServicesNotAList { .. } => "oruk_services_not_a_list",
        }
    }
}

fn list<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let words: Vec<&str> = words.collect();
    if words.is_empty() {
        "nothing (it is final)".to_owned()
    } else {
        words.join(", ")
    }
}

fn phone_message(digits: Option<usize>) -> String {
    let rule = "Phone number must have 10 to 15 digits, with only spaces, dashes, brackets \
                and a leading + besides";
    match digits {
        Some(digits) => format!("{rule}; you entered {digits} digits"),
        None => format!("{rule}; remove any letters or other characters"),
    }
}

fn missing_items(measure: MeasureKind, missing: &[u8]) -> String {
    missing
        .iter()
        .map(|number| format!("item {number} ({})", measure.item_name(*number)))
        .collect::<Vec<_>>()
        .join(", ")
}
