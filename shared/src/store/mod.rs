//! alarm-suppressor's own items in the ledger table: the **journal** of what it did, the
//! **lease** that serialises pause decisions, and **pending** suppression work left over the
//! per-invocation cap. Each behind a small trait, with a DynamoDB implementation
//! ([`DynamoStore`]) and an in-memory one ([`MemoryStore`]).
//!
//! Item layout (the ledger's own items are `D#…`, see [`crate::ledger`]; none of these carries
//! `gsi1pk`, so none appears in the `by-day` index):
//!
//! | item | `pk` | `sk` | other attributes |
//! |---|---|---|---|
//! | journal entry | `J#<yyyy-mm-dd>` (UTC day of `at`) | `<at, RFC 3339 ms>#<kind>#<id>` | `data` (the [`JournalEntry`] as JSON), `expires_at` (`at` + [`JOURNAL_TTL_DAYS`]) |
//! | pause lease | `LOCK#<name>` | `LOCK` | `lock_owner`, `expires_at` (epoch seconds: the lease's end, also the TTL) |
//! | pending work | `PENDING` | `<alarm>#<window start>#<window end>` | `data` (the [`PendingSuppression`] as JSON), `expires_at` |
//!
//! Journal writes are conditional on the key not existing, and the key is derived from what is
//! recorded (the notification, the event id, the invocation's time), so a redelivered
//! notification writes nothing new. [`Journal::entries`] reads a time window back (for the
//! report, issue 12).
//!
//! The lease is a conditional PutItem (`attribute_not_exists(pk) OR expires_at < :now`),
//! released with a DeleteItem conditional on the owner; a crashed holder's lease simply expires.

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ledger::LedgerError;
use crate::time;

mod dynamodb;
#[cfg(any(test, feature = "test-util"))]
mod memory;

pub use dynamodb::DynamoStore;
#[cfg(any(test, feature = "test-util"))]
pub use memory::MemoryStore;

/// How long journal entries are kept.
pub const JOURNAL_TTL_DAYS: i64 = 35;

/// The longest window [`Journal::entries`] reads (one query per day).
pub const MAX_JOURNAL_WINDOW_DAYS: i64 = 400;

/// How long pending work is kept at most after its window ended (the ledger's default lifetime:
/// older offenders are gone from the ledger anyway).
pub const PENDING_TTL_DAYS: i64 = 14;

/// What alarm-suppressor did, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JournalEvent {
    /// An alarm notification of ours was handled.
    Alarm {
        /// The alarm name.
        alarm: String,
        /// The state the notification announced.
        state: String,
        /// The previous state, if given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_state: Option<String>,
        /// What was done (`suppressed`, `notified`, `no_action_for_state`, …).
        action: String,
    },
    /// Sending was paused on a configuration set.
    Paused {
        /// The configuration set.
        configuration_set: String,
        /// The alarms holding the pause.
        alarms: Vec<String>,
    },
    /// Sending was resumed on a configuration set.
    Resumed {
        /// The configuration set.
        configuration_set: String,
        /// The alarms that held it.
        released: Vec<String>,
    },
    /// Addresses were put on the suppression list for an alarm.
    Suppressed {
        /// The alarm.
        alarm: String,
        /// Addresses by suppression reason (`BOUNCE`, `COMPLAINT`).
        by_reason: BTreeMap<String, usize>,
        /// Addresses by `RecipientDomain` dimension value.
        by_domain: BTreeMap<String, usize>,
        /// Addresses SES refused.
        #[serde(default)]
        failed: usize,
        /// Offenders left for a later invocation.
        #[serde(default)]
        left_over: usize,
    },
    /// SES changed a sending status (EventBridge `Sending Status Enabled` / `Disabled`).
    SendingStatus {
        /// Enabled or disabled.
        enabled: bool,
        /// `ENABLED`, `DISABLED` or `REINSTATED`.
        status: String,
        /// The resources concerned.
        resources: Vec<String>,
        /// Who changed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        origin: Option<String>,
        /// Why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<String>,
    },
}

