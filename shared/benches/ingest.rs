//! Parse + aggregate throughput of ses-events over a realistic mix (ten domains, all ten event
//! types, full SES JSON with headers and tags), in the envelopes Lambda delivers.
//!
//! `cargo bench -p ses-monitor --bench ingest`

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ses_monitor::ingest::ingest;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::synth::{Generator, sns_lambda_event, sqs_lambda_event};

const N: usize = 1000;

fn events(now: DateTime<Utc>) -> Vec<String> {
    let mut g = Generator::new(42);
    // spread over one minute, as an SQS batching window would collect them
    (0..N).map(|i| g.next_json(now - Duration::milliseconds((i * 60) as i64))).collect()
}

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = Utc::now();
    let cfg = IngestConfig::default();
    let msgs = events(now);
    let sqs_sns = sqs_lambda_event(&msgs, false, now);
    let sqs_raw = sqs_lambda_event(&msgs, true, now);
    let sns_single: Vec<String> =
        msgs.iter().map(|m| sns_lambda_event(std::slice::from_ref(m), now)).collect();
    let avg = sns_single.iter().map(String::len).sum::<usize>() / N;
    eprintln!(
        "payload sizes: SQS batch of {N} SNS envelopes {} bytes; one SNS event {avg} bytes on average",
        sqs_sns.len()
    );

    // Every input counts all its events (outside the timed part; `cargo test` runs this once).
    assert_eq!(ingest(&cfg, &sqs_sns, now).summary.events, N as u64);
    assert_eq!(ingest(&cfg, &sqs_raw, now).summary.events, N as u64);
    let single: u64 = sns_single.iter().map(|p| ingest(&cfg, p, now).summary.events).sum();
    assert_eq!(single, N as u64);

    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("sqs_batch_1000_sns_envelopes", |b| {
        b.iter(|| ingest(&cfg, std::hint::black_box(&sqs_sns), now).batch)
    });
    g.bench_function("sqs_batch_1000_raw", |b| {
        b.iter(|| ingest(&cfg, std::hint::black_box(&sqs_raw), now).batch)
    });
    g.bench_function("sns_event_x1000_one_record_each", |b| {
        b.iter(|| {
            let mut series = 0;
            for p in &sns_single {
                series += ingest(&cfg, std::hint::black_box(p), now).batch.series.len();
            }
            series
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
