//! CloudWatch alarm notifications, read into one normalised [`AlarmNotice`], and the pure
//! computations alarm-suppressor makes on it: the look-back [window](AlarmNotice::window), the
//! [scope](AlarmNotice::scope) (recipient domain, tags, configuration set) and
//! [ownership](AlarmNotice::is_owned).
//!
//! The module: the notice model and its pure window / scope / ownership logic here, the wire
//! types of the three alarm shapes in [`wire`], what a document is in [`parse`] (the transport is
//! [`crate::envelope`]'s).
//!
//! An alarm reaches alarm-suppressor in several shapes, all accepted by [`parse_alarms`]:
//! - an SNS→Lambda event: `Records[].Sns.Message` is the classic alarm JSON as a string
//!   (`AlarmName`, `NewStateValue`, `StateChangeTime`, `Trigger` with either
//!   `MetricName`/`Namespace`/`Dimensions` or, for metric math, `Metrics`); one invocation may
//!   carry several records;
//! - the same alarm JSON in an SQS body (as an SNS envelope when raw delivery is off, bare when it
//!   is on), an SNS envelope on its own (`{"Type":"Notification","Message":…}`), or the bare alarm
//!   JSON;
//! - a direct alarm → Lambda action (`source: aws.cloudwatch`, `alarmData`);
//! - an EventBridge `CloudWatch Alarm State Change` event (`detail` holds what `alarmData` holds).
//!   `CloudWatch Alarm Configuration Change` events are not state changes and are skipped.
//!
//! Each record or message gives one `Result`: a notice, or an [`AlarmSkip`] with a reason code,
//! so a bad record never loses the rest of the invocation and bad input never panics.
//!
//! ## Why our own serde types
//!
//! `aws_lambda_events::cloudwatch_alarms` has types for the direct action only, and they do not
//! fit the samples: `CloudWatchMetricDefinition::metric_stat` is required, so a metric-math alarm
//! (whose expression entries have no `metricStat`) fails (the Powertools sample: "missing field
//! `metricStat`"); `alarm_data` defaults when absent, so an EventBridge event (`detail`) "parses"
//! into an alarm with an empty name instead of being read; `time`, `state.timestamp` and
//! `state.reason` are required, `period` is a `u16` (a one-day period, 86400 s, overflows it),
//! composite configurations require an actions suppressor, and everything is owned. There is no
//! type for the classic SNS alarm JSON at all.
//!
//! So these types ([`wire`]) are borrowed and lenient: every scalar is optional and read from
//! whatever JSON type it comes as ([`crate::lenient`]: `"Period": "60"` works, a placeholder such as `"date"` is
//! kept as text and simply does not parse as a time). The *structure* is not guessed at: a
//! `Trigger` that is not an object or a `Metrics` that is not a list makes the alarm an
//! [`AlarmSkipReason::InvalidAlarm`], because dropping a metric definition silently would widen
//! the scope of what the suppressor acts on.

pub mod states;

use std::fmt;

use chrono::{DateTime, Duration, TimeDelta, Utc};

use crate::metrics::RECIPIENT_DOMAIN;

pub mod parse;
pub mod wire;

pub use parse::{AlarmDocuments, parse_alarms, parse_notifications};

/// The period assumed by [`AlarmNotice::window`] when the notification names none (seconds).
pub const DEFAULT_PERIOD_S: u64 = 300;

/// The number of evaluation periods assumed by [`AlarmNotice::window`] when the notification
/// names none. Direct alarm actions and EventBridge state-change events never carry it.
pub const DEFAULT_EVALUATION_PERIODS: u32 = 1;

/// The longest window an alarm's offenders are looked for in: the ledger's longest TTL
/// (`LEDGER_TTL_DAYS` is at most 365).
pub const MAX_WINDOW_DAYS: i64 = 365;

/// Dimension names read as the SES configuration set by [`AlarmNotice::scope`].
pub const CONFIGURATION_SET_DIMENSIONS: [&str; 2] = ["ses:configuration-set", "ConfigurationSet"];

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// Why a record or message gave no alarm notice. The code (`as_str`) appears in logs and results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlarmSkipReason {
    /// Not JSON, or broken JSON.
    InvalidJson,
    /// JSON, but not a CloudWatch alarm in any known shape (another EventBridge event, an SES
    /// event, a record from another service…).
    NotAnAlarm,
    /// An SNS message or SQS body that is plain text, not JSON.
    PlainTextMessage,
    /// SNS `SubscriptionConfirmation` / `UnsubscribeConfirmation` (benign).
    SnsControlMessage,
    /// An SNS record or envelope without a `Message`.
    MissingMessage,
    /// An alarm event that is not a state change (EventBridge `CloudWatch Alarm Configuration
    /// Change`: an alarm was created, updated or deleted; benign).
    NotAStateChange,
    /// An alarm whose structure is unusable: no name, no state value, or a `Trigger` /
    /// `configuration` / metric list of the wrong JSON type.
    InvalidAlarm,
}

