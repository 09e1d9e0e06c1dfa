//! ses-events: SES events (via SNS, SQS, or a file) → `Custom/SES` metrics per recipient domain,
//! and bounced / complaining recipients → the offender ledger. The logic is `ses_monitor::ingest`.

use ses_monitor::ingest::{Function, cost};
use ses_monitor::platform::cli;

const USAGE: &str = "usage: ses-events [--event PATH|-]
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
  --event PATH: run one invocation on a payload file (SNS/SQS event, SNS envelope, SES JSON,
                or JSON lines of SES events) and print the result JSON
  --estimate-cost PATH [options]: what the configuration in the environment would cost a month
                for the traffic of a sample of SES events (JSON lines); --estimate-cost --help for more";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cost::run_cli(&args).await {
        Some(code) => code,
        None => cli::run(USAGE, Function::from_env, Function::handle).await,
    }
}
