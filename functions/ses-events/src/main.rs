//! ses-events: SES events (via SNS, SQS, or a file) → `Custom/SES` metrics per recipient domain,
//! and bounced / complaining recipients → the offender ledger. The logic is `ses_monitor::ingest`.

use ses_monitor::ingest::{Function, cost};
use ses_monitor::platform::cli;

const USAGE: &str = "usage: ses-events [--event PATH|-]
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
  --event PATH: run one invocation on a payload file (SNS/SQS event, SNS envelope, SES JSON)
                and print the result JSON; JSON lines of SES events (plain or gzip, as Firehose
                writes them) are read as they come and published every 1000 datums (backfill)
  --estimate-cost PATH [options]: what the configuration in the environment would cost a month
                for the traffic of a sample of SES events (JSON lines); --estimate-cost --help for more";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cost::run_cli(&args).await {
        Some(code) => code,
        None => {
            cli::run_with_archives(USAGE, Function::from_env, Function::handle, Function::handle_archive)
                .await
        }
    }
}
