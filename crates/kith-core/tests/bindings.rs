//! Keeps `ui/src/lib/bindings.ts` equal to the TypeScript generated from kith-core's IPC types.
//!
//! `KITH_UPDATE_BINDINGS=1 cargo test -p kith-core --test bindings` (what `cargo xtask bindings`
//! runs) rewrites the file instead of comparing.

use std::path::PathBuf;

fn bindings_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts")
}

fn generated_bindings() -> String {
    let mut text = String::from(
        "// Generated from kith-core's IPC types by `cargo xtask bindings`. Do not edit.\n",
    );
    for (_name, declaration) in kith_core::ipc_bindings() {
        text.push('\n');
        text.push_str("export ");
        text.push_str(declaration.trim());
        text.push('\n');
    }
    text
}

#[test]
fn ui_bindings_match_the_rust_ipc_types() {
    let path = bindings_path();
    let generated = generated_bindings();
    if std::env::var("KITH_UPDATE_BINDINGS").as_deref() == Ok("1") {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "bindings are stale: run `cargo xtask bindings` ({} differs from the Rust types)",
        path.display()
    );
}

#[test]
fn every_ipc_type_is_declared_once() {
    let bindings = kith_core::ipc_bindings();
    let mut names: Vec<&str> = bindings.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), bindings.len(), "a type is listed twice");
    for (name, declaration) in &bindings {
        assert!(declaration.starts_with(&format!("type {name}")), "{declaration}");
    }
}
