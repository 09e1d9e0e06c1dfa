//! alarm-suppressor's SESv2 calls at the wire level, without an emulator (none implements the
//! account suppression list): the real `suppress::handle`, a real `SesV2` on an
//! `aws_sdk_sesv2::Client` built like production's, and the SDK's own `StaticReplayClient` as its
//! HTTP layer. The replay client records every request the SDK serialized (after signing and
//! retries) and answers each with the next canned HTTP response, so the tests check the exact
//! method, path and JSON body, and the SDK's real deserializer, error classification and
//! standard retry strategy decide what a throttling answer does.

use std::collections::BTreeMap;

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use ses_monitor::alarm::AlarmState;
use ses_monitor::alarm::states::MemoryAlarms;
use ses_monitor::ledger::{Ledger, LedgerEntry, MemoryLedger, Offence};
use ses_monitor::sesv2::{SesV2, holder_tag_key};
use ses_monitor::store::MemoryStore;
use ses_monitor::suppress::{self, Deps, SuppressError, SuppressorConfig, SuppressorResult};
use ses_monitor_tests::fast_retry_loader;

/// Where SESv2 lives in the test region.
const ENDPOINT: &str = "https://email.us-east-1.amazonaws.com";
const MAX_ATTEMPTS: u32 = 3;
const ACCOUNT: &str = "123456789012";
const ALARM_NAME: &str = "ses-monitor-hard-bounces-gmail";
/// The alarm went off at 09:45 (one 5-minute period, so the 60-minute minimum look-back wins:
/// the window is 08:45–09:46, with a minute of grace); the function runs at 10:00.
const STATE_CHANGE: &str = "2026-11-27T09:45:00.000+0000";
const NOW: &str = "2026-11-27T10:00:00Z";
const SUPPRESSION_PATH: &str = "/v2/email/suppression/addresses";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 time")
}

// --- the wire ----------------------------------------------------------------------------------

/// One HTTP request as it went on the wire (or as a test expects it).
#[derive(Debug, Clone, PartialEq)]
struct Sent {
    method: String,
    /// Path and query.
    path: String,
    /// The JSON body; `None` when the body is empty.
    body: Option<Value>,
}

impl Sent {
    fn new(method: &str, path: impl Into<String>, body: Option<Value>) -> Self {
        Self { method: method.into(), path: path.into(), body }
    }

    /// The request in the form `StaticReplayClient` compares against (URI, content type, body).
    fn to_http(&self) -> HttpRequest {
        let body = self.body.as_ref().map_or_else(SdkBody::empty, |b| SdkBody::from(b.to_string()));
        let mut r = HttpRequest::new(body);
        r.set_method(&self.method).expect("valid method");
        r.set_uri(format!("{ENDPOINT}{}", self.path)).expect("valid URI");
        if self.body.is_some() {
            r.headers_mut().insert("content-type", "application/json");
        }
        r
    }
}

fn put_suppressed(address: &str, reason: &str) -> Sent {
    Sent::new("PUT", SUPPRESSION_PATH, Some(json!({"EmailAddress": address, "Reason": reason})))
}

/// A JSON response with status 200.
fn ok(body: Value) -> HttpResponse {
    let mut r =
        HttpResponse::new(StatusCode::try_from(200).expect("valid status"), SdkBody::from(body.to_string()));
    r.headers_mut().insert("content-type", "application/json");
    r.headers_mut().insert("x-amzn-requestid", "9e5b7a51-0000-0000-0000-000000000000");
    r
}

