//! rate-reporter: reads the `Custom/SES` metrics of a window and the 7 days before, builds the
//! [`crate::report::stats::Report`], logs and returns it as JSON, and emails it.
//!
//! CloudWatch reads go through the small [`MetricSource`] trait: ListMetrics (paginated) finds the
//! recipient domains with data, GetMetricData (≤ 500 queries per request, paginated) reads the
//! sums. Totals are the sum over the domain series, so no extra queries are needed.

pub mod activity;
pub mod chart;
mod function;
pub mod local;
pub mod reasons;
pub mod render;
pub mod source;
pub mod stats;

pub use function::Function;

use std::borrow::Cow;

use chrono::{DateTime, Duration, DurationRound, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::envelope::invocation_payload;
use crate::metrics::RECIPIENT_DOMAIN;
use crate::platform::aws::AwsError;
use crate::platform::config::{ConfigError, err, parse_list, parse_number};
use crate::report::activity::Activity;
use crate::report::source::{MetricSource, Query, Values};
use crate::report::stats::{Counts, Levels, Report, Reputation, Status, Thresholds, build};
use crate::sesv2::{Email, ReportMailer};

/// Configuration of rate-reporter.
#[derive(Debug, Clone)]
pub struct ReporterConfig {
    /// `METRIC_NAMESPACE` (default `Custom/SES`).
    pub namespace: String,
    /// `REPORT_SENDER`: the From address (a verified SES identity).
    pub sender: Option<String>,
    /// `REPORT_RECIPIENTS` (comma-separated); empty → no email.
    pub recipients: Vec<String>,
    /// `REPORT_CONFIGURATION_SET`: the report's own configuration set, never the monitored one
    /// (alarm-suppressor pauses that, and the report must get out exactly then).
    pub configuration_set: Option<String>,
    /// `HARD_BOUNCE_THRESHOLDS` and `COMPLAINT_THRESHOLDS` (percent, `WATCH,WARN,CRITICAL`).
    pub thresholds: Thresholds,
    /// `REPORT_TOP_DOMAINS` (default 10): healthy domains listed before the tail is folded.
    pub top_domains: usize,
    /// `REPORT_OUTPUT`: also write the HTML here (local runs).
    pub output: Option<String>,
    /// `LEDGER_TABLE`: the ledger table, for bounce reasons, the long tail and what
    /// alarm-suppressor did; unset = the report says they are not available.
    pub ledger_table: Option<String>,
    /// `REPORT_LONG_TAIL` (default 10): untracked domains listed in the long tail.
    pub long_tail: usize,
}

fn levels(var: &'static str, v: Option<String>, default: [f64; 3]) -> Result<Levels, ConfigError> {
    let Some(v) = v.filter(|s| !s.trim().is_empty()) else { return Ok(Levels(default)) };
    let parts: Vec<f64> = v
        .split(',')
        .map(|p| p.trim().trim_end_matches('%').parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| err(var, &v, "three percentages, e.g. 2,5,10"))?;
    match parts.as_slice() {
        [a, b, c] if 0.0 < *a && a < b && b < c && *c <= 100.0 => {
            Ok(Levels([a / 100.0, b / 100.0, c / 100.0]))
        }
        _ => Err(err(var, &v, "three increasing percentages between 0 and 100, e.g. 2,5,10")),
    }
}

impl ReporterConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads through any lookup function.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let clean = |k: &str| get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let recipients = parse_list(get("REPORT_RECIPIENTS"));
        for r in &recipients {
            if crate::ses::address::recipient_domain(r).is_none() {
                return Err(err("REPORT_RECIPIENTS", r, "not an email address"));
            }
        }
        let sender = clean("REPORT_SENDER");
        if !recipients.is_empty() && sender.is_none() {
            return Err(err("REPORT_SENDER", "", "required when REPORT_RECIPIENTS is set"));
        }
        let namespace = clean("METRIC_NAMESPACE").unwrap_or_else(|| "Custom/SES".into());
        let defaults = Thresholds::default();
        Ok(Self {
            namespace,
            sender,
            recipients,
            configuration_set: clean("REPORT_CONFIGURATION_SET"),
            thresholds: Thresholds {
                hard_bounce: levels(
                    "HARD_BOUNCE_THRESHOLDS",
                    get("HARD_BOUNCE_THRESHOLDS"),
                    defaults.hard_bounce.0,
                )?,
                complaint: levels("COMPLAINT_THRESHOLDS", get("COMPLAINT_THRESHOLDS"), defaults.complaint.0)?,
                min_volume: f64::from(parse_number(
                    "REPORT_MIN_SENDS",
                    get("REPORT_MIN_SENDS"),
                    defaults.min_volume as u32,
                    1..=1_000_000,
                )?),
            },
            top_domains: parse_number("REPORT_TOP_DOMAINS", get("REPORT_TOP_DOMAINS"), 10, 1..=1000)?
                as usize,
            output: clean("REPORT_OUTPUT"),
            ledger_table: clean("LEDGER_TABLE"),
            long_tail: parse_number("REPORT_LONG_TAIL", get("REPORT_LONG_TAIL"), 10, 0..=100)? as usize,
        })
    }
}

