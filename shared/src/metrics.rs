//! The metric schema and the per-invocation aggregation of SES events into it.
//!
//! Each event adds to several *series*, one per rollup (dimension set): `{RecipientDomain}`,
//! `{}` (totals) and one per tag dimension (`{EmailType}`, `{Campaign}`…), because CloudWatch does
//! not aggregate across dimensions. Series are keyed by the minute the event happened in, so a
//! backlog or a backfill lands at the right time, and N events of a minute become one datum.

use std::collections::HashMap;

use serde::Serialize;

use crate::address::{INVALID, recipient_domain};
use crate::config::{IngestConfig, TagDimension};
use crate::domains::DomainClassifier;
use crate::ses::{BounceType, EventKind, SesEvent};

/// Dimension name of the per-domain rollup.
pub const RECIPIENT_DOMAIN: &str = "RecipientDomain";
/// Name of the delivery-latency distribution metric.
pub const DELIVERY_LATENCY: &str = "DeliveryLatency";

/// Count metrics, in publication order: the ten event kinds, then HardBounce and SoftBounce.
pub const COUNT_METRICS: [&str; 12] = [
    "Send",
    "Delivery",
    "Bounce",
    "Complaint",
    "Reject",
    "Open",
    "Click",
    "RenderingFailure",
    "DeliveryDelay",
    "Subscription",
    "HardBounce",
    "SoftBounce",
];
const HARD_BOUNCE: usize = 10;
const SOFT_BOUNCE: usize = 11;

fn kind_index(kind: EventKind) -> usize {
    EventKind::ALL.iter().position(|k| *k == kind).expect("every kind is listed")
}

/// Counts and latency samples of one series in one minute.
#[derive(Debug, Clone, Default)]
struct SeriesStats {
    counts: [u64; 12],
    latency: Vec<u64>,
}

/// One series of the aggregated output: a minute, a dimension set, its values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    /// Start of the minute, milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// The dimensions (empty for totals; one name/value pair for the other rollups).
    pub dimensions: Vec<(String, String)>,
    /// Non-zero counts, in [`COUNT_METRICS`] order.
    pub counts: Vec<(&'static str, u64)>,
    /// Delivery latency distribution: distinct values (ms) with their counts, ascending.
    pub latency: Vec<(u64, u64)>,
}

/// All series of one invocation, ready for a sink.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricBatch {
    /// CloudWatch namespace.
    pub namespace: String,
    /// The series, sorted by time, then rollup, then value.
    pub series: Vec<Series>,
}

impl MetricBatch {
    /// Whether there is nothing to publish.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// Sum of each count metric over the totals series (`{}`), for the invocation summary.
    pub fn totals(&self) -> Vec<(&'static str, u64)> {
        let mut sums = [0u64; 12];
        for s in self.series.iter().filter(|s| s.dimensions.is_empty()) {
            for (name, v) in &s.counts {
                let i = COUNT_METRICS.iter().position(|m| m == name).expect("known metric");
                sums[i] += v;
            }
        }
        COUNT_METRICS.iter().zip(sums).filter(|(_, v)| *v > 0).map(|(n, v)| (*n, v)).collect()
    }
}

/// Adds SES events into per-minute series. Build one per invocation with [`Aggregator::new`].
#[derive(Debug)]
pub struct Aggregator<'c> {
    domains: &'c DomainClassifier,
    tags: &'c [TagDimension],
    namespace: &'c str,
    /// Per rollup (0 = RecipientDomain, 1.. = tags): dimension value → id.
    values: Vec<HashMap<Box<str>, u32>>,
    /// id → (rollup, value); id 0 is the totals series.
    dims: Vec<(usize, Box<str>)>,
    series: HashMap<(i64, u32), SeriesStats>,
    scratch: Vec<u32>,
    scratch_distinct: Vec<u32>,
    recipients: u64,
}

const TOTALS: u32 = 0;

impl<'c> Aggregator<'c> {
    /// An empty aggregator for the given configuration.
    pub fn new(cfg: &'c IngestConfig) -> Self {
        Self {
            domains: &cfg.domains,
            tags: &cfg.tag_dimensions,
            namespace: &cfg.namespace,
            values: vec![HashMap::new(); 1 + cfg.tag_dimensions.len()],
            dims: vec![(usize::MAX, "".into())],
            series: HashMap::new(),
            scratch: Vec::with_capacity(16),
            scratch_distinct: Vec::with_capacity(16),
            recipients: 0,
        }
    }

    /// Recipients concerned by the events added so far (for an open, click or subscription: the
    /// message's destination addresses, although the metric counts once per series).
    pub fn recipients(&self) -> u64 {
        self.recipients
    }

    fn intern(&mut self, rollup: usize, value: &str) -> u32 {
        if let Some(id) = self.values[rollup].get(value) {
            return *id;
        }
        let id = self.dims.len() as u32;
        self.dims.push((rollup, value.into()));
        self.values[rollup].insert(value.into(), id);
        id
    }

