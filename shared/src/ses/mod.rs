//! Serde types for the JSON that Amazon SES publishes, and their normalised form.
//!
//! SES writes two shapes, and both arrive here:
//! - **event publishing** (configuration-set event destinations): top-level `eventType`, one of
//!   `Send`, `Delivery`, `Bounce`, `Complaint`, `Reject`, `Open`, `Click`, `Rendering Failure`
//!   (with a space), `DeliveryDelay`, `Subscription`;
//! - **identity notifications** (the older feedback-forwarding path): top-level `notificationType`,
//!   one of `Bounce`, `Complaint`, `Delivery`, plus the set-up notice `AmazonSnsSubscriptionSucceeded`.
//!
//! The types borrow from the input text (`Cow<str>`) and read only the fields the product uses;
//! unknown fields are ignored and unknown subtypes are kept as text, because SES adds fields and
//! subtypes over time (e.g. `isBotEvent` in 2026) and real captures carry odd values
//! (`processingTimeMillis` as a string, `complaintSubType: null`).

pub mod address;
pub mod domains;
mod quick;
pub(crate) use quick::SesInPlace;

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::envelope::{Contents, Keys, Skip, SkipReason};
use crate::{borrow, lenient, time};

/// Message tags: name and first value of each, borrowed from the input where possible.
pub type Tags<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// The documents ses-events reads out of its payloads with [`crate::envelope::read`]: objects
/// with an `eventType` or `notificationType`, and the `detail` of an EventBridge SES event
/// (`source: aws.ses`).
#[derive(Debug, Clone, Copy)]
pub struct SesDocuments;

impl Contents for SesDocuments {
    const JSON_LINES: bool = true;

    fn is_own(keys: &Keys<'_>) -> bool {
        keys.ses_type
    }

    fn other<'a>(keys: &Keys<'a>) -> Result<&'a str, Skip> {
        match (keys.source.as_deref(), keys.detail) {
            (Some("aws.ses"), Some(detail)) => Ok(detail.get()),
            (Some("aws.ses"), None) => {
                Err(Skip::new(SkipReason::UnrecognisedPayload, "EventBridge SES event without detail"))
            }
            (Some(s), _) => {
                Err(Skip::new(SkipReason::UnrecognisedPayload, format!("event from {s}, not SES")))
            }
            (None, _) => Err(Skip::new(
                SkipReason::UnrecognisedPayload,
                "no Records, SNS Message or SES eventType/notificationType",
            )),
        }
    }
}

/// One SES record as it appears in JSON (either shape). Parse it with [`SesRecord::from_json`].
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SesRecord<'a> {
    /// Event-publishing type (`"Rendering Failure"` has a space).
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub event_type: Option<Cow<'a, str>>,
    /// Identity-notification type.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub notification_type: Option<Cow<'a, str>>,
    /// The `mail` object common to every event.
    #[serde(borrow, default)]
    pub mail: Option<Mail<'a>>,
    /// Bounce details (Bounce events).
    #[serde(borrow, default)]
    pub bounce: Option<Bounce<'a>>,
    /// Complaint details (Complaint events).
    #[serde(borrow, default)]
    pub complaint: Option<Complaint<'a>>,
    /// Delivery details (Delivery events).
    #[serde(borrow, default)]
    pub delivery: Option<Delivery<'a>>,
    /// DeliveryDelay details.
    #[serde(borrow, default)]
    pub delivery_delay: Option<DeliveryDelay<'a>>,
    /// Open details: only the timestamp is used.
    #[serde(borrow, default)]
    pub open: Option<Timestamped<'a>>,
    /// Click details: only the timestamp is used.
    #[serde(borrow, default)]
    pub click: Option<Timestamped<'a>>,
    /// Subscription (list-management) details: only the timestamp is used.
    #[serde(borrow, default)]
    pub subscription: Option<Timestamped<'a>>,
    /// Reject details.
    #[serde(borrow, default)]
    pub reject: Option<Reject<'a>>,
    /// Rendering Failure details.
    #[serde(borrow, default)]
    pub failure: Option<RenderingFailure<'a>>,
    // The members by which the envelope reader tells a document's shape (a Lambda event, an SNS
    // envelope, an invocation record, an EventBridge event, an alarm), read in the same pass, with
    // the envelope reader's types, so that `is_plain` can say whether that reader would take the
    // document for an SES event as it is (and a document it refuses fails here too).
    #[serde(rename = "Records", default)]
    records: Option<IgnoredAny>,
    #[serde(rename = "Type", borrow, default, deserialize_with = "borrow::opt")]
    #[allow(dead_code)] // read for its type and uniqueness only
    sns_type: Option<Cow<'a, str>>,
    #[serde(rename = "Message", default)]
    #[allow(dead_code)] // read for its type and uniqueness only
    message: Option<IgnoredAny>,
    #[serde(rename = "AlarmName", default)]
    #[allow(dead_code)] // read for its type and uniqueness only
    alarm_name: Option<IgnoredAny>,
    #[serde(rename = "alarmData", default)]
    #[allow(dead_code)] // read for its type and uniqueness only
    alarm_data: Option<IgnoredAny>,
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    #[allow(dead_code)] // read for its type and uniqueness only
    source: Option<Cow<'a, str>>,
    #[serde(rename = "detail-type", alias = "detailType", default)]
    #[allow(dead_code)] // read for its type and uniqueness only
    detail_type: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)] // read for its type and uniqueness only
    detail: Option<IgnoredAny>,
    #[serde(rename = "requestContext", default)]
    request_context: Option<IgnoredAny>,
    #[serde(rename = "requestPayload", default)]
    request_payload: Option<IgnoredAny>,
}