/// SES throttling, as its REST-JSON protocol sends it: the error code in `x-amzn-errortype`.
fn throttled() -> HttpResponse {
    let mut r = HttpResponse::new(
        StatusCode::try_from(429).expect("valid status"),
        SdkBody::from(r#"{"message":"Rate exceeded"}"#),
    );
    r.headers_mut().insert("content-type", "application/json");
    r.headers_mut().insert("x-amzn-errortype", "TooManyRequestsException");
    r.headers_mut().insert("x-amzn-requestid", "3bd8d5a4-0000-0000-0000-000000000000");
    r
}

/// The replay client and the requests the test expects it to see.
struct Wire {
    replay: StaticReplayClient,
    expected: Vec<Sent>,
}

impl Wire {
    /// `SesV2` on a client built like production's (`aws_config::defaults`, `Client::new`) with
    /// the replay client as its HTTP layer (it answers the n-th request with the n-th response,
    /// whatever the request) and a retry configuration with a tiny backoff.
    async fn new(exchanges: Vec<(Sent, HttpResponse)>) -> (SesV2, Self) {
        let expected: Vec<Sent> = exchanges.iter().map(|(s, _)| s.clone()).collect();
        let replay = StaticReplayClient::new(
            exchanges.into_iter().map(|(s, r)| ReplayEvent::new(s.to_http(), r)).collect(),
        );
        let sdk = fast_retry_loader(MAX_ATTEMPTS).http_client(replay.clone()).load().await;
        (SesV2::new(aws_sdk_sesv2::Client::new(&sdk)), Self { replay, expected })
    }

    /// Every request sent, in order.
    fn sent(&self) -> Vec<Sent> {
        self.replay
            .actual_requests()
            .map(|r| {
                let uri = r.uri();
                let path =
                    uri.strip_prefix(ENDPOINT).unwrap_or_else(|| panic!("request to {uri}, not SESv2"));
                let bytes = r.body().bytes().expect("an in-memory body");
                let body = if bytes.is_empty() {
                    None
                } else {
                    assert_eq!(r.headers().get("content-type"), Some("application/json"), "{uri}");
                    Some(serde_json::from_slice(bytes).expect("a JSON body"))
                };
                Sent::new(r.method(), path, body)
            })
            .collect()
    }

    /// Exactly the expected requests were sent, in order, and every response was used; then the
    /// SDK's own check of the same (URI, content type, JSON body).
    #[track_caller]
    fn assert_all_sent(&self) {
        assert_eq!(self.sent(), self.expected);
        self.replay.assert_requests_match(&[]);
    }

    /// The body of every request, byte for byte.
    fn raw_bodies(&self) -> Vec<String> {
        self.replay
            .actual_requests()
            .map(|r| String::from_utf8(r.body().bytes().unwrap_or_default().to_vec()).expect("UTF-8"))
            .collect()
    }

    /// `amz-sdk-request` of every request: `attempt=N; max=M`.
    fn attempts(&self) -> Vec<String> {
        self.replay
            .actual_requests()
            .map(|r| r.headers().get("amz-sdk-request").unwrap_or_default().to_string())
            .collect()
    }
}

// --- the invocation ----------------------------------------------------------------------------

fn config(pairs: &[(&str, &str)]) -> SuppressorConfig {
    let map: BTreeMap<&str, &str> =
        [("LEDGER_TABLE", "ledger")].into_iter().chain(pairs.iter().copied()).collect();
    SuppressorConfig::from_lookup(|k| map.get(k).map(|v| v.to_string())).expect("valid configuration")
}

/// A CloudWatch alarm on `Custom/SES` HardBounce for RecipientDomain=gmail.com, as SNS delivers
/// it to the function.
fn sns_alarm(state: &str) -> String {
    let (old, subject) = match state {
        "ALARM" => ("OK", format!("ALARM: \"{ALARM_NAME}\" in US East (N. Virginia)")),
        _ => ("ALARM", format!("OK: \"{ALARM_NAME}\" in US East (N. Virginia)")),
    };
    let topic = format!("arn:aws:sns:us-east-1:{ACCOUNT}:ses-monitor-alarms");
    let alarm = json!({
        "AlarmName": ALARM_NAME,
        "AlarmDescription": "ses-monitor: hard bounces at one mailbox provider",
        "AWSAccountId": ACCOUNT,
        "AlarmConfigurationUpdatedTimestamp": "2026-11-20T08:00:00.000+0000",
        "NewStateValue": state,
        "NewStateReason": "Threshold Crossed: 1 out of the last 1 datapoints [12.0 (27/11/26 09:40:00)] was greater than the threshold (5.0).",
        "StateChangeTime": STATE_CHANGE,
        "Region": "US East (N. Virginia)",
        "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{ALARM_NAME}"),
        "OldStateValue": old,
        "OKActions": [topic],
        "AlarmActions": [topic],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "HardBounce",
            "Namespace": "Custom/SES",
            "StatisticType": "Statistic",
            "Statistic": "SUM",
            "Unit": null,
            "Dimensions": [{"value": "gmail.com", "name": "RecipientDomain"}],
            "Period": 300,
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 5.0,
            "TreatMissingData": "notBreaching",
            "EvaluateLowSampleCountPercentile": ""
        }
    });
    json!({"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": format!("{topic}:7c0d1b52-8f0e-4a57-9d6f-3b1f2d0c4e9a"),
        "Sns": {
            "Type": "Notification",
            "MessageId": "4f1e0c8a-5b7d-4c1e-9f2a-0d3e6b8c7a01",
            "TopicArn": topic,
            "Subject": subject,
            "Message": alarm.to_string(),
            "Timestamp": "2026-11-27T09:45:00.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "EXAMPLE",
            "UnsubscribeUrl": "EXAMPLE",
            "MessageAttributes": {}
        }
    }]})
    .to_string()
}

