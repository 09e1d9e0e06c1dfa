//! One ses-events invocation: payload → SES events → aggregated metrics → sink → result JSON.

pub mod backfill;
pub mod cost;
mod function;

pub use function::Function;

use std::collections::BTreeMap;

use aws_lambda_events::sqs::SqsBatchResponse;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::envelope::{self, Origin, Unit};
use crate::ledger::{Ledger, LedgerEntry, NoLedger, RecordReport, entries_for, untimed_offenders};
use crate::metrics::{Aggregator, MetricBatch};
use crate::platform::config::IngestConfig;
use crate::platform::logging::{redact, scrub};
use crate::ses::{EventBridgeRecord, EventKind, SesDocuments, SesError, SesInPlace, SesRecord};
use crate::sink::{MetricSink, PublishReport, SinkError};

/// Why a record was not counted. The code (`as_str`) appears in logs and in the result's
/// `skip_reasons`: the transport's reasons ([`envelope::SkipReason`]) and the SES ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// A transport-level reason: not JSON, an unrecognised payload, no SNS message, plain text, a
    /// topic-validation notice, an SNS control message.
    Transport(envelope::SkipReason),
    /// SES `AmazonSnsSubscriptionSucceeded` set-up notice (benign).
    SesSetupNotice,
    /// JSON that has neither `eventType` nor `notificationType`.
    NotSesEvent,
    /// An SES type this version does not know (SES added one); counted, not retried.
    UnknownEventType,
    /// An SES record whose fields have the wrong structure, or lack the type's detail object.
    InvalidSesEvent,
    /// An SES event that names no recipient.
    NoRecipients,
}

impl SkipReason {
    /// Stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transport(t) => t.as_str(),
            Self::SesSetupNotice => "ses_setup_notice",
            Self::NotSesEvent => "not_an_ses_event",
            Self::UnknownEventType => "unknown_event_type",
            Self::InvalidSesEvent => "invalid_ses_event",
            Self::NoRecipients => "no_recipients",
        }
    }

    /// Whether this is bad input (an SQS record with it is reported as failed, so it is retried
    /// and ends in the dead-letter queue) rather than an expected non-event that is acknowledged.
    pub fn is_bad_input(self) -> bool {
        match self {
            Self::Transport(t) => t.is_bad_input(),
            Self::SesSetupNotice | Self::UnknownEventType => false,
            Self::NotSesEvent | Self::InvalidSesEvent | Self::NoRecipients => true,
        }
    }
}

/// A record that was not counted, with a reason and a short detail for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The reason code.
    pub reason: SkipReason,
    /// A short explanation (never a recipient address).
    pub detail: String,
}

impl Skip {
    fn new(reason: SkipReason, detail: impl Into<String>) -> Self {
        Self { reason, detail: detail.into() }
    }
}

impl From<envelope::Skip> for Skip {
    fn from(s: envelope::Skip) -> Self {
        Self { reason: SkipReason::Transport(s.reason), detail: s.detail }
    }
}

/// CloudWatch refuses data points older than two weeks; keep a margin for the time a request
/// takes to arrive.
const MAX_AGE: Duration = Duration::minutes(14 * 24 * 60 - 10);
/// CloudWatch refuses data points more than two hours in the future.
const MAX_AHEAD: Duration = Duration::minutes(2 * 60 - 5);

/// What one invocation did, returned as the function's result (and printed by `--event`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    /// SES events counted.
    pub events: u64,
    /// Recipients those events concerned.
    pub recipients: u64,
    /// Records not counted.
    pub skipped: u64,
    /// Skipped records by reason code.
    pub skip_reasons: BTreeMap<&'static str, u64>,
    /// Counted events by type.
    pub by_type: BTreeMap<&'static str, u64>,
    /// Events whose own time CloudWatch would refuse (older than 14 days or more than 2 hours
    /// ahead), published at the invocation time instead.
    pub clamped_timestamps: u64,
    /// Deliveries whose `processingTimeMillis` was unusable (negative, not a number, over 24
    /// hours: `ses::MAX_LATENCY_MS`): counted, their latency not published.
    pub unusable_latencies: u64,
    /// What was published.
    pub metrics: MetricsSummary,
    /// Offender-ledger writes (absent when no ledger is configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<RecordReport>,
    /// For SQS events: Lambda's partial batch response (`batchItemFailures`: the records to
    /// retry), flattened into the result; absent for other triggers.
    #[serde(flatten)]
    pub sqs_batch_response: Option<SqsBatchResponse>,
}

