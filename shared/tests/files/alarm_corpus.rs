//! Alarm parsing over every file of `../shared/corpus/cloudwatch-alarm` (CloudWatch alarm
//! notifications written by others; see the corpus's SOURCES.md, section D). Each file's outcome
//! is compared with an expectation written here by reading the file — not recorded from the code.
//!
//! The table has exactly one row per file: a file added to or removed from the corpus fails the
//! test, with its name, until its row is written (or deleted).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ses_monitor::alarm::{AlarmFormat, AlarmNotice, AlarmState, parse_alarms};

/// What each notice of a file must look like (every file with several notices repeats one alarm).
#[derive(Debug, Clone, Copy)]
struct Notice {
    name: &'static str,
    format: AlarmFormat,
    state: &'static str,
    previous: Option<&'static str>,
    /// Number of metrics (`MetricStat` entries / the single metric).
    metrics: usize,
    /// The namespace of every metric.
    namespace: Option<&'static str>,
    /// Number of metric-math expressions.
    expressions: usize,
    period_s: Option<u64>,
    evaluation_periods: Option<u32>,
    /// The state change time, RFC 3339, or `None` when the file has none that can be read.
    time: Option<&'static str>,
    composite: bool,
}

#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// This many notices, all like this one.
    Notices(usize, Notice),
    /// One skip with this reason code.
    Skip(&'static str),
}

struct Expect {
    file: &'static str,
    outcome: Outcome,
}

const SNS: AlarmFormat = AlarmFormat::SnsNotification;
const ACTION: AlarmFormat = AlarmFormat::LambdaAction;
const EB: AlarmFormat = AlarmFormat::EventBridge;

/// The aws-lambda-go / aws-lambda-rust-runtime SNS fixtures: one alarm "EXAMPLE" on AWS/EC2
/// NetworkOut, Period 60, EvaluationPeriods 1, StateChangeTime "2015-06-03T17:43:27.123+0000".
const fn sdk_sns(expressions: usize) -> Notice {
    Notice {
        name: "EXAMPLE",
        format: SNS,
        state: "ALARM",
        previous: Some("INSUFFICIENT_DATA"),
        metrics: 1,
        namespace: Some("AWS/EC2"),
        expressions,
        period_s: Some(60),
        evaluation_periods: Some(1),
        time: Some("2015-06-03T17:43:27.123Z"),
        composite: false,
    }
}

/// The AWS docs / Java / Rust composite alarm events: no metrics, no period.
const fn composite(
    name: &'static str,
    format: AlarmFormat,
    previous: &'static str,
    time: &'static str,
) -> Notice {
    Notice {
        name,
        format,
        state: "ALARM",
        previous: Some(previous),
        metrics: 0,
        namespace: None,
        expressions: 0,
        period_s: None,
        evaluation_periods: None,
        time: Some(time),
        composite: true,
    }
}

/// A direct or EventBridge metric alarm (they never carry evaluationPeriods in a state change).
#[allow(clippy::too_many_arguments)]
const fn event_metric(
    name: &'static str,
    format: AlarmFormat,
    previous: &'static str,
    metrics: usize,
    namespace: &'static str,
    expressions: usize,
    period_s: u64,
    time: &'static str,
) -> Notice {
    Notice {
        name,
        format,
        state: "ALARM",
        previous: Some(previous),
        metrics,
        namespace: Some(namespace),
        expressions,
        period_s: Some(period_s),
        evaluation_periods: None,
        time: Some(time),
        composite: false,
    }
}

/// The LocalStack snapshots: bare alarm JSON (the SNS Message) with placeholders; the
/// StateChangeTime is the placeholder "date", so no time.
const fn localstack(metric_period: u64, evaluation_periods: u32) -> Notice {
    Notice {
        name: "<alarm-name:1>",
        format: SNS,
        state: "ALARM",
        previous: Some("INSUFFICIENT_DATA"),
        metrics: 1,
        namespace: Some("<namespace:1>"),
        expressions: 0,
        period_s: Some(metric_period),
        evaluation_periods: Some(evaluation_periods),
        time: None,
        composite: false,
    }
}