/// What the invocation payload may ask for.
#[derive(Debug, Default, Deserialize)]
struct WindowRequest<'a> {
    window_hours: Option<serde_json::Value>,
    date: Option<String>,
    /// An EventBridge event's `source` and `time` (when the schedule fired).
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
}

/// A payload that asks for something impossible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad report request: {0}")]
pub struct RequestError(pub String);

/// The window a payload asks for: `{"window_hours": N}` (the N hours up to the current minute),
/// `{"date": "YYYY-MM-DD"}` (that UTC day), an EventBridge Scheduled Event the UTC day before the
/// one it fired on (its `time`: a retried or replayed invocation reports the same day), anything
/// else — `{}` — the previous UTC day. A Lambda invocation record (replaying the failed-invocations
/// queue) asks for what its `requestPayload` asked for.
pub fn window(payload: &str, now: DateTime<Utc>) -> Result<(DateTime<Utc>, DateTime<Utc>), RequestError> {
    // A Lambda invocation record (replaying the failed-invocations queue) asks for what the
    // event inside asked for: the envelope reader's rule, at most 3 records deep, no recursion.
    let text = invocation_payload(payload.trim_start_matches('\u{feff}'))
        .map_err(|skip| RequestError(skip.detail))?;
    let req: WindowRequest = match serde_json::from_str(text) {
        Ok(r) => r,
        // A JSON object whose members have the wrong types asked for something: say so rather
        // than send yesterday's report. Anything else (empty, not an object) means the default.
        Err(e) if serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text).is_ok() => {
            return Err(RequestError(format!("unreadable report request: {e}")));
        }
        Err(_) => WindowRequest::default(),
    };
    // The clock the window is counted from: a Scheduled Event's own `time`, so a retried or
    // replayed run reports the day its schedule meant.
    let clock = match (req.source.as_deref(), req.time.as_deref()) {
        (Some("aws.events"), Some(t)) => scheduled_time(t, now)?,
        _ => now,
    };
    if let Some(h) = req.window_hours {
        let hours = h
            .as_u64()
            .or_else(|| h.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|h| (1..=24 * MAX_AGE_DAYS as u64).contains(h))
            .ok_or_else(|| RequestError(format!("window_hours must be 1 to 336, got {h}")))?;
        let end = clock.duration_trunc(Duration::minutes(1)).unwrap_or(clock);
        let start = end - Duration::hours(hours as i64);
        if start < now - Duration::days(MAX_AGE_DAYS) {
            return Err(RequestError(format!(
                "the window starts at {start}, more than {MAX_AGE_DAYS} days ago (CloudWatch lists only \
                 metrics with data in the past two weeks)"
            )));
        }
        return Ok((start, end));
    }
    let (day, asked) = match req.date {
        Some(d) => (
            NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .map_err(|_| RequestError(format!("date must be YYYY-MM-DD, got {d:?}")))?,
            format!("date {d:?}"),
        ),
        None => {
            let day = clock.date_naive() - Duration::days(1);
            (day, format!("the day before {}", clock.to_rfc3339_opts(SecondsFormat::Secs, true)))
        }
    };
    // ListMetrics finds only metrics with data in the past two weeks: an older day would be an
    // empty "OK" report. (This also keeps the date arithmetic in range.)
    let today = now.date_naive();
    if day > today || day < today - Duration::days(MAX_AGE_DAYS) {
        return Err(RequestError(format!(
            "the report's day must be within the last {MAX_AGE_DAYS} days (CloudWatch lists only metrics \
             with data in the past two weeks); {asked} is {day}"
        )));
    }
    let start = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    Ok((start, start + Duration::days(1)))
}

