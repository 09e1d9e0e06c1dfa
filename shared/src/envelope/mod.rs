//! The one envelope reader of all three functions: an invocation payload unwrapped down to the
//! documents it carries, whatever those are (SES events, alarm notifications, a report request).
//!
//! The transport is read here, once for every function:
//! - an SNS→Lambda event: `Records[].Sns.Message` is the document as a JSON string;
//! - an SQS→Lambda event: `Records[].body` is an SNS envelope (raw message delivery off) or the
//!   document itself (raw delivery on); when a dead-letter queue is redriven into the queue, a
//!   Lambda invocation record or an SNS→Lambda event saved whole;
//! - an SNS envelope on its own (`{"Type":"Notification","Message":…}`, as HTTP endpoints and SQS
//!   bodies carry it), SNS control messages (acknowledged), plain-text messages (skipped);
//! - a Lambda invocation record (what an on-failure destination receives, when the
//!   failed-invocations queue is replayed): read as the event inside, at most
//!   [`MAX_RECORD_NESTING`] deep;
//! - a UTF-8 BOM and surrounding whitespace; a JSON-lines file (an archive, for backfill).
//!
//! What a document *is* is the payload kind's decision ([`Contents`]): ses-events claims objects
//! with `eventType`/`notificationType` and opens EventBridge SES events; alarm-suppressor claims
//! alarm JSON, alarm actions and EventBridge events. rate-reporter's request is read with
//! [`invocation_payload`] (a schedule sends no batches).
//!
//! Each document found becomes a [`Unit`]; anything that is not one becomes a [`Skip`] with a
//! transport-level reason, so one bad record never loses the rest of a batch; each function maps
//! these reasons to its own codes. The SNS/SQS record types are our own borrowed, lenient ones
//! rather than `aws_lambda_events::sns::SnsMessage`, whose ten required fields and owned strings
//! reject real minimal envelopes and cost a copy of every message.

mod quick;
pub(crate) use quick::PROBE_KEYS;
pub mod wrap;

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use std::convert::Infallible;

use crate::cursor::{Cursor, Written};
use crate::platform::lines::lines_of;

/// Why the transport gave no document. The code (`as_str`) appears in logs and results; each
/// function maps these to its own reason codes (alarm-suppressor calls an unrecognised payload
/// `not_an_alarm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    /// Not JSON, or broken JSON.
    InvalidJson,
    /// JSON of a shape that is neither a Lambda event, an envelope nor the kind's own document.
    UnrecognisedPayload,
    /// An SNS record or envelope without a `Message`, an SQS record without a `body`.
    MissingMessage,
    /// An SNS message or SQS body that is plain text, not JSON.
    PlainTextMessage,
    /// SES's plain-text notice that a topic was validated for event publishing (benign).
    SesTopicValidated,
    /// SNS `SubscriptionConfirmation` / `UnsubscribeConfirmation` (benign).
    SnsControlMessage,
}

impl SkipReason {
    /// Stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::UnrecognisedPayload => "unrecognised_payload",
            Self::MissingMessage => "missing_sns_message",
            Self::PlainTextMessage => "plain_text_message",
            Self::SesTopicValidated => "ses_topic_validated_notice",
            Self::SnsControlMessage => "sns_control_message",
        }
    }

    /// Whether this is bad input (an SQS record with it is reported as failed, so it is retried
    /// and ends in the dead-letter queue) rather than an expected non-event that is acknowledged.
    pub fn is_bad_input(self) -> bool {
        !matches!(self, Self::SesTopicValidated | Self::SnsControlMessage)
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record that was not counted, with a reason and a short human detail for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// The reason code.
    pub reason: SkipReason,
    /// A short explanation (never a recipient address).
    pub detail: String,
}

impl Skip {
    /// A skip with a detail text.
    pub fn new(reason: SkipReason, detail: impl Into<String>) -> Self {
        Self { reason, detail: detail.into() }
    }
}

/// Where a unit came from, for logs and SQS partial-batch answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin<'a> {
    /// The payload itself (or one line of a JSON-lines file, numbered from 1).
    Direct(usize),
    /// The n-th record (from 0) of an SNS→Lambda event.
    SnsRecord(usize),
    /// An SQS record, by its `messageId`.
    SqsRecord(Cow<'a, str>),
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Direct(0) => f.write_str("payload"),
            Origin::Direct(n) => write!(f, "line {n}"),
            Origin::SnsRecord(i) => write!(f, "SNS record {i}"),
            Origin::SqsRecord(id) => write!(f, "SQS message {id}"),
        }
    }
}

/// One document found in the payload, or why there is none.
#[derive(Debug)]
pub struct Unit<'a> {
    /// Where it came from.
    pub origin: Origin<'a>,
    /// The document's JSON text (borrowed, or unescaped from an SNS `Message` string).
    pub content: Result<Cow<'a, str>, Skip>,
}

/// Where the reader puts what it finds. A `Vec<Unit>` collects the units; a function's own
/// receiver handles each one as it comes (ses-events counts it at once), and may read a document
/// of its own kind itself, so the reader does not probe a document that the receiver then parses
/// again.
pub trait Units<'a> {
    /// A unit found in the payload.
    fn push(&mut self, unit: Unit<'a>);

    /// A unit whose text lives only during the call: a document inside an SQS body that had to be
    /// unescaped (every JSON body has escapes). By default it is copied into a [`Unit`]; a
    /// receiver that handles units at once reads it without the copy.
    fn push_transient(&mut self, origin: Origin<'a>, content: &str) {
        self.push(Unit { origin, content: Ok(Cow::Owned(content.to_owned())) })
    }

    /// Offered each document before the reader probes it: the payload itself, each line of a
    /// JSON-lines payload, each SQS body (BOM and surrounding whitespace removed). `true` when
    /// the receiver has read the document itself (and answered for it); by default `false`.
    fn own_document(&mut self, origin: &Origin<'a>, text: &str) -> bool {
        let _ = (origin, text);
        false
    }
}

/// Which string of a Lambda record holds a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// An SQS record's `body`.
    Body,
    /// The `Message` of an SNS record, or of the SNS envelope an SQS body is.
    Message,
}

