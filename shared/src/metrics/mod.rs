//! The metric schema and the per-invocation aggregation of SES events into it.
//!
//! Each event adds to several *series*, one per rollup (dimension set): `{RecipientDomain}`,
//! `{}` (totals) and one per tag dimension (`{EmailType}`, `{Campaign}`…), because CloudWatch does
//! not aggregate across dimensions. Series are keyed by the minute the event happened in, so a
//! backlog or a backfill lands at the right time, and N events of a minute become one datum.

use foldhash::HashMap;

use serde::Serialize;

use crate::platform::config::IngestConfig;
use crate::ses::address::{INVALID, recipient_domain};
use crate::ses::domains::OTHER;
use crate::ses::{BounceType, SesEvent};

mod dims;
pub mod schema;

use dims::{Dims, TOTALS, TOTALS_ROLLUP};

pub use schema::{
    ALL_METRICS, COUNT_METRICS, DELIVERY_LATENCY, MetricSet, OTHER_PREFIX, RECIPIENT_DOMAIN,
    sanitize_dimension_value,
};
pub(crate) use schema::{HARD_BOUNCE, LATENCY_BIT, SOFT_BOUNCE};

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
    /// For a dimension value [`OTHER`]: the value behind it (the untracked recipient domain,
    /// the tag value beyond `TAG_VALUES`), written as the EMF property `Other<Dimension>` (not a
    /// dimension: series that differ only in it are the same metric).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
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

impl MetricBatch {
    /// The batch with the series that differ only in [`Series::other`] added together: one
    /// series per metric identity, as CloudWatch stores them and PutMetricData publishes them.
    pub fn without_other(&self) -> std::borrow::Cow<'_, MetricBatch> {
        if self.series.iter().all(|s| s.other.is_none()) {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut out: Vec<Series> = Vec::with_capacity(self.series.len());
        // (minute, dimensions) → index in `out`
        type Key<'b> = (i64, &'b [(String, String)]);
        let mut index: HashMap<Key<'_>, usize> = HashMap::default();
        for s in &self.series {
            match index.get(&(s.timestamp_ms, s.dimensions.as_slice())) {
                Some(&i) => {
                    let m = &mut out[i];
                    let mut counts = [0u64; 12];
                    for (name, v) in m.counts.iter().chain(&s.counts) {
                        counts[COUNT_METRICS.iter().position(|n| n == name).expect("known metric")] += v;
                    }
                    m.counts = COUNT_METRICS
                        .iter()
                        .zip(counts)
                        .filter(|(_, v)| *v > 0)
                        .map(|(n, v)| (*n, v))
                        .collect();
                    let mut latency: Vec<(u64, u64)> = m.latency.iter().chain(&s.latency).copied().collect();
                    latency.sort_unstable();
                    latency.dedup_by(|b, a| {
                        let same = a.0 == b.0;
                        if same {
                            a.1 += b.1;
                        }
                        same
                    });
                    m.latency = latency;
                }
                None => {
                    index.insert((s.timestamp_ms, s.dimensions.as_slice()), out.len());
                    out.push(Series { other: None, ..s.clone() });
                }
            }
        }
        std::borrow::Cow::Owned(MetricBatch { namespace: self.namespace.clone(), series: out })
    }
}

/// Adds SES events into per-minute series. Build one per invocation with [`Aggregator::new`].
///
/// Each rollup carries only its configured metrics (`DOMAIN_METRICS`, `TOTAL_METRICS`,
/// `TAG_METRICS`); a dimension value beyond the caps (untracked domain, tag value not in
/// `TAG_VALUES`) is [`OTHER`], kept apart by the value behind it (see [`Series::other`]).
#[derive(Debug)]
pub struct Aggregator<'c> {
    cfg: &'c IngestConfig,
    /// The dimension values (rollup 0 = RecipientDomain, 1.. = tags), by id; id 0 is the
    /// totals series.
    dims: Dims,
    /// Metric bits of each rollup (domain, then tags) and of the totals.
    domain_bits: u16,
    tag_bits: u16,
    total_bits: u16,
    series: HashMap<(i64, u32), SeriesStats>,
    scratch: Vec<u32>,
    scratch_distinct: Vec<u32>,
    recipients: u64,
    /// PutMetricData datums the series hold so far, at most (see [`Aggregator::datums`]).
    datums: usize,
}

