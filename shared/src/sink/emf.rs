//! CloudWatch Embedded Metric Format (EMF): metrics as structured log lines.
//!
//! In Lambda, a JSON line on stdout with an `_aws.CloudWatchMetrics` directive becomes metrics
//! without any API call, and without adding latency or throttling risk to the invocation.
//! Follows the specification's limits: at most 100 metrics per directive, 30 dimensions per
//! dimension set and 100 values per metric array. CloudWatch has no `Counts` in EMF, so a latency
//! distribution is written as arrays of values, spread over more documents when it exceeds 100.

use std::borrow::Cow;
use std::io::Write;
use std::sync::Mutex;

use serde_json::{Map, Value};

use crate::metrics::{DELIVERY_LATENCY, MetricBatch, OTHER_PREFIX, Series};
use crate::sink::{MetricSink, PublishReport, SinkError};

/// Most values in one metric array.
pub const MAX_VALUES_PER_METRIC: usize = 100;
/// Most metrics in one directive.
pub const MAX_METRICS_PER_DIRECTIVE: usize = 100;

/// Encodes a batch as EMF documents, one JSON object per line.
///
/// Series of the same minute that carry identical values (the same metrics, the same numbers:
/// an SNS invocation of one event to one recipient gives the same counts to the domain, the
/// totals and the tag rollups) share one document, one directive with a dimension set each,
/// when their dimension values do not clash. Only identical values are merged, so every metric
/// value of a document belongs to every dimension value and property in it, and a Logs Insights
/// query (`stats sum(HardBounce) by OtherRecipientDomain`) reads the right numbers. The value
/// behind an `other` dimension value is the property `Other<Dimension>` of its document. A
/// series with more than 100 latency samples is written alone, its distribution spread over as
/// many documents as needed.
pub fn encode(batch: &MetricBatch) -> Vec<String> {
    // the series of each minute, in the batch's order (a stable sort: one list, not one per minute)
    let mut by_minute: Vec<&Series> = batch.series.iter().collect();
    by_minute.sort_by_key(|s| s.timestamp_ms);
    let mut out = Vec::new();
    let mut docs: Vec<Doc<'_>> = Vec::new();
    for series in by_minute.chunk_by(|a, b| a.timestamp_ms == b.timestamp_ms) {
        let minute = series[0].timestamp_ms;
        docs.clear();
        let mut long = Vec::new();
        for s in series {
            if s.latency.iter().map(|(_, c)| *c).sum::<u64>() > MAX_VALUES_PER_METRIC as u64 {
                encode_long_series(&batch.namespace, s, &mut long);
                continue;
            }
            let entry = Entry::of(s, Samples::Distribution(&s.latency));
            match docs.iter_mut().find(|d| d.fits(&entry)) {
                Some(d) => d.add(entry),
                None => docs.push(Doc::of(entry)),
            }
        }
        out.extend(docs.iter().map(|d| d.to_line(&batch.namespace, minute)));
        out.append(&mut long);
    }
    out
}

/// The unit of a metric.
fn unit(name: &str) -> &'static str {
    if name == DELIVERY_LATENCY { "Milliseconds" } else { "Count" }
}

/// The name of the property that carries the value behind `other` in a dimension.
pub fn other_property(dimension: &str) -> String {
    format!("{OTHER_PREFIX}{dimension}")
}

/// A series' latency samples in a document: its distribution (distinct values with their
/// counts), or some of its samples one by one (a distribution longer than one metric array).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Samples<'s> {
    Distribution(&'s [(u64, u64)]),
    Values(&'s [u64]),
}

impl Samples<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Samples::Distribution(d) => d.is_empty(),
            Samples::Values(v) => v.is_empty(),
        }
    }

    /// Each sample, as many times as it was seen.
    fn each(&self) -> impl Iterator<Item = u64> + '_ {
        let (distribution, values) = match self {
            Samples::Distribution(d) => (*d, &[][..]),
            Samples::Values(v) => (&[][..], *v),
        };
        distribution
            .iter()
            .flat_map(|(v, c)| std::iter::repeat_n(*v, *c as usize))
            .chain(values.iter().copied())
    }
}