/// A receiver's documents read where they lie inside a Lambda record's strings (an SNS
/// `Message`, an SQS body), as the quick reader meets them: the document is not unescaped first
/// (`cursor.rs`: an SES event in an SNS envelope in an SQS body is escaped twice). Each method
/// reads at the cursor, at the level the document is escaped at, exactly what the receiver would
/// read of the unescaped text (a `Message` as a unit's content, a body as
/// [`Units::own_document`] reads one), and `None` for anything else: the string is then kept as
/// written and read as before.
pub(crate) trait InPlace<'a> {
    /// What is read.
    type Doc;
    /// Whether anything is read (the quick reader does not try otherwise).
    const READS: bool = true;
    /// The document inside an SNS `Message`.
    fn message<const L: usize>(c: &mut Cursor<'a, L>) -> Option<Self::Doc>;
    /// The document inside an SQS body (an SNS envelope there is the reader's: its `Message` is
    /// read with [`InPlace::message`]).
    fn body<const L: usize>(c: &mut Cursor<'a, L>) -> Option<Self::Doc>;
}

/// Reads nothing in place: [`read`] for any receiver.
pub(crate) enum Nothing {}

impl<'a> InPlace<'a> for Nothing {
    type Doc = Infallible;
    const READS: bool = false;
    fn message<const L: usize>(_: &mut Cursor<'a, L>) -> Option<Infallible> {
        None
    }
    fn body<const L: usize>(_: &mut Cursor<'a, L>) -> Option<Infallible> {
        None
    }
}

/// A receiver of documents read in place ([`InPlace`]): it answers for each as for a unit.
pub(crate) trait Owns<'a, D>: Units<'a> {
    /// A document read in place, from `origin`; it stays where it was read (an SES record is
    /// 648 bytes: the receiver takes what it needs out of it).
    fn own(&mut self, origin: &Origin<'a>, doc: &mut D);
}

impl<'a, U: Units<'a>> Owns<'a, Infallible> for U {
    fn own(&mut self, _: &Origin<'a>, doc: &mut Infallible) {
        match *doc {}
    }
}

impl<'a> Units<'a> for Vec<Unit<'a>> {
    fn push(&mut self, unit: Unit<'a>) {
        Vec::push(self, unit);
    }
}

/// The SNS `Message` member: normally a JSON string (the SES JSON, escaped), in some hand-made
/// envelopes an object.
enum Msg<'a> {
    /// Unescaped (the serde probe).
    Text(Cow<'a, str>),
    /// As written in the payload (the quick reader).
    Written(Written<'a>),
    Raw(&'a RawValue),
}

impl<'a> Msg<'a> {
    /// The text of a string `Message`, unescaped.
    fn text(self) -> Result<Cow<'a, str>, Self> {
        match self {
            Msg::Text(t) => Ok(t),
            Msg::Written(w) => w.unescape().ok_or(self),
            Msg::Raw(_) => Err(self),
        }
    }
}

/// An SQS record's `body`: unescaped (the serde probe), or as written in the payload (the quick
/// reader).
enum Body<'a> {
    Text(Cow<'a, str>),
    Written(Written<'a>),
}

impl<'a> Body<'a> {
    /// The body, unescaped.
    fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Body::Text(t) => Some(t),
            Body::Written(w) => w.unescape(),
        }
    }
}

/// A JSON string, borrowed from the payload when it has no escapes. (A plain `Cow` borrows only
/// under `#[serde(borrow)]`, which a generic field cannot carry.)
#[derive(Deserialize)]
#[serde(transparent)]
struct Str<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'a> From<Str<'a>> for Msg<'a> {
    fn from(s: Str<'a>) -> Self {
        Msg::Text(s.0)
    }
}

impl<'a> From<&'a RawValue> for Msg<'a> {
    fn from(raw: &'a RawValue) -> Self {
        Msg::Raw(raw)
    }
}

/// Every key that tells the shapes apart, for every kind of document this crate reads (one pass
/// over the payload reads them all); all optional, everything else ignored. Read two ways:
/// [`FastProbe`] takes records and SNS messages typed, unescaping them in the same pass that
/// reads the payload (the fast path); [`RawProbe`] keeps them raw, the fallback for a payload
/// where some record does not fit, so each record is read on its own.
#[derive(Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>, M: Deserialize<'de>"))]
struct Probe<'a, R, M> {
    #[serde(rename = "Records", default)]
    records: Option<Vec<R>>,
    #[serde(rename = "Type", borrow, default, deserialize_with = "crate::borrow::opt")]
    sns_type: Option<Cow<'a, str>>,
    #[serde(rename = "Message", default)]
    message: Option<M>,
    #[serde(rename = "eventType", default)]
    event_type: Option<IgnoredAny>,
    #[serde(rename = "notificationType", default)]
    notification_type: Option<IgnoredAny>,
    #[serde(rename = "AlarmName", default)]
    alarm_name: Option<IgnoredAny>,
    #[serde(rename = "alarmData", default)]
    alarm_data: Option<IgnoredAny>,
    #[serde(borrow, default, deserialize_with = "crate::borrow::opt")]
    source: Option<Cow<'a, str>>,
    #[serde(rename = "detail-type", alias = "detailType", default)]
    detail_type: Option<IgnoredAny>,
    #[serde(borrow, default)]
    detail: Option<&'a RawValue>,
    #[serde(rename = "requestContext", default)]
    request_context: Option<IgnoredAny>,
    #[serde(rename = "requestPayload", borrow, default)]
    request_payload: Option<&'a RawValue>,
}

type FastProbe<'a> = Probe<'a, LambdaRecord<'a, Str<'a>>, Str<'a>>;
type RawProbe<'a> = Probe<'a, &'a RawValue, &'a RawValue>;

impl<'a, R, M: Into<Msg<'a>>> Probe<'a, R, M> {
    fn into_shape(self, record: impl FnMut(R) -> RecordResult<'a>) -> Shape<'a> {
        Shape {
            records: self.records.map(|rs| rs.into_iter().map(record).collect()),
            sns_type: self.sns_type,
            message: self.message.map(Into::into),
            keys: Keys {
                ses_type: self.event_type.is_some() || self.notification_type.is_some(),
                alarm: self.alarm_name.is_some() || self.alarm_data.is_some(),
                event_bridge: self.detail.is_some() || self.detail_type.is_some(),
                source: self.source,
                detail: self.detail,
            },
            failed_event: self.request_payload.filter(|_| self.request_context.is_some()),
        }
    }
}

/// What a document that is not a Lambda event says about itself: the keys a payload kind
/// ([`Contents`]) decides by.
#[derive(Debug, Default)]
pub struct Keys<'a> {
    /// It has an SES `eventType` or `notificationType`.
    pub ses_type: bool,
    /// It has a CloudWatch alarm's `AlarmName` (SNS alarm JSON) or `alarmData` (alarm action).
    pub alarm: bool,
    /// It has an EventBridge `detail` or `detail-type`.
    pub event_bridge: bool,
    /// Its `source` (EventBridge), when a string.
    pub source: Option<Cow<'a, str>>,
    /// Its `detail` (EventBridge), raw.
    pub detail: Option<&'a RawValue>,
}

