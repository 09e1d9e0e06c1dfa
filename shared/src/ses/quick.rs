//! The quick SES reader: an SES event (or an EventBridge event whose `detail` is one) read by
//! hand into the same [`SesRecord`] serde fills, for the documents nearly every payload carries.
//! serde's per-token calls were two thirds of a JSON-lines archive's time; by hand, a generated
//! 1.3 KB event is parsed in 0.8 µs instead of 1.06 (issue 13).
//!
//! It reads only the plain form, and says `None` for anything else, which serde then reads as
//! before (so every outcome and every error text stays serde's):
//! - every member the record reads is of the type SES writes (a string, a list of strings, an
//!   object, or `null`); a lenient field given a number, a lone string for a list, a tag whose
//!   list holds a number → `None`;
//! - a duplicate of a member the record reads → `None` (serde refuses those);
//! - any other member by which the envelope reader tells a document's shape
//!   ([`PROBE_KEYS`]: `Records`, `Type`, `Message`, for an SES event also `source`, `detail`…)
//!   → `None`;
//! - what [`crate::cursor`] is not sure of (escaped keys, `\u` in a kept string, deep nesting),
//!   and text after the document → `None`.
//!
//! `tests/files/mutations.rs` compares it with serde on every SES document of the samples, the
//! corpus and thousands of their mutations; unit tests tie the member names it knows to the
//! ones serde's derive reads.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::{
    Bounce, Complaint, Delivery, DeliveryDelay, EventBridgeRecord, Mail, RecipientEntry, Reject,
    RenderingFailure, SesRecord, Tags, Timestamped,
};
use crate::cursor::Cursor;
use crate::envelope::{InPlace, PROBE_KEYS};

/// Reads `text` as one SES event into `r` (as [`Default`] makes it); `false` when it is not in
/// the plain form (serde reads it then; `r` holds what was read before this reader gave up).
pub(super) fn read_into<'a>(text: &'a str, r: &mut SesRecord<'a>) -> bool {
    let mut c = Cursor::new(text);
    fill_ses_record(&mut c, r).is_some() && c.at_end()
}

#[cfg(any(test, feature = "test-util"))]
/// Reads an SES event escaped `level` times in `text` (the content of a JSON string: an SNS
/// `Message`, an SQS body) where it lies, as [`record`] reads it unescaped; `None` also for any
/// escape but the plain ones ([`Cursor::escaped`]).
pub(super) fn escaped_record(text: &str, level: usize) -> Option<SesRecord<'_>> {
    fn at<const L: usize>(text: &str) -> Option<SesRecord<'_>> {
        whole(Cursor::<L>::escaped(text)?, ses_record)
    }
    crate::cursor::at_level!(level, at(text))
}

/// ses-events' documents read where they lie in a Lambda record's strings (the envelope reader's
/// [`InPlace`]): in an SNS `Message` any SES event (what a unit's content is read as); in an SQS
/// body an SES event with its type, or an EventBridge SES event's `detail` (what
/// `own_document` reads of a body).
pub(crate) struct SesInPlace;

impl<'a> InPlace<'a> for SesInPlace {
    type Doc = SesRecord<'a>;

