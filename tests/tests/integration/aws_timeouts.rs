//! Every kind of AWS client the functions use, against an endpoint that accepts connections and
//! never answers: with the timeouts `ses_monitor::platform::aws::loader` sets (ses-events': 5 s per
//! attempt, 15 s per operation), each call is retried inside and fails within the bound, with an
//! error that names the timeout. Without timeouts (the code before them) each call waited until
//! Lambda killed the function; here the guard around each call would fail the test first.

use std::time::{Duration, Instant};

use chrono::Utc;
use ses_monitor::ingest;
use ses_monitor::ledger::{DynamoLedger, Ledger};
use ses_monitor::platform::aws::{Timeouts, loader};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::report::source::{CloudWatchSource, MetricSource};
use ses_monitor::sesv2::{Email, ReportMailer, SesV2};
use ses_monitor::sink::MetricSink;
use ses_monitor::sink::cloudwatch::CloudWatchSink;
use ses_monitor_tests::faults::HungEndpoint;
use ses_monitor_tests::{REGION, test_credentials};

/// One client's call against its own hung endpoint: how long it took, what it said, how many
/// connections (attempts) it opened.
async fn against_hung<F, T, E>(
    name: &str,
    call: impl FnOnce(aws_config::SdkConfig) -> F,
) -> (Duration, String, usize)
where
    F: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let hung = HungEndpoint::start();
    let t = Timeouts::SES_EVENTS;
    let sdk = loader(t)
        .region(REGION)
        .credentials_provider(test_credentials())
        .endpoint_url(hung.endpoint_url())
        .load()
        .await;
    let t0 = Instant::now();
    // The guard: the function's own Lambda timeout. The code without timeouts hangs until it.
    let outcome = tokio::time::timeout(t.lambda, call(sdk)).await;
    let took = t0.elapsed();
    let err = match outcome {
        Err(_) => {
            panic!("{name}: no answer within the Lambda timeout ({:?}): no timeout cut the call", t.lambda)
        }
        Ok(Ok(_)) => panic!("{name}: a hung endpoint answered?"),
        Ok(Err(e)) => e.to_string(),
    };
    (took, err, hung.accepted())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_kind_gives_up_on_a_hung_endpoint_in_time() {
    let now = Utc::now();
    let bounce = format!(
        r#"{{"eventType":"Bounce","mail":{{"messageId":"m-1","timestamp":"{t}","destination":["a@gmail.com"]}},
            "bounce":{{"bounceType":"Permanent","timestamp":"{t}","bouncedRecipients":[{{"emailAddress":"a@gmail.com"}}]}}}}"#,
        t = now.to_rfc3339()
    );
    let ingested = ingest::ingest(&IngestConfig::default(), &bounce, now);
    let (batch, entries) = (&ingested.batch, &ingested.ledger_entries);
    assert_eq!(entries.len(), 1);
    let email = Email {
        from: "reports@example.net".into(),
        to: vec!["ops@example.net".into()],
        subject: "report".into(),
        html: "<p>report</p>".into(),
        text: "report".into(),
        configuration_set: None,
        inline_images: vec![],
    };
    let t = Timeouts::SES_EVENTS;
    // All at once: each against its own endpoint.
    let (cw_put, cw_get, dynamo, ses) = tokio::join!(
        against_hung("CloudWatch PutMetricData", |sdk| async move {
            CloudWatchSink::new(aws_sdk_cloudwatch::Client::new(&sdk)).publish(batch).await
        }),
        against_hung("CloudWatch ListMetrics", |sdk| async move {
            CloudWatchSource::new(aws_sdk_cloudwatch::Client::new(&sdk)).domains("Custom/SES").await
        }),
        against_hung("DynamoDB PutItem", |sdk| async move {
            DynamoLedger::new(aws_sdk_dynamodb::Client::new(&sdk), "ledger", chrono::Duration::days(14))
                .record(entries)
                .await
        }),
        against_hung("SESv2 SendEmail", |sdk| async move {
            SesV2::new(aws_sdk_sesv2::Client::new(&sdk)).send(&email).await
        }),
    );
    for (name, (took, err, attempts)) in [
        ("CloudWatch PutMetricData", cw_put),
        ("CloudWatch ListMetrics", cw_get),
        ("DynamoDB PutItem", dynamo),
        ("SESv2 SendEmail", ses),
    ] {
        eprintln!("{name}: failed after {took:.1?}, {attempts} attempts: {err}");
        assert!(err.contains("timeout"), "{name}: the error names the timeout: {err}");
        assert!(attempts >= 2, "{name}: the SDK retried inside the operation ({attempts} attempts)");
        // Cut by the operation timeout, not earlier, and with most of the function's time left.
        assert!(took >= t.operation, "{name}: {took:?}");
        assert!(took < t.lambda / 2, "{name}: {took:?} of a {:?} function", t.lambda);
    }
}