/// A kind of document the reader is asked for: what a function reads out of its payloads.
pub trait Contents {
    /// Whether a payload that is not one JSON document may be a JSON-lines file of documents
    /// (ses-events' backfill of an archive); otherwise it is invalid JSON.
    const JSON_LINES: bool = false;

    /// Whether a JSON object (not a Lambda event) is itself this kind's document, read whole
    /// before anything is taken for an SNS envelope.
    fn is_own(keys: &Keys<'_>) -> bool;

    /// A JSON object that is neither this kind's document nor an SNS envelope: the part of it to
    /// read (an EventBridge event's `detail`), or why there is nothing.
    fn other<'a>(keys: &Keys<'a>) -> Result<&'a str, Skip>;
}

/// A Lambda record of either service; its SNS message typed (`M` = [`Str`]) or raw.
#[derive(Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
struct LambdaRecord<'a, M> {
    #[serde(
        rename = "EventSource",
        alias = "eventSource",
        borrow,
        default,
        deserialize_with = "crate::borrow::opt"
    )]
    event_source: Option<Cow<'a, str>>,
    #[serde(rename = "Sns", default)]
    sns: Option<SnsPart<'a, M>>,
    #[serde(borrow, default, deserialize_with = "crate::borrow::opt")]
    body: Option<Cow<'a, str>>,
    #[serde(rename = "messageId", borrow, default, deserialize_with = "crate::borrow::opt")]
    message_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "M: Deserialize<'de>"))]
struct SnsPart<'a, M> {
    #[serde(rename = "Type", borrow, default, deserialize_with = "crate::borrow::opt")]
    sns_type: Option<Cow<'a, str>>,
    #[serde(rename = "Message", default)]
    message: Option<M>,
}

/// Just enough of a record to answer for it: an SQS record that cannot be read (its `body` is not
/// a string, say) must still be named in `batchItemFailures`, or SQS would delete it unread.
#[derive(Deserialize)]
struct RecordId {
    #[serde(rename = "eventSource", alias = "EventSource", default)]
    event_source: Option<String>,
    #[serde(rename = "messageId", default)]
    message_id: Option<String>,
}

fn unusable_record(raw: &RawValue, e: &serde_json::Error) -> (Option<String>, Skip) {
    let id = serde_json::from_str::<RecordId>(raw.get()).ok();
    let sqs_id = id
        .filter(|r| r.event_source.as_deref() == Some("aws:sqs") || r.message_id.is_some())
        .map(|r| r.message_id.unwrap_or_else(|| "unknown".into()));
    (sqs_id, Skip::new(SkipReason::UnrecognisedPayload, format!("record is not an SNS or SQS record: {e}")))
}

/// A record read, or why not (with its SQS message id when it has one).
type RecordResult<'a, D = Infallible> = Result<RecordShape<'a, D>, (Option<String>, Skip)>;

/// What either probe found, in one form.
struct Shape<'a, D = Infallible> {
    records: Option<Vec<RecordResult<'a, D>>>,
    sns_type: Option<Cow<'a, str>>,
    message: Option<Msg<'a>>,
    keys: Keys<'a>,
    /// The `requestPayload` of a Lambda invocation record (what an on-failure destination
    /// receives): the event the function failed on.
    failed_event: Option<&'a RawValue>,
}

struct RecordShape<'a, D = Infallible> {
    event_source: Option<Cow<'a, str>>,
    /// `Type` and `Message` (absent when read in place).
    sns: Option<(Option<Cow<'a, str>>, Option<Msg<'a>>)>,
    /// Absent when read in place.
    body: Option<Body<'a>>,
    message_id: Option<Cow<'a, str>>,
    /// The document of its `Message` or body, read in place ([`InPlace`]).
    in_place: Option<(Part, D)>,
}

impl<'a, M: Into<Msg<'a>>> From<LambdaRecord<'a, M>> for RecordShape<'a> {
    fn from(r: LambdaRecord<'a, M>) -> Self {
        Self {
            event_source: r.event_source,
            sns: r.sns.map(|s| (s.sns_type, s.message.map(Into::into))),
            body: r.body.map(Body::Text),
            message_id: r.message_id,
            in_place: None,
        }
    }
}

/// How many Lambda invocation records may wrap an event: a replayed record that fails again is
/// wrapped once more. Deeper nesting is refused (unbounded, it would recurse until the stack
/// overflows).
pub const MAX_RECORD_NESTING: usize = 3;

/// Reads one JSON document into a [`Shape`], with the text it describes. A Lambda invocation
/// record (the on-failure destination's, when a dead-letter queue is replayed) is read as the
/// event it holds, as if that came itself.
fn probe(text: &str) -> Result<(Shape<'_>, &str), serde_json::Error> {
    probe_with(text, probe_one)
}

/// [`probe`], each document read with `read_one`.
fn probe_with<'a>(
    text: &'a str,
    read_one: impl Fn(&'a str) -> Result<Shape<'a>, serde_json::Error>,
) -> Result<(Shape<'a>, &'a str), serde_json::Error> {
    follow_records(text, read_one, |shape| match shape.records {
        None => shape.failed_event,
        Some(_) => None,
    })
}

/// Reads `text` with `read`, and while what it read is a Lambda invocation record (`record_of`
/// gives its `requestPayload`), reads the event inside instead: at most [`MAX_RECORD_NESTING`]
/// times, in a loop (a recursion would follow 20,000 nested records until the stack overflows).
/// Returns the last document read and its text; whether that is still a record is for the caller
/// to refuse.
fn follow_records<'a, T, E>(
    text: &'a str,
    read: impl Fn(&'a str) -> Result<T, E>,
    record_of: impl Fn(&T) -> Option<&'a RawValue>,
) -> Result<(T, &'a str), E> {
    let (mut doc, mut text) = (read(text)?, text);
    for _ in 0..MAX_RECORD_NESTING {
        match record_of(&doc) {
            Some(event) => {
                text = event.get();
                doc = read(text)?;
            }
            None => break,
        }
    }
    Ok((doc, text))
}

/// The two members that make a document a Lambda invocation record.
#[derive(Deserialize)]
struct RecordProbe<'a> {
    #[serde(rename = "requestContext", default)]
    request_context: Option<IgnoredAny>,
    #[serde(rename = "requestPayload", borrow, default)]
    request_payload: Option<&'a RawValue>,
}

