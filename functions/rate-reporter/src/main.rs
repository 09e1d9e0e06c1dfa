//! rate-reporter: an EventBridge schedule (or any payload naming a window) → the deliverability
//! report of the `Custom/SES` metrics, returned and logged as JSON and emailed through SES; with
//! `REPORT_OUTPUT=x.html` the HTML report is written there too. The logic is
//! `ses_monitor::report`.

use ses_monitor::platform::cli;
use ses_monitor::report::Function;

const USAGE: &str = "usage: rate-reporter [--event PATH|-]
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
  --event PATH: one report for the window the payload names ({\"window_hours\": N},
                {\"date\": \"YYYY-MM-DD\"}, or the previous UTC day) and print the result JSON";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cli::run(USAGE, Function::from_env, Function::handle).await
}
