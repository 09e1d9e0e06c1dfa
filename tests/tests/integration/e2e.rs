//! End to end: the three function executables, each served by a Lambda Runtime API emulator and
//! configured as template.yaml configures it, against one local AWS emulator (ministack). In
//! scripts/test (so in CI) they are the `bootstrap` files `sam build` wrote, what `sam deploy`
//! uploads (`SES_MONITOR_BOOTSTRAP_DIR=.aws-sam/build`); run alone, the same code from `cargo
//! build --release --locked -p ses-events -p alarm-suppressor -p rate-reporter`.
//!
//! 1. Every payload in events/ goes through ses-events (`METRICS_SINK=api`, the ledger on): SNS
//!    events as they are, the SQS batches with their partial-batch answers, backfill.jsonl as an
//!    SQS batch of its lines (raw delivery). Each answer must equal what `ses_monitor::ingest`
//!    computes for the same payload; the metrics are read back from CloudWatch per dimension set
//!    and the ledger items from DynamoDB.
//! 2. A burst of hard bounces at one domain, through ses-events, makes the template's
//!    hard-bounce alarm (created in the emulator) go to ALARM; its SNS notification, taken from
//!    an SQS queue subscribed to the alarm topic, drives alarm-suppressor: the bounced addresses
//!    go on the suppression list and the configuration set is paused; the OK notification
//!    resumes it. ministack has no suppression list, so alarm-suppressor's SESv2 calls go to a
//!    recording proxy (`AWS_ENDPOINT_URL_SESV2`) that answers those and forwards the rest.
//! 3. rate-reporter reports the day of the burst: its numbers are what was sent in, and the
//!    email reached SES.
//!
//! Every step is named; a failure names the step and the function, with the function's log tail,
//! its last invocations and the emulator's log tail.
//!
//! The events/ files are dated 2026-11-26. CloudWatch takes data points up to two weeks old, and
//! ses-events publishes older ones at the invocation time (`clamped_timestamps`): every
//! expectation below is computed for the time the test runs, so it holds on any date. The ledger
//! keeps items `LEDGER_TTL_DAYS` after the event and ministack deletes expired ones: the test sets
//! the template's `LedgerTtlDays` so that the files' items are alive (at most 365 days; past that
//! only the items still alive are expected).
//!
//! Two ministack behaviours shape step 2 (see alarm_pipeline.rs for the measured model): it
//! evaluates no metric math, and it adds up every series of an alarm's metric whatever the
//! dimensions. The template's hard-bounce alarm is a rate (metric math over the totals), so it is
//! created with the same name, actions, period and comparison, on its `HardBounce` metric alone,
//! with the rate threshold turned into a count for the burst's sends; ministack's threshold is
//! that count times the number of series a hard bounce is published to, plus whatever hard
//! bounces of step 1 are already in the alarm's window.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration as StdDuration, Instant};

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, DimensionFilter, StateValue, Statistic};
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use serde_json::{Value, json};
use ses_monitor::ingest;
use ses_monitor::ledger::{LedgerEntry, from_item, partition_key, sort_key};
use ses_monitor::metrics::{COUNT_METRICS, DELIVERY_LATENCY, MetricBatch, RECIPIENT_DOMAIN};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::report::ReporterConfig;
use ses_monitor::report::stats::{Counts, Row};
use ses_monitor::ses::EventKind;
use ses_monitor::sink::cloudwatch::{datums, plan_requests};
use ses_monitor::synth::{self, EventSpec};
use ses_monitor_tests::alarm_queue::{AlarmMessage, AlarmQueue};
use ses_monitor_tests::lambda::{
    FUNCTIONS, FunctionDef, LambdaFunction, Steps, Template, env_map, function_binary,
};
use ses_monitor_tests::ses_proxy::{SUPPRESSION_PATH, SesProxy};
use ses_monitor_tests::{Emulator, create_ledger_table, create_ses_resources, repo_root, scan_table};

/// `AWS::StackName` of the stack the test stands for.
const STACK: &str = "ses-monitor";
/// Physical name of the template's `LedgerTable`.
const LEDGER_TABLE: &str = "ses-monitor-ledger";
/// The alarm topic (`AlarmTopic`) and the queue subscribed to it in place of the function.
const ALARM_TOPIC: &str = "ses-monitor-AlarmTopic";
const ALARM_QUEUE: &str = "ses-monitor-alarm-suppressor-in";
/// The domain that goes bad in step 2: a tracked provider none of the events/ files mentions.
const BURST_DOMAIN: &str = "icloud.com";
/// Sends in the burst (at least the template's `HardBounceRateMinimumSends`), a fifth of them
/// hard-bouncing.
const BURST_SENDS: usize = 200;
const REPORT_SENDER: &str = "reports@example.net";
/// Physical name of the template's `ReportConfigurationSet` (the report's own set).
const REPORT_SET: &str = "ses-monitor-ReportConfigurationSet-1X2Y3Z";
const REPORT_RECIPIENTS: [&str; 2] = ["ops@example.net", "deliverability@example.net"];
/// Longest wait for the alarm's notification in the queue (ministack delivers it synchronously,
/// within the PutMetricData call that crosses the threshold).
const NOTIFICATION_TIMEOUT: StdDuration = StdDuration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_functions_work_together_as_deployed() {
    let started = Instant::now();
    // Before anything starts: a clear error when the binaries are not built.
    for f in FUNCTIONS {
        eprintln!("{f}: {}", function_binary(f).display());
    }
    let emu = Emulator::start();
    let mut steps = Steps::new(&emu);
    let w = steps
        .run(
            "0 setup: the functions as the template configures them, the stack's resources",
            &[],
            World::start(&emu),
        )
        .await;

    let step1 = steps
        .run("1 ses-events: every payload in events/", &[&w.ses_events], every_payload_through_ses_events(&w))
        .await;
    steps
        .run(
            "1b ses-events: the metrics read back from CloudWatch",
            &[&w.ses_events],
            check_metrics(&w.cw, &w.icfg.namespace, &step1.batches),
        )
        .await;
    steps
        .run(
            "1c ses-events: the offender ledger in DynamoDB",
            &[&w.ses_events],
            ledger_matches_events(&w, &step1),
        )
        .await;

    let b = Burst::new(&w);
    let (alarm_message, burst_batch) = steps
        .run(
            &format!(
                "2a ses-events: {} hard bounces of {BURST_SENDS} sends at {} fire the alarm",
                b.hard, b.domain
            ),
            &[&w.ses_events],
            burst_fires_the_alarm(&w, &step1, &b),
        )
        .await;
    let proxied_before = w.proxy.requests().len();
    steps
        .run(
            "2b alarm-suppressor: ALARM → suppression list and pause",
            &[&w.suppressor],
            alarm_suppresses_and_pauses(&w, &b, &alarm_message, proxied_before),
        )
        .await;
    steps
        .run(
            "2c alarm-suppressor: the same notification again, as SNS delivers it → nothing new",
            &[&w.suppressor],
            same_notification_again(&w, &alarm_message),
        )
        .await;
    steps
        .run("2d alarm-suppressor: OK → sending resumed", &[&w.suppressor], ok_resumes_sending(&w, &b))
        .await;
    steps
        .run(
            "2e alarm-suppressor: an SES sending-status event through the alarm topic → journaled",
            &[&w.suppressor],
            sending_status_is_journaled(&w),
        )
        .await;
    steps
        .run(
            "2f alarm-suppressor: the scheduled sweep → nothing pending, nothing to change",
            &[&w.suppressor],
            sweep_finds_nothing(&w),
        )
        .await;

    steps
        .run(
            "3 rate-reporter: the report of the burst's day, by email",
            &[&w.reporter],
            report_of_the_burst_day(&w, &step1, &b, &burst_batch),
        )
        .await;

    eprintln!("\n{:<90} {:>9}", "step", "took");
    for (name, took) in steps.timings() {
        eprintln!("{name:<90} {:>8.2}s", took.as_secs_f64());
    }
    eprintln!(
        "{:<90} {:>8.2}s",
        "whole test (emulator and binaries start included)",
        started.elapsed().as_secs_f64()
    );
}

