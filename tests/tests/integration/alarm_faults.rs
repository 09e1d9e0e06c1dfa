//! Fault injection on the protection path: the AWS emulator stops in the middle of an
//! alarm-suppressor run (issue 10). The function is the real binary served by the Lambda Runtime
//! API emulator, configured as template.yaml configures it; its SESv2 calls go through the
//! recording proxy (`ses_proxy`), which stops the emulator (gracefully, so that it keeps its
//! state on disk) just before answering the 6th suppression, in the second batch of four.
//!
//! What must hold: the invocation fails (it does not report the work as done), and within the
//! function's timeout (the SDK's connection failures are fast); nothing is marked suppressed in
//! the ledger that SES did not take (the first batch is marked, the second, taken by SES but not
//! marked, is not), and nothing is journaled as done; once the emulator is back, the same
//! notification (a Lambda retry, or a replay from the failure queue) finishes the work: every
//! offender suppressed and marked.

use std::collections::BTreeSet;
use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use ses_monitor::ledger::{DynamoLedger, Ledger, LedgerEntry, Offence, from_item};
use ses_monitor::store::{DynamoStore, Journal};
use ses_monitor_tests::lambda::{LambdaFunction, Template};
use ses_monitor_tests::ses_proxy::SesProxy;
use ses_monitor_tests::{ACCOUNT_ID, Emulator, REGION, create_ledger_table, scan_table, target_dir};

const STACK: &str = "ses-monitor";
const LEDGER_TABLE: &str = "ses-monitor-ledger";
const ALARM: &str = "ses-monitor-hard-bounces-gmail";
const OFFENDERS: usize = 12;
/// The suppression before which the emulator stops (the second of the second batch of 4).
const STOP_AT: usize = 6;

fn offender(i: usize, at: chrono::DateTime<Utc>) -> LedgerEntry {
    LedgerEntry {
        recipient: format!("bounced-{i:02}@gmail.com"),
        domain: "gmail.com".into(),
        dimension: "gmail.com".into(),
        kind: Offence::HardBounce,
        subtype: Some("General".into()),
        tags: vec![],
        message_id: format!("0100019ac-fault-{i:02}"),
        timestamp: at,
        status: None,
        diagnostic: None,
        suppressed_at: None,
    }
}

/// The alarm's SNS notification, as SNS delivers it to the function.
fn notification(changed: chrono::DateTime<Utc>) -> Value {
    let message = json!({
        "AlarmName": ALARM, "AWSAccountId": ACCOUNT_ID, "NewStateValue": "ALARM", "NewStateReason": "test",
        "StateChangeTime": changed.to_rfc3339(), "Region": REGION, "OldStateValue": "OK",
        "Trigger": {"MetricName": "HardBounce", "Namespace": "Custom/SES", "Statistic": "SUM",
            "Dimensions": [{"name": "RecipientDomain", "value": "gmail.com"}], "Period": 300,
            "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 5.0}
    });
    json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
        "Sns": {"Type": "Notification", "Message": message.to_string()}}]})
}

