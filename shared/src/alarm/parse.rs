//! What a document the envelope reader found is, for alarm-suppressor: an alarm notice in one
//! of its three shapes, an SES sending-status event, a scheduled sweep, or a skip with a reason.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::wire::{SnsAlarm, event_notice, sending_status_event, sending_status_type};
use super::{AlarmFormat, AlarmNotice, AlarmSkip, AlarmSkipReason, Notification, ScheduledEvent};
use crate::envelope::{self, Contents, Keys};
use crate::lenient::Text;

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
    let mut units: Vec<envelope::Unit<'_>> = Vec::new();
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

pub(super) fn skip(reason: AlarmSkipReason, detail: impl Into<String>) -> AlarmSkip {
    AlarmSkip::new(reason, detail)
}

pub(super) fn invalid(detail: impl Into<String>) -> AlarmSkip {
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
