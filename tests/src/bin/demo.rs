//! `scripts/demo`: ses-monitor working, on one machine, with no AWS account.
//!
//! Starts the local AWS emulator, creates what template.yaml would (ledger table, configuration
//! set, alarm topic and queue, a per-domain hard-bounce alarm), replays a generated day of
//! realistic traffic — ten domains, yahoo.com going bad in the last hour — through the real
//! ses-events binary in SQS-sized batches, lets the emulator's alarm fire, hands its message to
//! the real alarm-suppressor binary, runs the real rate-reporter binary, prints a summary and
//! writes the HTML report. Everything it started stops when it ends.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use chrono::{Duration, Utc};
use serde_json::Value;
use ses_monitor::synth;
use ses_monitor_tests::alarm_queue::AlarmQueue;
use ses_monitor_tests::{Emulator, REGION, create_ledger_table, scan_table, target_dir};

const LEDGER: &str = "ses-monitor-ledger";
const CONFIG_SET: &str = "ses-monitor";
const ALARM: &str = "ses-monitor-hard-bounces-yahoo";
/// The `RecipientDomain` value of yahoo.com under ses-events' defaults (provider grouping: Yahoo's
/// domains, aol.com among them, are one value).
const YAHOO: &str = "yahoo";
const SENDER: &str = "reports@mail.example.net";

/// Runs one function binary on one payload (`--event -`), with the emulator's endpoint and the
/// function's configuration; returns its result JSON. Logs go to `<out>/<function>.log`.
fn run(bin: &Path, endpoint: &str, env: &[(&str, &str)], payload: &str, out: &Path) -> Value {
    run_with(bin, endpoint, env, payload, out)
}

fn run_with(bin: &Path, endpoint: &str, env: &[(&str, &str)], payload: &str, out: &Path) -> Value {
    let name = bin.file_name().and_then(|n| n.to_str()).unwrap_or("function").to_string();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out.join(format!("{name}.log")))
        .expect("log file");
    let mut child = Command::new(bin)
        .arg("--event")
        .arg("-")
        .env_clear()
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    child.stdin.take().expect("stdin").write_all(payload.as_bytes()).expect("payload to stdin");
    let output = child.wait_with_output().expect("function ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{name} failed ({}); its log: {}",
        output.status,
        out.join(format!("{name}.log")).display()
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{name}: last line is not the result JSON ({e}): {last}"))
}