/// An SES event as EventBridge delivers it (`source: aws.ses`, the SES JSON as `detail`), read
/// in one pass: the envelope reader would skip over `detail` to find it and then parse it again.
/// Every member by which that reader tells a document's shape is read here with the same type,
/// so [`EventBridgeRecord::ses`] gives the SES record only where the envelope reader would take
/// `detail` for the document (and where it would not, or where this parse fails, ses-events
/// leaves the document to the envelope reader: the outcome is the same either way).
#[derive(Debug, Deserialize)]
pub struct EventBridgeRecord<'a> {
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    detail: Option<SesRecord<'a>>,
    #[serde(rename = "detail-type", alias = "detailType", default)]
    #[allow(dead_code)] // read for its type and uniqueness only
    detail_type: Option<IgnoredAny>,
    // Any of these makes it another shape for the envelope reader.
    #[serde(rename = "Records", default)]
    records: Option<IgnoredAny>,
    #[serde(rename = "Type", default)]
    sns_type: Option<IgnoredAny>,
    #[serde(rename = "Message", default)]
    message: Option<IgnoredAny>,
    #[serde(rename = "eventType", default)]
    event_type: Option<IgnoredAny>,
    #[serde(rename = "notificationType", default)]
    notification_type: Option<IgnoredAny>,
    #[serde(rename = "requestContext", default)]
    request_context: Option<IgnoredAny>,
    #[serde(rename = "requestPayload", default)]
    request_payload: Option<IgnoredAny>,
}

impl<'a> EventBridgeRecord<'a> {
    /// Whether a JSON text starts the way EventBridge writes its events (`{"version"`, `{"id"`,
    /// `{"detail-type"`, `{"source"`; `{"account"` when re-serialised with sorted keys).
    pub fn looks_like(text: &str) -> bool {
        const FIRST_MEMBERS: [&str; 5] =
            ["\"version\"", "\"id\"", "\"detail-type\"", "\"source\"", "\"account\""];
        starts_with_member(text, &FIRST_MEMBERS)
    }

    /// Parses one EventBridge event whose `detail` is an SES event (`None` when it is not JSON
    /// of that shape: the envelope reader then reads it and says why).
    pub fn from_json(text: &'a str) -> Option<Self> {
        quick::eventbridge(text).or_else(|| Self::from_json_serde(text))
    }

    /// For tests (`test-util`): reads an EventBridge SES event escaped `level` times in `text`
    /// where it lies (see [`SesRecord::from_escaped`]); `None` when the quick reader is not sure
    /// of it.
    #[cfg(any(test, feature = "test-util"))]
    pub fn from_escaped(text: &'a str, level: usize) -> Option<Self> {
        quick::escaped_eventbridge(text, level)
    }

    /// [`EventBridgeRecord::from_json`] without the quick reader.
    fn from_json_serde(text: &'a str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }

    /// The SES record in `detail`, when the envelope reader would read this document as an
    /// EventBridge SES event: `source` is `aws.ses`, and it has none of the members of an SES
    /// event, an SNS envelope, a Lambda event or an invocation record at its top level.
    pub fn ses(self) -> Option<SesRecord<'a>> {
        let other_shape = self.records.is_some()
            || self.sns_type.is_some()
            || self.message.is_some()
            || self.event_type.is_some()
            || self.notification_type.is_some()
            || self.request_context.is_some()
            || self.request_payload.is_some();
        (!other_shape && self.source.as_deref() == Some("aws.ses")).then_some(self.detail).flatten()
    }
}

/// For tests (`test-util`): where the quick SES reader (`ses/quick.rs`) reads `text` (an SES
/// event, or an EventBridge event with one as `detail`), it reads what serde reads (`Ok(true)`);
/// `Ok(false)` where it leaves `text` to serde; `Err` says how the two differ.
#[cfg(any(test, feature = "test-util"))]
pub fn quick_reader_agrees(text: &str) -> Result<bool, String> {
    let mut quick = SesRecord::default();
    let (q, s) = if quick::read_into(text, &mut quick) {
        let serde = SesRecord::from_json_serde(text)
            .map_err(|e| format!("the quick reader took a text serde refuses ({e})"))?;
        (format!("{quick:?}"), format!("{serde:?}"))
    } else if let Some(quick) = quick::eventbridge(text) {
        let serde = EventBridgeRecord::from_json_serde(text)
            .ok_or("the quick reader took an EventBridge event serde refuses")?;
        (format!("{quick:?}"), format!("{serde:?}"))
    } else {
        return Ok(false);
    };
    if q != s {
        return Err(format!("quick: {q}\n  serde: {s}"));
    }
    Ok(true)
}