/// One series as root members, borrowed from it: its dimension values (and `Other…` property),
/// its counts and latency samples.
struct Entry<'s> {
    dimensions: &'s [(String, String)],
    /// `Other<Dimension>` and the value behind `other`.
    other: Option<(String, &'s str)>,
    counts: &'s [(&'static str, u64)],
    latency: Samples<'s>,
}

impl<'s> Entry<'s> {
    fn of(s: &'s Series, latency: Samples<'s>) -> Self {
        // only the property's name is made
        let other = match (&s.other, s.dimensions.first()) {
            (Some(o), Some((k, _))) => Some((other_property(k), o.as_str())),
            _ => None,
        };
        Self { dimensions: &s.dimensions, other, counts: &s.counts, latency }
    }

    /// Its root members: dimension values, then the `Other…` property.
    fn members(&self) -> impl Iterator<Item = (&str, &'s str)> + '_ {
        let dimensions = self.dimensions.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        dimensions.chain(self.other.as_ref().map(|(k, v)| (k.as_str(), *v)))
    }
}

/// A document being built: root members, the metric values its series share, their dimension
/// sets.
struct Doc<'s> {
    members: Vec<(Cow<'s, str>, &'s str)>,
    counts: &'s [(&'static str, u64)],
    latency: Samples<'s>,
    sets: Vec<&'s [(String, String)]>,
}

impl<'s> Doc<'s> {
    /// A document of one series.
    fn of(e: Entry<'s>) -> Self {
        let mut d = Doc { members: Vec::new(), counts: e.counts, latency: e.latency, sets: Vec::new() };
        d.add(e);
        d
    }

    /// Whether the entry has the document's values exactly and no clashing dimension value.
    fn fits(&self, e: &Entry<'s>) -> bool {
        e.counts == self.counts
            && e.latency == self.latency
            && e.members().all(|(k, v)| self.members.iter().all(|(dk, dv)| dk != k || *dv == v))
            && self.sets.len() < MAX_DIMENSIONS_PER_SET
    }

    fn add(&mut self, e: Entry<'s>) {
        for (k, v) in e.dimensions {
            if !self.members.iter().any(|(dk, dv)| dk == k && *dv == v) {
                self.members.push((Cow::Borrowed(k.as_str()), v.as_str()));
            }
        }
        if let Some((k, v)) = e.other
            && !self.members.iter().any(|(dk, dv)| *dk == k && *dv == v)
        {
            self.members.push((Cow::Owned(k), v));
        }
        self.sets.push(e.dimensions);
    }

