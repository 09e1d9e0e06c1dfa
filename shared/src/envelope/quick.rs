//! The quick reader: the two shapes that carry nearly every payload (a Lambda event's `Records`,
//! an SNS envelope) read by hand, without serde.
//!
//! An SES event inside an SQS body or an SNS `Message` is a JSON string: every quote of it is
//! escaped (an SNS envelope inside an SQS body, twice: 480 escapes in 2.45 KB). The reader keeps
//! such a string as it is written ([`crate::cursor::Written`], checked as a string): the receiver
//! reads the document where it lies ([`super::Units::own_escaped`]), and only a document it does
//! not read is unescaped. The same reader reads an SNS envelope in an SQS body where it lies
//! ([`escaped_shape`]), so its `Message`, twice escaped, is not unescaped either.
//!
//! It reads only what it is sure of, and says `None` for anything else, which the serde probe
//! then reads as before (so every outcome, every error text, stays the probe's):
//! - the document is an object with `Records` alone (an array of objects), or an object with
//!   `Type` and/or `Message` and no other member the probe decides by;
//! - the members it reads are strings (`null`, another type, a duplicate → `None`); `Message` as
//!   an object → `None`;
//! - trailing text, and whatever the cursor is not sure of → `None`.
//!
//! `tests/files/mutations.rs` compares it with the serde probe on every sample, corpus file and
//! thousands of their mutations.

use std::borrow::Cow;

use super::{Body, Keys, Msg, RecordShape, Shape};
use crate::cursor::{Cursor, at_level};

/// The members by which the probe tells a document's shape ([`super::Probe`]'s fields): present
/// beside `Type`/`Message` (or beside `Records`), they make the document one the quick reader
/// leaves to the probe; the quick SES reader leaves an SES event with one of them (other than
/// its type) to serde too. (A test checks the probe's fields against it.)
pub(crate) const PROBE_KEYS: [&str; 13] = [
    "Records",
    "Type",
    "Message",
    "eventType",
    "notificationType",
    "AlarmName",
    "alarmData",
    "source",
    "detail-type",
    "detailType",
    "detail",
    "requestContext",
    "requestPayload",
];

/// Reads `text` as a Lambda event or an SNS envelope; `None` when it is not one of the shapes
/// this reader is sure of (the probe reads it then).
pub(super) fn shape(text: &str) -> Option<Shape<'_>> {
    shape_at(Cursor::new(text))
}

/// [`shape`] of a document escaped `level` times in `text` (an SQS body as it is written),
/// read where it lies.
pub(super) fn escaped_shape(text: &str, level: usize) -> Option<Shape<'_>> {
    fn at<const L: usize>(text: &str) -> Option<Shape<'_>> {
        shape_at(Cursor::<L>::escaped(text)?)
    }
    at_level!(level, at(text))
}

