//! Build script: reads the root `tauri.conf.json`, embeds the icons and generates the
//! permissions for the app's own commands (the only ones the capabilities allow).
//!
//! The command names are read from `src/commands.rs`, their one home, so a new command needs
//! no second list here; `capabilities/default.json` must then grant it (a test checks).

fn main() {
    println!("cargo::rerun-if-changed=src/commands.rs");
    let source = match std::fs::read_to_string("src/commands.rs") {
        Ok(source) => source,
        Err(error) => {
            println!("cargo::error=cannot read src/commands.rs: {error}");
            std::process::exit(1);
        }
    };
    let names = command_names(&source);
    println!("cargo::rustc-env=KITH_COMMANDS={}", names.join(","));
    // tauri-build keeps the names for the whole build: a build script may leak them.
    let names: &'static [&'static str] =
        Vec::leak(names.into_iter().map(|name| &*String::leak(name)).collect());
    let manifest = tauri_build::AppManifest::new().commands(names);
    let attributes =
        tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {error:#}");
        std::process::exit(1);
    }
}

/// The names of the `pub (async) fn`s that directly follow a `#[tauri::command...]` attribute.
fn command_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_attribute = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("#[tauri::command") {
            after_attribute = true;
        } else if after_attribute {
            if let Some(rest) =
                line.strip_prefix("pub async fn ").or_else(|| line.strip_prefix("pub fn "))
            {
                let name: String =
                    rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                names.push(name);
            }
            after_attribute = false;
        }
    }
    names
}
