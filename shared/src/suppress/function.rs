//! alarm-suppressor as deployed: what `main.rs` hands to [`crate::platform::cli::run`].

use chrono::{DateTime, Utc};

use super::{Deps, SuppressError, SuppressorConfig, SuppressorResult, handle};
use crate::alarm::states::CloudWatchAlarms;
use crate::ledger::DynamoLedger;
use crate::platform::aws::{self, Timeouts};
use crate::platform::cli::StartError;
use crate::sesv2::SesV2;
use crate::store::DynamoStore;

/// alarm-suppressor's configuration and clients, built once per container
/// ([`crate::platform::cli::run`] calls [`Function::from_env`] once, then [`Function::handle`]
/// for every payload).
#[derive(Debug)]
pub struct Function {
    cfg: SuppressorConfig,
    ledger: Option<DynamoLedger>,
    store: Option<DynamoStore>,
    ses: SesV2,
    alarms: CloudWatchAlarms,
    partition: &'static str,
    region: String,
}

impl Function {
    /// The configuration from the environment and the AWS clients (the ledger and the store only
    /// with `LEDGER_TABLE`).
    pub async fn from_env() -> Result<Self, StartError> {
        let cfg = SuppressorConfig::from_env()?;
        let sdk = aws::load(Timeouts::ALARM_SUPPRESSOR).await;
        let region = sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".into());
        let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
        Ok(Self {
            ledger: cfg.ledger_table.as_ref().map(|t| DynamoLedger::reader(dynamo.clone(), t)),
            store: cfg.ledger_table.as_ref().map(|t| DynamoStore::new(dynamo.clone(), t)),
            ses: SesV2::new(aws_sdk_sesv2::Client::new(&sdk)),
            alarms: CloudWatchAlarms::new(aws_sdk_cloudwatch::Client::new(&sdk)),
            partition: aws::partition(&region),
            region,
            cfg,
        })
    }

    /// One invocation: [`handle`].
    pub async fn handle(&self, payload: &str, now: DateTime<Utc>) -> Result<SuppressorResult, SuppressError> {
        let deps = Deps {
            ledger: &self.ledger,
            list: &self.ses,
            sending: &self.ses,
            alarms: &self.alarms,
            store: &self.store,
            partition: self.partition,
            region: &self.region,
        };
        handle(&self.cfg, &deps, payload, now).await
    }
}
