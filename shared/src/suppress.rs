//! alarm-suppressor: a CloudWatch alarm → its offenders on the SES suppression list, and pause /
//! resume of sending.
//!
//! On `ALARM`, the alarm's window (state change time − period × evaluation periods, at least
//! `MIN_LOOKBACK_MINUTES`) and scope (its `RecipientDomain` / tag dimensions) select ledger
//! entries; the policy picks offenders (every complaint, every hard bounce, soft bounces ≥
//! `SOFT_BOUNCE_LIMIT` in the window); each goes on the account suppression list, complaints
//! first, at most `MAX_SUPPRESSIONS` per invocation. Alarms in `PAUSE_ON_ALARMS` also pause the
//! configuration set and tag it with their name; on `OK` an alarm removes its name and sending
//! resumes when no alarm of ours holds it any more. A set paused by someone else is never resumed.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::alarm::{AlarmNotice, AlarmState, Scope, parse_alarms};
use crate::config::{ConfigError, TagDimension, parse_bool, parse_list, parse_number, parse_tag_dimensions};
use crate::ledger::{Ledger, LedgerEntry, LedgerError, LedgerQuery, Offence};
use crate::logging::redact;
use crate::sesv2::{ConfigSetRef, SendingControl, SesApiError, SuppressionList, SuppressionReason};

/// Configuration of alarm-suppressor.
#[derive(Debug, Clone)]
pub struct SuppressorConfig {
    /// `ALARM_NAME_PREFIXES`: alarms whose name starts with one of these are ours.
    pub name_prefixes: Vec<String>,
    /// `ALARM_NAMESPACES` (default `Custom/SES,AWS/SES`): alarms on metrics of these are ours.
    pub namespaces: Vec<String>,
    /// `SOFT_BOUNCE_LIMIT` (default 3): soft bounces in the window that make an offender.
    pub soft_bounce_limit: u32,
    /// `MAX_SUPPRESSIONS` (default 500): most addresses suppressed per invocation.
    pub max_suppressions: usize,
    /// `MIN_LOOKBACK_MINUTES` (default 60): the shortest window looked at.
    pub min_lookback: Duration,
    /// `DRY_RUN=true`: report what would be done, change nothing.
    pub dry_run: bool,
    /// `PAUSE_ON_ALARMS`: alarm names that pause sending.
    pub pause_on_alarms: Vec<String>,
    /// `CONFIGURATION_SET`: the set to pause when the alarm has no configuration-set dimension.
    pub configuration_set: Option<String>,
    /// `LEDGER_TABLE`: the offender ledger (required to suppress anything).
    pub ledger_table: Option<String>,
    /// `TAG_DIMENSIONS`, as ses-events has it: default values of tags missing on a message.
    pub tag_dimensions: Vec<TagDimension>,
    /// `SUPPRESSION_CONCURRENCY` (default 4): PutSuppressedDestination calls in flight.
    pub concurrency: usize,
    /// `LOG_RECIPIENTS`.
    pub log_recipients: bool,
}

impl SuppressorConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads through any lookup function.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let namespaces = match get("ALARM_NAMESPACES") {
            Some(v) => parse_list(Some(v)),
            None => vec!["Custom/SES".into(), "AWS/SES".into()],
        };
        Ok(Self {
            name_prefixes: parse_list(get("ALARM_NAME_PREFIXES")),
            namespaces,
            soft_bounce_limit: parse_number("SOFT_BOUNCE_LIMIT", get("SOFT_BOUNCE_LIMIT"), 3, 1..=1000)?,
            max_suppressions: parse_number("MAX_SUPPRESSIONS", get("MAX_SUPPRESSIONS"), 500, 0..=100_000)?
                as usize,
            min_lookback: Duration::minutes(i64::from(parse_number(
                "MIN_LOOKBACK_MINUTES",
                get("MIN_LOOKBACK_MINUTES"),
                60,
                0..=14 * 24 * 60,
            )?)),
            dry_run: parse_bool("DRY_RUN", get("DRY_RUN"))?,
            pause_on_alarms: parse_list(get("PAUSE_ON_ALARMS")),
            configuration_set: get("CONFIGURATION_SET")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            ledger_table: get("LEDGER_TABLE").map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
            tag_dimensions: parse_tag_dimensions(
                get("TAG_DIMENSIONS").as_deref().unwrap_or("EmailType,Campaign"),
            )?,
            concurrency: parse_number("SUPPRESSION_CONCURRENCY", get("SUPPRESSION_CONCURRENCY"), 4, 1..=64)?
                as usize,
            log_recipients: parse_bool("LOG_RECIPIENTS", get("LOG_RECIPIENTS"))?,
        })
    }
}