    /// The metric names of the document, in the directive's order: the counts, then the latency.
    fn metric_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        let latency = (!self.latency.is_empty()).then_some(DELIVERY_LATENCY);
        self.counts.iter().map(|(n, _)| *n).chain(latency)
    }

    /// The document as one JSON line, written directly (no `serde_json::Value` tree): the root's
    /// members in key order, as a JSON object map writes them (dimension and metric names never
    /// clash: the configuration refuses a dimension named like a metric, `_aws` or `Other…`).
    fn to_line(&self, namespace: &str, minute: i64) -> String {
        enum Member<'d> {
            Text(&'d str),
            Count(u64),
            Latency,
            Aws,
        }
        let mut root: Vec<(&str, Member<'_>)> =
            Vec::with_capacity(self.members.len() + self.counts.len() + 2);
        root.extend(self.members.iter().map(|(k, v)| (k.as_ref(), Member::Text(v))));
        root.extend(self.counts.iter().map(|(n, v)| (*n, Member::Count(*v))));
        if !self.latency.is_empty() {
            root.push((DELIVERY_LATENCY, Member::Latency));
        }
        root.push(("_aws", Member::Aws));
        root.sort_by(|a, b| a.0.cmp(b.0));
        debug_assert!(self.metric_names().count() <= MAX_METRICS_PER_DIRECTIVE);
        // a document of one series is about 250 bytes, of several up to 600
        let mut out = String::with_capacity(512);
        let mut num = itoa::Buffer::new();
        out.push('{');
        for (i, (key, member)) in root.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(&mut out, key);
            out.push(':');
            match member {
                Member::Text(v) => json_string(&mut out, v),
                Member::Count(n) => out.push_str(num.format(*n)),
                Member::Latency => {
                    out.push('[');
                    for (j, n) in self.latency.each().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push_str(num.format(n));
                    }
                    out.push(']');
                }
                Member::Aws => {
                    out.push_str("{\"CloudWatchMetrics\":[{\"Dimensions\":[");
                    for (j, set) in self.sets.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push('[');
                        for (k, (name, _)) in set.iter().enumerate() {
                            if k > 0 {
                                out.push(',');
                            }
                            json_string(&mut out, name);
                        }
                        out.push(']');
                    }
                    out.push_str("],\"Metrics\":[");
                    for (j, name) in self.metric_names().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        out.push_str("{\"Name\":");
                        json_string(&mut out, name);
                        out.push_str(",\"Unit\":");
                        json_string(&mut out, unit(name));
                        out.push('}');
                    }
                    out.push_str("],\"Namespace\":");
                    json_string(&mut out, namespace);
                    out.push_str("}],\"Timestamp\":");
                    out.push_str(itoa::Buffer::new().format(minute));
                    out.push('}');
                }
            }
        }
        out.push('}');
        out
    }
}

/// Writes `s` as a JSON string, escaped as serde_json escapes it (`"`, `\\`, and control
/// characters: the short forms where JSON has one, `\u00XX` otherwise).
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    // Names and values rarely need an escape: looked for without stopping at the first (a loop
    // the compiler turns into vector instructions), and the string copied whole.
    if !s.bytes().fold(false, |any, b| any | (b < 0x20) | (b == b'"') | (b == b'\\')) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// A series whose latency distribution exceeds one metric array: the counts and the first 100
/// samples in one document, the rest in further documents of 100, dimensions on each.
fn encode_long_series(namespace: &str, s: &Series, out: &mut Vec<String>) {
    let values: Vec<u64> = Samples::Distribution(&s.latency).each().collect();
    for (i, chunk) in values.chunks(MAX_VALUES_PER_METRIC).enumerate() {
        let mut entry = Entry::of(s, Samples::Values(chunk));
        if i > 0 {
            entry.counts = &[];
        }
        out.push(Doc::of(entry).to_line(namespace, s.timestamp_ms));
    }
}

/// Most dimension keys in one dimension set (and, here, most dimension sets in a directive).
pub const MAX_DIMENSIONS_PER_SET: usize = 30;

/// What CloudWatch extracts from an EMF document for one metric and dimension set: the metric's
/// identity (namespace, name, dimension values) and the values at the document's time.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// Namespace of the directive.
    pub namespace: String,
    /// Metric name.
    pub name: String,
    /// Dimension names and values, in the order of the dimension set.
    pub dimensions: Vec<(String, String)>,
    /// `_aws.Timestamp`, milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// The unit named in the metric definition, if any.
    pub unit: Option<String>,
    /// The value, or the values of an array member.
    pub values: Vec<f64>,
}

