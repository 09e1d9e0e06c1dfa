//! ses-events when AWS stops answering in the middle of an SQS batch: the real binary, configured
//! as template.yaml configures it (`api` sink, the ledger on), behind a proxy that lets exactly
//! `WRITTEN_BEFORE_THE_FAULT` ledger PutItems through and then answers nothing at all — the
//! emulator "stopped" at a fixed point of the batch, deterministically.
//!
//! - The invocation fails, within the timeouts of its AWS calls (ses-events: 15 s per operation)
//!   and well inside its Lambda timeout, with an error naming the timeout. It does not answer
//!   with a success carrying `batchItemFailures`, which would make SQS delete the records whose
//!   offenders were never written: the whole batch stays for the retry.
//! - Nothing was published (the metrics go after the ledger), and the ledger holds exactly what
//!   got through.
//! - The proxy lets requests through again (same emulator, same state) and the rerun of the same
//!   batch finishes the work: the items already written count as duplicates, the rest are
//!   written, the metrics are published once.
//!
//! Before the AWS calls had timeouts, the held PutItem never returned and the invocation hung
//! until Lambda's timeout.

use std::time::Duration as StdDuration;

use aws_sdk_cloudwatch::types::{Dimension, Statistic};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use ses_monitor::metrics::RECIPIENT_DOMAIN;
use ses_monitor::platform::aws::Timeouts;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::synth::{self, EventSpec};
use ses_monitor_tests::faults::FreezingProxy;
use ses_monitor_tests::lambda::{LambdaFunction, Steps, Template, env_map};
use ses_monitor_tests::{Emulator, create_ledger_table, scan_table};

const LEDGER_TABLE: &str = "ses-monitor-ledger";
/// Hard bounces in the batch (one SQS record each).
const BOUNCES: usize = 60;
/// Ledger writes that reach the emulator before it stops answering.
const WRITTEN_BEFORE_THE_FAULT: usize = 10;
const DOMAIN: &str = "yahoo.com";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqs_batch_interrupted_by_a_stopped_emulator_fails_whole_and_a_rerun_finishes_it() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let dynamo = create_ledger_table(&sdk, LEDGER_TABLE).await;
    let proxy =
        FreezingProxy::start(&emu.endpoint_url(), "DynamoDB_20120810.PutItem", WRITTEN_BEFORE_THE_FAULT);
    let def = Template::load("ses-monitor")
        .with_parameter("MetricsSink", "api")
        .with_resource_name("LedgerTable", LEDGER_TABLE)
        .function("ses-events");
    let ses_events = LambdaFunction::start(&def, &[("AWS_ENDPOINT_URL", proxy.endpoint_url())]).await;
    let lambda_timeout = StdDuration::from_secs(def.timeout_s);
    assert_eq!(Timeouts::SES_EVENTS.lambda, lambda_timeout, "the timeouts are sized for this function");

    let now = Utc::now();
    let bounces: Vec<String> = (0..BOUNCES)
        .map(|i| {
            synth::ses_json(&EventSpec {
                kind: ses_monitor::ses::EventKind::Bounce,
                recipient: format!("user{i}@{DOMAIN}"),
                time: now - Duration::minutes(1),
                hard_bounce: true,
                email_type: "newsletter",
                campaign: "fault".into(),
                latency_ms: 1000,
                seq: 800_000 + i as u64,
            })
        })
        .collect();
    let batch: Value =
        serde_json::from_str(&synth::sqs_lambda_event(&bounces, true, now)).expect("SQS event");
    let mut steps = Steps::new(&emu);

    steps
        .run("1 the emulator stops answering after the first ledger writes: the invocation fails", &[&ses_events], async {
            let got = ses_events.invoke_timed(&batch).await;
            eprintln!("  failed after {:.1?}: {:?}", got.elapsed, got.output);
            assert!(proxy.is_frozen(), "the fault was injected");
            let err = match &got.output {
                Err(e) => e.clone(),
                Ok(answer) => panic!(
                    "a success after the emulator stopped answering: {answer} (batchItemFailures would \
                     let SQS delete records whose offenders were never written)"
                ),
            };
            assert!(err.contains("PutItem") && err.contains("timeout"), "the error names the call and the timeout: {err}");
            assert!(
                got.elapsed < lambda_timeout / 2,
                "failed in {:?}: the timeouts must cut it well inside the {lambda_timeout:?} Lambda timeout",
                got.elapsed
            );
            assert!(got.elapsed >= Timeouts::SES_EVENTS.operation, "cut by the operation timeout: {:?}", got.elapsed);
            let log = proxy.log();
            assert!(!log.iter().any(|l| l.contains("PutMetricData") && l.ends_with("forwarded")), "nothing published: {log:?}");
        })
        .await;

    steps
        .run("2 the ledger holds exactly what got through", &[&ses_events], async {
            let items = scan_table(&dynamo, LEDGER_TABLE).await;
            assert_eq!(items.len(), WRITTEN_BEFORE_THE_FAULT);
        })
        .await;

    proxy.thaw();
    steps
        .run("3 the emulator answers again: the rerun of the same batch finishes the work", &[&ses_events], async {
            let got = ses_events.invoke(&batch).await.unwrap_or_else(|e| panic!("rerun: {e}"));
            assert_eq!(got["events"], BOUNCES, "{got}");
            assert_eq!(got["batchItemFailures"], json!([]), "{got}");
            assert_eq!(
                got["ledger"],
                json!({"written": BOUNCES - WRITTEN_BEFORE_THE_FAULT, "duplicates": WRITTEN_BEFORE_THE_FAULT}),
                "{got}"
            );
            assert_eq!(got["metrics"]["totals"]["HardBounce"], BOUNCES, "{got}");
            assert_eq!(scan_table(&dynamo, LEDGER_TABLE).await.len(), BOUNCES);
            // Published once: the first invocation never reached PutMetricData.
            // The RecipientDomain value the function publishes DOMAIN under (its provider, by default).
            let cfg = IngestConfig::from_map(&env_map(&def.env)).expect("the template's configuration");
            let dimension = cfg.domains.classify(DOMAIN);
            let cw = aws_sdk_cloudwatch::Client::new(&sdk);
            let out = cw
                .get_metric_statistics()
                .namespace(def.env.get("METRIC_NAMESPACE").map_or("Custom/SES", String::as_str))
                .metric_name("HardBounce")
                .dimensions(Dimension::builder().name(RECIPIENT_DOMAIN).value(dimension.as_ref()).build())
                .start_time(aws_smithy_types::DateTime::from_secs((now - Duration::minutes(10)).timestamp()))
                .end_time(aws_smithy_types::DateTime::from_secs((now + Duration::minutes(10)).timestamp()))
                .period(1200)
                .statistics(Statistic::Sum)
                .send()
                .await
                .expect("GetMetricStatistics");
            let sum: f64 = out.datapoints().iter().filter_map(|d| d.sum()).sum();
            assert_eq!(sum, BOUNCES as f64, "{:?}", out.datapoints());
        })
        .await;
}