/// An address to suppress, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offender {
    /// The address.
    pub address: String,
    /// The suppression reason.
    pub reason: SuppressionReason,
    /// What decided it (complaint, hard bounce, or soft bounces over the limit).
    pub because: Offence,
    /// Its ledger entries in the window, to mark as suppressed.
    pub entries: Vec<LedgerEntry>,
}

/// Whether an entry falls in the scope's tag filter (a missing tag has its default value).
fn in_scope(e: &LedgerEntry, scope: &Scope, tags: &[TagDimension]) -> bool {
    if let Some(d) = &scope.recipient_domain
        && !e.dimension.eq_ignore_ascii_case(d)
    {
        return false;
    }
    scope.tags.iter().all(|(k, v)| match e.tags.iter().find(|(ek, _)| ek == k) {
        Some((_, ev)) => ev == v,
        None => tags.iter().find(|t| &t.name == k).is_some_and(|t| &t.default_value == v),
    })
}

/// The offender policy: every complaint, every hard bounce, soft bounces ≥ `soft_limit`; entries
/// already suppressed are left out. Complaints first, then hard bounces, then soft, each oldest
/// first, so a cap keeps what matters most.
pub fn pick_offenders(entries: &[LedgerEntry], scope: &Scope, cfg: &SuppressorConfig) -> Vec<Offender> {
    let mut by_address: BTreeMap<&str, Vec<&LedgerEntry>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.suppressed_at.is_none() && in_scope(e, scope, &cfg.tag_dimensions)) {
        by_address.entry(&e.recipient).or_default().push(e);
    }
    let mut out: Vec<(u8, DateTime<Utc>, Offender)> = Vec::new();
    for (address, es) in by_address {
        let first = |k: Offence| es.iter().filter(|e| e.kind == k).map(|e| e.timestamp).min();
        let soft = es.iter().filter(|e| e.kind == Offence::SoftBounce).count() as u32;
        let (rank, because, reason, at) = if let Some(t) = first(Offence::Complaint) {
            (0, Offence::Complaint, SuppressionReason::Complaint, t)
        } else if let Some(t) = first(Offence::HardBounce) {
            (1, Offence::HardBounce, SuppressionReason::Bounce, t)
        } else if soft >= cfg.soft_bounce_limit {
            (2, Offence::SoftBounce, SuppressionReason::Bounce, first(Offence::SoftBounce).expect("soft > 0"))
        } else {
            continue;
        };
        let entries = es.into_iter().cloned().collect();
        out.push((rank, at, Offender { address: address.to_string(), reason, because, entries }));
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2.address).cmp(&(b.0, b.1, &b.2.address)));
    out.into_iter().map(|(_, _, o)| o).collect()
}

/// What was done for one alarm notice.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AlarmOutcome {
    /// Alarm name.
    pub alarm: String,
    /// Its new state.
    pub state: String,
    /// `suppressed`, `ignored_not_owned`, `no_action_for_state`, `resumed`, …
    pub action: String,
    /// The window read from the ledger (ALARM only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The domain the alarm is about, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_domain: Option<String>,
    /// Tag filter from the alarm's dimensions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// Offenders found, by what decided them.
    pub offenders: BTreeMap<&'static str, usize>,
    /// Addresses put on the suppression list (or that would be, in a dry run), by reason.
    pub suppressed: BTreeMap<&'static str, usize>,
    /// Offenders over `MAX_SUPPRESSIONS`, left for the next notification.
    pub left_over: usize,
    /// Addresses SES refused to put on the list (logged; they do not block the others).
    pub failed: usize,
    /// Nothing was changed.
    pub dry_run: bool,
    /// Pause/resume of the configuration set, when the alarm is in `PAUSE_ON_ALARMS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sending: Option<String>,
}

