//! Small text rules shared by the modules: blank checks and required fields.

use crate::error::DomainError;

/// True when the text has nothing but whitespace.
pub(crate) fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// True when the text is missing or blank.
pub(crate) fn optional_is_blank(text: &Option<String>) -> bool {
    text.as_deref().is_none_or(is_blank)
}

/// Refuses blank text for a required field.
pub(crate) fn require(field: &'static str, text: &str) -> Result<(), DomainError> {
    if is_blank(text) {
        Err(DomainError::Required { field })
    } else {
        Ok(())
    }
}
