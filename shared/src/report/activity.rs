//! What the report reads besides metrics, from the ledger table (`LEDGER_TABLE`): the offender
//! ledger (why flagged domains bounced, the long tail of untracked domains) and
//! alarm-suppressor's journal (what was done: suppressions, pauses and resumes, alarms that went
//! to ALARM, SES sending-status changes).

use std::collections::BTreeMap;
use std::future::Future;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ledger::{Ledger, LedgerEntry, LedgerError, LedgerQuery, Offence};
use crate::report::reasons::{Reasons, group};
use crate::ses::domains::OTHER;
use crate::store::{Journal, JournalEntry, JournalEvent};

/// Where the ledger and the journal are read from.
pub trait Activity: Send + Sync {
    /// Offenders (bounced and complaining recipients) in `[start, end)`.
    fn offenders(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Vec<LedgerEntry>>, LedgerError>> + Send;
    /// alarm-suppressor's journal entries in `[start, end)`.
    fn journal(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Vec<JournalEntry>>, LedgerError>> + Send;
}

/// No `LEDGER_TABLE`: the report says that reasons and actions are not available.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoActivity;

impl Activity for NoActivity {
    async fn offenders(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> Result<Option<Vec<LedgerEntry>>, LedgerError> {
        Ok(None)
    }
    async fn journal(
        &self,
        _: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> Result<Option<Vec<JournalEntry>>, LedgerError> {
        Ok(None)
    }
}

/// An optional source: `None` (no `LEDGER_TABLE`) reads as [`NoActivity`].
impl<A: Activity> Activity for Option<A> {
    async fn offenders(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<Vec<LedgerEntry>>, LedgerError> {
        match self {
            Some(a) => a.offenders(start, end).await,
            None => Ok(None),
        }
    }
    async fn journal(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<Vec<JournalEntry>>, LedgerError> {
        match self {
            Some(a) => a.journal(start, end).await,
            None => Ok(None),
        }
    }
}

/// The ledger and the journal (both in the ledger table when deployed).
#[derive(Debug, Clone)]
pub struct LedgerActivity<L, J> {
    /// The offender ledger.
    pub ledger: L,
    /// The journal.
    pub journal: J,
}

impl<L: Ledger, J: Journal> Activity for LedgerActivity<L, J> {
    async fn offenders(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<Vec<LedgerEntry>>, LedgerError> {
        let all = self.ledger.query(&LedgerQuery { dimension: None, start, end }).await?;
        // the ledger's window is inclusive; the report's end is not
        Ok(Some(all.into_iter().filter(|e| e.timestamp < end).collect()))
    }
    async fn journal(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Option<Vec<JournalEntry>>, LedgerError> {
        let all = self.journal.entries(start, end).await?;
        Ok(Some(all.into_iter().filter(|e| e.at < end).collect()))
    }
}

/// One untracked domain of the long tail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TailDomain {
    /// The real domain (counted as `other` in the metrics).
    pub domain: String,
    /// Hard bounces in the window.
    pub hard_bounces: usize,
    /// Soft bounces.
    pub soft_bounces: usize,
    /// Complaints.
    pub complaints: usize,
}

/// A moment of the journal, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Happened {
    /// When.
    pub at: DateTime<Utc>,
    /// What, in words (`paused ses-monitor-main (held by bounce-rate)`).
    pub what: String,
}

/// What alarm-suppressor did in the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Actions {
    /// Addresses put on the suppression list, by reason (`BOUNCE`, `COMPLAINT`).
    pub suppressed_by_reason: BTreeMap<String, usize>,
    /// Addresses put on the suppression list, by `RecipientDomain` value.
    pub suppressed_by_domain: BTreeMap<String, usize>,
    /// Addresses SES refused to suppress.
    pub suppress_failed: usize,
    /// Alarms that went to ALARM, pauses, resumes and SES sending-status changes, in time order.
    pub events: Vec<Happened>,
}

impl Actions {
    /// Addresses suppressed in all.
    pub fn suppressed(&self) -> usize {
        self.suppressed_by_reason.values().sum()
    }

    /// What the journal says, summed over the window.
    pub fn from_journal(entries: &[JournalEntry]) -> Self {
        let mut a = Actions::default();
        for e in entries {
            let what = match &e.event {
                JournalEvent::Alarm { alarm, state, action, .. } if state == "ALARM" => {
                    format!("alarm {alarm} went to ALARM ({})", action.replace('_', " "))
                }
                JournalEvent::Alarm { .. } => continue,
                JournalEvent::Paused { configuration_set, alarms } => {
                    format!("sending paused on {configuration_set} (held by {})", alarms.join(", "))
                }
                JournalEvent::Resumed { configuration_set, released } => {
                    format!("sending resumed on {configuration_set} (released by {})", released.join(", "))
                }
                JournalEvent::Suppressed { by_reason, by_domain, failed, .. } => {
                    for (k, v) in by_reason {
                        *a.suppressed_by_reason.entry(k.clone()).or_default() += v;
                    }
                    for (k, v) in by_domain {
                        *a.suppressed_by_domain.entry(k.clone()).or_default() += v;
                    }
                    a.suppress_failed += failed;
                    continue;
                }
                JournalEvent::SendingStatus { enabled, status, cause, .. } => format!(
                    "SES {} sending ({status}){}",
                    if *enabled { "enabled" } else { "disabled" },
                    cause.as_deref().map(|c| format!(": {c}")).unwrap_or_default()
                ),
            };
            a.events.push(Happened { at: e.at, what });
        }
        a
    }
}

/// What the ledger and the journal add to a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActivityReport {
    /// Bounce reasons and complaint feedback types per flagged `RecipientDomain` value.
    pub reasons: BTreeMap<String, Reasons>,
    /// The untracked domains (counted as `other`) with the most complaints, then hard bounces.
    pub long_tail: Vec<TailDomain>,
    /// What alarm-suppressor did; `None` when the journal could not say (no ledger table).
    pub actions: Option<Actions>,
}

/// The long tail: offenders counted as `other`, by their real domain, top `n` by complaints
/// then hard bounces then soft bounces.
pub fn long_tail(entries: &[LedgerEntry], n: usize) -> Vec<TailDomain> {
    let mut by: BTreeMap<&str, TailDomain> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.dimension == OTHER) {
        let t = by.entry(&e.domain).or_insert_with(|| TailDomain {
            domain: e.domain.clone(),
            hard_bounces: 0,
            soft_bounces: 0,
            complaints: 0,
        });
        match e.kind {
            Offence::HardBounce => t.hard_bounces += 1,
            Offence::SoftBounce => t.soft_bounces += 1,
            Offence::Complaint => t.complaints += 1,
        }
    }
    let mut v: Vec<TailDomain> = by.into_values().collect();
    v.sort_by(|a, b| {
        (b.complaints, b.hard_bounces, b.soft_bounces)
            .cmp(&(a.complaints, a.hard_bounces, a.soft_bounces))
            .then(a.domain.cmp(&b.domain))
    });
    v.truncate(n);
    v
}

/// Reads the ledger and the journal for a window: reasons for the `flagged` dimension values,
/// the long tail, the actions. `None` when there is no ledger table.
pub async fn read<A: Activity>(
    activity: &A,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    flagged: &[String],
    tail: usize,
) -> Result<Option<ActivityReport>, LedgerError> {
    let Some(offenders) = activity.offenders(start, end).await? else { return Ok(None) };
    let journal = activity.journal(start, end).await?;
    let reasons =
        group(offenders.iter().filter(|e| flagged.contains(&e.dimension)), |e| e.dimension.as_str());
    Ok(Some(ActivityReport {
        reasons,
        long_tail: long_tail(&offenders, tail),
        actions: journal.map(|j| Actions::from_journal(&j)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::MemoryLedger;
    use crate::report::reasons::Reason;
    use crate::store::MemoryStore;

    fn entry(domain: &str, dim: &str, kind: Offence, status: Option<&str>, at: &str) -> LedgerEntry {
        LedgerEntry {
            recipient: format!("x{}@{domain}", at.len()),
            domain: domain.into(),
            dimension: dim.into(),
            kind,
            subtype: (kind == Offence::Complaint).then(|| "abuse".to_string()),
            status: status.map(str::to_string),
            diagnostic: None,
            tags: vec![],
            message_id: format!("m-{domain}-{at}"),
            timestamp: at.parse().unwrap(),
            suppressed_at: None,
        }
    }

    #[tokio::test]
    async fn reasons_long_tail_and_actions_of_a_window() {
        let ledger = MemoryLedger::default();
        let h = Offence::HardBounce;
        ledger
            .record(&[
                entry("yahoo.com", "yahoo", h, Some("5.1.1"), "2026-11-26T01:00:00Z"),
                entry("yahoo.com", "yahoo", h, Some("5.1.1"), "2026-11-26T02:00:00Z"),
                entry("aol.com", "yahoo", h, Some("5.7.1"), "2026-11-26T03:00:00Z"),
                entry("yahoo.com", "yahoo", Offence::Complaint, None, "2026-11-26T04:00:00Z"),
                entry("gmail.com", "gmail", h, Some("5.1.1"), "2026-11-26T05:00:00Z"),
                entry("small.example", "other", h, Some("5.1.1"), "2026-11-26T06:00:00Z"),
                entry("tiny.example", "other", Offence::Complaint, None, "2026-11-26T07:00:00Z"),
                entry("tiny.example", "other", h, None, "2026-11-26T07:30:00Z"),
                // outside the window (the ledger's end is inclusive, the report's is not)
                entry("yahoo.com", "yahoo", h, Some("5.2.2"), "2026-11-27T00:00:00Z"),
            ])
            .await
            .unwrap();
        let store = MemoryStore::default();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        for (t, event) in [
            (
                "2026-11-26T03:05:00Z",
                JournalEvent::Alarm {
                    alarm: "s-hard-bounce-rate".into(),
                    state: "ALARM".into(),
                    previous_state: Some("OK".into()),
                    action: "suppressed".into(),
                },
            ),
            (
                "2026-11-26T03:05:01Z",
                JournalEvent::Suppressed {
                    alarm: "s-hard-bounce-rate".into(),
                    by_reason: BTreeMap::from([("BOUNCE".into(), 3)]),
                    by_domain: BTreeMap::from([("yahoo".into(), 3)]),
                    failed: 0,
                    left_over: 0,
                },
            ),
            (
                "2026-11-26T03:05:02Z",
                JournalEvent::Paused {
                    configuration_set: "main".into(),
                    alarms: vec!["s-hard-bounce-rate".into()],
                },
            ),
            (
                "2026-11-26T09:00:00Z",
                JournalEvent::Alarm {
                    alarm: "s-hard-bounce-rate".into(),
                    state: "OK".into(),
                    previous_state: Some("ALARM".into()),
                    action: "no_action_for_state".into(),
                },
            ),
            (
                "2026-11-26T09:00:01Z",
                JournalEvent::Resumed {
                    configuration_set: "main".into(),
                    released: vec!["s-hard-bounce-rate".into()],
                },
            ),
        ] {
            store.record(&JournalEntry { at: at(t), id: t.into(), event }).await.unwrap();
        }
        let activity = LedgerActivity { ledger, journal: store };
        let r =
            read(&activity, at("2026-11-26T00:00:00Z"), at("2026-11-27T00:00:00Z"), &["yahoo".into()], 10)
                .await
                .unwrap()
                .expect("a ledger");
        assert_eq!(r.reasons.keys().collect::<Vec<_>>(), ["yahoo"], "only flagged domains");
        assert_eq!(r.reasons["yahoo"].hard_bounces, vec![(Reason::UnknownUser, 2), (Reason::Blocked, 1)]);
        assert_eq!(r.reasons["yahoo"].complaints, vec![("abuse".to_string(), 1)]);
        let tail: Vec<(&str, usize, usize)> =
            r.long_tail.iter().map(|t| (t.domain.as_str(), t.complaints, t.hard_bounces)).collect();
        assert_eq!(tail, [("tiny.example", 1, 1), ("small.example", 0, 1)], "complaints first");
        let a = r.actions.unwrap();
        assert_eq!(a.suppressed(), 3);
        assert_eq!(a.suppressed_by_domain["yahoo"], 3);
        let what: Vec<&str> = a.events.iter().map(|h| h.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "alarm s-hard-bounce-rate went to ALARM (suppressed)",
                "sending paused on main (held by s-hard-bounce-rate)",
                "sending resumed on main (released by s-hard-bounce-rate)",
            ]
        );
        assert_eq!(
            read(&NoActivity, at("2026-11-26T00:00:00Z"), at("2026-11-27T00:00:00Z"), &[], 10).await.unwrap(),
            None
        );
    }
}
