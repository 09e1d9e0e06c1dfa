//! `scripts/load-check`: generated SES events through the ses-events **release** binary, served by
//! the Lambda Runtime API emulator as in production, in SQS-sized batches, publishing to the local
//! AWS emulator (ministack) through PutMetricData and writing the offender ledger, configured as
//! template.yaml configures the function. Prints what it measured:
//!
//! - events/s: events over the summed wall clock of the invocations (enqueue → response; the
//!   invocations run one after the other, as one Lambda instance serves them);
//! - PutMetricData requests (and datums) per 1000 events, from the invocation results;
//! - the binary's peak resident memory (`VmHWM` of `/proc/<pid>/status` after the run);
//! - its start: process spawn → first `/next` poll (initialisation) and → first response.
//!
//! Options: `--events N` (100000), `--batch N` (1000 records per invocation), `--sink api|emf`
//! (api), `--seed N`.
//!
//! `--starts N [--function NAME]`: instead of the load, start the function's release binary N
//! times (ses-events, alarm-suppressor or rate-reporter, configured as template.yaml configures
//! it) and print the spawn → first `/next` times (median, min, max): what a cold start costs
//! before the handler runs. Each start gets one invocation, enqueued as soon as the process is
//! spawned, so the time it is handed out is the time of the first `/next` poll.
//!
//! Measured, never asserted; the numbers depend on the machine, and the
//! PutMetricData and DynamoDB calls go to a Python emulator on the same machine.

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use serde_json::Value;
use ses_monitor::synth;
use ses_monitor_tests::lambda::{LambdaFunction, Template};
use ses_monitor_tests::{Emulator, create_ledger_table};

const LEDGER_TABLE: &str = "ses-monitor-ledger";

