//! The integration and end-to-end tests of ses-monitor, one module per subject, linked into one
//! test binary (each binary links the whole AWS SDK; eight of them cost gigabytes of disk and
//! minutes of linking). Run one subject with its module path, e.g.
//! `cargo test -p ses-monitor-tests --test integration e2e::`.

// Test code: a failed unwrap is a failed test ([workspace.lints] keeps it out of production code).
#![allow(clippy::unwrap_used)]

mod alarm_faults;
mod alarm_logs;
mod alarm_pipeline;
mod aws_timeouts;
mod backfill_memory;
mod cli_errors;
mod cloudwatch_api_sink;
mod cloudwatch_retries;
mod credentials;
mod e2e;
mod eventbridge_delivery;
mod fault_injection;
mod ledger_dynamodb;
mod log_privacy;
mod pause_concurrency;
mod rate_reporter_emulator;
mod report_browser;
mod report_email_wire;
mod report_local;
mod report_schedule;
mod sesv2_probe;
mod store_dynamodb;
mod suppression_wire;
