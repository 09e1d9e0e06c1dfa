//! alarm-suppressor: a CloudWatch alarm (via SNS, SQS, a direct alarm action or EventBridge) →
//! its offenders from the ledger on the SES suppression list, and pause / resume of sending from
//! the alarms' current states; SES sending-status events journaled; a scheduled event sweeps
//! pending work.
//!
//! Thin adapter: configuration and clients are built once, outside the handler; all logic is in
//! `ses_monitor::suppress`. `--event PATH` (`-` = stdin) runs one invocation without the Lambda
//! runtime and prints the result JSON as the last line of stdout.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::value::RawValue;
use ses_monitor::alarm::states::CloudWatchAlarms;
use ses_monitor::ledger::DynamoLedger;
use ses_monitor::platform::aws::Timeouts;
use ses_monitor::platform::cli::{self, Mode};
use ses_monitor::sesv2::SesV2;
use ses_monitor::store::DynamoStore;
use ses_monitor::suppress::{self, Deps, SuppressorConfig};

const USAGE: &str = "usage: alarm-suppressor [--event PATH|-]\n\
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)\n\
  --event PATH: run one invocation on an alarm payload file and print the result JSON";

#[tokio::main]
async fn main() -> Result<(), Error> {
    ses_monitor::platform::logging::init();
    let mode = cli::parse_args(std::env::args().skip(1)).map_err(|e| format!("{e}\n{USAGE}"))?;
    if mode == Mode::Help {
        println!("{USAGE}");
        return Ok(());
    }
    let cfg =
        SuppressorConfig::from_env().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let sdk = ses_monitor::platform::aws::load(Timeouts::ALARM_SUPPRESSOR).await;
    let region = sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
    let partition = ses_monitor::platform::aws::partition(&region);
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let ledger = cfg.ledger_table.as_ref().map(|t| DynamoLedger::reader(dynamo.clone(), t));
    let store = cfg.ledger_table.as_ref().map(|t| DynamoStore::new(dynamo.clone(), t));
    let ses = SesV2::new(aws_sdk_sesv2::Client::new(&sdk));
    let alarms = CloudWatchAlarms::new(aws_sdk_cloudwatch::Client::new(&sdk));
    let deps = Deps {
        ledger: &ledger,
        list: &ses,
        sending: &ses,
        alarms: &alarms,
        store: &store,
        partition,
        region: &region,
    };
    let (cfg, deps) = (&cfg, &deps);
    match mode {
        Mode::Event(path) => {
            let payload = cli::read_payload(&path)?;
            let result = suppress::handle(cfg, deps, &payload, chrono::Utc::now()).await?;
            println!("{}", serde_json::to_string(&result)?);
        }
        Mode::Lambda | Mode::Help => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
                let result = suppress::handle(cfg, deps, event.payload.get(), chrono::Utc::now()).await?;
                Ok::<_, Error>(serde_json::to_value(result)?)
            }))
            .await?;
        }
    }
    Ok(())
}