/// For tests (`test-util`): `text` written once and twice inside JSON strings (as an SNS
/// `Message` is, and an SNS envelope's in an SQS body) is read where it lies
/// ([`SesRecord::from_escaped`], [`EventBridgeRecord::from_escaped`]) as the quick reader reads
/// it unescaped: `Ok(true)` when read at both levels, `Ok(false)` when left to the caller at one
/// (which then unescapes it), `Err` when the two readings differ.
#[cfg(any(test, feature = "test-util"))]
pub fn escaped_reader_agrees(text: &str) -> Result<bool, String> {
    let read = |t: &str, level: usize| {
        let rec = SesRecord::from_escaped(t, level).map(|r| format!("{r:?}"));
        rec.or_else(|| EventBridgeRecord::from_escaped(t, level).map(|e| format!("{e:?}")))
    };
    let plain = read(text, 0);
    let mut read_all = plain.is_some();
    for level in 1..=crate::cursor::MAX_LEVEL {
        match read(&crate::cursor::escape(text, level), level) {
            None => read_all = false,
            escaped if escaped != plain => {
                return Err(format!("at level {level}: {escaped:?}\n  unescaped: {plain:?}"));
            }
            Some(_) => {}
        }
    }
    Ok(read_all)
}

/// Whether a JSON text is an object whose first member is one of `keys` (quoted, spaces allowed
/// after the brace).
fn starts_with_member(text: &str, keys: &[&str]) -> bool {
    text.strip_prefix('{').is_some_and(|rest| {
        let rest = rest.trim_start();
        keys.iter().any(|k| rest.starts_with(k))
    })
}

/// The `mail` object: the message the event is about.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail<'a> {
    /// When SES accepted the message.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub timestamp: Option<Cow<'a, str>>,
    /// SES message id.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub message_id: Option<Cow<'a, str>>,
    /// Envelope recipients (To, Cc and Bcc).
    #[serde(borrow, default, deserialize_with = "lenient::strings")]
    pub destination: Vec<Cow<'a, str>>,
    /// Message tags (`ses:*` auto tags and the sender's own), first value of each.
    #[serde(borrow, default, deserialize_with = "tags_lenient")]
    pub tags: Tags<'a>,
}

/// A recipient object of bounces, complaints and delays (`{"emailAddress": …}`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecipientEntry<'a> {
    /// The recipient address, as SES wrote it.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub email_address: Option<Cow<'a, str>>,
    /// Bounces: the SMTP enhanced status code (`5.1.1`), when the receiving server gave one.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub status: Option<Cow<'a, str>>,
    /// Bounces: the receiving server's reply (`smtp; 550 5.1.1 user unknown`), when there is one.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub diagnostic_code: Option<Cow<'a, str>>,
}

/// Why one recipient bounced, as the receiving server said it (both optional: SES omits them
/// when it bounced the message itself, e.g. for an address on the suppression list).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmtpReply<'a> {
    /// The SMTP enhanced status code (RFC 3463), e.g. `5.1.1`.
    pub status: Option<Cow<'a, str>>,
    /// The diagnostic code, e.g. `smtp; 550 5.1.1 <a@b> user unknown` (may contain addresses).
    pub diagnostic: Option<Cow<'a, str>>,
}

/// The `bounce` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bounce<'a> {
    /// `Permanent`, `Transient` or `Undetermined`.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub bounce_type: Option<Cow<'a, str>>,
    /// `General`, `NoEmail`, `Suppressed`, `OnAccountSuppressionList`, `MailboxFull`, … (open set).
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub bounce_sub_type: Option<Cow<'a, str>>,
    /// The recipients that bounced.
    #[serde(borrow, default)]
    #[serde(deserialize_with = "entries_lenient")]
    pub bounced_recipients: Vec<RecipientEntry<'a>>,
    /// When the bounce was received.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub timestamp: Option<Cow<'a, str>>,
}

/// The `complaint` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Complaint<'a> {
    /// The recipients that complained.
    #[serde(borrow, default)]
    #[serde(deserialize_with = "entries_lenient")]
    pub complained_recipients: Vec<RecipientEntry<'a>>,
    /// `null` or `OnAccountSuppressionList`.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub complaint_sub_type: Option<Cow<'a, str>>,
    /// Feedback type from the ISP's report (`abuse`, `fraud`, …), when there is one.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub complaint_feedback_type: Option<Cow<'a, str>>,
    /// When the complaint was received.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub timestamp: Option<Cow<'a, str>>,
}

/// The `delivery` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery<'a> {
    /// Recipients delivered to.
    #[serde(borrow, default, deserialize_with = "lenient::strings")]
    pub recipients: Vec<Cow<'a, str>>,
    /// Milliseconds from acceptance to delivery: a number, or a number in a string; anything else
    /// is [`Latency::Unusable`], never an error that would lose the whole event.
    #[serde(borrow, default)]
    pub processing_time_millis: Option<&'a RawValue>,
    /// When the receiving MTA accepted the message.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub timestamp: Option<Cow<'a, str>>,
}

/// The `deliveryDelay` object.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDelay<'a> {
    /// Recipients whose delivery is delayed.
    #[serde(borrow, default)]
    #[serde(deserialize_with = "entries_lenient")]
    pub delayed_recipients: Vec<RecipientEntry<'a>>,
    /// `TransientCommunicationFailure`, `MailboxFull`, … (open set).
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub delay_type: Option<Cow<'a, str>>,
    /// When the delay was recorded.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub timestamp: Option<Cow<'a, str>>,
}