impl AlarmSkipReason {
    /// Stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::NotAnAlarm => "not_an_alarm",
            Self::PlainTextMessage => "plain_text_message",
            Self::SnsControlMessage => "sns_control_message",
            Self::MissingMessage => "missing_sns_message",
            Self::NotAStateChange => "not_a_state_change",
            Self::InvalidAlarm => "invalid_alarm",
        }
    }

    /// Whether this is bad input (worth an error log, and a retry / dead-letter queue for an SQS
    /// record) rather than an expected non-alarm that is acknowledged.
    pub fn is_bad_input(self) -> bool {
        !matches!(self, Self::SnsControlMessage | Self::NotAStateChange)
    }
}

impl fmt::Display for AlarmSkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record or message that gave no alarm notice, with a reason and a short detail for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct AlarmSkip {
    /// The reason code.
    pub reason: AlarmSkipReason,
    /// A short human explanation.
    pub detail: String,
}

impl AlarmSkip {
    /// A skip with a detail text.
    pub fn new(reason: AlarmSkipReason, detail: impl Into<String>) -> Self {
        Self { reason, detail: detail.into() }
    }
}

/// An alarm state (`ALARM`, `OK`, `INSUFFICIENT_DATA`, or something this version does not know).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AlarmState {
    /// `ALARM`.
    Alarm,
    /// `OK`.
    Ok,
    /// `INSUFFICIENT_DATA`.
    InsufficientData,
    /// Any other value, as given (trimmed).
    Other(String),
}

impl AlarmState {
    /// Reads a state value; case and surrounding spaces are ignored.
    pub fn parse(s: &str) -> Self {
        let t = s.trim();
        if t.eq_ignore_ascii_case("ALARM") {
            Self::Alarm
        } else if t.eq_ignore_ascii_case("OK") {
            Self::Ok
        } else if t.eq_ignore_ascii_case("INSUFFICIENT_DATA") {
            Self::InsufficientData
        } else {
            Self::Other(t.to_owned())
        }
    }

    /// The CloudWatch spelling (`ALARM`, `OK`, `INSUFFICIENT_DATA`, or the unknown value).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Alarm => "ALARM",
            Self::Ok => "OK",
            Self::InsufficientData => "INSUFFICIENT_DATA",
            Self::Other(s) => s,
        }
    }
}

impl fmt::Display for AlarmState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which alarm format a notice was read from (whatever transport carried it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlarmFormat {
    /// The classic alarm JSON an SNS alarm action publishes (`AlarmName`, `Trigger`), delivered by
    /// SNS→Lambda, in an SQS body, or bare.
    SnsNotification,
    /// A direct alarm → Lambda action (`alarmData`).
    LambdaAction,
    /// An EventBridge `CloudWatch Alarm State Change` event (`detail`).
    EventBridge,
}

/// One metric an alarm watches (a single-metric alarm's metric, or a `MetricStat` entry of a
/// metric-math alarm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmMetric {
    /// The metric-math id (`m1`), when the alarm uses metric math or the action names one.
    pub id: Option<String>,
    /// The CloudWatch namespace, if given.
    pub namespace: Option<String>,
    /// The metric name (empty if the notification names none).
    pub name: String,
    /// The dimensions, in the order given (name, value).
    pub dimensions: Vec<(String, String)>,
    /// The metric's period in seconds, if given and positive.
    pub period_s: Option<u64>,
    /// The statistic (`Average`, `Sum`, `p99`…; SNS single-metric alarms spell it `AVERAGE`).
    pub stat: Option<String>,
}

