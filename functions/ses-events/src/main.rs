//! ses-events: SES events (via SNS, SQS, or a file) → `Custom/SES` metrics per recipient domain,
//! and bounced / complaining recipients → the offender ledger.
//!
//! Thin adapter: configuration and clients are built once, outside the handler; all logic is in
//! `ses_monitor::ingest`. `--event PATH` (`-` = stdin) runs one invocation without the Lambda
//! runtime and prints the result JSON as the last line of stdout.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::value::RawValue;
use ses_monitor::ingest;
use ses_monitor::ingest::cost::{self, EstimateOptions};
use ses_monitor::ledger::DynamoLedger;
use ses_monitor::platform::aws::Timeouts;
use ses_monitor::platform::cli::{self, Mode};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::sink::AnySink;

const USAGE: &str = "usage: ses-events [--event PATH|-]\n\
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)\n\
  --event PATH: run one invocation on a payload file (SNS/SQS event, SNS envelope, SES JSON,\n\
                or JSON lines of SES events) and print the result JSON\n\
  --estimate-cost PATH [options]: what the configuration in the environment would cost a month\n\
                for the traffic of a sample of SES events (JSON lines); --estimate-cost --help for more";

#[tokio::main]
async fn main() -> Result<(), Error> {
    ses_monitor::platform::logging::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(opts) = EstimateOptions::from_args(&args) {
        let opts = opts.map_err(|e| format!("{e}\nusage: {}", cost::USAGE))?;
        if opts.help {
            println!("usage: {}", cost::USAGE);
            return Ok(());
        }
        let cfg =
            IngestConfig::from_env().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
        let estimate = cost::estimate(&cfg, &opts).await?;
        match opts.json {
            true => println!("{}", serde_json::to_string_pretty(&estimate)?),
            false => print!("{}", cost::render(&estimate)),
        }
        return Ok(());
    }
    let mode = cli::parse_args(args).map_err(|e| format!("{e}\n{USAGE}"))?;
    if mode == Mode::Help {
        println!("{USAGE}");
        return Ok(());
    }
    let cfg = IngestConfig::from_env().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let sdk = if cfg.needs_aws() {
        Some(ses_monitor::platform::aws::load(Timeouts::SES_EVENTS).await)
    } else {
        None
    };
    let sink = AnySink::new(&cfg, sdk.as_ref());
    let ledger = match (&cfg.ledger_table, &sdk) {
        (Some(table), Some(sdk)) => {
            Some(DynamoLedger::new(aws_sdk_dynamodb::Client::new(sdk), table, cfg.ledger_ttl()))
        }
        _ => None,
    };
    let (cfg, sink, ledger) = (&cfg, &sink, &ledger);
    match mode {
        Mode::Event(path) => {
            let payload = cli::read_payload(&path)?;
            let summary = ingest::handle_with_ledger(cfg, sink, ledger, &payload, chrono::Utc::now()).await?;
            println!("{}", serde_json::to_string(&summary)?);
        }
        Mode::Lambda | Mode::Help => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
                let summary =
                    ingest::handle_with_ledger(cfg, sink, ledger, event.payload.get(), chrono::Utc::now())
                        .await?;
                Ok::<_, Error>(serde_json::to_value(summary)?)
            }))
            .await?;
        }
    }
    Ok(())
}