impl Summary {
    /// Adds the summary of another part of the same input (an archive published in parts).
    pub fn add(&mut self, part: Summary) {
        self.events += part.events;
        self.recipients += part.recipients;
        self.skipped += part.skipped;
        for (reason, n) in part.skip_reasons {
            *self.skip_reasons.entry(reason).or_default() += n;
        }
        for (kind, n) in part.by_type {
            *self.by_type.entry(kind).or_default() += n;
        }
        self.clamped_timestamps += part.clamped_timestamps;
        self.unusable_latencies += part.unusable_latencies;
        let (m, p) = (&mut self.metrics, part.metrics);
        (m.sink, m.namespace) = (p.sink, p.namespace);
        m.series += p.series;
        m.datums += p.datums;
        m.requests += p.requests;
        for (name, n) in p.totals {
            *m.totals.entry(name).or_default() += n;
        }
        if let Some(r) = part.ledger {
            let l = self.ledger.get_or_insert_with(RecordReport::default);
            l.written += r.written;
            l.duplicates += r.duplicates;
            l.expired += r.expired;
            l.untimed += r.untimed;
        }
        if let Some(r) = part.sqs_batch_response {
            let mine = self.sqs_batch_response.get_or_insert_with(SqsBatchResponse::default);
            mine.batch_item_failures.extend(r.batch_item_failures);
        }
    }

    /// For SQS events, the `messageId`s Lambda is asked to retry.
    pub fn retry_ids(&self) -> Option<Vec<&str>> {
        self.sqs_batch_response
            .as_ref()
            .map(|r| r.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect())
    }
}

/// The published part of a [`Summary`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct MetricsSummary {
    /// `emf` or `api`.
    pub sink: &'static str,
    /// Namespace.
    pub namespace: String,
    /// Series (minute × dimension set).
    pub series: usize,
    /// Data points (EMF metric values or PutMetricData datums).
    pub datums: usize,
    /// PutMetricData requests (0 for EMF).
    pub requests: usize,
    /// Totals per metric over the `{}` series.
    pub totals: BTreeMap<&'static str, u64>,
}

/// The result of reading a payload, before publishing.
#[derive(Debug)]
pub struct Ingested {
    /// Counts so far (`metrics` is filled by [`publish`]).
    pub summary: Summary,
    /// The aggregated metrics.
    pub batch: MetricBatch,
    /// Offender-ledger entries (bounced and complaining recipients).
    pub ledger_entries: Vec<LedgerEntry>,
    /// Offenders of events without any time, which get no ledger entry
    /// ([`crate::ledger::untimed_offenders`]).
    pub untimed_offenders: usize,
    /// The invocation time the payload was read at.
    pub now: DateTime<Utc>,
}

/// Reads a payload: unwraps envelopes, parses SES events, aggregates them. Never fails: every
/// record that cannot be used is logged and counted with its reason.
pub fn ingest(cfg: &IngestConfig, payload: &str, now: DateTime<Utc>) -> Ingested {
    let mut reader = Reader::new(cfg, now);
    reader.read(payload);
    reader.finish()
}

/// What [`ingest`] does, a payload (or a line of an archive) at a time: the envelope reader hands
/// it each document as it finds it, and it counts it at once. A document that is an SES event as
/// it is (a line of an archive, a raw SQS body, a payload of SES JSON) is parsed once, as an SES
/// event, without the envelope reader's probe.
#[derive(Debug)]
pub struct Reader<'c> {
    cfg: &'c IngestConfig,
    agg: Aggregator<'c>,
    summary: Summary,
    response: Option<SqsBatchResponse>,
    ledger_entries: Vec<LedgerEntry>,
    untimed: usize,
    /// Events counted per kind (in [`EventKind::ALL`]'s order), `summary.by_type` at the end:
    /// an array index per event instead of a map lookup.
    by_kind: [u64; EventKind::ALL.len()],
    now: DateTime<Utc>,
    now_minute: i64,
}

