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

/// The repository root: xtask lives in `<root>/xtask`.
pub fn repository_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
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
