//! ses-events as deployed: what `main.rs` hands to [`crate::platform::cli::run`].

use chrono::{DateTime, Utc};

use super::backfill::{Progress, backfill};
use super::{PublishError, Summary, handle_with_ledger};
use crate::ledger::DynamoLedger;
use crate::platform::aws::{self, Timeouts};
use crate::platform::cli::StartError;
use crate::platform::config::IngestConfig;
use crate::platform::lines::Lines;
use crate::sink::AnySink;

/// ses-events as deployed: its configuration and clients, built once per container
/// ([`crate::platform::cli::run`] calls [`Function::from_env`] once, then [`Function::handle`]
/// for every payload).
#[derive(Debug)]
pub struct Function {
    cfg: IngestConfig,
    sink: AnySink,
    ledger: Option<DynamoLedger>,
}

impl Function {
    /// The configuration from the environment; AWS clients only when something needs them (the
    /// `api` sink or `LEDGER_TABLE`): with neither, metrics are EMF lines on stdout.
    pub async fn from_env() -> Result<Self, StartError> {
        let cfg = IngestConfig::from_env()?;
        let sdk = match cfg.needs_aws() {
            true => Some(aws::load(Timeouts::SES_EVENTS).await),
            false => None,
        };
        let sink = AnySink::new(&cfg, sdk.as_ref());
        let ledger = match (&cfg.ledger_table, &sdk) {
            (Some(table), Some(sdk)) => {
                Some(DynamoLedger::new(aws_sdk_dynamodb::Client::new(sdk), table, cfg.ledger_ttl()))
            }
            _ => None,
        };
        Ok(Self { cfg, sink, ledger })
    }

    /// One invocation: [`handle_with_ledger`].
    pub async fn handle(&self, payload: &str, now: DateTime<Utc>) -> Result<Summary, PublishError> {
        handle_with_ledger(&self.cfg, &self.sink, &self.ledger, payload, now).await
    }

    /// A JSON-lines archive given to `--event`: [`backfill`], read as it goes, published every
    /// 1000 datums, with a progress line when stderr is a terminal.
    pub async fn handle_archive(
        &self,
        lines: &mut Lines,
        now: DateTime<Utc>,
    ) -> Option<Result<Summary, PublishError>> {
        Some(backfill(&self.cfg, &self.sink, &self.ledger, lines, now, Progress::on_terminal()).await)
    }
}