impl<'c> Aggregator<'c> {
    /// An empty aggregator for the given configuration.
    pub fn new(cfg: &'c IngestConfig) -> Self {
        Self {
            cfg,
            dims: Dims::new(),
            domain_bits: cfg.domain_metrics.bits(),
            tag_bits: cfg.tag_metrics.bits(),
            total_bits: cfg.total_metrics.bits(),
            series: HashMap::default(),
            scratch: Vec::with_capacity(16),
            scratch_distinct: Vec::with_capacity(16),
            recipients: 0,
            datums: 0,
        }
    }

    /// Recipients concerned by the events added so far (for an open, click or subscription: the
    /// message's destination addresses, although the metric counts once per series).
    pub fn recipients(&self) -> u64 {
        self.recipients
    }

    /// The PutMetricData datums of what was added so far, at most: one per non-zero count of a
    /// series, one per 150 latency samples (fewer when samples repeat, or when series differ only
    /// in the value behind `other`). Kept as events are added, so a caller can publish before a
    /// request would be full.
    pub fn datums(&self) -> usize {
        self.datums
    }

    /// Series so far.
    pub fn series(&self) -> usize {
        self.series.len()
    }

    /// The id of `value` in `rollup`; for [`OTHER`], of `other` behind it.
    fn intern(&mut self, rollup: usize, value: &str, other: Option<&str>) -> u32 {
        self.dims.id(rollup, value, other)
    }

    fn bits_of(&self, id: u32) -> u16 {
        match self.dims.rollup(id) {
            TOTALS_ROLLUP => self.total_bits,
            0 => self.domain_bits,
            _ => self.tag_bits,
        }
    }

    /// Keeps the first id of each dimension value (ids of one rollup that differ only in what is
    /// behind [`OTHER`] count once, as one metric).
    fn keep_first_per_value(dims: &Dims, ids: &mut Vec<u32>) {
        let mut kept = 0;
        for i in 0..ids.len() {
            if !ids[..kept].iter().any(|k| dims.same_value(*k, ids[i])) {
                ids[kept] = ids[i];
                kept += 1;
            }
        }
        ids.truncate(kept);
    }

    /// Adds one event, in the minute starting at `minute_ms`. Returns the recipients it counted.
    pub fn add(&mut self, ev: &SesEvent<'_>, minute_ms: i64) -> u64 {
        let kind = ev.kind.index();
        let extra = match ev.bounce_type {
            Some(BounceType::Permanent) => Some(HARD_BOUNCE),
            Some(BounceType::Transient) => Some(SOFT_BOUNCE),
            _ => None,
        };
        let bits: u16 =
            (1 << kind) | extra.map_or(0, |x| 1 << x) | if ev.latency_ms.is_some() { LATENCY_BIT } else { 0 };
        let n_recipients = ev.recipients.len() as u64;
        let per_message = ev.kind.is_per_message();
        let weight = if per_message { 1 } else { n_recipients };

        let mut targets = std::mem::take(&mut self.scratch);
        targets.clear();
        if self.domain_bits & bits != 0 {
            for r in &ev.recipients {
                let id = match recipient_domain(r) {
                    Some(d) => match self.cfg.domains.classify(&d) {
                        v if v == OTHER => self.intern(0, OTHER, Some(&d)),
                        v => self.intern(0, &v, None),
                    },
                    None => self.intern(0, INVALID, None),
                };
                targets.push(id);
            }
            if per_message {
                Self::keep_first_per_value(&self.dims, &mut targets);
            }
        }
        // The totals and tag series come after the domain targets.
        let domain_targets = targets.len();
        if self.total_bits & bits != 0 {
            targets.push(TOTALS);
        }
        if self.tag_bits & bits != 0 {
            for (i, tag) in self.cfg.tag_dimensions.iter().enumerate() {
                let raw = ev.tags.iter().find(|(k, _)| k.as_ref() == tag.name).map(|(_, v)| v.as_ref());
                let id = match tag.dimension_value(raw) {
                    (value, None) => self.intern(i + 1, &value, None),
                    (other, Some(behind)) => self.intern(i + 1, &other, Some(&behind)),
                };
                targets.push(id);
            }
        }

        for (i, id) in targets.iter().enumerate() {
            let add = if i < domain_targets { 1 } else { weight };
            let allowed = self.bits_of(*id);
            if allowed & bits & !LATENCY_BIT == 0 {
                continue;
            }
            let stats = self.series.entry((minute_ms, *id)).or_default();
            if allowed & (1 << kind) != 0 {
                self.datums += usize::from(stats.counts[kind] == 0);
                stats.counts[kind] += add;
            }
            if let Some(x) = extra.filter(|x| allowed & (1 << x) != 0) {
                self.datums += usize::from(stats.counts[x] == 0);
                stats.counts[x] += add;
            }
        }
        if let Some(ms) = ev.latency_ms {
            // One sample per series: the delivery to a domain took this long, however many of
            // its recipients were on the message.
            let mut distinct = std::mem::take(&mut self.scratch_distinct);
            distinct.clear();
            distinct.extend(targets.iter().copied().filter(|id| self.bits_of(*id) & LATENCY_BIT != 0));
            Self::keep_first_per_value(&self.dims, &mut distinct);
            for id in &distinct {
                let latency = &mut self.series.entry((minute_ms, *id)).or_default().latency;
                self.datums +=
                    usize::from(latency.len().is_multiple_of(crate::sink::cloudwatch::MAX_VALUES_PER_DATUM));
                latency.push(ms);
            }
            self.scratch_distinct = distinct;
        }
        self.scratch = targets;
        self.recipients += n_recipients;
        n_recipients
    }

