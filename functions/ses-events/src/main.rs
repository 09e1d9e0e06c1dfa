//! ses-events: SES events (via SNS, SQS, or a file) → `Custom/SES` metrics per recipient domain.
//!
//! Thin adapter: configuration and clients are built once, outside the handler; all logic is in
//! `ses_monitor::ingest`. `--event PATH` (`-` = stdin) runs one invocation without the Lambda
//! runtime and prints the result JSON as the last line of stdout.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::value::RawValue;
use ses_monitor::cli::{self, Mode};
use ses_monitor::config::IngestConfig;
use ses_monitor::ingest;
use ses_monitor::sink::AnySink;

const USAGE: &str = "usage: ses-events [--event PATH|-]\n\
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)\n\
  --event PATH: run one invocation on a payload file (SNS/SQS event, SNS envelope, SES JSON,\n\
                or JSON lines of SES events) and print the result JSON";

#[tokio::main]
async fn main() -> Result<(), Error> {
    ses_monitor::logging::init();
    let mode = cli::parse_args(std::env::args().skip(1)).map_err(|e| format!("{e}\n{USAGE}"))?;
    let cfg = IngestConfig::from_env()
        .inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    match mode {
        Mode::Help => println!("{USAGE}"),
        Mode::Event(path) => {
            let payload = cli::read_payload(&path)?;
            let sink = AnySink::from_config(&cfg).await;
            let summary = ingest::handle(&cfg, &sink, &payload, chrono::Utc::now()).await?;
            println!("{}", serde_json::to_string(&summary)?);
        }
        Mode::Lambda => {
            let sink = AnySink::from_config(&cfg).await;
            let (cfg, sink) = (&cfg, &sink);
            lambda_runtime::run(service_fn(
                move |event: LambdaEvent<Box<RawValue>>| async move {
                    let summary =
                        ingest::handle(cfg, sink, event.payload.get(), chrono::Utc::now()).await?;
                    Ok::<_, Error>(serde_json::to_value(summary)?)
                },
            ))
            .await?;
        }
    }
    Ok(())
}