/// The `reject` object.
#[derive(Debug, Deserialize)]
pub struct Reject<'a> {
    /// Why SES rejected the message (`Bad Content`).
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub reason: Option<Cow<'a, str>>,
}

/// The `failure` object of a Rendering Failure.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenderingFailure<'a> {
    /// The template that failed to render.
    #[serde(borrow, default, deserialize_with = "borrow::opt")]
    pub template_name: Option<Cow<'a, str>>,
}

/// Any event detail of which only the time is used (open, click, subscription).
#[derive(Debug, Deserialize)]
pub struct Timestamped<'a> {
    /// When the event happened.
    #[serde(borrow, default, deserialize_with = "lenient::string")]
    pub timestamp: Option<Cow<'a, str>>,
}

/// The kind of an SES event, the same for both JSON shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum EventKind {
    /// SES accepted the message for sending.
    Send,
    /// The receiving server accepted the message.
    Delivery,
    /// The message bounced (hard or soft).
    Bounce,
    /// The recipient marked the message as spam.
    Complaint,
    /// SES rejected the message (virus).
    Reject,
    /// The recipient opened the message (tracking pixel).
    Open,
    /// The recipient clicked a tracked link.
    Click,
    /// A template failed to render.
    RenderingFailure,
    /// Delivery is delayed; SES keeps trying.
    DeliveryDelay,
    /// The recipient changed their list subscription.
    Subscription,
}

impl EventKind {
    /// Every kind, in metric order.
    pub const ALL: [EventKind; 10] = [
        EventKind::Send,
        EventKind::Delivery,
        EventKind::Bounce,
        EventKind::Complaint,
        EventKind::Reject,
        EventKind::Open,
        EventKind::Click,
        EventKind::RenderingFailure,
        EventKind::DeliveryDelay,
        EventKind::Subscription,
    ];

    /// The kind's position in [`EventKind::ALL`] (the declaration order, which `ALL` follows).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The kind named by an event-publishing `eventType`.
    pub fn from_event_type(s: &str) -> Option<Self> {
        Some(match s {
            "Send" => Self::Send,
            "Delivery" => Self::Delivery,
            "Bounce" => Self::Bounce,
            "Complaint" => Self::Complaint,
            "Reject" => Self::Reject,
            "Open" => Self::Open,
            "Click" => Self::Click,
            "Rendering Failure" | "RenderingFailure" => Self::RenderingFailure,
            "DeliveryDelay" => Self::DeliveryDelay,
            "Subscription" => Self::Subscription,
            _ => return None,
        })
    }

    /// Whether the event is about the message rather than one recipient (open, click and
    /// subscription events do not say which recipient acted), so it counts once per series.
    pub fn is_per_message(self) -> bool {
        matches!(self, Self::Open | Self::Click | Self::Subscription)
    }

    /// The metric name (`RenderingFailure` without the space).
    pub fn metric_name(self) -> &'static str {
        match self {
            Self::Send => "Send",
            Self::Delivery => "Delivery",
            Self::Bounce => "Bounce",
            Self::Complaint => "Complaint",
            Self::Reject => "Reject",
            Self::Open => "Open",
            Self::Click => "Click",
            Self::RenderingFailure => "RenderingFailure",
            Self::DeliveryDelay => "DeliveryDelay",
            Self::Subscription => "Subscription",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.metric_name())
    }
}

/// `bounceType`, with unknown values kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BounceType {
    /// Hard bounce: remove the address.
    Permanent,
    /// Soft bounce: may succeed later.
    Transient,
    /// SES could not tell.
    Undetermined,
    /// Missing or a value SES does not document.
    Other,
}

impl BounceType {
    fn parse(s: Option<&str>) -> Self {
        match s {
            Some("Permanent") => Self::Permanent,
            Some("Transient") => Self::Transient,
            Some("Undetermined") => Self::Undetermined,
            _ => Self::Other,
        }
    }
}

/// One SES event in the form the rest of the code uses, still borrowing from the input.
#[derive(Debug)]
pub struct SesEvent<'a> {
    /// What happened.
    pub kind: EventKind,
    /// When it happened: the event's own timestamp, else the mail's, else `None`.
    pub timestamp: Option<DateTime<Utc>>,
    /// SES message id, when present.
    pub message_id: Option<Cow<'a, str>>,
    /// The recipients this event concerns (see [`EventKind::is_per_message`]).
    pub recipients: Vec<Cow<'a, str>>,
    /// Message tags (first value of each).
    pub tags: Tags<'a>,
    /// For bounces: the bounce type.
    pub bounce_type: Option<BounceType>,
    /// Bounce subtype, complaint subtype/feedback type, or delay type, when present.
    pub subtype: Option<Cow<'a, str>>,
    /// For bounces: each recipient's SMTP reply, in the order of `recipients` (empty for
    /// other events).
    pub smtp: Vec<SmtpReply<'a>>,
    /// For deliveries: `processingTimeMillis`, when it is a plausible time (see [`Latency`]).
    pub latency_ms: Option<u64>,
    /// A delivery whose `processingTimeMillis` was there but unusable (negative, not a number,
    /// over [`MAX_LATENCY_MS`]): it is counted, its latency is not published.
    pub latency_unusable: bool,
}

