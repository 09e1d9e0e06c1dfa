//! `EventsDelivery=eventbridge` against ministack, as far as it goes: template.yaml's rule, read
//! from the template with this stack's parameters, is matched by the emulator's EventBridge
//! against SES events (every published detail-type of this configuration set in, anything else
//! out), then events go through PutEvents → the rule → its SQS target → ReceiveMessage → the SQS
//! batch ses-events gets → the metrics it counts.
//!
//! One step is not AWS's: like AWS, ministack refuses `aws.*` sources in PutEvents (only AWS
//! services publish them), so the delivery step puts the events with the source
//! [`TEST_SOURCE`] under the same rule with that one field changed, and the bodies taken from the
//! queue get their source back before ses-events reads them. The rule as written (`aws.ses`) is
//! what TestEventPattern checks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_eventbridge::types::{PutEventsRequestEntry, Target};
use chrono::Utc;
use serde_json::{Value, json};
use ses_monitor::envelope::wrap::sqs_lambda_event;
use ses_monitor::ingest;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor_tests::lambda::Template;
use ses_monitor_tests::{ACCOUNT_ID, Emulator, REGION, create_queue, repo_root};

/// The configuration set of the stack under test.
const SET: &str = "shop-mail";

/// The source the delivery step publishes with (see the module comment).
const TEST_SOURCE: &str = "ses-monitor.test";

/// SES's detail-type for each sample of events/ (one per event type).
const SAMPLES: [(&str, &str); 10] = [
    ("Email Sent", "sns-send.json"),
    ("Email Rejected", "sns-reject.json"),
    ("Email Bounced", "sns-bounce-hard.json"),
    ("Email Complaint Received", "sns-complaint.json"),
    ("Email Delivered", "sns-delivery.json"),
    ("Email Opened", "sns-open.json"),
    ("Email Clicked", "sns-click.json"),
    ("Email Rendering Failed", "sns-rendering-failure.json"),
    ("Email Delivery Delayed", "sns-delivery-delay.json"),
    ("Email Subscribed", "sns-subscription.json"),
];

