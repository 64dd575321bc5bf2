//! kith-tests: stories across crates and the real-window tests. Shared test support lives here.

pub mod practice;
pub mod practice_text;
pub mod seed;
pub mod window;
pub mod x11;
