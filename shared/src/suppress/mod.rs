//! alarm-suppressor: a CloudWatch alarm → its offenders on the SES suppression list, and pause /
//! resume of sending.
//!
//! What each alarm does is decided here, explicitly ([`SuppressorConfig::suppresses`] and
//! `PAUSE_ON_ALARMS`):
//! - **suppress**: an owned alarm on a bounce or complaint metric ([`OFFENDER_METRICS`]: the
//!   per-domain `HardBounce`, `SoftBounce`, `Bounce`, `Complaint`, the account's
//!   `Reputation.BounceRate` / `Reputation.ComplaintRate`). On `ALARM`, its window (state change
//!   time − period × evaluation periods, at least `MIN_LOOKBACK_MINUTES`) and scope (the union of
//!   its metrics' `RecipientDomain` / tag dimensions) select ledger entries; the policy picks
//!   offenders (every complaint, every hard bounce, soft bounces ≥ `SOFT_BOUNCE_LIMIT` in the
//!   window); each goes on the account suppression list, complaints first, at most
//!   `MAX_SUPPRESSIONS` per invocation. What is left over is kept as pending work
//!   ([`crate::store::PendingWork`]) that the scheduled sweep finishes while the alarm is still
//!   in ALARM. Suppression is idempotent (suppressed ledger entries are marked), so a late or
//!   replayed `ALARM` only finishes what is left.
//! - **pause**: alarms named in `PAUSE_ON_ALARMS`: any notification of theirs (and every sweep)
//!   reconciles the configuration set with the alarms' *current* states ([`crate::suppress::pause`]).
//! - **notify only**: every other owned alarm (no delivery, rejects, composite alarms): its
//!   notification is journaled and nothing else happens.
//!
//! An SES refusal of one address (`BadRequestException`) is counted in `failed` and the others
//! go on; any other error (access denied, throttling after the SDK's retries, a server error,
//! the network) fails the invocation after marking in the ledger what was really suppressed, so
//! Lambda retries it and the failure queue keeps it.
//!
//! Everything done is written to the journal ([`crate::store::Journal`]) for the daily report.

mod config;
mod function;
mod list;
mod offenders;
pub mod pause;

pub use config::{OFFENDER_METRICS, SuppressorConfig};
pub use function::Function;
use list::suppress;
pub use offenders::{Offender, pick_offenders};

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::alarm::states::AlarmStates;
use crate::alarm::{AlarmNotice, AlarmState, Notification, Scope, SendingStatusEvent, parse_notifications};
use crate::ledger::{Ledger, LedgerEntry, LedgerError, LedgerQuery, Offence};
use crate::platform::aws::AwsError;
use crate::platform::config::{
    ConfigError, TagDimension, err, parse_bool, parse_list, parse_number, parse_tag_dimensions,
    parse_tag_values,
};
use crate::platform::logging::{redact, scrub};
use crate::sesv2::{SendingControl, SuppressionList, SuppressionReason, holder_tag_value};
use crate::store::{
    Journal, JournalEntry, JournalEvent, LeaseLock, PendingSuppression, PendingWork, short_id,
};

/// What was done for one alarm notice (or one piece of pending work, in a sweep).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AlarmOutcome {
    /// Alarm name.
    pub alarm: String,
    /// Its new state (as the notification says; pause decisions read the current one).
    pub state: String,
    /// `suppressed`, `notified` (the alarm is not about offenders), `not_suppressed_no_ledger`,
    /// `no_action_for_state`, `ignored_not_owned`, `actions_suppressed`; in a sweep
    /// `continued`, `dropped_alarm_not_in_alarm`, `dropped_alarm_deleted`, `waiting_for_budget`.
    pub action: String,
    /// The window read from the ledger (ALARM only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The domains the alarm is about (empty: all).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipient_domains: Vec<String>,
    /// Tag filter from the alarm's dimensions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, Vec<String>)>,
    /// Offenders found, by what decided them.
    pub offenders: BTreeMap<&'static str, usize>,
    /// Addresses put on the suppression list (or that would be, in a dry run), by reason.
    pub suppressed: BTreeMap<&'static str, usize>,
    /// Offenders over the per-invocation budget, left as pending work for the sweep.
    pub left_over: usize,
    /// Addresses SES refused (`BadRequestException`; logged, they do not block the others).
    pub failed: usize,
    /// Nothing was changed.
    pub dry_run: bool,
    /// The pause reconcile's outcome (`paused:<set>`, `resumed:<set>`, …; several sets are
    /// comma-separated), for alarms in `PAUSE_ON_ALARMS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sending: Option<String>,
}

/// An SES sending-status event, as handled.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SendingStatusOutcome {
    /// Enabled or disabled.
    pub enabled: bool,
    /// `ENABLED`, `DISABLED`, `REINSTATED`.
    pub status: String,
    /// The resources concerned.
    pub resources: Vec<String>,
}

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SweepOutcome {
    /// The pause reconcile's outcome, when `PAUSE_ON_ALARMS` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sending: Option<String>,
    /// Pending suppression work found.
    pub pending: usize,
    /// What was done with each.
    pub work: Vec<AlarmOutcome>,
}

/// The function's result.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SuppressorResult {
    /// One entry per alarm notice.
    pub alarms: Vec<AlarmOutcome>,
    /// SES sending-status events.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sending_status: Vec<SendingStatusOutcome>,
    /// The sweep, when the invocation was a scheduled event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<SweepOutcome>,
    /// Records that were not alarm notices.
    pub skipped: usize,
    /// Skipped records by reason.
    pub skip_reasons: BTreeMap<&'static str, usize>,
}

/// A failure that must fail the invocation (so Lambda retries and the DLQ catches it).
#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    /// Reading or writing the ledger table failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// An SES call or DescribeAlarms failed (the error names the service).
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// The pause lease could not be had (or ran out) in time.
    #[error("pause lease: {0}")]
    Busy(String),
    /// Something the configuration does not say.
    #[error("configuration: {0}")]
    Config(String),
}

/// The AWS clients alarm-suppressor works with.
pub struct Deps<'a, L, S, C, A, T> {
    /// The offender ledger.
    pub ledger: &'a L,
    /// The suppression list.
    pub list: &'a S,
    /// The configuration-set switch.
    pub sending: &'a C,
    /// Alarms' current states.
    pub alarms: &'a A,
    /// The journal, the pause lease and pending work (the ledger table).
    pub store: &'a T,
    /// Partition for configuration-set ARNs (from the SDK configuration).
    pub partition: &'a str,
    /// Region of the SES resources.
    pub region: &'a str,
}