/// Days back a report may reach: CloudWatch's ListMetrics finds only metrics with data in the
/// past two weeks.
pub const MAX_AGE_DAYS: i64 = 14;

/// How far ahead of the function's clock a Scheduled Event's `time` may be (clock skew).
const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// The `time` of an EventBridge event: RFC 3339, not ahead of `now` (beyond clock skew). An
/// unreadable time is refused rather than replaced by the clock, which would report the wrong
/// day for a replay.
fn scheduled_time(t: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, RequestError> {
    let time = crate::time::parse_rfc3339(t)
        .ok_or_else(|| RequestError(format!("the EventBridge event's time must be RFC 3339, got {t:?}")))?;
    if time > now + MAX_CLOCK_SKEW {
        return Err(RequestError(format!("the EventBridge event's time {t:?} is in the future")));
    }
    Ok(time)
}

/// A failure that fails the invocation.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The payload asked for an impossible window.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// CloudWatch could not be read, or the email could not be sent.
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The ledger table could not be read.
    #[error("reading the ledger table: {0}")]
    Ledger(#[from] crate::ledger::LedgerError),
    /// `REPORT_OUTPUT` could not be written.
    #[error("writing the HTML report: {0}")]
    Io(#[from] std::io::Error),
}

/// What happened to the email.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct EmailOutcome {
    /// Whether it was sent.
    pub sent: bool,
    /// SES's message id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// How many recipients.
    pub recipients: usize,
    /// The subject.
    pub subject: String,
}

/// The function's result.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReporterResult {
    /// The report.
    pub report: Report,
    /// The email.
    pub email: EmailOutcome,
}

/// The Sum of each metric for each domain: ids `<prefix><domain index>m<metric index>`.
fn domain_queries(
    cfg: &ReporterConfig,
    domains: &[String],
    metrics: &[&str],
    prefix: &str,
    period_s: i32,
) -> Vec<Query> {
    let mut queries = Vec::with_capacity(domains.len() * metrics.len());
    for (i, d) in domains.iter().enumerate() {
        for (j, m) in metrics.iter().enumerate() {
            queries.push(Query {
                id: format!("{prefix}{i}m{j}"),
                namespace: cfg.namespace.clone(),
                metric: (*m).to_string(),
                dimensions: vec![(RECIPIENT_DOMAIN.to_string(), d.clone())],
                stat: "Sum".into(),
                period_s,
            });
        }
    }
    queries
}