    fn message<const L: usize>(c: &mut Cursor<'a, L>) -> Option<SesRecord<'a>> {
        ses_record(c)
    }

    fn body<const L: usize>(c: &mut Cursor<'a, L>) -> Option<SesRecord<'a>> {
        let start = c.mark();
        if let Some(record) = ses_record(c).filter(SesRecord::is_plain) {
            return Some(record);
        }
        c.rewind(start);
        eventbridge_record(c)?.ses()
    }
}

/// What `read` reads at the cursor, when nothing but whitespace follows it.
fn whole<'a, T, const L: usize>(
    mut c: Cursor<'a, L>,
    read: impl FnOnce(&mut Cursor<'a, L>) -> Option<T>,
) -> Option<T> {
    let value = read(&mut c)?;
    c.at_end().then_some(value)
}

/// The SES record at the cursor (an object), as [`read_into`] reads it.
fn ses_record<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<SesRecord<'a>> {
    let mut r = SesRecord::default();
    fill_ses_record(c, &mut r)?;
    Some(r)
}

/// [`ses_record`] into `r` (as [`Default`] makes it), where it is.
fn fill_ses_record<'a, const L: usize>(c: &mut Cursor<'a, L>, r: &mut SesRecord<'a>) -> Option<()> {
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "eventType" => r.event_type = seen.first(0, c)?.opt_string()?,
            "notificationType" => r.notification_type = seen.first(1, c)?.opt_string()?,
            "mail" => r.mail = opt_object(seen.first(2, c)?, mail)?,
            "bounce" => r.bounce = opt_object(seen.first(3, c)?, bounce)?,
            "complaint" => r.complaint = opt_object(seen.first(4, c)?, complaint)?,
            "delivery" => r.delivery = opt_object(seen.first(5, c)?, delivery)?,
            "deliveryDelay" => r.delivery_delay = opt_object(seen.first(6, c)?, delivery_delay)?,
            "open" => r.open = opt_object(seen.first(7, c)?, timestamped)?,
            "click" => r.click = opt_object(seen.first(8, c)?, timestamped)?,
            "subscription" => r.subscription = opt_object(seen.first(9, c)?, timestamped)?,
            "reject" => r.reject = opt_object(seen.first(10, c)?, reject)?,
            "failure" => r.failure = opt_object(seen.first(11, c)?, failure)?,
            // a member of another shape (the other members the probe decides by)
            k if PROBE_KEYS.contains(&k) => return None,
            _ => c.skip_value()?,
        }
        Some(())
    })
}

/// Reads `text` as an EventBridge event whose `detail` is an SES event in the plain form; `None`
/// for anything else (serde reads it then).
pub(super) fn eventbridge(text: &str) -> Option<EventBridgeRecord<'_>> {
    whole(Cursor::new(text), eventbridge_record)
}

#[cfg(any(test, feature = "test-util"))]
/// [`eventbridge`] of an event escaped `level` times in `text`, as [`escaped_record`] reads.
pub(super) fn escaped_eventbridge(text: &str, level: usize) -> Option<EventBridgeRecord<'_>> {
    fn at<const L: usize>(text: &str) -> Option<EventBridgeRecord<'_>> {
        whole(Cursor::<L>::escaped(text)?, eventbridge_record)
    }
    crate::cursor::at_level!(level, at(text))
}

/// The EventBridge event at the cursor (an object), as [`eventbridge`] reads it.
fn eventbridge_record<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<EventBridgeRecord<'a>> {
    let mut e = EventBridgeRecord {
        source: None,
        detail: None,
        detail_type: None,
        records: None,
        sns_type: None,
        message: None,
        event_type: None,
        notification_type: None,
        request_context: None,
        request_payload: None,
    };
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "source" => e.source = seen.first(0, c)?.opt_string()?,
            "detail" => e.detail = opt_object(seen.first(1, c)?, ses_record)?,
            // one field under two names: either is its first sight
            "detail-type" | "detailType" => {
                let c = seen.first(2, c)?;
                if !c.null()? {
                    c.skip_value()?;
                    e.detail_type = Some(serde::de::IgnoredAny);
                }
            }
            k if PROBE_KEYS.contains(&k) => return None,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(e)
}

/// Which members an object has had so far, by number: a second one is a duplicate.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    /// The cursor, when member `n` has not been seen yet.
    fn first<'c, 'a, const L: usize>(
        &mut self,
        n: u32,
        c: &'c mut Cursor<'a, L>,
    ) -> Option<&'c mut Cursor<'a, L>> {
        let bit = 1 << n;
        if self.0 & bit != 0 {
            return None;
        }
        self.0 |= bit;
        Some(c)
    }
}

/// `null` (`None`) or an object read by `read`.
fn opt_object<'a, T, const L: usize>(
    c: &mut Cursor<'a, L>,
    read: impl FnOnce(&mut Cursor<'a, L>) -> Option<T>,
) -> Option<Option<T>> {
    if c.null()? { Some(None) } else { read(c).map(Some) }
}

/// `null` (none) or a list: of strings ([`crate::lenient::strings`] also takes other items and a
/// lone string, which are left to serde).
fn strings<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Vec<Cow<'a, str>>> {
    let mut out = Vec::new();
    if !c.null()? {
        c.array(|c| {
            out.push(c.string()?);
            Some(())
        })?;
    }
    Some(out)
}