impl JournalEvent {
    /// The kind, as in the sort key.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Alarm { .. } => "alarm",
            Self::Paused { .. } => "paused",
            Self::Resumed { .. } => "resumed",
            Self::Suppressed { .. } => "suppressed",
            Self::SendingStatus { .. } => "sending_status",
        }
    }
}

/// One journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What makes the key unique among entries of the same time and kind: derived from the
    /// notification where a retry could write the entry twice.
    pub id: String,
    /// What happened.
    #[serde(flatten)]
    pub event: JournalEvent,
}

impl JournalEntry {
    /// The partition key: `J#<yyyy-mm-dd>`.
    pub fn partition_key(&self) -> String {
        journal_day_key(self.at)
    }

    /// The sort key: `<at>#<kind>#<id>`.
    pub fn sort_key(&self) -> String {
        format!("{}#{}#{}", time::key(self.at), self.event.kind(), self.id)
    }
}

fn journal_day_key(t: DateTime<Utc>) -> String {
    format!("J#{}", t.format("%Y-%m-%d"))
}

/// A short stable id (12 hex digits of SHA-256) of some text, for keys derived from content.
pub fn short_id(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect()
}

/// The journal.
pub trait Journal: Send + Sync {
    /// Writes an entry; `Ok(false)` when its key exists already (a redelivery).
    fn record(&self, entry: &JournalEntry) -> impl Future<Output = Result<bool, LedgerError>> + Send;
    /// Entries with `start <= at <= end`, oldest first.
    fn entries(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<JournalEntry>, LedgerError>> + Send;
}

/// Who asks for which lease, when, and for how long ([`LeaseLock::try_acquire`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseRequest<'a> {
    /// The lease's name (one item per name).
    pub name: &'a str,
    /// Who asks (released only by the same owner).
    pub owner: &'a str,
    /// The time of the request: a lease that expired before it is free.
    pub now: DateTime<Utc>,
    /// How long the lease holds from `now`.
    pub lease: Duration,
}

/// A lease on a named resource, held by an owner until it releases it or the lease expires.
pub trait LeaseLock: Send + Sync {
    /// Takes the lease if nobody holds it or its holder's lease has expired at `now`;
    /// `Ok(false)` when someone else holds it.
    fn try_acquire(&self, req: LeaseRequest<'_>) -> impl Future<Output = Result<bool, LedgerError>> + Send;
    /// Gives the lease back; `Ok(false)` when it was no longer ours (it expired and was taken).
    fn release(&self, name: &str, owner: &str) -> impl Future<Output = Result<bool, LedgerError>> + Send;
}

/// Suppression work an alarm left over the per-invocation cap, for the sweep to finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSuppression {
    /// The alarm (its current state is checked before continuing).
    pub alarm: String,
    /// The window of the ledger to read.
    pub start: DateTime<Utc>,
    /// Its end.
    pub end: DateTime<Utc>,
    /// The alarm's recipient domains (empty: all).
    pub recipient_domains: Vec<String>,
    /// The alarm's tag filter.
    pub tags: Vec<(String, Vec<String>)>,
    /// Offenders left when it was written.
    pub left_over: usize,
}

impl PendingSuppression {
    /// The sort key: `<alarm>#<start>#<end>`.
    pub fn sort_key(&self) -> String {
        format!("{}#{}#{}", self.alarm, time::key(self.start), time::key(self.end))
    }
}

