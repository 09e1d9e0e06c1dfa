//! The offender ledger: one item per bounced or complaining recipient, in DynamoDB.
//!
//! ses-events writes it; alarm-suppressor reads it to decide whom to put on the SES suppression
//! list. Table layout (created by template.yaml):
//!
//! | attribute | value |
//! |---|---|
//! | `pk` (partition key) | `D#<RecipientDomain dimension value>` — the same value the metrics carry, so an alarm's dimension finds its offenders |
//! | `sk` (sort key) | `<event time, RFC 3339 ms>#<kind>#<SES message id>#<recipient>` |
//! | `gsi1pk`, `gsi1sk` | `DAY#<yyyy-mm-dd>`, `sk` — index `by-day`, for "all domains in a window" |
//! | `expires_at` | TTL, epoch seconds (event time + 14 days by default) |
//!
//! The key holds message id + recipient + kind (and the event's own time, which a redelivered
//! event repeats), and every write is conditional on the key not existing, so a duplicate SNS
//! delivery writes nothing new. DynamoDB's BatchWriteItem cannot carry conditions (and would
//! overwrite the `suppressed_at` mark), so writes are conditional PutItems sent concurrently.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures_util::{StreamExt, stream};
use serde::Serialize;

use crate::ses::address::{INVALID, recipient_domain};
use crate::ses::domains::DomainClassifier;
use crate::ses::{BounceType, EventKind, SesEvent};
use crate::time;

/// Name of the global secondary index for time-window queries over all domains.
pub const BY_DAY_INDEX: &str = "by-day";
/// Requests in flight at once.
pub const CONCURRENCY: usize = 16;

/// What a recipient did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Offence {
    /// Permanent bounce.
    HardBounce,
    /// Transient bounce.
    SoftBounce,
    /// Spam complaint.
    Complaint,
}

impl Offence {
    /// The code stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HardBounce => "HardBounce",
            Self::SoftBounce => "SoftBounce",
            Self::Complaint => "Complaint",
        }
    }

    /// Parses [`Offence::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "HardBounce" => Some(Self::HardBounce),
            "SoftBounce" => Some(Self::SoftBounce),
            "Complaint" => Some(Self::Complaint),
            _ => None,
        }
    }
}

/// One offender record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// The address, trimmed and lower-cased (angle brackets and display name removed).
    pub recipient: String,
    /// Its real domain (punycode for IDNs, `invalid` if unreadable).
    pub domain: String,
    /// The `RecipientDomain` dimension value it was counted under (tracked domain, provider,
    /// `other` or `invalid`).
    pub dimension: String,
    /// Hard bounce, soft bounce or complaint.
    pub kind: Offence,
    /// Bounce subtype or complaint feedback type, when SES gave one.
    pub subtype: Option<String>,
    /// Message tags (first value of each).
    pub tags: Vec<(String, String)>,
    /// SES message id.
    pub message_id: String,
    /// When the bounce or complaint happened.
    pub timestamp: DateTime<Utc>,
    /// When alarm-suppressor put the recipient on the suppression list, if it did.
    pub suppressed_at: Option<DateTime<Utc>>,
}

pub use crate::ses::address::normalise_address;

/// What an SES event makes its recipients in the ledger: complaint, hard or soft bounce; other
/// events, and bounces of type Undetermined, make nobody an offender.
fn offence(ev: &SesEvent<'_>) -> Option<Offence> {
    match (ev.kind, ev.bounce_type) {
        (EventKind::Complaint, _) => Some(Offence::Complaint),
        (EventKind::Bounce, Some(BounceType::Permanent)) => Some(Offence::HardBounce),
        (EventKind::Bounce, Some(BounceType::Transient)) => Some(Offence::SoftBounce),
        _ => None,
    }
}

/// The ledger entries of one SES event: one per bounced or complaining recipient, at the event's
/// time (its own, else its mail's). Other events, bounces of type Undetermined, and events with
/// no readable time at all give none (see [`untimed_offenders`]).
///
/// An entry's key holds its time, so that a redelivered event finds its item again: a time that
/// is not the event's own (the invocation's) would write each delivery anew — three deliveries
/// of one soft bounce would reach `SOFT_BOUNCE_LIMIT=3`.
pub fn entries_for(ev: &SesEvent<'_>, domains: &DomainClassifier) -> Vec<LedgerEntry> {
    let (Some(kind), Some(timestamp)) = (offence(ev), ev.timestamp) else { return Vec::new() };
    ev.recipients
        .iter()
        .map(|r| {
            let domain = recipient_domain(r);
            let dimension = match &domain {
                Some(d) => domains.classify(d).into_owned(),
                None => INVALID.to_string(),
            };
            LedgerEntry {
                recipient: normalise_address(r),
                domain: domain.map_or_else(|| INVALID.to_string(), |d| d.into_owned()),
                dimension,
                kind,
                subtype: ev.subtype.as_deref().map(str::to_string),
                tags: {
                    // sorted, as a DynamoDB map reads back
                    let mut t: Vec<(String, String)> =
                        ev.tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    t.sort();
                    t
                },
                message_id: ev.message_id.as_deref().unwrap_or("unknown").to_string(),
                timestamp,
                suppressed_at: None,
            }
        })
        .collect()
}