/// What alarm-suppressor's logic needs, as one bound ([`Deps`] is the one implementation).
pub trait Backends: Sync {
    /// The ledger.
    type Ledger: Ledger;
    /// The suppression list.
    type List: SuppressionList;
    /// The configuration-set switch.
    type Sending: SendingControl;
    /// Alarms' current states.
    type Alarms: AlarmStates;
    /// Journal, lease, pending work.
    type Store: Journal + LeaseLock + PendingWork;
    /// The ledger.
    fn ledger(&self) -> &Self::Ledger;
    /// The suppression list.
    fn list(&self) -> &Self::List;
    /// The configuration-set switch.
    fn sending(&self) -> &Self::Sending;
    /// Alarms' current states.
    fn alarms(&self) -> &Self::Alarms;
    /// Journal, lease, pending work.
    fn store(&self) -> &Self::Store;
    /// The ARN partition.
    fn partition(&self) -> &str;
    /// The region.
    fn region(&self) -> &str;
}

impl<L, S, C, A, T> Backends for Deps<'_, L, S, C, A, T>
where
    L: Ledger,
    S: SuppressionList,
    C: SendingControl,
    A: AlarmStates,
    T: Journal + LeaseLock + PendingWork,
{
    type Ledger = L;
    type List = S;
    type Sending = C;
    type Alarms = A;
    type Store = T;
    fn ledger(&self) -> &L {
        self.ledger
    }
    fn list(&self) -> &S {
        self.list
    }
    fn sending(&self) -> &C {
        self.sending
    }
    fn alarms(&self) -> &A {
        self.alarms
    }
    fn store(&self) -> &T {
        self.store
    }
    fn partition(&self) -> &str {
        self.partition
    }
    fn region(&self) -> &str {
        self.region
    }
}

/// State of one invocation: what is left of the suppression budget, and the pause reconcile's
/// outcome (done at most once: it reads the current states, so once is enough).
struct Run {
    budget: usize,
    reconciled: Option<String>,
}

/// Handles one invocation payload (SNS, SQS, direct alarm action, EventBridge alarm or SES
/// status event, or a scheduled event).
pub async fn handle<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<SuppressorResult, SuppressError> {
    let mut result = SuppressorResult::default();
    let mut run = Run { budget: cfg.max_suppressions, reconciled: None };
    for parsed in parse_notifications(payload) {
        match parsed {
            Err(skip) => {
                result.skipped += 1;
                *result.skip_reasons.entry(skip.reason.as_str()).or_default() += 1;
                let detail = scrub(&skip.detail, cfg.log_recipients);
                tracing::warn!(reason = skip.reason.as_str(), detail = %detail, "not an alarm notice");
            }
            Ok(Notification::Alarm(notice)) => {
                result.alarms.push(handle_notice(cfg, deps, &notice, now, &mut run).await?);
            }
            Ok(Notification::SendingStatus(ev)) => {
                result.sending_status.push(sending_status(deps, &ev, now).await?);
            }
            Ok(Notification::Sweep(_)) => result.sweep = Some(sweep(cfg, deps, now, &mut run).await?),
        }
    }
    tracing::info!(result = %serde_json::to_string(&result).unwrap_or_default(), "alarm-suppressor done");
    Ok(result)
}

/// The pause reconcile, once per invocation.
async fn reconcile_once<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    trigger_account: Option<&str>,
    now: DateTime<Utc>,
    run: &mut Run,
) -> Result<String, SuppressError> {
    if let Some(done) = &run.reconciled {
        return Ok(done.clone());
    }
    let outcomes = pause::reconcile(cfg, deps, trigger_account, now).await?;
    let code = if outcomes.is_empty() {
        "no_configuration_set".to_string()
    } else {
        outcomes.iter().map(pause::SetOutcome::code).collect::<Vec<_>>().join(",")
    };
    run.reconciled = Some(code.clone());
    Ok(code)
}

async fn handle_notice<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    notice: &AlarmNotice,
    now: DateTime<Utc>,
    run: &mut Run,
) -> Result<AlarmOutcome, SuppressError> {
    let mut out = AlarmOutcome {
        alarm: notice.name.clone(),
        state: notice.state.as_str().to_string(),
        dry_run: cfg.dry_run,
        ..Default::default()
    };
    if !notice.is_owned(&cfg.name_prefixes, &cfg.namespaces) {
        tracing::info!(alarm = %notice.name, "alarm not owned by ses-monitor (name prefix / namespace): ignored");
        out.action = "ignored_not_owned".into();
        return Ok(out);
    }
    if let Some(by) = &notice.actions_suppressed_by {
        // EventBridge delivers state changes even while the alarm's actions are suppressed
        // (by a suppressor alarm or a wait period): the operator asked for no action.
        tracing::info!(alarm = %notice.name, suppressed_by = %by, "alarm actions are suppressed: no action");
        out.action = "actions_suppressed".into();
        return Ok(out);
    }
    let scope = notice.scope(&cfg.namespaces);
    out.recipient_domains = scope.recipient_domains.clone();
    out.tags = scope.tags.clone();
    // Pausing first: it is the urgent action, and it must not wait on (or be lost with) a long
    // or failing suppression run. Whatever state this notification announces, the decision
    // follows the alarms' current states.
    if cfg.pauses(&notice.name) {
        let account =
            notice.arn.as_deref().and_then(crate::alarm::states::arn_account).or(notice.account.as_deref());
        out.sending = Some(reconcile_once(cfg, deps, account, now, run).await?);
    }
    match notice.state {
        AlarmState::Alarm if cfg.suppresses(notice) => {
            if cfg.ledger_table.is_none() {
                tracing::warn!(alarm = %notice.name, "no LEDGER_TABLE configured: nobody to suppress");
                out.action = "not_suppressed_no_ledger".into();
            } else {
                let (start, change) = notice.window(cfg.min_lookback, now);
                // A minute of grace past the state change (never past now): the state change time
                // may be truncated to the second, and bounces arriving as the alarm fires are the
                // same problem.
                let end =
                    change.max(now.min(change.checked_add_signed(Duration::minutes(1)).unwrap_or(change)));
                out.window = Some((start, end));
                let work = PendingSuppression {
                    alarm: notice.name.clone(),
                    start,
                    end,
                    recipient_domains: scope.recipient_domains.clone(),
                    tags: scope.tags.clone(),
                    left_over: 0,
                };
                suppress(cfg, deps, &work, &mut out, now, run).await?;
                out.action = "suppressed".into();
            }
        }
        AlarmState::Alarm => {
            tracing::info!(alarm = %notice.name, "alarm not about bounces or complaints: notify only");
            out.action = "notified".into();
        }
        _ => out.action = "no_action_for_state".into(),
    }
    let at = notice.state_change_time.unwrap_or(now);
    let key = format!(
        "{}|{}|{:?}|{:?}",
        notice.name, notice.state, notice.state_change_time, notice.previous_state
    );
    let entry = JournalEntry {
        at,
        id: short_id(&key),
        event: JournalEvent::Alarm {
            alarm: notice.name.clone(),
            state: out.state.clone(),
            previous_state: notice.previous_state.as_ref().map(|s| s.as_str().to_string()),
            action: out.action.clone(),
        },
    };
    deps.store().record(&entry).await?;
    Ok(out)
}