impl<'a> RecordProbe<'a> {
    fn failed_event(&self) -> Option<&'a RawValue> {
        self.request_payload.filter(|_| self.request_context.is_some())
    }
}

/// The event a payload stands for: a Lambda invocation record (what an on-failure destination
/// receives, when a failed-invocations queue is replayed) is unwrapped to its `requestPayload`,
/// through at most [`MAX_RECORD_NESTING`] records (a replayed record that fails again is wrapped
/// once more); any other text — another JSON document, or not JSON at all — is returned as it is.
///
/// This is the rule [`read`] applies; rate-reporter, whose schedule sends no batches, reads its
/// request through this part of the reader alone.
///
/// # Errors
/// A [`Skip`] with [`SkipReason::UnrecognisedPayload`] when records are nested deeper than
/// [`MAX_RECORD_NESTING`] (never a recursion: 20,000 levels once overflowed the stack).
pub fn invocation_payload(text: &str) -> Result<&str, Skip> {
    fn record_of<'a>(p: &Option<RecordProbe<'a>>) -> Option<&'a RawValue> {
        p.as_ref().and_then(RecordProbe::failed_event)
    }
    // Not JSON, or not an object: not a record.
    let read = |t| Ok::<_, std::convert::Infallible>(serde_json::from_str::<RecordProbe<'_>>(t).ok());
    let Ok((last, inner)) = follow_records(text, read, record_of);
    match record_of(&last) {
        Some(_) => Err(too_deep()),
        None => Ok(inner),
    }
}

fn too_deep() -> Skip {
    Skip::new(
        SkipReason::UnrecognisedPayload,
        format!("Lambda invocation records nested more than {MAX_RECORD_NESTING} deep"),
    )
}

/// Reads one JSON document into a [`Shape`]: the quick reader when it is sure of the shape (a
/// Lambda event, an SNS envelope), else the typed probe, and the raw one if some member does not
/// fit it.
fn probe_one(text: &str) -> Result<Shape<'_>, serde_json::Error> {
    match quick::shape(text) {
        Some(shape) => Ok(shape),
        None => serde_probe(text),
    }
}

/// [`probe_one`] without the quick reader.
fn serde_probe(text: &str) -> Result<Shape<'_>, serde_json::Error> {
    match serde_json::from_str::<FastProbe<'_>>(text) {
        Ok(p) => Ok(p.into_shape(|r| Ok(r.into()))),
        Err(e) if !e.is_data() => Err(e),
        Err(_) => {
            let p: RawProbe<'_> = serde_json::from_str(text)?;
            Ok(p.into_shape(|raw| {
                serde_json::from_str::<LambdaRecord<'_, &RawValue>>(raw.get())
                    .map(RecordShape::from)
                    .map_err(|e| unusable_record(raw, &e))
            }))
        }
    }
}

/// For tests (`test-util`): where the quick reader reads `text` (and each SQS body in it), it
/// reads what the serde probe reads, and the in-place reading reads a shape wherever it does;
/// `Err` says how they differ.
#[cfg(feature = "test-util")]
pub fn quick_reader_agrees(text: &str) -> Result<bool, String> {
    fn msg(m: &Option<Msg<'_>>) -> String {
        match m {
            None => "-".into(),
            Some(Msg::Text(t)) => format!("text {t:?}"),
            Some(Msg::Written(w)) => match w.unescape() {
                Some(t) => format!("text {t:?}"),
                None => "an unreadable string".into(),
            },
            Some(Msg::Raw(r)) => format!("raw {}", r.get()),
        }
    }
    fn body<'b>(b: &Option<Body<'b>>) -> Option<Cow<'b, str>> {
        match b {
            None => None,
            Some(Body::Text(t)) => Some(t.clone()),
            Some(Body::Written(w)) => w.unescape(),
        }
    }
    fn describe(s: &Shape<'_>) -> String {
        let records: Vec<String> = s
            .records
            .iter()
            .flatten()
            .map(|r| match r {
                Ok(r) => format!(
                    "{:?} sns={:?} body={:?} id={:?}",
                    r.event_source,
                    r.sns.as_ref().map(|(t, m)| (t, msg(m))),
                    body(&r.body),
                    r.message_id
                ),
                Err((id, skip)) => format!("unusable {id:?} {skip:?}"),
            })
            .collect();
        format!(
            "records={:?} {records:?} type={:?} message={} keys={:?} failed={:?}",
            s.records.as_ref().map(Vec::len),
            s.sns_type,
            msg(&s.message),
            s.keys,
            s.failed_event.map(RawValue::get)
        )
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim();
    // `read_with` relies on this: where the in-place reading reads no shape, the quick reader
    // reads none either
    if quick::shape_in_place::<crate::ses::SesInPlace>(text).is_none() && quick::shape(text).is_some() {
        return Err("the quick reader reads a shape the in-place reading refuses".into());
    }
    let Some(quick) = quick::shape(text) else { return Ok(false) };
    let probed =
        serde_probe(text).map_err(|e| format!("the quick reader took a text the probe refuses ({e})"))?;
    let (q, p) = (describe(&quick), describe(&probed));
    if q != p {
        return Err(format!("quick: {q}\n  probe: {p}"));
    }
    for text in quick.records.iter().flatten().filter_map(|r| body(&r.as_ref().ok()?.body)) {
        quick_reader_agrees(trim_body(&text))?;
    }
    Ok(true)
}

/// Splits one payload into the documents of kind `C` it carries, appending them to `out`.
///
/// Accepts a UTF-8 BOM and surrounding whitespace. A payload that is not one JSON document but
/// whose first line is (a JSON-lines archive) is read line by line.
pub fn read<'a, C: Contents>(text: &'a str, out: &mut impl Units<'a>) {
    read_with::<C, Nothing>(text, out);
}

/// [`read`], the documents of a Lambda event's records read where they lie by `R` and handed
/// to `out` ([`Owns::own`]) when it can: ses-events' path (issue 13: an SES event in an SNS
/// envelope in an SQS body was unescaped twice, then parsed).
pub(crate) fn read_in_place<'a, C: Contents, R: InPlace<'a>>(text: &'a str, out: &mut impl Owns<'a, R::Doc>) {
    read_with::<C, R>(text, out);
}