/// The offenders of an event that carries no readable time (neither its own nor its mail's):
/// they are not written to the ledger, because no key for them would be the same on a
/// redelivery; the invocation counts them (`ledger.untimed`). SES itself always sends
/// `mail.timestamp`, and puts hard bounces and complaints on the account suppression list
/// itself when the configuration set's suppression options say so (the template's do).
pub fn untimed_offenders(ev: &SesEvent<'_>) -> usize {
    match (offence(ev), ev.timestamp) {
        (Some(_), None) => ev.recipients.len(),
        _ => 0,
    }
}

/// Which entries to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerQuery {
    /// Only this `RecipientDomain` dimension value; `None` = all domains.
    pub dimension: Option<String>,
    /// Window start (inclusive).
    pub start: DateTime<Utc>,
    /// Window end (inclusive).
    pub end: DateTime<Utc>,
}

/// What a write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecordReport {
    /// New items.
    pub written: usize,
    /// Items that already existed (a redelivered event).
    pub duplicates: usize,
    /// Entries not written because their TTL had already passed (an old backfill).
    #[serde(skip_serializing_if = "is_zero")]
    pub expired: usize,
    /// Offenders not written because their event had no time ([`untimed_offenders`]).
    #[serde(skip_serializing_if = "is_zero")]
    pub untimed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A ledger failure (after the SDK's retries).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// DynamoDB refused or could not be reached.
    #[error("DynamoDB {op} failed: {message}")]
    Dynamo {
        /// The operation.
        op: &'static str,
        /// The SDK's error, with context.
        message: String,
    },
    /// An item in the table does not have the expected attributes.
    #[error("malformed ledger item: {0}")]
    Malformed(String),
}

/// Reading and writing the offender ledger.
pub trait Ledger: Send + Sync {
    /// Writes entries; existing keys are left alone and counted as duplicates.
    fn record(
        &self,
        entries: &[LedgerEntry],
    ) -> impl Future<Output = Result<RecordReport, LedgerError>> + Send;
    /// Entries in a time window, oldest first.
    fn query(&self, q: &LedgerQuery) -> impl Future<Output = Result<Vec<LedgerEntry>, LedgerError>> + Send;
    /// Marks entries as suppressed at `at`.
    fn mark_suppressed(
        &self,
        entries: &[LedgerEntry],
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), LedgerError>> + Send;
}

/// No ledger configured: writes nothing, finds nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLedger;

impl Ledger for NoLedger {
    async fn record(&self, _: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        Ok(RecordReport::default())
    }
    async fn query(&self, _: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        Ok(Vec::new())
    }
    async fn mark_suppressed(&self, _: &[LedgerEntry], _: DateTime<Utc>) -> Result<(), LedgerError> {
        Ok(())
    }
}

/// An optional ledger (`LEDGER_TABLE` unset → `None`) behaves like [`NoLedger`].
impl<L: Ledger> Ledger for Option<L> {
    async fn record(&self, entries: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        match self {
            Some(l) => l.record(entries).await,
            None => Ok(RecordReport::default()),
        }
    }
    async fn query(&self, q: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        match self {
            Some(l) => l.query(q).await,
            None => Ok(Vec::new()),
        }
    }
    async fn mark_suppressed(&self, entries: &[LedgerEntry], at: DateTime<Utc>) -> Result<(), LedgerError> {
        match self {
            Some(l) => l.mark_suppressed(entries, at).await,
            None => Ok(()),
        }
    }
}

/// The partition key of an entry.
pub fn partition_key(dimension: &str) -> String {
    format!("D#{dimension}")
}

/// The sort key of an entry.
pub fn sort_key(e: &LedgerEntry) -> String {
    format!("{}#{}#{}#{}", time::key(e.timestamp), e.kind.as_str(), e.message_id, e.recipient)
}

fn day_key(d: NaiveDate) -> String {
    format!("DAY#{}", d.format("%Y-%m-%d"))
}

