//! One named step of a task: prints what it is doing, runs a command, names itself on failure.

use std::ffi::OsStr;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

pub struct Step {
    name: String,
}

impl Step {
    pub fn new(name: &str) -> Self {
        Step { name: name.to_owned() }
    }

    /// Runs the command with the terminal's input and output; a non-zero exit fails the step.
    pub fn run(self, mut command: Command) -> Result<()> {
        println!("\n==> {}", self.name);
        let started = Instant::now();
        let status = command
            .status()
            .with_context(|| format!("step `{}`: could not start {:?}", self.name, command))?;
        if !status.success() {
            bail!("step `{}` failed ({status})", self.name);
        }
        println!("    ({} took {:.1?})", self.name, started.elapsed());
        Ok(())
    }
}

/// `cargo <arguments>` with the cargo that runs xtask.
pub fn cargo<I, S>(arguments: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(arguments).current_dir(crate::repository_root());
    command
}