impl<'c> Reader<'c> {
    /// Nothing read yet, at the invocation time `now`.
    pub fn new(cfg: &'c IngestConfig, now: DateTime<Utc>) -> Self {
        Self {
            cfg,
            agg: Aggregator::new(cfg),
            summary: Summary::default(),
            response: None,
            ledger_entries: Vec::new(),
            untimed: 0,
            by_kind: [0; EventKind::ALL.len()],
            now,
            now_minute: minute_of(now),
        }
    }

    /// Reads a whole payload (a Lambda event, an envelope, SES JSON, JSON lines).
    pub fn read(&mut self, payload: &str) {
        envelope::read_in_place::<SesDocuments, SesInPlace>(payload, self);
    }

    /// Reads line `n` (from 1) of a JSON-lines archive.
    pub fn read_line(&mut self, n: usize, line: &str) {
        envelope::read_line::<SesDocuments>(n, line, self);
    }

    /// PutMetricData datums aggregated so far, at most ([`Aggregator::datums`]).
    pub fn datums(&self) -> usize {
        self.agg.datums()
    }

    /// Offender-ledger entries so far.
    pub fn ledger_entries(&self) -> usize {
        self.ledger_entries.len()
    }

    /// Events counted so far.
    pub fn events(&self) -> u64 {
        self.summary.events
    }

    /// Line `n` of an archive could not be read as text (too long, not UTF-8): counted as
    /// invalid JSON, with `detail` in the log.
    pub fn unreadable_line(&mut self, n: usize, detail: &str) {
        let skip = Skip::new(SkipReason::Transport(envelope::SkipReason::InvalidJson), detail);
        self.answer(&Origin::Direct(n), Err(skip));
    }

    /// The counts and metrics read so far.
    pub fn finish(self) -> Ingested {
        let Self { agg, mut summary, response, ledger_entries, untimed, by_kind, now, .. } = self;
        summary.recipients = agg.recipients();
        for (kind, n) in EventKind::ALL.iter().zip(by_kind).filter(|(_, n)| *n > 0) {
            *summary.by_type.entry(kind.metric_name()).or_default() += n;
        }
        summary.sqs_batch_response = response;
        Ingested { summary, batch: agg.finish(), ledger_entries, untimed_offenders: untimed, now }
    }

    fn origin_seen(&mut self, origin: &Origin<'_>) {
        if let Origin::SqsRecord(_) = origin {
            self.response.get_or_insert_with(SqsBatchResponse::default);
        }
    }

    /// Counts what a document gave, or logs and counts why it gave nothing.
    fn answer(&mut self, origin: &Origin<'_>, outcome: Result<(), Skip>) {
        let Err(skip) = outcome else { return };
        let detail = scrub(&skip.detail, self.cfg.log_recipients);
        self.summary.skipped += 1;
        *self.summary.skip_reasons.entry(skip.reason.as_str()).or_default() += 1;
        if skip.reason.is_bad_input() {
            tracing::warn!(origin = %origin, reason = skip.reason.as_str(), detail = %detail, "record skipped");
            if let (Origin::SqsRecord(id), Some(r)) = (origin, self.response.as_mut()) {
                r.add_failure(id.to_string());
            }
        } else {
            tracing::info!(origin = %origin, reason = skip.reason.as_str(), detail = %detail, "record acknowledged, nothing to count");
        }
    }

    fn count_text(&mut self, text: &str) -> Result<(), Skip> {
        let mut record = SesRecord::default();
        record.read_json(text).map_err(ses_skip)?;
        self.count(&mut record)
    }