/// Pending suppression work.
pub trait PendingWork: Send + Sync {
    /// Stores (or replaces) a piece of work.
    fn put_pending(&self, p: &PendingSuppression) -> impl Future<Output = Result<(), LedgerError>> + Send;
    /// Everything pending.
    fn pending(&self) -> impl Future<Output = Result<Vec<PendingSuppression>, LedgerError>> + Send;
    /// Removes a piece of work (done, or its alarm recovered).
    fn remove_pending(&self, p: &PendingSuppression) -> impl Future<Output = Result<(), LedgerError>> + Send;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB
// ---------------------------------------------------------------------------------------------

/// No `LEDGER_TABLE`: the journal and pending work are not kept; a lease cannot be had (pausing
/// needs the table: the configuration refuses `PAUSE_ON_ALARMS` without it).
impl<T: Journal> Journal for Option<T> {
    async fn record(&self, entry: &JournalEntry) -> Result<bool, LedgerError> {
        match self {
            Some(t) => t.record(entry).await,
            None => Ok(false),
        }
    }
    async fn entries(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<JournalEntry>, LedgerError> {
        match self {
            Some(t) => t.entries(start, end).await,
            None => Ok(Vec::new()),
        }
    }
}

impl<T: LeaseLock> LeaseLock for Option<T> {
    async fn try_acquire(&self, req: LeaseRequest<'_>) -> Result<bool, LedgerError> {
        match self {
            Some(t) => t.try_acquire(req).await,
            None => Err(LedgerError::Aws(crate::platform::aws::AwsError::new(
                "DynamoDB",
                "PutItem",
                "no LEDGER_TABLE for the lease",
            ))),
        }
    }
    async fn release(&self, name: &str, owner: &str) -> Result<bool, LedgerError> {
        match self {
            Some(t) => t.release(name, owner).await,
            None => Ok(false),
        }
    }
}

impl<T: PendingWork> PendingWork for Option<T> {
    async fn put_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        match self {
            Some(t) => t.put_pending(p).await,
            None => Ok(()),
        }
    }
    async fn pending(&self) -> Result<Vec<PendingSuppression>, LedgerError> {
        match self {
            Some(t) => t.pending().await,
            None => Ok(Vec::new()),
        }
    }
    async fn remove_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        match self {
            Some(t) => t.remove_pending(p).await,
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn paused(at: &str) -> JournalEntry {
        JournalEntry {
            at: t(at),
            id: "x".into(),
            event: JournalEvent::Paused { configuration_set: "main".into(), alarms: vec!["a".into()] },
        }
    }

    #[test]
    fn keys_and_json() {
        let e = paused("2026-11-27T09:45:00.5Z");
        assert_eq!(e.partition_key(), "J#2026-11-27");
        assert_eq!(e.sort_key(), "2026-11-27T09:45:00.500Z#paused#x");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["kind"], "paused");
        assert_eq!(json["alarms"], serde_json::json!(["a"]));
        assert_eq!(serde_json::from_value::<JournalEntry>(json).unwrap(), e);
        assert_eq!(short_id("a"), short_id("a"));
        assert_eq!(short_id("a").len(), 12);
    }

    #[tokio::test]
    async fn memory_store_semantics() {
        let m = MemoryStore::default();
        assert!(m.record(&paused("2026-11-27T09:45:00Z")).await.unwrap());
        assert!(!m.record(&paused("2026-11-27T09:45:00Z")).await.unwrap(), "same key: a duplicate");
        assert!(m.record(&paused("2026-11-28T00:00:00Z")).await.unwrap());
        let got = m.entries(t("2026-11-27T00:00:00Z"), t("2026-11-27T23:59:59Z")).await.unwrap();
        assert_eq!(got, [paused("2026-11-27T09:45:00Z")]);

        let now = t("2026-11-27T10:00:00Z");
        let lease = Duration::seconds(60);
        let req = |name, owner, now| LeaseRequest { name, owner, now, lease };
        assert!(m.try_acquire(req("pause", "a", now)).await.unwrap());
        assert!(!m.try_acquire(req("pause", "b", now + Duration::seconds(30))).await.unwrap());
        assert!(!m.release("pause", "b").await.unwrap(), "not b's");
        // expired: b takes it, and a's release no longer removes it
        assert!(m.try_acquire(req("pause", "b", now + Duration::seconds(61))).await.unwrap());
        assert!(!m.release("pause", "a").await.unwrap());
        assert!(m.release("pause", "b").await.unwrap());
        assert!(m.try_acquire(req("pause", "c", now)).await.unwrap());
    }
}