    /// The aggregated series, sorted by time, rollup (totals, domains, tags) and value.
    pub fn finish(self) -> MetricBatch {
        let Self { cfg, dims, series, .. } = self;
        let rollup_name =
            |r: usize| -> &str { if r == 0 { RECIPIENT_DOMAIN } else { &cfg.tag_dimensions[r - 1].name } };
        // (minute, rollup order, value, value behind `other`)
        type Order<'d> = (i64, usize, &'d str, Option<&'d str>);
        let mut keyed: Vec<(Order<'_>, Series)> = series
            .into_iter()
            .map(|((minute, id), stats)| {
                let (rollup, value, other) = (dims.rollup(id), dims.value(id), dims.other(id));
                let dimensions = if id == TOTALS {
                    Vec::new()
                } else {
                    vec![(rollup_name(rollup).to_string(), value.to_string())]
                };
                let counts = COUNT_METRICS
                    .iter()
                    .zip(stats.counts)
                    .filter(|(_, v)| *v > 0)
                    .map(|(n, v)| (*n, v))
                    .collect();
                // the samples are this series' own: sorted where they are
                let mut lat = stats.latency;
                lat.sort_unstable();
                let mut latency: Vec<(u64, u64)> = Vec::new();
                for v in lat {
                    match latency.last_mut() {
                        Some((last, c)) if *last == v => *c += 1,
                        _ => latency.push((v, 1)),
                    }
                }
                let order = if id == TOTALS { 0 } else { rollup.wrapping_add(1) };
                (
                    (minute, order, value, other),
                    Series {
                        timestamp_ms: minute,
                        dimensions,
                        other: other.map(str::to_string),
                        counts,
                        latency,
                    },
                )
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        MetricBatch { namespace: cfg.namespace.clone(), series: keyed.into_iter().map(|(_, s)| s).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ses::SesRecord;

    /// Every metric in every rollup, every tag value, one value per provider domain: the
    /// configuration before the metric sets and caps (what these tests were written against).
    fn everything() -> IngestConfig {
        let map = [
            ("DOMAIN_METRICS", "all"),
            ("TAG_METRICS", "all"),
            ("TAG_VALUES", "EmailType=*;Campaign=*"),
            ("DOMAIN_GROUPING", "domain"),
            ("TRACKED_PROVIDERS", "all"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        IngestConfig::from_map(&map).unwrap()
    }

    fn config(pairs: &[(&str, &str)]) -> IngestConfig {
        IngestConfig::from_map(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()).unwrap()
    }

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
        let cfg = everything();
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
        let cfg = everything();
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
        let cfg = everything();
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
        let cfg = everything();
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

    fn names(b: &MetricBatch, dims: &[(&str, &str)]) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = b
            .series
            .iter()
            .filter(|s| {
                s.dimensions.len() == dims.len()
                    && s.dimensions.iter().zip(dims).all(|(a, b)| a.0 == b.0 && a.1 == b.1)
            })
            .flat_map(|s| {
                s.counts.iter().map(|(n, _)| *n).chain((!s.latency.is_empty()).then_some(DELIVERY_LATENCY))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    const TAGGED: &str = r#""tags":{"EmailType":["news"],"Campaign":["spring"]}"#;

    fn day_of_mail(agg: &mut Aggregator<'_>) {
        for (kind, detail) in [
            ("Send", String::new()),
            ("Delivery", r#","delivery":{"processingTimeMillis":700,"recipients":["a@gmail.com"]}"#.into()),
            ("Open", r#","open":{}"#.into()),
            ("Click", r#","click":{}"#.into()),
            (
                "Bounce",
                r#","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@gmail.com"}]}"#
                    .into(),
            ),
            ("Complaint", r#","complaint":{"complainedRecipients":[{"emailAddress":"a@gmail.com"}]}"#.into()),
        ] {
            add(
                agg,
                &format!(r#"{{"eventType":"{kind}","mail":{{"destination":["a@gmail.com"],{TAGGED}}}{detail}}}"#),
            );
        }
    }

    #[test]
    fn each_rollup_carries_its_metric_set() {
        // The defaults: lean per provider and per tag, everything in the totals.
        let cfg = IngestConfig::default();
        let mut agg = Aggregator::new(&cfg);
        day_of_mail(&mut agg);
        let b = agg.finish();
        assert_eq!(
            names(&b, &[]),
            ["Bounce", "Click", "Complaint", "Delivery", "DeliveryLatency", "HardBounce", "Open", "Send"]
        );
        assert_eq!(
            names(&b, &[("RecipientDomain", "gmail")]),
            ["Complaint", "Delivery", "HardBounce", "Send"]
        );
        for tag in ["EmailType", "Campaign"] {
            assert_eq!(names(&b, &[(tag, "other")]), ["Complaint", "HardBounce", "Send"], "{tag}");
        }
        // Opt-in per rollup; a rollup without metrics is not published at all.
        let cfg = config(&[
            ("DOMAIN_METRICS", "none"),
            ("TOTAL_METRICS", "send,HARDBOUNCE"),
            ("TAG_METRICS", "Open,Click,DeliveryLatency"),
        ]);
        let mut agg = Aggregator::new(&cfg);
        day_of_mail(&mut agg);
        let b = agg.finish();
        assert_eq!(names(&b, &[]), ["HardBounce", "Send"]);
        assert!(b.series.iter().all(|s| s.dimensions.iter().all(|(k, _)| k != RECIPIENT_DOMAIN)));
        assert_eq!(names(&b, &[("EmailType", "other")]), ["Click", "DeliveryLatency", "Open"]);
        assert_eq!(b.totals(), [("Send", 1), ("HardBounce", 1)]);
    }

    #[test]
    fn tag_values_are_capped_by_the_value_alone() {
        let send = |campaign: &str| {
            format!(
                r#"{{"eventType":"Send","mail":{{"destination":["a@gmail.com"],"tags":{{"Campaign":["{campaign}"]}}}}}}"#
            )
        };
        let values = |b: &MetricBatch| -> std::collections::BTreeSet<String> {
            b.series
                .iter()
                .flat_map(|s| s.dimensions.iter())
                .filter(|(k, _)| k == "Campaign")
                .map(|(_, v)| v.clone())
                .collect()
        };
        // 10,000 per-send ids, each in its own invocation (SNS) and all in one: under the
        // default cap, and with patterns, they stay within 100 dimension values.
        for cfg in [
            IngestConfig::default(),
            config(&[("TAG_VALUES", "Campaign=spring-*,black-friday-2026")]),
            config(&[("TAG_VALUES", "EmailType=*;Campaign=*-2026")]),
        ] {
            let mut seen = std::collections::BTreeSet::new();
            let mut one = Aggregator::new(&cfg);
            for i in 0..10_000 {
                let id = format!("send-{i:05}-{:x}", i * 7919);
                let mut agg = Aggregator::new(&cfg);
                add(&mut agg, &send(&id));
                seen.extend(values(&agg.finish()));
                add(&mut one, &send(&id));
            }
            assert_eq!(seen, ["other".to_string()].into(), "{:?}", cfg.tag_dimensions);
            assert_eq!(values(&one.finish()), seen);
        }
        // What is allowed has its own value; untagged mail has the default; the rest is `other`,
        // with the value behind it kept (not a dimension) for the logs.
        let cfg = config(&[
            ("TAG_DIMENSIONS", "Campaign:untagged"),
            ("TAG_VALUES", "Campaign=spring-*,black-friday-2026"),
        ]);
        let mut agg = Aggregator::new(&cfg);
        for c in ["spring-a", "spring-b", "black-friday-2026", "black-friday-2027", "Spring-c"] {
            add(&mut agg, &send(c));
        }
        add(&mut agg, r#"{"eventType":"Send","mail":{"destination":["a@gmail.com"]}}"#);
        let b = agg.finish();
        let expected: std::collections::BTreeSet<String> =
            ["black-friday-2026", "other", "spring-a", "spring-b", "untagged"].map(String::from).into();
        assert_eq!(values(&b), expected);
        let others: Vec<(&str, u64)> = b
            .series
            .iter()
            .filter(|s| s.dimensions == [("Campaign".to_string(), "other".to_string())])
            .map(|s| (s.other.as_deref().unwrap(), s.counts[0].1))
            .collect();
        assert_eq!(others, [("Spring-c", 1), ("black-friday-2027", 1)]);
    }

    #[test]
    fn the_long_tail_is_other_with_the_domain_behind_it() {
        let cfg = IngestConfig::default();
        let mut agg = Aggregator::new(&cfg);
        add(
            &mut agg,
            r#"{"eventType":"Send","mail":{"destination":["a@example.org","b@gmx.de","c@Example.org","bad","d@hotmail.com"]}}"#,
        );
        // an open counts once per dimension value: `other` once, whatever the domains behind it
        add(
            &mut agg,
            r#"{"eventType":"Open","mail":{"destination":["a@example.org","b@gmx.de"]},"open":{}}"#,
        );
        let b = agg.finish();
        type Tail<'b> = Vec<(Option<&'b str>, Vec<(&'static str, u64)>)>;
        let tail: Tail<'_> = b
            .series
            .iter()
            .filter(|s| s.dimensions == [(RECIPIENT_DOMAIN.to_string(), OTHER.to_string())])
            .map(|s| (s.other.as_deref(), s.counts.clone()))
            .collect();
        // gmx.de is a provider, but not one tracked by default
        assert_eq!(tail, [(Some("example.org"), vec![("Send", 2)]), (Some("gmx.de"), vec![("Send", 1)])]);
        assert_eq!(count(&b, &[(RECIPIENT_DOMAIN, "microsoft")], "Send"), 1);
        assert_eq!(count(&b, &[(RECIPIENT_DOMAIN, "invalid")], "Send"), 1);
        // Open is not a per-domain metric by default; with it, `other` counts the open once.
        let cfg = config(&[("DOMAIN_METRICS", "Send,Open")]);
        let mut agg = Aggregator::new(&cfg);
        add(
            &mut agg,
            r#"{"eventType":"Open","mail":{"destination":["a@example.org","b@gmx.de"]},"open":{}}"#,
        );
        let b = agg.finish();
        assert_eq!(count(&b, &[(RECIPIENT_DOMAIN, OTHER)], "Open"), 1);
        // One metric per dimension value: the series behind `other` add up.
        let merged = b.without_other();
        assert!(merged.series.iter().all(|s| s.other.is_none()));
        assert_eq!(count(&merged, &[(RECIPIENT_DOMAIN, OTHER)], "Open"), 1);
    }

    #[test]
    fn without_other_adds_counts_and_distributions() {
        let series =
            |other: Option<&str>, counts: Vec<(&'static str, u64)>, latency: Vec<(u64, u64)>| Series {
                timestamp_ms: 60_000,
                dimensions: vec![(RECIPIENT_DOMAIN.into(), OTHER.into())],
                other: other.map(String::from),
                counts,
                latency,
            };
        let b = MetricBatch {
            namespace: "N".into(),
            series: vec![
                series(Some("a.example"), vec![("Send", 2), ("Delivery", 1)], vec![(100, 1), (300, 1)]),
                series(Some("b.example"), vec![("Send", 1), ("HardBounce", 1)], vec![(100, 2)]),
                Series { timestamp_ms: 120_000, ..series(Some("a.example"), vec![("Send", 5)], vec![]) },
            ],
        };
        let m = b.without_other();
        assert_eq!(m.series.len(), 2);
        assert_eq!(m.series[0].counts, [("Send", 3), ("Delivery", 1), ("HardBounce", 1)]);
        assert_eq!(m.series[0].latency, [(100, 3), (300, 1)]);
        assert_eq!((m.series[1].timestamp_ms, m.series[1].counts.clone()), (120_000, vec![("Send", 5)]));
        let plain = MetricBatch { series: vec![series(None, vec![("Send", 1)], vec![])], ..b.clone() };
        assert!(matches!(plain.without_other(), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn dimension_values_are_sanitised() {
        assert_eq!(sanitize_dimension_value(" spring "), "spring");
        assert_eq!(sanitize_dimension_value("été"), "_t_");
        assert_eq!(sanitize_dimension_value("  "), "none");
        assert_eq!(sanitize_dimension_value(&"x".repeat(300)).len(), 255);
    }
}
