//! xtask: the project's task runner. `cargo xtask run | test | e2e | bench | bindings`.
//!
//! Every command first makes sure what it needs is installed (Debian packages with apt when
//! run as root, the UI's npm packages and build, `tauri-driver`), prints each step as it
//! starts, and names the step that failed.

mod setup;
mod step;

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::step::{cargo, Step};

const USAGE: &str = "\
usage: cargo xtask <command>

  run                 build the app (installing what is missing) and open it
  test                every check: fmt, clippy, Rust tests, UI checks and tests, real-window tests
  e2e                 only the real-window tests
  bench <name>        print performance figures; names: store, server, sync, window
  bindings            regenerate ui/src/lib/bindings.ts from the Rust IPC types
";

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if let Err(error) = locate_repository() {
        eprintln!("\nxtask: {error:#}");
        std::process::exit(1);
    }
    let outcome = match arguments.first().map(String::as_str) {
        Some("run") => run_app(),
        Some("test") => test_everything(),
        Some("e2e") => setup::prepare(setup::Needs::WINDOW).and_then(|tools| e2e(&tools)),
        Some("bench") => bench(arguments.get(1).map(String::as_str)),
        Some("bindings") => regenerate_bindings(),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(anyhow::anyhow!("unknown command `{other}`\n\n{USAGE}")),
    };
    if let Err(error) = outcome {
        eprintln!("\nxtask: {error:#}");
        std::process::exit(1);
    }
}

/// The repository root, found at run time: the nearest Kith checkout above the xtask being
/// run (cargo sets `CARGO_MANIFEST_DIR` for `cargo run`), else above the current directory.
/// Not `env!("CARGO_MANIFEST_DIR")` alone: with one `CARGO_TARGET_DIR` shared by two
/// checkouts, an xtask binary built in one would otherwise work in the other's folder.
pub fn locate_repository() -> Result<PathBuf> {
    find_repository(
        std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).as_deref(),
        std::env::current_dir().ok().as_deref(),
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
    )
}

/// [`locate_repository`] with its inputs given: the path compiled in is used only when cargo
/// did not name a manifest directory at run time (the binary was started by hand).
fn find_repository(
    runtime_manifest: Option<&std::path::Path>,
    current: Option<&std::path::Path>,
    compiled_manifest: &std::path::Path,
) -> Result<PathBuf> {
    for start in runtime_manifest.iter().chain(current.iter()) {
        if let Some(root) = start.ancestors().find(|dir| is_repository_root(dir)) {
            return Ok(root.to_path_buf());
        }
    }
    match compiled_manifest.parent().filter(|dir| is_repository_root(dir)) {
        Some(root) if runtime_manifest.is_none() => Ok(root.to_path_buf()),
        _ => bail!(
            "cannot find the Kith repository: CARGO_MANIFEST_DIR is {}, and neither it nor the \
             current directory {} is inside a checkout (a folder with Cargo.toml, \
             tauri.conf.json and xtask/); run `cargo xtask` from inside the checkout",
            runtime_manifest.map_or("unset".into(), |dir| dir.display().to_string()),
            current.map_or("unknown".into(), |dir| dir.display().to_string()),
        ),
    }
}

/// True for the top of a Kith checkout.
fn is_repository_root(dir: &std::path::Path) -> bool {
    dir.join("Cargo.toml").is_file()
        && dir.join("tauri.conf.json").is_file()
        && dir.join("xtask").join("Cargo.toml").is_file()
}

/// The repository root (see [`locate_repository`], which `main` checks before any command).
pub fn repository_root() -> PathBuf {
    locate_repository().unwrap_or_else(|_| {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        manifest.parent().map(PathBuf::from).unwrap_or(manifest)
    })
}

/// Where cargo puts build output, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                repository_root().join(dir)
            }
        }
        _ => repository_root().join("target"),
    }
}

fn run_app() -> Result<()> {
    setup::prepare(setup::Needs::APP)?;
    Step::new("build the desktop app").run(cargo(["build", "-p", "kith-desktop"]))?;
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        bail!(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset).\n\
             On a desktop session this is set for you; on a headless machine run\n\
             `xvfb-run -s '-screen 0 1280x800x24' cargo xtask run`."
        );
    }
    let binary = target_dir().join("debug").join("kith-desktop");
    Step::new("open Kith").run(std::process::Command::new(binary))
}

fn test_everything() -> Result<()> {
    let started = std::time::Instant::now();
    let tools = setup::prepare(setup::Needs::EVERYTHING)?;
    let ui = repository_root().join("ui");
    Step::new("rustfmt: cargo fmt --check").run(cargo(["fmt", "--all", "--", "--check"]))?;
    Step::new("UI type check: svelte-check").run(setup::npm(&ui, ["run", "check"]))?;
    Step::new("UI unit tests: vitest").run(setup::npm(&ui, ["run", "test"]))?;
    Step::new("clippy -D warnings").run(cargo([
        "clippy",
        "--workspace",
        "--all-targets",
        "--features",
        "kith-tests/e2e",
        "--",
        "-D",
        "warnings",
    ]))?;
    Step::new("Rust tests: cargo test --workspace").run(cargo(["test", "--workspace"]))?;
    e2e(&tools)?;
    println!("\nxtask test: every step passed in {:.0?}", started.elapsed());
    Ok(())
}

