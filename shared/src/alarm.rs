//! CloudWatch alarm notifications, read into one normalised [`AlarmNotice`], and the pure
//! computations alarm-suppressor makes on it: the look-back [window](AlarmNotice::window), the
//! [scope](AlarmNotice::scope) (recipient domain, tags, configuration set) and
//! [ownership](AlarmNotice::is_owned).
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
//! So these types are borrowed and lenient: every scalar is optional and read from whatever JSON
//! type it comes as (`Text`, `Num`: `"Period": "60"` works, a placeholder such as `"date"` is
//! kept as text and simply does not parse as a time). The *structure* is not guessed at: a
//! `Trigger` that is not an object or a `Metrics` that is not a list makes the alarm an
//! [`AlarmSkipReason::InvalidAlarm`], because dropping a metric definition silently would widen
//! the scope of what the suppressor acts on.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Duration, TimeDelta, Utc};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::envelope::{self, Contents, Keys};
use crate::metrics::RECIPIENT_DOMAIN;

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
    /// event's `time`). `None` when absent or unparsable (see [`parse_time`] for what is read).
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

/// Parses a CloudWatch timestamp leniently: RFC 3339 (`Z` or `+00:00`), the `+0000` offsets
/// CloudWatch writes, a space instead of `T`, and stray spaces after colons
/// (`2023-08-04T12: 36: 15.490+0000`, as in samples copied from a badly rendered page). Anything
/// else (including placeholders such as `date`) is `None`.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let mut cleaned = String::with_capacity(s.len());
    let mut after_colon = false;
    for c in s.trim().chars() {
        if after_colon && c.is_whitespace() {
            continue;
        }
        after_colon = c == ':';
        cleaned.push(c);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&cleaned) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"]
        .iter()
        .find_map(|f| DateTime::parse_from_str(&cleaned, f).ok())
        .map(|t| t.with_timezone(&Utc))
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// Reads one invocation payload into alarm notices: one `Result` per SNS/SQS record, or one for a
/// payload that is not a Lambda records event. Accepts a UTF-8 BOM and surrounding whitespace.
/// Never panics. The other [`Notification`]s (SES sending-status events, scheduled sweeps) are
/// skips here ([`AlarmSkipReason::NotAnAlarm`]); [`parse_notifications`] reads them.
pub fn parse_alarms(payload: &str) -> Vec<Result<AlarmNotice, AlarmSkip>> {
    parse_notifications(payload)
        .into_iter()
        .map(|r| match r? {
            Notification::Alarm(n) => Ok(n),
            Notification::SendingStatus(_) => {
                Err(skip(AlarmSkipReason::NotAnAlarm, "SES sending-status event, not an alarm"))
            }
            Notification::Sweep(_) => Err(skip(AlarmSkipReason::NotAnAlarm, "scheduled event, not an alarm")),
        })
        .collect()
}

/// Reads one invocation payload into everything alarm-suppressor acts on: alarm notices, SES
/// sending-status events (through the alarm topic, from the template's EventBridge rule) and
/// scheduled events (the sweep). One `Result` per SNS/SQS record, as [`parse_alarms`]. The
/// transport (SNS, SQS, invocation records, BOM) is [`envelope::read`]'s; what a document is,
/// [`AlarmDocuments`] says.
pub fn parse_notifications(payload: &str) -> Vec<Result<Notification, AlarmSkip>> {
    let mut units = Vec::new();
    envelope::read::<AlarmDocuments>(payload, &mut units);
    units.into_iter().map(|u| document(&u.content?)).collect()
}

/// The documents alarm-suppressor reads out of its payloads with [`envelope::read`]: the
/// classic alarm JSON (`AlarmName`), a direct alarm action (`alarmData`) and EventBridge events
/// (`detail`, `detail-type`: alarm state changes, SES sending status, scheduled events).
#[derive(Debug, Clone, Copy)]
pub struct AlarmDocuments;

impl Contents for AlarmDocuments {
    fn is_own(keys: &Keys<'_>) -> bool {
        keys.alarm || keys.event_bridge
    }

    fn other<'a>(_: &Keys<'a>) -> Result<&'a str, envelope::Skip> {
        Err(envelope::Skip::new(
            envelope::SkipReason::UnrecognisedPayload,
            "no AlarmName, alarmData, EventBridge detail or SNS Message",
        ))
    }
}

impl From<envelope::Skip> for AlarmSkip {
    fn from(s: envelope::Skip) -> Self {
        use envelope::SkipReason as T;
        let reason = match s.reason {
            T::InvalidJson => AlarmSkipReason::InvalidJson,
            T::UnrecognisedPayload => AlarmSkipReason::NotAnAlarm,
            T::MissingMessage => AlarmSkipReason::MissingMessage,
            T::PlainTextMessage | T::SesTopicValidated => AlarmSkipReason::PlainTextMessage,
            T::SnsControlMessage => AlarmSkipReason::SnsControlMessage,
        };
        Self { reason, detail: s.detail }
    }
}

fn skip(reason: AlarmSkipReason, detail: impl Into<String>) -> AlarmSkip {
    AlarmSkip::new(reason, detail)
}

fn invalid(detail: impl Into<String>) -> AlarmSkip {
    AlarmSkip::new(AlarmSkipReason::InvalidAlarm, detail)
}

/// The keys that tell the alarm documents apart; everything else is ignored.
#[derive(Deserialize)]
struct Probe<'a> {
    #[serde(rename = "AlarmName", default)]
    alarm_name: Option<IgnoredAny>,
    #[serde(rename = "alarmData", default)]
    alarm_data: Option<IgnoredAny>,
    #[serde(default)]
    detail: Option<IgnoredAny>,
    #[serde(rename = "detail-type", alias = "detailType", borrow, default)]
    detail_type: Text<'a>,
    #[serde(borrow, default)]
    source: Text<'a>,
}