/// alarm-suppressor on an SNS notification of `state`, with the alarm in that state in
/// CloudWatch (in memory: DescribeAlarms is not what these tests look at).
async fn invoke(
    cfg: &SuppressorConfig,
    ledger: &MemoryLedger,
    ses: &SesV2,
    state: &str,
) -> Result<SuppressorResult, SuppressError> {
    let alarms = MemoryAlarms::default();
    alarms.set(ALARM_NAME, AlarmState::parse(state));
    alarms.alarms.lock().expect("not poisoned").get_mut(ALARM_NAME).expect("set").account =
        Some(ACCOUNT.into());
    let store = MemoryStore::default();
    let deps = Deps {
        ledger,
        list: ses,
        sending: ses,
        alarms: &alarms,
        store: &store,
        partition: "aws",
        region: "us-east-1",
    };
    suppress::handle(cfg, &deps, &sns_alarm(state), t(NOW)).await
}

// --- the ledger --------------------------------------------------------------------------------

fn entry(address: &str, kind: Offence, at: &str) -> LedgerEntry {
    let domain = address.split_once('@').expect("an address").1;
    LedgerEntry {
        recipient: address.into(),
        domain: domain.into(),
        dimension: domain.into(),
        kind,
        subtype: None,
        tags: vec![("EmailType".into(), "newsletter".into())],
        message_id: format!("0100019a-{address}-{at}"),
        timestamp: t(at),
        status: None,
        diagnostic: None,
        suppressed_at: None,
    }
}

const ALREADY_SUPPRESSED_AT: &str = "2026-11-27T09:30:00Z";

/// A window with every kind of case; the offenders, in the order they must be suppressed, are
/// [`OFFENDERS`].
async fn mixed_ledger() -> MemoryLedger {
    use Offence::{Complaint, HardBounce, SoftBounce};
    let mut already = entry("done@gmail.com", HardBounce, "2026-11-27T09:15:00Z");
    already.suppressed_at = Some(t(ALREADY_SUPPRESSED_AT));
    let entries = vec![
        // complaints: first by the time of their first complaint
        entry("both@gmail.com", HardBounce, "2026-11-27T09:04:00Z"),
        entry("both@gmail.com", Complaint, "2026-11-27T09:20:00Z"),
        entry("complained@gmail.com", Complaint, "2026-11-27T09:05:00Z"),
        // hard bounces
        entry("hard@gmail.com", HardBounce, "2026-11-27T09:10:00Z"),
        entry("hard-early@gmail.com", HardBounce, "2026-11-27T09:00:00Z"),
        // soft bounces: 3 = SOFT_BOUNCE_LIMIT (default) in the window
        entry("soft3@gmail.com", SoftBounce, "2026-11-27T09:01:00Z"),
        entry("soft3@gmail.com", SoftBounce, "2026-11-27T09:02:00Z"),
        entry("soft3@gmail.com", SoftBounce, "2026-11-27T09:03:00Z"),
        // not offenders: 2 soft bounces; 3, but one before the window
        entry("soft2@gmail.com", SoftBounce, "2026-11-27T09:01:00Z"),
        entry("soft2@gmail.com", SoftBounce, "2026-11-27T09:02:00Z"),
        entry("soft-edge@gmail.com", SoftBounce, "2026-11-27T08:40:00Z"),
        entry("soft-edge@gmail.com", SoftBounce, "2026-11-27T09:01:00Z"),
        entry("soft-edge@gmail.com", SoftBounce, "2026-11-27T09:02:00Z"),
        // out of scope: another domain; before and after the window
        entry("complainer@yahoo.com", Complaint, "2026-11-27T09:30:00Z"),
        entry("old@gmail.com", HardBounce, "2026-11-27T08:30:00Z"),
        entry("late@gmail.com", Complaint, "2026-11-27T09:50:00Z"),
        // already on the list
        already,
    ];
    let ledger = MemoryLedger::default();
    let report = ledger.record(&entries).await.expect("memory ledger");
    assert_eq!(report.written, entries.len());
    ledger
}