fn e2e(tools: &setup::Tools) -> Result<()> {
    Step::new("build the desktop app for the real-window tests").run(cargo([
        "build",
        "-p",
        "kith-desktop",
    ]))?;
    let binary = target_dir().join("debug").join("kith-desktop");
    let mut command = cargo([
        "test",
        "-p",
        "kith-tests",
        "--features",
        "e2e",
        "--test",
        "e2e",
        "--",
        "--test-threads=1",
    ]);
    command.env("KITH_APP_BINARY", &binary);
    if let Some(driver) = &tools.tauri_driver {
        command.env("KITH_TAURI_DRIVER", driver);
    }
    Step::new("real-window tests (Xvfb + tauri-driver + WebKitWebDriver)").run(command)
}

fn regenerate_bindings() -> Result<()> {
    let mut command = cargo(["test", "-p", "kith-core", "--test", "bindings"]);
    command.env("KITH_UPDATE_BINDINGS", "1");
    Step::new("regenerate ui/src/lib/bindings.ts").run(command)
}

/// Each benchmark is a release-mode example of one package; it prints its own figures.
const BENCHES: &[(&str, &str, &str, setup::Needs)] = &[
    ("store", "kith-tests", "bench_store", setup::Needs::NOTHING),
    ("server", "kith-server", "bench_server", setup::Needs::POSTGRES),
    ("sync", "kith-tests", "bench_sync", setup::Needs::NOTHING),
];

fn bench(name: Option<&str>) -> Result<()> {
    if name == Some("window") {
        return setup::prepare(setup::Needs::WINDOW).and_then(|tools| bench_window(&tools));
    }
    let mut names: Vec<&str> = BENCHES.iter().map(|(name, ..)| *name).collect();
    names.push("window");
    let Some(name) = name else {
        bail!("name a benchmark: cargo xtask bench <{}>", names.join("|"));
    };
    let Some((_, package, example, needs)) = BENCHES.iter().find(|(known, ..)| *known == name)
    else {
        bail!("unknown benchmark `{name}`; known: {}", names.join(", "));
    };
    setup::prepare(*needs)?;
    Step::new(&format!("benchmark {name} (release build)")).run(cargo([
        "run",
        "--release",
        "-p",
        package,
        "--example",
        example,
    ]))
}

/// In the real window over the 15,000-person practice: search-as-you-type latency, and a
/// supervisor opening the review queue. The app and the tests built in release (generating the
/// practice in a debug build is slow); one test at a time, so their figures are their own.
fn bench_window(tools: &setup::Tools) -> Result<()> {
    Step::new("build the desktop app (release) for the window benchmark").run(cargo([
        "build",
        "--release",
        "-p",
        "kith-desktop",
    ]))?;
    let binary = target_dir().join("release").join("kith-desktop");
    let mut command = cargo([
        "test",
        "--release",
        "-p",
        "kith-tests",
        "--features",
        "e2e",
        "--test",
        "e2e_bench",
        "--",
        "--nocapture",
        "--test-threads=1",
    ]);
    command.env("KITH_APP_BINARY", &binary);
    if let Some(driver) = &tools.tauri_driver {
        command.env("KITH_TAURI_DRIVER", driver);
    }
    Step::new("benchmark window: search as you type and the review queue (release)").run(command)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A fake checkout under a fresh temporary folder.
    fn checkout(parent: &std::path::Path, name: &str) -> PathBuf {
        let root = parent.join(name);
        std::fs::create_dir_all(root.join("xtask/src")).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
        std::fs::write(root.join("tauri.conf.json"), "{}").unwrap();
        std::fs::write(root.join("xtask/Cargo.toml"), "[package]\n").unwrap();
        root
    }

    #[test]
    fn the_checkout_being_run_wins_over_the_one_compiled_in() {
        let scratch = std::env::temp_dir().join(format!("kith-xtask-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        let here = checkout(&scratch, "here");
        let other = checkout(&scratch, "other");
        let elsewhere = scratch.join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let other_xtask = other.join("xtask");
        // `cargo xtask` in `here`, with a binary built in `other`.
        let found = find_repository(Some(&here.join("xtask")), Some(&elsewhere), &other_xtask);
        assert_eq!(found.unwrap(), here);
        // Started by hand from inside `here`.
        let found = find_repository(None, Some(&here.join("xtask/src")), &other_xtask);
        assert_eq!(found.unwrap(), here);
        // Started by hand from outside any checkout: the path compiled in.
        assert_eq!(find_repository(None, Some(&elsewhere), &other_xtask).unwrap(), other);
        // Cargo named a folder that is no checkout: a clear error, never the other checkout.
        let error = find_repository(Some(&elsewhere), Some(&elsewhere), &other_xtask).unwrap_err();
        assert!(error.to_string().contains("cannot find the Kith repository"), "{error}");
        std::fs::remove_dir_all(&scratch).unwrap();
    }
}
