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

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use futures_util::TryFutureExt;
use serde::{Deserialize, Serialize};

use crate::ledger::LedgerError;
use crate::time;

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

/// A lease on a named resource, held by an owner until it releases it or the lease expires.
pub trait LeaseLock: Send + Sync {
    /// Takes the lease if nobody holds it or its holder's lease has expired at `now`;
    /// `Ok(false)` when someone else holds it.
    fn try_acquire(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<bool, LedgerError>> + Send;
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

/// The three stores on the ledger's DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

impl DynamoStore {
    /// On `table` (the ledger table).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// The `data` of every item of partition `pk` (with a sort-key range, when given), all pages.
    async fn query_data<T: serde::de::DeserializeOwned>(
        &self,
        pk: &str,
        sk_between: Option<(String, String)>,
    ) -> Result<Vec<T>, LedgerError> {
        let mut out = Vec::new();
        let mut start_key = None;
        loop {
            let mut q = self.client.query().table_name(&self.table).expression_attribute_values(":p", s(pk));
            q = match &sk_between {
                Some((a, b)) => q
                    .key_condition_expression("pk = :p AND sk BETWEEN :a AND :b")
                    .expression_attribute_values(":a", s(a))
                    .expression_attribute_values(":b", s(b)),
                None => q.key_condition_expression("pk = :p"),
            };
            let resp = q
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| dynamo("Query")(crate::platform::aws::error_text(&e)))?;
            for item in resp.items() {
                out.push(data_of::<T>(item)?);
            }
            match resp.last_evaluated_key() {
                Some(k) if !k.is_empty() => start_key = Some(k.clone()),
                _ => return Ok(out),
            }
        }
    }
}

const PENDING_PK: &str = "PENDING";

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn dynamo(op: &'static str) -> impl Fn(String) -> LedgerError {
    move |message| LedgerError::Dynamo { op, message }
}

/// `Ok(true)` when a conditional write was made, `Ok(false)` when its condition failed.
fn conditional<T, E>(
    op: &'static str,
    result: Result<T, aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>>,
) -> Result<bool, LedgerError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(e) if e.as_service_error().and_then(|s| s.code()) == Some("ConditionalCheckFailedException") => {
            Ok(false)
        }
        Err(e) => Err(dynamo(op)(crate::platform::aws::error_text(&e))),
    }
}

fn data_of<T: serde::de::DeserializeOwned>(item: &HashMap<String, AttributeValue>) -> Result<T, LedgerError> {
    let text = item
        .get("data")
        .and_then(|v| v.as_s().ok())
        .ok_or_else(|| LedgerError::Malformed("item without data".into()))?;
    serde_json::from_str(text).map_err(|e| LedgerError::Malformed(format!("data: {e}")))
}

impl Journal for DynamoStore {
    async fn record(&self, entry: &JournalEntry) -> Result<bool, LedgerError> {
        let data = serde_json::to_string(entry).map_err(|e| LedgerError::Malformed(e.to_string()))?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&entry.partition_key()))
            .item("sk", s(&entry.sort_key()))
            .item("data", s(&data))
            .item("expires_at", n((entry.at + Duration::days(JOURNAL_TTL_DAYS)).timestamp()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional("PutItem", result)
    }

    async fn entries(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<JournalEntry>, LedgerError> {
        if end - start > Duration::days(MAX_JOURNAL_WINDOW_DAYS) {
            return Err(LedgerError::Malformed(format!(
                "journal window over {MAX_JOURNAL_WINDOW_DAYS} days"
            )));
        }
        let mut out: Vec<JournalEntry> = Vec::new();
        let mut day = start.date_naive();
        while day <= end.date_naive() {
            let pk = format!("J#{}", day.format("%Y-%m-%d"));
            let range = Some((time::key(start), format!("{}~", time::key(end))));
            out.extend(self.query_data(&pk, range).await?);
            day = day.succ_opt().expect("date in range");
        }
        out.retain(|e| e.at >= start && e.at <= end);
        Ok(out)
    }
}

impl LeaseLock for DynamoStore {
    async fn try_acquire(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, LedgerError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(&format!("LOCK#{name}")))
            .item("sk", s("LOCK"))
            .item("lock_owner", s(owner))
            .item("acquired_at", s(&time::key(now)))
            .item("expires_at", n((now + lease).timestamp()))
            .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await;
        conditional("PutItem", result)
    }

    async fn release(&self, name: &str, owner: &str) -> Result<bool, LedgerError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(&format!("LOCK#{name}")))
            .key("sk", s("LOCK"))
            .condition_expression("lock_owner = :me")
            .expression_attribute_values(":me", s(owner))
            .send()
            .await;
        conditional("DeleteItem", result)
    }
}

