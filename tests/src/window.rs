//! Drives the real Kith window: Xvfb, tauri-driver (over Debian's WebKitWebDriver) and a
//! fantoccini WebDriver session, with a fresh data directory per window.
//!
//! Paths come from the environment: `KITH_APP_BINARY` (else `$CARGO_TARGET_DIR` or
//! `<repo>/target`, then `debug/kith-desktop`) and `KITH_TAURI_DRIVER` (else `tauri-driver`
//! in `<repo>/.tools/bin`, else on `PATH`). Everything started here is killed on drop.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The Downloads folder inside each window's private home.
const DOWNLOADS: &str = "Downloads";
/// How long to wait for a process to come up or for an element to appear.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

/// The repository root (the parent of `tests/`), found at run time: cargo sets
/// `CARGO_MANIFEST_DIR` for `cargo test`, so a test binary reused from a target directory
/// shared by two checkouts still works in the checkout it was run from. Falls back to the
/// current directory's ancestors, then to the path compiled in.
pub fn repository_root() -> PathBuf {
    let is_root = |dir: &Path| {
        dir.join("Cargo.toml").is_file()
            && dir.join("tauri.conf.json").is_file()
            && dir.join("tests").join("Cargo.toml").is_file()
    };
    let runtime_manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let current = std::env::current_dir().ok();
    let compiled = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for start in runtime_manifest.iter().chain(current.iter()).chain([&compiled]) {
        if let Some(root) = start.ancestors().find(|dir| is_root(dir)) {
            return root.to_path_buf();
        }
    }
    panic!(
        "cannot find the Kith repository from CARGO_MANIFEST_DIR ({runtime_manifest:?}), the \
         current directory ({current:?}) or the path built in ({}); run the tests with cargo \
         from inside the checkout",
        compiled.display()
    )
}

/// The Kith binary under test.
pub fn app_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("KITH_APP_BINARY") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target"));
    target.join("debug").join("kith-desktop")
}

/// The tauri-driver binary: `KITH_TAURI_DRIVER`, the repository's `.tools`, or `PATH`.
pub fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("KITH_TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let local = repository_root().join(".tools/bin/tauri-driver");
    if local.is_file() {
        local
    } else {
        PathBuf::from("tauri-driver")
    }
}

/// Where screenshots go: `<repo>/target/e2e-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    repository_root().join("target").join("e2e-screenshots")
}

/// A child process (and its process group) that is killed when dropped.
struct Owned {
    child: Child,
    name: &'static str,
}

impl Owned {
    fn kill(&mut self) {
        // tauri-driver starts WebKitWebDriver, which starts the app: signal the whole group.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        self.kill();
    }
}

impl std::fmt::Debug for Owned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (pid {})", self.name, self.child.id())
    }
}

/// A running Kith window under a private X display, ready to drive.
pub struct AppWindow {
    client: Option<Client>,
    // Dropped in this order: the session first (above), then tauri-driver, then Xvfb.
    driver: Owned,
    xvfb: Owned,
    data_dir: tempfile::TempDir,
    webview_home: tempfile::TempDir,
    /// The private X display the window is on.
    display: u32,
    /// When the WebDriver session was requested, i.e. when the app was launched.
    pub launched_at: Instant,
}

impl std::fmt::Debug for AppWindow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppWindow").field("driver", &self.driver).field("xvfb", &self.xvfb).finish()
    }
}

impl AppWindow {
    /// Starts Xvfb, tauri-driver and the app with a fresh, empty data directory.
    pub async fn launch() -> anyhow::Result<AppWindow> {
        Self::launch_with(|_| Ok(())).await
    }

    /// Like [`AppWindow::launch`], but lets `prepare` fill the data directory first.
    pub async fn launch_with(
        prepare: impl FnOnce(&Path) -> std::io::Result<()>,
    ) -> anyhow::Result<AppWindow> {
        Self::launch_with_env(prepare, &[]).await
    }