fn expectations() -> Vec<Expect> {
    use Outcome::{Notices, Skip};
    let e = |file, outcome| Expect { file, outcome };
    vec![
        // detail-type "CloudWatch Alarm Configuration Change", operation "update".
        e("awsdocs-eventbridge-alarm-configuration-change-metric.json", Skip("not_a_state_change")),
        // m1 (AWS/EC2 CPUUtilization, period 60) + ad1 ANOMALY_DETECTION_BAND expression.
        e(
            "awsdocs-eventbridge-alarm-state-change-anomaly-detection.json",
            Notices(
                1,
                event_metric(
                    "EC2 CPU Utilization Anomaly",
                    EB,
                    "OK",
                    1,
                    "AWS/EC2",
                    1,
                    60,
                    "2019-10-03T16:00:04.653Z",
                ),
            ),
        ),
        e(
            "awsdocs-eventbridge-alarm-state-change-composite-suppressor.json",
            Notices(1, composite("ServiceAggregatedAlarm", EB, "OK", "2022-07-22T15:57:45.394Z")),
        ),
        // e1 SUM(METRICS()) over m1 NetworkIn and m2 NetworkOut, period 300.
        e(
            "awsdocs-eventbridge-alarm-state-change-metric-math.json",
            Notices(
                1,
                event_metric(
                    "TotalNetworkTrafficTooHigh",
                    EB,
                    "INSUFFICIENT_DATA",
                    2,
                    "AWS/EC2",
                    1,
                    300,
                    "2019-10-02T17:20:48.554Z",
                ),
            ),
        ),
        e(
            "awsdocs-eventbridge-alarm-state-change-single-metric.json",
            Notices(
                1,
                event_metric("ServerCpuTooHigh", EB, "OK", 1, "AWS/EC2", 0, 300, "2019-10-02T17:04:40.989Z"),
            ),
        ),
        // Trigger.Metrics: e1 "m1*1" + m1 MetricStat.
        e("go-sns-lambda-alarm-metric-math.json", Notices(1, sdk_sns(1))),
        e("go-sns-lambda-alarm-single-metric.json", Notices(1, sdk_sns(0))),
        e(
            "java-direct-lambda-alarm-composite.json",
            Notices(1, composite("CompositeDemo.Main", ACTION, "ALARM", "2023-08-04T12:56:46.138Z")),
        ),
        e(
            "java-direct-lambda-alarm-metric.json",
            Notices(
                1,
                event_metric(
                    "lambda-demo-metric-alarm",
                    ACTION,
                    "INSUFFICIENT_DATA",
                    1,
                    "AWS/Logs",
                    0,
                    60,
                    "2023-08-04T12:36:15.490Z",
                ),
            ),
        ),
        e(
            "localstack-snapshot-alarm-message-action-executed-after-mute-window.json",
            Notices(1, localstack(10, 1)),
        ),
        e("localstack-snapshot-alarm-message-treat-missing-breaching.json", Notices(1, localstack(10, 2))),
        // e1 m1/m2 over AWS/Lambda Invocations and Duration (dimensions {}), period 60.
        e(
            "powertools-direct-lambda-alarm-metric-math.json",
            Notices(
                1,
                event_metric("Test alert", ACTION, "OK", 2, "AWS/Lambda", 1, 60, "2024-02-17T11:53:08.431Z"),
            ),
        ),
        // EventBridge envelope carrying alarmData instead of detail: read as the action's alarmData.
        e(
            "rust-alarm-composite-suppressor-eventbridge-hybrid.json",
            Notices(1, composite("ServiceAggregatedAlarm", ACTION, "OK", "2022-07-22T15:57:45.394Z")),
        ),
        // "2023-08-04T12: 56: 46.138+0000": stray spaces after the colons.
        e(
            "rust-direct-lambda-alarm-composite-malformed-timestamps.json",
            Notices(1, composite("CompositeDemo.Main", ACTION, "ALARM", "2023-08-04T12:56:46.138Z")),
        ),
        e(
            "rust-direct-lambda-alarm-metric-malformed-timestamps.json",
            Notices(
                1,
                event_metric(
                    "lambda-demo-metric-alarm",
                    ACTION,
                    "INSUFFICIENT_DATA",
                    1,
                    "AWS/Logs",
                    0,
                    60,
                    "2023-08-04T12:36:15.490Z",
                ),
            ),
        ),
        // Two identical records.
        e("rust-sns-lambda-alarm-metric-math-two-records.json", Notices(2, sdk_sns(1))),
        e("rust-sns-lambda-alarm-single-metric.json", Notices(1, sdk_sns(0))),
    ]
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/cloudwatch-alarm")
}

fn check_notice(file: &str, i: usize, n: &AlarmNotice, want: &Notice) -> Vec<String> {
    let mut errs = Vec::new();
    let mut check = |what: &str, got: String, want: String| {
        if got != want {
            errs.push(format!("{file} notice {i}: {what}: got {got}, want {want}"));
        }
    };
    check("name", n.name.clone(), want.name.into());
    check("format", format!("{:?}", n.format), format!("{:?}", want.format));
    check("state", n.state.to_string(), want.state.into());
    check(
        "previous state",
        format!("{:?}", n.previous_state.as_ref().map(AlarmState::as_str)),
        format!("{:?}", want.previous),
    );
    check("metric count", n.metrics.len().to_string(), want.metrics.to_string());
    for m in &n.metrics {
        check("namespace", format!("{:?}", m.namespace.as_deref()), format!("{:?}", want.namespace));
        check("metric name present", (!m.name.is_empty()).to_string(), "true".into());
    }
    check("expression count", n.expressions.len().to_string(), want.expressions.to_string());
    check("period", format!("{:?}", n.period_s), format!("{:?}", want.period_s));
    check(
        "evaluation periods",
        format!("{:?}", n.evaluation_periods),
        format!("{:?}", want.evaluation_periods),
    );
    let want_time = want.time.map(|t| DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc));
    check("state change time", format!("{:?}", n.state_change_time), format!("{want_time:?}"));
    check("composite", n.composite.to_string(), want.composite.to_string());
    errs
}