/// The function's result.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SuppressorResult {
    /// One entry per alarm notice.
    pub alarms: Vec<AlarmOutcome>,
    /// Records that were not alarm notices.
    pub skipped: usize,
    /// Skipped records by reason.
    pub skip_reasons: BTreeMap<&'static str, usize>,
}

/// A failure that must fail the invocation (so Lambda retries and the DLQ catches it).
#[derive(Debug, thiserror::Error)]
pub enum SuppressError {
    /// Reading or marking the ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// An SES call failed.
    #[error(transparent)]
    Ses(#[from] SesApiError),
}

/// The AWS clients alarm-suppressor works with.
pub struct Deps<'a, L, S, C> {
    /// The offender ledger.
    pub ledger: &'a L,
    /// The suppression list.
    pub list: &'a S,
    /// The configuration-set switch.
    pub sending: &'a C,
    /// Partition and region for configuration-set ARNs (from the SDK configuration).
    pub partition: &'a str,
    /// Region of the SES resources.
    pub region: &'a str,
}

/// Handles one invocation payload (SNS, SQS, direct alarm action or EventBridge).
pub async fn handle<L: Ledger, S: SuppressionList, C: SendingControl>(
    cfg: &SuppressorConfig,
    deps: &Deps<'_, L, S, C>,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<SuppressorResult, SuppressError> {
    let mut result = SuppressorResult::default();
    for parsed in parse_alarms(payload) {
        match parsed {
            Err(skip) => {
                result.skipped += 1;
                *result.skip_reasons.entry(skip.reason.as_str()).or_default() += 1;
                tracing::warn!(reason = skip.reason.as_str(), detail = %skip.detail, "not an alarm notice");
            }
            Ok(notice) => result.alarms.push(handle_notice(cfg, deps, &notice, now).await?),
        }
    }
    tracing::info!(result = %serde_json::to_string(&result).unwrap_or_default(), "alarm-suppressor done");
    Ok(result)
}

async fn handle_notice<L: Ledger, S: SuppressionList, C: SendingControl>(
    cfg: &SuppressorConfig,
    deps: &Deps<'_, L, S, C>,
    notice: &AlarmNotice,
    now: DateTime<Utc>,
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
    let scope = notice.scope(&cfg.namespaces);
    out.recipient_domain = scope.recipient_domain.clone();
    out.tags = scope.tags.clone();
    let pauses = cfg.pause_on_alarms.iter().any(|a| a == &notice.name);
    if let Some(by) = &notice.actions_suppressed_by {
        // EventBridge delivers state changes even while the alarm's actions are suppressed
        // (by a suppressor alarm or a wait period): the operator asked for no action.
        tracing::info!(alarm = %notice.name, suppressed_by = %by, "alarm actions are suppressed: no action");
        out.action = "actions_suppressed".into();
        return Ok(out);
    }
    match notice.state {
        AlarmState::Alarm => {
            let (start, change) = notice.window(cfg.min_lookback, now);
            // A minute of grace past the state change (never past now): the state change time may
            // be truncated to the second, and bounces arriving as the alarm fires are the same
            // problem.
            let end = change.max(now.min(change.checked_add_signed(Duration::minutes(1)).unwrap_or(change)));
            out.window = Some((start, end));
            // Pausing first: it is the urgent action, and it must not wait on (or be lost with)
            // a long or failing suppression run.
            if pauses {
                out.sending = Some(pause(cfg, deps, notice, &scope).await?);
            }
            suppress(cfg, deps, &scope, start, end, &mut out, now).await?;
            out.action = "suppressed".into();
        }
        AlarmState::Ok if pauses => {
            out.sending = Some(resume(cfg, deps, notice, &scope).await?);
            out.action = "resumed".into();
        }
        _ => out.action = "no_action_for_state".into(),
    }
    Ok(out)
}

