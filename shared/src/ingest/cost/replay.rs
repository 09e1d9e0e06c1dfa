//! The estimator's engine: the sample replayed through ses-events' handler as SNS and as SQS
//! invocations, with the EMF lines and the function's own log lines captured and counted, and the
//! counts priced.

use super::render::configuration;
use super::*;
use crate::platform::lines::{Line, Lines};

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

/// Reads the sample's SES events one line at a time (the file is never held in memory whole),
/// through the one line reader of `--event` ([`Lines`]: gzip or not).
struct EventReader<'c> {
    lines: Lines,
    units: Vec<String>,
    last_time: Option<DateTime<Utc>>,
    sample: Sample,
    /// The template's SES CloudWatch destination dimensions (tag, default value).
    ses_dims: Vec<(&'c str, &'c str)>,
    /// hour → (event type, raw tag values) published by that destination.
    ses_destination: HashMap<i64, HashSet<(EventKind, Vec<String>)>>,
}

impl EventReader<'_> {
    /// The SES events of the next line that has any; `None` at the end.
    fn next_events(&mut self) -> Result<Option<Vec<SampleEvent>>, std::io::Error> {
        while let Some((_, line)) = self.lines.next_line()? {
            let Line::Text(line) = line else {
                // too long, or not UTF-8
                self.sample.skipped += 1;
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
            let mut units: Vec<envelope::Unit<'_>> = Vec::new();
            envelope::read::<SesDocuments>(line, &mut units);
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
    let mut reader = EventReader {
        lines: Lines::open(&opts.path)?,
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
