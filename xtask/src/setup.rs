//! Installs what a task needs and is missing: Debian packages (apt, as root), the UI's npm
//! packages and build, and `tauri-driver` in a local tools folder.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::step::{cargo, Step};

/// What a task needs installed.
#[derive(Clone, Copy)]
pub struct Needs {
    /// WebKitGTK and the UI build: everything to build and open the desktop app.
    pub app: bool,
    /// Xvfb, WebKitWebDriver and tauri-driver: the real-window tests.
    pub window: bool,
    /// PostgreSQL server binaries: the server's storage tests and benchmarks.
    pub postgres: bool,
}

impl Needs {
    pub const NOTHING: Needs = Needs { app: false, window: false, postgres: false };
    pub const APP: Needs = Needs { app: true, window: false, postgres: false };
    pub const WINDOW: Needs = Needs { app: true, window: true, postgres: false };
    pub const POSTGRES: Needs = Needs { app: false, window: false, postgres: true };
    pub const EVERYTHING: Needs = Needs { app: true, window: true, postgres: true };
}

/// Paths of tools installed outside the system.
pub struct Tools {
    pub tauri_driver: Option<PathBuf>,
}

const BUILD_PACKAGES: &[&str] = &["build-essential", "pkg-config", "perl", "libssl-dev"];
const APP_PACKAGES: &[&str] = &["libwebkit2gtk-4.1-dev"];
const WINDOW_PACKAGES: &[&str] = &["xvfb", "xauth", "webkit2gtk-driver"];
const POSTGRES_PACKAGES: &[&str] = &["postgresql"];
/// The oldest Node.js the UI toolchain (Vite 8) runs on: (major, minor).
const NODE_NEEDED: (u32, u32) = (20, 19);

pub fn prepare(needs: Needs) -> Result<Tools> {
    let mut packages: Vec<&str> = BUILD_PACKAGES.to_vec();
    if needs.app {
        packages.extend(APP_PACKAGES);
        if !on_path("npm") || !on_path("node") {
            packages.extend(["nodejs", "npm"]);
        }
    }
    if needs.window {
        packages.extend(WINDOW_PACKAGES);
    }
    if needs.postgres {
        packages.extend(POSTGRES_PACKAGES);
    }
    install_system_packages(&packages)?;
    if needs.app {
        build_ui()?;
    }
    let tauri_driver = if needs.window { Some(install_tauri_driver()?) } else { None };
    Ok(Tools { tauri_driver })
}

fn install_system_packages(packages: &[&str]) -> Result<()> {
    println!("==> check system packages: {}", packages.join(" "));
    let missing: Vec<&str> =
        packages.iter().copied().filter(|package| !debian_package_installed(package)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !on_path("apt-get") {
        bail!(
            "these packages are missing: {}.\nThis is not a Debian or Ubuntu system: install the \
             equivalents with your package manager (see README.md, Requirements).",
            missing.join(" ")
        );
    }
    let install = format!("apt-get install -y --no-install-recommends {}", missing.join(" "));
    if !running_as_root() {
        bail!(
            "these Debian packages are missing: {}.\nInstall them, then run this again:\n\n    \
             sudo apt-get update && sudo {install}\n",
            missing.join(" ")
        );
    }
    let mut update = Command::new("apt-get");
    update.args(["update", "-q"]);
    Step::new("apt-get update").run(update)?;
    let mut command = Command::new("apt-get");
    command
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive");
    Step::new(&format!("install system packages: {}", missing.join(" "))).run(command)
}

fn debian_package_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Status}", package])
        .output()
        .map(|output| output.status.success() && output.stdout == b"installed")
        .unwrap_or(false)
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

fn build_ui() -> Result<()> {
    check_node_version()?;
    let ui = crate::repository_root().join("ui");
    let lock = ui.join("package-lock.json");
    let installed = ui.join("node_modules").join(".package-lock.json");
    if is_older(&installed, &lock) {
        Step::new("install UI packages: npm ci")
            .run(npm(&ui, ["ci", "--no-audit", "--no-fund"]))?;
    }
    Step::new("build the UI: vite build").run(npm(&ui, ["run", "build"]))
}

fn check_node_version() -> Result<()> {
    let output =
        Command::new("node").arg("--version").output().context("running `node --version`")?;
    let version = String::from_utf8_lossy(&output.stdout);
    let mut parts =
        version.trim().trim_start_matches('v').split('.').map(|part| part.parse::<u32>());
    let found = match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor),
        _ => (0, 0),
    };
    if found < NODE_NEEDED {
        bail!(
            "Node.js {} is too old for the UI build: {}.{} or newer is needed. Debian 12's own \
             `nodejs` is 18; install Node.js 20.19+ (for example Debian 13's package) and run this again.",
            version.trim(),
            NODE_NEEDED.0,
            NODE_NEEDED.1
        );
    }
    Ok(())
}

/// True when `file` is missing or was modified before `reference`.
fn is_older(file: &Path, reference: &Path) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|meta| meta.modified()).ok();
    match (modified(file), modified(reference)) {
        (Some(file), Some(reference)) => file < reference,
        _ => true,
    }
}

/// `npm <arguments>` run in `dir`.
pub fn npm<I, S>(dir: &Path, arguments: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new("npm");
    command.args(arguments).current_dir(dir);
    command
}

/// The folder for tools the project installs itself: `KITH_TOOLS_DIR`, else `<repo>/.tools`.
fn tools_dir() -> PathBuf {
    match std::env::var_os("KITH_TOOLS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => crate::repository_root().join(".tools"),
    }
}

fn install_tauri_driver() -> Result<PathBuf> {
    let root = tools_dir();
    let driver = root.join("bin").join("tauri-driver");
    if !driver.is_file() {
        let mut command =
            cargo(["install", "tauri-driver", "--version", "^2", "--locked", "--root"]);
        command.arg(&root);
        Step::new(&format!("install tauri-driver into {}", root.display())).run(command)?;
    }
    Ok(driver)
}
