//! Named test steps that report a failure with the logs that explain it.

use std::fmt::Write as _;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures_util::FutureExt;

use super::LambdaFunction;
use crate::Emulator;

/// Runs the steps of a test by name and reports a failing one with the logs that explain it.
pub struct Steps<'e> {
    emulator: &'e Emulator,
    done: Vec<(String, Duration)>,
}

impl<'e> Steps<'e> {
    /// Steps against this AWS emulator (its log tail goes into failure messages).
    pub fn new(emulator: &'e Emulator) -> Self {
        Self { emulator, done: Vec::new() }
    }

    /// Runs one step. If it panics, panics again with a message naming the step and the
    /// functions, with each function's log tail and last invocations and the AWS emulator's log
    /// tail.
    pub async fn run<T>(
        &mut self,
        name: &str,
        functions: &[&LambdaFunction],
        step: impl Future<Output = T>,
    ) -> T {
        let t0 = Instant::now();
        match AssertUnwindSafe(step).catch_unwind().await {
            Ok(v) => {
                let took = t0.elapsed();
                eprintln!("step {name}: ok ({took:.1?})");
                self.done.push((name.to_string(), took));
                v
            }
            Err(payload) => {
                let cause = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(non-text panic)".into());
                let names: Vec<&str> = functions.iter().map(|f| f.name()).collect();
                let mut msg = format!(
                    "step {name:?} failed (function{} {}): {cause}",
                    if names.len() == 1 { "" } else { "s" },
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                );
                for f in functions {
                    let _ = write!(
                        msg,
                        "\n--- {} log, last 40 lines (all of it: {}) ---\n{}\n--- {} invocations, last 5 \
                         (Runtime API emulator) ---\n{}",
                        f.name(),
                        f.log_path().display(),
                        f.log_tail(40),
                        f.name(),
                        f.recent_invocations(5).await
                    );
                }
                let _ = write!(
                    msg,
                    "\n--- AWS emulator (ministack) log, last 30 lines ({}) ---\n{}",
                    self.emulator.log_path().display(),
                    self.emulator.log_tail(30)
                );
                panic!("{msg}");
            }
        }
    }

    /// The steps that passed, with their durations.
    pub fn timings(&self) -> &[(String, Duration)] {
        &self.done
    }
}
