//! Counts the PutMetricData requests (and datums) the `api` sink makes per 1000 events, for
//! SQS-sized batches of realistic traffic spread over different time spans.
//!
//! `cargo run --release -p ses-monitor --example api_calls`

use chrono::{Duration, Utc};
use ses_monitor::ingest::ingest;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::sink::cloudwatch::{datums, plan_requests};
use ses_monitor::synth::{Generator, sqs_lambda_event};

fn main() {
    let now = Utc::now();
    let cfg = IngestConfig::default();
    println!("batch_events,span_seconds,series,datums,requests,requests_per_1000_events");
    for (batch, span_s) in [(1000usize, 60i64), (1000, 300), (10_000, 300), (100, 20)] {
        let mut g = Generator::new(7);
        let msgs: Vec<String> = (0..batch)
            .map(|i| g.next_json(now - Duration::milliseconds(i as i64 * span_s * 1000 / batch as i64)))
            .collect();
        let out = ingest(&cfg, &sqs_lambda_event(&msgs, false, now), now);
        assert_eq!(out.summary.events, batch as u64);
        let d = datums(&out.batch);
        let n_datums = d.len();
        let requests = plan_requests(d).len();
        println!(
            "{batch},{span_s},{},{n_datums},{requests},{:.2}",
            out.batch.series.len(),
            requests as f64 * 1000.0 / batch as f64
        );
    }
}