/// What every step works with: the three functions started as the template configures them, the
/// SES proxy, SDK clients of the emulator and step 0's resources.
struct World<'e> {
    emu: &'e Emulator,
    sdk: aws_config::SdkConfig,
    proxy: SesProxy,
    template: Template,
    ses_events: LambdaFunction,
    suppressor: LambdaFunction,
    reporter: LambdaFunction,
    reporter_def: FunctionDef,
    icfg: IngestConfig,
    config_set: String,
    cw: aws_sdk_cloudwatch::Client,
    sesv2: aws_sdk_sesv2::Client,
    ttl_days: i64,
    payloads: Vec<(String, Value)>,
    dynamo: aws_sdk_dynamodb::Client,
    alarms: AlarmQueue,
}

impl<'e> World<'e> {
    /// Step 0: the template evaluated for this test, the three binaries started with its
    /// environments, and the resources the stack would have created.
    async fn start(emu: &'e Emulator) -> World<'e> {
        let sdk = emu.sdk_config().await;
        let proxy = SesProxy::start(&emu.endpoint_url());
        let payloads = event_payloads(Utc::now());

        // The ledger items of events/ must outlive the test (see the module doc).
        let template = Template::load(STACK);
        let default_ttl: i64 = template.parameter("LedgerTtlDays").and_then(|v| v.parse().ok()).unwrap_or(14);
        let oldest = payloads
            .iter()
            .flat_map(|(_, p)| {
                ingest::ingest(&IngestConfig::default(), &p.to_string(), Utc::now()).ledger_entries
            })
            .map(|e| e.timestamp)
            .min()
            .unwrap_or_else(Utc::now);
        let ttl_days = default_ttl.max((Utc::now() - oldest).num_days() + 2).min(365);
        let template = template
            .with_parameter("MetricsSink", "api")
            .with_parameter("PauseOnAlarm", "true")
            .with_parameter("ReportSender", REPORT_SENDER)
            .with_parameter("ReportRecipients", REPORT_RECIPIENTS.join(","))
            .with_parameter("LedgerTtlDays", ttl_days.to_string())
            .with_resource_name("LedgerTable", LEDGER_TABLE)
            .with_resource_name("ReportConfigurationSet", REPORT_SET);
        let endpoint = emu.endpoint_url();
        let ses_events_def = template.function("ses-events");
        let suppressor_def = template.function("alarm-suppressor");
        let reporter_def = template.function("rate-reporter");
        assert_eq!(ses_events_def.env.get("METRICS_SINK").map(String::as_str), Some("api"));
        assert_eq!(ses_events_def.env.get("LEDGER_TABLE").map(String::as_str), Some(LEDGER_TABLE));
        let ses_events =
            LambdaFunction::start(&ses_events_def, &[("AWS_ENDPOINT_URL", endpoint.clone())]).await;
        let suppressor = LambdaFunction::start(
            &suppressor_def,
            &[("AWS_ENDPOINT_URL", endpoint.clone()), ("AWS_ENDPOINT_URL_SESV2", proxy.endpoint_url())],
        )
        .await;
        let reporter = LambdaFunction::start(&reporter_def, &[("AWS_ENDPOINT_URL", endpoint.clone())]).await;
        let icfg = IngestConfig::from_map(&env_map(&ses_events_def.env)).expect("ses-events configuration");
        let config_set =
            template.parameter("ConfigurationSetName").expect("ConfigurationSetName").to_string();
        let dynamo = create_ledger_table(&sdk, LEDGER_TABLE).await;
        let alarms = AlarmQueue::new(&sdk, ALARM_TOPIC, ALARM_QUEUE).await;
        create_ses_resources(&sdk, &[&config_set, REPORT_SET], REPORT_SENDER).await;
        World {
            emu,
            cw: aws_sdk_cloudwatch::Client::new(&sdk),
            sesv2: aws_sdk_sesv2::Client::new(&sdk),
            sdk,
            proxy,
            template,
            ses_events,
            suppressor,
            reporter,
            reporter_def,
            icfg,
            config_set,
            ttl_days,
            payloads,
            dynamo,
            alarms,
        }
    }
}

/// Step 2's burst: the template's hard-bounce alarm and the messages that cross it.
struct Burst {
    alarm: HardBounceAlarm,
    /// The domain that goes bad (the alarm's, or [`BURST_DOMAIN`] for an account-wide alarm).
    domain: String,
    /// How many of the [`BURST_SENDS`] hard-bounce.
    hard: usize,
    burst_time: DateTime<Utc>,
    /// The SNS messages of the burst.
    burst: Vec<String>,
    /// The addresses that hard-bounce.
    bounced: BTreeSet<String>,
}

impl Burst {
    fn new(w: &World<'_>) -> Self {
        let alarm = HardBounceAlarm::from_template(
            &w.template.clone().with_resource_name("AlarmTopic", &w.alarms.topic_arn),
        );
        let domain = alarm.domain.clone().unwrap_or_else(|| BURST_DOMAIN.to_string());
        let hard = BURST_SENDS / 5;
        let burst_time = Utc::now();
        let burst = burst_messages(&domain, BURST_SENDS, hard, burst_time);
        let bounced = (BURST_SENDS - hard..BURST_SENDS).map(|i| format!("user{i}@{domain}")).collect();
        Self { alarm, domain, hard, burst_time, burst, bounced }
    }
}

/// Step 1: every payload in events/ through ses-events; each answer equals what `ingest` computes for it.
async fn every_payload_through_ses_events(w: &World<'_>) -> Step1 {
    let World { ses_events, icfg, payloads, .. } = w;
    let mut batches = Vec::new();
    let mut ledger: BTreeMap<(String, String), LedgerEntry> = BTreeMap::new();
    for (file, payload) in payloads {
        let now = Utc::now();
        let text = payload.to_string();
        let want = ingest::ingest(icfg, &text, now);
        let got = ses_events.invoke(payload).await.unwrap_or_else(|e| panic!("{file}: {e}"));
        let summary = serde_json::to_value(&want.summary).expect("summary JSON");
        for k in [
            "events",
            "recipients",
            "skipped",
            "skip_reasons",
            "by_type",
            "clamped_timestamps",
            "unusable_latencies",
        ] {
            assert_eq!(got[k], summary[k], "{file}: `{k}` differs from ingest's\n{got}");
        }
        assert_eq!(
            got.get("batchItemFailures"),
            summary.get("batchItemFailures"),
            "{file}: batchItemFailures\n{got}"
        );
        let d = datums(&want.batch);
        let m = &got["metrics"];
        assert_eq!(m["sink"], "api", "{file}: {got}");
        assert_eq!(m["namespace"], icfg.namespace.as_str(), "{file}");
        assert_eq!(m["series"], want.batch.series.len(), "{file}: series\n{got}");
        assert_eq!(m["datums"], d.len(), "{file}: datums\n{got}");
        assert_eq!(m["requests"], plan_requests(d).len(), "{file}: PutMetricData requests\n{got}");
        assert_eq!(m["totals"], json!(want.batch.totals().into_iter().collect::<BTreeMap<_, _>>()));
        // The first write of a key stays (the put is conditional): later ones are duplicates.
        let mut new = 0;
        for e in &want.ledger_entries {
            if let std::collections::btree_map::Entry::Vacant(v) =
                ledger.entry((partition_key(&e.dimension), sort_key(e)))
            {
                v.insert(e.clone());
                new += 1;
            }
        }
        assert_eq!(
            got["ledger"],
            json!({"written": new, "duplicates": want.ledger_entries.len() - new}),
            "{file}: ledger writes\n{got}"
        );
        // What events/README.md promises for the SQS samples.
        let expected_failures = match file.as_str() {
            "sqs-batch.json" => Some(json!([{"itemIdentifier": "15efcbf6-b831-4a29-b9d7-010c87cf771d"}])),
            "sqs-raw-batch.json" => Some(json!([])),
            "backfill.jsonl" => Some(json!([])),
            _ => None,
        };
        if let Some(f) = expected_failures {
            assert_eq!(got["batchItemFailures"], f, "{file}: batchItemFailures\n{got}");
        }
        if file == "sqs-raw-batch.json" {
            assert_eq!(got["skip_reasons"], json!({"ses_topic_validated_notice": 1}), "{file}: {got}");
        }
        if file == "backfill.jsonl" {
            assert_eq!(got["events"], 21, "{file}: {got}");
        }
        batches.push(want.batch);
    }
    let names: Vec<&str> = payloads.iter().map(|(f, _)| f.as_str()).collect();
    for f in ["sns-send.json", "sns-bounce-hard.json", "sqs-batch.json", "sqs-raw-batch.json"] {
        assert!(names.contains(&f), "events/{f} missing: {names:?}");
    }
    Step1 { batches, ledger }
}

/// Step 1c: the offender ledger in DynamoDB holds exactly the bounced and complaining recipients of events/.
async fn ledger_matches_events(w: &World<'_>, step1: &Step1) {
    let World { dynamo, .. } = w;
    let ttl_days = w.ttl_days;
    let now = Utc::now();
    let ttl = Duration::days(ttl_days);
    // Items past their TTL may already be gone (ministack sweeps them once a minute).
    let alive = |t: DateTime<Utc>| t + ttl > now + Duration::minutes(5);
    let items = scan_table(dynamo, LEDGER_TABLE).await;
    let mut got = BTreeMap::new();
    for item in &items {
        let e = from_item(item).unwrap_or_else(|e| panic!("{e}: {item:?}"));
        if alive(e.timestamp) {
            got.insert((partition_key(&e.dimension), sort_key(&e)), e);
        }
    }
    let want: BTreeMap<_, _> = step1
        .ledger
        .iter()
        .filter(|(_, e)| alive(e.timestamp))
        .map(|(k, e)| (k.clone(), e.clone()))
        .collect();
    assert!(!want.is_empty() || ttl_days == 365, "events/ has bounces and complaints");
    let who = |m: &BTreeMap<(String, String), LedgerEntry>| -> Vec<String> {
        m.values().map(|e| format!("{} {}", e.kind.as_str(), e.recipient)).collect()
    };
    assert_eq!(who(&got), who(&want), "the bounced and complaining recipients of events/");
    assert_eq!(got, want, "ledger items");
}

/// Step 2a: a burst of hard bounces at one domain through ses-events crosses the template's alarm; its notification arrives.
async fn burst_fires_the_alarm(w: &World<'_>, step1: &Step1, b: &Burst) -> (AlarmMessage, MetricBatch) {
    let World { ses_events, icfg, cw, alarms, .. } = w;
    let Burst { alarm, burst, .. } = b;
    let hard = b.hard;
    let burst_time = b.burst_time;
    let payload: Value =
        serde_json::from_str(&synth::sqs_lambda_event(burst, true, burst_time)).expect("SQS event");
    let want = ingest::ingest(icfg, &payload.to_string(), Utc::now());
    let burst_series_hard: u64 = series_sum(&want.batch, "HardBounce", |_| true);
    // Every hard bounce is published to {RecipientDomain}, {} and one series per tag
    // dimension; ministack's alarm sums them all.
    let rollups = 2 + icfg.tag_dimensions.len() as u64;
    assert_eq!(burst_series_hard, hard as u64 * rollups, "HardBounce series of the burst");
    let count = alarm.count_threshold(BURST_SENDS);
    assert!((hard as f64) > count, "the burst ({hard}) must cross the template's threshold ({count})");
    // ministack: every series of the metric in the window counts, step 1's too.
    let window_start =
        Utc::now() - Duration::seconds(alarm.period_s * alarm.evaluation_periods) - Duration::minutes(2);
    let prior: u64 = step1
        .batches
        .iter()
        .map(|b| series_sum(b, "HardBounce", |s| s.timestamp_ms >= window_start.timestamp_millis()))
        .sum();
    let threshold = rollups as f64 * count + prior as f64;
    eprintln!(
        "  alarm {}: template threshold {} → {count} hard bounces of {BURST_SENDS} sends; in \
         ministack's sum over {rollups} series with {prior} already in the window: {threshold}",
        alarm.name, alarm.threshold
    );
    assert_eq!(
        alarm.alarm_actions,
        [alarms.topic_arn.as_str()],
        "the template's alarm notifies the alarm topic"
    );
    assert_eq!(alarm.ok_actions, [alarms.topic_arn.as_str()], "… also when it is OK again");
    alarm.put(cw, threshold).await;
    // Whatever PutMetricAlarm's own evaluation sent (an OK when step 1's data is in the
    // window) is not the point here.
    let before = alarms.take(0).await;
    assert!(before.iter().all(|m| m.alarm["NewStateValue"] != "ALARM"), "ALARM before the burst: {before:?}");
    assert_ne!(alarm.state(cw).await, StateValue::Alarm);

    let got = ses_events.invoke(&payload).await.unwrap_or_else(|e| panic!("burst: {e}"));
    assert_eq!(got["events"], want.summary.events, "{got}");
    assert_eq!(got["by_type"], json!({"Send": BURST_SENDS, "Delivery": BURST_SENDS - hard, "Bounce": hard}));
    assert_eq!(got["batchItemFailures"], json!([]));
    assert_eq!(got["ledger"], json!({"written": hard, "duplicates": 0}));
    assert_eq!(got["metrics"]["totals"]["HardBounce"], hard);

    let deadline = Instant::now() + NOTIFICATION_TIMEOUT;
    let mut received = Vec::new();
    while !received.iter().any(|m: &AlarmMessage| m.alarm["NewStateValue"] == "ALARM")
        && Instant::now() < deadline
    {
        received.extend(alarms.take(1).await);
    }
    let fired: Vec<AlarmMessage> =
        received.into_iter().filter(|m| m.alarm["NewStateValue"] == "ALARM").collect();
    assert_eq!(fired.len(), 1, "one ALARM notification within {NOTIFICATION_TIMEOUT:?}: {fired:?}");
    assert_eq!(alarm.state(cw).await, StateValue::Alarm);
    let m = fired.into_iter().next().expect("one");
    assert_eq!(m.alarm["AlarmName"], alarm.name.as_str());
    assert_eq!(m.alarm["Trigger"]["MetricName"], "HardBounce");
    (m, want.batch)
}

/// Step 2b: ALARM → the bounced addresses on the suppression list, the configuration set paused under the alarm's holder tag.
async fn alarm_suppresses_and_pauses(
    w: &World<'_>,
    b: &Burst,
    alarm_message: &AlarmMessage,
    proxied_before: usize,
) {
    let World { proxy, suppressor, config_set, sesv2, dynamo, alarms, .. } = w;
    let Burst { alarm, bounced, .. } = b;
    let got = suppressor.invoke(&alarms.sqs_event(alarm_message)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got["alarms"].as_array().map(Vec::len), Some(1), "{got}");
    let a = &got["alarms"][0];
    assert_eq!(a["alarm"], alarm.name.as_str(), "{got}");
    assert_eq!(a["state"], "ALARM", "{got}");
    assert_eq!(a["action"], "suppressed", "{got}");
    assert_eq!(a["offenders"], json!({"HardBounce": bounced.len()}), "{got}");
    assert_eq!(a["suppressed"], json!({"BOUNCE": bounced.len()}), "{got}");
    assert_eq!((&a["left_over"], &a["failed"], &a["dry_run"]), (&json!(0), &json!(0), &json!(false)));
    assert_eq!(a["sending"], format!("paused:{config_set}"), "{got}");
    let domains: Vec<&str> = a
        .get("recipient_domains")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(domains, alarm.domain.as_deref().into_iter().collect::<Vec<_>>(), "{got}");

    // The suppression requests, as SES would have received them.
    let mut sent: Vec<(String, String)> = proxy
        .suppressions()
        .iter()
        .map(|b| {
            (b["EmailAddress"].as_str().unwrap_or("?").into(), b["Reason"].as_str().unwrap_or("?").into())
        })
        .collect();
    sent.sort();
    let want: Vec<(String, String)> = bounced.iter().map(|a| (a.clone(), "BOUNCE".to_string())).collect();
    assert_eq!(sent, want, "PutSuppressedDestination requests: each bounced address once, nobody else");
    // Its other SESv2 calls went through the proxy to the emulator, and succeeded.
    let others: Vec<_> =
        proxy.requests()[proxied_before..].iter().filter(|r| r.path != SUPPRESSION_PATH).cloned().collect();
    assert!(others.iter().all(|r| !r.answered_here && (200..300).contains(&r.status)), "{others:#?}");
    let paths: BTreeSet<String> = others.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    for p in [
        format!("GET /v2/email/configuration-sets/{config_set}"),
        format!("PUT /v2/email/configuration-sets/{config_set}/sending"),
        "POST /v2/email/tags".to_string(),
    ] {
        assert!(paths.contains(&p), "{p} not among {paths:?}");
    }

    // The ledger: the burst's items marked, step 1's untouched.
    let items = scan_table(dynamo, LEDGER_TABLE).await;
    let marked: BTreeSet<String> = items
        .iter()
        .filter(|i| i["pk"].as_s().is_ok_and(|pk| pk.starts_with("D#")))
        .map(|i| from_item(i).expect("ledger item"))
        .filter(|e| e.suppressed_at.is_some())
        .map(|e| e.recipient)
        .collect();
    assert_eq!(&marked, bounced, "ledger items marked suppressed");

    let (enabled, paused_by) = sending_state(sesv2, config_set).await;
    assert!(!enabled, "sending paused");
    assert_eq!(paused_by, std::slice::from_ref(&alarm.name), "the alarm's holder tag");
}

/// Step 2c: the same notification again, as SNS delivers it → nothing new.
async fn same_notification_again(w: &World<'_>, alarm_message: &AlarmMessage) {
    let World { proxy, suppressor, config_set, alarms, .. } = w;
    let n = proxy.suppressions().len();
    let got = suppressor.invoke(&alarms.sns_event(alarm_message)).await.unwrap_or_else(|e| panic!("{e}"));
    let a = &got["alarms"][0];
    assert_eq!(a["action"], "suppressed", "{got}");
    assert_eq!(a["suppressed"], json!({}), "{got}");
    assert_eq!(a["sending"], format!("already_paused:{config_set}"), "{got}");
    assert_eq!(proxy.suppressions().len(), n, "no suppression request");
}

/// Step 2d: OK → sending resumed, the holder tag removed.
async fn ok_resumes_sending(w: &World<'_>, b: &Burst) {
    let World { suppressor, config_set, cw, sesv2, alarms, .. } = w;
    let Burst { alarm, .. } = b;
    cw.set_alarm_state()
        .alarm_name(&alarm.name)
        .state_value(StateValue::Ok)
        .state_reason("e2e: bounces stopped")
        .send()
        .await
        .expect("SetAlarmState");
    let deadline = Instant::now() + NOTIFICATION_TIMEOUT;
    let mut ok = Vec::new();
    while ok.is_empty() && Instant::now() < deadline {
        ok.extend(alarms.take(1).await.into_iter().filter(|m| m.alarm["NewStateValue"] == "OK"));
    }
    assert_eq!(ok.len(), 1, "one OK notification: {ok:?}");
    let got = suppressor.invoke(&alarms.sqs_event(&ok[0])).await.unwrap_or_else(|e| panic!("{e}"));
    let a = &got["alarms"][0];
    assert_eq!((&a["state"], &a["action"]), (&json!("OK"), &json!("no_action_for_state")), "{got}");
    assert_eq!(a["sending"], format!("resumed:{config_set}"), "{got}");
    assert_eq!(sending_state(sesv2, config_set).await, (true, vec![]), "sending on, tag removed");
}

/// Step 2e: an SES sending-status event through the alarm topic is journaled with the other actions.
async fn sending_status_is_journaled(w: &World<'_>) {
    let World { sdk, suppressor, dynamo, alarms, .. } = w;
    // As the template's rule delivers it: the EventBridge event as the SNS message.
    let event = json!({"version": "0", "id": "e2e-status-1", "detail-type": "Sending Status Disabled",
        "source": "aws.ses", "account": ses_monitor_tests::ACCOUNT_ID, "time": Utc::now().to_rfc3339(),
        "region": ses_monitor_tests::REGION,
        "resources": [format!("arn:aws:ses:{}:{}:tenant/e2e/tn-1", ses_monitor_tests::REGION, ses_monitor_tests::ACCOUNT_ID)],
        "detail": {"version": "1.0.0", "data": {"origin": "AWS_MANAGED",
            "record": {"status": "DISABLED", "cause": "e2e"}}}});
    aws_sdk_sns::Client::new(sdk)
        .publish()
        .topic_arn(&alarms.topic_arn)
        .message(event.to_string())
        .send()
        .await
        .expect("Publish");
    let got = alarms.take(5).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let out = suppressor.invoke(&alarms.sqs_event(&got[0])).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["skipped"], 0, "{out}");
    assert_eq!(out["sending_status"][0]["status"], "DISABLED", "{out}");
    let journal = ses_monitor::store::DynamoStore::new(dynamo.clone(), LEDGER_TABLE);
    let entries = ses_monitor::store::Journal::entries(
        &journal,
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::minutes(5),
    )
    .await
    .expect("journal");
    let kinds: BTreeSet<&str> = entries.iter().map(|e| e.event.kind()).collect();
    for k in ["alarm", "paused", "suppressed", "resumed", "sending_status"] {
        assert!(kinds.contains(k), "the journal has {k}: {entries:?}");
    }
}

