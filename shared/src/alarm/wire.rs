//! The wire types of the three alarm shapes (the classic SNS alarm JSON, the direct alarm
//! action, the EventBridge event) and of the SES sending-status and scheduled events, read
//! leniently ([`crate::lenient`]) into the notice model.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::parse::{invalid, skip};
use super::{
    AlarmFormat, AlarmMetric, AlarmNotice, AlarmSkip, AlarmSkipReason, AlarmState, ScheduledEvent,
    SendingStatusEvent,
};
use crate::lenient::{Num, Text};
use crate::time::parse_cloudwatch as parse_time;

// --- the classic SNS alarm JSON --------------------------------------------------------------

/// The alarm JSON an SNS alarm action publishes.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SnsAlarm<'a> {
    #[serde(borrow, default)]
    alarm_name: Text<'a>,
    #[serde(borrow, default)]
    alarm_description: Text<'a>,
    #[serde(rename = "AWSAccountId", borrow, default)]
    account: Text<'a>,
    #[serde(borrow, default)]
    new_state_value: Text<'a>,
    #[serde(borrow, default)]
    new_state_reason: Text<'a>,
    #[serde(borrow, default)]
    state_change_time: Text<'a>,
    #[serde(borrow, default)]
    region: Text<'a>,
    #[serde(borrow, default)]
    alarm_arn: Text<'a>,
    #[serde(borrow, default)]
    old_state_value: Text<'a>,
    #[serde(borrow, default)]
    alarm_rule: Text<'a>,
    #[serde(borrow, default)]
    trigger: Option<Trigger<'a>>,
}

/// `Trigger`: a single metric (`MetricName`…) or metric math (`Metrics`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Trigger<'a> {
    #[serde(borrow, default)]
    metric_name: Text<'a>,
    #[serde(borrow, default)]
    namespace: Text<'a>,
    #[serde(borrow, default)]
    statistic: Text<'a>,
    #[serde(borrow, default)]
    extended_statistic: Text<'a>,
    #[serde(default)]
    dimensions: Dims,
    #[serde(default)]
    period: Num,
    #[serde(default)]
    evaluation_periods: Num,
    #[serde(default)]
    datapoints_to_alarm: Num,
    #[serde(borrow, default)]
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
    pub(super) fn into_notice(self) -> Result<AlarmNotice, AlarmSkip> {
        let name = self.alarm_name.owned().ok_or_else(|| invalid("no AlarmName"))?;
        let state = self
            .new_state_value
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
            arn: self.alarm_arn.owned(),
            account: self.account.owned(),
            region: self.region.owned(),
            description: self.alarm_description.owned(),
            state,
            previous_state: self.old_state_value.get().map(AlarmState::parse),
            state_change_time: self.state_change_time.get().and_then(parse_time),
            reason: self.new_state_reason.owned(),
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
#[serde(rename_all = "camelCase")]
struct AlarmEvent<'a> {
    #[serde(borrow, default)]
    alarm_arn: Text<'a>,
    #[serde(borrow, default)]
    account_id: Text<'a>,
    #[serde(borrow, default)]
    account: Text<'a>,
    #[serde(borrow, default)]
    region: Text<'a>,
    #[serde(borrow, default)]
    time: Text<'a>,
    #[serde(borrow, default)]
    resources: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    alarm_data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AlarmData<'a> {
    #[serde(borrow, default)]
    alarm_name: Text<'a>,
    #[serde(borrow, default)]
    state: Option<StateData<'a>>,
    #[serde(borrow, default)]
    previous_state: Option<StateData<'a>>,
    #[serde(borrow, default)]
    configuration: Option<Configuration<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateData<'a> {
    #[serde(borrow, default)]
    value: Text<'a>,
    #[serde(borrow, default)]
    reason: Text<'a>,
    #[serde(borrow, default)]
    timestamp: Text<'a>,
    #[serde(borrow, default)]
    actions_suppressed_by: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Configuration<'a> {
    #[serde(borrow, default)]
    description: Text<'a>,
    #[serde(borrow, default)]
    alarm_rule: Text<'a>,
    #[serde(borrow, default)]
    metrics: Option<Vec<MetricDef<'a>>>,
    #[serde(default)]
    evaluation_periods: Num,
    #[serde(default)]
    datapoints_to_alarm: Num,
}

pub(super) fn event_notice(text: &str, format: AlarmFormat) -> Result<AlarmNotice, AlarmSkip> {
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
pub(super) fn sending_status_type(detail_type: &str) -> Option<bool> {
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

pub(super) fn sending_status_event(text: &str, enabled: bool) -> Result<SendingStatusEvent, AlarmSkip> {
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
    pub(super) fn read(text: &str) -> Self {
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
