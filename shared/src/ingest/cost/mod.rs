//! What ses-monitor costs a sender, estimated before deploying: `ses-events --estimate-cost PATH`.
//!
//! The sample is the sender's own SES events, one per line (a Firehose / S3 export, or what
//! `cargo run -p ses-monitor --example sender_traffic` writes); any payload ses-events accepts
//! works, one per line. Each event goes through the real code of the function, as deployed,
//! with the configuration of the same environment variables ([`IngestConfig::from_env`]):
//!
//! - **SNS trigger** (`EventsDelivery=sns`): one invocation per event, an SNS→Lambda event;
//! - **SQS trigger** (`EventsDelivery=sqs`): SQS→Lambda events of raw SES bodies, cut as Lambda's
//!   batching does: at `--sqs-batch-size` records or when the first record has waited
//!   `--sqs-window-seconds` (the template's defaults: 100 and 10 s), following the events' own
//!   times.
//!
//! Each invocation runs [`ingest::handle_with_ledger`] with the EMF sink writing into memory and
//! the function's JSON log format at its log level; what it writes is measured, not guessed. The
//! metrics are what CloudWatch would extract from those EMF lines ([`emf::extract`]): a metric is
//! its namespace, name and dimension values, and CloudWatch bills each one for the hours in which
//! it receives data (USD 0.30 a month at the first tier, prorated by the hour: a metric that
//! receives data in every hour of a 730-hour month costs USD 0.30). So the bill is the number of
//! distinct metrics receiving data in each UTC hour of the sample, averaged, × USD 0.30.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tracing::instrument::WithSubscriber;

use crate::envelope;
use crate::ingest;
use crate::ledger::{Ledger, LedgerEntry, LedgerError, LedgerQuery, RecordReport};
use crate::metrics::MetricBatch;
use crate::platform::config::{IngestConfig, SinkKind};
use crate::ses::{EventKind, SesDocuments, SesRecord};
use crate::sink::emf::{EmfSink, extract};
use crate::sink::{MetricSink, PublishReport, SinkError};

mod render;
mod replay;

pub use render::render;
pub use replay::estimate;

/// Prices the estimate uses (USD, region us-east-1, first tier, before free tiers).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Prices {
    /// When and where they were read.
    pub read: &'static str,
    /// A custom metric for a month (prorated by the hours in which it receives data).
    pub metric_month: f64,
    /// CloudWatch Logs ingestion per GB (standard class; Lambda logs' first tier).
    pub logs_ingestion_gb: f64,
    /// Lambda requests, per million.
    pub lambda_requests_million: f64,
    /// Lambda duration per GB-second, arm64.
    pub lambda_gb_second_arm64: f64,
    /// Lambda duration per GB-second, x86_64.
    pub lambda_gb_second_x86_64: f64,
    /// PutMetricData, per 1,000 requests (`METRICS_SINK=api`).
    pub put_metric_data_thousand: f64,
    /// Contributor Insights: a rule for a month.
    pub insight_rule_month: f64,
    /// Contributor Insights: per million log events that match a rule.
    pub insight_matched_million: f64,
    /// SES: outbound email per 1,000 (for the comparison).
    pub ses_thousand_emails: f64,
}

/// The prices, as read on the date they carry.
pub const PRICES: Prices = Prices {
    read: "2026-12-01, us-east-1: aws.amazon.com/cloudwatch/pricing (metrics, logs, Contributor \
           Insights), aws.amazon.com/lambda/pricing (requests, GB-s), aws.amazon.com/ses/pricing",
    metric_month: 0.30,
    logs_ingestion_gb: 0.50,
    lambda_requests_million: 0.20,
    lambda_gb_second_arm64: 0.000_013_333_4,
    lambda_gb_second_x86_64: 0.000_016_666_7,
    put_metric_data_thousand: 0.01,
    insight_rule_month: 0.50,
    insight_matched_million: 0.02,
    ses_thousand_emails: 0.10,
};