/// Step 2f: the scheduled sweep → nothing pending, nothing to change.
async fn sweep_finds_nothing(w: &World<'_>) {
    let World { suppressor, config_set, .. } = w;
    let sweep = json!({"version": "0", "id": "e2e-sweep", "detail-type": "Scheduled Event",
    "source": "aws.events", "time": Utc::now().to_rfc3339(), "detail": {}});
    let out = suppressor.invoke(&sweep).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out["sweep"]["pending"], 0, "{out}");
    assert_eq!(out["sweep"]["sending"], format!("not_paused:{config_set}"), "{out}");
}

/// Step 3: rate-reporter reports the burst's day: its numbers are what was sent in, and the email reached SES.
async fn report_of_the_burst_day(w: &World<'_>, step1: &Step1, b: &Burst, burst_batch: &MetricBatch) {
    let World { emu, reporter, reporter_def, icfg, .. } = w;
    let Burst { domain, .. } = b;
    let hard = b.hard;
    let burst_time = b.burst_time;
    let day = burst_time.date_naive();
    let got = reporter
        .invoke(&json!({"date": day.format("%Y-%m-%d").to_string()}))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report = &got["report"];
    let (start, end) = (day_start(day), day_start(day) + Duration::days(1));
    assert_eq!(report["start"], start.to_rfc3339_opts(SecondsFormat::Secs, true), "{report}");
    // What was sent in, per domain, in the window (step 1's events count when they were
    // published at the invocation time).
    let all: Vec<&MetricBatch> = step1.batches.iter().chain([burst_batch]).collect();
    let expected = domain_counts(&all, start, end);
    let rows = report["domains"].as_array().expect("domains");
    for row in rows.iter().filter(|r| r.get("folded").is_none()) {
        let d = row["domain"].as_str().expect("domain");
        let want = expected.get(d).copied().unwrap_or_default();
        assert_eq!(row["counts"], serde_json::to_value(want).unwrap(), "counts of {d}\n{report}");
    }
    let mut total = Counts::default();
    expected.values().for_each(|c| total.add(c));
    assert_eq!(report["total"]["counts"], serde_json::to_value(total).unwrap(), "total\n{report}");
    // A row is a RecipientDomain value: with the defaults, the domain's provider.
    let value = icfg.domains.classify(domain).into_owned();
    let burst_row = rows
        .iter()
        .find(|r| r["domain"] == value.as_str())
        .unwrap_or_else(|| panic!("{domain} ({value}) row: {report}"));
    let c = &burst_row["counts"];
    assert_eq!(
        (&c["sends"], &c["deliveries"], &c["hard_bounces"]),
        (&json!(BURST_SENDS as f64), &json!((BURST_SENDS - hard) as f64), &json!(hard as f64))
    );
    // `Bounce` per domain is there only when DOMAIN_METRICS publishes it (not by default).
    let bounces = if icfg.domain_metrics.contains("Bounce") { hard as f64 } else { 0.0 };
    assert_eq!(c["bounces"], json!(bounces));
    let rcfg =
        ReporterConfig::from_lookup(|k| reporter_def.env.get(k).cloned()).expect("reporter configuration");
    let status = Row::new(&value, expected[&value], None, &rcfg.thresholds).status;
    assert_eq!(burst_row["status"], serde_json::to_value(status).unwrap(), "{burst_row}");
    assert_ne!(burst_row["status"], "OK", "a fifth of the mail hard-bounced");
    assert_eq!(rows[0]["domain"], value.as_str(), "the riskiest domain first");

    // The email.
    assert_eq!(got["email"]["sent"], true, "{got}");
    assert_eq!(got["email"]["recipients"], REPORT_RECIPIENTS.len());
    let sent = emu.sent_emails();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m["Source"], REPORT_SENDER);
    assert_eq!(m["To"], json!(REPORT_RECIPIENTS));
    assert_eq!(m["Subject"], got["email"]["subject"]);
    for part in ["BodyHtml", "BodyText"] {
        assert!(m[part].as_str().is_some_and(|b| b.contains(value.as_str())), "{part} names {value}");
    }
}