/// [`shape`] from the cursor. An SNS `Message` and an SQS `body` are kept as written: the
/// document in them is read where it lies, or unescaped when it is needed.
fn shape_at<const L: usize>(mut c: Cursor<'_, L>) -> Option<Shape<'_>> {
    let mut records: Option<Vec<super::RecordResult<'_>>> = None;
    let mut sns_type: Option<Cow<'_, str>> = None;
    let mut message = None;
    c.object(|c, key| {
        match key {
            "Records" if records.is_none() => {
                let mut list = Vec::new();
                c.array(|c| {
                    list.push(Ok(record(c)?));
                    Some(())
                })?;
                records = Some(list);
            }
            "Type" if sns_type.is_none() => sns_type = Some(c.string()?),
            "Message" if message.is_none() => message = Some(c.written_string()?),
            // a duplicate, or a member of another shape
            k if PROBE_KEYS.contains(&k) => return None,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    if !c.at_end() {
        return None;
    }
    match records {
        Some(records) if sns_type.is_none() && message.is_none() => Some(Shape {
            records: Some(records),
            sns_type: None,
            message: None,
            keys: Keys::default(),
            failed_event: None,
        }),
        None if sns_type.is_some() || message.is_some() => Some(Shape {
            records: None,
            sns_type,
            message: message.map(Msg::Written),
            keys: Keys::default(),
            failed_event: None,
        }),
        _ => None,
    }
}

/// One record of an SQS or SNS Lambda event: the members the probe reads, as strings.
fn record<'a, const L: usize>(c: &mut Cursor<'a, L>) -> Option<RecordShape<'a>> {
    let mut rec = RecordShape { event_source: None, sns: None, body: None, message_id: None };
    c.object(|c, key| {
        match key {
            "EventSource" | "eventSource" if rec.event_source.is_none() => {
                rec.event_source = Some(c.string()?)
            }
            "Sns" if rec.sns.is_none() => {
                let (mut t, mut m) = (None, None);
                c.object(|c, key| {
                    match key {
                        "Type" if t.is_none() => t = Some(c.string()?),
                        "Message" if m.is_none() => m = Some(c.written_string()?),
                        "Type" | "Message" => return None,
                        _ => c.skip_value()?,
                    }
                    Some(())
                })?;
                rec.sns = Some((t, m.map(Msg::Written)));
            }
            "body" if rec.body.is_none() => rec.body = Some(Body::Written(c.written_string()?)),
            "messageId" if rec.message_id.is_none() => rec.message_id = Some(c.string()?),
            // a duplicate (or both spellings of EventSource)
            "EventSource" | "eventSource" | "Sns" | "body" | "messageId" => return None,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(rec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::MAX_DEPTH;

    /// A record as (messageId, body, SNS Message).
    type Read = (Option<String>, Option<String>, Option<String>);

    fn records(text: &str) -> Option<Vec<Read>> {
        let shape = shape(text)?;
        Some(
            shape
                .records?
                .into_iter()
                .map(|r| {
                    let r = r.ok().unwrap();
                    let msg = r.sns.and_then(|(_, m)| m?.text().ok()).map(Cow::into_owned);
                    let body = r.body.and_then(Body::text).map(Cow::into_owned);
                    (r.message_id.map(Cow::into_owned), body, msg)
                })
                .collect(),
        )
    }

    #[test]
    fn reads_sqs_and_sns_records() {
        let ses = r#"{"eventType":"Send","mail":{"destination":["a@b.com"]}}"#;
        let ev = serde_json::json!({"Records":[
            {"messageId":"m1","eventSource":"aws:sqs","body":ses,"attributes":{"n":[1,-2.5e3,true,null]}},
            {"EventSource":"aws:sns","Sns":{"Type":"Notification","Message":ses,"MessageAttributes":{}}}
        ]})
        .to_string();
        let got = records(&ev).unwrap();
        assert_eq!(got[0], (Some("m1".into()), Some(ses.into()), None));
        assert_eq!(got[1], (None, None, Some(ses.into())));
        // an escaped text is unescaped as serde_json does
        let odd = "tab\t quote\" slash\\ / newline\n é ✓";
        let ev = serde_json::json!({"Records":[{"body":odd}]}).to_string();
        assert_eq!(records(&ev).unwrap()[0].1.as_deref(), Some(odd));
    }

    #[test]
    fn leaves_what_it_is_not_sure_of_to_the_probe() {
        for text in [
            r#"{"Records":[{"body":null}]}"#,
            r#"{"Records":[{"body":5}]}"#,
            r#"{"Records":[{"body":"a","body":"b"}]}"#,
            r#"{"Records":[{"eventSource":"x","EventSource":"y"}]}"#,
            r#"{"Records":[{"body":"\u0041"}]}"#,
            r#"{"Records":[{"b\u006fdy":"a"}]}"#,
            r#"{"Records":[{"Sns":{"Message":{"a":1}}}]}"#,
            r#"{"Records":[],"Type":"Notification"}"#,
            r#"{"Records":[],"source":"aws.ses"}"#,
            r#"{"Records":[],"Records":[]}"#,
            r#"{"Records":{}}"#,
            r#"{"Records":[1]}"#,
            r#"{"Type":"Notification","Message":"x","eventType":"Send"}"#,
            r#"{"Records":[{"x":01}]}"#,
            r#"{"Records":[{"x":1.}]}"#,
            r#"{"Records":[{"x":"a	b"}]}"#,
            r#"{"Records":[{"x":tru}]}"#,
            r#"{"Records":[]} x"#,
            r#"{"Records":[],}"#,
            r#"{"a":1}"#,
            "[]",
            "",
        ] {
            assert!(shape(text).is_none(), "{text}");
        }
        let deep = format!(r#"{{"Records":[{{"x":{}1{}}}]}}"#, "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(shape(&deep).is_none());
    }

    #[test]
    fn reads_an_sns_envelope() {
        let s =
            shape(r#"{"Type":"Notification","MessageId":"x","Message":"{\"eventType\":\"Send\"}"}"#).unwrap();
        assert!(s.records.is_none());
        assert_eq!(s.sns_type.as_deref(), Some("Notification"));
        assert_eq!(s.message.unwrap().text().ok().as_deref(), Some(r#"{"eventType":"Send"}"#));
    }
}