fn read_with<'a, C: Contents, R: InPlace<'a>>(text: &'a str, out: &mut impl Owns<'a, R::Doc>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).trim();
    if out.own_document(&Origin::Direct(0), text) {
        return;
    }
    // What the probe would read first (the quick reader's shapes are never invocation records).
    // When the quick reader reads no shape in place, it reads none without either (reading in
    // place only adds to what it reads): the probe starts with serde, not with it again.
    let probed = if R::READS {
        match quick::shape_in_place::<R>(text) {
            Some(shape) => return unwrap_shape::<C, R::Doc>(shape, text, Origin::Direct(0), out),
            None => probe_with(text, serde_probe),
        }
    } else {
        probe(text)
    };
    match probed {
        Ok((shape, text)) => unwrap_shape::<C, _>(shape, text, Origin::Direct(0), out),
        Err(e) => {
            // JSON lines: several lines, and one of the first few is a JSON document by itself
            // (so one broken first line does not lose a whole archive).
            let jsonl = C::JSON_LINES
                && text.contains('\n')
                && lines_of(text)
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .take(5)
                    .any(|l| l.starts_with('{') && serde_json::from_str::<IgnoredAny>(l).is_ok());
            if jsonl {
                for (i, line) in lines_of(text).enumerate() {
                    read_line::<C>(i + 1, line, out);
                }
            } else {
                out.push(Unit { origin: Origin::Direct(0), content: Err(json_error(&e)) });
            }
        }
    }
}

/// Reads line `n` (from 1) of a JSON-lines payload, as [`read`] reads each line of one: a blank
/// line is nothing, any other is one document (`Origin::Direct(n)`).
pub fn read_line<'a, C: Contents>(n: usize, line: &'a str, out: &mut impl Units<'a>) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    let origin = Origin::Direct(n);
    if out.own_document(&origin, line) {
        return;
    }
    match probe(line) {
        Ok((shape, line)) => unwrap_shape::<C, _>(shape, line, origin, out),
        Err(e) => out.push(Unit { origin, content: Err(json_error(&e)) }),
    }
}

fn json_error(e: &serde_json::Error) -> Skip {
    if e.is_data() {
        // Valid JSON, but not an object (an array, a string…).
        Skip::new(SkipReason::UnrecognisedPayload, "payload is not a JSON object")
    } else {
        Skip::new(SkipReason::InvalidJson, e.to_string())
    }
}

fn unwrap_shape<'a, C: Contents, D>(
    shape: Shape<'a, D>,
    text: &'a str,
    origin: Origin<'a>,
    out: &mut impl Owns<'a, D>,
) {
    if let Some(mut records) = shape.records {
        if records.is_empty() {
            out.push(Unit {
                origin,
                content: Err(Skip::new(SkipReason::UnrecognisedPayload, "empty Records")),
            });
        }
        // by reference: a record with its document read in place is ~800 bytes, each move a copy
        for (i, rec) in records.iter_mut().enumerate() {
            match rec {
                Ok(rec) => unwrap_record::<C, D>(i, rec, out),
                Err((sqs_id, skip)) => {
                    let origin = match sqs_id.take() {
                        Some(sqs_id) => Origin::SqsRecord(Cow::Owned(sqs_id)),
                        None => Origin::SnsRecord(i),
                    };
                    out.push(Unit { origin, content: Err(skip.clone()) })
                }
            }
        }
        return;
    }
    out.push(Unit { origin, content: document_content::<C, _>(shape, text) });
}

/// The content of a document that is not a Lambda event (no `Records`): the kind's own
/// document, an SNS envelope's message, or what the kind reads of anything else.
fn document_content<'a, C: Contents, D>(shape: Shape<'a, D>, text: &'a str) -> Result<Cow<'a, str>, Skip> {
    if shape.failed_event.is_some() {
        Err(too_deep())
    } else if C::is_own(&shape.keys) {
        Ok(Cow::Borrowed(text))
    } else if shape.message.is_some() || shape.sns_type.is_some() {
        sns_message(shape.sns_type.as_deref(), shape.message)
    } else {
        C::other(&shape.keys).map(Cow::Borrowed)
    }
}

fn unwrap_record<'a, C: Contents, D>(i: usize, rec: &mut RecordShape<'a, D>, out: &mut impl Owns<'a, D>) {
    let (event_source, sns, body, message_id) =
        (rec.event_source.take(), rec.sns.take(), rec.body.take(), rec.message_id.take());
    let in_place = rec.in_place.as_mut();
    let source = event_source.as_deref();
    let body_in_place = matches!(in_place, Some((Part::Body, _)));
    if sns.is_some() || source == Some("aws:sns") {
        let origin = Origin::SnsRecord(i);
        let content = match sns {
            Some((sns_type, message)) => {
                if let Some((Part::Message, doc)) = in_place
                    && sns_control(sns_type.as_deref()).is_none()
                {
                    out.own(&origin, doc);
                    return;
                }
                sns_message(sns_type.as_deref(), message)
            }
            None => Err(Skip::new(SkipReason::MissingMessage, "aws:sns record without Sns")),
        };
        out.push(Unit { origin, content });
    } else if body.is_some() || body_in_place || source == Some("aws:sqs") {
        let origin = Origin::SqsRecord(message_id.unwrap_or_else(|| Cow::Owned(format!("#{i}"))));
        let body = match (body, in_place) {
            (_, Some((Part::Body, doc))) => {
                out.own(&origin, doc);
                return;
            }
            (None, _) => {
                let content = Err(Skip::new(SkipReason::MissingMessage, "SQS record without body"));
                out.push(Unit { origin, content });
                return;
            }
            (Some(body), _) => body.text(),
        };
        match body {
            // cannot happen: the quick reader checked the body as it unescapes it
            None => {
                let content = Err(Skip::new(SkipReason::InvalidJson, "SQS body is not a JSON string"));
                out.push(Unit { origin, content });
            }
            Some(Cow::Borrowed(body)) => {
                let body = trim_body(body);
                if !out.own_document(&origin, body) {
                    out.push(Unit { origin, content: body_content::<C>(body) });
                }
            }
            // The body had JSON escapes (any JSON body has), so it is its own allocation: what
            // is found in it lives only as long as it (a receiver that keeps it copies it).
            Some(Cow::Owned(body)) => {
                let body = trim_body(&body);
                if !out.own_document(&origin, body) {
                    match body_content::<C>(body) {
                        Ok(Cow::Borrowed(c)) => out.push_transient(origin, c),
                        content => {
                            out.push(Unit { origin, content: content.map(|c| Cow::Owned(c.into_owned())) })
                        }
                    }
                }
            }
        }
    } else {
        out.push(Unit {
            origin: Origin::SnsRecord(i),
            content: Err(Skip::new(
                SkipReason::UnrecognisedPayload,
                format!("record from {}, not SNS or SQS", source.unwrap_or("an unknown source")),
            )),
        });
    }
}