/// What one document the envelope reader found is.
fn document(text: &str) -> Result<Notification, AlarmSkip> {
    let probe: Probe<'_> = serde_json::from_str(text).map_err(|e| {
        if e.is_data() {
            // Valid JSON of another shape: not an object…
            skip(AlarmSkipReason::NotAnAlarm, format!("JSON of an unexpected shape: {e}"))
        } else {
            skip(AlarmSkipReason::InvalidJson, e.to_string())
        }
    })?;
    if probe.alarm_name.is_some() {
        let alarm: SnsAlarm<'_> =
            serde_json::from_str(text).map_err(|e| invalid(format!("alarm notification: {e}")))?;
        return alarm.into_notice().map(Notification::Alarm);
    }
    if probe.alarm_data.is_some() {
        return event_notice(text, AlarmFormat::LambdaAction).map(Notification::Alarm);
    }
    let detail_type = probe.detail_type.get();
    if probe.detail.is_some() || detail_type.is_some() {
        let dt = detail_type.unwrap_or("");
        if dt.eq_ignore_ascii_case("CloudWatch Alarm State Change") {
            return event_notice(text, AlarmFormat::EventBridge).map(Notification::Alarm);
        }
        if probe.source.get() == Some("aws.ses")
            && let Some(enabled) = sending_status_type(dt)
        {
            return sending_status_event(text, enabled).map(Notification::SendingStatus);
        }
        if dt.eq_ignore_ascii_case("Scheduled Event") {
            return Ok(Notification::Sweep(ScheduledEvent::read(text)));
        }
        if dt.eq_ignore_ascii_case("CloudWatch Alarm Configuration Change") {
            return Err(skip(
                AlarmSkipReason::NotAStateChange,
                "EventBridge alarm configuration change (create/update/delete), not a state change",
            ));
        }
        return Err(skip(
            AlarmSkipReason::NotAnAlarm,
            format!("EventBridge event {dt:?} from {}", probe.source.get().unwrap_or("an unknown source")),
        ));
    }
    Err(skip(AlarmSkipReason::NotAnAlarm, "no AlarmName, alarmData or EventBridge detail"))
}

// --- the classic SNS alarm JSON --------------------------------------------------------------

/// The alarm JSON an SNS alarm action publishes.
#[derive(Deserialize)]
struct SnsAlarm<'a> {
    #[serde(rename = "AlarmName", borrow, default)]
    name: Text<'a>,
    #[serde(rename = "AlarmDescription", borrow, default)]
    description: Text<'a>,
    #[serde(rename = "AWSAccountId", borrow, default)]
    account: Text<'a>,
    #[serde(rename = "NewStateValue", borrow, default)]
    new_state: Text<'a>,
    #[serde(rename = "NewStateReason", borrow, default)]
    reason: Text<'a>,
    #[serde(rename = "StateChangeTime", borrow, default)]
    state_change_time: Text<'a>,
    #[serde(rename = "Region", borrow, default)]
    region: Text<'a>,
    #[serde(rename = "AlarmArn", borrow, default)]
    arn: Text<'a>,
    #[serde(rename = "OldStateValue", borrow, default)]
    old_state: Text<'a>,
    #[serde(rename = "AlarmRule", borrow, default)]
    alarm_rule: Text<'a>,
    #[serde(rename = "Trigger", borrow, default)]
    trigger: Option<Trigger<'a>>,
}

/// `Trigger`: a single metric (`MetricName`…) or metric math (`Metrics`).
#[derive(Deserialize)]
struct Trigger<'a> {
    #[serde(rename = "MetricName", borrow, default)]
    metric_name: Text<'a>,
    #[serde(rename = "Namespace", borrow, default)]
    namespace: Text<'a>,
    #[serde(rename = "Statistic", borrow, default)]
    statistic: Text<'a>,
    #[serde(rename = "ExtendedStatistic", borrow, default)]
    extended_statistic: Text<'a>,
    #[serde(rename = "Dimensions", default)]
    dimensions: Dims,
    #[serde(rename = "Period", default)]
    period: Num,
    #[serde(rename = "EvaluationPeriods", default)]
    evaluation_periods: Num,
    #[serde(rename = "DatapointsToAlarm", default)]
    datapoints_to_alarm: Num,
    #[serde(rename = "Metrics", borrow, default)]
    metrics: Option<Vec<MetricDef<'a>>>,
}

/// A metric-math entry, in either spelling: the SNS message's `Trigger.Metrics` (PascalCase,
/// `MetricName`) and the alarm action's / EventBridge `configuration.metrics` (camelCase, `name`).
#[derive(Deserialize)]
struct MetricDef<'a> {
    #[serde(alias = "Id", borrow, default)]
    id: Text<'a>,
    #[serde(alias = "Expression", borrow, default)]
    expression: Text<'a>,
    #[serde(rename = "metricStat", alias = "MetricStat", borrow, default)]
    metric_stat: Option<MetricDefStat<'a>>,
}

#[derive(Deserialize)]
struct MetricDefStat<'a> {
    #[serde(alias = "Metric", borrow, default)]
    metric: Option<MetricDefRef<'a>>,
    #[serde(alias = "Period", default)]
    period: Num,
    #[serde(alias = "Stat", borrow, default)]
    stat: Text<'a>,
}

#[derive(Deserialize, Default)]
struct MetricDefRef<'a> {
    #[serde(alias = "Namespace", borrow, default)]
    namespace: Text<'a>,
    #[serde(alias = "MetricName", borrow, default)]
    name: Text<'a>,
    #[serde(alias = "Dimensions", default)]
    dimensions: Dims,
}

/// Splits metric-math entries into the metrics they read and their expressions.
fn collect_metrics(
    defs: Option<Vec<MetricDef<'_>>>,
    metrics: &mut Vec<AlarmMetric>,
    expressions: &mut Vec<String>,
) {
    for m in defs.into_iter().flatten() {
        if let Some(e) = m.expression.owned() {
            expressions.push(e);
        }
        if let Some(stat) = m.metric_stat {
            let metric = stat.metric.unwrap_or_default();
            metrics.push(AlarmMetric {
                id: m.id.owned(),
                namespace: metric.namespace.owned(),
                name: metric.name.owned().unwrap_or_default(),
                dimensions: metric.dimensions.0,
                period_s: stat.period.positive_u64(),
                stat: stat.stat.owned(),
            });
        }
    }
}

impl SnsAlarm<'_> {
    fn into_notice(self) -> Result<AlarmNotice, AlarmSkip> {
        let name = self.name.owned().ok_or_else(|| invalid("no AlarmName"))?;
        let state = self
            .new_state
            .get()
            .map(AlarmState::parse)
            .ok_or_else(|| invalid(format!("alarm {name:?} has no NewStateValue")))?;
        let mut metrics = Vec::new();
        let mut expressions = Vec::new();
        let (mut period_s, mut evaluation_periods, mut datapoints_to_alarm) = (None, None, None);
        if let Some(t) = self.trigger {
            collect_metrics(t.metrics, &mut metrics, &mut expressions);
            if metrics.is_empty()
                && expressions.is_empty()
                && let Some(metric_name) = t.metric_name.owned()
            {
                metrics.push(AlarmMetric {
                    id: None,
                    namespace: t.namespace.owned(),
                    name: metric_name,
                    dimensions: t.dimensions.0,
                    period_s: t.period.positive_u64(),
                    stat: t.statistic.owned().or_else(|| t.extended_statistic.owned()),
                });
            }
            period_s = t.period.positive_u64();
            evaluation_periods = t.evaluation_periods.positive_u32();
            datapoints_to_alarm = t.datapoints_to_alarm.positive_u32();
        }
        let period_s = period_s.or_else(|| metrics.iter().find_map(|m| m.period_s));
        let alarm_rule = self.alarm_rule.owned();
        Ok(AlarmNotice {
            composite: alarm_rule.is_some() || (metrics.is_empty() && expressions.is_empty()),
            name,
            arn: self.arn.owned(),
            account: self.account.owned(),
            region: self.region.owned(),
            description: self.description.owned(),
            state,
            previous_state: self.old_state.get().map(AlarmState::parse),
            state_change_time: self.state_change_time.get().and_then(parse_time),
            reason: self.reason.owned(),
            metrics,
            expressions,
            period_s,
            evaluation_periods,
            datapoints_to_alarm,
            alarm_rule,
            actions_suppressed_by: None,
            format: AlarmFormat::SnsNotification,
        })
    }
}

