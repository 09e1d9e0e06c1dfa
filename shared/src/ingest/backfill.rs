//! Backfill of an archive: `ses-events --event events.jsonl` (or `.jsonl.gz`, as Firehose writes
//! them to S3) reads the archive a line at a time ([`Lines`]) and publishes as it goes, so a
//! 5 GB archive needs no more memory than a small one.
//!
//! Each line is read as a payload of its own ([`Reader::read_line`]); when what was read holds
//! [`PUBLISH_AT_DATUMS`] PutMetricData datums (or [`PUBLISH_AT_LEDGER_ENTRIES`] offenders), it is
//! published (as [`super::publish`] does: the ledger first, then the metrics) and reading goes on
//! with an empty aggregation. The summary printed at the end adds up every part, and one log line
//! ("backfill done") counts the whole archive. On a terminal, a progress line
//! on stderr says how far it is (events/s, bytes read, time left).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::{PublishError, Reader, Summary, log_done, publish_part};
use crate::ledger::Ledger;
use crate::platform::config::IngestConfig;
use crate::platform::lines::{Line, Lines, MAX_LINE_BYTES};
use crate::sink::MetricSink;

/// What is read is published once it holds this many PutMetricData datums: one request (at most
/// 1000 datums) for lines of SES events, whose one line adds a few dozen datums at most. (A line
/// that is a whole Lambda event can add more; the `api` sink splits any batch into requests of
/// 1000.)
pub const PUBLISH_AT_DATUMS: usize = 900;

/// ... or this many offender-ledger entries (bounced or complaining recipients), so that a long
/// run of bounces in few series does not pile up in memory either.
pub const PUBLISH_AT_LEDGER_ENTRIES: usize = 1000;

/// Reads `lines` to the end, publishing as it goes; the summary of the whole archive.
///
/// # Errors
/// The first failure to read the archive or to publish (after the SDK's retries): what was
/// published before it stays published (metrics of a retried backfill are counted again; ledger
/// writes are idempotent).
pub async fn backfill<S: MetricSink + ?Sized, L: Ledger + ?Sized>(
    cfg: &IngestConfig,
    sink: &S,
    ledger: &L,
    lines: &mut Lines,
    now: DateTime<Utc>,
    mut progress: Option<Progress>,
) -> Result<Summary, PublishError> {
    let mut total = Summary::default();
    let mut reader = Reader::new(cfg, now);
    while let Some((n, line)) = lines.next_line()? {
        match line {
            Line::Text(text) => reader.read_line(n, text),
            Line::TooLong(len) => {
                reader.unreadable_line(n, &format!("a line of {len} bytes (at most {MAX_LINE_BYTES})"))
            }
            Line::NotUtf8 => reader.unreadable_line(n, "a line that is not UTF-8"),
        }
        if reader.datums() >= PUBLISH_AT_DATUMS || reader.ledger_entries() >= PUBLISH_AT_LEDGER_ENTRIES {
            let part = std::mem::replace(&mut reader, Reader::new(cfg, now)).finish();
            total.add(publish_part(cfg, sink, ledger, part).await?);
        }
        if let Some(p) = progress.as_mut() {
            p.tick(total.events + reader.events(), lines);
        }
    }
    total.add(publish_part(cfg, sink, ledger, reader.finish()).await?);
    if let Some(p) = progress.as_mut() {
        p.finish(total.events, lines);
    }
    // One line for the whole archive (not one per part: they would garble the progress line).
    log_done(&total, "backfill done");
    Ok(total)
}

/// The progress line of a backfill, on stderr.
#[derive(Debug)]
pub struct Progress {
    started: Instant,
    shown: Instant,
}

/// How often the progress line is redrawn.
const REDRAW: Duration = Duration::from_millis(250);

impl Progress {
    /// A progress line when stderr is a terminal (a person watches), else `None` (a log file or a
    /// pipe gets no carriage returns).
    pub fn on_terminal() -> Option<Self> {
        std::io::stderr().is_terminal().then(Self::new)
    }

    /// A progress line from now on.
    pub fn new() -> Self {
        let now = Instant::now();
        Self { started: now, shown: now }
    }

    fn tick(&mut self, events: u64, lines: &Lines) {
        let now = Instant::now();
        if now.duration_since(self.shown) >= REDRAW {
            self.shown = now;
            let line = progress_line(events, now - self.started, lines.bytes_read(), lines.size());
            let _ = write!(std::io::stderr(), "\r{line}\x1b[K");
        }
    }

