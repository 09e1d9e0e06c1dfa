//! Pausing and resuming sending on a configuration set, from the alarms' *current* states.
//!
//! Any notification of an alarm in `PAUSE_ON_ALARMS` (whatever state it announces, in whatever
//! order it arrives), and every sweep, triggers a **reconcile**:
//!
//! 1. DescribeAlarms on the pause alarms: which are in ALARM now (CloudWatch is the truth, not
//!    the notification: SNS reorders, Lambda retries reorder, the failure queue is replayed late);
//! 2. for each configuration set they concern (an alarm's `ses:configuration-set` dimension,
//!    else `CONFIGURATION_SET`), its sending state and the holders recorded on it (one tag per
//!    alarm, [`crate::sesv2::HOLDER_TAG_PREFIX`]);
//! 3. the [`plan`]: pause and record the holders while any alarm holds it; resume (then clear
//!    the tags) only when none does and we paused it; never touch a set someone else paused.
//!
//! Steps 1–3 and the writes run under a lease (a conditional write in the ledger table,
//! [`crate::store::LeaseLock`]), so two reconciles never interleave: the one that comes second
//! sees what the first did. (Also when nothing seems to need doing: a reconcile that read the
//! alarms just before one changed may be about to apply what it decided, and only a later one
//! can put that right.) A crash inside the section leaves the lease to expire ([`LEASE`]); no
//! write is started once the lease is close to its end. The writes are ordered so that any
//! prefix of them is safe: tags before the pause, the resume before the tags are removed.
//!
//! Who holds the pause: a pause alarm with its actions enabled that is in ALARM now, or that is
//! recorded as a holder and is neither OK nor deleted (INSUFFICIENT_DATA keeps a hold, it does
//! not take one). `aws cloudwatch disable-alarm-actions` releases an alarm's hold.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::alarm::AlarmState;
use crate::alarm::states::{AlarmStates, AlarmStatus};
use crate::sesv2::{ConfigSetRef, SendingControl, SendingState};
use crate::store::{Journal, JournalEntry, JournalEvent, LeaseLock, LeaseRequest, short_id};
use crate::suppress::{Backends, SuppressError, SuppressorConfig};

/// The lease's name (one lease for every pause decision of the stack).
pub const LEASE_NAME: &str = "pause";

/// How long a lease lasts: far longer than the section takes (a handful of SES calls).
pub const LEASE: Duration = Duration::seconds(60);

/// No write is started later than this before the lease ends.
const LEASE_MARGIN: StdDuration = StdDuration::from_secs(20);

/// How long to wait for the lease before failing the invocation (Lambda then retries it). Longer
/// than [`LEASE`], so a crashed holder's lease expires within the wait.
pub const LEASE_WAIT: StdDuration = StdDuration::from_secs(75);

/// What a reconcile decides for one configuration set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Holders to record (tags to add).
    pub add: Vec<String>,
    /// Recorded holders to release (tags to remove).
    pub remove: Vec<String>,
    /// `Some(false)`: pause; `Some(true)`: resume.
    pub sending: Option<bool>,
    /// The outcome's code: `paused`, `resumed`, `already_paused`, `released`,
    /// `already_paused_elsewhere`, `not_paused`.
    pub outcome: &'static str,
}

impl Plan {
    /// Whether it changes nothing.
    pub fn is_noop(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty() && self.sending.is_none()
    }
}