/// Reads one EMF line as CloudWatch Logs does: checks it against the specification (root object
/// with `_aws.Timestamp` and `_aws.CloudWatchMetrics`; each directive with a namespace,
/// dimension sets of at most 30 keys that name string members, at most 100 metric definitions
/// that name number members or arrays of at most 100 numbers) and returns what it would extract,
/// one entry per metric and dimension set. A metric listed twice for the same dimension set of a
/// namespace (which CloudWatch would count twice) is an error too. Used by the cost estimator to
/// count the metrics a configuration publishes, and by the tests that compare the two sinks.
pub fn extract(line: &str) -> Result<Vec<Extracted>, String> {
    let root: Map<String, Value> =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let aws = root.get("_aws").and_then(Value::as_object).ok_or("no `_aws` object")?;
    let timestamp_ms =
        aws.get("Timestamp").and_then(Value::as_i64).ok_or("`_aws.Timestamp` is not an integer")?;
    let directives =
        aws.get("CloudWatchMetrics").and_then(Value::as_array).ok_or("no `_aws.CloudWatchMetrics` array")?;
    let mut out: Vec<Extracted> = Vec::new();
    for d in directives {
        let namespace =
            d.get("Namespace").and_then(Value::as_str).ok_or("a directive without `Namespace`")?;
        if namespace.is_empty() || namespace.len() > 255 {
            return Err(format!("namespace {namespace:?}: 1-255 characters"));
        }
        let sets = d.get("Dimensions").and_then(Value::as_array).ok_or("a directive without `Dimensions`")?;
        let metrics = d.get("Metrics").and_then(Value::as_array).ok_or("a directive without `Metrics`")?;
        if metrics.len() > MAX_METRICS_PER_DIRECTIVE {
            return Err(format!("{} metric definitions in one directive (at most 100)", metrics.len()));
        }
        let mut names: Vec<&str> = Vec::new();
        for m in metrics {
            let name = m.get("Name").and_then(Value::as_str).ok_or("a metric definition without `Name`")?;
            if name.is_empty() || name.len() > 255 || names.contains(&name) {
                return Err(format!("metric name {name:?} empty, too long or listed twice"));
            }
            names.push(name);
        }
        for set in sets {
            let keys = set.as_array().ok_or("a dimension set that is not an array")?;
            if keys.len() > MAX_DIMENSIONS_PER_SET {
                return Err(format!("{} keys in one dimension set (at most 30)", keys.len()));
            }
            let mut dimensions = Vec::with_capacity(keys.len());
            for k in keys {
                let k = k.as_str().ok_or("a dimension key that is not a string")?;
                let v = root
                    .get(k)
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("dimension {k:?} is not a string member of the root"))?;
                if v.trim().is_empty() || v.len() > 1024 || !v.is_ascii() {
                    return Err(format!("dimension {k}={v:?}: 1-1024 ASCII characters"));
                }
                dimensions.push((k.to_string(), v.to_string()));
            }
            for m in metrics {
                let name = m.get("Name").and_then(Value::as_str).unwrap_or_default();
                let values: Vec<f64> = match root.get(name) {
                    Some(Value::Number(n)) => vec![n.as_f64().unwrap_or(f64::NAN)],
                    Some(Value::Array(a)) if !a.is_empty() && a.len() <= MAX_VALUES_PER_METRIC => a
                        .iter()
                        .map(|v| v.as_f64().ok_or(format!("{name}: a value that is not a number")))
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(format!(
                            "metric {name:?} is not a number or an array of 1-100 numbers in the root"
                        ));
                    }
                };
                let e = Extracted {
                    namespace: namespace.to_string(),
                    name: name.to_string(),
                    dimensions: dimensions.clone(),
                    timestamp_ms,
                    unit: m.get("Unit").and_then(Value::as_str).map(str::to_string),
                    values,
                };
                if out
                    .iter()
                    .any(|o| o.namespace == e.namespace && o.name == e.name && o.dimensions == e.dimensions)
                {
                    return Err(format!("{name} {:?} listed twice in one document", e.dimensions));
                }
                out.push(e);
            }
        }
    }
    Ok(out)
}

/// Writes EMF lines to a writer (stdout in Lambda and in local runs).
pub struct EmfSink {
    out: Mutex<Box<dyn Write + Send>>,
}

impl EmfSink {
    /// A sink writing to stdout.
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    /// A sink writing to any writer.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        Self { out: Mutex::new(out) }
    }
}

impl std::fmt::Debug for EmfSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmfSink")
    }
}