/// An alarm notification in one normalised form, whatever shape it arrived in.
///
/// Text fields are kept as given (trimmed; empty → `None`): the samples AWS and SDKs publish
/// carry placeholders (`EXAMPLE`, `<region-name-full:1>`, `REGION:ACCOUNT_NUMBER`), which are kept,
/// not rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmNotice {
    /// The alarm name.
    pub name: String,
    /// The alarm ARN (`AlarmArn`, `alarmArn`, or an EventBridge event's first resource).
    pub arn: Option<String>,
    /// The AWS account id as the notification gives it.
    pub account: Option<String>,
    /// The region as the notification gives it. SNS notifications carry the long name
    /// (`US East (N. Virginia)`); direct actions and EventBridge events carry the code.
    pub region: Option<String>,
    /// The alarm description.
    pub description: Option<String>,
    /// The new state.
    pub state: AlarmState,
    /// The previous state, if given.
    pub previous_state: Option<AlarmState>,
    /// When the state changed: `StateChangeTime`, or the state's `timestamp` (falling back to the
    /// event's `time`). `None` when absent or unparsable (see [`crate::time::parse_cloudwatch`] for what is read).
    pub state_change_time: Option<DateTime<Utc>>,
    /// The state reason text.
    pub reason: Option<String>,
    /// The metrics watched (empty for composite alarms and pure-expression alarms).
    pub metrics: Vec<AlarmMetric>,
    /// The metric-math expressions (`m1/m2`, `SUM(METRICS())`, `ANOMALY_DETECTION_BAND(m1, 0.8)`).
    pub expressions: Vec<String>,
    /// The alarm's period in seconds: `Trigger.Period`, else the first metric's period.
    pub period_s: Option<u64>,
    /// The number of evaluation periods, when the notification gives it (SNS notifications do;
    /// direct actions and EventBridge state-change events do not).
    pub evaluation_periods: Option<u32>,
    /// Datapoints to alarm (M of "M out of N"), when given.
    pub datapoints_to_alarm: Option<u32>,
    /// A composite alarm: it has an alarm rule, or no metric definitions at all.
    pub composite: bool,
    /// The composite alarm rule, if any.
    pub alarm_rule: Option<String>,
    /// Set when the alarm's actions were suppressed (`state.actionsSuppressedBy`, e.g.
    /// `WaitPeriod`, `ExtensionPeriod`, `Alarm`): EventBridge still delivers such state changes.
    pub actions_suppressed_by: Option<String>,
    /// The format it was read from.
    pub format: AlarmFormat,
}

/// Something alarm-suppressor acts on, read by [`parse_notifications`].
#[derive(Debug, Clone, PartialEq)]
pub enum Notification {
    /// A CloudWatch alarm state change.
    Alarm(AlarmNotice),
    /// SES changed a sending status (EventBridge `Sending Status Enabled` / `Disabled`).
    SendingStatus(SendingStatusEvent),
    /// An EventBridge `Scheduled Event`: the periodic sweep (pending suppressions, pause state).
    Sweep(ScheduledEvent),
}

/// An SES sending-status event, as EventBridge publishes it (source `aws.ses`, detail-type
/// `Sending Status Enabled` or `Sending Status Disabled`): SES (or someone through its API)
/// enabled or paused sending of the resource in `resources` (a tenant in AWS's documented
/// example). The template routes these to the alarm topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingStatusEvent {
    /// `true` for `Sending Status Enabled`.
    pub enabled: bool,
    /// `detail.data.record.status` (`ENABLED`, `DISABLED`, `REINSTATED`), else `ENABLED` /
    /// `DISABLED` from the detail-type.
    pub status: String,
    /// The ARNs concerned (`resources`).
    pub resources: Vec<String>,
    /// Who changed it: `detail.data.origin` (`AWS_MANAGED`, `CUSTOMER_MANAGED`).
    pub origin: Option<String>,
    /// Why: `detail.data.record.cause`.
    pub cause: Option<String>,
    /// The event's `time`.
    pub time: Option<DateTime<Utc>>,
    /// The event's `id` (stable across redeliveries).
    pub id: Option<String>,
    /// The account.
    pub account: Option<String>,
    /// The region.
    pub region: Option<String>,
}

/// An EventBridge `Scheduled Event` (the sweep's trigger).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduledEvent {
    /// The event's `time`, when it parses.
    pub time: Option<DateTime<Utc>>,
    /// The schedule rule's ARN (`resources[0]`), if given.
    pub rule: Option<String>,
}

/// What an alarm is about, for choosing offenders: the recipient domains, tag values and
/// configuration set its metrics are restricted to. Empty / `None` means "all".
///
/// A metric-math alarm over several metrics is about the *union* of what its metrics watch: an
/// alarm over yahoo.com and aol.com is about those two domains (never about gmail.com).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// The `RecipientDomain` dimension values (lower-cased, sorted, no duplicates) of the
    /// considered metrics that carry the dimension; empty = every domain.
    pub recipient_domains: Vec<String>,
    /// Every other dimension (name, its values sorted without duplicates), names in first-seen
    /// order. An entry matches when its tag has one of the values.
    pub tags: Vec<(String, Vec<String>)>,
    /// The `ses:configuration-set` / `ConfigurationSet` dimension value, when unambiguous.
    pub configuration_set: Option<String>,
}

impl Scope {
    /// Whether the scope restricts nothing (every domain, tag and configuration set).
    pub fn is_all(&self) -> bool {
        self.recipient_domains.is_empty() && self.tags.is_empty() && self.configuration_set.is_none()
    }
}