fn binary(name: &str) -> PathBuf {
    let p = target_dir().join("release").join(name);
    assert!(
        p.is_file(),
        "{} missing: run `cargo build --release -p {name}` (scripts/demo does)",
        p.display()
    );
    p
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let defaults = ses_monitor::platform::config::IngestConfig::default();
    assert_eq!(defaults.domains.classify("yahoo.com"), YAHOO, "the alarm's dimension value");
    let out = target_dir().join("demo");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("output directory");
    let (ses_events, suppressor, reporter) =
        (binary("ses-events"), binary("alarm-suppressor"), binary("rate-reporter"));

    println!("1. Local AWS emulator (ministack) and the stack's resources");
    let emu = Emulator::start();
    let endpoint = emu.endpoint_url();
    let sdk = emu.sdk_config().await;
    create_ledger_table(&sdk, LEDGER).await;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let sesv2 = aws_sdk_sesv2::Client::new(&sdk);
    sesv2
        .create_configuration_set()
        .configuration_set_name(CONFIG_SET)
        .send()
        .await
        .expect("configuration set");
    sesv2.create_email_identity().email_identity(SENDER).send().await.expect("sender identity");
    let alarms = AlarmQueue::new(&sdk, "ses-monitor-alarms", "alarm-suppressor").await;
    let topic = alarms.topic_arn.clone();
    let cw = aws_sdk_cloudwatch::Client::new(&sdk);
    cw.put_metric_alarm()
        .alarm_name(ALARM)
        .alarm_description("ses-monitor: hard bounces at Yahoo (yahoo.com, aol.com, …)")
        .namespace("Custom/SES")
        .metric_name("HardBounce")
        .dimensions(Dimension::builder().name("RecipientDomain").value(YAHOO).build())
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(10.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .alarm_actions(&topic)
        .ok_actions(&topic)
        .send()
        .await
        .expect("alarm");
    println!(
        "   emulator on {endpoint}; ledger table, configuration set, alarm topic → queue, alarm {ALARM}"
    );

    println!("2. A day of traffic through ses-events (SQS batches of 1000, PutMetricData, ledger)");
    let now = Utc::now();
    let mut events = synth::traffic(7, now - Duration::hours(24), now - Duration::hours(1), 18_000, None);
    // the last hour: yahoo.com starts bouncing
    events.extend(synth::traffic(8, now - Duration::hours(1), now, 6_000, Some("yahoo.com")));
    let ingest_env = [("METRICS_SINK", "api"), ("LEDGER_TABLE", LEDGER)];
    let (mut counted, mut requests, mut written, mut skipped) = (0, 0, 0, 0);
    for batch in events.chunks(1000) {
        let r = run(&ses_events, &endpoint, &ingest_env, &synth::sqs_lambda_event(batch, false, now), &out);
        counted += r["events"].as_u64().unwrap_or(0);
        skipped += r["skipped"].as_u64().unwrap_or(0);
        requests += r["metrics"]["requests"].as_u64().unwrap_or(0);
        written += r["ledger"]["written"].as_u64().unwrap_or(0);
    }
    println!(
        "   {counted} events counted ({skipped} skipped) in {} invocations: {requests} PutMetricData requests, {written} offenders in the ledger",
        events.len().div_ceil(1000)
    );

    println!("3. The alarm, and alarm-suppressor on its message");
    let alarm = cw.describe_alarms().alarm_names(ALARM).send().await.expect("describe");
    let state = alarm.metric_alarms().first().and_then(|a| a.state_value().cloned());
    println!("   {ALARM}: {}", state.as_ref().map_or("unknown", |s| s.as_str()));
    // The emulator has no SES suppression list: SESv2 calls go through a small recording proxy
    // that answers PutSuppressedDestination as SES does and forwards the rest to the emulator.
    let proxy = ses_monitor_tests::ses_proxy::SesProxy::start(&endpoint);
    let proxy_url = proxy.endpoint_url();
    let suppress_env = [
        ("LEDGER_TABLE", LEDGER),
        ("PAUSE_ON_ALARMS", ALARM),
        ("CONFIGURATION_SET", CONFIG_SET),
        ("MIN_LOOKBACK_MINUTES", "60"),
        ("AWS_ENDPOINT_URL_SESV2", proxy_url.as_str()),
    ];
    // every notification the alarm sent, oldest first
    let messages = alarms.take_all().await;
    for m in &messages {
        let event = alarms.sqs_event(m);
        let r = run(&suppressor, &endpoint, &suppress_env, &event.to_string(), &out);
        for a in r["alarms"].as_array().into_iter().flatten() {
            println!(
                "   {} {}: offenders {}, suppressed {}, refused {}, sending {}",
                a["alarm"].as_str().unwrap_or("?"),
                a["state"].as_str().unwrap_or("?"),
                a["offenders"],
                a["suppressed"],
                a["failed"],
                a["sending"].as_str().unwrap_or("unchanged")
            );
        }
    }
    if messages.is_empty() {
        println!("   (the alarm sent no notification: nothing for alarm-suppressor)");
    }
    println!("   PutSuppressedDestination calls SES received: {}", proxy.suppressions().len());
    let marked = scan_table(&dynamo, LEDGER).await.iter().filter(|i| i.contains_key("suppressed_at")).count();
    println!("   ledger items marked suppressed: {marked}");

    println!("4. rate-reporter on the last 24 hours");
    let html = out.join("report.html");
    let html_s = html.to_string_lossy().to_string();
    let report_env = [
        ("REPORT_SENDER", SENDER),
        ("REPORT_RECIPIENTS", "ops@example.net"),
        ("REPORT_OUTPUT", html_s.as_str()),
        ("REPORT_TOP_DOMAINS", "6"),
        // reasons, the long tail and what alarm-suppressor did, from the ledger and its journal
        ("LEDGER_TABLE", LEDGER),
    ];
    let r = run(&reporter, &endpoint, &report_env, r#"{"window_hours": 24}"#, &out);
    let report = &r["report"];
    println!("   {}", r["email"]["subject"].as_str().unwrap_or(""));
    for d in report["domains"].as_array().into_iter().flatten() {
        println!(
            "   {:<9} {:<22} sent {:>6}  hard bounces {:>5.2}%  complaints {:>5.3}%",
            d["status"].as_str().unwrap_or(""),
            d["domain"].as_str().unwrap_or(""),
            d["counts"]["sends"].as_f64().unwrap_or(0.0),
            100.0 * d["hard_bounce_rate"]["value"].as_f64().unwrap_or(0.0),
            100.0 * d["complaint_rate"]["value"].as_f64().unwrap_or(0.0),
        );
    }
    if let Some(a) = report["activity"].as_object() {
        for (domain, why) in a["reasons"].as_object().into_iter().flatten() {
            println!("   why {domain}: hard bounces {}", why["hard_bounces"]);
        }
        println!(
            "   what was done: {} events, suppressed {}",
            a["actions"]["events"].as_array().map_or(0, Vec::len),
            a["actions"]["suppressed_by_reason"]
        );
        println!("   long tail: {} untracked domains", a["long_tail"].as_array().map_or(0, Vec::len));
    }
    println!("   emailed: {}; emails the emulator received: {}", r["email"]["sent"], emu.sent_emails().len());
    println!("\nHTML report: {}", html.display());
    println!("Logs: {}", out.display());
    println!("Done in {:.1} s; stopping the emulator.", started.elapsed().as_secs_f64());
}
