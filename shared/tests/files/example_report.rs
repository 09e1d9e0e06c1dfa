//! docs/example-report/ (report.html and its chart PNGs) is what the reporter renders today from
//! the example day's data (see
//! shared/examples/example_report.rs), so the example in the README cannot drift from the code.

use chrono::{DateTime, Utc};
use ses_monitor::report::{ReporterConfig, handle};
use ses_monitor::sesv2::MemorySes;
use ses_monitor::synth::{example_activity, example_source};

#[tokio::test]
async fn committed_example_report_is_current() {
    let now: DateTime<Utc> = "2026-11-27T06:00:00Z".parse().unwrap();
    let source = example_source("2026-11-26T00:00:00Z".parse().unwrap());
    let cfg = ReporterConfig::from_lookup(|k| (k == "REPORT_TOP_DOMAINS").then(|| "6".to_string())).unwrap();
    let activity = example_activity("2026-11-26T00:00:00Z".parse().unwrap()).await;
    let result = handle(&cfg, &source, &activity, &MemorySes::default(), "{}", now).await.unwrap();
    use ses_monitor::report::render::{ImageSrc, charts, html};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/example-report");
    let stale = "docs/example-report/ is stale: run `cargo run -p ses-monitor --example example_report`";
    let committed =
        std::fs::read_to_string(dir.join("report.html")).expect("docs/example-report/report.html");
    assert!(committed == html(&result.report, ImageSrc::File), "{stale}");
    let images = charts(&result.report);
    assert_eq!(images.len(), 2, "the total's chart and the flagged domain's");
    for i in &images {
        assert!(committed.contains(&format!("src=\"{}\"", i.file_name)), "{}", i.file_name);
        let png =
            std::fs::read(dir.join(&i.file_name)).unwrap_or_else(|e| panic!("{}: {e}: {stale}", i.file_name));
        assert!(png == i.data, "{}: {stale}", i.file_name);
    }
    // the example shows what it is meant to: one domain flagged, the rest healthy
    // (yahoo.com and aol.com: one provider, `yahoo`, under the default DOMAIN_GROUPING=provider)
    assert_eq!(result.report.domains[0].domain, "yahoo");
    assert_eq!(result.report.domains[0].status.as_str(), "WARN");
    assert!(result.report.domains[1..].iter().all(|d| d.status.as_str() == "OK"));
}