    /// Counts a record (its values taken out of it: it is not moved).
    fn count(&mut self, record: &mut SesRecord<'_>) -> Result<(), Skip> {
        let ev = record.take_event().map_err(ses_skip)?;
        if ev.recipients.is_empty() {
            return Err(Skip::new(SkipReason::NoRecipients, format!("{} event names no recipient", ev.kind)));
        }
        let (now, summary) = (self.now, &mut self.summary);
        let minute = match ev.timestamp {
            Some(t) if t >= now - MAX_AGE && t <= now + MAX_AHEAD => minute_of(t),
            Some(_) => {
                summary.clamped_timestamps += 1;
                self.now_minute
            }
            None => self.now_minute,
        };
        self.agg.add(&ev, minute);
        summary.events += 1;
        summary.unusable_latencies += u64::from(ev.latency_unusable);
        self.by_kind[ev.kind.index()] += 1;
        if matches!(ev.kind, EventKind::Bounce | EventKind::Complaint) {
            let cfg = self.cfg;
            self.ledger_entries.extend(entries_for(&ev, &cfg.domains));
            self.untimed += untimed_offenders(&ev);
            if tracing::enabled!(tracing::Level::DEBUG) {
                let who: Vec<String> = ev.recipients.iter().map(|r| redact(r, cfg.log_recipients)).collect();
                tracing::debug!(kind = %ev.kind, subtype = ev.subtype.as_deref().unwrap_or(""), recipients = ?who, "feedback event");
            }
        }
        Ok(())
    }
}

impl<'a> envelope::Units<'a> for Reader<'_> {
    fn push(&mut self, unit: Unit<'a>) {
        self.origin_seen(&unit.origin);
        let outcome = match &unit.content {
            Ok(text) => self.count_text(text),
            Err(skip) => Err(Skip::from(skip.clone())),
        };
        self.answer(&unit.origin, outcome);
    }

    fn push_transient(&mut self, origin: Origin<'a>, content: &str) {
        self.origin_seen(&origin);
        let outcome = self.count_text(content);
        self.answer(&origin, outcome);
    }

    fn own_document(&mut self, origin: &Origin<'a>, text: &str) -> bool {
        // read where it is counted, not moved: a record is 648 bytes, each move a copy
        if SesRecord::looks_like(text) {
            let mut record = SesRecord::default();
            match record.read_json(text) {
                Ok(()) if record.is_plain() => self.own_record(origin, &mut record),
                _ => return false,
            }
        } else if EventBridgeRecord::looks_like(text) {
            match EventBridgeRecord::from_json(text).and_then(EventBridgeRecord::ses) {
                Some(mut record) => self.own_record(origin, &mut record),
                None => return false,
            }
        } else {
            // Anything else is read by the envelope reader, as it would be without this.
            return false;
        }
        true
    }
}

impl<'a> envelope::Owns<'a, SesRecord<'a>> for Reader<'_> {
    fn own(&mut self, origin: &Origin<'a>, record: &mut SesRecord<'a>) {
        self.own_record(origin, record);
    }
}

impl Reader<'_> {
    /// Counts a record the reader read itself, and answers for it.
    fn own_record(&mut self, origin: &Origin<'_>, record: &mut SesRecord<'_>) {
        self.origin_seen(origin);
        let outcome = self.count(record);
        self.answer(origin, outcome);
    }
}

fn ses_skip(e: SesError) -> Skip {
    match e {
        SesError::Json(d) => Skip::new(SkipReason::Transport(envelope::SkipReason::InvalidJson), d),
        SesError::Invalid(d) => Skip::new(SkipReason::InvalidSesEvent, d),
        SesError::NotSes => Skip::new(SkipReason::NotSesEvent, e.to_string()),
        SesError::SetupNotice => Skip::new(SkipReason::SesSetupNotice, e.to_string()),
        SesError::UnknownType(_) => Skip::new(SkipReason::UnknownEventType, e.to_string()),
        SesError::MissingDetail(..) => Skip::new(SkipReason::InvalidSesEvent, e.to_string()),
    }
}

fn minute_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60) * 60_000
}

/// A failure to deliver what an invocation read; the invocation fails so Lambda retries it.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Metrics could not be published.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The offender ledger could not be written.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
    /// An archive given to `--event` could not be read to its end.
    #[error("reading the archive failed: {0}")]
    Read(#[from] std::io::Error),
}