/// The offenders of [`mixed_ledger`] in priority order: complaints, hard bounces, soft bounces.
const OFFENDERS: [(&str, &str); 5] = [
    ("complained@gmail.com", "COMPLAINT"),
    ("both@gmail.com", "COMPLAINT"),
    ("hard-early@gmail.com", "BOUNCE"),
    ("hard@gmail.com", "BOUNCE"),
    ("soft3@gmail.com", "BOUNCE"),
];

/// Ledger entries of each offender (all of theirs in the window get marked).
fn entries_of(address: &str) -> usize {
    match address {
        "both@gmail.com" => 2,
        "soft3@gmail.com" => 3,
        _ => 1,
    }
}

/// Address → how many of its entries carry `suppressed_at` = [`NOW`]. `done@gmail.com` keeps
/// its earlier mark, checked separately.
fn marked_now(ledger: &MemoryLedger) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in ledger.all() {
        if e.recipient == "done@gmail.com" {
            assert_eq!(e.suppressed_at, Some(t(ALREADY_SUPPRESSED_AT)), "an old mark is left alone");
        } else if let Some(at) = e.suppressed_at {
            assert_eq!(at, t(NOW));
            *out.entry(e.recipient).or_default() += 1;
        }
    }
    out
}

fn marked(addresses: &[&str]) -> BTreeMap<String, usize> {
    addresses.iter().map(|a| (a.to_string(), entries_of(a))).collect()
}

fn suppress_ok(offenders: &[(&str, &str)]) -> Vec<(Sent, HttpResponse)> {
    offenders.iter().map(|(a, r)| (put_suppressed(a, r), ok(json!({})))).collect()
}

fn counts(pairs: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    pairs.iter().copied().collect()
}

// --- suppression -------------------------------------------------------------------------------

