//! Keeps published batches in memory, for tests (feature `test-util`).

use std::sync::Mutex;

use super::*;

/// Keeps published batches in memory; optionally fails every call.
#[derive(Debug, Default)]
pub struct MemorySink {
    batches: Mutex<Vec<MetricBatch>>,
    fail_with: Option<String>,
}

impl MemorySink {
    /// A sink whose every publish fails with `message`.
    pub fn failing(message: &str) -> Self {
        Self { batches: Mutex::new(Vec::new()), fail_with: Some(message.into()) }
    }

    /// The batches published so far.
    pub fn batches(&self) -> Vec<MetricBatch> {
        self.batches.lock().expect("not poisoned").clone()
    }
}

impl MetricSink for MemorySink {
    async fn publish(&self, batch: &MetricBatch) -> Result<PublishReport, SinkError> {
        if let Some(m) = &self.fail_with {
            return Err(SinkError::Api(m.clone()));
        }
        let datums = batch.series.iter().map(|s| s.counts.len() + usize::from(!s.latency.is_empty())).sum();
        self.batches.lock().expect("not poisoned").push(batch.clone());
        Ok(PublishReport { datums, requests: 0 })
    }
}
