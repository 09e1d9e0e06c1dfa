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

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::ses::address::{INVALID, recipient_domain};
use crate::ses::domains::DomainClassifier;
use crate::ses::{BounceType, EventKind, SesEvent};
use crate::time;

mod dynamodb;
#[cfg(any(test, feature = "test-util"))]
mod memory;

pub use dynamodb::{DynamoLedger, from_item, partition_key, sort_key, to_item};
#[cfg(any(test, feature = "test-util"))]
pub use memory::MemoryLedger;

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
    /// Bounces: the SMTP enhanced status code the receiving server gave (`5.1.1`), at most
    /// [`MAX_STATUS_LEN`] characters.
    pub status: Option<String>,
    /// Bounces: the receiving server's diagnostic code, with every address in it replaced by its
    /// domain and hash ([`crate::platform::logging::scrub`]) and cut to [`MAX_DIAGNOSTIC_LEN`]
    /// characters: enough for the report's reasons, never an address.
    pub diagnostic: Option<String>,
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

/// The longest SMTP status kept (`5.7.1` is 5; RFC 3463 allows 3 digits per part: 9).
pub const MAX_STATUS_LEN: usize = 16;
/// The longest diagnostic kept, in characters (a server's reply line with its code and reason).
pub const MAX_DIAGNOSTIC_LEN: usize = 200;

/// `s` cut to at most `max` characters (on a character boundary), `None` when empty.
fn bounded(s: &str, max: usize) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.chars().take(max).collect())
}

/// The status and diagnostic an entry keeps of an SMTP reply: bounded, and the diagnostic with no
/// address in it (servers quote the recipient: `550 5.1.1 <jane@example.com>... User unknown`).
pub fn kept_reply(reply: &crate::ses::SmtpReply<'_>) -> (Option<String>, Option<String>) {
    let status = reply.status.as_deref().and_then(|s| bounded(s, MAX_STATUS_LEN));
    let diagnostic = reply
        .diagnostic
        .as_deref()
        .and_then(|d| bounded(&crate::platform::logging::scrub(d, false), MAX_DIAGNOSTIC_LEN));
    (status, diagnostic)
}

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
        .enumerate()
        .map(|(i, r)| {
            let (status, diagnostic) = ev.smtp.get(i).map(kept_reply).unwrap_or_default();
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
                status,
                diagnostic,
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
    #[error(transparent)]
    Aws(#[from] crate::platform::aws::AwsError),
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
