//! Metric data points held in memory: what `--from-emf` reads out of ses-events' EMF lines (no
//! AWS account needed), and the examples' and tests' canned numbers. Answers GetMetricData's
//! question the way CloudWatch does: the points of each query in `[start, end)`, summed (or
//! averaged) per period counted from `start`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;

use super::*;

/// Data points per (`RecipientDomain` value, metric), and the account's reputation metrics.
#[derive(Debug, Default, Clone)]
pub struct PointSource {
    /// (domain, metric) → time → value (values at the same time are added).
    pub points: BTreeMap<(String, String), BTreeMap<DateTime<Utc>, f64>>,
    /// `AWS/SES` reputation metric name → value (constant over time).
    pub reputation: HashMap<String, f64>,
}

impl PointSource {
    /// Adds a data point.
    pub fn add(&mut self, domain: &str, metric: &str, at: DateTime<Utc>, v: f64) {
        *self.points.entry((domain.to_string(), metric.to_string())).or_default().entry(at).or_default() += v;
    }

    /// The first and last data point's times, if there is any.
    pub fn span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let first = self.points.values().filter_map(|p| p.keys().next()).min()?;
        let last = self.points.values().filter_map(|p| p.keys().next_back()).max()?;
        Some((*first, *last))
    }
}

impl MetricSource for PointSource {
    async fn domains(&self, _: &str) -> Result<Vec<String>, AwsError> {
        Ok(self.points.keys().map(|k| k.0.clone()).collect::<BTreeSet<_>>().into_iter().collect())
    }

    async fn fetch(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        queries: &[Query],
    ) -> Result<Values, AwsError> {
        let mut out = Values::new();
        for q in queries {
            let Some((_, domain)) = q.dimensions.first() else {
                if let Some(v) = self.reputation.get(&q.metric) {
                    out.insert(q.id.clone(), vec![(start, *v)]);
                }
                continue;
            };
            let Some(points) = self.points.get(&(domain.clone(), q.metric.clone())) else { continue };
            let period = Duration::seconds(i64::from(q.period_s.max(60)));
            let mut buckets: BTreeMap<DateTime<Utc>, (f64, u32)> = BTreeMap::new();
            for (t, v) in points.range(start..end) {
                let k = (*t - start).num_seconds() / period.num_seconds();
                let b = buckets.entry(start + period * k as i32).or_default();
                b.0 += v;
                b.1 += 1;
            }
            if buckets.is_empty() {
                continue;
            }
            let average = q.stat == "Average";
            let values = buckets
                .into_iter()
                .map(|(t, (s, n))| (t, if average { s / f64::from(n) } else { s }))
                .collect();
            out.insert(q.id.clone(), values);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sums_per_period_from_the_start() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let mut p = PointSource::default();
        p.add("gmail", "Send", t("2026-11-26T00:10:00Z"), 3.0);
        p.add("gmail", "Send", t("2026-11-26T00:50:00Z"), 4.0);
        p.add("gmail", "Send", t("2026-11-26T02:00:00Z"), 5.0);
        p.add("gmail", "Send", t("2026-11-27T00:00:00Z"), 100.0); // the end is exclusive
        assert_eq!(p.span(), Some((t("2026-11-26T00:10:00Z"), t("2026-11-27T00:00:00Z"))));
        let q = |period_s| Query {
            id: "q".into(),
            namespace: "Custom/SES".into(),
            metric: "Send".into(),
            dimensions: vec![("RecipientDomain".into(), "gmail".into())],
            stat: "Sum".into(),
            period_s,
        };
        let (s, e) = (t("2026-11-26T00:00:00Z"), t("2026-11-27T00:00:00Z"));
        let day = p.fetch(s, e, &[q(86_400)]).await.unwrap();
        assert_eq!(day["q"], vec![(s, 12.0)]);
        let hourly = p.fetch(s, e, &[q(3600)]).await.unwrap();
        assert_eq!(hourly["q"], vec![(s, 7.0), (t("2026-11-26T02:00:00Z"), 5.0)]);
        assert_eq!(p.domains("x").await.unwrap(), ["gmail"]);
    }
}