// --- direct alarm action and EventBridge ------------------------------------------------------

/// A direct alarm → Lambda action or an EventBridge alarm event; the alarm itself is in
/// `alarmData` (action) or `detail` (EventBridge).
#[derive(Deserialize)]
struct AlarmEvent<'a> {
    #[serde(rename = "alarmArn", borrow, default)]
    alarm_arn: Text<'a>,
    #[serde(rename = "accountId", borrow, default)]
    account_id: Text<'a>,
    #[serde(borrow, default)]
    account: Text<'a>,
    #[serde(borrow, default)]
    region: Text<'a>,
    #[serde(borrow, default)]
    time: Text<'a>,
    #[serde(borrow, default)]
    resources: Option<Vec<Text<'a>>>,
    #[serde(rename = "alarmData", borrow, default)]
    alarm_data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct AlarmData<'a> {
    #[serde(rename = "alarmName", borrow, default)]
    alarm_name: Text<'a>,
    #[serde(borrow, default)]
    state: Option<StateData<'a>>,
    #[serde(rename = "previousState", borrow, default)]
    previous_state: Option<StateData<'a>>,
    #[serde(borrow, default)]
    configuration: Option<Configuration<'a>>,
}

#[derive(Deserialize)]
struct StateData<'a> {
    #[serde(borrow, default)]
    value: Text<'a>,
    #[serde(borrow, default)]
    reason: Text<'a>,
    #[serde(borrow, default)]
    timestamp: Text<'a>,
    #[serde(rename = "actionsSuppressedBy", borrow, default)]
    actions_suppressed_by: Text<'a>,
}

#[derive(Deserialize)]
struct Configuration<'a> {
    #[serde(borrow, default)]
    description: Text<'a>,
    #[serde(rename = "alarmRule", borrow, default)]
    alarm_rule: Text<'a>,
    #[serde(borrow, default)]
    metrics: Option<Vec<MetricDef<'a>>>,
    #[serde(rename = "evaluationPeriods", default)]
    evaluation_periods: Num,
    #[serde(rename = "datapointsToAlarm", default)]
    datapoints_to_alarm: Num,
}

fn event_notice(text: &str, format: AlarmFormat) -> Result<AlarmNotice, AlarmSkip> {
    let member = match format {
        AlarmFormat::EventBridge => "detail",
        _ => "alarmData",
    };
    let ev: AlarmEvent<'_> = serde_json::from_str(text).map_err(|e| invalid(format!("alarm event: {e}")))?;
    let raw = match format {
        AlarmFormat::EventBridge => ev.detail,
        _ => ev.alarm_data,
    }
    .ok_or_else(|| invalid(format!("alarm event with null {member}")))?;
    let data: AlarmData<'_> =
        serde_json::from_str(raw.get()).map_err(|e| invalid(format!("{member}: {e}")))?;
    let name = data.alarm_name.owned().ok_or_else(|| invalid(format!("{member} without alarmName")))?;
    let state_data = data.state.ok_or_else(|| invalid(format!("alarm {name:?} has no state")))?;
    let state = state_data
        .value
        .get()
        .map(AlarmState::parse)
        .ok_or_else(|| invalid(format!("alarm {name:?} has no state.value")))?;
    let state_change_time =
        state_data.timestamp.get().and_then(parse_time).or_else(|| ev.time.get().and_then(parse_time));
    let mut metrics = Vec::new();
    let mut expressions = Vec::new();
    let (mut description, mut alarm_rule) = (None, None);
    let (mut evaluation_periods, mut datapoints_to_alarm) = (None, None);
    if let Some(cfg) = data.configuration {
        collect_metrics(cfg.metrics, &mut metrics, &mut expressions);
        description = cfg.description.owned();
        alarm_rule = cfg.alarm_rule.owned();
        evaluation_periods = cfg.evaluation_periods.positive_u32();
        datapoints_to_alarm = cfg.datapoints_to_alarm.positive_u32();
    }
    let arn =
        ev.alarm_arn.owned().or_else(|| ev.resources.as_ref().and_then(|r| r.iter().find_map(Text::owned)));
    Ok(AlarmNotice {
        composite: alarm_rule.is_some() || (metrics.is_empty() && expressions.is_empty()),
        period_s: metrics.iter().find_map(|m| m.period_s),
        name,
        arn,
        account: ev.account_id.owned().or_else(|| ev.account.owned()),
        region: ev.region.owned(),
        description,
        state,
        previous_state: data.previous_state.and_then(|p| p.value.get().map(AlarmState::parse)),
        state_change_time,
        reason: state_data.reason.owned(),
        metrics,
        expressions,
        evaluation_periods,
        datapoints_to_alarm,
        alarm_rule,
        actions_suppressed_by: state_data.actions_suppressed_by.owned(),
        format,
    })
}

// --- SES sending-status events and scheduled events ------------------------------------------

/// `Some(enabled)` for the two SES sending-status detail-types.
fn sending_status_type(detail_type: &str) -> Option<bool> {
    if detail_type.eq_ignore_ascii_case("Sending Status Enabled") {
        Some(true)
    } else if detail_type.eq_ignore_ascii_case("Sending Status Disabled") {
        Some(false)
    } else {
        None
    }
}

/// The EventBridge envelope fields read from SES status and scheduled events.
#[derive(Deserialize)]
struct EventEnvelope<'a> {
    #[serde(borrow, default)]
    id: Text<'a>,
    #[serde(borrow, default)]
    account: Text<'a>,
    #[serde(borrow, default)]
    region: Text<'a>,
    #[serde(borrow, default)]
    time: Text<'a>,
    #[serde(borrow, default)]
    resources: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
}

#[derive(Deserialize, Default)]
struct StatusDetail<'a> {
    #[serde(borrow, default)]
    data: Option<StatusData<'a>>,
}