struct Options {
    events: usize,
    batch: usize,
    sink: String,
    seed: u64,
    starts: usize,
    function: String,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        events: 100_000,
        batch: 1000,
        sink: "api".into(),
        seed: 42,
        starts: 0,
        function: "ses-events".into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--events" => o.events = value()?.parse().map_err(|e| format!("--events: {e}"))?,
            "--batch" => o.batch = value()?.parse().map_err(|e| format!("--batch: {e}"))?,
            "--sink" => o.sink = value()?,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--starts" => o.starts = value()?.parse().map_err(|e| format!("--starts: {e}"))?,
            "--function" => o.function = value()?,
            "-h" | "--help" => {
                return Err(
                    "usage: load_check [--events N] [--batch N] [--sink api|emf] [--seed N]\n       \
                            load_check --starts N [--function ses-events|alarm-suppressor|rate-reporter]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.batch == 0 || o.events == 0 || !["api", "emf"].contains(&o.sink.as_str()) {
        return Err("--events and --batch must be > 0, --sink api or emf".into());
    }
    if !ses_monitor_tests::lambda::FUNCTIONS.contains(&o.function.as_str()) {
        return Err(format!("--function: one of {:?}", ses_monitor_tests::lambda::FUNCTIONS));
    }
    Ok(o)
}

fn percentile(sorted: &[StdDuration], p: f64) -> StdDuration {
    if sorted.is_empty() {
        return StdDuration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn ms(d: StdDuration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    create_ledger_table(&sdk, LEDGER_TABLE).await;
    if o.starts > 0 {
        return starts(&o, &emu).await;
    }
    let def = Template::load("ses-monitor")
        .with_parameter("MetricsSink", o.sink.as_str())
        .with_resource_name("LedgerTable", LEDGER_TABLE)
        .function("ses-events");

    // One minute of traffic per batch, ending now: a realistic mix (ten domains, every event
    // type), in time order as SQS hands it over, the SES JSON as the bodies (raw delivery, as the
    // template's SQS option subscribes the queue).
    let t_gen = Instant::now();
    let now = Utc::now();
    let batches = o.events.div_ceil(o.batch);
    let events = synth::traffic(o.seed, now - Duration::minutes(batches as i64), now, o.events, None);
    let payloads: Vec<Value> = events
        .chunks(o.batch)
        .map(|c| serde_json::from_str(&synth::sqs_lambda_event(c, true, now)).expect("SQS event"))
        .collect();
    drop(events);
    let generated = t_gen.elapsed();

    let f = LambdaFunction::start(&def, &[("AWS_ENDPOINT_URL", emu.endpoint_url())]).await;
    let mut took = Vec::with_capacity(payloads.len());
    let (mut counted, mut skipped, mut requests, mut datums, mut written) = (0u64, 0u64, 0u64, 0u64, 0u64);
    // The first invocation: when it was fetched from /next, and when its response came.
    type Moments = (Option<chrono::DateTime<Utc>>, Option<chrono::DateTime<Utc>>);
    let mut first: Option<Moments> = None;
    let t_run = Instant::now();
    for (i, p) in payloads.iter().enumerate() {
        let r = f.invoke_timed(p).await;
        let out = r.output.unwrap_or_else(|e| {
            panic!("invocation {i} failed: {e}\n--- ses-events log ---\n{}", f.log_tail(30))
        });
        first.get_or_insert((r.started_at, r.finished_at));
        took.push(r.elapsed);
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        counted += n(&out["events"]);
        skipped += n(&out["skipped"]);
        requests += n(&out["metrics"]["requests"]);
        datums += n(&out["metrics"]["datums"]);
        written += n(&out["ledger"]["written"]);
    }
    let wall = t_run.elapsed();
    let hwm = f.proc_status_kib("VmHWM");
    let rss = f.proc_status_kib("VmRSS");
    let busy: StdDuration = took.iter().sum();
    took.sort();
    let per_k = |x: u64| x as f64 * 1000.0 / counted.max(1) as f64;
    let since_spawn = |t: Option<chrono::DateTime<Utc>>| {
        t.map(|t| format!("{} ms", (t - f.spawned_at()).num_milliseconds())).unwrap_or_else(|| "?".into())
    };
    let (init, first_response) = first.unwrap_or((None, None));
    let mib =
        |k: Option<u64>| k.map(|k| format!("{:.1} MiB", k as f64 / 1024.0)).unwrap_or_else(|| "?".into());

    println!();
    println!(
        "ses-events load check: {} events in {} invocations of up to {} SQS records (raw delivery), \
         METRICS_SINK={}, ledger on, against ministack on this machine",
        o.events,
        payloads.len(),
        o.batch,
        o.sink
    );
    println!(
        "binary: {} (pid {})",
        ses_monitor_tests::lambda::function_binary("ses-events").display(),
        f.pid()
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!("| events counted / skipped | {counted} / {skipped} |");
    println!(
        "| events/s (events ÷ summed invocation wall clock) | {:.0} |",
        counted as f64 / busy.as_secs_f64()
    );
    println!(
        "| summed invocation wall clock / loop wall clock | {:.2} s / {:.2} s |",
        busy.as_secs_f64(),
        wall.as_secs_f64()
    );
    println!(
        "| invocation p50 / p95 / max | {} / {} / {} |",
        ms(percentile(&took, 0.5)),
        ms(percentile(&took, 0.95)),
        ms(took.last().copied().unwrap_or_default())
    );
    println!("| PutMetricData requests per 1000 events | {:.2} ({requests} in all) |", per_k(requests));
    println!("| datums per 1000 events | {:.1} ({datums} in all) |", per_k(datums));
    println!("| ledger items written | {written} |");
    println!("| peak RSS (VmHWM) / RSS at the end | {} / {} |", mib(hwm), mib(rss));
    println!("| start: spawn → first /next (init) | {} |", since_spawn(init));
    println!("| start: spawn → first response (1st batch handled) | {} |", since_spawn(first_response));
    println!("| (generating the events here, not measured above) | {:.2} s |", generated.as_secs_f64());
    assert_eq!(counted as usize, o.events, "every generated event counted");
}

/// `--starts N`: spawn → first `/next` of N fresh processes of one function.
async fn starts(o: &Options, emu: &Emulator) {
    let def =
        Template::load("ses-monitor").with_resource_name("LedgerTable", LEDGER_TABLE).function(&o.function);
    // What the function is handed does not matter here (only when it asks for it): an empty
    // SNS event, which every function reads as nothing to do.
    let payload = serde_json::json!({ "Records": [] });
    let mut took = Vec::with_capacity(o.starts);
    for _ in 0..o.starts {
        let f = LambdaFunction::start(&def, &[("AWS_ENDPOINT_URL", emu.endpoint_url())]).await;
        let r = f.invoke_timed(&payload).await;
        let Some(at) = r.started_at else {
            panic!("{} never asked for its invocation: {:?}\n{}", o.function, r.output, f.log_tail(20));
        };
        let since = (at - f.spawned_at()).to_std().unwrap_or_default();
        took.push(since);
    }
    took.sort();
    println!();
    println!(
        "{}: spawn → first /next over {} starts ({}): median {}, min {}, max {}",
        o.function,
        o.starts,
        ses_monitor_tests::lambda::function_binary(&o.function).display(),
        ms(percentile(&took, 0.5)),
        ms(took[0]),
        ms(took[took.len() - 1])
    );
}
