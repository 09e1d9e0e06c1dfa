//! The compiled ses-events binary (this crate's test build of it), served through the test
//! harness's Lambda Runtime API emulator: what Lambda does in production (poll `/next`, post the
//! response or the error), with real payloads.

// Test code: a failed unwrap is a failed test ([workspace.lints] keeps it out of production code).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use serde_json::{Value, json};
use ses_monitor::synth::{Generator, sns_lambda_event, sqs_lambda_event};
use ses_monitor_tests::lambda::{FunctionDef, LambdaFunction};

/// ses-events with only `env` configured (no AWS unless it names some).
async fn start(env: &[(&str, &str)]) -> LambdaFunction {
    let def = FunctionDef {
        logical_id: "SesEventsFunction".into(),
        binary: "ses-events".into(),
        memory_mb: 128,
        timeout_s: 30,
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    LambdaFunction::start_binary(Path::new(env!("CARGO_BIN_EXE_ses-events")), &def, &[]).await
}

fn payload(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn serves_sns_and_sqs_invocations_through_the_runtime_api() {
    let f = start(&[("TRACKED_DOMAINS", "example.org")]).await;
    let now = Utc::now();
    let mut g = Generator::new(3);
    let msgs: Vec<String> = (0..50).map(|_| g.next_json(now)).collect();

    // SNS: one record, as SNS invokes Lambda.
    let r = f.invoke(&payload(&sns_lambda_event(&msgs[..1], now))).await.unwrap();
    assert_eq!(r["events"], 1);
    assert!(r.get("batchItemFailures").is_none(), "{r}");

    // SQS: a batch with one broken body, which alone is reported for retry.
    let mut batch = payload(&sqs_lambda_event(&msgs, false, now));
    batch["Records"][7]["body"] = json!("{\"Type\":\"Notification\",\"Message\":\"{\\\"eventType\\\":");
    let broken_id = batch["Records"][7]["messageId"].as_str().unwrap().to_string();
    let r = f.invoke(&batch).await.unwrap();
    assert_eq!(r["events"], 49);
    assert_eq!(r["skipped"], 1);
    assert_eq!(r["batchItemFailures"], json!([{"itemIdentifier": broken_id}]));

    // A payload that is not SES at all: answered, counted, not a crash.
    let r = f
        .invoke(&json!({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}))
        .await
        .unwrap();
    assert_eq!(r["skipped"], 1);
    assert_eq!(r["skip_reasons"]["unrecognised_payload"], 1);

    // The same process served all three (configuration and clients built once), and its stdout
    // holds valid EMF documents for the counted events.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let docs: Vec<Value> = f
        .log_lines()
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).expect("every output line is JSON"))
        .filter(|d| d.get("_aws").is_some())
        .collect();
    assert!(!docs.is_empty());
    let sent_total: u64 = docs
        .iter()
        .filter(|d| d["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == json!([[]]))
        .filter_map(|d| d["Send"].as_u64())
        .sum();
    // msgs[0] went through SNS and again in the SQS batch; msgs[7] was replaced by a broken body.
    let is_send = |m: &String| m.starts_with("{\"eventType\":\"Send\"");
    let expected_sends =
        [&msgs[..1], &msgs[..7], &msgs[8..]].concat().iter().filter(|m| is_send(m)).count() as u64;
    assert_eq!(sent_total, expected_sends);
}

#[tokio::test]
async fn a_failing_sink_is_a_function_error() {
    // The api sink pointed at a closed port: after the SDK's retries the invocation fails, so
    // Lambda retries it (and the DLQ catches it), instead of dropping the metrics.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let endpoint = format!("http://{closed}");
    let f =
        start(&[("METRICS_SINK", "api"), ("AWS_ENDPOINT_URL", endpoint.as_str()), ("AWS_MAX_ATTEMPTS", "2")])
            .await;
    let now = Utc::now();
    let msg = Generator::new(1).next_json(now);
    let err = f.invoke(&payload(&sns_lambda_event(&[msg], now))).await.unwrap_err();
    assert!(err.contains("PutMetricData failed"), "{err}");
}
