//! CloudWatch Embedded Metric Format (EMF): metrics as structured log lines.
//!
//! In Lambda, a JSON line on stdout with an `_aws.CloudWatchMetrics` directive becomes metrics
//! without any API call, and without adding latency or throttling risk to the invocation.
//! Follows the specification's limits: at most 100 metrics per directive, 30 dimensions per
//! dimension set and 100 values per metric array. CloudWatch has no `Counts` in EMF, so a latency
//! distribution is written as arrays of values, spread over more documents when it exceeds 100.

use std::io::Write;
use std::sync::Mutex;

use serde_json::{Map, Value, json};

use crate::metrics::{DELIVERY_LATENCY, MetricBatch, Series};
use crate::sink::{MetricSink, PublishReport, SinkError};

/// Most values in one metric array.
pub const MAX_VALUES_PER_METRIC: usize = 100;
/// Most metrics in one directive.
pub const MAX_METRICS_PER_DIRECTIVE: usize = 100;

/// Encodes a batch as EMF documents, one JSON object per line.
pub fn encode(batch: &MetricBatch) -> Vec<String> {
    let mut out = Vec::new();
    for s in &batch.series {
        encode_series(&batch.namespace, s, &mut out);
    }
    out
}

fn encode_series(namespace: &str, s: &Series, out: &mut Vec<String>) {
    let values: Vec<u64> = s.latency.iter().flat_map(|(v, c)| std::iter::repeat_n(*v, *c as usize)).collect();
    let mut chunks = values.chunks(MAX_VALUES_PER_METRIC);
    let mut first = true;
    loop {
        let latency_chunk = chunks.next();
        if !first && latency_chunk.is_none() {
            break;
        }
        let mut root = Map::new();
        let mut metrics = Vec::new();
        if first {
            for (name, v) in &s.counts {
                metrics.push(json!({"Name": name, "Unit": "Count"}));
                root.insert((*name).to_string(), json!(v));
            }
        }
        if let Some(chunk) = latency_chunk {
            metrics.push(json!({"Name": DELIVERY_LATENCY, "Unit": "Milliseconds"}));
            root.insert(DELIVERY_LATENCY.into(), json!(chunk));
        }
        first = false;
        if metrics.is_empty() {
            continue;
        }
        debug_assert!(metrics.len() <= MAX_METRICS_PER_DIRECTIVE);
        let dim_names: Vec<&str> = s.dimensions.iter().map(|(k, _)| k.as_str()).collect();
        for (k, v) in &s.dimensions {
            root.insert(k.clone(), Value::String(v.clone()));
        }
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": s.timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [dim_names],
                    "Metrics": metrics,
                }]
            }),
        );
        out.push(Value::Object(root).to_string());
    }
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

    fn batch(latency: Vec<(u64, u64)>) -> MetricBatch {
        MetricBatch {
            namespace: "Custom/SES".into(),
            series: vec![
                Series {
                    timestamp_ms: 60_000,
                    dimensions: vec![],
                    counts: vec![("Send", 3)],
                    latency: vec![],
                },
                Series {
                    timestamp_ms: 60_000,
                    dimensions: vec![("RecipientDomain".into(), "gmail.com".into())],
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