/// Hours in the month the estimate is scaled to.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Lambda's own log lines per invocation (the text log format the template uses): START, END
/// and REPORT, as the Lambda documentation shows them (request ids are 36 characters).
pub const PLATFORM_LOG_LINES: [&str; 3] = [
    "START RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95 Version: $LATEST",
    "END RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95",
    "REPORT RequestId: 8f507cfc-xmpl-4697-b07a-ac58fc914c95\tDuration: 1.52 ms\tBilled Duration: 2 ms\t\
     Memory Size: 256 MB\tMax Memory Used: 21 MB\t",
];

/// A vCPU's worth of Lambda memory: below it a function gets `memory / 1769` of a CPU, so the
/// handler time measured here is scaled by that share.
pub const MB_PER_VCPU: f64 = 1769.0;

/// A Contributor Insights rule of the template (`LongTailInsights=true`) over the EMF lines of
/// ses-events: the untracked domains (`RecipientDomain` = `other`, the domain in
/// `OtherRecipientDomain`) ranked by the sum of one metric. The template's `AWS::CloudWatch::
/// InsightRule` bodies are checked against these (`template_intent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct InsightRule {
    /// The rule name after the stack name (`<stack>-<suffix>`).
    pub suffix: &'static str,
    /// The contributor key: the property with the domain behind `other`.
    pub key: &'static str,
    /// The metric summed.
    pub value: &'static str,
}

/// The template's long-tail rules: top untracked domains by hard bounces and by complaints.
pub const INSIGHT_RULES: [InsightRule; 2] = [
    InsightRule {
        suffix: "untracked-domains-hard-bounces",
        key: "OtherRecipientDomain",
        value: "HardBounce",
    },
    InsightRule { suffix: "untracked-domains-complaints", key: "OtherRecipientDomain", value: "Complaint" },
];

impl InsightRule {
    /// Whether an EMF document (a log event) matches the rule's filters: `RecipientDomain` in
    /// [`crate::ses::domains::OTHER`] and the value greater than 0. Matched log events are billed.
    pub fn matches(&self, doc: &serde_json::Value) -> bool {
        doc.get(crate::metrics::RECIPIENT_DOMAIN).and_then(serde_json::Value::as_str)
            == Some(crate::ses::domains::OTHER)
            && doc.get(self.value).and_then(serde_json::Value::as_f64).is_some_and(|v| v > 0.0)
    }
}

/// CPU architecture of the function (its GB-second price).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    /// Graviton, the template's default.
    Arm64,
    /// x86_64.
    X86_64,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateOptions {
    /// The sample (JSON lines; `-` = stdin).
    pub path: String,
    /// Print the estimate as JSON instead of tables.
    pub json: bool,
    /// `--sqs-batch-size` (template parameter `SqsBatchSize`, default 100).
    pub sqs_batch_size: usize,
    /// `--sqs-window-seconds` (template parameter `SqsBatchingWindowSeconds`, default 10).
    pub sqs_window_s: i64,
    /// `--memory-mb` (the template's 256).
    pub memory_mb: u32,
    /// `--architecture` (template parameter `Architecture`, default arm64).
    pub arch: Arch,
    /// `--ledger-write-ms`: the DynamoDB round trip added to an invocation that writes to the
    /// offender ledger (default 10; DynamoDB answers in single-digit milliseconds in-region).
    pub ledger_write_ms: f64,
    /// `--no-insight-rules`: the stack is deployed with `LongTailInsights=false`.
    pub insight_rules: bool,
    /// `--help`: print [`USAGE`] and nothing else.
    pub help: bool,
}

/// Usage of `--estimate-cost`.
pub const USAGE: &str = "ses-events --estimate-cost PATH [--json] [--sqs-batch-size N] \
[--sqs-window-seconds N] [--memory-mb N] [--architecture arm64|x86_64] [--ledger-write-ms N] \
[--no-insight-rules]\n\
  PATH: a sample of your SES events, one JSON document per line (`-` = stdin); the configuration\n\
  is read from the same environment variables as the function (METRICS_SINK, DOMAIN_METRICS, ...)";

