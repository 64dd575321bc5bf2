//! Repositories: one module per kind of record, each an `impl Store` block of reads and
//! writes built on the generic record storage in `records`.

pub(crate) mod audit;
pub(crate) mod care;
mod consent;
mod directory;
mod drafts;
mod measures;
mod notes;
pub(crate) mod outbox;
mod people;
mod referrals;
mod safeguarding;
mod supervision;

pub use audit::AuditBatch;
pub use drafts::Draft;
pub(crate) use drafts::VISIT_DRAFT_PREFIX;
pub use referrals::ReferralStatusChange;
pub use safeguarding::ConcernEvent;
pub use supervision::{QueuedItem, QueuedRecord, ReviewQueueEntry, ReviewQueueGroup};