impl MetricSink for EmfSink {
    async fn publish(&self, batch: &MetricBatch) -> Result<PublishReport, SinkError> {
        let lines = encode(batch);
        let mut buf = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in &lines {
            buf.push_str(l);
            buf.push('\n');
        }
        let mut out = self.out.lock().map_err(|_| std::io::Error::other("EMF writer poisoned"))?;
        out.write_all(buf.as_bytes())?;
        out.flush()?;
        let datums = batch
            .series
            .iter()
            .map(|s| s.counts.len() + s.latency.iter().map(|(_, c)| *c as usize).sum::<usize>())
            .sum();
        Ok(PublishReport { datums, requests: 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn batch(latency: Vec<(u64, u64)>) -> MetricBatch {
        MetricBatch {
            namespace: "Custom/SES".into(),
            series: vec![
                Series {
                    timestamp_ms: 60_000,
                    dimensions: vec![],
                    other: None,
                    counts: vec![("Send", 3)],
                    latency: vec![],
                },
                Series {
                    timestamp_ms: 60_000,
                    dimensions: vec![("RecipientDomain".into(), "gmail.com".into())],
                    other: None,
                    counts: vec![("Delivery", 250), ("Bounce", 1)],
                    latency,
                },
            ],
        }
    }

    #[test]
    fn documents_follow_the_specification() {
        let lines = encode(&batch(vec![(120, 1), (340, 2)]));
        assert_eq!(lines.len(), 2);
        let totals: Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(totals["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
        assert_eq!(totals["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Custom/SES");
        assert_eq!(totals["_aws"]["Timestamp"], 60_000);
        assert_eq!(totals["Send"], 3);
        let d: Value = serde_json::from_str(&lines[1]).unwrap();
        assert_eq!(d["RecipientDomain"], "gmail.com");
        assert_eq!(d["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([["RecipientDomain"]]));
        assert_eq!(d["DeliveryLatency"], json!([120, 340, 340]));
        let names: Vec<&str> = d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Delivery", "Bounce", "DeliveryLatency"]);
        // every referenced metric is a root member
        for n in names {
            assert!(d.get(n).is_some());
        }
    }

    /// The lines are written by hand now: each is exactly what serde_json writes for the same
    /// document (key order, escapes, numbers), so the log bytes and what CloudWatch reads did not
    /// change.
    #[test]
    fn lines_are_what_serde_json_writes() {
        let mut b = batch(vec![(120, 1), (340, 2), (u64::MAX, 1)]);
        b.series.push(Series {
            timestamp_ms: -60_000,
            dimensions: vec![("RecipientDomain".into(), "other".into())],
            other: Some("we\"ird\\dom\u{1}ain\n\t\r\u{8}\u{c}\u{1f}\u{7f}é.example".into()),
            counts: vec![("HardBounce", 2), ("Bounce", 2)],
            latency: vec![],
        });
        b.series.push(Series {
            timestamp_ms: -60_000,
            dimensions: vec![("campaign".into(), "spring \"sale\"".into())],
            other: None,
            counts: vec![("HardBounce", 2), ("Bounce", 2)],
            latency: vec![],
        });
        b.series.push(Series { latency: vec![(7, 250)], ..b.series[1].clone() });
        let lines = encode(&b);
        assert!(lines.len() >= 5, "{lines:?}");
        for line in &lines {
            let value: Value = serde_json::from_str(line).unwrap();
            assert_eq!(*line, value.to_string());
            assert!(extract(line).is_ok(), "{line}");
        }
    }

    #[test]
    fn long_distributions_are_split_at_100_values() {
        let lines = encode(&batch(vec![(5, 150), (7, 100)]));
        assert_eq!(lines.len(), 1 + 3);
        let docs: Vec<Value> = lines[1..].iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        let sizes: Vec<usize> = docs.iter().map(|d| d["DeliveryLatency"].as_array().unwrap().len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        // counts only once, dimensions on every document
        assert_eq!(docs[0]["Delivery"], 250);
        assert!(docs[1].get("Delivery").is_none());
        assert!(docs.iter().all(|d| d["RecipientDomain"] == "gmail.com"));
        let total: u64 = docs
            .iter()
            .flat_map(|d| d["DeliveryLatency"].as_array().unwrap().clone())
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(total, 5 * 150 + 7 * 100);
    }

    #[test]
    fn extract_reads_what_cloudwatch_would() {
        let lines = encode(&batch(vec![(120, 1), (340, 2)]));
        let got: Vec<Extracted> = lines.iter().flat_map(|l| extract(l).unwrap()).collect();
        let names: Vec<(&str, usize)> = got.iter().map(|e| (e.name.as_str(), e.dimensions.len())).collect();
        assert_eq!(names, [("Send", 0), ("Delivery", 1), ("Bounce", 1), ("DeliveryLatency", 1)]);
        assert_eq!(got[3].values, [120.0, 340.0, 340.0]);
        assert_eq!(got[1].dimensions, [("RecipientDomain".to_string(), "gmail.com".to_string())]);
        assert_eq!((got[0].timestamp_ms, got[0].unit.as_deref()), (60_000, Some("Count")));
        let doc = |aws: Value, root: Value| {
            let mut r = root;
            r["_aws"] = aws;
            r.to_string()
        };
        let directive = |dims: Value, metrics: Value| json!({"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "N", "Dimensions": dims, "Metrics": metrics}]});
        let ok = doc(directive(json!([["D"], []]), json!([{"Name": "M"}])), json!({"D": "x", "M": 2}));
        assert_eq!(extract(&ok).unwrap().len(), 2, "one per dimension set");
        let bad = [
            "not json".to_string(),
            json!({"M": 1}).to_string(),
            doc(directive(json!([["D"]]), json!([{"Name": "M"}])), json!({"M": 1})),
            doc(directive(json!([["D"]]), json!([{"Name": "M"}])), json!({"D": 5, "M": 1})),
            doc(directive(json!([[]]), json!([{"Name": "M"}])), json!({"M": "1"})),
            doc(directive(json!([[]]), json!([{"Name": "M"}])), json!({"M": vec![1; 101]})),
            doc(directive(json!([[]]), json!([{"Name": "M"}, {"Name": "M"}])), json!({"M": 1})),
            doc(
                directive(
                    json!([(0..31).map(|i| format!("D{i}")).collect::<Vec<_>>()]),
                    json!([{"Name": "M"}]),
                ),
                {
                    let mut r = json!({"M": 1});
                    for i in 0..31 {
                        r[format!("D{i}")] = json!("v");
                    }
                    r
                },
            ),
            doc(
                directive(
                    json!([[]]),
                    json!((0..101).map(|i| json!({"Name": format!("M{i}")})).collect::<Vec<_>>()),
                ),
                {
                    let mut r = json!({});
                    for i in 0..101 {
                        r[format!("M{i}")] = json!(1);
                    }
                    r
                },
            ),
            // the same metric and dimension set twice (in two directives): counted twice
            doc(
                json!({"Timestamp": 1, "CloudWatchMetrics": [
                    {"Namespace": "N", "Dimensions": [[]], "Metrics": [{"Name": "M"}]},
                    {"Namespace": "N", "Dimensions": [[]], "Metrics": [{"Name": "M"}]}]}),
                json!({"M": 1}),
            ),
        ];
        for b in &bad {
            assert!(extract(b).is_err(), "accepted {b}");
        }
    }

    #[tokio::test]
    async fn sink_writes_lines() {
        #[derive(Clone, Default)]
        struct Buf(std::sync::Arc<Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let sink = EmfSink::new(Box::new(buf.clone()));
        let r = sink.publish(&batch(vec![(1, 2)])).await.unwrap();
        assert_eq!(r, PublishReport { datums: 1 + 2 + 2, requests: 0 });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 2);
    }
}