    fn finish(&mut self, events: u64, lines: &Lines) {
        let line = progress_line(events, self.started.elapsed(), lines.bytes_read(), lines.size());
        let _ = writeln!(std::io::stderr(), "\r{line}\x1b[K");
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// `1,234,567 events  812,345 events/s  1.2 GB of 5.0 GB (24 %)  ETA 0:05:10`: events read, their
/// rate, bytes read of the file (compressed bytes for a gzip file) and the time left at the rate
/// so far (without the file's size: bytes read only).
pub fn progress_line(events: u64, elapsed: Duration, read: u64, size: Option<u64>) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = (events as f64 / secs).round() as u64;
    let mut out = format!("{} events  {} events/s  {}", thousands(events), thousands(rate), bytes(read));
    if let Some(size) = size.filter(|s| *s > 0) {
        let done = (read as f64 / size as f64).min(1.0);
        out.push_str(&format!(" of {} ({:.0} %)", bytes(size), done * 100.0));
        if done > 0.0 {
            let left = (secs / done - secs).max(0.0).round() as u64;
            out.push_str(&format!("  ETA {}:{:02}:{:02}", left / 3600, left / 60 % 60, left % 60));
        }
    }
    out
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1u32 << 20)),
        n => format!("{:.1} kB", n as f64 / 1024.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::handle;
    use crate::sink::MemorySink;
    use crate::synth::Generator;

    fn now() -> DateTime<Utc> {
        "2026-11-27T10:00:30Z".parse().unwrap()
    }

    /// 3,000 events over 100 minutes, one per line, with a blank line, a broken line and a
    /// non-UTF-8 line among them.
    fn archive() -> (Vec<u8>, String) {
        let mut g = Generator::new(7);
        let lines: Vec<String> =
            (0..3000).map(|i| g.next_json(now() - chrono::Duration::seconds(2 * i))).collect();
        let mut text = lines.join("\n");
        text.push_str("\n\n{\"eventType\":\n");
        let mut bytes = text.clone().into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        text.push_str("\u{fffd}\n");
        (bytes, text)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// The archive read as it goes gives the summary and the metrics of the same archive read
    /// whole, published in parts of at most 1000 datums; so does its gzip.
    #[tokio::test]
    async fn an_archive_read_as_it_goes_counts_what_it_counted_whole() {
        let cfg = IngestConfig::default();
        let (bytes, text) = archive();
        let whole_sink = MemorySink::default();
        let whole = handle(&cfg, &whole_sink, &text, now()).await.unwrap();
        assert_eq!(whole.events, 3000);
        for data in [bytes.clone(), gzip(&bytes)] {
            let sink = MemorySink::default();
            let mut lines = Lines::new(std::io::Cursor::new(data.clone()), Some(data.len() as u64)).unwrap();
            assert!(lines.is_json_lines().unwrap());
            let s = backfill(&cfg, &sink, &crate::ledger::NoLedger, &mut lines, now(), None).await.unwrap();
            assert_eq!(
                (s.events, s.recipients, s.skipped, &s.by_type, s.clamped_timestamps),
                (whole.events, whole.recipients, whole.skipped, &whole.by_type, whole.clamped_timestamps)
            );
            assert_eq!(s.skip_reasons.get("invalid_json"), Some(&2), "{:?}", s.skip_reasons);
            assert_eq!(s.metrics.totals, whole.metrics.totals);
            let batches = sink.batches();
            assert!(batches.len() >= 3, "published as it went: {} parts", batches.len());
            let datums = |b: &crate::metrics::MetricBatch| crate::sink::cloudwatch::datums(b).len();
            assert!(
                batches.iter().all(|b| datums(b) <= 1000),
                "{:?}",
                batches.iter().map(datums).collect::<Vec<_>>()
            );
            // what each part's publish reported, added up
            let reported = |b: &crate::metrics::MetricBatch| {
                b.series.iter().map(|s| s.counts.len() + usize::from(!s.latency.is_empty())).sum::<usize>()
            };
            assert_eq!(s.metrics.datums, batches.iter().map(reported).sum::<usize>());
            // the same numbers per metric, minute and dimension value
            let sums = |batches: &[crate::metrics::MetricBatch]| {
                let mut m = std::collections::BTreeMap::<(i64, Vec<(String, String)>, &str), u64>::new();
                for b in batches {
                    for s in &b.series {
                        for (name, v) in &s.counts {
                            *m.entry((s.timestamp_ms, s.dimensions.clone(), name)).or_default() += v;
                        }
                    }
                }
                m
            };
            assert_eq!(sums(&batches), sums(&whole_sink.batches()));
        }
    }

    #[test]
    fn the_progress_line_says_rate_bytes_and_time_left() {
        let line = progress_line(1_234_567, Duration::from_secs(2), 1 << 30, Some(4 << 30));
        assert_eq!(line, "1,234,567 events  617,284 events/s  1.0 GB of 4.0 GB (25 %)  ETA 0:00:06");
        assert_eq!(progress_line(5, Duration::from_secs(1), 2048, None), "5 events  5 events/s  2.0 kB");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
