//! The compiled ses-events binary, served through a Lambda Runtime API simulator: what Lambda
//! does in production (poll `/next`, post the response or the error), with real payloads.

// Test code: a failed unwrap is a failed test ([workspace.lints] keeps it out of production code).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use lambda_simulator::{InvocationStatus, Simulator};
use serde_json::{Value, json};
use ses_monitor::synth::{Generator, sns_lambda_event, sqs_lambda_event};

struct Runtime {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(sim: &Simulator, env: &[(&str, &str)]) -> Runtime {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ses-events"));
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", sim.addr().to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "ses-events")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/ses-events")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().expect("start ses-events");
    let out = child.stdout.take().expect("piped");
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let sink = stdout.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    Runtime { child, stdout }
}

async fn invoke(sim: &Simulator, payload: Value) -> Result<Value, String> {
    let id = sim.enqueue_payload(payload).await;
    let state =
        sim.wait_for_invocation_complete(&id, Duration::from_secs(30)).await.expect("invocation completes");
    match state.status {
        InvocationStatus::Success => Ok(state.response.expect("response").payload),
        _ => Err(state.error.map(|e| format!("{}: {}", e.error_type, e.error_message)).unwrap_or_default()),
    }
}

#[tokio::test]
async fn serves_sns_and_sqs_invocations_through_the_runtime_api() {
    let sim = Simulator::builder().function_name("ses-events").build().await.unwrap();
    let rt = start(&sim, &[("TRACKED_DOMAINS", "example.org")]);
    let now = Utc::now();
    let mut g = Generator::new(3);
    let msgs: Vec<String> = (0..50).map(|_| g.next_json(now)).collect();

    // SNS: one record, as SNS invokes Lambda.
    let r = invoke(&sim, serde_json::from_str(&sns_lambda_event(&msgs[..1], now)).unwrap()).await.unwrap();
    assert_eq!(r["events"], 1);
    assert!(r.get("batchItemFailures").is_none(), "{r}");

    // SQS: a batch with one broken body, which alone is reported for retry.
    let mut batch: Value = serde_json::from_str(&sqs_lambda_event(&msgs, false, now)).unwrap();
    batch["Records"][7]["body"] = json!("{\"Type\":\"Notification\",\"Message\":\"{\\\"eventType\\\":");
    let broken_id = batch["Records"][7]["messageId"].as_str().unwrap().to_string();
    let r = invoke(&sim, batch).await.unwrap();
    assert_eq!(r["events"], 49);
    assert_eq!(r["skipped"], 1);
    assert_eq!(r["batchItemFailures"], json!([{"itemIdentifier": broken_id}]));

    // A payload that is not SES at all: answered, counted, not a crash.
    let r = invoke(&sim, json!({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}))
        .await
        .unwrap();
    assert_eq!(r["skipped"], 1);
    assert_eq!(r["skip_reasons"]["unrecognised_payload"], 1);

    // The same process served all three (configuration and clients built once), and its stdout
    // holds valid EMF documents for the counted events.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let lines = rt.stdout.lock().unwrap().clone();
    let docs: Vec<Value> =
        lines.iter().map(|l| serde_json::from_str(l).expect("stdout is JSON lines")).collect();
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
    let sim = Simulator::builder().function_name("ses-events").build().await.unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let endpoint = format!("http://{closed}");
    let _rt = start(
        &sim,
        &[
            ("METRICS_SINK", "api"),
            ("AWS_ENDPOINT_URL", endpoint.as_str()),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
            ("AWS_MAX_ATTEMPTS", "2"),
        ],
    );
    let now = Utc::now();
    let msg = Generator::new(1).next_json(now);
    let err = invoke(&sim, serde_json::from_str(&sns_lambda_event(&[msg], now)).unwrap()).await.unwrap_err();
    assert!(err.contains("PutMetricData failed"), "{err}");
}
