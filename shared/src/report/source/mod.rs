//! Where the report's numbers come from: the [`MetricSource`] trait (ListMetrics finds the
//! recipient domains with data, GetMetricData reads the sums), its CloudWatch adapter and data
//! points held in memory ([`PointSource`]: EMF lines read locally, canned values for tests).

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, Utc};

use crate::platform::aws::AwsError;

mod cloudwatch;
mod points;

pub use cloudwatch::{CloudWatchSource, MAX_QUERIES_PER_REQUEST};
pub use points::PointSource;

/// One metric to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Unique id (`[a-z][a-zA-Z0-9_]*`).
    pub id: String,
    /// Namespace.
    pub namespace: String,
    /// Metric name.
    pub metric: String,
    /// Dimensions.
    pub dimensions: Vec<(String, String)>,
    /// Statistic (`Sum`, `Average`).
    pub stat: String,
    /// Period in seconds (a multiple of 60).
    pub period_s: i32,
}

/// Values per query id, each `(timestamp, value)`.
pub type Values = HashMap<String, Vec<(DateTime<Utc>, f64)>>;

/// Where the report's numbers come from.
pub trait MetricSource: Send + Sync {
    /// The `RecipientDomain` values with metrics in the namespace (ListMetrics, all pages).
    fn domains(&self, namespace: &str) -> impl Future<Output = Result<Vec<String>, AwsError>> + Send;
    /// Reads the queries over `[start, end)`; missing data is simply absent.
    fn fetch(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        queries: &[Query],
    ) -> impl Future<Output = Result<Values, AwsError>> + Send;
}