/// The decision for one set, from who holds it now (`holders`), who is recorded (`recorded`)
/// and whether it sends (`enabled`). Pure.
pub fn plan(holders: &[String], recorded: &[String], enabled: bool) -> Plan {
    let add: Vec<String> = holders.iter().filter(|h| !recorded.contains(h)).cloned().collect();
    let stale: Vec<String> = recorded.iter().filter(|r| !holders.contains(r)).cloned().collect();
    match (holders.is_empty(), recorded.is_empty(), enabled) {
        // held, sending: record the holders, pause, drop stale holders
        (false, _, true) => Plan { add, remove: stale, sending: Some(false), outcome: "paused" },
        // held and paused by us: keep the holders in step
        (false, false, false) => Plan { add, remove: stale, sending: None, outcome: "already_paused" },
        // held, but paused by someone else: theirs to resume, not ours to record
        (false, true, false) => Plan { outcome: "already_paused_elsewhere", ..Plan::default() },
        // nobody holds it and we paused it: resume, then clear
        (true, false, false) => Plan { add: vec![], remove: stale, sending: Some(true), outcome: "resumed" },
        // recorded holders on a set that sends (a crash between tag and pause, or a resume by
        // hand): clear them
        (true, false, true) => Plan { add: vec![], remove: stale, sending: None, outcome: "released" },
        (true, true, _) => Plan { outcome: "not_paused", ..Plan::default() },
    }
}

/// What a reconcile found and did for one configuration set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetOutcome {
    /// The configuration set.
    pub configuration_set: String,
    /// The outcome code (see [`Plan::outcome`]), `would_pause` / `would_resume` in a dry run.
    pub outcome: String,
    /// The alarms holding the pause after it.
    pub holders: Vec<String>,
}

impl SetOutcome {
    /// `<outcome>:<set>`, the form results carry.
    pub fn code(&self) -> String {
        format!("{}:{}", self.outcome, self.configuration_set)
    }
}

/// One set's observed state and plan.
struct Observed {
    set: ConfigSetRef,
    /// Whether the ARN's account is known (tags are set by ARN; the state is read by name).
    account_known: bool,
    state: SendingState,
    holders: Vec<String>,
    plan: Plan,
}

/// Reconciles every configuration set the pause alarms concern. `trigger_account` is the
/// account of the notification that triggered it (for the set's ARN when no alarm names it).
pub async fn reconcile<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    trigger_account: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<SetOutcome>, SuppressError> {
    if cfg.dry_run {
        return Ok(observe(cfg, deps, trigger_account)
            .await?
            .into_iter()
            .map(|o| {
                let outcome = match o.plan.sending {
                    Some(false) => "would_pause",
                    Some(true) => "would_resume",
                    None => o.plan.outcome,
                };
                SetOutcome { configuration_set: o.set.name, outcome: outcome.into(), holders: o.holders }
            })
            .collect());
    }
    // Always under the lease, even when nothing seems to need doing: a reconcile holding the
    // lease may be about to apply what it decided before this alarm changed state, and only one
    // that comes after it can put that right.
    let lease = Lease::acquire(cfg, deps.store()).await?;
    let result = apply_all(cfg, deps, trigger_account, now, &lease).await;
    match deps.store().release(LEASE_NAME, &lease.owner).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!("the pause lease had expired before it was released"),
        // It expires on its own; what was done stands.
        Err(e) => tracing::warn!(error = %e, "could not release the pause lease"),
    }
    result
}

async fn apply_all<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    trigger_account: Option<&str>,
    now: DateTime<Utc>,
    lease: &Lease,
) -> Result<Vec<SetOutcome>, SuppressError> {
    let observed = observe(cfg, deps, trigger_account).await?;
    let mut out = Vec::new();
    for o in observed {
        let Observed { set, account_known, state, holders, plan } = o;
        let tags_to_write = !plan.add.is_empty() || !plan.remove.is_empty();
        if tags_to_write && !account_known {
            return Err(SuppressError::Config(format!(
                "no account known for the ARN of {} (no pause alarm exists, no notification names one)",
                set.name
            )));
        }
        let sending = deps.sending();
        if !plan.add.is_empty() {
            lease.check()?;
            sending.add_holders(&set, &plan.add).await?;
        }
        match plan.sending {
            Some(false) => {
                lease.check()?;
                sending.set_sending(&set, false).await?;
                tracing::warn!(set = %set.name, holders = ?holders, "sending paused");
                journal(
                    deps,
                    now,
                    &lease.owner,
                    JournalEvent::Paused { configuration_set: set.name.clone(), alarms: holders.clone() },
                )
                .await;
            }
            Some(true) => {
                lease.check()?;
                sending.set_sending(&set, true).await?;
                tracing::warn!(set = %set.name, released = ?state.paused_by, "sending resumed");
                journal(
                    deps,
                    now,
                    &lease.owner,
                    JournalEvent::Resumed {
                        configuration_set: set.name.clone(),
                        released: state.paused_by.clone(),
                    },
                )
                .await;
            }
            None => {}
        }
        if !plan.remove.is_empty() {
            lease.check()?;
            sending.remove_holders(&set, &plan.remove).await?;
        }
        out.push(SetOutcome { configuration_set: set.name, outcome: plan.outcome.into(), holders });
    }
    Ok(out)
}

