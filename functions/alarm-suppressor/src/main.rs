//! alarm-suppressor: a CloudWatch alarm (via SNS, SQS, a direct alarm action or EventBridge) →
//! its offenders from the ledger on the SES suppression list, and pause / resume of sending from
//! the alarms' current states; SES sending-status events journaled; a scheduled event sweeps
//! pending work. The logic is `ses_monitor::suppress`.

use ses_monitor::platform::cli;
use ses_monitor::suppress::Function;

const USAGE: &str = "usage: alarm-suppressor [--event PATH|-]
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
  --event PATH: run one invocation on an alarm payload file and print the result JSON";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cli::run(USAGE, Function::from_env, Function::handle).await
}
