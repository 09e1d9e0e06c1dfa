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
use std::io::{BufRead, Write};
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

/// What the in-memory sinks and log writer collected during one invocation.
#[derive(Debug, Default)]
struct Captured {
    emf: Vec<u8>,
    log_bytes: u64,
    log_lines: u64,
    put_requests: u64,
}

/// A writer into the shared [`Captured`] buffer (the EMF sink's output).
#[derive(Debug, Clone)]
struct EmfBuffer(Arc<Mutex<Captured>>);

impl Write for EmfBuffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).emf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A writer that counts the function's log bytes and lines.
#[derive(Debug, Clone)]
struct LogCounter(Arc<Mutex<Captured>>);

impl Write for LogCounter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let mut c = lock(&self.0);
        c.log_bytes += b.len() as u64;
        c.log_lines += b.iter().filter(|x| **x == b'\n').count() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lock(m: &Mutex<Captured>) -> std::sync::MutexGuard<'_, Captured> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The EMF sink into memory, and the PutMetricData requests the `api` sink would make.
struct TapSink {
    emf: EmfSink,
    captured: Arc<Mutex<Captured>>,
}

impl MetricSink for TapSink {
    async fn publish(&self, batch: &MetricBatch) -> Result<PublishReport, SinkError> {
        let requests = crate::sink::cloudwatch::plan_requests(crate::sink::cloudwatch::datums(batch)).len();
        lock(&self.captured).put_requests += requests as u64;
        self.emf.publish(batch).await
    }
}

/// Counts the ledger items an invocation would write.
#[derive(Debug, Default)]
struct CountingLedger(Mutex<u64>);

impl Ledger for CountingLedger {
    async fn record(&self, entries: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += entries.len() as u64;
        Ok(RecordReport { written: entries.len(), ..Default::default() })
    }
    async fn query(&self, _: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        Ok(Vec::new())
    }
    async fn mark_suppressed(&self, _: &[LedgerEntry], _: DateTime<Utc>) -> Result<(), LedgerError> {
        Ok(())
    }
}

/// Totals of one trigger mode over the sample.
#[derive(Debug, Default)]
struct ModeTotals {
    invocations: u64,
    events: u64,
    emf_bytes: u64,
    emf_docs: u64,
    log_bytes: u64,
    measured_ms: f64,
    billed_ms: f64,
    put_requests: u64,
    insight_matched: u64,
}

/// Metric identities per UTC hour.
#[derive(Debug, Default)]
struct Active {
    /// hour → (rollup, metric, dimension values)
    hours: HashMap<i64, HashSet<(String, String, String)>>,
    values: BTreeMap<String, HashSet<String>>,
    namespace: String,
}

impl Active {
    fn add(&mut self, e: &crate::sink::emf::Extracted) {
        let rollup =
            format!("{{{}}}", e.dimensions.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(","));
        let values = e.dimensions.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(",");
        for (k, v) in &e.dimensions {
            self.values.entry(k.clone()).or_default().insert(v.clone());
        }
        self.namespace.clone_from(&e.namespace);
        self.hours.entry(e.timestamp_ms.div_euclid(3_600_000)).or_default().insert((
            rollup,
            e.name.clone(),
            values,
        ));
    }
}

/// The simulation: the function's configuration, sinks and counters.
struct Runner<'c> {
    cfg: &'c IngestConfig,
    sink: TapSink,
    ledger: CountingLedger,
    captured: Arc<Mutex<Captured>>,
    logs: tracing::Dispatch,
    opts: &'c EstimateOptions,
    active: Active,
}

