//! rate-reporter: an EventBridge schedule (or any payload naming a window) → the deliverability
//! report of the `Custom/SES` metrics, returned and logged as JSON and emailed through SES.
//!
//! Thin adapter: configuration and clients are built once, outside the handler; all logic is in
//! `ses_monitor::report`. `--event PATH` (`-` = stdin) runs one invocation without the Lambda
//! runtime and prints the result JSON as the last line of stdout; with `REPORT_OUTPUT=x.html` the
//! HTML report is written there too.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::value::RawValue;
use ses_monitor::platform::aws::Timeouts;
use ses_monitor::platform::cli::{self, Mode};
use ses_monitor::report::source::CloudWatchSource;
use ses_monitor::report::{self, ReporterConfig};
use ses_monitor::sesv2::SesV2;

const USAGE: &str = "usage: rate-reporter [--event PATH|-]\n\
  without arguments: serve the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API)\n\
  --event PATH: one report for the window the payload names ({\"window_hours\": N},\n\
                {\"date\": \"YYYY-MM-DD\"}, or the previous UTC day) and print the result JSON";

#[tokio::main]
async fn main() -> Result<(), Error> {
    ses_monitor::platform::logging::init();
    let mode = cli::parse_args(std::env::args().skip(1)).map_err(|e| format!("{e}\n{USAGE}"))?;
    if mode == Mode::Help {
        println!("{USAGE}");
        return Ok(());
    }
    let cfg = ReporterConfig::from_env().inspect_err(|e| tracing::error!(error = %e, "bad configuration"))?;
    let sdk = ses_monitor::platform::aws::load(Timeouts::RATE_REPORTER).await;
    let source = CloudWatchSource::new(aws_sdk_cloudwatch::Client::new(&sdk));
    let mailer = SesV2::new(aws_sdk_sesv2::Client::new(&sdk));
    let (cfg, source, mailer) = (&cfg, &source, &mailer);
    match mode {
        Mode::Event(path) => {
            let payload = cli::read_payload(&path)?;
            let result = report::handle(cfg, source, mailer, &payload, chrono::Utc::now()).await?;
            println!("{}", serde_json::to_string(&result)?);
        }
        Mode::Lambda | Mode::Help => {
            lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| async move {
                let result =
                    report::handle(cfg, source, mailer, event.payload.get(), chrono::Utc::now()).await?;
                Ok::<_, Error>(serde_json::to_value(result)?)
            }))
            .await?;
        }
    }
    Ok(())
}
