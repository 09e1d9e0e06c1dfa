//! The entry every function binary calls: logging, the command line, `--help`, one invocation on
//! a file (`--event PATH`, `-` for stdin, gzip or not: the result JSON is the last line of stdout)
//! or the Lambda Runtime API. A `main.rs` names its usage text, how it starts (configuration and clients,
//! built once) and its handler; nothing else.
//!
//! Errors a person reads are written for a person: one line of Display, never a Debug dump; the
//! SDK's detail goes to the log at debug level (`RUST_LOG=debug`).

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Serialize;
use serde_json::value::RawValue;

use super::lines::Lines;

/// Any error at start-up (configuration, AWS settings), shown by its Display.
pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// No arguments: serve the Lambda Runtime API.
    Lambda,
    /// `--event PATH` (`-` = stdin): run once on that payload.
    Event(String),
    /// `--help`.
    Help,
}

/// Reads the arguments (after the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Mode, String> {
    let mut it = args.into_iter();
    let mut mode = Mode::Lambda;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--event" | "-e" => mode = Mode::Event(it.next().ok_or("--event needs a path (or - for stdin)")?),
            "--help" | "-h" => return Ok(Mode::Help),
            s if s.starts_with("--event=") => mode = Mode::Event(s["--event=".len()..].to_string()),
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(mode)
}

/// Runs a function binary: installs logging, reads the arguments (a wrong one: the message and
/// the usage, exit code 2), answers `--help`, starts the function once with `start` (its
/// configuration and clients), then hands each payload to `handler` with the time it arrived —
/// one payload from a file with `--event`, else every invocation of the Lambda Runtime API.
///
/// A failure is printed as one line for a person (`error: …`) with `--event`, and logged as an
/// error line in Lambda; the exit code is then 1.
pub async fn run<S, R, E>(
    usage: &str,
    start: impl AsyncFnOnce() -> Result<S, StartError>,
    handler: impl AsyncFn(&S, &str, DateTime<Utc>) -> Result<R, E>,
) -> ExitCode
where
    R: Serialize,
    E: std::error::Error + Send + Sync + 'static,
{
    run_with_archives(usage, start, handler, async |_: &S, _: &mut Lines, _| None).await
}

/// [`run`], for a function that reads a JSON-lines archive given to `--event` as it goes
/// (ses-events' backfill): `archive` gets the file's [`Lines`] when [`Lines::is_json_lines`]
/// says it is one, and answers `None` to have it read whole instead. Any other file is read
/// whole and handed to `handler`, as [`run`] does.
pub async fn run_with_archives<S, R, E>(
    usage: &str,
    start: impl AsyncFnOnce() -> Result<S, StartError>,
    handler: impl AsyncFn(&S, &str, DateTime<Utc>) -> Result<R, E>,
    archive: impl AsyncFn(&S, &mut Lines, DateTime<Utc>) -> Option<Result<R, E>>,
) -> ExitCode
where
    R: Serialize,
    E: std::error::Error + Send + Sync + 'static,
{
    super::logging::init();
    let mode = match parse_args(std::env::args().skip(1)) {
        Ok(mode) => mode,
        Err(e) => {
            eprintln!("error: {e}\n{usage}");
            return ExitCode::from(2);
        }
    };
    if mode == Mode::Help {
        println!("{usage}");
        return ExitCode::SUCCESS;
    }
    let lambda = mode == Mode::Lambda;
    let fail = |e: &dyn std::fmt::Display| {
        if lambda {
            tracing::error!(error = %e, "invocation failed");
        } else {
            eprintln!("error: {e}");
        }
        ExitCode::FAILURE
    };
    let state = match start().await {
        Ok(s) => s,
        Err(e) => {
            if lambda {
                tracing::error!(error = %e, "start-up failed");
            } else {
                eprintln!("error: {e}");
            }
            return ExitCode::FAILURE;
        }
    };
    let (state, handler) = (&state, &handler);
    match mode {
        Mode::Event(path) => {
            let cannot_read = |e: &std::io::Error| fail(&format_args!("cannot read the payload: {e}"));
            let mut lines = match Lines::open(&path) {
                Ok(l) => l,
                Err(e) => return cannot_read(&e),
            };
            let streamed = match lines.is_json_lines() {
                Ok(true) => archive(state, &mut lines, Utc::now()).await,
                Ok(false) => None,
                Err(e) => return cannot_read(&e),
            };
            let result = match streamed {
                Some(result) => result,
                None => {
                    let payload = match lines.into_string() {
                        Ok(p) => p,
                        Err(e) => return cannot_read(&e),
                    };
                    handler(state, &payload, Utc::now()).await
                }
            };
            match result.map(|r| serde_json::to_string(&r)) {
                Ok(Ok(json)) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Ok(Err(e)) => fail(&e),
                Err(e) => fail(&e),
            }
        }
        Mode::Lambda | Mode::Help => {
            let served =
                lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
                    let result = handler(state, event.payload.get(), Utc::now()).await?;
                    Ok::<_, lambda_runtime::Error>(serde_json::to_value(result)?)
                }))
                .await;
            match served {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Mode, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn modes() {
        assert_eq!(p(&[]), Ok(Mode::Lambda));
        assert_eq!(p(&["--event", "e.json"]), Ok(Mode::Event("e.json".into())));
        assert_eq!(p(&["--event=-"]), Ok(Mode::Event("-".into())));
        assert_eq!(p(&["-h"]), Ok(Mode::Help));
        assert!(p(&["--event"]).is_err());
        assert!(p(&["--bogus"]).is_err());
    }
}