/// Writes the ledger entries, then publishes the aggregated metrics, and completes the summary;
/// logs "invocation done" with the counts. The ledger goes first because its writes are
/// idempotent: if publishing fails and Lambda retries, the ledger is not doubled. An error is
/// returned, not swallowed.
pub async fn publish<S: MetricSink + ?Sized, L: Ledger + ?Sized>(
    cfg: &IngestConfig,
    sink: &S,
    ledger: &L,
    ingested: Ingested,
) -> Result<Summary, PublishError> {
    let summary = publish_part(cfg, sink, ledger, ingested).await?;
    log_done(&summary, "invocation done");
    Ok(summary)
}

/// The counts of a [`Summary`] in one log line.
fn log_done(summary: &Summary, message: &'static str) {
    tracing::info!(
        events = summary.events,
        recipients = summary.recipients,
        skipped = summary.skipped,
        unusable_latencies = summary.unusable_latencies,
        series = summary.metrics.series,
        datums = summary.metrics.datums,
        requests = summary.metrics.requests,
        "{message}"
    );
}

/// [`publish`] without its log line: one part of an archive ([`backfill`] logs the whole).
async fn publish_part<S: MetricSink + ?Sized, L: Ledger + ?Sized>(
    cfg: &IngestConfig,
    sink: &S,
    ledger: &L,
    ingested: Ingested,
) -> Result<Summary, PublishError> {
    let Ingested { mut summary, batch, ledger_entries, untimed_offenders, now } = ingested;
    if cfg.ledger_table.is_some() {
        // Items whose TTL has passed would only be written for DynamoDB to delete them.
        let ttl = cfg.ledger_ttl();
        let (live, expired): (Vec<LedgerEntry>, Vec<LedgerEntry>) =
            ledger_entries.into_iter().partition(|e| e.timestamp + ttl > now);
        let mut r = ledger.record(&live).await?;
        r.expired = expired.len();
        r.untimed = untimed_offenders;
        if untimed_offenders > 0 {
            tracing::warn!(
                recipients = untimed_offenders,
                "bounced or complaining recipients of events without any time: not written to the ledger \
                 (no key would be the same on a redelivery)"
            );
        }
        summary.ledger = Some(r);
    }
    let report = if batch.is_empty() { PublishReport::default() } else { sink.publish(&batch).await? };
    summary.metrics = MetricsSummary {
        sink: cfg.sink.as_str(),
        namespace: batch.namespace.clone(),
        series: batch.series.len(),
        datums: report.datums,
        requests: report.requests,
        totals: batch.totals().into_iter().collect(),
    };
    Ok(summary)
}