/// The longest `processingTimeMillis` taken as a delivery latency: 24 hours. SES stops trying to
/// deliver after at most 14 hours (a configuration set's `MaxDeliverySeconds` is at most 50,400
/// and the default is the same), so anything longer is a broken or forged event; published, one
/// such value (`1e23` read as 18446744073709551615) would own the latency statistics' p99 and
/// maximum.
pub const MAX_LATENCY_MS: u64 = 24 * 60 * 60 * 1000;

/// A delivery's `processingTimeMillis`, read leniently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Latency {
    /// Absent or `null`.
    Absent,
    /// A whole number of milliseconds, at most [`MAX_LATENCY_MS`] (a fraction is rounded).
    Millis(u64),
    /// Present but unusable: not a number, negative, or over [`MAX_LATENCY_MS`] (`1e23`,
    /// `1e400`, which JSON allows but no `f64` holds).
    Unusable,
}

impl Latency {
    /// Reads the raw JSON value: a number, or a number in a string (some captures have that).
    /// The raw text is parsed here rather than by serde, which refuses a number out of `f64`'s
    /// range (`1e400`) as a syntax error and would lose the whole event.
    pub fn read(raw: Option<&RawValue>) -> Self {
        let Some(raw) = raw else { return Self::Absent };
        let text = raw.get();
        match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<Cow<'_, str>>(text) {
                Ok(s) => Self::parse(s.trim()),
                Err(_) => Self::Unusable,
            },
            Some(b'n') => Self::Absent,
            _ => Self::parse(text),
        }
    }

    fn parse(text: &str) -> Self {
        let ms = match text.parse::<u64>() {
            Ok(n) => Some(n),
            // 1.5e3, 1e23, 1e400 (inf): f64 parses them all; only finite values in range count.
            Err(_) => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= MAX_LATENCY_MS as f64)
                .map(|v| v.round() as u64),
        };
        match ms {
            Some(ms) if ms <= MAX_LATENCY_MS => Self::Millis(ms),
            _ => Self::Unusable,
        }
    }
}

/// Why a JSON object that looked like SES could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SesError {
    /// The text is not JSON (broken or truncated).
    #[error("broken JSON: {0}")]
    Json(String),
    /// The JSON did not have the expected structure.
    #[error("invalid SES JSON: {0}")]
    Invalid(String),
    /// Neither `eventType` nor `notificationType`.
    #[error("no eventType or notificationType")]
    NotSes,
    /// `notificationType: AmazonSnsSubscriptionSucceeded`, sent once when a topic is attached.
    #[error("SES set-up notice (AmazonSnsSubscriptionSucceeded)")]
    SetupNotice,
    /// A type this version does not know.
    #[error("unknown SES event type {0:?}")]
    UnknownType(String),
    /// The type's detail object (e.g. `bounce`) is missing.
    #[error("{0} event without its {1:?} object")]
    MissingDetail(EventKind, &'static str),
}

impl<'a> SesRecord<'a> {
    /// Parses one SES JSON document: by hand when it is in the plain form SES writes (see
    /// `ses/quick.rs`), else with serde, which gives the same record and says why it is not one.
    pub fn from_json(text: &'a str) -> Result<Self, SesError> {
        let mut record = Self::default();
        record.read_json(text)?;
        Ok(record)
    }

    /// [`SesRecord::from_json`] into this record, which must be as [`Default`] makes it, so that
    /// the record is not moved (648 bytes; ses-events reads one per event). After an error it is
    /// as `Default` makes it again.
    pub fn read_json(&mut self, text: &'a str) -> Result<(), SesError> {
        if quick::read_into(text, self) {
            return Ok(());
        }
        // what the quick reader read before it gave up is not kept
        match Self::from_json_serde(text) {
            Ok(record) => *self = record,
            Err(e) => {
                *self = Self::default();
                return Err(e);
            }
        }
        Ok(())
    }

    /// For tests (`test-util`): reads an SES event escaped `level` times in `text` (the content
    /// of a JSON string: an SNS `Message`, an SQS body, as written in the payload) where it lies,
    /// as the envelope reader's in-place reading does: what [`SesRecord::from_json`] reads of the
    /// unescaped text, or `None` when the quick reader is not sure of it (any escape but the
    /// plain ones, see `cursor.rs`).
    #[cfg(any(test, feature = "test-util"))]
    pub fn from_escaped(text: &'a str, level: usize) -> Option<Self> {
        quick::escaped_record(text, level)
    }