/// The one SES document of a document found inside an SQS body.
fn nested_content<'a, C: Contents>(shape: Shape<'a>, text: &'a str) -> Result<Cow<'a, str>, Skip> {
    match shape.records {
        None => document_content::<C, _>(shape, text),
        // SNS invokes a function with one record per event.
        Some(mut records) if records.len() == 1 => match records.pop() {
            Some(Ok(RecordShape { sns: Some((sns_type, message)), .. })) => {
                sns_message(sns_type.as_deref(), message)
            }
            _ => Err(Skip::new(SkipReason::UnrecognisedPayload, "a nested record that is not SNS")),
        },
        Some(records) => Err(Skip::new(
            SkipReason::UnrecognisedPayload,
            format!("{} nested Records in one SQS body", records.len()),
        )),
    }
}

/// An SQS body without a UTF-8 BOM and surrounding whitespace.
fn trim_body(body: &str) -> &str {
    body.trim_start_matches('\u{feff}').trim()
}

/// Plain-text messages SES itself sends, which are acknowledged rather than retried.
fn known_plain_text(text: &str) -> Option<Skip> {
    text.starts_with("Successfully validated SNS topic for Amazon SES")
        .then(|| Skip::new(SkipReason::SesTopicValidated, "SES topic-validation notice"))
}

/// The SES content of an SQS body: an SNS envelope (raw delivery off) or SES JSON (raw on); or,
/// when the dead-letter queue is redriven into the queue, what lands there: a Lambda invocation
/// record of the on-failure destination, or an SNS→Lambda event saved whole (a function DLQ).
fn body_content<C: Contents>(body: &str) -> Result<Cow<'_, str>, Skip> {
    match probe(body) {
        Ok((shape, text)) => nested_content::<C>(shape, text),
        Err(e) if body.starts_with('{') || body.starts_with('[') => Err(json_error(&e)),
        Err(_) => Err(known_plain_text(body).unwrap_or_else(|| {
            Skip::new(SkipReason::PlainTextMessage, format!("SQS body is not JSON ({} bytes)", body.len()))
        })),
    }
}

/// The skip of an SNS control message (`SubscriptionConfirmation`, `UnsubscribeConfirmation`),
/// by the envelope's `Type`.
fn sns_control(sns_type: Option<&str>) -> Option<Skip> {
    matches!(sns_type, Some("SubscriptionConfirmation" | "UnsubscribeConfirmation"))
        .then(|| Skip::new(SkipReason::SnsControlMessage, format!("SNS {}", sns_type.unwrap_or_default())))
}