impl EstimateOptions {
    /// Options from the arguments after `--estimate-cost` when the command line starts with it,
    /// else `None` (another mode).
    pub fn from_args(args: &[String]) -> Option<Result<Self, String>> {
        (args.first().map(String::as_str) == Some("--estimate-cost")).then(|| Self::parse(&args[1..]))
    }

    /// Parses `PATH [options]`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut o = Self {
            path: String::new(),
            json: false,
            sqs_batch_size: 100,
            sqs_window_s: 10,
            memory_mb: 256,
            arch: Arch::Arm64,
            ledger_write_ms: 10.0,
            insight_rules: true,
            help: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || it.next().ok_or(format!("{a} needs a value"));
            let number = |v: &str, range: std::ops::RangeInclusive<u64>| -> Result<u64, String> {
                v.parse::<u64>().ok().filter(|n| range.contains(n)).ok_or(format!(
                    "{a} {v}: a whole number from {} to {}",
                    range.start(),
                    range.end()
                ))
            };
            match a.as_str() {
                "--json" => o.json = true,
                "--no-insight-rules" => o.insight_rules = false,
                "--help" | "-h" => o.help = true,
                "--sqs-batch-size" => o.sqs_batch_size = number(value()?, 1..=10_000)? as usize,
                "--sqs-window-seconds" => o.sqs_window_s = number(value()?, 0..=300)? as i64,
                "--memory-mb" => o.memory_mb = number(value()?, 128..=10_240)? as u32,
                "--ledger-write-ms" => o.ledger_write_ms = number(value()?, 0..=10_000)? as f64,
                "--architecture" => {
                    o.arch = match value()?.as_str() {
                        "arm64" => Arch::Arm64,
                        "x86_64" => Arch::X86_64,
                        other => return Err(format!("--architecture {other}: arm64 or x86_64")),
                    }
                }
                p if o.path.is_empty() && (p == "-" || !p.starts_with("--")) => o.path = p.to_string(),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if o.path.is_empty() && !o.help {
            return Err("--estimate-cost needs the path of a sample (JSON lines; - for stdin)".into());
        }
        Ok(o)
    }
}

/// The sample as read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sample {
    /// The file.
    pub path: String,
    /// SES events in it.
    pub events: u64,
    /// Emails (recipients of Send events).
    pub emails: u64,
    /// Documents that are not SES events (they cost a log line each and nothing else).
    pub skipped: u64,
    /// First event time.
    pub first: Option<DateTime<Utc>>,
    /// Last event time.
    pub last: Option<DateTime<Utc>>,
    /// UTC hours from the first event's to the last event's, both included.
    pub hours: u64,
    /// Events per month at the sample's rate.
    pub events_per_month: f64,
    /// Emails per month at the sample's rate.
    pub emails_per_month: f64,
    /// What SES charges for those emails.
    pub ses_usd_per_month: f64,
}

/// The metric part of the bill.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MetricEstimate {
    /// Namespace.
    pub namespace: String,
    /// Distinct metrics receiving data in a UTC hour, averaged over the sample's hours.
    pub active_per_hour: f64,
    /// The same per rollup (`{}` = totals, `{RecipientDomain}`, `{EmailType}`, …).
    pub by_rollup: BTreeMap<String, f64>,
    /// Per rollup and metric name.
    pub by_metric: BTreeMap<String, BTreeMap<String, f64>>,
    /// Distinct values of each dimension over the whole sample.
    pub dimension_values: BTreeMap<String, usize>,
    /// USD a month: `active_per_hour` × the metric price.
    pub usd_per_month: f64,
}