    /// Adds one event, in the minute starting at `minute_ms`. Returns the recipients it counted.
    pub fn add(&mut self, ev: &SesEvent<'_>, minute_ms: i64) -> u64 {
        let mut targets = std::mem::take(&mut self.scratch);
        targets.clear();
        for r in &ev.recipients {
            let value = match recipient_domain(r) {
                Some(d) => {
                    let v = self.domains.classify(&d);
                    self.intern(0, &v)
                }
                None => self.intern(0, INVALID),
            };
            targets.push(value);
        }
        let n_recipients = targets.len() as u64;
        let per_message = ev.kind.is_per_message();
        if per_message {
            targets.sort_unstable();
            targets.dedup();
        }
        let weight = if per_message { 1 } else { n_recipients };
        // The totals and tag series come after the domain targets.
        let domain_targets = targets.len();
        targets.push(TOTALS);
        for (i, tag) in self.tags.iter().enumerate() {
            let value = ev
                .tags
                .iter()
                .find(|(k, _)| k.as_ref() == tag.name)
                .map(|(_, v)| sanitize_dimension_value(v))
                .unwrap_or(std::borrow::Cow::Borrowed(tag.default_value.as_str()));
            let id = self.intern(i + 1, &value);
            targets.push(id);
        }

        let kind = kind_index(ev.kind);
        let extra = match ev.bounce_type {
            Some(BounceType::Permanent) => Some(HARD_BOUNCE),
            Some(BounceType::Transient) => Some(SOFT_BOUNCE),
            _ => None,
        };
        for (i, id) in targets.iter().enumerate() {
            let add = if i < domain_targets { 1 } else { weight };
            let stats = self.series.entry((minute_ms, *id)).or_default();
            stats.counts[kind] += add;
            if let Some(x) = extra {
                stats.counts[x] += add;
            }
        }
        if let Some(ms) = ev.latency_ms {
            // One sample per series: the delivery to a domain took this long, however many of
            // its recipients were on the message.
            let mut distinct = std::mem::take(&mut self.scratch_distinct);
            distinct.clear();
            distinct.extend_from_slice(&targets);
            distinct.sort_unstable();
            distinct.dedup();
            for id in &distinct {
                self.series.entry((minute_ms, *id)).or_default().latency.push(ms);
            }
            self.scratch_distinct = distinct;
        }
        self.scratch = targets;
        self.recipients += n_recipients;
        n_recipients
    }

    /// The aggregated series, sorted by time, rollup (totals, domains, tags) and value.
    pub fn finish(self) -> MetricBatch {
        let rollup_name =
            |r: usize| -> &str { if r == 0 { RECIPIENT_DOMAIN } else { &self.tags[r - 1].name } };
        let mut keyed: Vec<((i64, usize, &str), Series)> = self
            .series
            .iter()
            .map(|((minute, id), stats)| {
                let (rollup, value) = &self.dims[*id as usize];
                let dimensions = if *id == TOTALS {
                    Vec::new()
                } else {
                    vec![(rollup_name(*rollup).to_string(), value.to_string())]
                };
                let counts = COUNT_METRICS
                    .iter()
                    .zip(stats.counts)
                    .filter(|(_, v)| *v > 0)
                    .map(|(n, v)| (*n, v))
                    .collect();
                let mut lat = stats.latency.clone();
                lat.sort_unstable();
                let mut latency: Vec<(u64, u64)> = Vec::new();
                for v in lat {
                    match latency.last_mut() {
                        Some((last, c)) if *last == v => *c += 1,
                        _ => latency.push((v, 1)),
                    }
                }
                let order = if *id == TOTALS { 0 } else { rollup.wrapping_add(1) };
                (
                    (*minute, order, value.as_ref()),
                    Series { timestamp_ms: *minute, dimensions, counts, latency },
                )
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        MetricBatch {
            namespace: self.namespace.to_string(),
            series: keyed.into_iter().map(|(_, s)| s).collect(),
        }
    }
}

/// Makes a tag value usable as a CloudWatch dimension value: printable ASCII (others become
/// `_`), trimmed, at most 255 characters, never empty.
pub fn sanitize_dimension_value(v: &str) -> std::borrow::Cow<'_, str> {
    let t = v.trim();
    if !t.is_empty() && t.len() <= 255 && t.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut s: String = t.chars().map(|c| if (' '..='~').contains(&c) { c } else { '_' }).take(255).collect();
    if s.trim().is_empty() {
        s = "none".into();
    }
    std::borrow::Cow::Owned(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ses::SesRecord;

    fn add(agg: &mut Aggregator<'_>, json: &str) -> u64 {
        let ev = SesRecord::from_json(json).unwrap().into_event().unwrap();
        agg.add(&ev, 60_000)
    }

    fn count(b: &MetricBatch, dims: &[(&str, &str)], metric: &str) -> u64 {
        b.series
            .iter()
            .filter(|s| {
                s.dimensions.len() == dims.len()
                    && s.dimensions.iter().zip(dims).all(|(a, b)| a.0 == b.0 && a.1 == b.1)
            })
            .flat_map(|s| s.counts.iter())
            .filter(|(n, _)| *n == metric)
            .map(|(_, v)| v)
            .sum()
    }

    #[test]
    fn per_recipient_counts_and_rollups() {
        let cfg = IngestConfig::default();
        let mut agg = Aggregator::new(&cfg);
        let n = add(
            &mut agg,
            r#"{"eventType":"Send","mail":{"destination":["a@gmail.com","B@GMAIL.com","c@example.org","bad"],
            "tags":{"EmailType":["welcome"]}},"send":{}}"#,
        );
        assert_eq!(n, 4);
        let b = agg.finish();
        assert_eq!(count(&b, &[], "Send"), 4);
        assert_eq!(count(&b, &[("RecipientDomain", "gmail.com")], "Send"), 2);
        assert_eq!(count(&b, &[("RecipientDomain", "other")], "Send"), 1);
        assert_eq!(count(&b, &[("RecipientDomain", "invalid")], "Send"), 1);
        assert_eq!(count(&b, &[("EmailType", "welcome")], "Send"), 4);
        assert_eq!(count(&b, &[("Campaign", "none")], "Send"), 4);
        // totals series first
        assert!(b.series[0].dimensions.is_empty());
    }

