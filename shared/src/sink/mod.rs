//! Where aggregated metrics go: the [`MetricSink`] trait and its implementations.
//!
//! - [`crate::sink::emf::EmfSink`]: CloudWatch Embedded Metric Format lines (no API call);
//! - [`crate::sink::cloudwatch::CloudWatchSink`]: PutMetricData through aws-sdk-cloudwatch;
//! - [`MemorySink`]: keeps batches in memory, for tests (feature `test-util`).

pub mod cloudwatch;
pub mod emf;
#[cfg(any(test, feature = "test-util"))]
mod memory;

#[cfg(any(test, feature = "test-util"))]
pub use memory::MemorySink;

use std::future::Future;

use crate::metrics::MetricBatch;

/// What a sink did with a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// Data points written (EMF metric values, or PutMetricData datums).
    pub datums: usize,
    /// API requests made (0 for EMF).
    pub requests: usize,
}

/// A failure to publish, after the SDK's own retries.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The CloudWatch API refused or could not be reached.
    #[error("PutMetricData failed: {0}")]
    Api(String),
    /// Writing EMF lines failed.
    #[error("writing EMF failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Publishes an aggregated [`MetricBatch`].
pub trait MetricSink: Send + Sync {
    /// Publishes every series of the batch, or fails as a whole.
    fn publish(&self, batch: &MetricBatch) -> impl Future<Output = Result<PublishReport, SinkError>> + Send;
}

/// The sink chosen by `METRICS_SINK`, built once at start-up.
#[derive(Debug)]
pub enum AnySink {
    /// EMF lines on stdout.
    Emf(crate::sink::emf::EmfSink),
    /// PutMetricData.
    Api(crate::sink::cloudwatch::CloudWatchSink),
}

impl AnySink {
    /// Builds the configured sink. The `api` sink needs the AWS configuration (see
    /// [`crate::platform::config::IngestConfig::needs_aws`]); without it, EMF is used.
    pub fn new(cfg: &crate::platform::config::IngestConfig, sdk: Option<&aws_config::SdkConfig>) -> Self {
        match (cfg.sink, sdk) {
            (crate::platform::config::SinkKind::Api, Some(sdk)) => {
                Self::Api(crate::sink::cloudwatch::CloudWatchSink::new(aws_sdk_cloudwatch::Client::new(sdk)))
            }
            _ => Self::Emf(crate::sink::emf::EmfSink::stdout()),
        }
    }
}

impl MetricSink for AnySink {
    async fn publish(&self, batch: &MetricBatch) -> Result<PublishReport, SinkError> {
        match self {
            Self::Emf(s) => s.publish(batch).await,
            Self::Api(s) => s.publish(batch).await,
        }
    }
}