impl PendingWork for DynamoStore {
    async fn put_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        let data = serde_json::to_string(p).map_err(|e| LedgerError::Malformed(e.to_string()))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .item("pk", s(PENDING_PK))
            .item("sk", s(&p.sort_key()))
            .item("data", s(&data))
            .item("expires_at", n((p.end + Duration::days(PENDING_TTL_DAYS)).timestamp()))
            .send()
            .map_err(|e| dynamo("PutItem")(crate::platform::aws::error_text(&e)))
            .await?;
        Ok(())
    }

    async fn pending(&self) -> Result<Vec<PendingSuppression>, LedgerError> {
        self.query_data(PENDING_PK, None).await
    }

    async fn remove_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", s(PENDING_PK))
            .key("sk", s(&p.sort_key()))
            .send()
            .map_err(|e| dynamo("DeleteItem")(crate::platform::aws::error_text(&e)))
            .await?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// No table, and memory
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
    async fn try_acquire(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, LedgerError> {
        match self {
            Some(t) => t.try_acquire(name, owner, now, lease).await,
            None => {
                Err(LedgerError::Dynamo { op: "PutItem", message: "no LEDGER_TABLE for the lease".into() })
            }
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

/// The three stores in memory, with the same key semantics.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Journal entries by (pk, sk).
    pub journal: Mutex<BTreeMap<(String, String), JournalEntry>>,
    /// Leases: name → (owner, expiry).
    pub leases: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
    /// Pending work by sort key.
    pub pending: Mutex<BTreeMap<String, PendingSuppression>>,
}

impl MemoryStore {
    /// Every journal entry, oldest first.
    pub fn all_entries(&self) -> Vec<JournalEntry> {
        let mut v: Vec<JournalEntry> = self.journal.lock().expect("not poisoned").values().cloned().collect();
        v.sort_by_key(|a| (a.at, a.sort_key()));
        v
    }
}

impl Journal for MemoryStore {
    async fn record(&self, entry: &JournalEntry) -> Result<bool, LedgerError> {
        let mut j = self.journal.lock().expect("not poisoned");
        let key = (entry.partition_key(), entry.sort_key());
        if j.contains_key(&key) {
            return Ok(false);
        }
        j.insert(key, entry.clone());
        Ok(true)
    }
    async fn entries(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<JournalEntry>, LedgerError> {
        Ok(self.all_entries().into_iter().filter(|e| e.at >= start && e.at <= end).collect())
    }
}

impl LeaseLock for MemoryStore {
    async fn try_acquire(
        &self,
        name: &str,
        owner: &str,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, LedgerError> {
        let mut l = self.leases.lock().expect("not poisoned");
        // Epoch seconds, as DynamoDB compares them.
        match l.get(name) {
            Some((_, until)) if until.timestamp() >= now.timestamp() => Ok(false),
            _ => {
                l.insert(name.to_string(), (owner.to_string(), now + lease));
                Ok(true)
            }
        }
    }
    async fn release(&self, name: &str, owner: &str) -> Result<bool, LedgerError> {
        let mut l = self.leases.lock().expect("not poisoned");
        match l.get(name) {
            Some((o, _)) if o == owner => {
                l.remove(name);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl PendingWork for MemoryStore {
    async fn put_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        self.pending.lock().expect("not poisoned").insert(p.sort_key(), p.clone());
        Ok(())
    }
    async fn pending(&self) -> Result<Vec<PendingSuppression>, LedgerError> {
        Ok(self.pending.lock().expect("not poisoned").values().cloned().collect())
    }
    async fn remove_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        self.pending.lock().expect("not poisoned").remove(&p.sort_key());
        Ok(())
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
        assert!(m.try_acquire("pause", "a", now, lease).await.unwrap());
        assert!(!m.try_acquire("pause", "b", now + Duration::seconds(30), lease).await.unwrap());
        assert!(!m.release("pause", "b").await.unwrap(), "not b's");
        // expired: b takes it, and a's release no longer removes it
        assert!(m.try_acquire("pause", "b", now + Duration::seconds(61), lease).await.unwrap());
        assert!(!m.release("pause", "a").await.unwrap());
        assert!(m.release("pause", "b").await.unwrap());
        assert!(m.try_acquire("pause", "c", now, lease).await.unwrap());
    }
}