/// The DynamoDB item of an entry, with its TTL.
pub fn to_item(e: &LedgerEntry, ttl: Duration) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.to_string());
    let sk = sort_key(e);
    let mut item = HashMap::from([
        ("pk".to_string(), s(&partition_key(&e.dimension))),
        ("sk".to_string(), s(&sk)),
        ("gsi1pk".to_string(), s(&day_key(e.timestamp.date_naive()))),
        ("gsi1sk".to_string(), s(&sk)),
        ("recipient".to_string(), s(&e.recipient)),
        ("domain".to_string(), s(&e.domain)),
        ("dimension".to_string(), s(&e.dimension)),
        ("kind".to_string(), s(e.kind.as_str())),
        ("message_id".to_string(), s(&e.message_id)),
        ("ts".to_string(), s(&time::key(e.timestamp))),
        ("expires_at".to_string(), AttributeValue::N((e.timestamp + ttl).timestamp().to_string())),
    ]);
    if let Some(st) = &e.subtype {
        item.insert("subtype".into(), s(st));
    }
    if !e.tags.is_empty() {
        item.insert(
            "tags".into(),
            AttributeValue::M(e.tags.iter().map(|(k, v)| (k.clone(), s(v))).collect()),
        );
    }
    if let Some(t) = e.suppressed_at {
        item.insert("suppressed_at".into(), s(&time::key(t)));
    }
    item
}

/// Reads an item back.
pub fn from_item(item: &HashMap<String, AttributeValue>) -> Result<LedgerEntry, LedgerError> {
    let get = |k: &str| item.get(k).and_then(|v| v.as_s().ok()).map(String::as_str);
    let req = |k: &str| get(k).ok_or_else(|| LedgerError::Malformed(format!("missing {k}")));
    let time =
        |v: &str| time::parse_rfc3339(v).ok_or_else(|| LedgerError::Malformed(format!("bad time {v:?}")));
    let mut tags: Vec<(String, String)> = item
        .get("tags")
        .and_then(|v| v.as_m().ok())
        .map(|m| m.iter().filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), v.clone()))).collect())
        .unwrap_or_default();
    tags.sort();
    Ok(LedgerEntry {
        recipient: req("recipient")?.to_string(),
        domain: req("domain")?.to_string(),
        dimension: req("dimension")?.to_string(),
        kind: Offence::parse(req("kind")?).ok_or_else(|| LedgerError::Malformed("unknown kind".into()))?,
        subtype: get("subtype").map(str::to_string),
        tags,
        message_id: req("message_id")?.to_string(),
        timestamp: time(req("ts")?)?,
        suppressed_at: get("suppressed_at").map(time).transpose()?,
    })
}

/// The ledger in a DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoLedger {
    client: Client,
    table: String,
    ttl: Duration,
}

impl DynamoLedger {
    /// A ledger on `table`, whose items expire `ttl` after the event.
    pub fn new(client: Client, table: impl Into<String>, ttl: Duration) -> Self {
        Self { client, table: table.into(), ttl }
    }

    /// A ledger for reading and marking only (alarm-suppressor): it writes no new items, so it
    /// needs no TTL.
    pub fn reader(client: Client, table: impl Into<String>) -> Self {
        Self::new(client, table, Duration::days(14))
    }

    async fn query_pages(
        &self,
        index: Option<&str>,
        key_attr: (&str, &str),
        key: String,
        q: &LedgerQuery,
        out: &mut Vec<LedgerEntry>,
    ) -> Result<(), LedgerError> {
        let mut start_key = None;
        loop {
            let resp = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                .key_condition_expression(format!("{} = :p AND {} BETWEEN :a AND :b", key_attr.0, key_attr.1))
                .expression_attribute_values(":p", AttributeValue::S(key.clone()))
                .expression_attribute_values(":a", AttributeValue::S(time::key(q.start)))
                .expression_attribute_values(":b", AttributeValue::S(format!("{}~", time::key(q.end))))
                .set_exclusive_start_key(start_key)
                .send()
                .await
                .map_err(|e| LedgerError::Dynamo {
                    op: "Query",
                    message: crate::platform::aws::error_text(&e),
                })?;
            for item in resp.items() {
                out.push(from_item(item)?);
            }
            match resp.last_evaluated_key() {
                Some(k) if !k.is_empty() => start_key = Some(k.clone()),
                _ => return Ok(()),
            }
        }
    }
}