    /// Like [`AppWindow::launch_with`], with extra environment variables for the app (through
    /// tauri-driver and WebKitWebDriver, which pass their environment on), such as a locale.
    pub async fn launch_with_env(
        prepare: impl FnOnce(&Path) -> std::io::Result<()>,
        env: &[(&str, &str)],
    ) -> anyhow::Result<AppWindow> {
        let app = app_binary();
        if !app.is_file() {
            bail!(
                "the app binary {} does not exist: build it with `cargo build -p kith-desktop` \
                 (after `npm run build` in ui/) or set KITH_APP_BINARY",
                app.display()
            );
        }
        let app = app.canonicalize().context("resolving the app binary's path")?;
        let data_dir = tempfile::Builder::new().prefix("kith-e2e-").tempdir()?;
        prepare(data_dir.path()).context("preparing the data directory")?;
        // WebKit keeps its own cache and storage under the XDG folders: keep them private too.
        let webview_home = tempfile::Builder::new().prefix("kith-e2e-webview-").tempdir()?;
        // The user's Downloads folder (XDG user dirs), where the app saves exports.
        let config = webview_home.path().join("config");
        std::fs::create_dir_all(&config)?;
        std::fs::create_dir_all(webview_home.path().join(DOWNLOADS))?;
        std::fs::write(
            config.join("user-dirs.dirs"),
            format!("XDG_DOWNLOAD_DIR=\"{}\"\n", webview_home.path().join(DOWNLOADS).display()),
        )?;

        let (xvfb, display) = start_xvfb().await?;
        let port = free_port()?;
        let native_port = free_port()?;
        let driver_path = tauri_driver();
        let mut command = Command::new(&driver_path);
        command
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", format!(":{display}"))
            .env("KITH_DATA_DIR", data_dir.path())
            // Where a download would land with no Downloads folder configured.
            .current_dir(webview_home.path())
            .env("XDG_DATA_HOME", webview_home.path().join("data"))
            .env("XDG_CACHE_HOME", webview_home.path().join("cache"))
            .env("XDG_CONFIG_HOME", webview_home.path().join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().with_context(|| {
            format!(
                "starting {} (install it with `cargo install tauri-driver --locked` or set \
                 KITH_TAURI_DRIVER)",
                driver_path.display()
            )
        })?;
        let driver = Owned { child, name: "tauri-driver" };
        wait_for_port(port).await.context("waiting for tauri-driver to listen")?;
        // tauri-driver forwards to WebKitWebDriver, which it starts on the native port; a
        // session requested before that listens fails with "webdriver server did not respond".
        wait_for_port(native_port).await.context("waiting for WebKitWebDriver to listen")?;

        let capabilities = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": app },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities must be a JSON object");
        };
        let launched_at = Instant::now();
        let client = tokio::time::timeout(
            STARTUP_TIMEOUT,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .context("timed out starting a WebDriver session with the app")?
        .context("starting a WebDriver session with the app")?;

        Ok(AppWindow {
            client: Some(client),
            driver,
            xvfb,
            data_dir,
            webview_home,
            display,
            launched_at,
        })
    }

    /// The WebDriver session.
    pub fn client(&self) -> anyhow::Result<&Client> {
        self.client.as_ref().ok_or_else(|| anyhow!("the session is closed"))
    }

    /// The app's working directory: private to this window (downloads would land here were
    /// no Downloads folder configured).
    pub fn working_dir(&self) -> &Path {
        self.webview_home.path()
    }

    /// The user's Downloads folder as the app sees it (XDG user dirs): private to this window.
    pub fn downloads_dir(&self) -> PathBuf {
        self.webview_home.path().join(DOWNLOADS)
    }