async fn sending_status<B: Backends>(
    deps: &B,
    ev: &SendingStatusEvent,
    now: DateTime<Utc>,
) -> Result<SendingStatusOutcome, SuppressError> {
    tracing::warn!(
        enabled = ev.enabled,
        status = %ev.status,
        resources = %ev.resources.join(","),
        origin = ev.origin.as_deref().unwrap_or("-"),
        cause = ev.cause.as_deref().unwrap_or("-"),
        "SES sending status changed"
    );
    let id = ev.id.clone().unwrap_or_else(|| {
        short_id(&format!("{}|{:?}|{:?}|{:?}", ev.status, ev.resources, ev.time, ev.cause))
    });
    let entry = JournalEntry {
        at: ev.time.unwrap_or(now),
        id: short_id(&id),
        event: JournalEvent::SendingStatus {
            enabled: ev.enabled,
            status: ev.status.clone(),
            resources: ev.resources.clone(),
            origin: ev.origin.clone(),
            cause: ev.cause.clone(),
        },
    };
    deps.store().record(&entry).await?;
    Ok(SendingStatusOutcome {
        enabled: ev.enabled,
        status: ev.status.clone(),
        resources: ev.resources.clone(),
    })
}

/// The scheduled sweep: the pause reconcile (when `PAUSE_ON_ALARMS` is set), then pending
/// suppression work of alarms that are still in ALARM, within the invocation's budget.
async fn sweep<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    now: DateTime<Utc>,
    run: &mut Run,
) -> Result<SweepOutcome, SuppressError> {
    let mut out = SweepOutcome::default();
    if !cfg.pause_on_alarms.is_empty() {
        out.sending = Some(reconcile_once(cfg, deps, None, now, run).await?);
    }
    let pending = deps.store().pending().await?;
    out.pending = pending.len();
    if pending.is_empty() {
        return Ok(out);
    }
    let mut names: Vec<String> = pending.iter().map(|p| p.alarm.clone()).collect();
    names.sort();
    names.dedup();
    let states = deps.alarms().describe(&names).await?;
    for work in pending {
        let mut o = AlarmOutcome {
            alarm: work.alarm.clone(),
            window: Some((work.start, work.end)),
            recipient_domains: work.recipient_domains.clone(),
            tags: work.tags.clone(),
            dry_run: cfg.dry_run,
            left_over: work.left_over,
            ..Default::default()
        };
        let status = states.iter().find(|s| s.name == work.alarm);
        o.state = status.map_or("deleted".into(), |s| s.state.as_str().to_string());
        match status {
            None => {
                o.action = "dropped_alarm_deleted".into();
                drop_pending(cfg, deps, &work).await?;
            }
            Some(s) if s.state != AlarmState::Alarm || !s.actions_enabled => {
                tracing::info!(alarm = %work.alarm, state = %s.state, left_over = work.left_over,
                    "alarm no longer in ALARM (or its actions disabled): its pending suppressions are dropped");
                o.action = "dropped_alarm_not_in_alarm".into();
                drop_pending(cfg, deps, &work).await?;
            }
            Some(_) if run.budget == 0 => o.action = "waiting_for_budget".into(),
            Some(_) => {
                o.left_over = 0;
                suppress(cfg, deps, &work, &mut o, now, run).await?;
                o.action = "continued".into();
            }
        }
        out.work.push(o);
    }
    Ok(out)
}