    /// [`SesRecord::from_json`] without the quick reader.
    fn from_json_serde(text: &'a str) -> Result<Self, SesError> {
        serde_json::from_str(text).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                SesError::Json(e.to_string())
            } else {
                SesError::Invalid(e.to_string())
            }
        })
    }

    /// Whether a JSON text starts with a member of an SES event (`{"eventType"`, `{"mail"`,
    /// `{"bounce"`…, spaces allowed): worth parsing as an SES event before anything else. SES
    /// writes `eventType` first, but an archive re-serialised with sorted keys starts with
    /// `bounce` or `delivery`. A cheap look at the first bytes, so a Lambda event (`Records`),
    /// an SNS envelope (`Type`) or an EventBridge event is not parsed twice.
    pub fn looks_like(text: &str) -> bool {
        const FIRST_MEMBERS: [&str; 13] = [
            "\"eventType\"",
            "\"notificationType\"",
            "\"mail\"",
            "\"bounce\"",
            "\"complaint\"",
            "\"delivery\"",
            "\"deliveryDelay\"",
            "\"open\"",
            "\"click\"",
            "\"subscription\"",
            "\"reject\"",
            "\"failure\"",
            "\"send\"",
        ];
        starts_with_member(text, &FIRST_MEMBERS)
    }

    /// Whether the document names an SES type at all.
    pub fn has_type(&self) -> bool {
        self.event_type.is_some() || self.notification_type.is_some()
    }

    /// Whether [`crate::envelope::read`] would take this document, as it is, for an SES event:
    /// it names an SES type and is neither a Lambda event (`Records`) nor a Lambda invocation
    /// record (`requestContext` and `requestPayload`). ses-events then counts it from this one
    /// parse, without the envelope reader's probe (the outcome is the same either way; a
    /// document that is not plain goes through the envelope reader).
    pub fn is_plain(&self) -> bool {
        self.has_type()
            && self.records.is_none()
            && (self.request_context.is_none() || self.request_payload.is_none())
    }

    /// Turns the record into an [`SesEvent`], or says why it is not one.
    pub fn into_event(mut self) -> Result<SesEvent<'a>, SesError> {
        self.take_event()
    }

    /// [`SesRecord::into_event`] of a record that stays where it is (the values the event needs
    /// are taken out of it): ses-events counts records it read in place.
    pub fn take_event(&mut self) -> Result<SesEvent<'a>, SesError> {
        let kind = match (&self.event_type, &self.notification_type) {
            (Some(t), _) => {
                EventKind::from_event_type(t).ok_or_else(|| SesError::UnknownType(t.to_string()))?
            }
            (None, Some(t)) => match t.as_ref() {
                "Bounce" => EventKind::Bounce,
                "Complaint" => EventKind::Complaint,
                "Delivery" => EventKind::Delivery,
                "AmazonSnsSubscriptionSucceeded" => return Err(SesError::SetupNotice),
                other => return Err(SesError::UnknownType(other.to_string())),
            },
            (None, None) => return Err(SesError::NotSes),
        };
        let mail = self.mail.take().unwrap_or_default();
        let mut ev = SesEvent {
            kind,
            timestamp: None,
            message_id: mail.message_id,
            recipients: Vec::new(),
            tags: mail.tags,
            bounce_type: None,
            subtype: None,
            smtp: Vec::new(),
            latency_ms: None,
            latency_unusable: false,
        };
        let detail_ts: Option<Cow<'a, str>> = match kind {
            EventKind::Bounce => {
                let b = self.bounce.take().ok_or(SesError::MissingDetail(kind, "bounce"))?;
                ev.bounce_type = Some(BounceType::parse(b.bounce_type.as_deref()));
                ev.subtype = b.bounce_sub_type;
                (ev.recipients, ev.smtp) = b
                    .bounced_recipients
                    .into_iter()
                    .filter_map(|r| {
                        let reply = SmtpReply { status: r.status, diagnostic: r.diagnostic_code };
                        r.email_address.map(|a| (a, reply))
                    })
                    .unzip();
                b.timestamp
            }
            EventKind::Complaint => {
                let c = self.complaint.take().ok_or(SesError::MissingDetail(kind, "complaint"))?;
                ev.subtype = c.complaint_sub_type.or(c.complaint_feedback_type);
                ev.recipients = entries(c.complained_recipients);
                c.timestamp
            }
            EventKind::Delivery => {
                let d = self.delivery.take().ok_or(SesError::MissingDetail(kind, "delivery"))?;
                match Latency::read(d.processing_time_millis) {
                    Latency::Millis(ms) => ev.latency_ms = Some(ms),
                    Latency::Unusable => ev.latency_unusable = true,
                    Latency::Absent => {}
                }
                ev.recipients = d.recipients;
                d.timestamp
            }
            EventKind::DeliveryDelay => {
                let d = self.delivery_delay.take().ok_or(SesError::MissingDetail(kind, "deliveryDelay"))?;
                ev.subtype = d.delay_type;
                ev.recipients = entries(d.delayed_recipients);
                d.timestamp
            }
            EventKind::Open => self.open.take().and_then(|o| o.timestamp),
            EventKind::Click => self.click.take().and_then(|o| o.timestamp),
            EventKind::Subscription => self.subscription.take().and_then(|o| o.timestamp),
            EventKind::Reject => {
                ev.subtype = self.reject.take().and_then(|r| r.reason);
                None
            }
            EventKind::RenderingFailure => {
                ev.subtype = self.failure.take().and_then(|f| f.template_name);
                None
            }
            EventKind::Send => None,
        };
        if ev.recipients.is_empty() {
            // Send, Reject, Rendering Failure, Open, Click, Subscription (and a detail object
            // that lists nobody, as some old delivery notifications do) concern the envelope.
            ev.recipients = mail.destination;
        }
        ev.timestamp = detail_ts
            .as_deref()
            .and_then(time::parse_rfc3339)
            .or_else(|| mail.timestamp.as_deref().and_then(time::parse_rfc3339));
        Ok(ev)
    }
}