impl Runner<'_> {
    /// One invocation with `payload`, at `now`, counted into `totals`.
    async fn invoke(
        &mut self,
        payload: &str,
        events: u64,
        now: DateTime<Utc>,
        totals: &mut ModeTotals,
        count_metrics: bool,
    ) -> Result<(), EstimateError> {
        let ledger_before = *self.ledger.0.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        ingest::handle_with_ledger(self.cfg, &self.sink, &self.ledger, payload, now)
            .with_subscriber(self.logs.clone())
            .await?;
        let measured_ms = started.elapsed().as_secs_f64() * 1000.0;
        let wrote_ledger = *self.ledger.0.lock().unwrap_or_else(|e| e.into_inner()) > ledger_before;
        let c = std::mem::take(&mut *lock(&self.captured));
        let cpu_share = (f64::from(self.opts.memory_mb) / MB_PER_VCPU).min(1.0);
        let ledger_ms = if wrote_ledger { self.opts.ledger_write_ms } else { 0.0 };
        // Lambda bills whole milliseconds, at least 1.
        let billed = (measured_ms / cpu_share + ledger_ms).ceil().max(1.0);
        totals.invocations += 1;
        totals.events += events;
        totals.measured_ms += measured_ms;
        totals.billed_ms += billed;
        totals.log_bytes += c.log_bytes.saturating_sub(c.log_lines);
        totals.put_requests += c.put_requests;
        for line in c.emf.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            totals.emf_docs += 1;
            totals.emf_bytes += line.len() as u64;
            let doc: serde_json::Value =
                serde_json::from_slice(line).map_err(|e| EstimateError::Emf(e.to_string()))?;
            totals.insight_matched += INSIGHT_RULES.iter().filter(|r| r.matches(&doc)).count() as u64;
            if count_metrics {
                let text = std::str::from_utf8(line).map_err(|e| EstimateError::Emf(e.to_string()))?;
                for e in extract(text).map_err(EstimateError::Emf)? {
                    self.active.add(&e);
                }
            }
        }
        Ok(())
    }
}

/// One SES event of the sample: its JSON and time.
struct SampleEvent {
    json: String,
    time: DateTime<Utc>,
}

/// Reads the sample's SES events one line at a time (the file is never held in memory whole).
struct EventReader<'c, R> {
    lines: std::io::Lines<R>,
    units: Vec<String>,
    last_time: Option<DateTime<Utc>>,
    sample: Sample,
    /// The template's SES CloudWatch destination dimensions (tag, default value).
    ses_dims: Vec<(&'c str, &'c str)>,
    /// hour → (event type, raw tag values) published by that destination.
    ses_destination: HashMap<i64, HashSet<(EventKind, Vec<String>)>>,
}

impl<R: BufRead> EventReader<'_, R> {
    /// The SES events of the next line that has any; `None` at the end.
    fn next_events(&mut self) -> Result<Option<Vec<SampleEvent>>, std::io::Error> {
        for line in self.lines.by_ref() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let mut units = Vec::new();
            envelope::read::<SesDocuments>(&line, &mut units);
            self.units.clear();
            for unit in units {
                match unit.content {
                    Ok(text) => self.units.push(text.into_owned()),
                    Err(_) => self.sample.skipped += 1,
                }
            }
            let mut out = Vec::new();
            for json in self.units.drain(..) {
                let Ok(ev) = SesRecord::from_json(&json).and_then(SesRecord::into_event) else {
                    self.sample.skipped += 1;
                    continue;
                };
                // An event without a time of its own (a bare Send without mail.timestamp) counts
                // at the time of the one before it.
                let Some(time) = ev.timestamp.or(self.last_time) else {
                    self.sample.skipped += 1;
                    continue;
                };
                self.last_time = Some(time);
                let s = &mut self.sample;
                s.events += 1;
                if ev.kind == EventKind::Send {
                    s.emails += ev.recipients.len() as u64;
                }
                s.first = Some(s.first.map_or(time, |t| t.min(time)));
                s.last = Some(s.last.map_or(time, |t| t.max(time)));
                let values: Vec<String> = self
                    .ses_dims
                    .iter()
                    .map(|(tag, default)| {
                        ev.tags
                            .iter()
                            .find(|(k, _)| k == tag)
                            .map_or(*default, |(_, v)| v.as_ref())
                            .to_string()
                    })
                    .collect();
                self.ses_destination
                    .entry(time.timestamp().div_euclid(3600))
                    .or_default()
                    .insert((ev.kind, values));
                drop(ev);
                out.push(SampleEvent { json, time });
            }
            if !out.is_empty() {
                return Ok(Some(out));
            }
        }
        Ok(None)
    }
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