/// A journal entry of the reconcile; a failed write is logged, not fatal (what it records was
/// done, and failing now would only repeat it).
async fn journal<B: Backends>(deps: &B, now: DateTime<Utc>, owner: &str, event: JournalEvent) {
    let entry = JournalEntry { at: now, id: short_id(&format!("{owner}|{event:?}")), event };
    if let Err(e) = deps.store().record(&entry).await {
        tracing::error!(error = %e, kind = entry.event.kind(), "journal entry not written");
    }
}

async fn observe<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    trigger_account: Option<&str>,
) -> Result<Vec<Observed>, SuppressError> {
    let alarms = deps.alarms().describe(&cfg.pause_on_alarms).await?;
    let account = alarms.iter().find_map(|a| a.account.as_deref()).or(trigger_account);
    // The sets concerned, in a stable order.
    let mut sets: Vec<String> = cfg.configuration_set.iter().cloned().collect();
    for a in &alarms {
        match a.configuration_set.as_ref().or(cfg.configuration_set.as_ref()) {
            Some(s) if !sets.contains(s) => sets.push(s.clone()),
            Some(_) => {}
            None => {
                tracing::warn!(alarm = %a.name, "pause alarm without a configuration set (set CONFIGURATION_SET)")
            }
        }
    }
    let mut out = Vec::new();
    for name in sets {
        let set = ConfigSetRef::new(deps.partition(), deps.region(), account.unwrap_or_default(), &name);
        let state = deps.sending().state(&set).await?;
        let holders = holders_of(&alarms, &name, cfg.configuration_set.as_deref(), &state.paused_by);
        let plan = plan(&holders, &state.paused_by, state.enabled);
        out.push(Observed { set, account_known: account.is_some(), state, holders, plan });
    }
    Ok(out)
}

/// The alarms that hold `set` paused now: its pause alarms with actions enabled that are in
/// ALARM, or that are recorded and neither OK nor deleted. Sorted.
pub fn holders_of(
    alarms: &[AlarmStatus],
    set: &str,
    default_set: Option<&str>,
    recorded: &[String],
) -> Vec<String> {
    let mut h: Vec<String> = alarms
        .iter()
        .filter(|a| a.configuration_set.as_deref().or(default_set) == Some(set))
        .filter(|a| a.actions_enabled)
        .filter(|a| match a.state {
            AlarmState::Alarm => true,
            AlarmState::Ok => false,
            _ => recorded.contains(&a.name),
        })
        .map(|a| a.name.clone())
        .collect();
    h.sort();
    h.dedup();
    h
}

/// A lease held by this invocation.
struct Lease {
    owner: String,
    /// No write starts after this.
    write_deadline: Instant,
}