    /// The app's data directory (`KITH_DATA_DIR`), empty at launch.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Waits until an element matching `css` shows exactly `text`, and returns it.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> anyhow::Result<Element> {
        self.wait_for_text_within(css, text, STARTUP_TIMEOUT).await
    }

    /// Like [`AppWindow::wait_for_text`] with an explicit time limit.
    pub async fn wait_for_text_within(
        &self,
        css: &str,
        text: &str,
        limit: Duration,
    ) -> anyhow::Result<Element> {
        let client = self.client()?;
        let deadline = Instant::now() + limit;
        let mut last_seen = Vec::new();
        loop {
            last_seen.clear();
            // The page may change mid-search (a stale element): look again until the deadline.
            for element in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                let shown = element.text().await.unwrap_or_default();
                if shown.trim() == text {
                    return Ok(element);
                }
                last_seen.push(shown);
            }
            if Instant::now() > deadline {
                let body = self.page_text().await.unwrap_or_default();
                bail!(
                    "no `{css}` showing {text:?} after {limit:?}; `{css}` showed {last_seen:?}; \
                     the page text was {body:?}"
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until an element matching `css` exists and returns its text.
    pub async fn wait_for_element_text(&self, css: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let element = self.element(css).await?;
            // Re-rendered between finding and reading (a stale element): find it again.
            match element.text().await {
                Ok(text) => return Ok(text.trim().to_owned()),
                Err(error) if Instant::now() > deadline => {
                    return Err(error).with_context(|| format!("reading `{css}`"));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(25)).await,
            }
        }
    }

    /// The visible text of the whole page, for failure messages.
    pub async fn page_text(&self) -> anyhow::Result<String> {
        let body = self.client()?.find(Locator::Css("body")).await?;
        Ok(body.text().await?)
    }

    /// Saves a PNG of the window as `<repo>/target/e2e-screenshots/<name>.png`, after letting
    /// the last DOM change paint.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let client = self.client()?;
        // Wait for the bundled fonts and two animation frames, so the DOM change has painted.
        client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 document.fonts.ready.then(() =>
                   requestAnimationFrame(() => requestAnimationFrame(() => done(true))));",
                vec![],
            )
            .await
            .context("waiting for the page to paint")?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let png = client.screenshot().await.context("taking a screenshot")?;
        if !png.starts_with(b"\x89PNG") {
            bail!("the screenshot is not a PNG");
        }
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Checks that at 1024×768 (the smallest supported size) nothing makes the page scroll
    /// sideways, then saves a screenshot from the top, as the worker first sees the screen.
    pub async fn screenshot_from_top(&self, name: &str) -> anyhow::Result<PathBuf> {
        let client = self.client()?;
        client.set_window_size(1024, 768).await?;
        let fits = client
            .execute(
                "window.scrollTo(0, 0);
                 return document.documentElement.scrollWidth <= window.innerWidth;",
                vec![],
            )
            .await?;
        anyhow::ensure!(
            fits == serde_json::Value::Bool(true),
            "{name} scrolls sideways at 1024×768"
        );
        self.screenshot(name).await
    }

    /// Scrolls the element matching `css` to the top of the window and saves a screenshot.
    pub async fn screenshot_at(&self, css: &str, name: &str) -> anyhow::Result<PathBuf> {
        self.client()?
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView();",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await?;
        self.screenshot(name).await
    }

    /// Clicks the first element matching `css` once it exists.
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.element(css).await?.click().await.with_context(|| format!("clicking `{css}`"))?;
        Ok(())
    }

    /// Clicks the first button or link whose visible text is exactly `text`.
    pub async fn click_text(&self, text: &str) -> anyhow::Result<()> {
        let element = self.wait_for_text("button, a, [role=tab], summary", text).await?;
        element.click().await.with_context(|| format!("clicking {text:?}"))?;
        Ok(())
    }

    /// Replaces the value of the input matching `css` by typing `text` (as a person would, so
    /// the page's input handlers run).
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let element = self.element(css).await?;
        if text.is_empty() {
            // WebDriver types nothing: select everything and delete it, as a person would
            // (so the page's input handlers run, which a WebDriver "clear" may not do).
            element
                .send_keys("\u{e009}a\u{e000}\u{e003}")
                .await
                .with_context(|| format!("emptying `{css}`"))?;
            return Ok(());
        }
        element.clear().await.with_context(|| format!("clearing `{css}`"))?;
        element.send_keys(text).await.with_context(|| format!("typing into `{css}`"))?;
        Ok(())
    }

    /// Chooses the option with visible text `label` in the `<select>` matching `css`.
    pub async fn select(&self, css: &str, label: &str) -> anyhow::Result<()> {
        let element = self.element(css).await?;
        element
            .select_by_label(label)
            .await
            .with_context(|| format!("choosing {label:?} in `{css}`"))?;
        Ok(())
    }

    /// Waits for the first element matching `css`.
    pub async fn element(&self, css: &str) -> anyhow::Result<Element> {
        self.client()?
            .wait()
            .at_most(STARTUP_TIMEOUT)
            .every(Duration::from_millis(25))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("waiting for `{css}`"))
    }

    /// Runs axe-core (from `ui/node_modules/axe-core`, injected by the test, never shipped in
    /// the app) over the current page and fails listing every serious or critical violation.
    pub async fn check_accessibility(&self, screen: &str) -> anyhow::Result<()> {
        let axe_path = repository_root().join("ui/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path)
            .with_context(|| format!("reading {} (run `npm ci` in ui/)", axe_path.display()))?;
        let client = self.client()?;
        client.execute(&axe, vec![]).await.context("injecting axe-core")?;
        let result = client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                  nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                   .catch(e => done([{ id: 'axe-failed', impact: 'critical', help: String(e),
                                       nodes: [] }]));",
                vec![],
            )
            .await
            .context("running axe-core")?;
        let violations = result.as_array().cloned().unwrap_or_default();
        if !violations.is_empty() {
            bail!(
                "axe-core found {} serious or critical violation(s) on {screen}: {}",
                violations.len(),
                serde_json::to_string_pretty(&violations)?
            );
        }
        Ok(())
    }

    /// Asks the window to close as a window manager's close button would (not through
    /// WebDriver, which destroys the web view without asking the app).
    pub fn ask_to_close(&self) -> anyhow::Result<()> {
        let asked = crate::x11::ask_windows_to_close(self.display, "Kith")?;
        anyhow::ensure!(asked > 0, "no window called Kith on display :{}", self.display);
        Ok(())
    }

    /// Waits up to `limit` for the app to be gone (the WebDriver session no longer answers);
    /// returns how long that took.
    pub async fn wait_until_closed(&self, limit: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        let client = self.client()?;
        loop {
            let answered = tokio::time::timeout(Duration::from_millis(500), client.title()).await;
            if !matches!(answered, Ok(Ok(_))) {
                return Ok(started.elapsed());
            }
            if started.elapsed() > limit {
                bail!("the window was still open {limit:?} after it was asked to close");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Ends the session (closing the app) and stops tauri-driver and Xvfb.
    pub async fn close(mut self) -> anyhow::Result<()> {
        if let Some(client) = self.client.take() {
            tokio::time::timeout(Duration::from_secs(10), client.close())
                .await
                .context("timed out closing the session")??;
        }
        Ok(())
    }
}

/// Starts Xvfb on a display it picks itself (`-displayfd`), so parallel runs never collide.
async fn start_xvfb() -> anyhow::Result<(Owned, u32)> {
    let mut command = Command::new("Xvfb");
    command
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    let mut child =
        command.spawn().context("starting Xvfb (Debian/Ubuntu: `apt-get install xvfb xauth`)")?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("Xvfb has no stdout"))?;
    let xvfb = Owned { child, name: "Xvfb" };
    let stdout = tokio::process::ChildStdout::from_std(stdout)?;
    let mut line = String::new();
    tokio::time::timeout(STARTUP_TIMEOUT, BufReader::new(stdout).read_line(&mut line))
        .await
        .context("timed out waiting for Xvfb to choose a display")??;
    let display: u32 =
        line.trim().parse().with_context(|| format!("Xvfb printed {line:?}, not a display"))?;
    Ok((xvfb, display))
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    Ok(listener.local_addr()?.port())
}

async fn wait_for_port(port: u16) -> anyhow::Result<()> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while TcpStream::connect_timeout(&address, Duration::from_millis(100)).is_err() {
        if Instant::now() > deadline {
            bail!("nothing listened on 127.0.0.1:{port} within {STARTUP_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}