#[test]
fn every_alarm_file_parses_as_expected() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        crate::skip_notice(format_args!("alarm corpus tests skipped: no corpus at {}", dir.display()));
        return;
    }
    let table = expectations();
    let mut names = BTreeSet::new();
    for e in &table {
        assert!(names.insert(e.file), "{} is listed twice", e.file);
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let listed: BTreeSet<String> = names.iter().map(|s| s.to_string()).collect();
    let missing: Vec<_> = on_disk.difference(&listed).collect();
    let gone: Vec<_> = listed.difference(&on_disk).collect();
    assert!(missing.is_empty(), "corpus files without an expectation: {missing:?}");
    assert!(gone.is_empty(), "expectations for files not in the corpus: {gone:?}");

    let mut errs = Vec::new();
    for e in &table {
        let text = std::fs::read_to_string(dir.join(e.file)).unwrap();
        let got = parse_alarms(&text);
        match e.outcome {
            Outcome::Skip(code) => match got.as_slice() {
                [Err(s)] if s.reason.as_str() == code => {}
                other => errs.push(format!("{}: want one skip {code}, got {other:?}", e.file)),
            },
            Outcome::Notices(count, ref want) => {
                if got.len() != count {
                    errs.push(format!("{}: want {count} notices, got {} results", e.file, got.len()));
                }
                for (i, r) in got.iter().enumerate() {
                    match r {
                        Ok(n) => errs.extend(check_notice(e.file, i, n, want)),
                        Err(s) => errs.push(format!("{} result {i}: unexpected skip {s}", e.file)),
                    }
                }
            }
        }
    }
    assert!(errs.is_empty(), "{} mismatches:\n{}", errs.len(), errs.join("\n"));
}

/// The scope and window the suppressor would compute for a few corpus alarms (values read off
/// the files: dimensions, periods, times).
#[test]
fn scope_and_window_of_corpus_alarms() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        crate::skip_notice(format_args!("alarm corpus tests skipped: no corpus at {}", dir.display()));
        return;
    }
    let read = |f: &str| {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        parse_alarms(&text).remove(0).unwrap()
    };
    let ec2 = vec!["AWS/EC2".to_string()];
    let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let now = utc("2026-01-01T00:00:00Z");

    // SNS single metric: InstanceId=TestInstance is a "tag" dimension when AWS/EC2 is considered.
    let n = read("go-sns-lambda-alarm-single-metric.json");
    let s = n.scope(&ec2);
    assert_eq!(s.tags, vec![("InstanceId".to_string(), vec!["TestInstance".to_string()])]);
    assert!(n.scope(&["Custom/SES".to_string()]).is_all());
    // 60 s × 1 before 17:43:27.123, or the minimum look-back.
    let end = utc("2015-06-03T17:43:27.123Z");
    assert_eq!(n.window(chrono::Duration::zero(), now), (end - chrono::Duration::seconds(60), end));
    assert_eq!(n.window(chrono::Duration::minutes(15), now).0, end - chrono::Duration::minutes(15));
    assert!(n.is_owned(&[], &ec2));
    assert!(!n.is_owned(&["ses-".to_string()], &["Custom/SES".to_string()]));

    // LocalStack: StateChangeTime "date" → the window ends now; 10 s × 2.
    let n = read("localstack-snapshot-alarm-message-treat-missing-breaching.json");
    assert_eq!(n.window(chrono::Duration::zero(), now), (now - chrono::Duration::seconds(20), now));

    // EventBridge metric math: both metrics on the same instance → one value.
    let n = read("awsdocs-eventbridge-alarm-state-change-metric-math.json");
    assert_eq!(n.scope(&ec2).tags, vec![("InstanceId".to_string(), vec!["i-12345678901234567".to_string()])]);
    // No evaluationPeriods in a state-change event: 300 s × 1.
    let end = utc("2019-10-02T17:20:48.554Z");
    assert_eq!(n.window(chrono::Duration::zero(), now).0, end - chrono::Duration::seconds(300));

    // Powertools metric math with `dimensions: {}`: nothing to restrict.
    let n = read("powertools-direct-lambda-alarm-metric-math.json");
    assert!(n.scope(&[]).is_all());
    // Composite: scope all, owned only by name.
    let n = read("java-direct-lambda-alarm-composite.json");
    assert!(n.scope(&[]).is_all());
    assert!(n.is_owned(&["CompositeDemo.".to_string()], &ec2));
    assert!(!n.is_owned(&[], &ec2));
}