async fn drop_pending<B: Backends>(
    cfg: &SuppressorConfig,
    deps: &B,
    work: &PendingSuppression,
) -> Result<(), SuppressError> {
    if !cfg.dry_run {
        deps.store().remove_pending(work).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::states::MemoryAlarms;
    use crate::ledger::MemoryLedger;
    use crate::sesv2::{MemorySes, SendingState};
    use crate::store::MemoryStore;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn cfg(pairs: &[(&str, &str)]) -> SuppressorConfig {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        SuppressorConfig::from_lookup(|k| map.get(k).cloned()).unwrap()
    }

    fn entry(addr: &str, dim: &str, kind: Offence, at: &str) -> LedgerEntry {
        LedgerEntry {
            recipient: addr.into(),
            domain: addr.split('@').nth(1).unwrap().into(),
            dimension: dim.into(),
            kind,
            subtype: None,
            tags: vec![("EmailType".into(), "newsletter".into())],
            message_id: format!("m-{addr}-{at}"),
            timestamp: t(at),
            status: None,
            diagnostic: None,
            suppressed_at: None,
        }
    }

    fn mixed() -> Vec<LedgerEntry> {
        vec![
            entry("soft3@gmail.com", "gmail.com", Offence::SoftBounce, "2026-11-27T09:01:00Z"),
            entry("soft3@gmail.com", "gmail.com", Offence::SoftBounce, "2026-11-27T09:02:00Z"),
            entry("soft3@gmail.com", "gmail.com", Offence::SoftBounce, "2026-11-27T09:03:00Z"),
            entry("soft2@gmail.com", "gmail.com", Offence::SoftBounce, "2026-11-27T09:01:00Z"),
            entry("soft2@gmail.com", "gmail.com", Offence::SoftBounce, "2026-11-27T09:02:00Z"),
            entry("hard@gmail.com", "gmail.com", Offence::HardBounce, "2026-11-27T09:10:00Z"),
            entry("both@gmail.com", "gmail.com", Offence::HardBounce, "2026-11-27T09:05:00Z"),
            entry("both@gmail.com", "gmail.com", Offence::Complaint, "2026-11-27T09:20:00Z"),
            entry("c@yahoo.com", "yahoo.com", Offence::Complaint, "2026-11-27T09:30:00Z"),
            entry("a@aol.com", "aol.com", Offence::HardBounce, "2026-11-27T09:31:00Z"),
        ]
    }

    fn scope(domains: &[&str], tags: &[(&str, &[&str])]) -> Scope {
        Scope {
            recipient_domains: domains.iter().map(|d| d.to_string()).collect(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.iter().map(|x| x.to_string()).collect()))
                .collect(),
            configuration_set: None,
        }
    }

    #[test]
    fn policy_orders_complaints_then_hard_then_soft() {
        let c = cfg(&[]);
        let o = pick_offenders(&mixed(), &Scope::default(), &c);
        let got: Vec<(&str, &str, &str)> =
            o.iter().map(|o| (o.address.as_str(), o.reason.as_str(), o.because.as_str())).collect();
        assert_eq!(
            got,
            [
                ("both@gmail.com", "COMPLAINT", "Complaint"),
                ("c@yahoo.com", "COMPLAINT", "Complaint"),
                ("hard@gmail.com", "BOUNCE", "HardBounce"),
                ("a@aol.com", "BOUNCE", "HardBounce"),
                ("soft3@gmail.com", "BOUNCE", "SoftBounce"),
            ]
        );
        assert_eq!(o[0].entries.len(), 2, "both entries of the address get marked");
        assert_eq!(pick_offenders(&mixed(), &scope(&["yahoo.com"], &[]), &c).len(), 1);
        // a union of domains: yahoo.com and aol.com, never gmail.com
        let two: Vec<String> = pick_offenders(&mixed(), &scope(&["yahoo.com", "aol.com"], &[]), &c)
            .into_iter()
            .map(|o| o.address)
            .collect();
        assert_eq!(two, ["c@yahoo.com", "a@aol.com"]);
        // Tag scopes name the value ses-events published: with every EmailType value allowed,
        // the raw value; with the default cap (no value allowed), `other`.
        let every = cfg(&[("TAG_VALUES", "EmailType=*")]);
        assert!(pick_offenders(&mixed(), &scope(&[], &[("EmailType", &["welcome"])]), &every).is_empty());
        assert_eq!(
            pick_offenders(&mixed(), &scope(&[], &[("EmailType", &["welcome", "newsletter"])]), &every).len(),
            5
        );
        assert!(pick_offenders(&mixed(), &scope(&[], &[("EmailType", &["newsletter"])]), &c).is_empty());
        assert_eq!(pick_offenders(&mixed(), &scope(&[], &[("EmailType", &["other"])]), &c).len(), 5);
        assert!(pick_offenders(&mixed(), &scope(&[], &[("EmailType", &["other"])]), &every).is_empty());
        let by_default = scope(&[], &[("Campaign", &["none"])]);
        assert_eq!(pick_offenders(&mixed(), &by_default, &c).len(), 5, "missing tag = its default value");
        let mut done = mixed();
        done.iter_mut().for_each(|e| e.suppressed_at = Some(t("2026-11-27T09:40:00Z")));
        assert!(pick_offenders(&done, &Scope::default(), &c).is_empty());
    }

    const NAME: &str = "ses-monitor-gmail-hard-bounces";

    /// An SNS-format alarm notification (`Trigger` given as JSON), as SNS→Lambda delivers it.
    fn sns(name: &str, state: &str, changed: &str, trigger: serde_json::Value) -> String {
        let alarm = serde_json::json!({
            "AlarmName": name, "AWSAccountId": "123456789012", "NewStateValue": state,
            "NewStateReason": "x", "StateChangeTime": changed, "Region": "US East (N. Virginia)",
            "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"),
            "OldStateValue": if state == "ALARM" { "OK" } else { "ALARM" }, "Trigger": trigger
        });
        serde_json::json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification",
            "Message": alarm.to_string()}}]})
        .to_string()
    }

    fn metric(name: &str, namespace: &str, domain: Option<&str>) -> serde_json::Value {
        let dims: Vec<serde_json::Value> =
            domain.iter().map(|d| serde_json::json!({"name": "RecipientDomain", "value": d})).collect();
        serde_json::json!({"MetricName": name, "Namespace": namespace, "Statistic": "SUM",
            "Dimensions": dims, "Period": 300, "EvaluationPeriods": 1,
            "ComparisonOperator": "GreaterThanThreshold", "Threshold": 5.0})
    }

    fn gmail(state: &str) -> String {
        sns(
            NAME,
            state,
            "2026-11-27T09:45:00.000+0000",
            metric("HardBounce", "Custom/SES", Some("gmail.com")),
        )
    }

    /// Everything alarm-suppressor talks to, in memory.
    #[derive(Default)]
    struct World {
        ledger: MemoryLedger,
        ses: MemorySes,
        alarms: MemoryAlarms,
        store: MemoryStore,
    }

    impl World {
        async fn with_ledger() -> Self {
            let w = Self::default();
            w.ledger.record(&mixed()).await.unwrap();
            w
        }

        async fn try_run(
            &self,
            c: &SuppressorConfig,
            payload: &str,
            now: &str,
        ) -> Result<SuppressorResult, SuppressError> {
            let deps = Deps {
                ledger: &self.ledger,
                list: &self.ses,
                sending: &self.ses,
                alarms: &self.alarms,
                store: &self.store,
                partition: "aws",
                region: "us-east-1",
            };
            handle(c, &deps, payload, t(now)).await
        }

        async fn run(&self, c: &SuppressorConfig, payload: &str) -> SuppressorResult {
            self.try_run(c, payload, "2026-11-27T10:00:00Z").await.unwrap()
        }

        fn calls(&self) -> Vec<String> {
            self.ses.calls.lock().unwrap().clone()
        }

        fn set(&self) -> SendingState {
            self.ses.sets.lock().unwrap()["main"].clone()
        }

        fn suppressed(&self) -> Vec<String> {
            self.ses.suppressed.lock().unwrap().keys().cloned().collect()
        }
    }

    #[tokio::test]
    async fn alarm_suppresses_its_domain_within_cap_and_marks_the_ledger() {
        let w = World::with_ledger().await;
        let c = cfg(&[("LEDGER_TABLE", "ledger"), ("MAX_SUPPRESSIONS", "2"), ("MIN_LOOKBACK_MINUTES", "60")]);
        let r = w.run(&c, &gmail("ALARM")).await;
        let a = &r.alarms[0];
        assert_eq!(a.action, "suppressed");
        assert_eq!(a.recipient_domains, ["gmail.com"]);
        assert_eq!(a.window, Some((t("2026-11-27T08:45:00Z"), t("2026-11-27T09:46:00Z"))));
        assert_eq!(a.offenders, BTreeMap::from([("Complaint", 1), ("HardBounce", 1), ("SoftBounce", 1)]));
        assert_eq!(a.suppressed, BTreeMap::from([("COMPLAINT", 1), ("BOUNCE", 1)]));
        assert_eq!(a.left_over, 1);
        assert_eq!(w.calls(), ["Suppress both@gmail.com COMPLAINT", "Suppress hard@gmail.com BOUNCE"]);
        assert_eq!(w.ledger.all().iter().filter(|e| e.suppressed_at.is_some()).count(), 3);
        // the rest is pending work; the next notification takes it too, and nothing twice
        assert_eq!(w.store.pending.lock().unwrap().len(), 1);
        let r = w.run(&c, &gmail("ALARM")).await;
        assert_eq!(r.alarms[0].suppressed, BTreeMap::from([("BOUNCE", 1)]));
        assert_eq!(w.calls().len(), 3);
        assert!(w.store.pending.lock().unwrap().is_empty(), "done: no longer pending");
        // journaled: the notice (once: the same notification twice is one entry) and each run
        let kinds: Vec<&str> = w.store.all_entries().iter().map(|e| e.event.kind()).collect();
        assert_eq!(kinds, ["alarm", "suppressed", "suppressed"]);
        let first = w
            .store
            .all_entries()
            .into_iter()
            .find(|e| matches!(e.event, JournalEvent::Suppressed { left_over: 1, .. }));
        let Some(JournalEntry {
            event: JournalEvent::Suppressed { by_reason, by_domain, left_over, .. },
            ..
        }) = &first
        else {
            panic!("the first run's entry")
        };
        assert_eq!(by_reason, &BTreeMap::from([("BOUNCE".to_string(), 1), ("COMPLAINT".to_string(), 1)]));
        assert_eq!(by_domain, &BTreeMap::from([("gmail.com".to_string(), 2)]));
        assert_eq!(*left_over, 1);
    }

    /// Item 7: offenders over the cap wait for no notification: the sweep finishes them while the
    /// alarm is in ALARM (never more than the cap per invocation), and drops them once it is not.
    #[tokio::test]
    async fn the_sweep_finishes_what_the_cap_left_while_the_alarm_is_in_alarm() {
        let w = World::with_ledger().await;
        let c = cfg(&[("LEDGER_TABLE", "ledger"), ("MAX_SUPPRESSIONS", "1")]);
        w.alarms.set(NAME, AlarmState::Alarm);
        let r = w.run(&c, &gmail("ALARM")).await;
        assert_eq!((r.alarms[0].suppressed.values().sum::<usize>(), r.alarms[0].left_over), (1, 2));
        let sweep = r#"{"version":"0","id":"s","detail-type":"Scheduled Event","source":"aws.events",
            "time":"2026-11-27T10:05:00Z","resources":["arn:aws:events:us-east-1:123456789012:rule/sweep"],"detail":{}}"#;
        for (left, n) in [(1, 2), (0, 3)] {
            let r = w.run(&c, sweep).await;
            let s = r.sweep.expect("a sweep");
            assert_eq!((s.pending, s.work.len()), (1, 1));
            assert_eq!(s.work[0].action, "continued");
            assert_eq!(s.work[0].suppressed.values().sum::<usize>(), 1, "the cap holds in a sweep too");
            assert_eq!(s.work[0].left_over, left);
            assert_eq!(w.suppressed().len(), n);
        }
        assert!(w.store.pending.lock().unwrap().is_empty());
        let r = w.run(&c, sweep).await;
        assert_eq!(r.sweep.unwrap().pending, 0);

        // Left over again, then the alarm recovers: the sweep drops the work, suppresses nothing.
        let w = World::with_ledger().await;
        w.alarms.set(NAME, AlarmState::Alarm);
        w.run(&c, &gmail("ALARM")).await;
        w.alarms.set(NAME, AlarmState::Ok);
        let s = w.run(&c, sweep).await.sweep.unwrap();
        assert_eq!(s.work[0].action, "dropped_alarm_not_in_alarm");
        assert_eq!(w.suppressed().len(), 1);
        assert!(w.store.pending.lock().unwrap().is_empty());
        // … and deleted alarms' work is dropped too
        let w = World::with_ledger().await;
        w.run(&c, &gmail("ALARM")).await;
        assert_eq!(w.run(&c, sweep).await.sweep.unwrap().work[0].action, "dropped_alarm_deleted");
        // The budget is per invocation: two notices in one SQS batch share it.
        let w = World::with_ledger().await;
        let two = format!(
            r#"{{"Records":[{{"eventSource":"aws:sqs","body":{b}}},{{"eventSource":"aws:sqs","body":{b}}}]}}"#,
            b = serde_json::to_string(
                &serde_json::from_str::<serde_json::Value>(&gmail("ALARM")).unwrap()["Records"][0]["Sns"]
            )
            .map(|s| serde_json::to_string(&s).unwrap())
            .unwrap()
        );
        let r = w.run(&c, &two).await;
        assert_eq!(r.alarms.len(), 2);
        assert_eq!(w.suppressed().len(), 1, "MAX_SUPPRESSIONS=1 for the whole invocation");
    }

    #[tokio::test]
    async fn dry_run_changes_nothing() {
        let w = World::with_ledger().await;
        let c = cfg(&[("LEDGER_TABLE", "ledger"), ("DRY_RUN", "true"), ("MAX_SUPPRESSIONS", "1")]);
        let r = w.run(&c, &gmail("ALARM")).await;
        assert_eq!(r.alarms[0].suppressed.values().sum::<usize>(), 1);
        assert_eq!(r.alarms[0].left_over, 2);
        assert!(r.alarms[0].dry_run);
        assert!(w.calls().is_empty());
        assert!(w.ledger.all().iter().all(|e| e.suppressed_at.is_none()));
        assert!(w.store.pending.lock().unwrap().is_empty(), "no pending work in a dry run");
    }

    #[tokio::test]
    async fn alarms_of_others_are_ignored() {
        let w = World::default();
        let c = cfg(&[("LEDGER_TABLE", "ledger")]);
        let other = sns("cpu", "ALARM", "2026-11-27T09:45:00Z", metric("CPUUtilization", "AWS/EC2", None));
        let r = w.run(&c, &other).await;
        assert_eq!(r.alarms[0].action, "ignored_not_owned");
        assert!(w.store.all_entries().is_empty(), "not ours: not journaled");
        let r = w.run(&c, "not json at all").await;
        assert_eq!(r.skipped, 1);
    }

    /// Item 6: the no-delivery and reject alarms (AWS/SES, ours) notify only; the bounce and
    /// complaint ones suppress.
    #[tokio::test]
    async fn only_alarms_about_bounces_and_complaints_suppress() {
        let c = cfg(&[("LEDGER_TABLE", "ledger")]);
        for (metric_name, ns, action) in [
            ("Delivery", "AWS/SES", "notified"),
            ("Reject", "AWS/SES", "notified"),
            ("Send", "Custom/SES", "notified"),
            ("Reputation.BounceRate", "AWS/SES", "suppressed"),
            ("Reputation.ComplaintRate", "AWS/SES", "suppressed"),
            ("Complaint", "Custom/SES", "suppressed"),
        ] {
            let w = World::with_ledger().await;
            let n = sns("x", "ALARM", "2026-11-27T09:45:00Z", metric(metric_name, ns, None));
            let r = w.run(&c, &n).await;
            assert_eq!(r.alarms[0].action, action, "{metric_name}");
            assert_eq!(w.suppressed().is_empty(), action == "notified", "{metric_name}");
        }
        // the hard-bounce-rate alarm: metric math over HardBounce and Send totals
        let math = serde_json::json!({"Metrics": [
            {"Id": "hardbounces", "MetricStat": {"Metric": {"Namespace": "Custom/SES", "MetricName": "HardBounce", "Dimensions": []}, "Period": 3600, "Stat": "Sum"}, "ReturnData": false},
            {"Id": "sends", "MetricStat": {"Metric": {"Namespace": "Custom/SES", "MetricName": "Send", "Dimensions": []}, "Period": 3600, "Stat": "Sum"}, "ReturnData": false},
            {"Id": "rate", "Expression": "hardbounces / sends", "ReturnData": true}], "EvaluationPeriods": 1});
        let w = World::with_ledger().await;
        assert_eq!(
            w.run(&c, &sns("rate", "ALARM", "2026-11-27T09:45:00Z", math)).await.alarms[0].action,
            "suppressed"
        );
    }

    /// Item 9: metric math over yahoo.com and aol.com suppresses those two domains' offenders,
    /// never another domain's (before: the disagreeing dimension widened to every domain).
    #[tokio::test]
    async fn metric_math_over_two_domains_suppresses_their_union() {
        let stat = |id: &str, d: &str| {
            serde_json::json!({"Id": id, "ReturnData": false, "MetricStat": {"Metric": {
            "Namespace": "Custom/SES", "MetricName": "HardBounce",
            "Dimensions": [{"name": "RecipientDomain", "value": d}]}, "Period": 3600, "Stat": "Sum"}})
        };
        let trigger = serde_json::json!({"Metrics": [stat("m1", "yahoo.com"), stat("m2", "aol.com"),
            {"Id": "e1", "Expression": "m1 + m2", "ReturnData": true}], "EvaluationPeriods": 1});
        let w = World::with_ledger().await;
        let r = w
            .run(&cfg(&[("LEDGER_TABLE", "ledger")]), &sns("two", "ALARM", "2026-11-27T09:45:00Z", trigger))
            .await;
        assert_eq!(r.alarms[0].recipient_domains, ["aol.com", "yahoo.com"]);
        assert_eq!(w.suppressed(), ["a@aol.com", "c@yahoo.com"]);
    }

    /// Item 2: an ALARM without a ledger says so instead of "suppressed".
    #[tokio::test]
    async fn no_ledger_is_not_reported_as_suppressed() {
        let w = World::with_ledger().await;
        let r = w.run(&cfg(&[]), &gmail("ALARM")).await;
        assert_eq!(r.alarms[0].action, "not_suppressed_no_ledger");
        assert!(w.calls().is_empty());
    }

    #[test]
    fn pause_needs_the_table_for_its_lease() {
        let e =
            SuppressorConfig::from_lookup(|k| (k == "PAUSE_ON_ALARMS").then(|| "a".to_string())).unwrap_err();
        assert_eq!(e.var, "PAUSE_ON_ALARMS");
        let long = "ü".repeat(100);
        let e = SuppressorConfig::from_lookup(|k| match k {
            "PAUSE_ON_ALARMS" => Some(long.clone()),
            "LEDGER_TABLE" => Some("t".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(e.reason.contains("too long"), "{e}");
    }

    /// A suppression list that refuses some addresses with a given error.
    #[derive(Default)]
    struct Refusing {
        refuse: Vec<(String, AwsError)>,
        sent: std::sync::Mutex<Vec<String>>,
    }

    impl SuppressionList for Refusing {
        async fn suppress(&self, address: &str, _: SuppressionReason) -> Result<(), AwsError> {
            self.sent.lock().unwrap().push(address.to_string());
            match self.refuse.iter().find(|(a, _)| a == address) {
                Some((_, e)) => Err(e.clone()),
                None => Ok(()),
            }
        }
    }

    /// Item 2: a refusal about the caller (403 AccessDenied) fails the invocation after marking
    /// what was done; a refusal of one address is counted and the rest goes on.
    #[tokio::test]
    async fn a_refusal_of_the_caller_fails_the_invocation() {
        let c = cfg(&[("LEDGER_TABLE", "ledger"), ("SUPPRESSION_CONCURRENCY", "1")]);
        let denied =
            AwsError::new("SES", "PutSuppressedDestination", "AccessDeniedException: not authorized");
        let bad = AwsError {
            refused_item: true,
            message: "BadRequestException: Invalid email address".into(),
            ..denied.clone()
        };
        for (refusal, fails) in [(denied, true), (bad, false)] {
            let w = World::with_ledger().await;
            let list = Refusing { refuse: vec![("hard@gmail.com".into(), refusal)], ..Default::default() };
            let deps = Deps {
                ledger: &w.ledger,
                list: &list,
                sending: &w.ses,
                alarms: &w.alarms,
                store: &w.store,
                partition: "aws",
                region: "us-east-1",
            };
            let r = handle(&c, &deps, &gmail("ALARM"), t("2026-11-27T10:00:00Z")).await;
            let marked: Vec<String> = w
                .ledger
                .all()
                .into_iter()
                .filter(|e| e.suppressed_at.is_some())
                .map(|e| e.recipient)
                .collect();
            if fails {
                let e = r.expect_err("AccessDenied fails the invocation");
                assert!(e.to_string().contains("AccessDenied"), "{e}");
                // the complaint before it was suppressed and is marked; nothing after it was sent
                assert_eq!(*list.sent.lock().unwrap(), ["both@gmail.com", "hard@gmail.com"]);
                assert_eq!(marked, ["both@gmail.com", "both@gmail.com"]);
                let j = w.store.all_entries();
                assert!(
                    matches!(&j[0].event, JournalEvent::Suppressed { by_reason, .. } if by_reason.get("COMPLAINT") == Some(&1))
                );
                assert!(
                    w.store.pending.lock().unwrap().is_empty(),
                    "a failed run leaves no new pending work"
                );
            } else {
                let r = r.expect("one refused address does not fail the invocation");
                assert_eq!(r.alarms[0].failed, 1);
                assert_eq!(
                    *list.sent.lock().unwrap(),
                    ["both@gmail.com", "hard@gmail.com", "soft3@gmail.com"]
                );
                assert!(!marked.contains(&"hard@gmail.com".to_string()));
            }
        }
    }

    #[tokio::test]
    async fn ses_sending_status_events_are_journaled_once() {
        let w = World::default();
        let c = cfg(&[("LEDGER_TABLE", "ledger")]);
        let ev = serde_json::json!({"version": "0", "id": "3cc76530-9842-03a9-fdef-e4e4f667cf4e",
            "detail-type": "Sending Status Disabled", "source": "aws.ses", "account": "123456789012",
            "time": "2026-11-27T09:50:00Z", "region": "us-east-1",
            "resources": ["arn:aws:ses:us-east-1:123456789012:tenant/t/tn-1"],
            "detail": {"version": "1.0.0", "data": {"origin": "AWS_MANAGED",
                "record": {"status": "DISABLED", "cause": "High bounce rate.", "lastUpdatedTimestamp": [2026, 11, 27, 9, 50, 0, 0]}}}});
        let payload =
            serde_json::json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": ev.to_string()}}]})
                .to_string();
        let r = w.run(&c, &payload).await;
        assert_eq!(r.skipped, 0);
        assert_eq!(
            r.sending_status[0],
            SendingStatusOutcome {
                enabled: false,
                status: "DISABLED".into(),
                resources: vec!["arn:aws:ses:us-east-1:123456789012:tenant/t/tn-1".into()],
            }
        );
        w.run(&c, &payload).await;
        let j = w.store.all_entries();
        assert_eq!(j.len(), 1, "a redelivery writes nothing new");
        assert_eq!(j[0].at, t("2026-11-27T09:50:00Z"));
        assert!(
            matches!(&j[0].event, JournalEvent::SendingStatus { enabled: false, cause: Some(c), .. } if c == "High bounce rate.")
        );
    }

    // --- pause and resume, on in-memory fakes ----------------------------------------------------

    const A: &str = "ses-monitor-bounce-rate";
    const B: &str = "ses-monitor-complaint-rate";

    fn pause_cfg() -> SuppressorConfig {
        cfg(&[
            ("LEDGER_TABLE", "ledger"),
            ("PAUSE_ON_ALARMS", &format!("{A},{B}")),
            ("CONFIGURATION_SET", "main"),
        ])
    }

    fn rate(name: &str, state: &str) -> String {
        let m = if name == A { "Reputation.BounceRate" } else { "Reputation.ComplaintRate" };
        sns(name, state, "2026-11-27T09:45:00.000+0000", metric(m, "AWS/SES", None))
    }

    fn world_with_set(enabled: bool) -> World {
        let w = World::default();
        w.ses.sets.lock().unwrap().insert("main".into(), SendingState { enabled, paused_by: vec![] });
        w
    }

    #[tokio::test]
    async fn pause_and_resume_follow_the_current_states() {
        let w = world_with_set(true);
        let c = pause_cfg();
        w.alarms.set(A, AlarmState::Alarm);
        w.alarms.set(B, AlarmState::Ok);
        let r = w.run(&c, &rate(A, "ALARM")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("paused:main"));
        assert_eq!(w.set(), SendingState { enabled: false, paused_by: vec![A.into()] });
        // a repeated ALARM notification changes nothing, and takes no lease
        let calls = w.calls().len();
        let r = w.run(&c, &rate(A, "ALARM")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused:main"));
        assert_eq!(w.calls().len(), calls);
        // B goes to ALARM too, then A recovers: A's OK does not resume while B holds it
        w.alarms.set(B, AlarmState::Alarm);
        w.run(&c, &rate(B, "ALARM")).await;
        assert_eq!(w.set().paused_by, [A, B]);
        w.alarms.set(A, AlarmState::Ok);
        let r = w.run(&c, &rate(A, "OK")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused:main"));
        assert_eq!(w.set(), SendingState { enabled: false, paused_by: vec![B.into()] });
        w.alarms.set(B, AlarmState::Ok);
        let r = w.run(&c, &rate(B, "OK")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("resumed:main"));
        assert_eq!(w.set(), SendingState { enabled: true, paused_by: vec![] });
        let kinds: Vec<&str> =
            w.store.all_entries().iter().map(|e| e.event.kind()).filter(|k| *k != "alarm").collect();
        assert_eq!(kinds, ["paused", "resumed"]);
        assert!(w.store.leases.lock().unwrap().is_empty(), "every lease released");
        // the order of the calls: tag before pause, resume before untag
        assert_eq!(
            w.calls(),
            [
                format!("AddHolders main [{A}]"),
                "SetSending main false".into(),
                format!("AddHolders main [{B}]"),
                format!("RemoveHolders main [{A}]"),
                "SetSending main true".into(),
                format!("RemoveHolders main [{B}]"),
            ]
        );
    }

    /// Item 1: an OK delivered before its ALARM, and an ALARM replayed after the alarm recovered,
    /// leave sending as the alarm's current state says.
    #[tokio::test]
    async fn late_and_replayed_notifications_act_on_the_current_state() {
        let c = pause_cfg();
        // The alarm fired and recovered; its OK arrives first, then the ALARM.
        let w = world_with_set(true);
        w.alarms.set(A, AlarmState::Ok);
        let r = w.run(&c, &rate(A, "OK")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("not_paused:main"));
        let r = w.run(&c, &rate(A, "ALARM")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("not_paused:main"), "the late ALARM does not pause");
        assert!(w.set().enabled);
        // … while the suppression of its window still runs (idempotent)
        assert_eq!(r.alarms[0].action, "suppressed");
        // A replay hours later from the failure queue (an invocation record): the same.
        let record = serde_json::json!({"version": "1.0", "requestContext": {"condition": "RetriesExhausted"},
            "requestPayload": serde_json::from_str::<serde_json::Value>(&rate(A, "ALARM")).unwrap()});
        let r = w.try_run(&c, &record.to_string(), "2026-11-27T15:00:00Z").await.unwrap();
        assert_eq!(r.alarms[0].sending.as_deref(), Some("not_paused:main"));
        assert!(w.calls().is_empty(), "nothing paused, nothing tagged");
        // The OK arrives while the alarm is in ALARM again (fired twice): it stays paused.
        let w = world_with_set(true);
        w.alarms.set(A, AlarmState::Alarm);
        w.run(&c, &rate(A, "ALARM")).await;
        let r = w.run(&c, &rate(A, "OK")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused:main"));
        assert!(!w.set().enabled);
    }

    #[tokio::test]
    async fn holds_and_their_edge_cases() {
        let c = pause_cfg();
        // paused by hand: neither ALARM nor OK touches it, nor records a holder
        let w = world_with_set(false);
        w.alarms.set(A, AlarmState::Alarm);
        assert_eq!(
            w.run(&c, &rate(A, "ALARM")).await.alarms[0].sending.as_deref(),
            Some("already_paused_elsewhere:main")
        );
        w.alarms.set(A, AlarmState::Ok);
        assert_eq!(w.run(&c, &rate(A, "OK")).await.alarms[0].sending.as_deref(), Some("not_paused:main"));
        assert_eq!(w.set(), SendingState { enabled: false, paused_by: vec![] });
        // INSUFFICIENT_DATA keeps a hold; a deleted alarm, or one whose actions are disabled, does not
        let w = world_with_set(true);
        w.alarms.set(A, AlarmState::Alarm);
        w.alarms.set(B, AlarmState::Alarm);
        w.run(&c, &rate(A, "ALARM")).await;
        assert_eq!(w.set().paused_by, [A, B]);
        w.alarms.set(A, AlarmState::InsufficientData);
        w.alarms.delete(B);
        let r = w.run(&c, &rate(A, "OK")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused:main"));
        assert_eq!(w.set(), SendingState { enabled: false, paused_by: vec![A.into()] });
        w.alarms.alarms.lock().unwrap().get_mut(A).unwrap().actions_enabled = false;
        assert_eq!(w.run(&c, &rate(A, "OK")).await.alarms[0].sending.as_deref(), Some("resumed:main"));
        // dry run: reads, reports, writes nothing
        let w = world_with_set(true);
        w.alarms.set(A, AlarmState::Alarm);
        let dry = SuppressorConfig { dry_run: true, ..pause_cfg() };
        assert_eq!(
            w.run(&dry, &rate(A, "ALARM")).await.alarms[0].sending.as_deref(),
            Some("would_pause:main")
        );
        assert!(w.calls().is_empty() && w.store.leases.lock().unwrap().is_empty());
        // an alarm of ours not in PAUSE_ON_ALARMS never reconciles
        let w = world_with_set(true);
        w.alarms.set(A, AlarmState::Alarm);
        assert_eq!(w.run(&c, &gmail("ALARM")).await.alarms[0].sending, None);
        assert!(w.set().enabled);
        // DescribeAlarms failing fails the invocation
        *w.alarms.fail_with.lock().unwrap() = Some("AccessDenied".into());
        assert!(matches!(
            w.try_run(&c, &rate(A, "ALARM"), "2026-11-27T10:00:00Z").await,
            Err(SuppressError::Aws(AwsError { service: "CloudWatch", .. }))
        ));
    }

    #[tokio::test]
    async fn the_sweep_heals_a_lost_notification() {
        let w = world_with_set(true);
        let c = pause_cfg();
        // A went to ALARM but its notification never arrived: the sweep pauses.
        w.alarms.set(A, AlarmState::Alarm);
        let sweep = r#"{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#;
        let r = w.run(&c, sweep).await;
        assert_eq!(r.sweep.unwrap().sending.as_deref(), Some("paused:main"));
        // …and its lost OK: the sweep resumes.
        w.alarms.set(A, AlarmState::Ok);
        assert_eq!(w.run(&c, sweep).await.sweep.unwrap().sending.as_deref(), Some("resumed:main"));
        // No pause alarm exists (so no account for the set's ARN): nothing to do is no error…
        w.alarms.delete(A);
        assert_eq!(w.run(&c, sweep).await.sweep.unwrap().sending.as_deref(), Some("not_paused:main"));
        // …and a tag to clear is, by name of what is missing.
        w.ses.sets.lock().unwrap().get_mut("main").unwrap().paused_by = vec![A.into()];
        let e = w.try_run(&c, sweep, "2026-11-27T10:00:00Z").await.unwrap_err();
        assert!(matches!(e, SuppressError::Config(_)), "{e}");
    }

    /// A lease held by a crashed invocation: the next one waits for it to expire (bounded), and
    /// fails when the wait is shorter than what is left of it.
    #[tokio::test]
    async fn a_held_lease_makes_the_next_reconcile_wait_or_fail() {
        let w = world_with_set(true);
        w.alarms.set(A, AlarmState::Alarm);
        // held by someone else until 2 s from now (DynamoDB compares whole seconds)
        let until = Utc::now() + Duration::seconds(1);
        w.store.leases.lock().unwrap().insert(pause::LEASE_NAME.into(), ("crashed".into(), until));
        let short = SuppressorConfig { lease_wait: std::time::Duration::from_millis(200), ..pause_cfg() };
        let e = w.try_run(&short, &rate(A, "ALARM"), "2026-11-27T10:00:00Z").await.unwrap_err();
        assert!(matches!(e, SuppressError::Busy(_)), "{e}");
        assert!(w.set().enabled, "nothing done without the lease");
        let r = w.run(&pause_cfg(), &rate(A, "ALARM")).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("paused:main"), "the expired lease was taken over");
    }

    /// Concurrent reconciles on the fakes, each alarm's state changing while the reconciles of
    /// the others run (every fake call yields to the scheduler, so tasks interleave between a
    /// read and a write): whatever the interleaving, once all are done sending is paused exactly
    /// when an alarm is in ALARM, and the holders are exactly those alarms. Without the lease this
    /// fails (an OK's resume, decided before the other alarm fired, lands after that alarm's
    /// reconcile).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_reconciles_never_lose_a_holder() {
        let c = std::sync::Arc::new(pause_cfg());
        let mut seed: u64 = 0x5eed;
        let mut next = move || {
            // xorshift: a fixed sequence, so a failure reproduces
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for trial in 0..200u32 {
            let w = std::sync::Arc::new(world_with_set(true));
            let steps: [&[(&str, AlarmState)]; 4] = [
                &[(A, AlarmState::Alarm), (B, AlarmState::Alarm)],
                &[(B, AlarmState::Ok)],
                &[(A, AlarmState::Ok), (B, AlarmState::Alarm)],
                &[(B, AlarmState::Ok), (A, AlarmState::Alarm), (A, AlarmState::Ok)],
            ];
            for step in steps {
                let mut tasks = Vec::new();
                for (name, state) in step {
                    w.alarms.set(name, state.clone());
                    let (w, c) = (w.clone(), c.clone());
                    let payload = rate(name, state.as_str());
                    tasks.push(tokio::spawn(
                        async move { w.try_run(&c, &payload, "2026-11-27T10:00:00Z").await },
                    ));
                    for _ in 0..next() % 6 {
                        tokio::task::yield_now().await;
                    }
                }
                for t in tasks {
                    t.await.unwrap().unwrap();
                }
                let in_alarm: Vec<String> = w
                    .alarms
                    .alarms
                    .lock()
                    .unwrap()
                    .values()
                    .filter(|a| a.state == AlarmState::Alarm)
                    .map(|a| a.name.clone())
                    .collect();
                let set = w.set();
                assert_eq!(
                    set.enabled,
                    in_alarm.is_empty(),
                    "trial {trial}: {set:?} with {in_alarm:?} in ALARM"
                );
                assert_eq!(set.paused_by, in_alarm, "trial {trial}");
            }
        }
    }
}