/// The SES event of a sample (its SNS message), sent through the configuration set `set`.
fn ses_event(sample: &str, set: &str) -> Value {
    let path = repo_root().join("events").join(sample);
    let sns: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut ev: Value = serde_json::from_str(sns["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap();
    ev["mail"]["tags"]["ses:configuration-set"] = json!([set]);
    ev
}

/// The rule's event pattern, as the stack would create it.
fn rule_pattern() -> Value {
    let tpl = Template::load("ses-monitor")
        .with_parameter("EventsDelivery", "eventbridge")
        .with_parameter("ConfigurationSetName", SET);
    let (_, rule) = tpl
        .resources_of_type("AWS::Events::Rule")
        .into_iter()
        .find(|(id, _)| id == "SesEventsRule")
        .expect("template.yaml has SesEventsRule");
    assert!(tpl.condition("DeliverViaEventBridge").unwrap());
    tpl.eval(&rule["Properties"]["EventPattern"]).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eventbridge_rule_takes_this_sets_ses_events_to_the_queue_ses_events_reads() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let pattern = rule_pattern();

    // 1. The rule as written, on AWS's own event shape: this set's published types in, the rest out.
    let envelope = |detail_type: &str, source: &str, detail: &Value| {
        json!({
            "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": detail_type,
            "source": source, "account": ACCOUNT_ID, "time": "2026-11-26T09:30:00Z", "region": REGION,
            "resources": [format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:configuration-set/{SET}")],
            "detail": detail,
        })
    };
    let matches = |event: Value| {
        let (events, pattern) = (events.clone(), pattern.to_string());
        async move {
            events
                .test_event_pattern()
                .event_pattern(pattern)
                .event(event.to_string())
                .send()
                .await
                .unwrap_or_else(|e| {
                    panic!("TestEventPattern: {}", aws_sdk_eventbridge::error::DisplayErrorContext(&e))
                })
                .result()
        }
    };
    for (dt, sample) in SAMPLES {
        assert!(matches(envelope(dt, "aws.ses", &ses_event(sample, SET))).await, "{dt} of {SET}");
        assert!(
            !matches(envelope(dt, "aws.ses", &ses_event(sample, "other-set"))).await,
            "{dt} of another set"
        );
        assert!(!matches(envelope(dt, TEST_SOURCE, &ses_event(sample, SET))).await, "{dt} not from SES");
    }
    let status = json!({"configurationSetName": SET, "sendingStatus": "DISABLED"});
    assert!(!matches(envelope("Sending Status Disabled", "aws.ses", &status)).await, "SES status events");

    // 2. PutEvents → the rule (same pattern, test source) → its SQS target.
    let (queue_url, queue_arn) = create_queue(&sqs, "ses-events").await;
    let mut test_pattern = pattern.clone();
    test_pattern["source"] = json!([TEST_SOURCE]);
    events
        .put_rule()
        .name("ses-monitor-ses-events")
        .event_bus_name("default")
        .event_pattern(test_pattern.to_string())
        .send()
        .await
        .unwrap();
    let put_targets = events
        .put_targets()
        .rule("ses-monitor-ses-events")
        .event_bus_name("default")
        .targets(Target::builder().id("ses-events-queue").arn(&queue_arn).build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(put_targets.failed_entry_count(), 0);
    let entry = |dt: &str, detail: &Value| {
        PutEventsRequestEntry::builder()
            .event_bus_name("default")
            .source(TEST_SOURCE)
            .detail_type(dt)
            .detail(detail.to_string())
            .build()
    };
    let wanted: Vec<PutEventsRequestEntry> =
        SAMPLES.iter().map(|(dt, sample)| entry(dt, &ses_event(sample, SET))).collect();
    let unwanted = vec![
        entry("Email Bounced", &ses_event("sns-bounce-hard.json", "other-set")),
        entry("Sending Status Disabled", &status),
    ];
    for batch in [wanted, unwanted] {
        let put = events.put_events().set_entries(Some(batch)).send().await.unwrap();
        assert_eq!(put.failed_entry_count(), 0, "{put:?}");
    }

    // 3. What the queue holds: the ten events of this set, nothing else.
    let mut bodies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while bodies.len() < SAMPLES.len() + 2 && Instant::now() < deadline {
        let got = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        if got.messages().is_empty() && bodies.len() >= SAMPLES.len() {
            break;
        }
        bodies.extend(got.messages().iter().map(|m| m.body().unwrap().to_string()));
    }
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let restored: Vec<String> = bodies
        .iter()
        .map(|b| {
            let mut ev: Value = serde_json::from_str(b).unwrap();
            assert_eq!(ev["source"], TEST_SOURCE);
            assert_eq!(ev["detail"]["mail"]["tags"]["ses:configuration-set"], json!([SET]));
            *by_type.entry(ev["detail-type"].as_str().unwrap().to_string()).or_default() += 1;
            ev["source"] = json!("aws.ses");
            ev.to_string()
        })
        .collect();
    let want: BTreeMap<String, usize> = SAMPLES.iter().map(|(dt, _)| (dt.to_string(), 1)).collect();
    assert_eq!(by_type, want, "each published type once, the other set and the status event not at all");

    // 4. ses-events on the batch the event source mapping would hand it.
    let now = Utc::now();
    let summary =
        ingest::ingest(&IngestConfig::default(), &sqs_lambda_event(&restored, true, now), now).summary;
    assert_eq!((summary.events, summary.skipped), (10, 0), "{summary:?}");
    let kinds: Vec<&str> = summary.by_type.keys().copied().collect();
    assert_eq!(
        kinds,
        [
            "Bounce",
            "Click",
            "Complaint",
            "Delivery",
            "DeliveryDelay",
            "Open",
            "Reject",
            "RenderingFailure",
            "Send",
            "Subscription"
        ]
    );
    assert_eq!(summary.retry_ids(), Some(vec![]), "no record to retry");
}