#[derive(Deserialize, Default)]
struct StatusData<'a> {
    #[serde(borrow, default)]
    origin: Text<'a>,
    #[serde(borrow, default)]
    record: Option<StatusRecord<'a>>,
}

#[derive(Deserialize, Default)]
struct StatusRecord<'a> {
    #[serde(borrow, default)]
    status: Text<'a>,
    #[serde(borrow, default)]
    cause: Text<'a>,
}

fn sending_status_event(text: &str, enabled: bool) -> Result<SendingStatusEvent, AlarmSkip> {
    let ev: EventEnvelope<'_> = serde_json::from_str(text)
        .map_err(|e| skip(AlarmSkipReason::NotAnAlarm, format!("SES sending-status event: {e}")))?;
    // A detail of an unexpected shape loses the cause, not the event.
    let detail = ev.detail.and_then(|d| serde_json::from_str::<StatusDetail<'_>>(d.get()).ok());
    let data = detail.and_then(|d| d.data).unwrap_or_default();
    let record = data.record.unwrap_or_default();
    Ok(SendingStatusEvent {
        enabled,
        status: record
            .status
            .get()
            .map(str::to_ascii_uppercase)
            .unwrap_or_else(|| if enabled { "ENABLED" } else { "DISABLED" }.to_string()),
        resources: ev.resources.iter().flatten().filter_map(Text::owned).collect(),
        origin: data.origin.owned(),
        cause: record.cause.owned(),
        time: ev.time.get().and_then(parse_time),
        id: ev.id.owned(),
        account: ev.account.owned(),
        region: ev.region.owned(),
    })
}

impl ScheduledEvent {
    /// Reads what a scheduled event carries; the shape is not checked further (the sweep needs
    /// nothing from it).
    fn read(text: &str) -> Self {
        #[derive(Deserialize)]
        struct Sched<'a> {
            #[serde(borrow, default)]
            time: Text<'a>,
            #[serde(borrow, default)]
            resources: Option<Vec<Text<'a>>>,
        }
        serde_json::from_str::<Sched<'_>>(text)
            .map(|s| Self {
                time: s.time.get().and_then(parse_time),
                rule: s.resources.iter().flatten().find_map(Text::owned),
            })
            .unwrap_or_default()
    }
}

// --- lenient scalars -------------------------------------------------------------------------