/// What step 1 leaves for the next ones.
struct Step1 {
    /// What ses-events aggregated from each file, as computed here.
    batches: Vec<MetricBatch>,
    /// The ledger items those files give, by key.
    ledger: BTreeMap<(String, String), LedgerEntry>,
}

/// Every ses-events payload in events/ (not events/alarms/), by file name: the `.json` files as
/// they are, `.jsonl` files as an SQS batch of their lines (raw message delivery).
fn event_payloads(now: DateTime<Utc>) -> Vec<(String, Value)> {
    let dir = repo_root().join("events");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for p in files {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let payload = if name.ends_with(".json") {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
        } else if name.ends_with(".jsonl") {
            let lines: Vec<String> =
                text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect();
            serde_json::from_str(&synth::sqs_lambda_event(&lines, true, now)).expect("SQS event")
        } else {
            continue;
        };
        out.push((name, payload));
    }
    out
}

/// Sum of a count metric over the series `keep` selects.
fn series_sum(
    batch: &MetricBatch,
    metric: &str,
    keep: impl Fn(&ses_monitor::metrics::Series) -> bool,
) -> u64 {
    batch
        .series
        .iter()
        .filter(|s| keep(s))
        .flat_map(|s| s.counts.iter())
        .filter(|(m, _)| *m == metric)
        .map(|(_, v)| v)
        .sum()
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()
}