/// One trigger mode.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TriggerEstimate {
    /// `sns` or `sqs`.
    pub trigger: &'static str,
    /// Invocations in the sample.
    pub invocations: u64,
    /// Average SES events per invocation.
    pub events_per_invocation: f64,
    /// EMF log bytes per SES event (what the EMF sink writes; 0 with `METRICS_SINK=api`).
    pub emf_bytes_per_event: f64,
    /// EMF documents (log events) per SES event.
    pub emf_documents_per_event: f64,
    /// Bytes of the function's own JSON log lines per SES event, at its log level.
    pub function_log_bytes_per_event: f64,
    /// Bytes of Lambda's START / END / REPORT lines per SES event.
    pub platform_log_bytes_per_event: f64,
    /// Handler time measured here per invocation, in ms (before the CPU-share scaling).
    pub measured_ms_per_invocation: f64,
    /// Billed duration per invocation, in ms (see [`estimate`]).
    pub billed_ms_per_invocation: f64,
    /// PutMetricData requests per invocation with `METRICS_SINK=api`.
    pub put_metric_data_per_invocation: f64,
    /// Invocations per month.
    pub invocations_per_month: f64,
    /// Log GB per month.
    pub log_gb_per_month: f64,
    /// Lambda GB-seconds per month.
    pub gb_seconds_per_month: f64,
    /// USD per month for the logs.
    pub logs_usd: f64,
    /// USD per month for Lambda requests.
    pub lambda_requests_usd: f64,
    /// USD per month for Lambda duration.
    pub lambda_duration_usd: f64,
    /// USD per month for PutMetricData (`METRICS_SINK=api` only).
    pub put_metric_data_usd: f64,
    /// Log events per month matched by the template's Contributor Insights rules.
    pub insight_matched_per_month: f64,
    /// USD per month for those rules (per rule and per matched event; 0 with
    /// `--no-insight-rules`).
    pub insight_rules_usd: f64,
    /// Everything: metrics, logs, Lambda, PutMetricData, Contributor Insights.
    pub total_usd: f64,
    /// `total_usd` against what SES charges for the same emails, in percent.
    pub percent_of_ses: f64,
}

/// SES's CloudWatch event destination, estimated: SES publishes a metric per event type and
/// combination of the destination's dimension values (`EmailType`, `Campaign`, the raw tag
/// values: SES caps nothing), in the `AWS/SES` namespace, billed as custom metrics.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SesDestinationEstimate {
    /// Distinct (event type, tag values) per UTC hour, averaged.
    pub metrics_per_hour: f64,
    /// USD a month.
    pub usd_per_month: f64,
}

/// The whole estimate.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Estimate {
    /// The sample.
    pub sample: Sample,
    /// The configuration it was made for (the environment variables that set it).
    pub configuration: BTreeMap<&'static str, String>,
    /// Metrics.
    pub metrics: MetricEstimate,
    /// Per trigger mode.
    pub triggers: Vec<TriggerEstimate>,
    /// Offender-ledger items written per month (one per bounced or complaining recipient).
    pub ledger_items_per_month: f64,
    /// What SES's own CloudWatch event destination would add (template parameter
    /// `SesCloudWatchDestination=true`; off by default, not in the totals).
    pub ses_destination: SesDestinationEstimate,
    /// Prices used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prices: Option<Prices>,
    /// How the numbers were made.
    pub assumptions: Vec<String>,
}

/// A failure to read the sample or to run it.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError {
    /// The sample could not be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// An invocation failed (it would have failed in Lambda too).
    #[error("invocation failed: {0}")]
    Publish(#[from] ingest::PublishError),
    /// The EMF the function wrote is not what CloudWatch accepts.
    #[error("EMF document rejected: {0}")]
    Emf(String),
    /// No SES event in the sample.
    #[error("the sample holds no SES event")]
    Empty,
}

