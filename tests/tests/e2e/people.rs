//! Real-window tests: People: search as you type, new person with a referral, a person's record.