#[tokio::test]
async fn mixed_offenders_are_suppressed_in_priority_order_with_exact_requests() {
    let ledger = mixed_ledger().await;
    let (ses, wire) = Wire::new(suppress_ok(&OFFENDERS)).await;
    // One call at a time, so that the order on the wire is the order of the policy.
    let cfg = config(&[("SUPPRESSION_CONCURRENCY", "1")]);
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");

    wire.assert_all_sent();
    // Spelled out once, byte for byte.
    let first = wire.replay.actual_requests().next().expect("a request");
    assert_eq!(
        (first.method(), first.uri(), first.headers().get("content-type")),
        (
            "PUT",
            "https://email.us-east-1.amazonaws.com/v2/email/suppression/addresses",
            Some("application/json")
        )
    );
    assert_eq!(wire.raw_bodies()[0], r#"{"EmailAddress":"complained@gmail.com","Reason":"COMPLAINT"}"#);
    assert!(wire.attempts().iter().all(|a| a == "attempt=1; max=3"), "{:?}", wire.attempts());

    let a = &r.alarms[0];
    assert_eq!((a.alarm.as_str(), a.state.as_str(), a.action.as_str()), (ALARM_NAME, "ALARM", "suppressed"));
    assert_eq!(a.recipient_domains, ["gmail.com"]);
    assert_eq!(
        a.window,
        Some((t("2026-11-27T08:45:00Z"), t("2026-11-27T09:46:00Z"))),
        "a minute of grace past the state change"
    );
    assert_eq!(a.offenders, counts(&[("Complaint", 2), ("HardBounce", 2), ("SoftBounce", 1)]));
    assert_eq!(a.suppressed, counts(&[("COMPLAINT", 2), ("BOUNCE", 3)]));
    assert_eq!((a.left_over, a.dry_run, a.sending.as_deref()), (0, false, None));

    let all: Vec<&str> = OFFENDERS.iter().map(|(a, _)| *a).collect();
    assert_eq!(marked_now(&ledger), marked(&all));
}

#[tokio::test]
async fn default_concurrency_sends_the_same_requests() {
    let ledger = mixed_ledger().await;
    let (ses, wire) = Wire::new(suppress_ok(&OFFENDERS)).await;
    let cfg = config(&[]);
    assert_eq!(cfg.concurrency, 4);
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert_eq!(r.alarms[0].suppressed, counts(&[("COMPLAINT", 2), ("BOUNCE", 3)]));

    // Calls in flight together may reach the wire in any order; batches follow the policy.
    let key = |s: &Sent| s.body.as_ref().map(Value::to_string);
    let mut sent = wire.sent();
    let mut expected = wire.expected.clone();
    assert_eq!(sent.len(), expected.len());
    sent[..4].sort_by_key(key);
    expected[..4].sort_by_key(key);
    assert_eq!(sent, expected);
    let all: Vec<&str> = OFFENDERS.iter().map(|(a, _)| *a).collect();
    assert_eq!(marked_now(&ledger), marked(&all));
}

#[tokio::test]
async fn throttling_is_retried() {
    let ledger = mixed_ledger().await;
    let mut exchanges = vec![(put_suppressed(OFFENDERS[0].0, OFFENDERS[0].1), throttled())];
    exchanges.extend(suppress_ok(&OFFENDERS));
    let (ses, wire) = Wire::new(exchanges).await;
    let cfg = config(&[("SUPPRESSION_CONCURRENCY", "1")]);
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("succeeds after one throttled attempt");

    wire.assert_all_sent();
    let attempts = wire.attempts();
    assert_eq!(attempts[..3], ["attempt=1; max=3", "attempt=2; max=3", "attempt=1; max=3"]);
    assert_eq!(attempts.len(), OFFENDERS.len() + 1);
    assert_eq!(r.alarms[0].suppressed, counts(&[("COMPLAINT", 2), ("BOUNCE", 3)]));
    let all: Vec<&str> = OFFENDERS.iter().map(|(a, _)| *a).collect();
    assert_eq!(marked_now(&ledger), marked(&all));
}

#[tokio::test]
async fn persistent_throttling_fails_the_invocation() {
    let ledger = mixed_ledger().await;
    let (first, second) = (OFFENDERS[0], OFFENDERS[1]);
    let mut exchanges = suppress_ok(&[first]);
    exchanges.extend((0..MAX_ATTEMPTS).map(|_| (put_suppressed(second.0, second.1), throttled())));
    let (ses, wire) = Wire::new(exchanges).await;
    let cfg = config(&[("SUPPRESSION_CONCURRENCY", "1")]);
    let err = invoke(&cfg, &ledger, &ses, "ALARM").await.expect_err("throttled on every attempt");

    let SuppressError::Aws(e) = &err else { panic!("an SES error, not {err:?}") };
    assert_eq!(e.op, "PutSuppressedDestination");
    assert!(e.message.starts_with("TooManyRequestsException: Rate exceeded"), "{}", e.message);
    // All attempts for the second address, and nothing sent for the ones after it.
    wire.assert_all_sent();
    assert_eq!(wire.attempts()[1..], ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]);
    // Only the first address is marked: the Lambda retry (or the next alarm) suppresses the rest.
    assert_eq!(marked_now(&ledger), marked(&[first.0]));
}