/// Counts per `RecipientDomain` value of the series in `[start, end)`, as the report adds them.
fn domain_counts(
    batches: &[&MetricBatch],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> BTreeMap<String, Counts> {
    let mut sums: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for b in batches {
        for s in &b.series {
            let in_window = (start.timestamp_millis()..end.timestamp_millis()).contains(&s.timestamp_ms);
            let Some((_, d)) = s.dimensions.iter().find(|(k, _)| k == RECIPIENT_DOMAIN) else { continue };
            if !in_window {
                continue;
            }
            for (m, v) in &s.counts {
                *sums.entry(d.clone()).or_default().entry(m).or_default() += v;
            }
        }
    }
    sums.into_iter()
        .map(|(d, ms)| {
            let mut c = Counts::default();
            for (m, v) in ms {
                c.set(m, v as f64);
            }
            (d, c)
        })
        .collect()
}

/// `n` sends to `user<i>@domain`; the first `n - hard` delivered, the last `hard` hard-bounced,
/// each feedback event with its send's message id.
fn burst_messages(domain: &str, n: usize, hard: usize, time: DateTime<Utc>) -> Vec<String> {
    // All at `time`, so that the burst falls in one minute and one day whenever the test runs.
    // (A Send has no time of its own: it counts at `mail.timestamp`, which synth puts 2 s before
    // the spec's time.)
    let spec = |kind, i: usize| EventSpec {
        kind,
        recipient: format!("user{i}@{domain}"),
        time: if kind == EventKind::Send { time + Duration::seconds(2) } else { time },
        hard_bounce: true,
        email_type: "newsletter",
        campaign: "e2e-burst".into(),
        latency_ms: 900 + i as u64,
        seq: 900_000 + i as u64,
    };
    let mut out: Vec<String> = (0..n).map(|i| synth::ses_json(&spec(EventKind::Send, i))).collect();
    for i in 0..n {
        let kind = if i < n - hard { EventKind::Delivery } else { EventKind::Bounce };
        out.push(synth::ses_json(&spec(kind, i)));
    }
    out
}

// --- CloudWatch read-back ---------------------------------------------------------------------

/// Compares what CloudWatch (ministack) holds with the batches: the metric list, each
/// dimensioned series' sum (and the latency distribution's count, minimum and maximum), and the
/// totals. ministack answers a query without dimensions with the sum of *every* series of the
/// metric, so the totals series is that minus the dimensioned ones.
async fn check_metrics(cw: &aws_sdk_cloudwatch::Client, namespace: &str, batches: &[MetricBatch]) {
    type Key = (String, Vec<(String, String)>);
    let mut sums: BTreeMap<Key, u64> = BTreeMap::new();
    let mut latency: BTreeMap<Key, (u64, u64, u64)> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for b in batches {
        for s in &b.series {
            first = first.min(s.timestamp_ms);
            last = last.max(s.timestamp_ms);
            for (m, v) in &s.counts {
                *sums.entry((m.to_string(), s.dimensions.clone())).or_default() += v;
            }
            for (v, n) in &s.latency {
                let e = latency.entry((DELIVERY_LATENCY.into(), s.dimensions.clone())).or_insert((
                    0,
                    u64::MAX,
                    0,
                ));
                *e = (e.0 + n, e.1.min(*v), e.2.max(*v));
            }
        }
    }
    assert!(first <= last, "events/ gave metrics");

    // The list of metrics: exactly the series published.
    let mut listed = BTreeSet::new();
    let mut token = None;
    loop {
        let page =
            cw.list_metrics().namespace(namespace).set_next_token(token).send().await.unwrap_or_else(|e| {
                panic!("ListMetrics: {}", aws_sdk_cloudwatch::error::DisplayErrorContext(&e))
            });
        for m in page.metrics() {
            let mut dims: Vec<(String, String)> = m
                .dimensions()
                .iter()
                .map(|d| {
                    (d.name().unwrap_or_default().to_string(), d.value().unwrap_or_default().to_string())
                })
                .collect();
            dims.sort();
            listed.insert((m.metric_name().unwrap_or_default().to_string(), dims));
        }
        match page.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    let expected: BTreeSet<Key> = sums.keys().chain(latency.keys()).cloned().collect();
    assert_eq!(listed, expected, "ListMetrics: the series published");
    let domains = cw
        .list_metrics()
        .namespace(namespace)
        .dimensions(DimensionFilter::builder().name(RECIPIENT_DOMAIN).build())
        .send()
        .await
        .expect("ListMetrics by RecipientDomain");
    assert!(!domains.metrics().is_empty());

    let start = DateTime::from_timestamp_millis(first).expect("time") - Duration::minutes(1);
    let end = DateTime::from_timestamp_millis(last).expect("time") + Duration::minutes(3);
    let period = (((end - start).num_seconds() + 59) / 60 * 60) as i32;
    let stats = |metric: String, dims: Vec<(String, String)>, stat: Vec<Statistic>| {
        let dims: Vec<Dimension> =
            dims.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect();
        cw.get_metric_statistics()
            .namespace(namespace)
            .metric_name(metric)
            .set_dimensions(Some(dims))
            .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
            .period(period)
            .set_statistics(Some(stat))
            .send()
    };
    let mut dimensioned: BTreeMap<String, f64> = BTreeMap::new();
    for ((metric, dims), want) in &sums {
        if dims.is_empty() {
            continue;
        }
        let out =
            stats(metric.clone(), dims.clone(), vec![Statistic::Sum]).await.expect("GetMetricStatistics");
        let got: f64 = out.datapoints().iter().filter_map(|d| d.sum()).sum();
        assert_eq!(got, *want as f64, "{metric} {dims:?}: {:?}", out.datapoints());
        *dimensioned.entry(metric.clone()).or_default() += got;
    }
    for metric in COUNT_METRICS {
        let want = sums.get(&(metric.to_string(), Vec::new())).copied().unwrap_or(0) as f64;
        let out =
            stats(metric.to_string(), Vec::new(), vec![Statistic::Sum]).await.expect("GetMetricStatistics");
        let all: f64 = out.datapoints().iter().filter_map(|d| d.sum()).sum();
        let totals = all - dimensioned.get(metric).copied().unwrap_or(0.0);
        assert_eq!(
            totals, want,
            "{metric} totals series (ministack's no-dimension sum {all} minus the dimensioned series)"
        );
    }
    for ((metric, dims), (count, min, max)) in &latency {
        if dims.is_empty() {
            continue;
        }
        let out = stats(
            metric.clone(),
            dims.clone(),
            vec![Statistic::SampleCount, Statistic::Minimum, Statistic::Maximum],
        )
        .await
        .expect("GetMetricStatistics");
        let dp = out.datapoints();
        let got_count: f64 = dp.iter().filter_map(|d| d.sample_count()).sum();
        let got_min = dp.iter().filter_map(|d| d.minimum()).fold(f64::INFINITY, f64::min);
        let got_max = dp.iter().filter_map(|d| d.maximum()).fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(
            (got_count, got_min, got_max),
            (*count as f64, *min as f64, *max as f64),
            "{metric} {dims:?}: {dp:?}"
        );
    }
}

// --- the alarm --------------------------------------------------------------------------------

/// The template's hard-bounce alarm, as ministack can evaluate it (see the module doc).
struct HardBounceAlarm {
    name: String,
    description: Option<String>,
    namespace: String,
    period_s: i64,
    evaluation_periods: i64,
    comparison: String,
    treat_missing_data: Option<String>,
    dimensions: Vec<(String, String)>,
    /// Its `RecipientDomain` dimension, if it is a per-domain alarm.
    domain: Option<String>,
    /// The template's threshold: a rate of hard bounces to sends (metric math), or a count.
    threshold: f64,
    is_rate: bool,
    /// Its actions (the alarm topic, as the template wires it).
    alarm_actions: Vec<String>,
    ok_actions: Vec<String>,
}

impl HardBounceAlarm {
    /// The first alarm of the template on the `HardBounce` metric (directly or in metric math).
    fn from_template(t: &Template) -> Self {
        let (id, res) = t
            .resources_of_type("AWS::CloudWatch::Alarm")
            .into_iter()
            .find(|(_, r)| r.to_string().contains("\"HardBounce\""))
            .expect("template.yaml has a hard-bounce alarm");
        let mut p = serde_json::Map::new();
        for k in [
            "AlarmName",
            "AlarmDescription",
            "Namespace",
            "MetricName",
            "Dimensions",
            "Period",
            "Statistic",
            "Metrics",
            "EvaluationPeriods",
            "ComparisonOperator",
            "TreatMissingData",
            "Threshold",
            "AlarmActions",
            "OKActions",
        ] {
            if let Some(v) = res["Properties"].get(k) {
                p.insert(k.into(), t.eval(v).unwrap_or_else(|e| panic!("{id}.{k}: {e}")));
            }
        }
        let p = Value::Object(p);
        let num = |v: &Value| v.as_f64().or_else(|| v.as_str()?.parse().ok());
        let (metric, is_rate) = match p["Metrics"].as_array() {
            Some(ms) => {
                let m = ms
                    .iter()
                    .find(|m| m["MetricStat"]["Metric"]["MetricName"] == "HardBounce")
                    .unwrap_or_else(|| panic!("{id}: no HardBounce in its metrics"));
                let period = &m["MetricStat"]["Period"];
                (
                    json!({"Metric": m["MetricStat"]["Metric"], "Period": period, "Stat": m["MetricStat"]["Stat"]}),
                    true,
                )
            }
            None => (
                json!({"Metric": {"Namespace": p["Namespace"], "MetricName": p["MetricName"], "Dimensions": p["Dimensions"]}, "Period": p["Period"], "Stat": p["Statistic"]}),
                false,
            ),
        };
        assert_eq!(metric["Stat"], "Sum", "{id}: the hard-bounce count is a Sum");
        let dimensions: Vec<(String, String)> = metric["Metric"]["Dimensions"]
            .as_array()
            .map(|ds| {
                ds.iter()
                    .map(|d| {
                        (
                            d["Name"].as_str().unwrap_or_default().into(),
                            d["Value"].as_str().unwrap_or_default().into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let actions = |k: &str| -> Vec<String> {
            p[k].as_array()
                .map(|l| l.iter().filter_map(|a| a.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        Self {
            alarm_actions: actions("AlarmActions"),
            ok_actions: actions("OKActions"),
            name: p["AlarmName"].as_str().unwrap_or_else(|| panic!("{id}: AlarmName")).into(),
            description: p["AlarmDescription"].as_str().map(str::to_string),
            namespace: metric["Metric"]["Namespace"].as_str().expect("namespace").into(),
            period_s: num(&metric["Period"]).expect("period") as i64,
            evaluation_periods: num(&p["EvaluationPeriods"]).expect("EvaluationPeriods") as i64,
            comparison: p["ComparisonOperator"].as_str().expect("ComparisonOperator").into(),
            treat_missing_data: p["TreatMissingData"].as_str().map(str::to_string),
            domain: dimensions.iter().find(|(k, _)| k == RECIPIENT_DOMAIN).map(|(_, v)| v.clone()),
            dimensions,
            threshold: num(&p["Threshold"]).expect("Threshold"),
            is_rate,
        }
    }

    /// Hard bounces among `sends` above which it fires.
    fn count_threshold(&self, sends: usize) -> f64 {
        if self.is_rate { self.threshold * sends as f64 } else { self.threshold }
    }

    async fn put(&self, cw: &aws_sdk_cloudwatch::Client, threshold: f64) {
        cw.put_metric_alarm()
            .alarm_name(&self.name)
            .set_alarm_description(self.description.clone())
            .namespace(&self.namespace)
            .metric_name("HardBounce")
            .statistic(Statistic::Sum)
            .period(self.period_s as i32)
            .evaluation_periods(self.evaluation_periods as i32)
            .threshold(threshold)
            .comparison_operator(ComparisonOperator::from(self.comparison.as_str()))
            .set_treat_missing_data(self.treat_missing_data.clone())
            .set_dimensions(Some(
                self.dimensions.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect(),
            ))
            .set_alarm_actions(Some(self.alarm_actions.clone()))
            .set_ok_actions(Some(self.ok_actions.clone()))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("PutMetricAlarm: {}", aws_sdk_cloudwatch::error::DisplayErrorContext(&e))
            });
    }

    async fn state(&self, cw: &aws_sdk_cloudwatch::Client) -> StateValue {
        let out = cw.describe_alarms().alarm_names(&self.name).send().await.expect("DescribeAlarms");
        out.metric_alarms().first().and_then(|a| a.state_value().cloned()).expect("the alarm exists")
    }
}

/// Whether sending is enabled on the configuration set, and the alarms its holder tags name.
async fn sending_state(sesv2: &aws_sdk_sesv2::Client, set: &str) -> (bool, Vec<String>) {
    let out =
        sesv2.get_configuration_set().configuration_set_name(set).send().await.expect("GetConfigurationSet");
    let enabled = out.sending_options().is_none_or(|o| o.sending_enabled());
    (enabled, ses_monitor::sesv2::holders_from_tags(out.tags().iter().map(|t| (t.key(), t.value()))))
}
