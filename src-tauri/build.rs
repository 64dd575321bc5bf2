//! Build script: reads the root `tauri.conf.json`, embeds the icons and generates the
//! permissions for the app's own commands (the only ones the capabilities allow).

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&["app_status"]);
    let attributes =
        tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {error:#}");
        std::process::exit(1);
    }
}