fn entries(v: Vec<RecipientEntry<'_>>) -> Vec<Cow<'_, str>> {
    v.into_iter().filter_map(|r| r.email_address).collect()
}

/// A list of recipient objects that tolerates `null` (none).
fn entries_lenient<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<RecipientEntry<'a>>, D::Error> {
    Ok(Option::<Vec<RecipientEntry<'a>>>::deserialize(d)?.unwrap_or_default())
}

/// The `tags` map (`{"name": ["value", …]}`), keeping the first string value of each tag and
/// tolerating `null`, a bare string value, and empty lists. Names and values are borrowed from
/// the input, and no list is built for a tag: its first string is kept as it is read.
fn tags_lenient<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Tags<'a>, D::Error> {
    struct V<'a>(std::marker::PhantomData<&'a ()>);
    impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
        type Value = Tags<'a>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of tags")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
            while let Some(key) = map.next_key::<borrow::Str<'a>>()? {
                if let Some(value) = map.next_value_seed(FirstString(std::marker::PhantomData))? {
                    out.push((key.0, value));
                }
            }
            Ok(out)
        }
    }
    d.deserialize_any(V(std::marker::PhantomData))
}

/// A tag's value list read as [`lenient::strings`] reads it (a list whose non-string items are
/// dropped, a lone string, `null`), keeping only the first string.
struct FirstString<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> de::DeserializeSeed<'de> for FirstString<'a> {
    type Value = Option<Cow<'a, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for FirstString<'a> {
    type Value = Option<Cow<'a, str>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut first = None;
        while let Some(item) = seq.next_element::<lenient::Text<'a>>()? {
            if first.is_none() {
                first = item.into_string();
            }
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(json: &str) -> Result<SesEvent<'_>, SesError> {
        SesRecord::from_json(json)?.into_event()
    }

    /// SES's own order and a sorted re-serialisation are both taken for SES events (parsed once);
    /// the envelopes around them are not (the envelope reader reads those).
    #[test]
    fn looks_like_any_first_member_of_an_ses_event() {
        for text in [
            r#"{"eventType":"Send","mail":{}}"#,
            r#"{ "notificationType":"Bounce"}"#,
            r#"{"bounce":{},"eventType":"Bounce","mail":{}}"#,
            r#"{"delivery":{},"eventType":"Delivery"}"#,
            r#"{"deliveryDelay":{},"eventType":"DeliveryDelay"}"#,
            r#"{"mail":{},"send":{},"eventType":"Send"}"#,
        ] {
            assert!(SesRecord::looks_like(text), "{text}");
        }
        for text in [
            r#"{"Records":[]}"#,
            r#"{"Type":"Notification","Message":"{}"}"#,
            r#"{"version":"0","source":"aws.ses","detail":{}}"#,
            r#"{"requestContext":{},"requestPayload":{}}"#,
            r#"["eventType"]"#,
            // the whole first key, not a part of it
            r#"{"mailbox":{}}"#,
            r#"{"eventTypes":"Send"}"#,
            r#"{"event\u0054ype":"Send"}"#,
            r#"{"eventType"#,
            r#"{eventType:1}"#,
        ] {
            assert!(!SesRecord::looks_like(text), "{text}");
        }
    }