impl AlarmNotice {
    /// The time window the alarm looked at, `(start, end)`.
    ///
    /// `end` is the state change time, or `now` when the notification has none that parses.
    /// `start` is `end − period × evaluation periods` (defaults [`DEFAULT_PERIOD_S`] and
    /// [`DEFAULT_EVALUATION_PERIODS`] when absent), but at least `min_lookback` before `end` (a
    /// negative `min_lookback` counts as zero), and at most [`MAX_WINDOW_DAYS`] (the ledger keeps
    /// nothing older; a forged period × evaluations would otherwise query day after day for
    /// ever). A state change more than a few minutes in the future counts as `now`.
    pub fn window(&self, min_lookback: Duration, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = self.state_change_time.filter(|t| *t <= now + Duration::minutes(5)).unwrap_or(now);
        let period = self.period_s.filter(|p| *p > 0).unwrap_or(DEFAULT_PERIOD_S);
        let evals = self.evaluation_periods.filter(|e| *e > 0).unwrap_or(DEFAULT_EVALUATION_PERIODS);
        let secs = period.saturating_mul(u64::from(evals));
        let span = i64::try_from(secs).ok().and_then(TimeDelta::try_seconds).unwrap_or(TimeDelta::MAX);
        let span = span.max(min_lookback).min(Duration::days(MAX_WINDOW_DAYS));
        let start = end.checked_sub_signed(span).unwrap_or(DateTime::<Utc>::MIN_UTC);
        (start, end)
    }

    /// The alarm's scope, from the dimensions of its metrics in `namespaces` (all metrics when
    /// `namespaces` is empty; pass the namespaces whose dimensions mean recipient domain / tag /
    /// configuration set, e.g. `Custom/SES`, so that an `InstanceId` on an `AWS/EC2` metric is
    /// not taken for a tag).
    ///
    /// `RecipientDomain` gives the domains, `ses:configuration-set` or `ConfigurationSet` the
    /// configuration set, any other dimension a tag filter. Where metrics give a dimension
    /// different values (a metric-math alarm over `m1` on yahoo.com and `m2` on aol.com), the
    /// scope is their union. A metric that lacks the dimension (a total, e.g. the denominator of
    /// a rate) does not lift the restriction. The configuration set needs one value: two
    /// different ones give none. Composite alarms and alarms with no metric in `namespaces` have
    /// the scope "all".
    pub fn scope(&self, namespaces: &[String]) -> Scope {
        // (dimension name, its values in first-seen order)
        let mut seen: Vec<(&str, Vec<&str>)> = Vec::new();
        for m in self.metrics.iter().filter(|m| in_namespaces(m, namespaces)) {
            for (k, v) in &m.dimensions {
                match seen.iter_mut().find(|(sk, _)| sk == k) {
                    Some((_, values)) if !values.contains(&v.as_str()) => values.push(v),
                    Some(_) => {}
                    None => seen.push((k, vec![v])),
                }
            }
        }
        let mut scope = Scope::default();
        // The two configuration-set spellings together must give one value.
        let mut config_sets: Vec<&str> = Vec::new();
        for (k, values) in seen {
            if k == RECIPIENT_DOMAIN {
                scope.recipient_domains = sorted(values.iter().map(|v| v.to_ascii_lowercase()));
            } else if CONFIGURATION_SET_DIMENSIONS.contains(&k) {
                for v in values {
                    if !config_sets.contains(&v) {
                        config_sets.push(v);
                    }
                }
            } else {
                scope.tags.push((k.to_owned(), sorted(values.iter().map(|v| v.to_string()))));
            }
        }
        if let [one] = config_sets.as_slice() {
            scope.configuration_set = Some(one.to_string());
        }
        scope
    }

    /// Whether alarm-suppressor owns this alarm: its name starts with one of `name_prefixes`
    /// (when any are configured) or one of its metrics is in `namespaces` (when any are
    /// configured). With both lists empty every alarm is owned. A composite alarm has no
    /// metrics, so only a name prefix can make it owned.
    pub fn is_owned(&self, name_prefixes: &[String], namespaces: &[String]) -> bool {
        if name_prefixes.is_empty() && namespaces.is_empty() {
            return true;
        }
        name_prefixes.iter().any(|p| self.name.starts_with(p.as_str()))
            || (!namespaces.is_empty() && self.metrics.iter().any(|m| in_namespaces(m, namespaces)))
    }
}

fn sorted(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = values.collect();
    v.sort();
    v.dedup();
    v
}

fn in_namespaces(m: &AlarmMetric, namespaces: &[String]) -> bool {
    namespaces.is_empty() || m.namespace.as_deref().is_some_and(|ns| namespaces.iter().any(|n| n == ns))
}

#[cfg(test)]
mod tests;