    #[test]
    fn opens_count_once_per_domain_and_once_in_totals() {
        let cfg = IngestConfig::default();
        let mut agg = Aggregator::new(&cfg);
        add(
            &mut agg,
            r#"{"eventType":"Open","mail":{"destination":["a@gmail.com","b@gmail.com","c@yahoo.com"]},"open":{}}"#,
        );
        let b = agg.finish();
        assert_eq!(count(&b, &[], "Open"), 1);
        assert_eq!(count(&b, &[("RecipientDomain", "gmail.com")], "Open"), 1);
        assert_eq!(count(&b, &[("RecipientDomain", "yahoo.com")], "Open"), 1);
        assert_eq!(count(&b, &[("EmailType", "none")], "Open"), 1);
    }

    #[test]
    fn bounce_types_and_latency() {
        let cfg = IngestConfig::default();
        let mut agg = Aggregator::new(&cfg);
        add(
            &mut agg,
            r#"{"eventType":"Bounce","mail":{},"bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"x@gmail.com"}]}}"#,
        );
        add(
            &mut agg,
            r#"{"eventType":"Bounce","mail":{},"bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":"x@gmail.com"},{"emailAddress":"y@gmail.com"}]}}"#,
        );
        add(
            &mut agg,
            r#"{"eventType":"Bounce","mail":{},"bounce":{"bounceType":"Undetermined","bouncedRecipients":[{"emailAddress":"x@gmail.com"}]}}"#,
        );
        for ms in [300, 100, 300] {
            add(
                &mut agg,
                &format!(
                    r#"{{"eventType":"Delivery","mail":{{}},"delivery":{{"processingTimeMillis":{ms},"recipients":["a@gmail.com","b@gmail.com"]}}}}"#
                ),
            );
        }
        let b = agg.finish();
        assert_eq!(count(&b, &[], "Bounce"), 4);
        assert_eq!(count(&b, &[], "HardBounce"), 1);
        assert_eq!(count(&b, &[], "SoftBounce"), 2);
        assert_eq!(count(&b, &[], "Delivery"), 6);
        let totals = b.series.iter().find(|s| s.dimensions.is_empty()).unwrap();
        assert_eq!(totals.latency, vec![(100, 1), (300, 2)]);
        let gmail = b
            .series
            .iter()
            .find(|s| s.dimensions == [("RecipientDomain".into(), "gmail.com".into())])
            .unwrap();
        assert_eq!(gmail.latency, vec![(100, 1), (300, 2)]);
        assert_eq!(b.totals(), vec![("Delivery", 6), ("Bounce", 4), ("HardBounce", 1), ("SoftBounce", 2)]);
    }

    #[test]
    fn minutes_are_separate_series() {
        let cfg = IngestConfig::default();
        let mut agg = Aggregator::new(&cfg);
        let ev = SesRecord::from_json(r#"{"eventType":"Send","mail":{"destination":["a@gmail.com"]}}"#)
            .unwrap()
            .into_event()
            .unwrap();
        agg.add(&ev, 0);
        agg.add(&ev, 60_000);
        agg.add(&ev, 60_000);
        let b = agg.finish();
        let totals: Vec<_> = b
            .series
            .iter()
            .filter(|s| s.dimensions.is_empty())
            .map(|s| (s.timestamp_ms, s.counts[0].1))
            .collect();
        assert_eq!(totals, vec![(0, 1), (60_000, 2)]);
    }

    #[test]
    fn dimension_values_are_sanitised() {
        assert_eq!(sanitize_dimension_value(" spring "), "spring");
        assert_eq!(sanitize_dimension_value("été"), "_t_");
        assert_eq!(sanitize_dimension_value("  "), "none");
        assert_eq!(sanitize_dimension_value(&"x".repeat(300)).len(), 255);
    }
}