#[tokio::test]
async fn persistent_throttling_in_a_concurrent_batch_fails_the_invocation() {
    let ledger = mixed_ledger().await;
    // Default concurrency: the first four go out together; the second on the wire is throttled
    // on every attempt (its retries are the only requests after the first four).
    let any = || put_suppressed("?", "?");
    let exchanges = vec![
        (any(), ok(json!({}))),
        (any(), throttled()),
        (any(), ok(json!({}))),
        (any(), ok(json!({}))),
        (any(), throttled()),
        (any(), throttled()),
    ];
    let (ses, wire) = Wire::new(exchanges).await;
    let err = invoke(&config(&[]), &ledger, &ses, "ALARM").await.expect_err("throttled on every attempt");
    assert!(err.to_string().contains("TooManyRequestsException"), "{err}");

    let sent = wire.sent();
    assert_eq!(sent.len(), 6, "{sent:?}");
    let mut first_four: Vec<Sent> = sent[..4].to_vec();
    first_four.sort_by_key(|s| s.body.as_ref().map(Value::to_string));
    let mut expected: Vec<Sent> = OFFENDERS[..4].iter().map(|(a, r)| put_suppressed(a, r)).collect();
    expected.sort_by_key(|s| s.body.as_ref().map(Value::to_string));
    assert_eq!(first_four, expected);
    assert_eq!(sent[4], sent[1], "retried");
    assert_eq!(sent[5], sent[1], "retried");
    let failed = sent[1].body.as_ref().expect("a body")["EmailAddress"].as_str().expect("an address");
    assert!(!marked_now(&ledger).contains_key(failed), "{failed} is not marked");
    assert!(!marked_now(&ledger).contains_key("soft3@gmail.com"), "the next batch is not sent");
}

#[tokio::test]
async fn the_cap_is_respected_and_the_next_invocations_take_the_rest() {
    let ledger = mixed_ledger().await;
    let cfg = config(&[("MAX_SUPPRESSIONS", "2")]);
    let mut done: Vec<&str> = Vec::new();
    for (i, (batch, left_over)) in
        [(&OFFENDERS[..2], 3), (&OFFENDERS[2..4], 1), (&OFFENDERS[4..], 0)].into_iter().enumerate()
    {
        let (ses, wire) = Wire::new(suppress_ok(batch)).await;
        let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
        let a = &r.alarms[0];
        // Concurrency 4, so the two requests may go out in either order.
        let mut sent = wire.sent();
        sent.sort_by_key(|s| s.body.as_ref().map(Value::to_string));
        let mut expected = wire.expected.clone();
        expected.sort_by_key(|s| s.body.as_ref().map(Value::to_string));
        assert_eq!(sent, expected, "invocation {i}");
        assert_eq!(a.left_over, left_over, "invocation {i}");
        assert_eq!(a.suppressed.values().sum::<usize>(), batch.len(), "invocation {i}");
        assert_eq!(a.offenders.values().sum::<usize>(), batch.len() + left_over, "invocation {i}");
        done.extend(batch.iter().map(|(a, _)| *a));
        assert_eq!(marked_now(&ledger), marked(&done), "invocation {i}: the rest untouched");
    }
    // Nobody twice: a fourth notification finds no offender and sends nothing.
    let (ses, wire) = Wire::new(vec![]).await;
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert!(r.alarms[0].offenders.is_empty());
    assert_eq!(wire.sent(), []);
}

#[tokio::test]
async fn dry_run_sends_nothing_and_reports_what_it_would_do() {
    let ledger = mixed_ledger().await;
    let (ses, wire) = Wire::new(vec![]).await;
    let cfg = config(&[("DRY_RUN", "true"), ("MAX_SUPPRESSIONS", "4")]);
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert_eq!(wire.sent(), []);
    let a = &r.alarms[0];
    assert!(a.dry_run);
    assert_eq!(a.offenders, counts(&[("Complaint", 2), ("HardBounce", 2), ("SoftBounce", 1)]));
    assert_eq!(a.suppressed, counts(&[("COMPLAINT", 2), ("BOUNCE", 2)]));
    assert_eq!(a.left_over, 1);
    assert_eq!(marked_now(&ledger), BTreeMap::new());
}

// --- pause and resume --------------------------------------------------------------------------

const SET: &str = "main";

fn get_set() -> Sent {
    Sent::new("GET", format!("/v2/email/configuration-sets/{SET}"), None)
}