/// Reads the numbers for a window and its 7-day baseline and builds the report.
pub async fn build_report<M: MetricSource, A: Activity>(
    cfg: &ReporterConfig,
    source: &M,
    activity: &A,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let domains = source.domains(&cfg.namespace).await?;
    let window_s = (end - start).num_seconds().max(60);
    let period = |secs: i64| -> i32 { (((secs + 59) / 60) * 60).clamp(60, i32::MAX as i64) as i32 };
    let queries = domain_queries(cfg, &domains, &Counts::METRICS, "d", period(window_s));
    let base_start = start - Duration::days(7);
    let current = source.fetch(start, end, &queries).await?;
    let baseline_queries: Vec<Query> =
        queries.iter().map(|q| Query { period_s: period(7 * 86_400), ..q.clone() }).collect();
    let baseline = source.fetch(base_start, start, &baseline_queries).await?;
    let reputation_queries: Vec<Query> = ["Reputation.BounceRate", "Reputation.ComplaintRate"]
        .iter()
        .enumerate()
        .map(|(i, m)| Query {
            id: format!("rep{i}"),
            namespace: "AWS/SES".into(),
            metric: (*m).to_string(),
            dimensions: vec![],
            stat: "Average".into(),
            period_s: 3600,
        })
        .collect();
    let rep = source.fetch(start, end, &reputation_queries).await?;
    let latest = |id: &str| rep.get(id).and_then(|v| v.iter().max_by_key(|(t, _)| *t)).map(|(_, v)| *v);
    // (a fold from +0.0: an empty f64 `sum()` is -0.0, which renders as "-0%")
    let sum = |vals: &Values, id: &str| vals.get(id).map_or(0.0, |v| v.iter().fold(0.0, |a, (_, x)| a + x));
    let mut rows = Vec::new();
    for (i, d) in domains.iter().enumerate() {
        let (mut c, mut b) = (Counts::default(), Counts::default());
        let mut any_base = false;
        for (j, m) in Counts::METRICS.iter().enumerate() {
            let id = format!("d{i}m{j}");
            c.set(m, sum(&current, &id));
            let bv = sum(&baseline, &id);
            any_base |= baseline.contains_key(&id);
            b.set(m, bv);
        }
        rows.push((d.clone(), c, any_base.then_some(b)));
    }
    let reputation = Reputation { bounce_rate: latest("rep0"), complaint_rate: latest("rep1") };
    let mut report = build(start, end, &cfg.namespace, rows, reputation, cfg.thresholds, cfg.top_domains);
    let flagged: Vec<String> = report
        .domains
        .iter()
        .filter(|d| d.status > Status::Ok && d.folded.is_none())
        .map(|d| d.domain.clone())
        .collect();
    report.activity = activity::read(activity, start, end, &flagged, cfg.long_tail).await?;
    report.hourly = hourly(cfg, source, &domains, start, end, &report.total.domain, &flagged).await?;
    Ok(report)
}

/// The metrics the charts draw, per hour.
const HOURLY_METRICS: [&str; 3] = ["Send", "HardBounce", "Complaint"];

/// The charts' numbers: GetMetricData with a period of one hour for every domain (the total is
/// their sum, as for the report's counts), kept for the total (under `total_key`) and the
/// `flagged` domains. A window longer than [`chart::MAX_BARS`] hours is read in steps of several
/// hours, so a chart has at most that many bars.
async fn hourly<M: MetricSource>(
    cfg: &ReporterConfig,
    source: &M,
    domains: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    total_key: &str,
    flagged: &[String],
) -> Result<std::collections::BTreeMap<String, chart::Hourly>, ReportError> {
    let hours = ((end - start).num_seconds() + 3599) / 3600;
    let step = (hours + chart::MAX_BARS - 1) / chart::MAX_BARS;
    let n = ((hours + step - 1) / step).max(1) as usize;
    let queries = domain_queries(cfg, domains, &HOURLY_METRICS, "h", (3600 * step) as i32);
    let values = source.fetch(start, end, &queries).await?;
    let mut total = chart::Hourly::empty(start, n, step);
    let mut out = std::collections::BTreeMap::new();
    for (i, d) in domains.iter().enumerate() {
        let mut h = chart::Hourly::empty(start, n, step);
        for (j, series) in [&mut h.sends, &mut h.hard_bounces, &mut h.complaints].into_iter().enumerate() {
            for (t, v) in values.get(&format!("h{i}m{j}")).into_iter().flatten() {
                let k = ((*t - start).num_seconds() / (3600 * step)) as usize;
                if let Some(x) = series.get_mut(k) {
                    *x += v;
                }
            }
        }
        total.add(&h);
        if flagged.contains(d) {
            out.insert(d.clone(), h);
        }
    }
    out.insert(total_key.to_string(), total);
    Ok(out)
}

