//! The alarm pipeline in ministack, end to end through the real SDK clients: SES hard bounces →
//! `ingest::handle` with the `api` sink (PutMetricData, Custom/SES) → a CloudWatch alarm on
//! `HardBounce` for `RecipientDomain=gmail.com` → its SNS alarm action → an SQS queue subscribed
//! to the topic (raw delivery off) → the SNS envelope whose `Message` is the alarm JSON, read by
//! `ses_monitor::alarm::parse_alarms` as alarm-suppressor reads it, and alarm-suppressor driven
//! with that SQS record: the offenders ses-events wrote to the ledger (DynamoDB) are suppressed
//! and marked, the configuration set (SESv2) is paused and tagged; the OK message resumes it.
//! ministack has no SES suppression list, so the suppression calls go to the in-memory list here
//! (their wire format is checked in suppression_wire.rs).
//!
//! How ministack 1.5.33 evaluates metric alarms (read from its source and checked below by
//! [`ministack_alarm_evaluation_model`]):
//! - synchronously, never on a timer: every PutMetricData re-evaluates every alarm, and
//!   PutMetricAlarm evaluates the alarm it writes. The state change, its history item, the SNS
//!   publish and the SQS delivery all happen inside that call, so the message is in the queue
//!   when the call returns;
//! - on every data point of the alarm's namespace and metric name, *whatever its dimensions*,
//!   whose own timestamp is at or after `now − Period × EvaluationPeriods` (future points
//!   count too), combined into one statistic (not one per period). DatapointsToAlarm and
//!   TreatMissingData are stored but not used;
//! - with no data point in that window it does nothing: the state stays as it is (no OK and no
//!   INSUFFICIENT_DATA when the data ages out). It goes back to OK only when a later
//!   PutMetricData of that metric (or a PutMetricAlarm) finds the window's statistic no longer
//!   breaching, or by SetAlarmState; each transition fires the OK/ALARM actions;
//! - an alarm on metric math (`Metrics`) is never evaluated: it stays INSUFFICIENT_DATA;
//! - the SNS message has `AlarmName`, `AlarmDescription`, `AWSAccountId` (`000000000000`),
//!   `NewStateValue`, `NewStateReason` (`Threshold Crossed: Sum 32.0 GreaterThanThreshold
//!   5.0`), `StateChangeTime` (`2026-11-27T10:29:18Z`: whole seconds, `Z`; AWS writes
//!   `…T10:29:18.123+0000`), `Region` (`us-east-1`; AWS writes `US East (N. Virginia)`),
//!   `OldStateValue` and `Trigger` {`MetricName`, `Namespace`, `Statistic` (`Sum` as given; AWS
//!   writes `SUM`), `Unit` (null), `Period`, `EvaluationPeriods`, `ComparisonOperator`,
//!   `Threshold`, `Dimensions` as `[{"Name":…,"Value":…}]` (AWS writes lower-case `name` /
//!   `value`)}; no `AlarmArn`, no `StatisticType`, no `TreatMissingData`. The SNS envelope has
//!   `Subject` `ALARM: "<name>" in us-east-1` and `Signature` `FAKE`.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, StandardUnit,
    StateValue, Statistic,
};
use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::{Value, json};
use ses_monitor::alarm::states::CloudWatchAlarms;
use ses_monitor::alarm::{AlarmFormat, AlarmState, parse_alarms};
use ses_monitor::ingest;
use ses_monitor::ledger::DynamoLedger;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::ses::EventKind;
use ses_monitor::sesv2::{ConfigSetRef, MemorySes, SendingControl, SesV2};
use ses_monitor::sink::cloudwatch::CloudWatchSink;
use ses_monitor::store::{DynamoStore, Journal};
use ses_monitor::suppress::{self, Deps, SuppressorConfig};
use ses_monitor::synth::{self, Generator};
use ses_monitor_tests::alarm_queue::AlarmQueue;
use ses_monitor_tests::{ACCOUNT_ID, Emulator, REGION, create_ledger_table, scan_table};