fn set_state(enabled: bool, paused_by: Option<&str>) -> HttpResponse {
    let tags: Vec<Value> =
        paused_by.into_iter().map(|a| json!({"Key": holder_tag_key(a), "Value": a})).collect();
    ok(json!({"ConfigurationSetName": SET, "SendingOptions": {"SendingEnabled": enabled}, "Tags": tags}))
}

fn put_sending(enabled: bool) -> Sent {
    Sent::new(
        "PUT",
        format!("/v2/email/configuration-sets/{SET}/sending"),
        Some(json!({"SendingEnabled": enabled})),
    )
}

fn set_arn() -> String {
    format!("arn:aws:ses:us-east-1:{ACCOUNT}:configuration-set/{SET}")
}

#[tokio::test]
async fn pause_and_resume_on_the_wire() {
    let ledger = MemoryLedger::default();
    // One tag for the alarm: its own key, its name as value.
    let key = holder_tag_key(ALARM_NAME);
    assert_eq!(key, "ses-monitor:paused-by:ec29a6a94647", "sha-256 of the name, 12 hex digits");
    let tag_resource = Sent::new(
        "POST",
        "/v2/email/tags",
        Some(json!({"ResourceArn": set_arn(), "Tags": [{"Key": key, "Value": ALARM_NAME}]})),
    );
    // The earlier versions' list tag goes too, with the alarm's own.
    let untag_resource = Sent::new(
        "DELETE",
        format!(
            "/v2/email/tags?ResourceArn=arn%3Aaws%3Ases%3Aus-east-1%3A123456789012%3Aconfiguration-set%2Fmain\
             &TagKeys=ses-monitor%3Apaused-by&TagKeys={}",
            key.replace(':', "%3A")
        ),
        None,
    );
    let (ses, wire) = Wire::new(vec![
        // ALARM: read the state (under the lease), tag, pause
        (get_set(), set_state(true, None)),
        (tag_resource, ok(json!({}))),
        (put_sending(false), ok(json!({}))),
        // ALARM again: already paused by this alarm, nothing to write
        (get_set(), set_state(false, Some(ALARM_NAME))),
        // OK: read, resume, then remove the tag
        (get_set(), set_state(false, Some(ALARM_NAME))),
        (put_sending(true), ok(json!({}))),
        (untag_resource, ok(json!({}))),
    ])
    .await;
    let cfg = config(&[("PAUSE_ON_ALARMS", ALARM_NAME), ("CONFIGURATION_SET", SET)]);

    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert_eq!(r.alarms[0].sending.as_deref(), Some("paused:main"));
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused:main"));
    let r = invoke(&cfg, &ledger, &ses, "OK").await.expect("handled");
    assert_eq!(
        (r.alarms[0].action.as_str(), r.alarms[0].sending.as_deref()),
        ("no_action_for_state", Some("resumed:main"))
    );
    wire.assert_all_sent();
}

#[tokio::test]
async fn a_set_paused_by_someone_else_is_left_alone() {
    let ledger = MemoryLedger::default();
    let (ses, wire) =
        Wire::new(vec![(get_set(), set_state(false, None)), (get_set(), set_state(false, None))]).await;
    let cfg = config(&[("PAUSE_ON_ALARMS", ALARM_NAME), ("CONFIGURATION_SET", SET)]);
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused_elsewhere:main"));
    let r = invoke(&cfg, &ledger, &ses, "OK").await.expect("handled");
    assert_eq!(r.alarms[0].sending.as_deref(), Some("not_paused:main"));
    wire.assert_all_sent();
}

#[tokio::test]
async fn dry_run_pause_only_reads() {
    let ledger = mixed_ledger().await;
    let (ses, wire) = Wire::new(vec![(get_set(), set_state(true, None))]).await;
    let cfg = config(&[("DRY_RUN", "true"), ("PAUSE_ON_ALARMS", ALARM_NAME), ("CONFIGURATION_SET", SET)]);
    let r = invoke(&cfg, &ledger, &ses, "ALARM").await.expect("handled");
    assert_eq!(r.alarms[0].sending.as_deref(), Some("would_pause:main"));
    assert_eq!(r.alarms[0].suppressed.values().sum::<usize>(), OFFENDERS.len());
    wire.assert_all_sent();
    assert_eq!(marked_now(&ledger), BTreeMap::new());
}

