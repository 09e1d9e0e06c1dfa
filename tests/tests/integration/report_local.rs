//! A report without an AWS account, as the README's one-liner runs it: the real ses-events binary
//! on a file of SES events (no AWS settings: it prints EMF lines), piped into the real
//! rate-reporter binary with `--from-emf -`, which writes the HTML report, its charts and the
//! text to a folder and prints the result JSON.

use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use ses_monitor::synth::example_events;
use ses_monitor_tests::lambda::function_binary;
use ses_monitor_tests::target_dir;

#[test]
fn ses_events_piped_into_rate_reporter_from_emf_writes_the_report() {
    let day: DateTime<Utc> = "2026-11-26T00:00:00Z".parse().unwrap();
    let events = example_events(day);
    let sends = events.iter().filter(|e| e.contains(r#""eventType":"Send""#)).count();
    assert!(sends > 1000, "{sends}");
    let dir = target_dir().join("report-local");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("events.jsonl");
    std::fs::write(&input, events.join("\n")).unwrap();

    // only PATH: no AWS settings of this machine
    let mut ses_events = Command::new(function_binary("ses-events"))
        .arg("--event")
        .arg(&input)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out_dir = dir.join("report");
    let reporter = Command::new(function_binary("rate-reporter"))
        .args(["--from-emf", "-", "--out"])
        .arg(&out_dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(ses_events.stdout.take().unwrap())
        .output()
        .unwrap();
    assert!(ses_events.wait().unwrap().success());
    let stderr = String::from_utf8_lossy(&reporter.stderr);
    assert!(reporter.status.success(), "rate-reporter --from-emf: {stderr}");
    assert!(stderr.contains("2026-11-26 00:00 – 2026-11-27 00:00 UTC"), "the data's own day: {stderr}");
    let report: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&reporter.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(report["total"]["counts"]["sends"], sends as f64);
    assert_eq!(report["domains"][0]["domain"], "yahoo", "the bad domain is flagged first");
    assert_eq!(report["domains"][0]["status"], "WARN");
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    for png in ["chart-total.png", "chart-d0.png"] {
        assert!(html.contains(&format!("src=\"{png}\"")), "{png}");
        let bytes = std::fs::read(out_dir.join(png)).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{png}");
    }
    assert!(html.contains("Not available"), "no ledger in EMF lines, and the report says so");
    let text = std::fs::read_to_string(out_dir.join("report.txt")).unwrap();
    assert!(text.contains("yahoo"), "{text}");
}