/// `ses-events --estimate-cost …`: `None` when the arguments ask for something else; otherwise
/// runs the estimate with the configuration in the environment and prints it (a table, or JSON
/// with `--json`), errors as one line for a person.
pub async fn run_cli(args: &[String]) -> Option<std::process::ExitCode> {
    use std::process::ExitCode;
    let opts = EstimateOptions::from_args(args)?;
    crate::platform::logging::init();
    let result = async {
        let opts = opts.map_err(|e| format!("{e}\nusage: {USAGE}"))?;
        if opts.help {
            println!("usage: {USAGE}");
            return Ok(());
        }
        let cfg = IngestConfig::from_env().map_err(|e| e.to_string())?;
        let estimate = estimate(&cfg, &opts).await.map_err(|e| e.to_string())?;
        if opts.json {
            println!("{}", serde_json::to_string_pretty(&estimate).map_err(|e| e.to_string())?);
        } else {
            print!("{}", render(&estimate));
        }
        Ok::<_, String>(())
    };
    Some(match result.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        assert!(EstimateOptions::from_args(&args(&["--event", "x"])).is_none());
        let o = EstimateOptions::from_args(&args(&["--estimate-cost", "s.jsonl"])).unwrap().unwrap();
        assert_eq!(
            (o.path.as_str(), o.sqs_batch_size, o.sqs_window_s, o.memory_mb),
            ("s.jsonl", 100, 10, 256)
        );
        assert_eq!(o.arch, Arch::Arm64);
        let o = EstimateOptions::parse(&args(&[
            "--json",
            "-",
            "--sqs-batch-size",
            "10",
            "--architecture",
            "x86_64",
            "--memory-mb",
            "512",
        ]))
        .unwrap();
        assert!(o.json);
        assert_eq!((o.path.as_str(), o.sqs_batch_size, o.memory_mb, o.arch), ("-", 10, 512, Arch::X86_64));
        assert!(EstimateOptions::parse(&args(&["--help"])).unwrap().help);
        for bad in [&["--sqs-batch-size", "0", "x"][..], &["x", "--memory-mb", "64"], &[], &["x", "--bogus"]]
        {
            assert!(EstimateOptions::parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    fn write_sample(name: &str, lines: &[String]) -> String {
        let path = std::env::temp_dir().join(format!("ses-monitor-cost-{}-{name}.jsonl", std::process::id()));
        std::fs::write(&path, lines.join("\n")).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn event(kind: &str, detail: &str, at: &str, domain: &str) -> String {
        format!(
            r#"{{"eventType":"{kind}","mail":{{"timestamp":"{at}","messageId":"m-{at}","destination":["a@{domain}"],
            "tags":{{"EmailType":["news"],"Campaign":["spring"]}}}}{detail}}}"#
        )
        .replace('\n', "")
    }

    #[tokio::test]
    async fn counts_metrics_per_hour_and_invocations_per_trigger() {
        let delivery = |at: &str| {
            event(
                "Delivery",
                &format!(
                    r#","delivery":{{"timestamp":"{at}","processingTimeMillis":900,"recipients":["a@gmail.com"]}}"#
                ),
                at,
                "gmail.com",
            )
        };
        // Hour 10: a Send and a Delivery to gmail.com, 3 s apart (one SQS batch); hour 12: a
        // Send to an untracked domain and its hard bounce 5 s later. Hour 11 is empty but part of
        // the sample's span.
        let lines = [
            event("Send", "", "2026-11-02T10:00:00Z", "gmail.com"),
            delivery("2026-11-02T10:00:03Z"),
            String::new(),
            event("Send", "", "2026-11-02T12:30:00Z", "example.org"),
            event(
                "Bounce",
                r#","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@example.org"}],"timestamp":"2026-11-02T12:30:05Z"}"#,
                "2026-11-02T12:30:00Z",
                "example.org",
            ),
            "not json".to_string(),
        ];
        let opts = EstimateOptions::parse(&args(&[&write_sample("hours", &lines)])).unwrap();
        // Every metric in every rollup, every tag value.
        let everything = IngestConfig::from_lookup(|k| match k {
            "DOMAIN_METRICS" | "TAG_METRICS" => Some("all".into()),
            "TAG_VALUES" => Some("EmailType=*;Campaign=*".into()),
            _ => None,
        })
        .unwrap();
        let e = estimate(&everything, &opts).await.unwrap();
        // The defaults: hour 10 has Send, Delivery, DeliveryLatency in the totals, Send and
        // Delivery for gmail, Send for EmailType=other and Campaign=other (7); hour 12 has Send
        // in each of the four rollups, Bounce and HardBounce in the totals, HardBounce in the
        // other three (9).
        let lean = estimate(&IngestConfig::default(), &opts).await.unwrap();
        let _ = std::fs::remove_file(&opts.path);
        assert!((lean.metrics.active_per_hour - 16.0 / 3.0).abs() < 1e-9, "{:?}", lean.metrics);
        // One untracked domain's hard bounce: one EMF line the hard-bounce rule matches, whatever
        // the trigger; 3 events in 3 hours is 730 a month.
        for t in &lean.triggers {
            assert!((t.insight_matched_per_month - 730.0 / 3.0).abs() < 1e-6, "{t:?}");
            let usd = 2.0 * 0.50 + 730.0 / 3.0 / 1e6 * 0.02;
            assert!((t.insight_rules_usd - usd).abs() < 1e-9);
        }
        // SES's destination: (Send, Delivery) × (news, spring) in hour 10, (Send, Bounce) in 12.
        assert!((lean.ses_destination.metrics_per_hour - 4.0 / 3.0).abs() < 1e-9);
        assert_eq!((e.sample.events, e.sample.emails, e.sample.skipped, e.sample.hours), (4, 2, 1, 3));
        // Hour 10: {Send, Delivery, DeliveryLatency} × {}, {RecipientDomain}, {EmailType},
        // {Campaign} = 12 metrics; hour 12: {Send, Bounce, HardBounce} × 4 rollups = 12.
        // (12 + 0 + 12) / 3 hours.
        assert!((e.metrics.active_per_hour - 8.0).abs() < 1e-9, "{:?}", e.metrics);
        assert!((e.metrics.by_rollup["{RecipientDomain}"] - 2.0).abs() < 1e-9);
        assert!((e.metrics.usd_per_month - 8.0 * 0.30).abs() < 1e-9);
        assert_eq!(e.metrics.dimension_values["RecipientDomain"], 2);
        let sns = &e.triggers[0];
        let sqs = &e.triggers[1];
        assert_eq!((sns.trigger, sns.invocations), ("sns", 4));
        assert_eq!((sqs.trigger, sqs.invocations), ("sqs", 2), "the two events of each hour in one batch");
        assert!(sns.emf_bytes_per_event > 100.0 && sns.function_log_bytes_per_event > 50.0);
        assert!((sqs.events_per_invocation - 2.0).abs() < 1e-9);
        assert!(sns.billed_ms_per_invocation >= 1.0);
        // monthly: 4 events in 3 hours
        assert!((e.sample.events_per_month - 4.0 * 730.0 / 3.0).abs() < 1e-6);
        assert!((sns.invocations_per_month - 4.0 * 730.0 / 3.0).abs() < 1e-6);
        assert!(e.triggers.iter().all(|t| t.total_usd > e.metrics.usd_per_month));
        let text = render(&e);
        assert!(text.contains("{RecipientDomain}") && text.contains("USD / month: total"), "{text}");
    }

    #[tokio::test]
    async fn an_empty_sample_is_an_error() {
        let opts = EstimateOptions::parse(&args(&[&write_sample("empty", &["{}".to_string()])])).unwrap();
        let r = estimate(&IngestConfig::default(), &opts).await;
        let _ = std::fs::remove_file(&opts.path);
        assert!(matches!(r, Err(EstimateError::Empty)));
        let opts = EstimateOptions::parse(&args(&["/nonexistent/sample.jsonl"])).unwrap();
        assert!(matches!(estimate(&IngestConfig::default(), &opts).await, Err(EstimateError::Io(_))));
    }
}
