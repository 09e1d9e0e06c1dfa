//! The `api` sink: PutMetricData through aws-sdk-cloudwatch.
//!
//! A batch becomes datums (one per series and metric; latency as `Values`/`Counts`, at most 150
//! distinct values per datum), packed into requests of at most 1000 datums and an estimated
//! 1 MB. Requests go out with bounded concurrency. Throttling and transient errors are retried by
//! the SDK's standard retry mode (exponential backoff with jitter; `AWS_MAX_ATTEMPTS` and
//! `AWS_RETRY_MODE` tune it); an error that survives the retries fails the publish, so the
//! invocation fails and Lambda retries it instead of losing the data.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime as SmithyDateTime;
use futures_util::{StreamExt, stream};

use crate::metrics::{DELIVERY_LATENCY, MetricBatch};
use crate::sink::{MetricSink, PublishReport, SinkError};

/// Most datums in one PutMetricData request.
pub const MAX_DATUMS_PER_REQUEST: usize = 1000;
/// Largest PutMetricData payload (1 MB); requests are planned to stay under it with a margin.
pub const MAX_REQUEST_BYTES: usize = 1_000_000;
/// Most distinct values in one datum's `Values`.
pub const MAX_VALUES_PER_DATUM: usize = 150;
/// Requests in flight at once.
pub const CONCURRENCY: usize = 4;

/// Turns a batch into PutMetricData datums: one per metric and series (series that differ only
/// in the value behind `other` are one metric, so their values are added first).
pub fn datums(batch: &MetricBatch) -> Vec<MetricDatum> {
    let batch = batch.without_other();
    let mut out = Vec::new();
    for s in &batch.series {
        let dims: Vec<Dimension> =
            s.dimensions.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect();
        let ts = SmithyDateTime::from_millis(s.timestamp_ms);
        for (name, v) in &s.counts {
            out.push(
                MetricDatum::builder()
                    .metric_name(*name)
                    .set_dimensions(Some(dims.clone()))
                    .timestamp(ts)
                    .value(*v as f64)
                    .unit(StandardUnit::Count)
                    .build(),
            );
        }
        for chunk in s.latency.chunks(MAX_VALUES_PER_DATUM) {
            out.push(
                MetricDatum::builder()
                    .metric_name(DELIVERY_LATENCY)
                    .set_dimensions(Some(dims.clone()))
                    .timestamp(ts)
                    .set_values(Some(chunk.iter().map(|(v, _)| *v as f64).collect()))
                    .set_counts(Some(chunk.iter().map(|(_, c)| *c as f64).collect()))
                    .unit(StandardUnit::Milliseconds)
                    .build(),
            );
        }
    }
    out
}

/// A generous upper bound of a datum's encoded size in bytes (the SDK sends CBOR, which is
/// smaller than this JSON-like estimate).
pub fn estimated_size(d: &MetricDatum) -> usize {
    let dims: usize = d
        .dimensions()
        .iter()
        .map(|x| 40 + x.name().map_or(0, str::len) + x.value().map_or(0, str::len))
        .sum();
    120 + d.metric_name().map_or(0, str::len) + dims + 40 * (d.values().len() + d.counts().len())
}

/// Packs datums into requests: at most [`MAX_DATUMS_PER_REQUEST`] each and an estimated size
/// under [`MAX_REQUEST_BYTES`] minus room for the envelope.
pub fn plan_requests(datums: Vec<MetricDatum>) -> Vec<Vec<MetricDatum>> {
    let budget = MAX_REQUEST_BYTES - 4096;
    let mut out: Vec<Vec<MetricDatum>> = Vec::new();
    let mut current: Vec<MetricDatum> = Vec::new();
    let mut size = 0;
    for d in datums {
        let s = estimated_size(&d);
        if !current.is_empty() && (current.len() == MAX_DATUMS_PER_REQUEST || size + s > budget) {
            out.push(std::mem::take(&mut current));
            size = 0;
        }
        size += s;
        current.push(d);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// PutMetricData sink.
#[derive(Debug, Clone)]
pub struct CloudWatchSink {
    client: Client,
}

impl CloudWatchSink {
    /// A sink on an SDK client (built once per container, outside the handler).
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

impl MetricSink for CloudWatchSink {
    async fn publish(&self, batch: &MetricBatch) -> Result<PublishReport, SinkError> {
        let datums = datums(batch);
        let n_datums = datums.len();
        let requests = plan_requests(datums);
        let n_requests = requests.len();
        // CONCURRENCY requests in flight; the first failure (after the SDK's retries) returns
        // and drops the stream, which cancels the requests still running.
        let mut calls = stream::iter(requests)
            .map(|chunk| {
                self.client.put_metric_data().namespace(&batch.namespace).set_metric_data(Some(chunk)).send()
            })
            .buffer_unordered(CONCURRENCY);
        while let Some(result) = calls.next().await {
            result.map_err(|e| SinkError::Api(crate::platform::aws::error_text(&e)))?;
        }
        tracing::debug!(datums = n_datums, requests = n_requests, "PutMetricData done");
        Ok(PublishReport { datums: n_datums, requests: n_requests })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Series;

    fn batch(series: usize, latency_values: u64) -> MetricBatch {
        MetricBatch {
            namespace: "Custom/SES".into(),
            series: (0..series)
                .map(|i| Series {
                    timestamp_ms: 60_000 * i as i64,
                    dimensions: vec![("RecipientDomain".into(), format!("d{i}.example"))],
                    other: None,
                    counts: vec![("Send", 10), ("Delivery", 9)],
                    latency: (0..latency_values).map(|v| (v, 1)).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn datums_carry_counts_and_distributions() {
        let d = datums(&batch(1, 200));
        assert_eq!(d.len(), 2 + 2, "two counts, 200 latency values in 150 + 50");
        assert_eq!(d[0].metric_name(), Some("Send"));
        assert_eq!(d[0].value(), Some(10.0));
        assert_eq!(d[0].unit(), Some(&StandardUnit::Count));
        assert_eq!(d[0].dimensions()[0].value(), Some("d0.example"));
        assert_eq!(d[2].values().len(), 150);
        assert_eq!(d[2].counts().len(), 150);
        assert_eq!(d[3].values().len(), 50);
        assert_eq!(d[3].unit(), Some(&StandardUnit::Milliseconds));
        assert_eq!(d[0].timestamp().unwrap().to_millis().unwrap(), 0);
    }

    #[test]
    fn requests_respect_count_and_size_limits() {
        let plan = plan_requests(datums(&batch(1200, 0)));
        assert_eq!(plan.iter().map(Vec::len).collect::<Vec<_>>(), [1000, 1000, 400]);
        let plan = plan_requests(datums(&batch(400, 150)));
        assert!(plan.len() > 1);
        for r in &plan {
            assert!(r.len() <= MAX_DATUMS_PER_REQUEST);
            assert!(r.iter().map(estimated_size).sum::<usize>() <= MAX_REQUEST_BYTES);
        }
        assert_eq!(plan.iter().map(Vec::len).sum::<usize>(), 400 * 3);
        assert!(plan_requests(Vec::new()).is_empty());
    }
}
