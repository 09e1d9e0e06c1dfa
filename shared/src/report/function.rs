//! rate-reporter as deployed: what `main.rs` hands to [`crate::platform::cli::run`].

use chrono::{DateTime, Utc};

use super::activity::LedgerActivity;
use super::source::CloudWatchSource;
use super::{ReportError, ReporterConfig, ReporterResult, handle};
use crate::ledger::DynamoLedger;
use crate::platform::aws::{self, Timeouts};
use crate::platform::cli::StartError;
use crate::sesv2::SesV2;
use crate::store::DynamoStore;

/// rate-reporter's configuration and clients, built once per container
/// ([`crate::platform::cli::run`] calls [`Function::from_env`] once, then [`Function::handle`]
/// for every payload).
#[derive(Debug)]
pub struct Function {
    cfg: ReporterConfig,
    source: CloudWatchSource,
    activity: Option<LedgerActivity<DynamoLedger, DynamoStore>>,
    mailer: SesV2,
}

impl Function {
    /// The configuration from the environment and the CloudWatch and SES clients.
    pub async fn from_env() -> Result<Self, StartError> {
        let cfg = ReporterConfig::from_env()?;
        let sdk = aws::load(Timeouts::RATE_REPORTER).await;
        let activity = cfg.ledger_table.as_ref().map(|t| {
            let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
            LedgerActivity {
                ledger: DynamoLedger::reader(dynamo.clone(), t),
                journal: DynamoStore::new(dynamo, t),
            }
        });
        Ok(Self {
            cfg,
            source: CloudWatchSource::new(aws_sdk_cloudwatch::Client::new(&sdk)),
            activity,
            mailer: SesV2::new(aws_sdk_sesv2::Client::new(&sdk)),
        })
    }

    /// One invocation: [`handle`].
    pub async fn handle(&self, payload: &str, now: DateTime<Utc>) -> Result<ReporterResult, ReportError> {
        handle(&self.cfg, &self.source, &self.activity, &self.mailer, payload, now).await
    }
}