async fn suppress<L: Ledger, S: SuppressionList, C: SendingControl>(
    cfg: &SuppressorConfig,
    deps: &Deps<'_, L, S, C>,
    scope: &Scope,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    out: &mut AlarmOutcome,
    now: DateTime<Utc>,
) -> Result<(), SuppressError> {
    if cfg.ledger_table.is_none() {
        tracing::warn!("no LEDGER_TABLE configured: nobody to suppress");
        return Ok(());
    }
    let query = LedgerQuery { dimension: scope.recipient_domain.clone(), start, end };
    let entries = deps.ledger.query(&query).await?;
    let offenders = pick_offenders(&entries, scope, cfg);
    for o in &offenders {
        *out.offenders.entry(o.because.as_str()).or_default() += 1;
    }
    let take = offenders.len().min(cfg.max_suppressions);
    out.left_over = offenders.len() - take;
    let chosen = &offenders[..take];
    if out.left_over > 0 {
        tracing::warn!(
            left_over = out.left_over,
            cap = cfg.max_suppressions,
            "more offenders than MAX_SUPPRESSIONS"
        );
    }
    for o in chosen {
        *out.suppressed.entry(o.reason.as_str()).or_default() += 1;
        tracing::info!(
            recipient = %redact(&o.address, cfg.log_recipients),
            reason = o.reason.as_str(),
            because = o.because.as_str(),
            dry_run = cfg.dry_run,
            "suppressing"
        );
    }
    if cfg.dry_run || chosen.is_empty() {
        return Ok(());
    }
    // Bounded concurrency, in priority order. What SES accepted is marked even when a batch-mate
    // failed; an address SES refuses outright (a malformed one) is counted and logged and does
    // not block the others; a transient failure (throttling after the SDK's retries, 5xx,
    // network) fails the invocation so Lambda retries it.
    for batch in chosen.chunks(cfg.concurrency.max(1)) {
        let calls = batch.iter().map(|o| deps.list.suppress(&o.address, o.reason));
        let results = futures_util::future::join_all(calls).await;
        let mut marked: Vec<LedgerEntry> = Vec::new();
        let mut transient = None;
        for (o, r) in batch.iter().zip(results) {
            match r {
                Ok(()) => marked.extend(o.entries.iter().cloned()),
                Err(e) if e.transient => transient = transient.or(Some(e)),
                Err(e) => {
                    tracing::warn!(recipient = %redact(&o.address, cfg.log_recipients), error = %e, "SES refused to suppress this address");
                    *out.suppressed.entry(o.reason.as_str()).or_default() -= 1;
                    out.failed += 1;
                }
            }
        }
        deps.ledger.mark_suppressed(&marked, now).await?;
        if let Some(e) = transient {
            return Err(e.into());
        }
    }
    out.suppressed.retain(|_, n| *n > 0);
    Ok(())
}

/// The configuration set an alarm concerns: its dimension, else `CONFIGURATION_SET`.
fn config_set<L, S, C>(
    cfg: &SuppressorConfig,
    deps: &Deps<'_, L, S, C>,
    notice: &AlarmNotice,
    scope: &Scope,
) -> Option<ConfigSetRef> {
    let name = scope.configuration_set.clone().or_else(|| cfg.configuration_set.clone())?;
    // The account is the alarm's (from its ARN when the notice's own field is a placeholder).
    let arn_account = notice.arn.as_deref().and_then(|a| a.split(':').nth(4)).filter(|s| !s.is_empty());
    let account = arn_account.or(notice.account.as_deref()).unwrap_or("000000000000");
    Some(ConfigSetRef::new(deps.partition, deps.region, account, &name))
}

async fn pause<L: Ledger, S: SuppressionList, C: SendingControl>(
    cfg: &SuppressorConfig,
    deps: &Deps<'_, L, S, C>,
    notice: &AlarmNotice,
    scope: &Scope,
) -> Result<String, SuppressError> {
    let Some(set) = config_set(cfg, deps, notice, scope) else {
        tracing::warn!(alarm = %notice.name, "PAUSE_ON_ALARMS names this alarm but no configuration set is known");
        return Ok("no_configuration_set".into());
    };
    let state = deps.sending.state(&set).await?;
    if !state.enabled && state.paused_by.is_empty() {
        tracing::warn!(set = %set.name, "sending already paused by someone else: left alone");
        return Ok(format!("already_paused_elsewhere:{}", set.name));
    }
    if cfg.dry_run {
        return Ok(format!("would_pause:{}", set.name));
    }
    let mut by = state.paused_by.clone();
    if !by.contains(&notice.name) {
        by.push(notice.name.clone());
        // Tag first: if the pause then fails, the retry finds the tag and pauses.
        deps.sending.set_paused_by(&set, &by).await?;
    }
    if state.enabled {
        deps.sending.set_sending(&set, false).await?;
        tracing::warn!(set = %set.name, alarm = %notice.name, "sending paused");
        Ok(format!("paused:{}", set.name))
    } else {
        Ok(format!("already_paused:{}", set.name))
    }
}

