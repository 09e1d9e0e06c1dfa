//! `LOG_RECIPIENTS=false` holds at every log level: the real ses-events and rate-reporter
//! binaries, configured as template.yaml configures them but at `RUST_LOG=trace` (the AWS SDK,
//! hyper and the Lambda runtime log request and response bodies there: a DynamoDB ledger item
//! names its recipient, a SendEmail request its recipients), run against the local emulator;
//! no address of their input appears anywhere in what they wrote (stdout and stderr), while the
//! redacted `domain#hash` forms do.

use std::collections::BTreeSet;

use chrono::Utc;
use serde_json::{Value, json};
use ses_monitor::platform::logging::redact;
use ses_monitor::synth;
use ses_monitor_tests::lambda::{LambdaFunction, Template};
use ses_monitor_tests::{Emulator, create_ledger_table, create_ses_resources, repo_root};

const LEDGER_TABLE: &str = "ses-monitor-ledger";
const REPORT_SENDER: &str = "reports@example.net";
const REPORT_RECIPIENTS: [&str; 2] = ["ops.lead@example.net", "deliverability@example.org"];

/// Every address-like token of a text (`local@domain.tld`).
fn addresses(text: &str) -> BTreeSet<String> {
    let is_local = |c: char| c.is_alphanumeric() || "._%+-".contains(c);
    let is_domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = BTreeSet::new();
    for (at, _) in text.match_indices('@') {
        let local: String = text[..at].chars().rev().take_while(|c| is_local(*c)).collect();
        let domain: String = text[at + 1..].chars().take_while(|c| is_domain(*c)).collect();
        let domain = domain.trim_end_matches(['.', '-']);
        if !local.is_empty() && domain.contains('.') {
            out.insert(format!("{}@{domain}", local.chars().rev().collect::<String>()));
        }
    }
    out
}

/// What a function wrote (its whole log file: stdout and stderr).
fn written(f: &LambdaFunction) -> String {
    std::fs::read_to_string(f.log_path()).unwrap_or_else(|e| panic!("{}: {e}", f.log_path().display()))
}

fn assert_no_address(f: &LambdaFunction, input: &BTreeSet<String>) {
    let text = written(f);
    let lines = text.lines().count();
    assert!(lines > 50, "{}: trace output expected, got {lines} lines", f.name());
    let lower = text.to_lowercase();
    let leaked: Vec<&String> = input.iter().filter(|a| lower.contains(&a.to_lowercase())).collect();
    assert!(
        leaked.is_empty(),
        "{} wrote {} of the input's addresses at trace level ({}): {leaked:?}\n{}",
        f.name(),
        leaked.len(),
        f.log_path().display(),
        text.lines()
            .filter(|l| leaked.iter().any(|a| l.to_lowercase().contains(&a.to_lowercase())))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("{}: {lines} lines at trace level, none with an address of its input", f.name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_address_reaches_the_logs_at_trace_level() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    create_ledger_table(&sdk, LEDGER_TABLE).await;
    create_ses_resources(&sdk, &["ses-monitor-report"], REPORT_SENDER).await;
    let template = Template::load("ses-monitor")
        .with_parameter("MetricsSink", "api")
        .with_parameter("LogLevel", "trace")
        .with_parameter("ReportSender", REPORT_SENDER)
        .with_parameter("ReportRecipients", REPORT_RECIPIENTS.join(","))
        .with_resource_name("LedgerTable", LEDGER_TABLE)
        .with_resource_name("ReportConfigurationSet", "ses-monitor-report");
    let endpoint = [("AWS_ENDPOINT_URL", emu.endpoint_url())];

    // ses-events: the SQS sample batch and the bounces and complaint of events/, and a batch
    // of fresh bounces (so the ledger writes are not old enough to be skipped as expired).
    let def = template.function("ses-events");
    assert_eq!(def.env["RUST_LOG"], "trace");
    assert_eq!(def.env["LOG_RECIPIENTS"], "false");
    let ses_events = LambdaFunction::start(&def, &endpoint).await;
    let mut input = BTreeSet::new();
    let now = Utc::now();
    let fresh: Vec<String> = (0..5)
        .map(|i| {
            synth::ses_json(&synth::EventSpec {
                kind: ses_monitor::ses::EventKind::Bounce,
                recipient: format!("Jane.Doe{i}@Example-Mail.com"),
                time: now,
                hard_bounce: true,
                email_type: "newsletter",
                campaign: "privacy".into(),
                latency_ms: 1000,
                seq: 700_000 + i,
            })
        })
        .collect();
    let mut payloads: Vec<Value> =
        vec![serde_json::from_str(&synth::sqs_lambda_event(&fresh, true, now)).expect("SQS event")];
    for file in ["sqs-batch.json", "sns-bounce-hard.json", "sns-bounce-soft.json", "sns-complaint.json"] {
        let text = std::fs::read_to_string(repo_root().join("events").join(file)).expect("events/ file");
        payloads.push(serde_json::from_str(&text).expect("JSON"));
    }
    for p in &payloads {
        // the text as the function receives it: addresses inside the JSON strings
        input.extend(addresses(&p.to_string().replace("\\\"", "\"")));
        let got = ses_events.invoke(p).await.unwrap_or_else(|e| panic!("ses-events: {e}"));
        assert!(got["events"].as_u64().unwrap_or(0) > 0, "{got}");
    }
    let wrote_ledger = written(&ses_events);
    assert!(input.len() >= 10, "{input:?}");
    assert!(wrote_ledger.contains("PutItem"), "the trace shows the ledger's requests");
    assert!(
        wrote_ledger.contains(&redact("Jane.Doe0@Example-Mail.com", false)),
        "the redacted form stands where the address was"
    );
    assert_no_address(&ses_events, &input);

    // rate-reporter: its SendEmail names the report's sender and recipients.
    let def = template.function("rate-reporter");
    assert_eq!(def.env["LOG_RECIPIENTS"], "false");
    let reporter = LambdaFunction::start(&def, &endpoint).await;
    let got =
        reporter.invoke(&json!({"window_hours": 2})).await.unwrap_or_else(|e| panic!("rate-reporter: {e}"));
    assert_eq!(got["email"]["sent"], true, "{got}");
    assert!(written(&reporter).contains("SendEmail"), "the trace shows the SendEmail request");
    let mut report_input: BTreeSet<String> = REPORT_RECIPIENTS.iter().map(|s| s.to_string()).collect();
    report_input.insert(REPORT_SENDER.into());
    assert_no_address(&reporter, &report_input);
}
