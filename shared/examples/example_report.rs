//! Writes `docs/example-report/report.html` (and prints the result JSON): a generated day of realistic
//! traffic, yahoo.com going bad, goes through the real ses-events aggregation
//! ([`ses_monitor::synth::example_source`]), and the real rate-reporter builds and renders the
//! report from those numbers. `shared/tests/files/example_report.rs` checks the committed file is what
//! this writes.
//!
//! `cargo run -p ses-monitor --example example_report [OUTPUT.html]`

use chrono::{DateTime, Utc};
use ses_monitor::report::{ReporterConfig, handle};
use ses_monitor::sesv2::MemorySes;
use ses_monitor::synth::{example_activity, example_source};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let output = std::env::args().nth(1).unwrap_or_else(|| "docs/example-report/report.html".into());
    let now: DateTime<Utc> = "2026-11-27T06:00:00Z".parse().expect("time");
    let source = example_source("2026-11-26T00:00:00Z".parse().expect("time"));
    let cfg = ReporterConfig::from_lookup(|k| match k {
        "REPORT_OUTPUT" => Some(output.clone()),
        "REPORT_TOP_DOMAINS" => Some("6".into()),
        _ => None,
    })
    .expect("config");
    let activity = example_activity("2026-11-26T00:00:00Z".parse().expect("time")).await;
    let result = handle(&cfg, &source, &activity, &MemorySes::default(), "{}", now).await.expect("report");
    println!("{}", serde_json::to_string(&result).expect("json"));
    eprintln!("wrote {output}");
}
