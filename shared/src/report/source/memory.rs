//! Canned metric values, for tests and the examples (feature `test-util`).

use std::collections::BTreeSet;

use super::*;

/// Canned metric values, for tests and local runs.
#[derive(Debug, Default, Clone)]
pub struct MemorySource {
    /// (domain, metric, window start) → value.
    pub sums: HashMap<(String, String, DateTime<Utc>), f64>,
    /// Reputation metric name → value.
    pub reputation: HashMap<String, f64>,
}

impl MetricSource for MemorySource {
    async fn domains(&self, _: &str) -> Result<Vec<String>, AwsError> {
        Ok(self.sums.keys().map(|k| k.0.clone()).collect::<BTreeSet<_>>().into_iter().collect())
    }

    async fn fetch(
        &self,
        start: DateTime<Utc>,
        _: DateTime<Utc>,
        queries: &[Query],
    ) -> Result<Values, AwsError> {
        let mut out = Values::new();
        for q in queries {
            let v = match q.dimensions.first() {
                Some((_, d)) => self.sums.get(&(d.clone(), q.metric.clone(), start)).copied(),
                None => self.reputation.get(&q.metric).copied(),
            };
            if let Some(v) = v {
                out.insert(q.id.clone(), vec![(start, v)]);
            }
        }
        Ok(out)
    }
}
