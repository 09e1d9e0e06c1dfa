//! Tests of the library over files: the shared corpus of real payloads (`../shared/corpus`),
//! the repository's own `events/`, `template.yaml` and the committed example report. One module
//! per subject, linked into one test binary (every test binary links the AWS SDK clients). Run
//! one subject with its module path, e.g. `cargo test -p ses-monitor --test files corpus::`.

// Test code: a failed unwrap is a failed test ([workspace.lints] keeps it out of production code).
#![allow(clippy::unwrap_used)]

mod alarm_corpus;
mod alarm_events;
mod binary_deps;
mod corpus;
mod events_dir;
mod example_report;
mod mutations;
mod reasons_corpus;
mod sinks_agree;
mod template_intent;

/// Says that a test skipped some of its checks, where `cargo test` shows it: straight to the
/// process's stderr (`eprintln!` in a test is captured, and a passing test's output dropped).
fn skip_notice(what: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "notice: {what}");
}