/// `null` (none) or a list of recipient objects.
fn entries<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Vec<RecipientEntry<'a>>> {
    let mut out = Vec::new();
    if !c.null()? {
        c.array(|c| {
            out.push(entry(c)?);
            Some(())
        })?;
    }
    Some(out)
}

fn entry<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<RecipientEntry<'a>> {
    let mut e = RecipientEntry { email_address: None, status: None, diagnostic_code: None };
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "emailAddress" => e.email_address = seen.first(0, c)?.opt_string()?,
            "status" => e.status = seen.first(1, c)?.opt_string()?,
            "diagnosticCode" => e.diagnostic_code = seen.first(2, c)?.opt_string()?,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(e)
}

/// The `tags` map: `null` (none) or an object of string lists, the first string of each kept
/// (an empty list or `null` keeps nothing).
fn tags<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Tags<'a>> {
    if c.null()? {
        return Some(Vec::new());
    }
    // SES's own tags are six or seven: one allocation
    let mut out = Vec::with_capacity(8);
    c.object(|c, name| {
        if c.null()? {
            return Some(());
        }
        // the first value pushed as it is read
        let mut first = true;
        c.array(|c| {
            let value = c.string()?;
            if first {
                out.push((Cow::Borrowed(name), value));
                first = false;
            }
            Some(())
        })
    })?;
    Some(out)
}

fn mail<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Mail<'a>> {
    let mut m = Mail::default();
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "timestamp" => m.timestamp = seen.first(0, c)?.opt_string()?,
            "messageId" => m.message_id = seen.first(1, c)?.opt_string()?,
            "destination" => m.destination = strings(seen.first(2, c)?)?,
            "tags" => m.tags = tags(seen.first(3, c)?)?,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(m)
}

fn bounce<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Bounce<'a>> {
    let mut b =
        Bounce { bounce_type: None, bounce_sub_type: None, bounced_recipients: Vec::new(), timestamp: None };
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "bounceType" => b.bounce_type = seen.first(0, c)?.opt_string()?,
            "bounceSubType" => b.bounce_sub_type = seen.first(1, c)?.opt_string()?,
            "bouncedRecipients" => b.bounced_recipients = entries(seen.first(2, c)?)?,
            "timestamp" => b.timestamp = seen.first(3, c)?.opt_string()?,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(b)
}

fn complaint<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Complaint<'a>> {
    let mut k = Complaint {
        complained_recipients: Vec::new(),
        complaint_sub_type: None,
        complaint_feedback_type: None,
        timestamp: None,
    };
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "complainedRecipients" => k.complained_recipients = entries(seen.first(0, c)?)?,
            "complaintSubType" => k.complaint_sub_type = seen.first(1, c)?.opt_string()?,
            "complaintFeedbackType" => k.complaint_feedback_type = seen.first(2, c)?.opt_string()?,
            "timestamp" => k.timestamp = seen.first(3, c)?.opt_string()?,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(k)
}

fn delivery<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Delivery<'a>> {
    let mut d = Delivery { recipients: Vec::new(), processing_time_millis: None, timestamp: None };
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "recipients" => d.recipients = strings(seen.first(0, c)?)?,
            "processingTimeMillis" => d.processing_time_millis = raw(seen.first(1, c)?)?,
            "timestamp" => d.timestamp = seen.first(2, c)?.opt_string()?,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(d)
}

/// `null` (none) or any value, as its JSON text (what `Option<&RawValue>` reads).
fn raw<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Option<&'a RawValue>> {
    if c.null()? {
        return Some(None);
    }
    // A number or a short string: serde_json checks it again, and it is the same text.
    serde_json::from_str(c.raw_value()?).ok().map(Some)
}

fn delivery_delay<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<DeliveryDelay<'a>> {
    let mut d = DeliveryDelay { delayed_recipients: Vec::new(), delay_type: None, timestamp: None };
    let mut seen = Seen::default();
    c.object(|c, key| {
        match key {
            "delayedRecipients" => d.delayed_recipients = entries(seen.first(0, c)?)?,
            "delayType" => d.delay_type = seen.first(1, c)?.opt_string()?,
            "timestamp" => d.timestamp = seen.first(2, c)?.opt_string()?,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(d)
}

fn timestamped<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Timestamped<'a>> {
    Some(Timestamped { timestamp: one_string(c, "timestamp")? })
}

fn reject<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<Reject<'a>> {
    Some(Reject { reason: one_string(c, "reason")? })
}

