//! Throughput of ses-events over a realistic mix (ten domains, all ten event types, full SES
//! JSON with headers and tags), in each shape a payload comes in: parse + aggregate + EMF
//! encoding, the work of one invocation with `METRICS_SINK=emf` (what is written to stdout is
//! left out; `encode` builds the lines).
//!
//! `cargo bench -p ses-monitor --bench ingest`; each figure is per 1000 events (elements/s is
//! events/s on one core).

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ses_monitor::ingest::ingest;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::sink::emf;
use ses_monitor::synth::{Generator, sns_lambda_event, sqs_lambda_event};

const N: usize = 1000;

fn events(now: DateTime<Utc>) -> Vec<String> {
    let mut g = Generator::new(42);
    // spread over one minute, as an SQS batching window would collect them
    (0..N).map(|i| g.next_json(now - Duration::milliseconds((i * 60) as i64))).collect()
}

/// One invocation: the payload read and aggregated, the metrics encoded as EMF lines; returns
/// the bytes written, so nothing is optimised away.
fn invocation(cfg: &IngestConfig, payload: &str, now: DateTime<Utc>) -> usize {
    let ingested = ingest(cfg, std::hint::black_box(payload), now);
    emf::encode(&ingested.batch).iter().map(String::len).sum()
}

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = Utc::now();
    let cfg = IngestConfig::default();
    let msgs = events(now);
    let sqs_sns = sqs_lambda_event(&msgs, false, now);
    let sqs_raw = sqs_lambda_event(&msgs, true, now);
    // EventsDelivery=eventbridge: SQS bodies are EventBridge events, the SES JSON as `detail`.
    let eventbridge: Vec<String> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| {
            format!(
                r#"{{"version":"0","id":"4a1b2c3d-0000-4000-8000-{i:012x}","detail-type":"Email Delivered","source":"aws.ses","account":"123456789012","time":"{}","region":"us-east-1","resources":["arn:aws:ses:us-east-1:123456789012:configuration-set/ses-monitor"],"detail":{m}}}"#,
                now.format("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .collect();
    let sqs_eventbridge = sqs_lambda_event(&eventbridge, true, now);
    let json_lines = msgs.join("\n");
    let sns_single: Vec<String> =
        msgs.iter().map(|m| sns_lambda_event(std::slice::from_ref(m), now)).collect();
    let avg = sns_single.iter().map(String::len).sum::<usize>() / N;
    eprintln!(
        "payload sizes: SQS batch of {N} SNS envelopes {} bytes; {N} JSON lines {} bytes; one SNS event {avg} bytes on average",
        sqs_sns.len(),
        json_lines.len()
    );

    // Every input counts all its events (outside the timed part; `cargo test` runs this once).
    assert_eq!(ingest(&cfg, &sqs_sns, now).summary.events, N as u64);
    assert_eq!(ingest(&cfg, &sqs_raw, now).summary.events, N as u64);
    assert_eq!(ingest(&cfg, &sqs_eventbridge, now).summary.events, N as u64);
    assert_eq!(ingest(&cfg, &json_lines, now).summary.events, N as u64);
    let single: u64 = sns_single.iter().map(|p| ingest(&cfg, p, now).summary.events).sum();
    assert_eq!(single, N as u64);

    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("json_lines_1000", |b| b.iter(|| invocation(&cfg, &json_lines, now)));
    g.bench_function("sqs_batch_1000_sns_envelopes", |b| b.iter(|| invocation(&cfg, &sqs_sns, now)));
    g.bench_function("sqs_batch_1000_raw", |b| b.iter(|| invocation(&cfg, &sqs_raw, now)));
    g.bench_function("sqs_batch_1000_eventbridge", |b| b.iter(|| invocation(&cfg, &sqs_eventbridge, now)));
    g.bench_function("sns_event_x1000_one_record_each", |b| {
        b.iter(|| sns_single.iter().map(|p| invocation(&cfg, p, now)).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
