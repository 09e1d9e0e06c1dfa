//! docs/example-report.html is what the reporter renders today from the example day's data (see
//! shared/examples/example_report.rs), so the example in the README cannot drift from the code.

use chrono::{DateTime, Utc};
use ses_monitor::report::{ReporterConfig, handle};
use ses_monitor::sesv2::MemorySes;
use ses_monitor::synth::example_source;

#[tokio::test]
async fn committed_example_report_is_current() {
    let now: DateTime<Utc> = "2026-11-27T06:00:00Z".parse().unwrap();
    let source = example_source("2026-11-26T00:00:00Z".parse().unwrap());
    let cfg = ReporterConfig::from_lookup(|k| (k == "REPORT_TOP_DOMAINS").then(|| "6".to_string())).unwrap();
    let result = handle(&cfg, &source, &MemorySes::default(), "{}", now).await.unwrap();
    let html = ses_monitor::report::render::html(&result.report);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/example-report.html");
    let committed = std::fs::read_to_string(&path).expect("docs/example-report.html");
    assert!(
        committed == html,
        "docs/example-report.html is stale: run `cargo run -p ses-monitor --example example_report`"
    );
    // the example shows what it is meant to: one domain flagged, the rest healthy
    // (yahoo.com and aol.com: one provider, `yahoo`, under the default DOMAIN_GROUPING=provider)
    assert_eq!(result.report.domains[0].domain, "yahoo");
    assert_eq!(result.report.domains[0].status.as_str(), "WARN");
    assert!(result.report.domains[1..].iter().all(|d| d.status.as_str() == "OK"));
}