/// SES refusing one address outright (HTTP 400, not retried by the SDK).
fn bad_request() -> HttpResponse {
    let mut r = HttpResponse::new(
        StatusCode::try_from(400).expect("valid status"),
        SdkBody::from(r#"{"message":"Invalid email address."}"#),
    );
    r.headers_mut().insert("content-type", "application/json");
    r.headers_mut().insert("x-amzn-errortype", "BadRequestException");
    r
}

#[tokio::test]
async fn an_address_ses_refuses_is_counted_and_does_not_block_the_others() {
    let ledger = mixed_ledger().await;
    let refused = OFFENDERS[1];
    let exchanges: Vec<(Sent, HttpResponse)> = OFFENDERS
        .iter()
        .map(|(a, r)| (put_suppressed(a, r), if *a == refused.0 { bad_request() } else { ok(json!({})) }))
        .collect();
    let (ses, wire) = Wire::new(exchanges).await;
    let cfg = config(&[("SUPPRESSION_CONCURRENCY", "1")]);
    let r =
        invoke(&cfg, &ledger, &ses, "ALARM").await.expect("a refused address does not fail the invocation");

    // one attempt for the refused address (a 400 is not retried), every other address sent
    wire.assert_all_sent();
    assert_eq!(wire.attempts().len(), OFFENDERS.len());
    let a = &r.alarms[0];
    assert_eq!(a.failed, 1);
    let refused_reason = if refused.1 == "COMPLAINT" { ("COMPLAINT", 1) } else { ("BOUNCE", 2) };
    let expected = if refused.1 == "COMPLAINT" {
        counts(&[refused_reason, ("BOUNCE", 3)])
    } else {
        counts(&[("COMPLAINT", 2), refused_reason])
    };
    assert_eq!(a.suppressed, expected);
    let rest: Vec<&str> = OFFENDERS.iter().map(|(a, _)| *a).filter(|a| *a != refused.0).collect();
    assert_eq!(marked_now(&ledger), marked(&rest), "the refused address stays unmarked");
}

/// An SES error response of REST-JSON form with the given status and code.
fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    let mut r = HttpResponse::new(
        StatusCode::try_from(status).expect("valid status"),
        SdkBody::from(json!({"message": message}).to_string()),
    );
    r.headers_mut().insert("content-type", "application/json");
    r.headers_mut().insert("x-amzn-errortype", code.to_string());
    r
}

/// Item 2 of issue 10: a refusal about the caller (a missing permission, unknown credentials) or
/// the service (a 5xx after the SDK's retries) fails the invocation, after marking what was
/// really suppressed; before, every address was counted as `failed` and the invocation
/// succeeded, so nothing was retried and nothing reached the failure queue.
#[tokio::test]
async fn refusals_of_the_caller_or_the_service_fail_the_invocation() {
    let cases = [
        ("AccessDeniedException", 403, 1),
        ("UnrecognizedClientException", 403, 1),
        ("InternalFailure", 500, MAX_ATTEMPTS),
    ];
    for (code, status, attempts) in cases {
        let ledger = mixed_ledger().await;
        let (first, second) = (OFFENDERS[0], OFFENDERS[1]);
        let mut exchanges = suppress_ok(&[first]);
        exchanges
            .extend((0..attempts).map(|_| (put_suppressed(second.0, second.1), error(status, code, "no"))));
        let (ses, wire) = Wire::new(exchanges).await;
        let cfg = config(&[("SUPPRESSION_CONCURRENCY", "1")]);
        let err = invoke(&cfg, &ledger, &ses, "ALARM").await.expect_err(code);
        let SuppressError::Aws(e) = &err else { panic!("{code}: an SES error, not {err:?}") };
        assert!(e.message.starts_with(code), "{e}");
        assert!(!e.refused_item, "{code} is not about the address");
        // nothing sent after it; the first address suppressed and marked, the rest not
        wire.assert_all_sent();
        assert_eq!(marked_now(&ledger), marked(&[first.0]), "{code}");
    }
}