/// Writes the HTML report to `path` and its charts next to it (`<file_name>` in the same folder),
/// the HTML pointing at those files as the email points at its inline attachments.
pub fn write_local(path: &str, report: &Report, images: &[crate::sesv2::InlineImage]) -> std::io::Result<()> {
    let dir = std::path::Path::new(path).parent().unwrap_or(std::path::Path::new(""));
    for i in images {
        std::fs::write(dir.join(&i.file_name), &i.data)?;
    }
    std::fs::write(path, render::html(report, render::ImageSrc::File))
}

/// The whole invocation: window, report, log line, email, result.
pub async fn handle<M: MetricSource, A: Activity, E: ReportMailer>(
    cfg: &ReporterConfig,
    source: &M,
    activity: &A,
    mailer: &E,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<ReporterResult, ReportError> {
    let (start, end) = window(payload, now)?;
    let report = build_report(cfg, source, activity, start, end).await?;
    let subject = render::subject(&report);
    let images = render::charts(&report);
    let html = render::html(&report, render::ImageSrc::ContentId);
    if let Some(path) = &cfg.output {
        write_local(path, &report, &images)?;
    }
    let mut email =
        EmailOutcome { recipients: cfg.recipients.len(), subject: subject.clone(), ..Default::default() };
    match (&cfg.sender, cfg.recipients.is_empty()) {
        (Some(from), false) => {
            let id = mailer
                .send(&Email {
                    from: from.clone(),
                    to: cfg.recipients.clone(),
                    subject,
                    html,
                    text: render::text(&report),
                    configuration_set: cfg.configuration_set.clone(),
                    inline_images: images,
                })
                .await?;
            email.sent = true;
            email.message_id = Some(id);
        }
        _ => tracing::info!("no REPORT_RECIPIENTS: report not emailed"),
    }
    let result = ReporterResult { report, email };
    tracing::info!(report = %serde_json::to_string(&result.report).unwrap_or_default(), status = result.report.status.as_str(), "deliverability report");
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::activity::NoActivity;
    use crate::report::source::PointSource;
    use crate::sesv2::MemorySes;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn windows() {
        let now = t("2026-11-27T06:00:12Z");
        let day = (t("2026-11-26T00:00:00Z"), t("2026-11-27T00:00:00Z"));
        assert_eq!(window("{}", now).unwrap(), day);
        let sched = r#"{"version":"0","id":"x","detail-type":"Scheduled Event","source":"aws.events","time":"2026-11-27T06:00:00Z","detail":{}}"#;
        assert_eq!(window(sched, now).unwrap(), day);
        // retried or replayed days later: still the day before the schedule fired
        assert_eq!(window(sched, t("2026-11-30T13:00:00Z")).unwrap(), day);
        let record = format!(
            r#"{{"version":"1.0","requestContext":{{"condition":"RetriesExhausted"}},"requestPayload":{sched}}}"#
        );
        assert_eq!(window(&record, t("2026-11-30T13:00:00Z")).unwrap(), day);
        let lookalike = r#"{"requestPayload":{"date":"2026-01-01"}}"#;
        assert_eq!(window(lookalike, now).unwrap(), day, "not an invocation record");
        // an unreadable schedule time is refused, not replaced by the clock (a replay would
        // report the wrong day)
        assert!(window(r#"{"source":"aws.events","time":"soon"}"#, now).is_err());
        assert_eq!(window("", now).unwrap(), day);
        assert_eq!(
            window(r#"{"window_hours": 6}"#, now).unwrap(),
            (t("2026-11-27T00:00:00Z"), t("2026-11-27T06:00:00Z"))
        );
        assert_eq!(window(r#"{"window_hours": "2"}"#, now).unwrap().0, t("2026-11-27T04:00:00Z"));
        assert_eq!(
            window(r#"{"date": "2026-11-20"}"#, now).unwrap(),
            (t("2026-11-20T00:00:00Z"), t("2026-11-21T00:00:00Z"))
        );
        assert!(window(r#"{"window_hours": 0}"#, now).is_err());
        assert!(window(r#"{"date": "yesterday"}"#, now).is_err());
        // wrong member types are an error, not yesterday's report
        assert!(window(r#"{"date": 20261101}"#, now).is_err());
        assert!(window(r#"{"window_hours": 6, "source": 1}"#, now).is_err());
        assert_eq!(window("[1]", now).unwrap(), day);
        // days CloudWatch can list, and nothing that overflows the date arithmetic
        assert!(window(r#"{"date": "2026-11-13"}"#, now).is_ok());
        for d in ["2026-11-12", "2026-11-28", "+262142-12-31", "-262143-01-01"] {
            assert!(window(&format!(r#"{{"date": "{d}"}}"#), now).is_err(), "{d}");
        }
    }

    /// A Scheduled Event whose `time` CloudWatch can no longer answer for (a replay more than two
    /// weeks late, a forged time) is an error, not an empty "OK" report.
    #[test]
    fn schedule_times_outside_the_last_14_days_are_refused() {
        let now = t("2026-11-27T06:00:12Z");
        let sched = |time: &str| {
            format!(
                r#"{{"detail-type":"Scheduled Event","source":"aws.events","time":"{time}","detail":{{}}}}"#
            )
        };
        // the day before the schedule fired, as long as that day is within the last 14 days
        assert_eq!(
            window(&sched("2026-11-14T06:00:00Z"), now).unwrap(),
            (t("2026-11-13T00:00:00Z"), t("2026-11-14T00:00:00Z"))
        );
        for (time, why) in [
            ("2026-11-13T06:00:00Z", "its day before is 15 days ago"),
            ("2026-11-07T06:00:00Z", "20 days ago"),
            ("2016-11-27T06:00:00Z", "ten years ago"),
            ("2026-11-27T07:00:00Z", "an hour ahead of the clock"),
            ("9999-12-31T23:59:59Z", "the end of time"),
            ("2026-11-27", "not a time"),
        ] {
            let e = window(&sched(time), now).expect_err(why);
            assert!(
                e.0.contains("14 days") || e.0.contains("future") || e.0.contains("RFC 3339"),
                "{why}: {e}"
            );
        }
        // a few minutes of clock skew are not an error
        assert_eq!(window(&sched("2026-11-27T06:02:00Z"), now).unwrap().0, t("2026-11-26T00:00:00Z"));
    }

    /// 20,000 nested invocation records (≈ 750 KB, under Lambda's 1 MB asynchronous payload limit)
    /// crashed rate-reporter with a stack overflow: `window` followed `requestPayload` by
    /// recursion. Now it is the envelope reader's loop, capped at 3 records: an error. Run on a
    /// thread with the 2 MB stack a Tokio worker (so the Lambda handler) has.
    #[test]
    fn deeply_nested_invocation_records_are_an_error_not_a_crash() {
        let n = 20_000;
        let sched = r#"{"source":"aws.events","time":"2026-11-27T06:00:00Z","detail":{}}"#;
        let deep =
            format!("{}{sched}{}", r#"{"requestContext":{},"requestPayload":"#.repeat(n), "}".repeat(n));
        assert!(deep.len() > 700_000 && deep.len() < 1_000_000, "{} bytes", deep.len());
        let outcome = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || window(&deep, t("2026-11-27T06:00:12Z")))
            .unwrap()
            .join()
            .expect("no stack overflow");
        let e = outcome.expect_err("20,000 records deep is refused");
        assert!(e.0.contains("nested more than 3 deep"), "{e}");
        // three records deep (a replay that failed twice more) is still read
        let three =
            format!("{}{sched}{}", r#"{"requestContext":{},"requestPayload":"#.repeat(3), "}".repeat(3));
        assert_eq!(window(&three, t("2026-11-30T13:00:00Z")).unwrap().0, t("2026-11-26T00:00:00Z"));
        let four =
            format!("{}{sched}{}", r#"{"requestContext":{},"requestPayload":"#.repeat(4), "}".repeat(4));
        assert!(window(&four, t("2026-11-27T06:00:12Z")).is_err());
    }

    #[test]
    fn config() {
        let get = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let c = ReporterConfig::from_lookup(get(&[])).unwrap();
        assert_eq!(c.thresholds, Thresholds::default());
        assert!(c.recipients.is_empty());
        let c = ReporterConfig::from_lookup(get(&[
            ("REPORT_RECIPIENTS", "a@x.com, b@y.com"),
            ("REPORT_SENDER", "r@x.com"),
            ("HARD_BOUNCE_THRESHOLDS", "1,2%,3"),
        ]))
        .unwrap();
        assert_eq!(c.recipients.len(), 2);
        assert_eq!(c.thresholds.hard_bounce, Levels([0.01, 0.02, 0.03]));
        let e = ReporterConfig::from_lookup(get(&[("REPORT_RECIPIENTS", "a@x.com")])).unwrap_err();
        assert_eq!(e.var, "REPORT_SENDER");
        let e = ReporterConfig::from_lookup(get(&[("COMPLAINT_THRESHOLDS", "3,2,1")])).unwrap_err();
        assert_eq!(e.var, "COMPLAINT_THRESHOLDS");
    }

    #[tokio::test]
    async fn report_from_source_and_email() {
        let start = t("2026-11-26T00:00:00Z");
        let base = start - Duration::days(7);
        let mut src = PointSource::default();
        for (d, m, v) in [
            ("gmail.com", "Send", 10_000.0),
            ("gmail.com", "Delivery", 9_000.0),
            ("gmail.com", "HardBounce", 900.0),
            ("gmail.com", "Bounce", 1_000.0),
            ("yahoo.com", "Send", 2_000.0),
            ("yahoo.com", "Delivery", 1_990.0),
            ("yahoo.com", "Complaint", 1.0),
        ] {
            src.add(d, m, start, v);
        }
        src.add("gmail.com", "Send", base, 70_000.0);
        src.add("gmail.com", "HardBounce", base, 700.0);
        src.reputation.insert("Reputation.BounceRate".into(), 0.031);
        let cfg = ReporterConfig::from_lookup(|k| match k {
            "REPORT_RECIPIENTS" => Some("ops@example.com".into()),
            "REPORT_SENDER" => Some("reports@example.com".into()),
            _ => None,
        })
        .unwrap();
        let ses = MemorySes::default();
        let r = handle(&cfg, &src, &NoActivity, &ses, "{}", t("2026-11-27T06:00:00Z")).await.unwrap();
        assert_eq!(r.report.total.counts.sends, 12_000.0);
        assert_eq!(r.report.domains[0].domain, "gmail.com");
        assert_eq!(r.report.domains[0].status, Status::Warn, "9% hard bounces: low bound ≈ 8.4% > 5%");
        assert!((r.report.domains[0].volume_vs_baseline.unwrap() - 1.0).abs() < 1e-9);
        assert!((r.report.domains[0].hard_bounce_change_pp.unwrap() - 8.0).abs() < 1e-9);
        assert_eq!(r.report.reputation.bounce_rate, Some(0.031));
        assert!(r.email.sent);
        let sent = ses.sent.lock().unwrap().clone();
        assert_eq!(sent[0].to, vec!["ops@example.com"]);
        assert!(sent[0].subject.starts_with("[WARN] "));
        assert!(sent[0].html.contains("gmail.com") && sent[0].text.contains("gmail.com"));
        // no recipients → no email, same report
        let quiet = ReporterConfig::from_lookup(|_| None).unwrap();
        let ses2 = MemorySes::default();
        let r2 = handle(&quiet, &src, &NoActivity, &ses2, "{}", t("2026-11-27T06:00:00Z")).await.unwrap();
        assert!(!r2.email.sent && ses2.sent.lock().unwrap().is_empty());
        assert_eq!(r2.report, r.report);
    }
}