/// The SES document inside an SNS `Message` (a JSON string, or, in some hand-made envelopes, an
/// object), or why there is none.
fn sns_message<'a>(sns_type: Option<&str>, message: Option<Msg<'a>>) -> Result<Cow<'a, str>, Skip> {
    if let Some(skip) = sns_control(sns_type) {
        return Err(skip);
    }
    let message: Cow<'a, str> = match message.map(Msg::text) {
        None => {
            return Err(Skip::new(SkipReason::MissingMessage, "SNS envelope without Message"));
        }
        Some(Ok(t)) => t,
        // cannot happen: the quick reader checked the string as it unescapes it
        Some(Err(Msg::Text(_) | Msg::Written(_))) => {
            return Err(Skip::new(SkipReason::InvalidJson, "SNS Message is not a JSON string"));
        }
        Some(Err(Msg::Raw(raw))) => {
            let raw_text = raw.get();
            if raw_text.starts_with('"') {
                match serde_json::from_str::<Cow<'a, str>>(raw_text) {
                    Ok(s) => s,
                    Err(e) => return Err(Skip::new(SkipReason::InvalidJson, e.to_string())),
                }
            } else if raw_text.starts_with('{') {
                Cow::Borrowed(raw_text)
            } else {
                return Err(Skip::new(
                    SkipReason::UnrecognisedPayload,
                    "SNS Message is neither a string nor an object",
                ));
            }
        }
    };
    let trimmed = message.trim_start_matches('\u{feff}').trim();
    if !trimmed.starts_with('{') {
        if let Some(skip) = known_plain_text(trimmed) {
            return Err(skip);
        }
        // Addresses hidden before cutting, so a cut cannot leave half an address in the log.
        let preview: String = crate::platform::logging::scrub(trimmed, false).chars().take(60).collect();
        return Err(Skip::new(
            SkipReason::PlainTextMessage,
            format!("SNS message is plain text: {preview:?}"),
        ));
    }
    Ok(match message {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_start_matches('\u{feff}').trim()),
        Cow::Owned(s) if s.len() == trimmed.len() => Cow::Owned(s),
        Cow::Owned(_) => Cow::Owned(trimmed.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::fields_of;

    fn units(text: &str) -> Vec<(String, Result<String, SkipReason>)> {
        let mut out = Vec::new();
        read::<crate::ses::SesDocuments>(text, &mut out);
        out.into_iter()
            .map(|u| (u.origin.to_string(), u.content.map(|c| c.into_owned()).map_err(|s| s.reason)))
            .collect()
    }

    const SES: &str = r#"{"eventType":"Send","mail":{"destination":["a@b.com"]}}"#;

    #[test]
    fn sns_lambda_event() {
        let ev = serde_json::json!({"Records":[
            {"EventSource":"aws:sns","Sns":{"Type":"Notification","Message":SES}},
            {"EventSource":"aws:sns","Sns":{"Type":"Notification","Message":"Hello from SNS!"}},
            {"EventSource":"aws:sns","Sns":{"Type":"Notification"}}
        ]})
        .to_string();
        let u = units(&ev);
        assert_eq!(u[0], ("SNS record 0".into(), Ok(SES.into())));
        assert_eq!(u[1].1, Err(SkipReason::PlainTextMessage));
        assert_eq!(u[2].1, Err(SkipReason::MissingMessage));
    }

    #[test]
    fn sqs_bodies_raw_and_enveloped() {
        let envelope = serde_json::json!({"Type":"Notification","Message":SES}).to_string();
        let ev = serde_json::json!({"Records":[
            {"eventSource":"aws:sqs","messageId":"m1","body":envelope},
            {"eventSource":"aws:sqs","messageId":"m2","body":SES},
            {"eventSource":"aws:sqs","messageId":"m3","body":"{broken"},
            {"eventSource":"aws:sqs","messageId":"m4","body":"plain words"}
        ]})
        .to_string();
        let u = units(&ev);
        assert_eq!(u[0], ("SQS message m1".into(), Ok(SES.into())));
        assert_eq!(u[1], ("SQS message m2".into(), Ok(SES.into())));
        assert_eq!(u[2].1, Err(SkipReason::InvalidJson));
        assert_eq!(u[3].1, Err(SkipReason::PlainTextMessage));
    }

    /// The dead-letter queue's three kinds of message, as a replay brings them back: the Lambda
    /// on-failure destination's invocation record, a function DLQ's saved event, an SNS envelope.
    #[test]
    fn dead_letter_queue_messages() {
        let sns_event = serde_json::json!({"Records":[{"EventSource":"aws:sns","EventVersion":"1.0",
            "Sns":{"Type":"Notification","MessageId":"x","Message":SES}}]});
        let record = serde_json::json!({
            "version":"1.0","timestamp":"2026-11-26T10:00:00.000Z",
            "requestContext":{"requestId":"r","functionArn":"arn:aws:lambda:us-east-1:1:function:f:$LATEST",
                "condition":"RetriesExhausted","approximateInvokeCount":3},
            "requestPayload":sns_event,
            "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
            "responsePayload":{"errorMessage":"CloudWatch PutMetricData failed: throttled"}});
        // invoked with the invocation record itself (`--event`, or `aws lambda invoke`)
        assert_eq!(units(&record.to_string()), vec![("SNS record 0".into(), Ok(SES.into()))]);
        // redriven into the SQS queue
        let envelope = serde_json::json!({"Type":"Notification","Message":SES}).to_string();
        let two = serde_json::json!({"Records":[sns_event["Records"][0], sns_event["Records"][0]]});
        let not_sns = serde_json::json!({"Records":[{"eventSource":"aws:sqs","body":SES}]});
        let ev = serde_json::json!({"Records":[
            {"eventSource":"aws:sqs","messageId":"d1","body":record.to_string()},
            {"eventSource":"aws:sqs","messageId":"d2","body":sns_event.to_string()},
            {"eventSource":"aws:sqs","messageId":"d3","body":envelope},
            {"eventSource":"aws:sqs","messageId":"d4","body":two.to_string()},
            {"eventSource":"aws:sqs","messageId":"d5","body":not_sns.to_string()}
        ]})
        .to_string();
        let u = units(&ev);
        assert_eq!(u[0], ("SQS message d1".into(), Ok(SES.into())));
        assert_eq!(u[1], ("SQS message d2".into(), Ok(SES.into())));
        assert_eq!(u[2], ("SQS message d3".into(), Ok(SES.into())));
        assert_eq!(u[3].1, Err(SkipReason::UnrecognisedPayload));
        assert_eq!(u[4].1, Err(SkipReason::UnrecognisedPayload));
        // `requestPayload` without `requestContext` is not an invocation record
        let lookalike = serde_json::json!({"requestPayload": sns_event}).to_string();
        assert_eq!(units(&lookalike)[0].1, Err(SkipReason::UnrecognisedPayload));
        // a replay that failed again is wrapped twice: still read
        let twice = serde_json::json!({"requestContext": {}, "requestPayload": record}).to_string();
        assert_eq!(units(&twice), vec![("SNS record 0".into(), Ok(SES.into()))]);
        // absurd nesting is refused, not recursed into (20,000 levels overflowed the stack),
        // at the top level and in an SQS body
        let n = 20_000;
        let deep = format!("{}{{}}{}", r#"{"requestContext":{},"requestPayload":"#.repeat(n), "}".repeat(n));
        assert_eq!(units(&deep)[0].1, Err(SkipReason::UnrecognisedPayload));
        let ev = serde_json::json!({"Records":[{"eventSource":"aws:sqs","messageId":"x","body":deep}]});
        assert_eq!(units(&ev.to_string())[0].1, Err(SkipReason::UnrecognisedPayload));
    }

    #[test]
    fn invocation_payload_unwraps_at_most_three_records() {
        let inner = r#"{"date":"2026-11-20"}"#;
        let wrap = |n: usize| {
            format!(
                "{}{inner}{}",
                r#"{"requestContext":{"condition":"RetriesExhausted"},"requestPayload":"#.repeat(n),
                "}".repeat(n)
            )
        };
        assert_eq!(invocation_payload(inner), Ok(inner));
        for n in 1..=MAX_RECORD_NESTING {
            assert_eq!(invocation_payload(&wrap(n)), Ok(inner), "{n} records");
        }
        for n in [MAX_RECORD_NESTING + 1, 20_000] {
            assert_eq!(
                invocation_payload(&wrap(n)).unwrap_err().reason,
                SkipReason::UnrecognisedPayload,
                "{n}"
            );
        }
        // not a record: returned as it is
        for text in [r#"{"requestPayload":{"date":"x"}}"#, "[1]", "not json", "", r#"{"requestContext":1}"#] {
            assert_eq!(invocation_payload(text), Ok(text));
        }
    }

    #[test]
    fn direct_shapes() {
        assert_eq!(units(SES), vec![("payload".into(), Ok(SES.into()))]);
        assert_eq!(units(&format!("\u{feff}  {SES}\n")), vec![("payload".into(), Ok(SES.into()))]);
        let eb = format!(r#"{{"source":"aws.ses","detail-type":"Email Sent","detail":{SES}}}"#);
        assert_eq!(units(&eb)[0].1, Ok(SES.into()));
        let sched = r#"{"source":"aws.events","detail-type":"Scheduled Event","detail":{}}"#;
        assert_eq!(units(sched)[0].1, Err(SkipReason::UnrecognisedPayload));
        assert_eq!(units("[1,2]")[0].1, Err(SkipReason::UnrecognisedPayload));
        assert_eq!(units("{\"a\":")[0].1, Err(SkipReason::InvalidJson));
        assert_eq!(units("")[0].1, Err(SkipReason::InvalidJson));
        let confirm = r#"{"Type":"SubscriptionConfirmation","Message":"You have chosen to subscribe"}"#;
        assert_eq!(units(confirm)[0].1, Err(SkipReason::SnsControlMessage));
        let validated = r#"{"Type":"Notification","Message":"Successfully validated SNS topic for Amazon SES event publishing."}"#;
        assert_eq!(units(validated)[0].1, Err(SkipReason::SesTopicValidated));
        let obj = format!(r#"{{"Type":"Notification","Message":{SES}}}"#);
        assert_eq!(units(&obj)[0].1, Ok(SES.into()));
    }

    #[test]
    fn json_lines() {
        let text = format!("{SES}\n\n{SES}\nnot json\n");
        let u = units(&text);
        assert_eq!(u.len(), 3);
        assert_eq!(u[0], ("line 1".into(), Ok(SES.into())));
        assert_eq!(u[1].0, "line 3");
        assert_eq!(u[2], ("line 4".into(), Err(SkipReason::InvalidJson)));
    }

    #[test]
    fn unreadable_sqs_records_are_named_for_retry() {
        let ev = serde_json::json!({"Records":[
            {"eventSource":"aws:sqs","messageId":"ok","body":SES},
            {"eventSource":"aws:sqs","messageId":"odd","body":{"not":"a string"}}
        ]})
        .to_string();
        let u = units(&ev);
        assert_eq!(u[0], ("SQS message ok".into(), Ok(SES.into())));
        assert_eq!(u[1].0, "SQS message odd");
        assert_eq!(u[1].1, Err(SkipReason::UnrecognisedPayload));
        let notice = serde_json::json!({"Records":[{"eventSource":"aws:sqs","messageId":"n",
            "body":"Successfully validated SNS topic for Amazon SES event publishing."}]})
        .to_string();
        assert_eq!(units(&notice)[0].1, Err(SkipReason::SesTopicValidated));
    }

    #[test]
    fn json_lines_survive_a_broken_first_line() {
        let text = format!("{{broken\n{SES}\n{SES}\n");
        let u = units(&text);
        assert_eq!(u.len(), 3);
        assert_eq!(u[0].1, Err(SkipReason::InvalidJson));
        assert_eq!(u[1].1, Ok(SES.into()));
    }

    /// The quick reader's idea of each shape is the probe's: a member added to the probe, a
    /// Lambda record or an SNS record must be added to the quick reader too (or it would read
    /// past a member the probe decides by).
    #[test]
    fn the_quick_reader_knows_every_member_the_probe_reads() {
        for f in fields_of::<RawProbe<'_>>() {
            assert!(quick::PROBE_KEYS.contains(&f), "quick::PROBE_KEYS lacks the probe's {f:?}");
        }
        assert_eq!(
            fields_of::<LambdaRecord<'_, Str<'_>>>(),
            ["EventSource", "eventSource", "Sns", "body", "messageId"],
            "quick::Cursor::record reads these"
        );
        assert_eq!(fields_of::<SnsPart<'_, Str<'_>>>(), ["Type", "Message"], "quick::Cursor::record's Sns");
    }

    /// ses-events' one-parse readers (`SesRecord::is_plain`, `EventBridgeRecord::ses`) read the
    /// members by which the probe tells a document's shape too: one added to the probe must be
    /// added to them (alarm members aside, which do not change how an SES document is read).
    #[test]
    fn the_one_parse_readers_know_every_member_the_probe_reads() {
        let probe = fields_of::<RawProbe<'_>>();
        let ses = fields_of::<crate::ses::SesRecord<'_>>();
        let eventbridge = fields_of::<crate::ses::EventBridgeRecord<'_>>();
        for f in probe {
            assert!(ses.contains(&f), "SesRecord lacks the probe's {f:?}");
            let alarm = ["AlarmName", "alarmData"].contains(&f);
            assert!(alarm || eventbridge.contains(&f), "EventBridgeRecord lacks the probe's {f:?}");
        }
    }

    #[test]
    fn benign_reasons_are_not_bad_input() {
        assert!(SkipReason::InvalidJson.is_bad_input());
        assert!(!SkipReason::SesTopicValidated.is_bad_input());
        assert!(!SkipReason::SnsControlMessage.is_bad_input());
    }

    /// Records the origins of the documents read in place (as ses-events reads them), and counts
    /// the units pushed.
    #[derive(Default)]
    struct InPlaceOrigins {
        read: Vec<String>,
        units: usize,
    }

    impl<'a> Units<'a> for InPlaceOrigins {
        fn push(&mut self, _: Unit<'a>) {
            self.units += 1;
        }
    }

    impl<'a> Owns<'a, crate::ses::SesRecord<'a>> for InPlaceOrigins {
        fn own(&mut self, origin: &Origin<'a>, _: &mut crate::ses::SesRecord<'a>) {
            self.read.push(origin.to_string());
        }
    }

    fn in_place(payload: &str) -> (Vec<String>, usize) {
        let mut out = InPlaceOrigins::default();
        read_in_place::<crate::ses::SesDocuments, crate::ses::SesInPlace>(payload, &mut out);
        (out.read, out.units)
    }

    /// Each way AWS delivers an SES event is read where it lies in the payload, without being
    /// unescaped first: an SNS record's `Message`, a raw SQS body, an EventBridge event as an
    /// SQS body, and the `Message` of an SNS envelope in an SQS body (twice escaped), compact or
    /// pretty-printed as SNS writes it there.
    #[test]
    fn documents_are_read_where_they_lie() {
        let now = chrono::Utc::now();
        let ses = r#"{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"\"Jane\" <j@example.com>"}]},"mail":{"destination":["j@example.com"],"tags":{"t":["v"]}}}"#;
        let envelope = wrap::sns_envelope(ses, 1, now);
        // SNS writes the envelope into an SQS body pretty-printed, a space before each colon
        let pretty = serde_json::to_string_pretty(&envelope).unwrap().replace("\": ", "\" : ");
        let sqs = |body: &str| {
            serde_json::json!({"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":body}]})
                .to_string()
        };
        let eventbridge = format!(r#"{{"source":"aws.ses","detail-type":"Email Bounced","detail":{ses}}}"#);
        let sns = ["SNS record 0".to_string()];
        let m1 = ["SQS message m1".to_string()];
        let sqs_wrapped = ["SQS message 059f36b4-87a3-44ab-83d2-000000000000".to_string()];
        for (payload, want) in [
            (wrap::sns_lambda_event(&[ses.to_string()], now), &sns),
            (wrap::sqs_lambda_event(&[ses.to_string()], true, now), &sqs_wrapped),
            (wrap::sqs_lambda_event(&[ses.to_string()], false, now), &sqs_wrapped),
            (sqs(&pretty), &m1),
            (sqs(&eventbridge), &m1),
        ] {
            assert_eq!(in_place(&payload), (want.to_vec(), 0), "{payload}");
            // and nothing is read in place by `read`
            assert_eq!(units(&payload).len(), 1);
        }
        // an SNS control message is answered as before, never read in place
        let confirm = serde_json::json!({"Type":"SubscriptionConfirmation","Message":ses}).to_string();
        assert_eq!(in_place(&sqs(&confirm)), (vec![], 1));
        let sns_confirm = wrap::sns_lambda_event(&[ses.to_string()], now)
            .replace("Notification", "SubscriptionConfirmation");
        assert_eq!(in_place(&sns_confirm), (vec![], 1));
    }
}
