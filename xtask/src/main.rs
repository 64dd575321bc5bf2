//! xtask: the project task runner (`cargo xtask run | test | e2e | bench`).
fn main() {}