impl Ledger for DynamoLedger {
    async fn record(&self, entries: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        let mut report = RecordReport::default();
        // CONCURRENCY conditional puts in flight; the first failure returns and drops the
        // stream, which cancels the rest (the invocation fails and is retried; what was written
        // is then a duplicate).
        // (The requests are built first: a stream over borrowed entries trips the Send bound of
        // the trait's future on a higher-ranked lifetime.)
        let requests: Vec<_> = entries
            .iter()
            .map(|e| {
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_item(e, self.ttl)))
                    .condition_expression("attribute_not_exists(pk)")
            })
            .collect();
        let mut calls = stream::iter(requests).map(|r| r.send()).buffer_unordered(CONCURRENCY);
        while let Some(result) = calls.next().await {
            match result {
                Ok(_) => report.written += 1,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                    report.duplicates += 1
                }
                Err(e) => {
                    return Err(LedgerError::Dynamo {
                        op: "PutItem",
                        message: crate::platform::aws::error_text(&e),
                    });
                }
            }
        }
        Ok(report)
    }

    async fn query(&self, q: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        let mut out = Vec::new();
        match &q.dimension {
            Some(d) => self.query_pages(None, ("pk", "sk"), partition_key(d), q, &mut out).await?,
            None => {
                let mut day = q.start.date_naive();
                while day <= q.end.date_naive() {
                    self.query_pages(Some(BY_DAY_INDEX), ("gsi1pk", "gsi1sk"), day_key(day), q, &mut out)
                        .await?;
                    day = day.succ_opt().expect("date in range");
                }
            }
        }
        out.sort_by(|a, b| (a.timestamp, &a.recipient).cmp(&(b.timestamp, &b.recipient)));
        Ok(out)
    }

    async fn mark_suppressed(&self, entries: &[LedgerEntry], at: DateTime<Utc>) -> Result<(), LedgerError> {
        let requests: Vec<_> = entries
            .iter()
            .map(|e| {
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .key("pk", AttributeValue::S(partition_key(&e.dimension)))
                    .key("sk", AttributeValue::S(sort_key(e)))
                    .update_expression("SET suppressed_at = :t")
                    .condition_expression("attribute_exists(pk)")
                    .expression_attribute_values(":t", AttributeValue::S(time::key(at)))
            })
            .collect();
        let mut calls = stream::iter(requests).map(|r| r.send()).buffer_unordered(CONCURRENCY);
        while let Some(result) = calls.next().await {
            match result {
                Ok(_) => {}
                // The item expired meanwhile: nothing to mark.
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                }
                Err(e) => {
                    return Err(LedgerError::Dynamo {
                        op: "UpdateItem",
                        message: crate::platform::aws::error_text(&e),
                    });
                }
            }
        }
        Ok(())
    }
}

/// An in-memory ledger with the same key and duplicate semantics, for tests and local runs.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    items: Mutex<std::collections::BTreeMap<(String, String), LedgerEntry>>,
}

impl MemoryLedger {
    /// Everything stored.
    pub fn all(&self) -> Vec<LedgerEntry> {
        self.items.lock().expect("not poisoned").values().cloned().collect()
    }
}