/// [`ingest`] then [`publish`] without a ledger: the whole invocation.
pub async fn handle<S: MetricSink + ?Sized>(
    cfg: &IngestConfig,
    sink: &S,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<Summary, PublishError> {
    publish(cfg, sink, &NoLedger, ingest(cfg, payload, now)).await
}

/// [`ingest`] then [`publish`], with the offender ledger.
pub async fn handle_with_ledger<S: MetricSink + ?Sized, L: Ledger + ?Sized>(
    cfg: &IngestConfig,
    sink: &S,
    ledger: &L,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<Summary, PublishError> {
    publish(cfg, sink, ledger, ingest(cfg, payload, now)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::MemorySink;

    fn now() -> DateTime<Utc> {
        "2026-11-27T10:00:30Z".parse().unwrap()
    }

    #[tokio::test]
    async fn sqs_batch_reports_only_bad_records() {
        let ses = r#"{"eventType":"Bounce","mail":{"timestamp":"2026-11-27T09:59:00Z","destination":["a@gmail.com"]},
            "bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@gmail.com"}],"timestamp":"2026-11-27T09:59:10Z"}}"#;
        let notice = r#"{"notificationType":"AmazonSnsSubscriptionSucceeded","message":"ok"}"#;
        let ev = serde_json::json!({"Records":[
            {"eventSource":"aws:sqs","messageId":"good","body":ses},
            {"eventSource":"aws:sqs","messageId":"broken","body":"{\"eventType\":"},
            {"eventSource":"aws:sqs","messageId":"notice","body":notice},
            {"eventSource":"aws:sqs","messageId":"old","body":ses.replace("2026-11-27T09:59:10Z", "2016-01-01T00:00:00Z")}
        ]});
        let cfg = IngestConfig::default();
        let sink = MemorySink::default();
        let s = handle(&cfg, &sink, &ev.to_string(), now()).await.unwrap();
        assert_eq!(s.events, 2);
        assert_eq!(s.skipped, 2);
        assert_eq!(s.clamped_timestamps, 1);
        assert_eq!(s.skip_reasons.get("invalid_json"), Some(&1));
        assert_eq!(s.skip_reasons.get("ses_setup_notice"), Some(&1));
        assert_eq!(s.retry_ids(), Some(vec!["broken"]));
        assert_eq!(
            serde_json::to_value(&s).unwrap()["batchItemFailures"],
            serde_json::json!([{"itemIdentifier": "broken"}])
        );
        assert_eq!(s.metrics.totals.get("HardBounce"), Some(&2));
        let batch = &sink.batches()[0];
        let minutes: std::collections::BTreeSet<i64> = batch.series.iter().map(|s| s.timestamp_ms).collect();
        // 09:59 from the event itself, 10:00 for the clamped one
        assert_eq!(minutes.into_iter().collect::<Vec<_>>(), vec![1_795_773_540_000, 1_795_773_600_000]);
    }

    #[tokio::test]
    async fn sns_event_has_no_batch_item_failures() {
        let ev = serde_json::json!({"Records":[{"EventSource":"aws:sns","Sns":{"Message":"not json"}}]});
        let cfg = IngestConfig::default();
        let sink = MemorySink::default();
        let s = handle(&cfg, &sink, &ev.to_string(), now()).await.unwrap();
        assert_eq!(s.skipped, 1);
        assert_eq!(s.retry_ids(), None);
        assert!(sink.batches().is_empty(), "nothing to publish, no call");
        let json = serde_json::to_value(&s).unwrap();
        assert!(json.get("batchItemFailures").is_none());
    }

    #[tokio::test]
    async fn sink_errors_fail_the_invocation() {
        let cfg = IngestConfig::default();
        let sink = MemorySink::failing("throttled");
        let ses = r#"{"eventType":"Send","mail":{"destination":["a@gmail.com"]}}"#;
        let err = handle(&cfg, &sink, ses, now()).await.unwrap_err();
        assert!(err.to_string().contains("throttled"));
    }

    #[tokio::test]
    async fn ledger_gets_offenders_but_not_expired_ones() {
        let map = std::collections::HashMap::from([("LEDGER_TABLE".to_string(), "ledger".to_string())]);
        let cfg = IngestConfig::from_map(&map).unwrap();
        let bounce = |at: &str| {
            serde_json::json!({"eventType": "Bounce",
                "mail": {"messageId": format!("m-{at}"), "destination": ["a@gmail.com"]},
                "bounce": {"bounceType": "Permanent", "timestamp": at,
                    "bouncedRecipients": [{"emailAddress": "a@gmail.com"}]}})
            .to_string()
        };
        let payload = format!("{}\n{}\n", bounce("2026-11-27T09:00:00Z"), bounce("2026-11-01T09:00:00Z"));
        let ledger = crate::ledger::MemoryLedger::default();
        let s = handle_with_ledger(&cfg, &MemorySink::default(), &ledger, &payload, now()).await.unwrap();
        assert_eq!(s.ledger, Some(RecordReport { written: 1, duplicates: 0, expired: 1, untimed: 0 }));
        assert_eq!(ledger.all().len(), 1);
        let again = handle_with_ledger(&cfg, &MemorySink::default(), &ledger, &payload, now()).await.unwrap();
        assert_eq!(again.ledger, Some(RecordReport { written: 0, duplicates: 1, expired: 1, untimed: 0 }));
    }

    /// A forged `processingTimeMillis` costs its latency only: 1e23 is not published as
    /// 18446744073709551615, and 1e400 no longer loses the whole delivery.
    #[tokio::test]
    async fn unusable_latencies_are_counted_and_not_published() {
        let delivery = |ms: &str| {
            format!(
                r#"{{"eventType":"Delivery","mail":{{"timestamp":"2026-11-27T09:59:00Z","destination":["a@gmail.com"]}},"delivery":{{"processingTimeMillis":{ms},"recipients":["a@gmail.com"],"timestamp":"2026-11-27T09:59:01Z"}}}}"#
            )
        };
        let payload = ["1200", "1e23", "1e400", "-3"].map(delivery).join("\n");
        let cfg = IngestConfig::default();
        let sink = MemorySink::default();
        let s = handle(&cfg, &sink, &payload, now()).await.unwrap();
        assert_eq!((s.events, s.skipped, s.unusable_latencies), (4, 0, 3), "{s:?}");
        assert_eq!(s.metrics.totals.get("Delivery"), Some(&4));
        let batch = &sink.batches()[0];
        for series in &batch.series {
            assert!(series.latency.iter().all(|(ms, _)| *ms == 1200), "{:?}", series.latency);
        }
        assert_eq!(serde_json::to_value(&s).unwrap()["unusable_latencies"], 3);
    }

    /// An offender event without any time used the invocation time in its ledger key: each
    /// redelivery wrote a new item, and three deliveries of one soft bounce reached
    /// SOFT_BOUNCE_LIMIT=3. Now it is not written (and counted); a redelivery of a timed one
    /// (time only in `mail`) writes nothing new.
    #[tokio::test]
    async fn redeliveries_of_events_without_their_own_time_write_nothing_new() {
        let map = std::collections::HashMap::from([("LEDGER_TABLE".to_string(), "ledger".to_string())]);
        let cfg = IngestConfig::from_map(&map).unwrap();
        let soft = |mail_time: &str| {
            serde_json::json!({"eventType": "Bounce",
                "mail": {"messageId": "m-soft", "timestamp": mail_time, "destination": ["a@gmail.com"]},
                "bounce": {"bounceType": "Transient", "bouncedRecipients": [{"emailAddress": "a@gmail.com"}]}})
            .to_string()
        };
        let ledger = crate::ledger::MemoryLedger::default();
        for (i, delivered_at) in
            ["2026-11-27T10:00:30Z", "2026-11-27T10:05:00Z", "2026-11-27T11:00:00Z"].iter().enumerate()
        {
            let at: DateTime<Utc> = delivered_at.parse().unwrap();
            // no time at all: not written, counted
            let s = handle_with_ledger(&cfg, &MemorySink::default(), &ledger, &soft(""), at).await.unwrap();
            assert_eq!(s.ledger, Some(RecordReport { untimed: 1, ..Default::default() }), "{s:?}");
            assert_eq!(s.metrics.totals.get("SoftBounce"), Some(&1), "still counted in the metrics");
            // the mail's time: one item, whichever delivery
            let s =
                handle_with_ledger(&cfg, &MemorySink::default(), &ledger, &soft("2026-11-27T09:59:00Z"), at)
                    .await
                    .unwrap();
            let want = if i == 0 { (1, 0) } else { (0, 1) };
            let r = s.ledger.unwrap();
            assert_eq!((r.written, r.duplicates, r.untimed), (want.0, want.1, 0), "delivery {i}");
        }
        assert_eq!(ledger.all().len(), 1);
        assert_eq!(ledger.all()[0].timestamp, "2026-11-27T09:59:00Z".parse::<DateTime<Utc>>().unwrap());
        let json = serde_json::to_value(RecordReport { written: 1, ..Default::default() }).unwrap();
        assert!(json.get("untimed").is_none(), "{json}");
    }

    #[test]
    fn no_recipients_is_a_reason() {
        let cfg = IngestConfig::default();
        let i = ingest(&cfg, r#"{"eventType":"Send","mail":{"destination":[]}}"#, now());
        assert_eq!(i.summary.skip_reasons.get("no_recipients"), Some(&1));
    }
}
