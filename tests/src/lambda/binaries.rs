//! Where the function executables are: the `bootstrap` files of `sam build`, or
//! `target/release`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::Template;
use crate::{repo_root, target_dir};

/// The three functions, by binary name.
pub const FUNCTIONS: [&str; 3] = ["ses-events", "alarm-suppressor", "rate-reporter"];

/// The command that builds what [`release_binary`] looks for (scripts/test runs it).
pub const BUILD_COMMAND: &str =
    "cargo build --release --locked -p ses-events -p alarm-suppressor -p rate-reporter";

/// Longest wait for one invocation (start-up included) before the test fails.
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

/// The variable that points the tests at the artifacts of `sam build` (its `build` folder).
pub const BOOTSTRAP_DIR_VAR: &str = "SES_MONITOR_BOOTSTRAP_DIR";

/// The executable the tests run for the function whose binary is `name`:
/// `$SES_MONITOR_BOOTSTRAP_DIR/<LogicalId>/bootstrap` (the logical id from template.yaml) when
/// that variable is set, else [`release_binary`].
///
/// # Panics
/// When the file does not exist, with the command that builds it.
pub fn function_binary(name: &str) -> PathBuf {
    let Some(dir) = std::env::var_os(BOOTSTRAP_DIR_VAR).filter(|d| !d.is_empty()) else {
        return release_binary(name);
    };
    let logical_id = Template::load("ses-monitor").logical_id(name);
    let path = PathBuf::from(dir).join(&logical_id).join("bootstrap");
    assert!(
        path.is_file(),
        "{} not found: {BOOTSTRAP_DIR_VAR} says the tests drive what `sam build` built; run \
         scripts/sam-build (or unset {BOOTSTRAP_DIR_VAR} to use target/release)",
        path.display()
    );
    path
}

/// `target/release/<name>`.
///
/// # Panics
/// When the file does not exist: the message says to run [`BUILD_COMMAND`]. When it is older than
/// the sources it was built from, a warning is printed (the tests would run stale code).
pub fn release_binary(name: &str) -> PathBuf {
    let path = target_dir().join("release").join(name);
    assert!(
        path.is_file(),
        "{} not found: the end-to-end tests drive the release binaries (what is deployed as \
         `bootstrap`); build them first with\n    {BUILD_COMMAND}\n(scripts/test does this before \
         `cargo test`)",
        path.display()
    );
    static WARNED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned.iter().any(|n| n == name) {
        return path;
    }
    warned.push(name.to_string());
    let built = modified(&path);
    let root = repo_root();
    let sources = [root.join("shared/src"), root.join("functions").join(name).join("src")];
    let newest = sources.iter().filter_map(|d| newest_file(d)).max();
    if let (Some(built), Some((src_time, src))) = (built, newest)
        && src_time > built
    {
        // Straight to stderr: `eprintln!` in a test is captured and dropped when it passes.
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} is older than {} — the test runs the old build; run `{BUILD_COMMAND}`",
            path.display(),
            src.display()
        );
    }
    path
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn newest_file(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut best: Option<(SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        let cand = if p.is_dir() { newest_file(&p) } else { modified(&p).map(|t| (t, p)) };
        if let Some(c) = cand
            && best.as_ref().is_none_or(|b| c.0 > b.0)
        {
            best = Some(c);
        }
    }
    best
}