/// Runs the sample through the function for both triggers and prices the result.
///
/// Billed duration per invocation: the handler time measured here (parse, aggregate, encode,
/// log; the EMF written into memory), divided by the CPU share Lambda gives the memory size
/// (`memory / 1769 MB` of a vCPU below 1,769 MB), plus `--ledger-write-ms` when the invocation
/// writes to the offender ledger, rounded up to whole milliseconds, at least 1 ms. This
/// machine is not a Graviton core: the figure is an order of magnitude, and at the defaults the
/// 1 ms minimum decides most invocations anyway.
pub async fn estimate(cfg: &IngestConfig, opts: &EstimateOptions) -> Result<Estimate, EstimateError> {
    // The template always sets LEDGER_TABLE: count the ledger writes as deployed.
    let mut cfg = cfg.clone();
    if cfg.ledger_table.is_none() {
        cfg.ledger_table = Some("estimate".into());
    }
    let captured = Arc::new(Mutex::new(Captured::default()));
    let counter = LogCounter(captured.clone());
    let logs = tracing::Dispatch::new(crate::platform::logging::subscriber(
        crate::platform::logging::filter_from_env(),
        move || counter.clone(),
    ));
    let mut runner = Runner {
        cfg: &cfg,
        sink: TapSink {
            emf: EmfSink::new(Box::new(EmfBuffer(captured.clone()))),
            captured: captured.clone(),
        },
        ledger: CountingLedger::default(),
        captured,
        logs,
        opts,
        active: Active::default(),
    };
    let reader: Box<dyn BufRead> = if opts.path == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&opts.path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", opts.path)))?;
        Box::new(std::io::BufReader::with_capacity(1 << 20, file))
    };
    let mut reader = EventReader {
        lines: reader.lines(),
        units: Vec::new(),
        last_time: None,
        sample: Sample { path: opts.path.clone(), ..Default::default() },
        // the template's destination has the tag dimensions ses-events publishes
        ses_dims: cfg.tag_dimensions.iter().map(|t| (t.name.as_str(), t.default_value.as_str())).collect(),
        ses_destination: HashMap::new(),
    };
    let (mut sns, mut sqs) = (ModeTotals::default(), ModeTotals::default());
    let mut batch: Vec<String> = Vec::new();
    let mut batch_start: Option<DateTime<Utc>> = None;
    while let Some(events) = reader.next_events()? {
        for ev in events {
            // SNS: one invocation per event, shortly after it happened.
            let now = ev.time + Duration::seconds(1);
            let payload = crate::envelope::wrap::sns_lambda_event(std::slice::from_ref(&ev.json), now);
            runner.invoke(&payload, 1, now, &mut sns, false).await?;
            // SQS: the batch closes when its first record has waited the window, or when full.
            if batch_start.is_some_and(|s| ev.time - s >= Duration::seconds(opts.sqs_window_s)) {
                run_batch(&mut runner, &mut batch, &mut batch_start, &mut sqs).await?;
            }
            batch_start.get_or_insert(ev.time);
            batch.push(ev.json);
            if batch.len() >= opts.sqs_batch_size {
                run_batch(&mut runner, &mut batch, &mut batch_start, &mut sqs).await?;
            }
        }
    }
    run_batch(&mut runner, &mut batch, &mut batch_start, &mut sqs).await?;
    let (Some(first), Some(last)) = (reader.sample.first, reader.sample.last) else {
        return Err(EstimateError::Empty);
    };
    let ses_destination: usize = reader.ses_destination.values().map(HashSet::len).sum();
    let ledger_items = *runner.ledger.0.lock().unwrap_or_else(|e| e.into_inner());
    let counted = Counted { active: runner.active, ledger_items, ses_destination };
    Ok(price(&cfg, opts, reader.sample, first, last, counted, [("sns", sns), ("sqs", sqs)]))
}