fn failure<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<RenderingFailure<'a>> {
    Some(RenderingFailure { template_name: one_string(c, "templateName")? })
}

/// An object of which one member, a string or `null`, is read.
fn one_string<'a, const L: usize>(c: &mut Cursor<'a, L>, name: &str) -> Option<Option<Cow<'a, str>>> {
    let mut value = None;
    let mut seen = Seen::default();
    c.object(|c, key| {
        if key == name {
            value = seen.first(0, c)?.opt_string()?;
        } else {
            c.skip_value()?;
        }
        Some(())
    })?;
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::fields_of;

    /// What [`read_into`] reads of `text`, when it reads it.
    fn record(text: &str) -> Option<SesRecord<'_>> {
        let mut r = SesRecord::default();
        read_into(text, &mut r).then_some(r)
    }

    /// `{"eventType":"Bounce", …}` with `member` set to `value` at `path` (a member of the
    /// record, or of the first item of a list member of it).
    fn doc(path: &[&str], member: &str, value: &str) -> String {
        let mut inner = format!(r#"{{"{member}":{value}}}"#);
        for step in path.iter().rev() {
            inner = match step.strip_suffix("[]") {
                Some(list) => format!(r#"{{"{list}":[{inner}]}}"#),
                None => format!(r#"{{"{step}":{inner}}}"#),
            };
        }
        // the top-level object gets a type unless the member is one
        match inner.strip_prefix('{') {
            Some(rest) if member != "eventType" || !path.is_empty() => {
                format!(r#"{{"eventType":"Bounce",{rest}"#)
            }
            _ => inner,
        }
    }

    fn serde(text: &str) -> Option<String> {
        SesRecord::from_json_serde(text).ok().map(|r| format!("{r:?}"))
    }

    /// Every member serde reads (from the derive's own field list) is read here too, with the
    /// same result, for at least one value of the type SES writes; the members of another shape
    /// make the reader leave the document to serde.
    #[test]
    fn reads_every_member_serde_reads() {
        let types: [(&[&str], Vec<&str>); 12] = [
            (&[], fields_of::<SesRecord<'_>>()),
            (&["mail"], fields_of::<Mail<'_>>()),
            (&["bounce"], fields_of::<Bounce<'_>>()),
            (&["bounce", "bouncedRecipients[]"], fields_of::<RecipientEntry<'_>>()),
            (&["complaint"], fields_of::<Complaint<'_>>()),
            (&["complaint", "complainedRecipients[]"], fields_of::<RecipientEntry<'_>>()),
            (&["delivery"], fields_of::<Delivery<'_>>()),
            (&["deliveryDelay"], fields_of::<DeliveryDelay<'_>>()),
            (&["deliveryDelay", "delayedRecipients[]"], fields_of::<RecipientEntry<'_>>()),
            (&["open"], fields_of::<Timestamped<'_>>()),
            (&["reject"], fields_of::<Reject<'_>>()),
            (&["failure"], fields_of::<RenderingFailure<'_>>()),
        ];
        let values = [r#""x""#, r#"["x"]"#, "{}", r#"[{"emailAddress":"x"}]"#, r#"{"t":["x"]}"#, "5"];
        for (path, fields) in types {
            for f in fields {
                if path.is_empty()
                    && PROBE_KEYS.contains(&f)
                    && !["eventType", "notificationType"].contains(&f)
                {
                    assert!(record(&doc(path, f, "null")).is_none(), "{f} is left to serde");
                    continue;
                }
                let unset = serde(&doc(path, "unknownMember", "1"));
                let read = values.iter().any(|v| {
                    let text = doc(path, f, v);
                    let s = serde(&text);
                    s.is_some() && s != unset && record(&text).map(|r| format!("{r:?}")) == s
                });
                assert!(read, "the quick reader does not read {path:?} {f}");
            }
        }
    }

    /// The same for an EventBridge event: every member serde reads is read here, or makes the
    /// reader leave the event to serde.
    #[test]
    fn reads_every_member_of_an_eventbridge_event_serde_reads() {
        let debug = |r: Option<EventBridgeRecord<'_>>| r.map(|r| format!("{r:?}"));
        let unset = debug(EventBridgeRecord::from_json_serde(r#"{"version":"0"}"#));
        for f in fields_of::<EventBridgeRecord<'_>>() {
            let with = |v: &str| format!(r#"{{"version":"0","{f}":{v}}}"#);
            if !["source", "detail", "detail-type", "detailType"].contains(&f) {
                assert!(PROBE_KEYS.contains(&f), "EventBridgeRecord reads {f}, which the probe does not");
                assert!(eventbridge(&with("1")).is_none(), "{f} is left to serde");
                continue;
            }
            let read = [r#""x""#, r#"{"eventType":"Send"}"#, "1"].iter().any(|v| {
                let s = debug(EventBridgeRecord::from_json_serde(&with(v)));
                s.is_some() && s != unset && debug(eventbridge(&with(v))) == s
            });
            assert!(read, "the quick reader does not read the EventBridge event's {f}");
        }
        // both names of detail-type are one member
        assert!(eventbridge(r#"{"detail-type":"x","detailType":"y"}"#).is_none());
        assert_eq!(
            debug(eventbridge(r#"{"detail-type":null}"#)),
            debug(EventBridgeRecord::from_json_serde(r#"{"detail-type":null}"#))
        );
    }

    #[test]
    fn reads_the_plain_form_as_serde_does() {
        let texts = [
            r#"{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"a@x.com","status":"5.1.1","diagnosticCode":"smtp; 550","action":"failed"}],"timestamp":"2026-01-01T00:00:00Z"},"mail":{"timestamp":"2026-01-01T00:00:00Z","messageId":"m","destination":["a@x.com"],"headers":[{"name":"To","value":"a@x.com"}],"tags":{"ses:caller-identity":["me"],"two":["first","second"],"empty":[],"none":null}}}"#,
            r#"{"notificationType":"Delivery","delivery":{"recipients":["a@x.com"],"processingTimeMillis":"1200","timestamp":null},"mail":null}"#,
            r#" { "eventType" : "Delivery" , "delivery" : { "processingTimeMillis" : 1.5e3 } } "#,
            r#"{"eventType":"Send","mail":{"destination":["tab\t quote\" é"]},"send":{}}"#,
            // a skipped member: its keys and `\u` escapes are only checked
            r#"{"eventType":"Send","mail":{"commonHeaders":{"subj\u0065ct":"caf\u00e9 \ud83d"}}}"#,
        ];
        for t in texts {
            assert_eq!(record(t).map(|r| format!("{r:?}")), serde(t), "{t}");
            assert!(record(t).is_some(), "{t}");
        }
    }

    #[test]
    fn leaves_the_rest_to_serde() {
        for t in [
            r#"{"eventType":"Send","eventType":"Send"}"#,
            r#"{"eventType":"Send","mail":null,"mail":{}}"#,
            r#"{"eventType":"Send","mail":{"destination":"a@x.com"}}"#,
            r#"{"eventType":"Send","mail":{"destination":["a@x.com",5]}}"#,
            r#"{"eventType":"Send","mail":{"timestamp":5}}"#,
            r#"{"eventType":"Send","mail":{"tags":{"a":"b"}}}"#,
            r#"{"eventType":"Send","mail":{"tags":{"a":[1]}}}"#,
            r#"{"eventType":"Bounce","bounce":{"bouncedRecipients":[["a@x.com"]]}}"#,
            r#"{"eventType":"Bounce","bounce":[]}"#,
            r#"{"eventType":5}"#,
            r#"{"eventType":"Send","Records":[]}"#,
            r#"{"eventType":"Send","source":"aws.ses"}"#,
            r#"{"eventType":"Send","mail":{"messageId":"\u0041"}}"#,
            r#"{"eventType":"Send"} x"#,
            r#"{"eventType":"Send",}"#,
            r#"{"eventType":"Send","mail":{"commonHeaders":{"subject":"\u00zz"}}}"#,
            r#"[]"#,
        ] {
            assert!(record(t).is_none(), "{t}");
        }
    }
}