    /// The SES record of an EventBridge SES event, and nothing where the envelope reader would read
    /// the document another way (another source, another shape's member, no detail).
    #[test]
    fn eventbridge_record_gives_the_ses_detail_only_for_aws_ses() {
        let ses = r#"{"eventType":"Send","mail":{"destination":["a@b.com"]}}"#;
        let eb = |extra: &str, source: &str| {
            format!(
                r#"{{"version":"0","detail-type":"Email Sent","source":"{source}"{extra},"detail":{ses}}}"#
            )
        };
        fn rec(t: &str) -> Option<SesRecord<'_>> {
            EventBridgeRecord::from_json(t).and_then(EventBridgeRecord::ses)
        }
        let text = eb("", "aws.ses");
        assert!(EventBridgeRecord::looks_like(&text));
        let got = rec(&text).expect("an EventBridge SES event");
        assert_eq!(got.into_event().unwrap().recipients, vec!["a@b.com"]);
        assert!(rec(&eb("", "aws.events")).is_none());
        for member in [
            r#","Records":[]"#,
            r#","Type":"Notification""#,
            r#","eventType":"Send""#,
            r#","requestContext":{},"requestPayload":{}"#,
        ] {
            assert!(rec(&eb(member, "aws.ses")).is_none(), "{member}");
        }
        assert!(rec(r#"{"version":"0","source":"aws.ses"}"#).is_none());
        // a detail that is not an SES record: left to the envelope reader
        assert!(EventBridgeRecord::from_json(r#"{"source":"aws.ses","detail":{"mail":5}}"#).is_none());
    }

    #[test]
    fn index_is_the_position_in_all() {
        for (i, k) in EventKind::ALL.iter().enumerate() {
            assert_eq!(k.index(), i, "{k:?}");
        }
    }

    #[test]
    fn rendering_failure_has_a_space() {
        let e = ev(r#"{"eventType":"Rendering Failure","mail":{"destination":["a@b.com"]},
            "failure":{"templateName":"T","errorMessage":"x"}}"#)
        .unwrap();
        assert_eq!(e.kind, EventKind::RenderingFailure);
        assert_eq!(e.recipients, vec!["a@b.com"]);
        assert_eq!(e.subtype.as_deref(), Some("T"));
    }

    #[test]
    fn bounce_takes_bounced_recipients_and_own_timestamp() {
        let e = ev(r#"{"notificationType":"Bounce","mail":{"timestamp":"2020-01-01T00:00:00Z",
            "destination":["a@x.com","b@y.com"],"tags":{"EmailType":["welcome"],"x":[]}},
            "bounce":{"bounceType":"Permanent","bounceSubType":"NoEmail",
            "bouncedRecipients":[{"emailAddress":"b@y.com"}],"timestamp":"2020-01-01T00:05:00.5Z"}}"#)
        .unwrap();
        assert_eq!(e.kind, EventKind::Bounce);
        assert_eq!(e.recipients, vec!["b@y.com"]);
        assert_eq!(e.bounce_type, Some(BounceType::Permanent));
        assert_eq!(e.subtype.as_deref(), Some("NoEmail"));
        assert_eq!(e.timestamp.unwrap().to_rfc3339(), "2020-01-01T00:05:00.500+00:00");
        assert_eq!(e.tags.len(), 1);
    }

    #[test]
    fn lenient_fields() {
        let e = ev(r#"{"eventType":"Delivery","mail":{"destination":"solo@x.com","tags":null},
            "delivery":{"processingTimeMillis":"processing-time","recipients":[1,"r@x.com",null]}}"#)
        .unwrap();
        assert_eq!(e.latency_ms, None);
        assert_eq!(e.recipients, vec!["r@x.com"]);
        let e = ev(r#"{"eventType":"Delivery","mail":{},"delivery":{"processingTimeMillis":"42"}}"#).unwrap();
        assert_eq!(e.latency_ms, Some(42));
    }

    /// `1e23` was published as 18446744073709551615 (a saturated cast) and `1e400` lost the whole
    /// event (serde refuses a number out of f64's range). Now both are an unusable latency of a
    /// delivery that still counts.
    #[test]
    fn implausible_latencies_are_dropped_and_the_delivery_kept() {
        let delivery = |ms: &str| {
            format!(
                r#"{{"eventType":"Delivery","mail":{{"destination":["a@x.com"]}},"delivery":{{"processingTimeMillis":{ms},"recipients":["a@x.com"]}}}}"#
            )
        };
        for (ms, want) in [
            ("1e23", None),
            ("1e400", None),
            ("-1e400", None),
            ("-5", None),
            ("18446744073709551616", None),
            ("18446744073709551615", None),
            ("86400001", None),
            ("\"1e23\"", None),
            ("true", None),
            ("[1]", None),
            ("{\"a\":1}", None),
            ("86400000", Some(86_400_000)),
            ("1500.4", Some(1500)),
            ("1.5e3", Some(1500)),
            ("0", Some(0)),
            ("\" 42 \"", Some(42)),
        ] {
            let text = delivery(ms);
            let e = ev(&text).unwrap_or_else(|err| panic!("{ms}: the delivery is lost: {err}"));
            assert_eq!(e.kind, EventKind::Delivery);
            assert_eq!(e.recipients, vec!["a@x.com"], "{ms}");
            assert_eq!(e.latency_ms, want, "{ms}");
            assert_eq!(e.latency_unusable, want.is_none(), "{ms}");
        }
        for absent in ["null", "\"\""] {
            let text = delivery(absent);
            let e = ev(&text).unwrap();
            assert_eq!(e.latency_ms, None);
            assert_eq!(e.latency_unusable, absent != "null", "{absent}");
        }
        let e = ev(r#"{"eventType":"Delivery","mail":{},"delivery":{"recipients":["a@x.com"]}}"#).unwrap();
        assert_eq!((e.latency_ms, e.latency_unusable), (None, false));
    }

    #[test]
    fn offsets_and_fallback_timestamps() {
        let e = ev(r#"{"notificationType":"Complaint","mail":{"timestamp":"2012-05-25T14:59:38.613-07:00"},
            "complaint":{"complainedRecipients":[{"emailAddress":"c@d.com"}],"complaintSubType":null,
            "complaintFeedbackType":"abuse"}}"#)
        .unwrap();
        assert_eq!(e.timestamp.unwrap().to_rfc3339(), "2012-05-25T21:59:38.613+00:00");
        assert_eq!(e.subtype.as_deref(), Some("abuse"));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(ev(r#"{"foo":1}"#).unwrap_err(), SesError::NotSes);
        assert_eq!(
            ev(r#"{"notificationType":"AmazonSnsSubscriptionSucceeded","message":"x"}"#).unwrap_err(),
            SesError::SetupNotice
        );
        assert_eq!(ev(r#"{"eventType":"Teleport"}"#).unwrap_err(), SesError::UnknownType("Teleport".into()));
        assert_eq!(
            ev(r#"{"eventType":"Bounce","mail":{}}"#).unwrap_err(),
            SesError::MissingDetail(EventKind::Bounce, "bounce")
        );
        assert!(matches!(ev(r#"{"eventType":"Send","mail":"x"}"#), Err(SesError::Invalid(_))));
        assert!(matches!(ev(r#"{"eventType":"Send","mail":{"#), Err(SesError::Json(_))));
        // null lists and non-string times are tolerated
        let e = ev(r#"{"eventType":"Bounce","mail":{"timestamp":5,"destination":["a@b.com"]},
            "bounce":{"bounceType":"Permanent","bouncedRecipients":null,"timestamp":null}}"#)
        .unwrap();
        assert_eq!(e.recipients, vec!["a@b.com"]);
        assert_eq!(e.timestamp, None);
    }
}