async fn run_batch(
    runner: &mut Runner<'_>,
    batch: &mut Vec<String>,
    batch_start: &mut Option<DateTime<Utc>>,
    totals: &mut ModeTotals,
) -> Result<(), EstimateError> {
    let Some(start) = batch_start.take() else { return Ok(()) };
    if batch.is_empty() {
        return Ok(());
    }
    // Lambda invokes when the window closes or the batch is full: the records' own times are
    // within the window, so none is clamped.
    let now = start + Duration::seconds(runner.opts.sqs_window_s) + Duration::seconds(1);
    let payload = crate::envelope::wrap::sqs_lambda_event(batch, true, now);
    runner.invoke(&payload, batch.len() as u64, now, totals, true).await?;
    batch.clear();
    Ok(())
}

/// What the run counted besides the trigger totals.
struct Counted {
    active: Active,
    ledger_items: u64,
    /// Metric-hours of SES's own CloudWatch destination over the sample.
    ses_destination: usize,
}

fn price(
    cfg: &IngestConfig,
    opts: &EstimateOptions,
    mut sample: Sample,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    counted: Counted,
    modes: [(&'static str, ModeTotals); 2],
) -> Estimate {
    let Counted { active, ledger_items, ses_destination } = counted;
    let p = PRICES;
    let first_hour = first.timestamp().div_euclid(3600);
    let last_hour = last.timestamp().div_euclid(3600);
    sample.hours = (last_hour - first_hour + 1).max(1) as u64;
    let hours = sample.hours as f64;
    let per_month = HOURS_PER_MONTH / hours;
    sample.events_per_month = sample.events as f64 * per_month;
    sample.emails_per_month = sample.emails as f64 * per_month;
    sample.ses_usd_per_month = sample.emails_per_month / 1000.0 * p.ses_thousand_emails;

    let mut metrics = MetricEstimate { namespace: active.namespace.clone(), ..Default::default() };
    let mut by_metric: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for keys in active.hours.values() {
        for (rollup, name, _) in keys {
            *by_metric.entry(rollup.clone()).or_default().entry(name.clone()).or_default() += 1.0 / hours;
        }
    }
    metrics.active_per_hour = by_metric.values().flat_map(|m| m.values()).sum();
    metrics.by_rollup = by_metric.iter().map(|(r, m)| (r.clone(), m.values().sum())).collect();
    metrics.by_metric = by_metric;
    metrics.dimension_values = active.values.iter().map(|(k, v)| (k.clone(), v.len())).collect();
    metrics.usd_per_month = metrics.active_per_hour * p.metric_month;

    let platform_bytes: usize = PLATFORM_LOG_LINES.iter().map(|l| l.len()).sum();
    let gb_price = match opts.arch {
        Arch::Arm64 => p.lambda_gb_second_arm64,
        Arch::X86_64 => p.lambda_gb_second_x86_64,
    };
    let api = cfg.sink == SinkKind::Api;
    let triggers = modes
        .into_iter()
        .map(|(trigger, t)| {
            let events = t.events.max(1) as f64;
            let inv = t.invocations.max(1) as f64;
            let emf_bytes = if api { 0.0 } else { t.emf_bytes as f64 };
            let log_bytes = emf_bytes + t.log_bytes as f64 + (t.invocations as usize * platform_bytes) as f64;
            let invocations_per_month = t.invocations as f64 * per_month;
            let log_gb_per_month = log_bytes * per_month / 1e9;
            let gb_seconds_per_month = t.billed_ms / 1000.0 * f64::from(opts.memory_mb) / 1024.0 * per_month;
            let put_per_month = if api { t.put_requests as f64 * per_month } else { 0.0 };
            let matched = if opts.insight_rules && !api { t.insight_matched as f64 * per_month } else { 0.0 };
            let insight_rules_usd = if opts.insight_rules {
                INSIGHT_RULES.len() as f64 * p.insight_rule_month + matched / 1e6 * p.insight_matched_million
            } else {
                0.0
            };
            let mut e = TriggerEstimate {
                trigger,
                invocations: t.invocations,
                events_per_invocation: t.events as f64 / inv,
                emf_bytes_per_event: emf_bytes / events,
                emf_documents_per_event: if api { 0.0 } else { t.emf_docs as f64 / events },
                function_log_bytes_per_event: t.log_bytes as f64 / events,
                platform_log_bytes_per_event: (t.invocations as usize * platform_bytes) as f64 / events,
                measured_ms_per_invocation: t.measured_ms / inv,
                billed_ms_per_invocation: t.billed_ms / inv,
                put_metric_data_per_invocation: t.put_requests as f64 / inv,
                invocations_per_month,
                log_gb_per_month,
                gb_seconds_per_month,
                logs_usd: log_gb_per_month * p.logs_ingestion_gb,
                lambda_requests_usd: invocations_per_month / 1e6 * p.lambda_requests_million,
                lambda_duration_usd: gb_seconds_per_month * gb_price,
                put_metric_data_usd: put_per_month / 1000.0 * p.put_metric_data_thousand,
                insight_matched_per_month: matched,
                insight_rules_usd,
                ..Default::default()
            };
            e.total_usd = metrics.usd_per_month
                + e.logs_usd
                + e.lambda_requests_usd
                + e.lambda_duration_usd
                + e.put_metric_data_usd
                + e.insight_rules_usd;
            e.percent_of_ses = if sample.ses_usd_per_month > 0.0 {
                100.0 * e.total_usd / sample.ses_usd_per_month
            } else {
                0.0
            };
            e
        })
        .collect();
    let assumptions = vec![
        format!(
            "metrics: CloudWatch bills USD {:.2} per metric-month, prorated by the hours a metric receives data: \
             USD/month = {:.2} × distinct metrics per UTC hour, averaged over the sample's {} hours (the first tier, \
             up to 10,000 metrics; free tier not deducted)",
            p.metric_month, p.metric_month, sample.hours
        ),
        format!(
            "volume: the sample's rate scaled to a month of {HOURS_PER_MONTH} hours ({:.2} × the sample)",
            per_month
        ),
        format!(
            "SQS batches: cut at {} records or {} s after the first record, following the events' own times \
             (Lambda's pollers may cut smaller batches)",
            opts.sqs_batch_size, opts.sqs_window_s
        ),
        format!(
            "logs: EMF lines and the function's JSON log lines as measured (log level from RUST_LOG / \
             AWS_LAMBDA_LOG_LEVEL, default info), plus Lambda's START/END/REPORT lines ({platform_bytes} bytes \
             an invocation); USD {:.2}/GB ingested; storage (USD 0.03/GB-month, kept LogRetentionDays) not included",
            p.logs_ingestion_gb
        ),
        format!(
            "Lambda: {} MB, {:?}; billed ms = handler time measured here ÷ CPU share ({} MB / {MB_PER_VCPU} MB) + {} ms \
             when the ledger is written, rounded up, at least 1 ms; cold starts not included",
            opts.memory_mb,
            opts.arch,
            opts.memory_mb.min(1769),
            opts.ledger_write_ms
        ),
        format!(
            "Contributor Insights: the template's {} long-tail rules (LongTailInsights=true{}), USD {:.2} a rule-month \
             and USD {:.2} per million EMF lines they match (with METRICS_SINK=api there are no EMF lines to match)",
            INSIGHT_RULES.len(),
            if opts.insight_rules { "" } else { "; left out: --no-insight-rules" },
            p.insight_rule_month,
            p.insight_matched_million
        ),
        "SES's own CloudWatch event destination (SesCloudWatchDestination=true, off by default): a metric per event \
         type and combination of raw EmailType / Campaign values per hour, estimated; not in the totals"
            .to_string(),
        "not included: SNS and SQS requests, DynamoDB writes of the ledger (ledger_items_per_month), alarms, \
         the dashboard, rate-reporter and alarm-suppressor invocations, free tiers"
            .to_string(),
    ];
    let ses_per_hour = ses_destination as f64 / hours;
    Estimate {
        sample,
        configuration: configuration(cfg),
        metrics,
        triggers,
        ledger_items_per_month: ledger_items as f64 * per_month,
        ses_destination: SesDestinationEstimate {
            metrics_per_hour: ses_per_hour,
            usd_per_month: ses_per_hour * p.metric_month,
        },
        prices: Some(p),
        assumptions,
    }
}

/// The configuration as the environment variables that set it.
fn configuration(cfg: &IngestConfig) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    out.insert("METRICS_SINK", cfg.sink.as_str().to_string());
    out.insert("METRIC_NAMESPACE", cfg.namespace.clone());
    out.insert(
        "TAG_DIMENSIONS",
        cfg.tag_dimensions
            .iter()
            .map(|t| format!("{}:{}", t.name, t.default_value))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.insert("DOMAIN_GROUPING", format!("{:?}", cfg.domains.grouping()).to_lowercase());
    out.insert("TRACKED_PROVIDERS", cfg.domains.tracked_providers().join(","));
    out.insert(
        "TRACKED_DOMAINS",
        format!(
            "{} domains tracked in all{}",
            cfg.domains.tracked_len(),
            if cfg.domains.tracks_all() { ", * (every domain)" } else { "" }
        ),
    );
    out.insert("DOMAIN_METRICS", cfg.domain_metrics.to_string());
    out.insert("TOTAL_METRICS", cfg.total_metrics.to_string());
    out.insert("TAG_METRICS", cfg.tag_metrics.to_string());
    out.insert(
        "TAG_VALUES",
        cfg.tag_dimensions.iter().map(|t| format!("{}={}", t.name, t.values)).collect::<Vec<_>>().join(";"),
    );
    out
}

/// The estimate as tables a person reads.
pub fn render(e: &Estimate) -> String {
    let mut s = String::new();
    let w = &mut s;
    use std::fmt::Write as _;
    let smp = &e.sample;
    let _ = writeln!(w, "ses-monitor cost estimate of {}", smp.path);
    let _ = writeln!(
        w,
        "  sample: {} SES events, {} emails, over {} UTC hours ({} to {}){}",
        crate::report::render::fmt_count(smp.events as f64),
        crate::report::render::fmt_count(smp.emails as f64),
        smp.hours,
        smp.first.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        smp.last.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        if smp.skipped > 0 {
            format!("; {} documents that are not SES events", smp.skipped)
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        w,
        "  a month at this rate: {} emails, {} SES events; SES charges USD {:.2} for the emails",
        crate::report::render::fmt_count(smp.emails_per_month),
        crate::report::render::fmt_count(smp.events_per_month),
        smp.ses_usd_per_month
    );
    let _ = writeln!(w, "\nconfiguration (the function's environment variables):");
    for (k, v) in &e.configuration {
        let _ = writeln!(w, "  {k}={v}");
    }
    let m = &e.metrics;
    let _ =
        writeln!(w, "\nmetrics in {}: distinct metrics receiving data per UTC hour (average)", m.namespace);
    let _ = writeln!(w, "  {:<28} {:>10} {:>11}   per metric", "rollup", "metrics/h", "USD/month");
    for (rollup, n) in &m.by_rollup {
        let detail: Vec<String> =
            m.by_metric[rollup].iter().map(|(name, v)| format!("{name} {v:.1}")).collect();
        let _ = writeln!(
            w,
            "  {:<28} {:>10.1} {:>11.2}   {}",
            rollup,
            n,
            n * PRICES.metric_month,
            detail.join(", ")
        );
    }
    let _ = writeln!(w, "  {:<28} {:>10.1} {:>11.2}", "all", m.active_per_hour, m.usd_per_month);
    if !m.dimension_values.is_empty() {
        let vals: Vec<String> = m.dimension_values.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(w, "  distinct dimension values in the sample: {}", vals.join(", "));
    }
    let _ = writeln!(w, "\nper trigger (EventsDelivery):");
    let col = |f: &dyn Fn(&TriggerEstimate) -> String| -> String {
        e.triggers.iter().map(|t| format!("{:>16}", f(t))).collect::<Vec<_>>().join("")
    };
    let rows: Vec<(&str, String)> = vec![
        ("trigger", col(&|t| t.trigger.to_string())),
        ("events / invocation", col(&|t| format!("{:.1}", t.events_per_invocation))),
        ("invocations / month", col(&|t| crate::report::render::fmt_count(t.invocations_per_month))),
        ("EMF bytes / event", col(&|t| format!("{:.0}", t.emf_bytes_per_event))),
        ("EMF documents / event", col(&|t| format!("{:.2}", t.emf_documents_per_event))),
        ("function log bytes / event", col(&|t| format!("{:.0}", t.function_log_bytes_per_event))),
        ("Lambda log bytes / event", col(&|t| format!("{:.0}", t.platform_log_bytes_per_event))),
        ("log GB / month", col(&|t| format!("{:.3}", t.log_gb_per_month))),
        ("measured ms / invocation", col(&|t| format!("{:.3}", t.measured_ms_per_invocation))),
        ("billed ms / invocation", col(&|t| format!("{:.2}", t.billed_ms_per_invocation))),
        ("GB-s / month", col(&|t| format!("{:.0}", t.gb_seconds_per_month))),
        (
            "PutMetricData (api) / month",
            col(&|t| {
                crate::report::render::fmt_count(t.put_metric_data_per_invocation * t.invocations_per_month)
            }),
        ),
        ("USD / month: metrics", col(&|_| format!("{:.2}", m.usd_per_month))),
        ("USD / month: logs", col(&|t| format!("{:.2}", t.logs_usd))),
        ("USD / month: Lambda requests", col(&|t| format!("{:.2}", t.lambda_requests_usd))),
        ("USD / month: Lambda duration", col(&|t| format!("{:.2}", t.lambda_duration_usd))),
        ("USD / month: PutMetricData", col(&|t| format!("{:.2}", t.put_metric_data_usd))),
        ("USD / month: Contributor Insights", col(&|t| format!("{:.2}", t.insight_rules_usd))),
        ("USD / month: total", col(&|t| format!("{:.2}", t.total_usd))),
        ("% of the SES bill", col(&|t| format!("{:.1} %", t.percent_of_ses))),
    ];
    for (label, cells) in &rows {
        let _ = writeln!(w, "  {label:<34}{cells}");
    }
    let _ = writeln!(
        w,
        "  offender-ledger items / month: {}",
        crate::report::render::fmt_count(e.ledger_items_per_month)
    );
    let _ = writeln!(
        w,
        "  SES's own CloudWatch event destination, if enabled (SesCloudWatchDestination=true): {:.1} metrics/h, \
         USD {:.2} / month more",
        e.ses_destination.metrics_per_hour, e.ses_destination.usd_per_month
    );
    let p = PRICES;
    let _ = writeln!(
        w,
        "\nprices (USD): metric-month {:.2}; logs {:.2}/GB; Lambda {:.2}/M requests, {}/GB-s arm64, {}/GB-s \
         x86_64; PutMetricData {:.2}/1000; Contributor Insights {:.2}/rule-month + {:.2}/M matched events; \
         SES {:.2}/1000 emails\n  read {}",
        p.metric_month,
        p.logs_ingestion_gb,
        p.lambda_requests_million,
        p.lambda_gb_second_arm64,
        p.lambda_gb_second_x86_64,
        p.put_metric_data_thousand,
        p.insight_rule_month,
        p.insight_matched_million,
        p.ses_thousand_emails,
        p.read
    );
    let _ = writeln!(w, "assumptions:");
    for a in &e.assumptions {
        let _ = writeln!(w, "  - {a}");
    }
    s
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
