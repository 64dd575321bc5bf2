//! kith-tests: stories across crates and the real-window tests. Shared test support lives here.