/// Recipients whose ledger items are marked suppressed.
async fn marked(dynamo: &aws_sdk_dynamodb::Client) -> BTreeSet<String> {
    scan_table(dynamo, LEDGER_TABLE)
        .await
        .iter()
        .filter(|i| i["pk"].as_s().is_ok_and(|pk| pk.starts_with("D#")))
        .map(|i| from_item(i).expect("ledger item"))
        .filter(|e| e.suppressed_at.is_some())
        .map(|e| e.recipient)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_stopped_mid_run_fails_the_invocation_and_a_rerun_finishes() {
    let state_dir = target_dir().join("ministack-state").join(format!("faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state_dir);
    let mut emu = Emulator::start_persistent(&state_dir);
    let sdk = emu.sdk_config().await;
    let dynamo = create_ledger_table(&sdk, LEDGER_TABLE).await;
    let now = Utc::now();
    let entries: Vec<LedgerEntry> =
        (0..OFFENDERS).map(|i| offender(i, now - Duration::minutes(10))).collect();
    let ledger = DynamoLedger::new(dynamo.clone(), LEDGER_TABLE, Duration::days(14));
    assert_eq!(ledger.record(&entries).await.expect("ledger").written, OFFENDERS);

    let stopper = emu.stopper();
    let proxy = SesProxy::start_with_hook(&emu.endpoint_url(), move |n| {
        if n == STOP_AT {
            stopper.stop();
        }
    });
    let template = Template::load(STACK).with_resource_name("LedgerTable", LEDGER_TABLE);
    let def = template.function("alarm-suppressor");
    assert_eq!(def.env["SUPPRESSION_CONCURRENCY"], "4", "the batches this test counts on");
    let suppressor = LambdaFunction::start(
        &def,
        &[("AWS_ENDPOINT_URL", emu.endpoint_url()), ("AWS_ENDPOINT_URL_SESV2", proxy.endpoint_url())],
    )
    .await;
    let payload = notification(now - Duration::minutes(1));

    // 1. The emulator stops during the run: the invocation fails, within the function's timeout.
    let first = suppressor.invoke_timed(&payload).await;
    let err = first.output.as_ref().expect_err("the invocation fails when DynamoDB is gone");
    assert!(err.contains("DynamoDB"), "{err}\n{}", suppressor.log_tail(20));
    assert!(
        first.elapsed < StdDuration::from_secs(def.timeout_s),
        "failed after {:?}, past the function's timeout of {} s",
        first.elapsed,
        def.timeout_s
    );
    eprintln!("the invocation failed after {:?}: {err}", first.elapsed);
    let sent_before_restart: Vec<String> = proxy
        .suppressions()
        .iter()
        .map(|b| b["EmailAddress"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(sent_before_restart.len(), 8, "two batches of four reached SES, the third none");

    // 2. Back up (with the state it saved): only what SES took *and* was marked is marked.
    emu.restart();
    let marked_after_failure = marked(&dynamo).await;
    assert_eq!(marked_after_failure.len(), 4, "the first batch only: {marked_after_failure:?}");
    let first_batch: BTreeSet<String> = sent_before_restart[..4].iter().cloned().collect();
    assert_eq!(marked_after_failure, first_batch, "marked = taken by SES and marked before the stop");
    let journal = DynamoStore::new(dynamo.clone(), LEDGER_TABLE);
    let entries =
        journal.entries(now - Duration::hours(1), Utc::now() + Duration::minutes(1)).await.expect("journal");
    assert!(entries.is_empty(), "nothing journaled as done by the failed run: {entries:?}");

    // 3. The same notification again (Lambda's retry, or a replay): it finishes the work.
    let second =
        suppressor.invoke(&payload).await.unwrap_or_else(|e| panic!("{e}\n{}", suppressor.log_tail(20)));
    let a = &second["alarms"][0];
    assert_eq!(a["action"], "suppressed", "{second}");
    assert_eq!(a["suppressed"], json!({"BOUNCE": OFFENDERS - 4}), "{second}");
    let all: BTreeSet<String> = entries_of(OFFENDERS);
    assert_eq!(marked(&dynamo).await, all, "every offender marked");
    let sent: BTreeSet<String> = proxy
        .suppressions()
        .iter()
        .map(|b| b["EmailAddress"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(sent, all, "every offender went to SES (the unmarked batch a second time, harmlessly)");
    let kinds: Vec<String> = journal
        .entries(now - Duration::hours(1), Utc::now() + Duration::minutes(1))
        .await
        .expect("journal")
        .iter()
        .map(|e| e.event.kind().to_string())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "suppressed").count(), 1, "{kinds:?}");
    let _ = std::fs::remove_dir_all(&state_dir);
}

fn entries_of(n: usize) -> BTreeSet<String> {
    (0..n).map(|i| format!("bounced-{i:02}@gmail.com")).collect()
}