/// A text field read from any JSON value: a string (borrowed when it has no escapes), a number
/// or boolean (as its JSON text); `null`, arrays and objects are "absent".
#[derive(Default)]
struct Text<'a>(Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    /// The trimmed text, `None` when absent or blank.
    fn get(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    fn owned(&self) -> Option<String> {
        self.get().map(str::to_owned)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_owned()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Text::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

/// A number read from a JSON number or a numeric string (`60`, `60.0`, `"60"`); anything else is
/// "absent".
#[derive(Default, Clone, Copy)]
struct Num(Option<f64>);

impl Num {
    /// A positive whole number.
    fn positive_u64(self) -> Option<u64> {
        self.0
            .filter(|v| v.is_finite() && *v >= 1.0 && v.fract() == 0.0 && *v < u64::MAX as f64)
            .map(|v| v as u64)
    }

    fn positive_u32(self) -> Option<u32> {
        self.positive_u64().and_then(|v| u32::try_from(v).ok())
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

struct NumVisitor;

impl<'de> Visitor<'de> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num(Some(v as f64)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num(Some(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
        Ok(Num(Some(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
        Ok(Num(v.trim().parse::<f64>().ok().filter(|f| f.is_finite())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Num, E> {
        Ok(Num(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Num, D::Error> {
        Num::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Num, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Num(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Num(None))
    }
}

/// Dimensions as SNS writes them (`[{"name":…,"value":…}]`, keys in either case) or as alarm
/// actions write them (`{"name": "value"}`); `null` is none. Entries without a name are dropped;
/// a missing value is empty. Any other JSON type is an error (the alarm is invalid).
#[derive(Default)]
struct Dims(Vec<(String, String)>);

#[derive(Deserialize)]
struct DimEntry<'a> {
    #[serde(alias = "Name", borrow, default)]
    name: Text<'a>,
    #[serde(alias = "Value", borrow, default)]
    value: Text<'a>,
}

impl<'de> Deserialize<'de> for Dims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DimsVisitor)
    }
}

struct DimsVisitor;

impl<'de> Visitor<'de> for DimsVisitor {
    type Value = Dims;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of {name, value} objects or a map of dimension values")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Dims, E> {
        Ok(Dims::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<Dims, E> {
        Ok(Dims::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Dims, D::Error> {
        Dims::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Dims, A::Error> {
        let mut out = Vec::new();
        while let Some(e) = seq.next_element::<DimEntry<'de>>()? {
            if let Some(name) = e.name.owned() {
                out.push((name, e.value.owned().unwrap_or_default()));
            }
        }
        Ok(Dims(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dims, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<Text<'de>, Text<'de>>()? {
            if let Some(name) = k.owned() {
                out.push((name, v.owned().unwrap_or_default()));
            }
        }
        Ok(Dims(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(payload: &str) -> Result<AlarmNotice, AlarmSkip> {
        let mut v = parse_alarms(payload);
        assert_eq!(v.len(), 1, "{v:?}");
        v.remove(0)
    }

    fn reason(payload: &str) -> AlarmSkipReason {
        one(payload).expect_err("a skip").reason
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sns_alarm(trigger: serde_json::Value) -> serde_json::Value {
        json!({
            "AlarmName": "ses-bounce-gmail", "AWSAccountId": "123456789012",
            "NewStateValue": "ALARM", "OldStateValue": "OK", "NewStateReason": "Threshold Crossed",
            "StateChangeTime": "2024-05-01T10:00:00.000+0000", "Region": "EU (Ireland)",
            "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ses-bounce-gmail",
            "Trigger": trigger
        })
    }

    fn sns_event(messages: &[String]) -> String {
        let records: Vec<_> = messages
            .iter()
            .map(|m| json!({"EventSource": "aws:sns", "Sns": {"Type": "Notification", "Message": m}}))
            .collect();
        json!({ "Records": records }).to_string()
    }

    fn single(domain: &str) -> serde_json::Value {
        sns_alarm(json!({
            "MetricName": "HardBounce", "Namespace": "Custom/SES", "Statistic": "SUM",
            "Dimensions": [{"name": "RecipientDomain", "value": domain}],
            "Period": 300, "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
            "ComparisonOperator": "GreaterThanThreshold", "Threshold": 5.0,
            "TreatMissingData": "- TreatMissingData:                    missing"
        }))
    }

    fn math(d1: &str, d2: &str) -> serde_json::Value {
        sns_alarm(json!({
            "Period": "60", "EvaluationPeriods": "2",
            "Metrics": [
                {"Id": "e1", "Expression": "m1/m2", "ReturnData": true},
                {"Id": "m1", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum",
                  "Metric": {"Namespace": "Custom/SES", "MetricName": "Bounce",
                             "Dimensions": [{"name": "RecipientDomain", "value": d1}]}}},
                {"Id": "m2", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum",
                  "Metric": {"Namespace": "Custom/SES", "MetricName": "Send",
                             "Dimensions": [{"name": "RecipientDomain", "value": d2}]}}}
            ]
        }))
    }

    fn notice(v: &serde_json::Value) -> AlarmNotice {
        one(&sns_event(&[v.to_string()])).unwrap()
    }

    fn direct(metrics: serde_json::Value) -> serde_json::Value {
        json!({
            "source": "aws.cloudwatch",
            "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:ses-x",
            "accountId": "111122223333", "time": "2024-02-17T11:53:08.431+0000",
            "region": "us-east-1",
            "alarmData": {
                "alarmName": "ses-x",
                "state": {"value": "ALARM", "reason": "r", "timestamp": "2024-02-17T11:53:08.431+0000"},
                "previousState": {"value": "OK", "reason": "p", "timestamp": "2024-02-17T11:00:00.000+0000"},
                "configuration": {"metrics": metrics}
            }
        })
    }

    #[test]
    fn sns_single_metric() {
        let n = notice(&single("gmail.com"));
        assert_eq!(n.name, "ses-bounce-gmail");
        assert_eq!(n.state, AlarmState::Alarm);
        assert_eq!(n.previous_state, Some(AlarmState::Ok));
        assert_eq!(n.state_change_time, Some(t("2024-05-01T10:00:00Z")));
        assert_eq!(n.region.as_deref(), Some("EU (Ireland)"));
        assert_eq!(n.format, AlarmFormat::SnsNotification);
        assert!(!n.composite);
        assert_eq!(n.metrics.len(), 1);
        let m = &n.metrics[0];
        assert_eq!(m.namespace.as_deref(), Some("Custom/SES"));
        assert_eq!(m.name, "HardBounce");
        assert_eq!(m.stat.as_deref(), Some("SUM"));
        assert_eq!(m.dimensions, vec![("RecipientDomain".into(), "gmail.com".into())]);
        assert_eq!((n.period_s, n.evaluation_periods, n.datapoints_to_alarm), (Some(300), Some(3), Some(2)));
    }

    #[test]
    fn sns_metric_math_with_numbers_as_strings() {
        let n = notice(&math("gmail.com", "gmail.com"));
        assert_eq!(n.expressions, vec!["m1/m2".to_string()]);
        assert_eq!(n.metrics.len(), 2);
        assert_eq!(n.metrics[0].id.as_deref(), Some("m1"));
        assert_eq!(n.metrics[1].name, "Send");
        assert_eq!((n.period_s, n.evaluation_periods), (Some(60), Some(2)));
        assert!(!n.composite);
    }

    #[test]
    fn several_records_and_transports() {
        let a = single("gmail.com").to_string();
        let envelope = json!({"Type": "Notification", "Message": a}).to_string();
        // SNS→Lambda with two records, a plain-text message and a confirmation.
        let ev = json!({"Records": [
            {"EventSource": "aws:sns", "Sns": {"Message": a}},
            {"EventSource": "aws:sns", "Sns": {"Message": "Hello from SNS!"}},
            {"EventSource": "aws:sns", "Sns": {"Type": "SubscriptionConfirmation", "Message": "x"}},
            {"EventSource": "aws:sns", "Sns": {"Message": a}},
            {"EventSource": "aws:sns", "Sns": {"Type": "Notification"}},
            {"EventSource": "aws:kinesis", "kinesis": {}}
        ]})
        .to_string();
        let r = parse_alarms(&ev);
        assert_eq!(r.len(), 6);
        assert!(r[0].is_ok() && r[3].is_ok());
        assert_eq!(r[1].as_ref().unwrap_err().reason, AlarmSkipReason::PlainTextMessage);
        assert_eq!(r[2].as_ref().unwrap_err().reason, AlarmSkipReason::SnsControlMessage);
        assert_eq!(r[4].as_ref().unwrap_err().reason, AlarmSkipReason::MissingMessage);
        assert_eq!(r[5].as_ref().unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
        // SQS: enveloped, raw, plain text, broken, an EventBridge event as body.
        let ev = json!({"Records": [
            {"eventSource": "aws:sqs", "messageId": "1", "body": envelope},
            {"eventSource": "aws:sqs", "messageId": "2", "body": a},
            {"eventSource": "aws:sqs", "messageId": "3", "body": "plain"},
            {"eventSource": "aws:sqs", "messageId": "4", "body": "{broken"},
            {"eventSource": "aws:sqs", "messageId": "5"}
        ]})
        .to_string();
        let r = parse_alarms(&ev);
        assert_eq!(r[0].as_ref().unwrap().name, "ses-bounce-gmail");
        assert_eq!(r[1].as_ref().unwrap().name, "ses-bounce-gmail");
        assert_eq!(r[2].as_ref().unwrap_err().reason, AlarmSkipReason::PlainTextMessage);
        assert_eq!(r[3].as_ref().unwrap_err().reason, AlarmSkipReason::InvalidJson);
        assert_eq!(r[4].as_ref().unwrap_err().reason, AlarmSkipReason::MissingMessage);
        // Bare envelope, bare alarm (with BOM), and a Message that is an object.
        assert!(one(&envelope).is_ok());
        assert!(one(&format!("\u{feff} {a}\n")).is_ok());
        let obj = format!(r#"{{"Type":"Notification","Message":{a}}}"#);
        assert!(one(&obj).is_ok());
    }

    #[test]
    fn failed_invocation_records_are_replayed() {
        // What the on-failure destination keeps when alarm-suppressor failed on a notification
        // in all three attempts (SES throttling, say): the notification is `requestPayload`.
        let a = single("gmail.com").to_string();
        let ev = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": a}}]});
        let record = json!({"version": "1.0", "requestContext": {"condition": "RetriesExhausted"},
            "requestPayload": ev, "responsePayload": {"errorMessage": "SES throttled"}});
        let r = parse_alarms(&record.to_string());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].as_ref().unwrap().name, "ses-bounce-gmail");
        // `requestPayload` alone is not an invocation record
        let lookalike = json!({"requestPayload": ev}).to_string();
        assert_eq!(one(&lookalike).unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
        // a replay that failed again is wrapped twice: still read; absurd nesting is refused,
        // not recursed into (20,000 levels overflowed the stack)
        let twice = json!({"requestContext": {}, "requestPayload": record}).to_string();
        assert_eq!(parse_alarms(&twice)[0].as_ref().unwrap().name, "ses-bounce-gmail");
        let n = 20_000;
        let deep = format!("{}{{}}{}", r#"{"requestContext":{},"requestPayload":"#.repeat(n), "}".repeat(n));
        assert_eq!(one(&deep).unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
    }

    /// The failed-invocations queue redriven into alarm-suppressor's SQS queue: its bodies are
    /// invocation records or SNS→Lambda events saved whole, read as ses-events reads them (one
    /// envelope reader). The old copy of the reader in this module refused both.
    #[test]
    fn dead_letter_redrive_bodies_are_read() {
        let a = single("gmail.com").to_string();
        let sns_event = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": a}}]});
        let record =
            json!({"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": sns_event});
        let two = json!({"Records": [sns_event["Records"][0], sns_event["Records"][0]]});
        let payload = json!({"Records": [
            {"eventSource": "aws:sqs", "messageId": "d1", "body": record.to_string()},
            {"eventSource": "aws:sqs", "messageId": "d2", "body": sns_event.to_string()},
            {"eventSource": "aws:sqs", "messageId": "d3", "body": two.to_string()}
        ]});
        let r = parse_alarms(&payload.to_string());
        assert_eq!(r[0].as_ref().unwrap().name, "ses-bounce-gmail");
        assert_eq!(r[1].as_ref().unwrap().name, "ses-bounce-gmail");
        // a body holding two records is not one notification
        assert_eq!(r[2].as_ref().unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
    }

    #[test]
    fn direct_action_and_eventbridge() {
        let metrics = json!([{"id": "m1", "returnData": true, "metricStat": {
            "metric": {"namespace": "Custom/SES", "name": "Complaint",
                       "dimensions": {"RecipientDomain": "yahoo.com"}},
            "period": "120", "stat": "Sum"}}]);
        let d = direct(metrics.clone());
        let n = one(&d.to_string()).unwrap();
        assert_eq!(n.format, AlarmFormat::LambdaAction);
        assert_eq!(n.name, "ses-x");
        assert_eq!(n.account.as_deref(), Some("111122223333"));
        assert_eq!(n.previous_state, Some(AlarmState::Ok));
        assert_eq!(n.period_s, Some(120));
        assert_eq!(n.evaluation_periods, None);
        assert_eq!(n.metrics[0].dimensions, vec![("RecipientDomain".into(), "yahoo.com".into())]);
        assert_eq!(n.state_change_time, Some(t("2024-02-17T11:53:08.431Z")));

        let eb = json!({
            "version": "0", "detail-type": "CloudWatch Alarm State Change",
            "source": "aws.cloudwatch", "account": "111122223333", "region": "us-east-1",
            "time": "2024-02-17T11:53:08Z",
            "resources": ["arn:aws:cloudwatch:us-east-1:111122223333:alarm:ses-x"],
            "detail": d["alarmData"].clone()
        });
        let n = one(&eb.to_string()).unwrap();
        assert_eq!(n.format, AlarmFormat::EventBridge);
        assert_eq!(n.arn.as_deref(), Some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:ses-x"));
        assert_eq!(n.account.as_deref(), Some("111122223333"));
        // EventBridge → SNS → Lambda: the event is the SNS Message.
        let n = notice(&eb);
        assert_eq!(n.format, AlarmFormat::EventBridge);

        let mut change = eb.clone();
        change["detail-type"] = json!("CloudWatch Alarm Configuration Change");
        assert_eq!(reason(&change.to_string()), AlarmSkipReason::NotAStateChange);
        assert!(!AlarmSkipReason::NotAStateChange.is_bad_input());
        let sched = r#"{"source":"aws.events","detail-type":"Scheduled Event","detail":{}}"#;
        assert_eq!(reason(sched), AlarmSkipReason::NotAnAlarm);
        // An EC2 state-change event's detail does not fit AlarmData, and is not read as one.
        let ec2 = r#"{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}"#;
        assert_eq!(reason(ec2), AlarmSkipReason::NotAnAlarm);
    }

    #[test]
    fn ses_sending_status_and_scheduled_events() {
        let ev = json!({"version": "0", "id": "3cc7", "detail-type": "Sending Status Enabled",
            "source": "aws.ses", "account": "111122223333", "time": "2025-10-01T03:37:17Z",
            "region": "us-east-1", "resources": ["arn:aws:ses:us-east-1:111122223333:tenant/a/tn-1"],
            "detail": {"version": "1.0.0", "data": {"origin": "CUSTOMER_MANAGED",
                "record": {"status": "REINSTATED", "cause": "Status manually updated."}}}});
        // through SNS, as the template's rule delivers it to the alarm topic
        let payload = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": ev.to_string()}}]});
        let got = parse_notifications(&payload.to_string());
        let Ok(Notification::SendingStatus(s)) = &got[0] else { panic!("{got:?}") };
        assert!(s.enabled);
        assert_eq!(s.status, "REINSTATED");
        assert_eq!(s.resources, ["arn:aws:ses:us-east-1:111122223333:tenant/a/tn-1"]);
        assert_eq!(
            (s.origin.as_deref(), s.cause.as_deref()),
            (Some("CUSTOMER_MANAGED"), Some("Status manually updated."))
        );
        assert_eq!(s.time, Some(t("2025-10-01T03:37:17Z")));
        assert_eq!(s.id.as_deref(), Some("3cc7"));
        // not an alarm for parse_alarms
        assert_eq!(
            parse_alarms(&payload.to_string())[0].as_ref().unwrap_err().reason,
            AlarmSkipReason::NotAnAlarm
        );
        // a detail of another shape keeps the event; the status comes from the detail-type
        let mut odd = ev.clone();
        odd["detail-type"] = json!("Sending Status Disabled");
        odd["detail"] = json!("paused");
        let Ok(Notification::SendingStatus(s)) = &parse_notifications(&odd.to_string())[0] else { panic!() };
        assert_eq!((s.enabled, s.status.as_str(), s.cause.as_deref()), (false, "DISABLED", None));
        // another SES event is no status event
        odd["detail-type"] = json!("Advisor Recommendation Status Open");
        assert_eq!(reason(&odd.to_string()), AlarmSkipReason::NotAnAlarm);
        // a scheduled event is the sweep
        let sched = r#"{"source":"aws.events","detail-type":"Scheduled Event","time":"2026-11-27T10:05:00Z",
            "resources":["arn:aws:events:us-east-1:1:rule/sweep"],"detail":{}}"#;
        let Ok(Notification::Sweep(s)) = &parse_notifications(sched)[0] else { panic!() };
        assert_eq!(s.time, Some(t("2026-11-27T10:05:00Z")));
        assert_eq!(s.rule.as_deref(), Some("arn:aws:events:us-east-1:1:rule/sweep"));
    }

    #[test]
    fn plain_text_previews_carry_no_address() {
        let text = format!("{}jane.doe@example.com is unknown", "x".repeat(40));
        let payload = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": text}}]});
        let e = one(&payload.to_string()).unwrap_err();
        assert_eq!(e.reason, AlarmSkipReason::PlainTextMessage);
        // the address is cut by the 60-character preview: hidden first, so no half of it shows
        assert!(!e.detail.contains("jane"), "{}", e.detail);
    }

    #[test]
    fn composite_alarms_have_no_metrics() {
        let mut d = direct(json!(null));
        d["alarmData"]["configuration"] = json!({"alarmRule": "ALARM(a) OR ALARM(b)"});
        d["alarmData"]["state"]["actionsSuppressedBy"] = json!("WaitPeriod");
        let n = one(&d.to_string()).unwrap();
        assert!(n.composite && n.metrics.is_empty());
        assert_eq!(n.alarm_rule.as_deref(), Some("ALARM(a) OR ALARM(b)"));
        assert_eq!(n.actions_suppressed_by.as_deref(), Some("WaitPeriod"));
        assert_eq!(n.period_s, None);
        // The SNS form of a composite alarm has AlarmRule and no Trigger.
        let mut s = single("gmail.com");
        s.as_object_mut().unwrap().remove("Trigger");
        s["AlarmRule"] = json!("ALARM(x)");
        let n = notice(&s);
        assert!(n.composite && n.metrics.is_empty());
    }

    #[test]
    fn lenient_scalars_and_odd_timestamps() {
        assert_eq!(parse_time("2023-08-04T12: 36: 15.490+0000"), Some(t("2023-08-04T12:36:15.490Z")));
        assert_eq!(parse_time("2015-06-03T17:43:27.123+0000"), Some(t("2015-06-03T17:43:27.123Z")));
        assert_eq!(parse_time(" 2019-10-02T17:04:40Z "), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_time("2019-10-02T19:04:40+02:00"), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_time("2019-10-02 17:04:40+0000"), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_time("date"), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("2019-13-02T17:04:40Z"), None);

        let mut a = single("gmail.com");
        a["StateChangeTime"] = json!("date");
        a["Trigger"]["Period"] = json!(" 600 ");
        a["Trigger"]["EvaluationPeriods"] = json!(-1);
        a["Trigger"]["DatapointsToAlarm"] = json!("two");
        a["AWSAccountId"] = json!(123456789012_u64);
        a["Region"] = json!(null);
        a["Trigger"]["Dimensions"] = json!({"RecipientDomain": "gmail.com"});
        let n = notice(&a);
        assert_eq!(n.state_change_time, None);
        assert_eq!(n.period_s, Some(600));
        assert_eq!((n.evaluation_periods, n.datapoints_to_alarm), (None, None));
        assert_eq!(n.account.as_deref(), Some("123456789012"));
        assert_eq!(n.region, None);
        assert_eq!(n.metrics[0].dimensions, vec![("RecipientDomain".into(), "gmail.com".into())]);
        // Capitalised dimension keys and nameless entries.
        a["Trigger"]["Dimensions"] = json!([{"Name": "EmailType", "Value": "news"}, {"value": "x"}]);
        assert_eq!(notice(&a).metrics[0].dimensions, vec![("EmailType".into(), "news".into())]);
        // Unknown state values are kept.
        a["NewStateValue"] = json!("pending");
        assert_eq!(notice(&a).state, AlarmState::Other("pending".into()));
    }

    #[test]
    fn bad_input_is_a_skip() {
        assert_eq!(reason(""), AlarmSkipReason::InvalidJson);
        assert_eq!(reason("{\"AlarmName\":"), AlarmSkipReason::InvalidJson);
        assert_eq!(reason("[1,2]"), AlarmSkipReason::NotAnAlarm);
        assert_eq!(reason("\"ALARM\""), AlarmSkipReason::NotAnAlarm);
        assert_eq!(reason(r#"{"Records":[]}"#), AlarmSkipReason::NotAnAlarm);
        assert_eq!(reason(r#"{"Records":"x"}"#), AlarmSkipReason::NotAnAlarm);
        assert_eq!(reason(r#"{"Records":[1]}"#), AlarmSkipReason::NotAnAlarm);
        assert_eq!(reason(r#"{"eventType":"Bounce"}"#), AlarmSkipReason::NotAnAlarm);
        assert_eq!(reason(r#"{"Type":"Notification","Message":42}"#), AlarmSkipReason::NotAnAlarm);
        let mut a = single("gmail.com");
        a["AlarmName"] = json!("  ");
        assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
        let mut a = single("gmail.com");
        a.as_object_mut().unwrap().remove("NewStateValue");
        assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
        let mut a = single("gmail.com");
        a["Trigger"] = json!("HardBounce > 5");
        assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
        let mut a = single("gmail.com");
        a["Trigger"]["Dimensions"] = json!("RecipientDomain=gmail.com");
        assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
        let mut d = direct(json!({"m1": {}}));
        assert_eq!(reason(&d.to_string()), AlarmSkipReason::InvalidAlarm);
        d["alarmData"]["configuration"] = json!(null);
        d["alarmData"]["state"] = json!(null);
        assert_eq!(reason(&d.to_string()), AlarmSkipReason::InvalidAlarm);
        // Deep nesting stops.
        let mut s = single("gmail.com").to_string();
        for _ in 0..5 {
            s = json!({"Type": "Notification", "Message": s}).to_string();
        }
        assert_eq!(reason(&s), AlarmSkipReason::NotAnAlarm);
        assert!(AlarmSkipReason::InvalidAlarm.is_bad_input());
        let e = AlarmSkip::new(AlarmSkipReason::InvalidJson, "eof");
        assert_eq!(e.to_string(), "invalid_json: eof");
    }

    #[test]
    fn window_uses_period_times_evaluations() {
        let n = notice(&single("gmail.com")); // 300 s × 3 at 10:00
        let now = t("2024-05-02T00:00:00Z");
        assert_eq!(n.window(Duration::zero(), now), (t("2024-05-01T09:45:00Z"), t("2024-05-01T10:00:00Z")));
        // The minimum look-back wins when longer, not when shorter.
        assert_eq!(n.window(Duration::hours(1), now).0, t("2024-05-01T09:00:00Z"));
        assert_eq!(n.window(Duration::minutes(5), now).0, t("2024-05-01T09:45:00Z"));
        assert_eq!(n.window(Duration::minutes(-5), now).0, t("2024-05-01T09:45:00Z"));
    }

    #[test]
    fn window_defaults() {
        let mut n = notice(&single("gmail.com"));
        n.period_s = None;
        n.evaluation_periods = None;
        n.state_change_time = None;
        let now = t("2024-05-02T00:00:00Z");
        // No period: 300 s; no evaluation periods: 1; no time: now.
        assert_eq!(n.window(Duration::zero(), now), (t("2024-05-01T23:55:00Z"), now));
        n.period_s = Some(60);
        assert_eq!(n.window(Duration::zero(), now).0, t("2024-05-01T23:59:00Z"));
        // Absurd values neither panic nor reach past what the ledger keeps.
        n.period_s = Some(u64::MAX);
        n.evaluation_periods = Some(u32::MAX);
        let year = now - Duration::days(MAX_WINDOW_DAYS);
        assert_eq!(n.window(Duration::zero(), now).0, year);
        assert_eq!(n.window(TimeDelta::MAX, now).0, year);
        // A state change far in the future (a forged or broken time) counts as now.
        n.state_change_time = parse_time("+262142-12-31T23:59:59.000+0000");
        assert!(n.state_change_time.is_some());
        assert_eq!(n.window(Duration::zero(), now).1, now);
    }

    fn ns(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn scope_from_dimensions() {
        let n = notice(&single("GMail.com"));
        let s = n.scope(&ns(&["Custom/SES"]));
        assert_eq!(s.recipient_domains, ["gmail.com"]);
        assert!(s.tags.is_empty() && s.configuration_set.is_none());
        // Metrics outside the namespaces do not count.
        assert!(n.scope(&ns(&["AWS/SES"])).is_all());
        // Empty namespace list: every metric counts.
        assert_eq!(n.scope(&[]).recipient_domains, ["gmail.com"]);

        let mut a = single("gmail.com");
        a["Trigger"]["Dimensions"] = json!([
            {"name": "EmailType", "value": "marketing"},
            {"name": "ses:configuration-set", "value": "main"}
        ]);
        let s = notice(&a).scope(&[]);
        assert!(s.recipient_domains.is_empty());
        assert_eq!(s.tags, vec![("EmailType".into(), vec!["marketing".to_string()])]);
        assert_eq!(s.configuration_set.as_deref(), Some("main"));
        a["Trigger"]["Dimensions"] = json!([{"name": "ConfigurationSet", "value": "other"}]);
        assert_eq!(notice(&a).scope(&[]).configuration_set.as_deref(), Some("other"));
        // The two spellings disagreeing: no single configuration set.
        a["Trigger"]["Dimensions"] = json!([
            {"name": "ConfigurationSet", "value": "a"}, {"name": "ses:configuration-set", "value": "b"}
        ]);
        assert_eq!(notice(&a).scope(&[]).configuration_set, None);
    }

    #[test]
    fn scope_of_metric_math() {
        let ses = ns(&["Custom/SES"]);
        // Same domain on both metrics.
        let n = notice(&math("gmail.com", "gmail.com"));
        assert_eq!(n.scope(&ses).recipient_domains, ["gmail.com"]);
        // m1 on yahoo.com, m2 on aol.com: those two, never all domains.
        let n = notice(&math("yahoo.com", "AOL.com"));
        assert_eq!(n.scope(&ses).recipient_domains, ["aol.com", "yahoo.com"]);
        assert!(!n.scope(&ses).is_all());
        // A total (no dimension) as denominator does not lift the restriction.
        let mut a = math("gmail.com", "x");
        a["Trigger"]["Metrics"][2]["MetricStat"]["Metric"]["Dimensions"] = json!([]);
        assert_eq!(notice(&a).scope(&ses).recipient_domains, ["gmail.com"]);
        // Differing tag values: either of them; an agreeing tag: its one value.
        let metrics = json!([
            {"id": "e1", "expression": "m1+m2"},
            {"id": "m1", "metricStat": {"period": 60, "stat": "Sum", "metric": {"namespace": "Custom/SES",
              "name": "Bounce", "dimensions": {"Campaign": "spring", "EmailType": "news"}}}},
            {"id": "m2", "metricStat": {"period": 60, "stat": "Sum", "metric": {"namespace": "Custom/SES",
              "name": "Complaint", "dimensions": {"Campaign": "autumn", "EmailType": "news"}}}},
            {"id": "m3", "metricStat": {"period": 60, "stat": "Sum", "metric": {"namespace": "AWS/EC2",
              "name": "CPUUtilization", "dimensions": {"EmailType": "ignored"}}}}
        ]);
        let n = one(&direct(metrics).to_string()).unwrap();
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            n.scope(&ses).tags,
            vec![("Campaign".into(), v(&["autumn", "spring"])), ("EmailType".into(), v(&["news"]))]
        );
        // Without a namespace filter the EC2 metric's value joins in.
        assert_eq!(n.scope(&[]).tags[1], ("EmailType".into(), v(&["ignored", "news"])));
    }

    #[test]
    fn ownership() {
        let n = notice(&single("gmail.com")); // ses-bounce-gmail on Custom/SES
        assert!(n.is_owned(&[], &[]));
        assert!(n.is_owned(&ns(&["ses-"]), &[]));
        assert!(!n.is_owned(&ns(&["other-"]), &[]));
        assert!(n.is_owned(&[], &ns(&["Custom/SES"])));
        assert!(!n.is_owned(&[], &ns(&["AWS/SES"])));
        assert!(n.is_owned(&ns(&["other-"]), &ns(&["Custom/SES"])));
        assert!(n.is_owned(&ns(&["ses-"]), &ns(&["AWS/SES"])));
        assert!(!n.is_owned(&ns(&["other-"]), &ns(&["AWS/SES"])));
        // A composite alarm is owned only by its name.
        let mut c = single("gmail.com");
        c.as_object_mut().unwrap().remove("Trigger");
        let c = notice(&c);
        assert!(!c.is_owned(&[], &ns(&["Custom/SES"])));
        assert!(c.is_owned(&ns(&["ses-"]), &ns(&["Custom/SES"])));
    }

    #[test]
    fn state_parsing() {
        assert_eq!(AlarmState::parse(" alarm "), AlarmState::Alarm);
        assert_eq!(AlarmState::parse("OK"), AlarmState::Ok);
        assert_eq!(AlarmState::parse("INSUFFICIENT_DATA"), AlarmState::InsufficientData);
        assert_eq!(AlarmState::parse("X").to_string(), "X");
        assert_eq!(AlarmState::InsufficientData.to_string(), "INSUFFICIENT_DATA");
    }
}
