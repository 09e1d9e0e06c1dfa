//! rate-reporter: an EventBridge schedule (or any payload naming a window) → the deliverability
//! report of the `Custom/SES` metrics, returned and logged as JSON and emailed through SES; with
//! `REPORT_OUTPUT=x.html` the HTML report is written there too. The logic is
//! `ses_monitor::report`.

use ses_monitor::platform::cli;
use ses_monitor::report::{Function, local};

const USAGE: &str = "usage: rate-reporter [--event PATH|-]
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)
  --event PATH: one report for the window the payload names ({\"window_hours\": N},
                {\"date\": \"YYYY-MM-DD\"}, or the previous UTC day) and print the result JSON
  --from-emf PATH|- [--out DIR] [--date YYYY-MM-DD | --window-hours N]: the report of the EMF
                lines ses-events prints, without AWS (ses-events --event x.jsonl | rate-reporter
                --from-emf -), written to DIR (default report/)";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match local::run_cli(&args).await {
        Some(code) => code,
        None => cli::run(USAGE, Function::from_env, Function::handle).await,
    }
}
