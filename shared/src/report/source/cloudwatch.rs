//! The report's numbers from CloudWatch through aws-sdk-cloudwatch.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    Dimension, DimensionFilter, Metric, MetricDataQuery, MetricStat, StatusCode,
};
use aws_smithy_types::DateTime as SmithyDateTime;
use chrono::{DateTime, Utc};

use super::{AwsError, MetricSource, Query, Values};
use crate::metrics::RECIPIENT_DOMAIN;

/// Most queries in one GetMetricData request.
pub const MAX_QUERIES_PER_REQUEST: usize = 500;

/// CloudWatch through aws-sdk-cloudwatch.
#[derive(Debug, Clone)]
pub struct CloudWatchSource {
    client: Client,
}

impl CloudWatchSource {
    /// Wraps a client (built once per container).
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

fn to_smithy(t: DateTime<Utc>) -> SmithyDateTime {
    SmithyDateTime::from_secs(t.timestamp())
}

impl MetricSource for CloudWatchSource {
    async fn domains(&self, namespace: &str) -> Result<Vec<String>, AwsError> {
        let mut out = BTreeSet::new();
        let mut token = None;
        loop {
            let resp = self
                .client
                .list_metrics()
                .namespace(namespace)
                .dimensions(DimensionFilter::builder().name(RECIPIENT_DOMAIN).build())
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| AwsError::sdk("CloudWatch", "ListMetrics", &e))?;
            for m in resp.metrics() {
                for d in m.dimensions() {
                    if d.name() == Some(RECIPIENT_DOMAIN)
                        && let Some(v) = d.value()
                    {
                        out.insert(v.to_string());
                    }
                }
            }
            match resp.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out.into_iter().collect()),
            }
        }
    }

    async fn fetch(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        queries: &[Query],
    ) -> Result<Values, AwsError> {
        let mut out: Values = HashMap::new();
        for chunk in queries.chunks(MAX_QUERIES_PER_REQUEST) {
            let mdq: Vec<MetricDataQuery> = chunk
                .iter()
                .map(|q| {
                    let dims =
                        q.dimensions.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build());
                    MetricDataQuery::builder()
                        .id(&q.id)
                        .metric_stat(
                            MetricStat::builder()
                                .metric(
                                    Metric::builder()
                                        .namespace(&q.namespace)
                                        .metric_name(&q.metric)
                                        .set_dimensions(Some(dims.collect()))
                                        .build(),
                                )
                                .period(q.period_s)
                                .stat(&q.stat)
                                .build(),
                        )
                        .return_data(true)
                        .build()
                })
                .collect();
            let mut token = None;
            loop {
                let resp = self
                    .client
                    .get_metric_data()
                    .start_time(to_smithy(start))
                    .end_time(to_smithy(end))
                    .set_metric_data_queries(Some(mdq.clone()))
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|e| AwsError::sdk("CloudWatch", "GetMetricData", &e))?;
                for r in resp.metric_data_results() {
                    let Some(id) = r.id() else { continue };
                    // A query CloudWatch could not answer would read as zero: fail instead.
                    if let Some(code @ (StatusCode::InternalError | StatusCode::Forbidden)) = r.status_code()
                    {
                        let said: Vec<&str> = r.messages().iter().filter_map(|m| m.value()).collect();
                        return Err(AwsError::new(
                            "CloudWatch",
                            "GetMetricData",
                            format!(
                                "query {id} ({}): {} {}",
                                chunk.iter().find(|q| q.id == id).map_or("?", |q| q.metric.as_str()),
                                code.as_str(),
                                said.join("; ")
                            ),
                        ));
                    }
                    let entry = out.entry(id.to_string()).or_default();
                    for (t, v) in r.timestamps().iter().zip(r.values()) {
                        let t = DateTime::from_timestamp(t.secs(), 0).unwrap_or(start);
                        entry.push((t, *v));
                    }
                }
                match resp.next_token() {
                    Some(t) if !t.is_empty() => token = Some(t.to_string()),
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}