impl Lease {
    async fn acquire<T: LeaseLock>(cfg: &SuppressorConfig, store: &T) -> Result<Self, SuppressError> {
        let owner = owner_id();
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            let t0 = Instant::now();
            if store
                .try_acquire(LeaseRequest { name: LEASE_NAME, owner: &owner, now: Utc::now(), lease: LEASE })
                .await?
            {
                let lease = LEASE.to_std().unwrap_or_default();
                return Ok(Self { owner, write_deadline: t0 + lease.saturating_sub(LEASE_MARGIN) });
            }
            if started.elapsed() >= cfg.lease_wait {
                return Err(SuppressError::Busy(format!(
                    "the pause lease was held by others for {:?}; Lambda retries this invocation",
                    cfg.lease_wait
                )));
            }
            // 10 ms doubling up to 250 ms, with jitter from the owner id so that waiters spread out.
            let jitter = u64::from_str_radix(&owner[..4], 16).unwrap_or(0) % 20;
            let ms = ((10u64 << attempt.min(5)) + jitter).min(250);
            tokio::time::sleep(StdDuration::from_millis(ms)).await;
            attempt += 1;
        }
    }

    fn check(&self) -> Result<(), SuppressError> {
        if Instant::now() >= self.write_deadline {
            return Err(SuppressError::Busy(
                "the pause lease is about to expire: nothing more is written".into(),
            ));
        }
        Ok(())
    }
}

/// A random owner id for the lease: 16 hex digits from the standard library's randomly keyed
/// hasher, the time and a counter.
fn owner_id() -> String {
    use std::hash::BuildHasher;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    let h = std::collections::hash_map::RandomState::new().hash_one((nanos, std::process::id(), n));
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn plan_covers_every_case() {
        let p = plan(&v(&["a", "b"]), &v(&["a", "c"]), true);
        assert_eq!((p.add, p.remove, p.sending, p.outcome), (v(&["b"]), v(&["c"]), Some(false), "paused"));
        let p = plan(&v(&["a", "b"]), &v(&["a"]), false);
        assert_eq!((p.add, p.sending, p.outcome), (v(&["b"]), None, "already_paused"));
        assert!(plan(&v(&["a"]), &v(&["a"]), false).is_noop());
        let p = plan(&v(&["a"]), &[], false);
        assert!(p.is_noop());
        assert_eq!(p.outcome, "already_paused_elsewhere");
        let p = plan(&[], &v(&["a"]), false);
        assert_eq!((p.remove, p.sending, p.outcome), (v(&["a"]), Some(true), "resumed"));
        let p = plan(&[], &v(&["a"]), true);
        assert_eq!((p.remove, p.sending, p.outcome), (v(&["a"]), None, "released"));
        for enabled in [true, false] {
            let p = plan(&[], &[], enabled);
            assert!(p.is_noop());
            assert_eq!(p.outcome, "not_paused");
        }
    }

    #[test]
    fn who_holds_the_pause() {
        let st = |name: &str, state: AlarmState, actions: bool, set: Option<&str>| AlarmStatus {
            name: name.into(),
            state,
            actions_enabled: actions,
            configuration_set: set.map(String::from),
            account: None,
        };
        let alarms = [
            st("in-alarm", AlarmState::Alarm, true, None),
            st("ok", AlarmState::Ok, true, None),
            st("muted", AlarmState::Alarm, false, None),
            st("no-data-recorded", AlarmState::InsufficientData, true, None),
            st("no-data-new", AlarmState::InsufficientData, true, None),
            st("other-set", AlarmState::Alarm, true, Some("other")),
        ];
        let recorded = v(&["no-data-recorded", "ok", "deleted"]);
        assert_eq!(holders_of(&alarms, "main", Some("main"), &recorded), ["in-alarm", "no-data-recorded"]);
        assert_eq!(holders_of(&alarms, "other", Some("main"), &recorded), ["other-set"]);
        assert!(holders_of(&alarms, "main", None, &recorded).is_empty(), "no default set: only named ones");
    }

    #[test]
    fn owner_ids_differ() {
        let ids: std::collections::BTreeSet<String> = (0..100).map(|_| owner_id()).collect();
        assert_eq!(ids.len(), 100);
        assert!(ids.iter().all(|i| i.len() == 16));
    }
}
