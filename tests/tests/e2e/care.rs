//! Real-window tests: "What matters to you" conversations, care plans, visit mode and note amendments.