impl Ledger for MemoryLedger {
    async fn record(&self, entries: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        let mut items = self.items.lock().expect("not poisoned");
        let mut report = RecordReport::default();
        for e in entries {
            let key = (partition_key(&e.dimension), sort_key(e));
            match items.entry(key) {
                std::collections::btree_map::Entry::Occupied(_) => report.duplicates += 1,
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(e.clone());
                    report.written += 1;
                }
            }
        }
        Ok(report)
    }

    async fn query(&self, q: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        let items = self.items.lock().expect("not poisoned");
        let mut out: Vec<LedgerEntry> = items
            .values()
            .filter(|e| q.dimension.as_ref().is_none_or(|d| *d == e.dimension))
            .filter(|e| e.timestamp >= q.start && e.timestamp <= q.end)
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.timestamp, &a.recipient).cmp(&(b.timestamp, &b.recipient)));
        Ok(out)
    }

    async fn mark_suppressed(&self, entries: &[LedgerEntry], at: DateTime<Utc>) -> Result<(), LedgerError> {
        let mut items = self.items.lock().expect("not poisoned");
        for e in entries {
            if let Some(stored) = items.get_mut(&(partition_key(&e.dimension), sort_key(e))) {
                stored.suppressed_at = Some(at);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ses::SesRecord;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn entries(json: &str) -> Vec<LedgerEntry> {
        let ev = SesRecord::from_json(json).unwrap().into_event().unwrap();
        entries_for(&ev, &DomainClassifier::default())
    }

    const BOUNCE: &str = r#"{"eventType":"Bounce","mail":{"messageId":"m-1","tags":{"Campaign":["c1"]}},
        "bounce":{"bounceType":"Permanent","bounceSubType":"General","timestamp":"2026-11-26T10:00:00.123Z",
        "bouncedRecipients":[{"emailAddress":"\"Ann\" <Ann@Gmail.com>"},{"emailAddress":"bob@corp.example"}]}}"#;

    #[test]
    fn one_entry_per_offending_recipient() {
        let e = entries(BOUNCE);
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].recipient, "ann@gmail.com");
        assert_eq!(e[0].dimension, "gmail.com");
        assert_eq!(e[1].dimension, "other");
        assert_eq!(e[1].domain, "corp.example");
        assert_eq!(e[0].kind, Offence::HardBounce);
        assert_eq!(e[0].subtype.as_deref(), Some("General"));
        assert_eq!(e[0].tags, vec![("Campaign".to_string(), "c1".to_string())]);
        assert_eq!(sort_key(&e[0]), "2026-11-26T10:00:00.123Z#HardBounce#m-1#ann@gmail.com");
        let none = entries(r#"{"eventType":"Delivery","mail":{},"delivery":{"recipients":["a@b.com"]}}"#);
        assert!(none.is_empty());
        let und = entries(
            r#"{"eventType":"Bounce","mail":{},"bounce":{"bounceType":"Undetermined","bouncedRecipients":[{"emailAddress":"a@b.com"}]}}"#,
        );
        assert!(und.is_empty());
        let c = entries(
            r#"{"notificationType":"Complaint","mail":{"messageId":"m","timestamp":"2026-11-26T09:00:00Z"},"complaint":{"complainedRecipients":[{"emailAddress":"a@yahoo.com"}]}}"#,
        );
        assert_eq!(c[0].kind, Offence::Complaint);
        assert_eq!(c[0].timestamp, t("2026-11-26T09:00:00Z"), "the mail's time when the event has none");
        // no time at all: no entry (a key with the invocation time would differ per redelivery)
        let json = r#"{"notificationType":"Complaint","mail":{"messageId":"m"},"complaint":{"complainedRecipients":[{"emailAddress":"a@yahoo.com"}]}}"#;
        let ev = SesRecord::from_json(json).unwrap().into_event().unwrap();
        assert!(entries_for(&ev, &DomainClassifier::default()).is_empty());
        assert_eq!(untimed_offenders(&ev), 1);
        assert_eq!(untimed_offenders(&SesRecord::from_json(BOUNCE).unwrap().into_event().unwrap()), 0);
    }

    #[test]
    fn items_round_trip_with_ttl() {
        let mut e = entries(BOUNCE).remove(0);
        e.suppressed_at = Some(t("2026-11-27T01:00:00Z"));
        let item = to_item(&e, Duration::days(14));
        assert_eq!(item["pk"].as_s().unwrap(), "D#gmail.com");
        assert_eq!(item["gsi1pk"].as_s().unwrap(), "DAY#2026-11-26");
        assert_eq!(
            item["expires_at"].as_n().unwrap(),
            &(t("2026-12-10T10:00:00.123Z").timestamp()).to_string()
        );
        assert_eq!(from_item(&item).unwrap(), e);
        let mut broken = item.clone();
        broken.remove("kind");
        assert!(from_item(&broken).is_err());
    }

    #[tokio::test]
    async fn memory_ledger_dedupes_and_queries_windows() {
        let l = MemoryLedger::default();
        let e = entries(BOUNCE);
        assert_eq!(l.record(&e).await.unwrap(), RecordReport { written: 2, ..Default::default() });
        assert_eq!(l.record(&e).await.unwrap(), RecordReport { duplicates: 2, ..Default::default() });
        let q = |d: Option<&str>, a: &str, b: &str| LedgerQuery {
            dimension: d.map(String::from),
            start: t(a),
            end: t(b),
        };
        assert_eq!(l.query(&q(None, "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z")).await.unwrap().len(), 2);
        assert_eq!(
            l.query(&q(Some("gmail.com"), "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(l.query(&q(None, "2026-11-26T10:00:01Z", "2026-11-27T00:00:00Z")).await.unwrap().is_empty());
        l.mark_suppressed(&e[..1], t("2026-11-27T02:00:00Z")).await.unwrap();
        assert_eq!(l.all().iter().filter(|x| x.suppressed_at.is_some()).count(), 1);
        // a redelivery does not clear the mark
        l.record(&e).await.unwrap();
        assert_eq!(l.all().iter().filter(|x| x.suppressed_at.is_some()).count(), 1);
    }

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(normalise_address(" \"X\" <A@B.COM> "), "a@b.com");
        assert_eq!(normalise_address("a@b.com"), "a@b.com");
    }
}