async fn resume<L: Ledger, S: SuppressionList, C: SendingControl>(
    cfg: &SuppressorConfig,
    deps: &Deps<'_, L, S, C>,
    notice: &AlarmNotice,
    scope: &Scope,
) -> Result<String, SuppressError> {
    let Some(set) = config_set(cfg, deps, notice, scope) else {
        return Ok("no_configuration_set".into());
    };
    let state = deps.sending.state(&set).await?;
    if !state.paused_by.contains(&notice.name) {
        return Ok(format!("not_paused_by_this_alarm:{}", set.name));
    }
    if cfg.dry_run {
        return Ok(format!("would_resume:{}", set.name));
    }
    let rest: Vec<String> = state.paused_by.iter().filter(|a| **a != notice.name).cloned().collect();
    if rest.is_empty() {
        if !state.enabled {
            deps.sending.set_sending(&set, true).await?;
        }
        deps.sending.set_paused_by(&set, &[]).await?;
        tracing::warn!(set = %set.name, alarm = %notice.name, "sending resumed");
        Ok(format!("resumed:{}", set.name))
    } else {
        deps.sending.set_paused_by(&set, &rest).await?;
        Ok(format!("still_paused_by:{}", rest.join(",")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::MemoryLedger;
    use crate::sesv2::{MemorySes, SendingState};

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
        ]
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
                ("soft3@gmail.com", "BOUNCE", "SoftBounce"),
            ]
        );
        assert_eq!(o[0].entries.len(), 2, "both entries of the address get marked");
        let scope = Scope { recipient_domain: Some("yahoo.com".into()), ..Default::default() };
        assert_eq!(pick_offenders(&mixed(), &scope, &c).len(), 1);
        let scope = Scope { tags: vec![("EmailType".into(), "welcome".into())], ..Default::default() };
        assert!(pick_offenders(&mixed(), &scope, &c).is_empty());
        let scope = Scope { tags: vec![("Campaign".into(), "none".into())], ..Default::default() };
        assert_eq!(pick_offenders(&mixed(), &scope, &c).len(), 4, "missing tag = its default value");
        let mut done = mixed();
        done.iter_mut().for_each(|e| e.suppressed_at = Some(t("2026-11-27T09:40:00Z")));
        assert!(pick_offenders(&done, &Scope::default(), &c).is_empty());
    }

    const ALARM: &str = r#"{"AlarmName":"ses-monitor-gmail-hard-bounces","AWSAccountId":"123456789012",
        "NewStateValue":"ALARM","NewStateReason":"x","StateChangeTime":"2026-11-27T09:45:00.000+0000",
        "Region":"US East (N. Virginia)","AlarmArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:ses-monitor-gmail-hard-bounces",
        "OldStateValue":"OK","Trigger":{"MetricName":"HardBounce","Namespace":"Custom/SES","StatisticType":"Statistic",
        "Statistic":"SUM","Unit":null,"Dimensions":[{"value":"gmail.com","name":"RecipientDomain"}],"Period":300,
        "EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":5.0}}"#;

    async fn run(
        c: &SuppressorConfig,
        ledger: &MemoryLedger,
        ses: &MemorySes,
        payload: &str,
    ) -> SuppressorResult {
        let deps = Deps { ledger, list: ses, sending: ses, partition: "aws", region: "us-east-1" };
        handle(c, &deps, payload, t("2026-11-27T10:00:00Z")).await.unwrap()
    }

    #[tokio::test]
    async fn alarm_suppresses_its_domain_within_cap_and_marks_the_ledger() {
        let ledger = MemoryLedger::default();
        ledger.record(&mixed()).await.unwrap();
        let ses = MemorySes::default();
        let c = cfg(&[("LEDGER_TABLE", "ledger"), ("MAX_SUPPRESSIONS", "2"), ("MIN_LOOKBACK_MINUTES", "60")]);
        let r = run(&c, &ledger, &ses, ALARM).await;
        let a = &r.alarms[0];
        assert_eq!(a.action, "suppressed");
        assert_eq!(a.recipient_domain.as_deref(), Some("gmail.com"));
        assert_eq!(a.window, Some((t("2026-11-27T08:45:00Z"), t("2026-11-27T09:46:00Z"))));
        assert_eq!(a.offenders, BTreeMap::from([("Complaint", 1), ("HardBounce", 1), ("SoftBounce", 1)]));
        assert_eq!(a.suppressed, BTreeMap::from([("COMPLAINT", 1), ("BOUNCE", 1)]));
        assert_eq!(a.left_over, 1);
        assert_eq!(
            *ses.calls.lock().unwrap(),
            ["Suppress both@gmail.com COMPLAINT", "Suppress hard@gmail.com BOUNCE"]
        );
        assert_eq!(ledger.all().iter().filter(|e| e.suppressed_at.is_some()).count(), 3);
        // the next notification takes the rest, and nothing twice
        let r = run(&c, &ledger, &ses, ALARM).await;
        assert_eq!(r.alarms[0].suppressed, BTreeMap::from([("BOUNCE", 1)]));
        assert_eq!(ses.calls.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn dry_run_changes_nothing() {
        let ledger = MemoryLedger::default();
        ledger.record(&mixed()).await.unwrap();
        let ses = MemorySes::default();
        let c = cfg(&[("LEDGER_TABLE", "ledger"), ("DRY_RUN", "true")]);
        let r = run(&c, &ledger, &ses, ALARM).await;
        assert_eq!(r.alarms[0].suppressed.values().sum::<usize>(), 3);
        assert!(r.alarms[0].dry_run);
        assert!(ses.calls.lock().unwrap().is_empty());
        assert!(ledger.all().iter().all(|e| e.suppressed_at.is_none()));
    }

    #[tokio::test]
    async fn alarms_of_others_are_ignored() {
        let ledger = MemoryLedger::default();
        let ses = MemorySes::default();
        let c = cfg(&[("LEDGER_TABLE", "ledger")]);
        let other = ALARM.replace("Custom/SES", "AWS/Lambda");
        let r = run(&c, &ledger, &ses, &other).await;
        assert_eq!(r.alarms[0].action, "ignored_not_owned");
        let r = run(&c, &ledger, &ses, "not json at all").await;
        assert_eq!(r.skipped, 1);
    }

    #[tokio::test]
    async fn pause_and_resume_only_what_we_paused() {
        let ledger = MemoryLedger::default();
        let ses = MemorySes::default();
        ses.sets.lock().unwrap().insert("main".into(), SendingState { enabled: true, paused_by: vec![] });
        let name = "ses-monitor-gmail-hard-bounces";
        let c = cfg(&[("PAUSE_ON_ALARMS", name), ("CONFIGURATION_SET", "main")]);
        let r = run(&c, &ledger, &ses, ALARM).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("paused:main"));
        assert_eq!(
            ses.sets.lock().unwrap()["main"],
            SendingState { enabled: false, paused_by: vec![name.into()] }
        );
        // a repeated ALARM notification changes nothing
        let calls = ses.calls.lock().unwrap().len();
        let r = run(&c, &ledger, &ses, ALARM).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused:main"));
        assert_eq!(ses.calls.lock().unwrap().len(), calls);
        // OK resumes
        let ok = ALARM.replace("\"NewStateValue\":\"ALARM\"", "\"NewStateValue\":\"OK\"");
        let r = run(&c, &ledger, &ses, &ok).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("resumed:main"));
        assert_eq!(ses.sets.lock().unwrap()["main"], SendingState { enabled: true, paused_by: vec![] });
        // paused by hand: neither ALARM nor OK touches it
        ses.sets.lock().unwrap().insert("main".into(), SendingState { enabled: false, paused_by: vec![] });
        let r = run(&c, &ledger, &ses, ALARM).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("already_paused_elsewhere:main"));
        let r = run(&c, &ledger, &ses, &ok).await;
        assert_eq!(r.alarms[0].sending.as_deref(), Some("not_paused_by_this_alarm:main"));
        assert!(!ses.sets.lock().unwrap()["main"].enabled);
    }
}