const NAMESPACE: &str = "Custom/SES";
const ALARM: &str = "ses-monitor-hard-bounce-gmail.com";
/// How long the pipeline test waits for the alarm and its message at most.
const PIPELINE_TIMEOUT: StdDuration = StdDuration::from_secs(60);

/// The alarm topic with its SQS queue ([`AlarmQueue`]), and CloudWatch to put alarms and data.
struct AlarmPipeline {
    cloudwatch: aws_sdk_cloudwatch::Client,
    queue: AlarmQueue,
    topic_arn: String,
}

impl AlarmPipeline {
    async fn new(emu: &Emulator) -> Self {
        let sdk = emu.sdk_config().await;
        let queue = AlarmQueue::new(&sdk, "ses-monitor-alarms", "alarm-suppressor-in").await;
        assert_eq!(queue.topic_arn, format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:ses-monitor-alarms"));
        assert_eq!(queue.queue_arn, format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:alarm-suppressor-in"));
        assert!(queue.subscription_arn.starts_with(&queue.topic_arn), "{}", queue.subscription_arn);
        let topic_arn = queue.topic_arn.clone();
        Self { cloudwatch: aws_sdk_cloudwatch::Client::new(&sdk), queue, topic_arn }
    }

    /// `HardBounce` Sum over 60 s > `threshold` for `RecipientDomain=domain`, with the topic as
    /// ALARM and OK action.
    async fn put_alarm(&self, name: &str, metric: &str, domain: &str, threshold: f64) {
        self.cloudwatch
            .put_metric_alarm()
            .alarm_name(name)
            .namespace(NAMESPACE)
            .metric_name(metric)
            .statistic(Statistic::Sum)
            .period(60)
            .evaluation_periods(1)
            .threshold(threshold)
            .comparison_operator(ComparisonOperator::GreaterThanThreshold)
            .dimensions(Dimension::builder().name("RecipientDomain").value(domain).build())
            .alarm_actions(&self.topic_arn)
            .ok_actions(&self.topic_arn)
            .send()
            .await
            .expect("PutMetricAlarm");
    }

    /// (state, reason) of an alarm.
    async fn state(&self, name: &str) -> (StateValue, String) {
        let out = self.cloudwatch.describe_alarms().alarm_names(name).send().await.expect("DescribeAlarms");
        let a = out.metric_alarms().first().unwrap_or_else(|| panic!("alarm {name} exists"));
        (a.state_value().expect("a state").clone(), a.state_reason().unwrap_or_default().to_string())
    }

    /// (SNS envelope, alarm JSON) of each notification waiting in the queue, taken from it,
    /// waiting up to `wait_s` seconds for the first.
    async fn take_alarm_messages(&self, wait_s: i32) -> Vec<(Value, Value)> {
        self.queue.take(wait_s).await.into_iter().map(|m| (m.envelope, m.alarm)).collect()
    }

    async fn put_datum(&self, metric: &str, domain: &str, value: f64, at: DateTime<Utc>) {
        self.cloudwatch
            .put_metric_data()
            .namespace(NAMESPACE)
            .metric_data(
                MetricDatum::builder()
                    .metric_name(metric)
                    .dimensions(Dimension::builder().name("RecipientDomain").value(domain).build())
                    .timestamp(aws_smithy_types::DateTime::from_millis(at.timestamp_millis()))
                    .value(value)
                    .unit(StandardUnit::Count)
                    .build(),
            )
            .send()
            .await
            .expect("PutMetricData");
    }
}

/// An SQS→Lambda event carrying one SQS body, as alarm-suppressor receives it from the queue.
fn sqs_lambda_event(body: &str) -> String {
    json!({"Records": [{
        "messageId": "5f0c8a8e-0000-4000-8000-000000000001",
        "receiptHandle": "AQEB...",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:alarm-suppressor-in"),
        "awsRegion": REGION
    }]})
    .to_string()
}

#[tokio::test]
async fn hard_bounce_alarm_reaches_the_queue_through_sns() {
    let started = Instant::now();
    let emu = Emulator::start();
    let p = AlarmPipeline::new(&emu).await;
    p.put_alarm(ALARM, "HardBounce", "gmail.com", 5.0).await;
    assert_eq!(p.state(ALARM).await.0, StateValue::InsufficientData);

    // The api sink stamps each datum with the start of its minute, and ministack only counts
    // points at most Period (60 s) old when the data arrives: so publish early in a minute.
    let second = Utc::now().second();
    if second >= 50 {
        tokio::time::sleep(StdDuration::from_secs(u64::from(61 - second))).await;
    }
    let now = Utc::now();
    // Eight hard bounces at gmail.com (threshold 5).
    let mut generator =
        Generator::with_mix(3, vec![("gmail.com".into(), 1.0)], vec![(EventKind::Bounce, 1.0)])
            .hard_bounce_share(1.0);
    let messages: Vec<String> =
        (0..8).map(|i| synth::ses_json(&generator.next_spec(now - Duration::milliseconds(i)))).collect();
    let cfg = IngestConfig::from_map(&HashMap::from([
        ("METRICS_SINK".to_string(), "api".to_string()),
        ("LEDGER_TABLE".to_string(), "ses-monitor-ledger".to_string()),
        // one value per domain: the alarm's RecipientDomain is gmail.com (the default,
        // provider grouping, would call it gmail)
        ("DOMAIN_GROUPING".to_string(), "domain".to_string()),
    ]))
    .expect("valid configuration");
    let sdk = emu.sdk_config().await;
    let dynamo = create_ledger_table(&sdk, "ses-monitor-ledger").await;
    let ledger = DynamoLedger::new(dynamo.clone(), "ses-monitor-ledger", cfg.ledger_ttl());
    let sink = CloudWatchSink::new(p.cloudwatch.clone());
    let summary =
        ingest::handle_with_ledger(&cfg, &sink, &ledger, &synth::sns_lambda_event(&messages, now), now)
            .await
            .expect("published");
    assert_eq!(summary.ledger.map(|l| l.written), Some(8));
    assert_eq!(summary.by_type.get("Bounce"), Some(&8));
    assert_eq!(summary.metrics.totals.get("HardBounce"), Some(&8));
    // Four rollups, {RecipientDomain}, {}, {EmailType} and {Campaign}, each counts the 8.
    let rollups = 2 + cfg.tag_dimensions.len();
    assert_eq!(rollups, 4);

    // Wait (bounded) for the alarm state and the message in the queue.
    let deadline = Instant::now() + PIPELINE_TIMEOUT;
    let mut state = p.state(ALARM).await;
    let mut received = Vec::new();
    while (state.0 != StateValue::Alarm || received.is_empty()) && Instant::now() < deadline {
        received.extend(p.take_alarm_messages(1).await);
        state = p.state(ALARM).await;
    }
    eprintln!("ALARM and its message after {:?} (emulator start included)", started.elapsed());
    assert_eq!(state.0, StateValue::Alarm, "{state:?}\n{}", emu.log_tail(20));
    assert_eq!(received.len(), 1, "one notification: {received:?}");
    let (envelope, alarm) = &received[0];

    // The SNS envelope (raw delivery off).
    assert_eq!(envelope["Type"], "Notification");
    assert_eq!(envelope["TopicArn"], p.topic_arn.as_str());
    assert_eq!(envelope["Subject"], format!("ALARM: \"{ALARM}\" in {REGION}"));
    for k in ["MessageId", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"] {
        assert!(envelope[k].is_string(), "{k} in {envelope}");
    }

    // The CloudWatch alarm JSON. ministack ignores the alarm's dimension and sums every
    // HardBounce series: 8 in each rollup.
    assert_eq!(alarm["AlarmName"], ALARM);
    assert_eq!(alarm["AWSAccountId"], ACCOUNT_ID);
    assert_eq!(alarm["NewStateValue"], "ALARM");
    assert_eq!(alarm["OldStateValue"], "INSUFFICIENT_DATA");
    assert_eq!(alarm["Region"], REGION);
    let sum = 8.0 * rollups as f64;
    assert_eq!(alarm["NewStateReason"], format!("Threshold Crossed: Sum {sum:.1} GreaterThanThreshold 5.0"));
    assert_eq!(state.1, alarm["NewStateReason"].as_str().unwrap());
    let change: DateTime<Utc> = alarm["StateChangeTime"].as_str().unwrap().parse().expect("RFC 3339");
    assert!(change >= now - Duration::seconds(1) && change <= Utc::now(), "{change}");
    assert_eq!(
        alarm["Trigger"],
        json!({
            "MetricName": "HardBounce", "Namespace": NAMESPACE, "Statistic": "Sum", "Unit": null,
            "Period": 60, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 5.0, "Dimensions": [{"Name": "RecipientDomain", "Value": "gmail.com"}]
        })
    );

    // alarm-suppressor's parser reads it from the SQS record as it will arrive.
    let body = envelope.to_string();
    let parsed = parse_alarms(&sqs_lambda_event(&body));
    assert_eq!(parsed.len(), 1);
    let notice = parsed[0].as_ref().expect("an alarm notice");
    assert_eq!(notice.name, ALARM);
    assert_eq!(notice.format, AlarmFormat::SnsNotification);
    assert_eq!(notice.state, AlarmState::Alarm);
    assert_eq!(notice.previous_state, Some(AlarmState::InsufficientData));
    assert_eq!(notice.account.as_deref(), Some(ACCOUNT_ID));
    assert_eq!(notice.arn, None, "ministack sends no AlarmArn");
    assert_eq!(notice.state_change_time, Some(change));
    assert_eq!((notice.period_s, notice.evaluation_periods), (Some(60), Some(1)));
    assert_eq!(notice.metrics.len(), 1);
    assert_eq!(notice.metrics[0].namespace.as_deref(), Some(NAMESPACE));
    assert_eq!(notice.metrics[0].name, "HardBounce");
    assert_eq!(notice.metrics[0].dimensions, [("RecipientDomain".to_string(), "gmail.com".to_string())]);
    assert_eq!(notice.window(Duration::zero(), Utc::now()), (change - Duration::seconds(60), change));
    let scope = notice.scope(&[NAMESPACE.to_string()]);
    assert_eq!(scope.recipient_domains, ["gmail.com"]);
    assert!(scope.tags.is_empty() && scope.configuration_set.is_none(), "{scope:?}");
    assert!(notice.is_owned(&["ses-monitor-".to_string()], &[]));

    // alarm-suppressor, driven with the SQS record: the ledger on DynamoDB, sending control on
    // SESv2, both in ministack.
    let sesv2 = aws_sdk_sesv2::Client::new(&sdk);
    sesv2.create_configuration_set().configuration_set_name("ses-monitor").send().await.expect("config set");
    let scfg = SuppressorConfig::from_lookup(|k| match k {
        "LEDGER_TABLE" => Some("ses-monitor-ledger".into()),
        "PAUSE_ON_ALARMS" => Some(ALARM.into()),
        "CONFIGURATION_SET" => Some("ses-monitor".into()),
        "MIN_LOOKBACK_MINUTES" => Some("10".into()),
        _ => None,
    })
    .expect("suppressor configuration");
    let list = MemorySes::default();
    let ses = SesV2::new(sesv2.clone());
    // DescribeAlarms on the emulator's CloudWatch (the current state decides the pause), the
    // journal and the lease in the ledger table.
    let alarms = CloudWatchAlarms::new(p.cloudwatch.clone());
    let store = DynamoStore::new(dynamo.clone(), "ses-monitor-ledger");
    let deps = Deps {
        ledger: &ledger,
        list: &list,
        sending: &ses,
        alarms: &alarms,
        store: &store,
        partition: "aws",
        region: REGION,
    };
    let result =
        suppress::handle(&scfg, &deps, &sqs_lambda_event(&body), Utc::now()).await.expect("suppressor");
    let outcome = &result.alarms[0];
    assert_eq!(outcome.action, "suppressed", "{result:?}");
    assert_eq!(outcome.recipient_domains, ["gmail.com"]);
    assert_eq!(outcome.suppressed.get("BOUNCE"), Some(&8), "{outcome:?}");
    assert_eq!(outcome.sending.as_deref(), Some("paused:ses-monitor"));
    let mut suppressed: Vec<String> = list.suppressed.lock().unwrap().keys().cloned().collect();
    let mut bounced: Vec<String> = messages
        .iter()
        .map(|m| {
            let v: Value = serde_json::from_str(m).unwrap();
            v["bounce"]["bouncedRecipients"][0]["emailAddress"].as_str().unwrap().to_string()
        })
        .collect();
    suppressed.sort();
    bounced.sort();
    bounced.dedup();
    assert_eq!(suppressed, bounced, "every hard-bounced recipient, and nobody else");
    let items: Vec<_> = scan_table(&dynamo, "ses-monitor-ledger")
        .await
        .into_iter()
        .filter(|i| i["pk"].as_s().is_ok_and(|pk| pk.starts_with("D#")))
        .collect();
    assert_eq!(items.len(), 8);
    assert!(items.iter().all(|i| i.contains_key("suppressed_at")), "every ledger item marked");
    let set = ConfigSetRef::new("aws", REGION, ACCOUNT_ID, "ses-monitor");
    let state = ses.state(&set).await.expect("state");
    assert!(!state.enabled);
    assert_eq!(state.paused_by, [ALARM]);
    // the same notification again (SQS redelivery): nothing new
    let again = suppress::handle(&scfg, &deps, &sqs_lambda_event(&body), Utc::now()).await.expect("again");
    assert!(again.alarms[0].suppressed.is_empty());
    assert_eq!(again.alarms[0].sending.as_deref(), Some("already_paused:ses-monitor"));

    // Back to OK at once: SetAlarmState fires the OK action.
    p.cloudwatch
        .set_alarm_state()
        .alarm_name(ALARM)
        .state_value(StateValue::Ok)
        .state_reason("test: recovered")
        .send()
        .await
        .expect("SetAlarmState");
    assert_eq!(p.state(ALARM).await.0, StateValue::Ok);
    let ok = p.take_alarm_messages(1).await;
    assert_eq!(ok.len(), 1, "{ok:?}");
    assert_eq!(ok[0].0["Subject"], format!("OK: \"{ALARM}\" in {REGION}"));
    assert_eq!(ok[0].1["NewStateValue"], "OK");
    assert_eq!(ok[0].1["OldStateValue"], "ALARM");
    assert_eq!(ok[0].1["NewStateReason"], "test: recovered");
    let parsed = parse_alarms(&sqs_lambda_event(&ok[0].0.to_string()));
    assert_eq!(parsed[0].as_ref().expect("a notice").state, AlarmState::Ok);
    // … and alarm-suppressor resumes what it paused
    let resumed = suppress::handle(&scfg, &deps, &sqs_lambda_event(&ok[0].0.to_string()), Utc::now())
        .await
        .expect("suppressor on OK");
    assert_eq!(resumed.alarms[0].sending.as_deref(), Some("resumed:ses-monitor"));
    let state = ses.state(&set).await.expect("state");
    assert!(state.enabled && state.paused_by.is_empty(), "{state:?}");
    // The journal in the table: the two notices, the pause, the suppression and the resume.
    let day = Utc::now() - Duration::hours(1);
    let mut kinds: Vec<&str> = Vec::new();
    let entries = store.entries(day, Utc::now() + Duration::minutes(1)).await.expect("journal");
    kinds.extend(entries.iter().map(|e| e.event.kind()));
    kinds.sort();
    assert_eq!(kinds, ["alarm", "alarm", "paused", "resumed", "suppressed"], "{entries:?}");
    eprintln!("whole pipeline test: {:?}", started.elapsed());
}

/// Documents ministack's alarm evaluation (see the module doc): if this fails after a ministack
/// upgrade, the tests built on the pipeline above and DESIGN.md's notes need another look.
#[tokio::test]
async fn ministack_alarm_evaluation_model() {
    let emu = Emulator::start();
    let p = AlarmPipeline::new(&emu).await;
    let now = Utc::now();

    // Dimensions are ignored: yahoo.com data fires the gmail.com alarm, synchronously (state and
    // message are there as soon as PutMetricData returns).
    p.put_alarm("gmail", "HardBounce", "gmail.com", 5.0).await;
    p.put_datum("HardBounce", "yahoo.com", 7.0, now).await;
    assert_eq!(
        p.state("gmail").await,
        (StateValue::Alarm, "Threshold Crossed: Sum 7.0 GreaterThanThreshold 5.0".into())
    );
    let fired = p.take_alarm_messages(0).await;
    assert_eq!(fired.len(), 1);
    assert_eq!(
        fired[0].1["Trigger"]["Dimensions"],
        json!([{"Name": "RecipientDomain", "Value": "gmail.com"}])
    );

    // Points older than Period × EvaluationPeriods are not counted; with none in the window the
    // alarm is not evaluated at all (it stays INSUFFICIENT_DATA, no action).
    p.put_alarm("late", "SoftBounce", "gmail.com", 5.0).await;
    p.put_datum("SoftBounce", "gmail.com", 100.0, now - Duration::minutes(5)).await;
    assert_eq!(p.state("late").await.0, StateValue::InsufficientData);
    // A point in the window is evaluated on its own: 0 → OK (the OK action fires).
    p.put_datum("SoftBounce", "gmail.com", 0.0, now).await;
    assert_eq!(p.state("late").await.0, StateValue::Ok);
    let ok = p.take_alarm_messages(0).await;
    assert_eq!(ok.len(), 1);
    assert_eq!((&ok[0].1["AlarmName"], &ok[0].1["NewStateValue"]), (&json!("late"), &json!("OK")));
    // Points in the future count too; the window's points are summed together.
    p.put_datum("SoftBounce", "gmail.com", 3.0, now + Duration::minutes(10)).await;
    assert_eq!(p.state("late").await.0, StateValue::Ok);
    p.put_datum("SoftBounce", "gmail.com", 3.0, now).await;
    assert_eq!(
        p.state("late").await,
        (StateValue::Alarm, "Threshold Crossed: Sum 6.0 GreaterThanThreshold 5.0".into())
    );
    // PutMetricAlarm re-evaluates at once: raising the threshold is a quick way back to OK.
    p.put_alarm("late", "SoftBounce", "gmail.com", 1000.0).await;
    assert_eq!(p.state("late").await.0, StateValue::Ok);
    let states: Vec<String> = p
        .take_alarm_messages(0)
        .await
        .iter()
        .map(|(_, a)| {
            format!("{} {}", a["AlarmName"].as_str().unwrap(), a["NewStateValue"].as_str().unwrap())
        })
        .collect();
    assert_eq!(states, ["late ALARM", "late OK"]);

    // A metric-math alarm is never evaluated.
    let stat = |id: &str, metric: &str| {
        MetricDataQuery::builder()
            .id(id)
            .return_data(false)
            .metric_stat(
                MetricStat::builder()
                    .metric(Metric::builder().namespace(NAMESPACE).metric_name(metric).build())
                    .period(60)
                    .stat("Sum")
                    .build(),
            )
            .build()
    };
    p.cloudwatch
        .put_metric_alarm()
        .alarm_name("rate")
        .metrics(stat("m1", "HardBounce"))
        .metrics(stat("m2", "Send"))
        .metrics(MetricDataQuery::builder().id("e1").expression("100 * m1 / m2").return_data(true).build())
        .evaluation_periods(1)
        .threshold(5.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .alarm_actions(&p.topic_arn)
        .send()
        .await
        .expect("PutMetricAlarm with metric math");
    p.put_datum("Send", "gmail.com", 10.0, now).await;
    p.put_datum("HardBounce", "gmail.com", 9.0, now).await;
    assert_eq!(p.state("rate").await.0, StateValue::InsufficientData);
    // The single-metric alarm saw those points too (7 + 9 = 16 > 5, still ALARM: no new message).
    assert_eq!(p.state("gmail").await.0, StateValue::Alarm);
    assert!(p.take_alarm_messages(0).await.is_empty());
}
