//! The quick reader: the two shapes that carry nearly every payload (a Lambda event's `Records`,
//! an SNS envelope) read by hand, without serde.
//!
//! An SES event inside an SQS body or an SNS `Message` is a JSON string: every quote of it is
//! escaped (an SNS envelope inside an SQS body, twice: 480 escapes in 2.45 KB). The reader
//! reads the receiver's document inside such a string where it lies ([`InPlace`]), in the same
//! pass, an SNS envelope in an SQS body and the twice-escaped `Message` in it too; a string it
//! does not read so is kept as written ([`crate::cursor::Written`], checked as a string) and
//! unescaped only when it is needed.
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

use super::{Body, InPlace, Keys, Msg, Nothing, Part, RecordShape, Shape};
use crate::cursor::{Cursor, Written};

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
    shape_at::<Nothing>(Cursor::new(text))
}

/// [`shape`], the document of each record's `Message` or body read in place by `R` where it
/// can be (the rest kept as written).
pub(super) fn shape_in_place<'a, R: InPlace<'a>>(text: &'a str) -> Option<Shape<'a, R::Doc>> {
    shape_at::<R>(Cursor::new(text))
}

/// [`shape`] from the cursor. An SNS `Message` and an SQS `body` are read in place by `R`, or
/// kept as written: the document in them is unescaped only when it is needed.
fn shape_at<'a, R: InPlace<'a>>(mut c: Cursor<'a>) -> Option<Shape<'a, R::Doc>> {
    let mut records: Option<Vec<super::RecordResult<'a, R::Doc>>> = None;
    let mut sns_type: Option<Cow<'a, str>> = None;
    let mut message = None;
    c.object(|c, key| {
        match key {
            "Records" if records.is_none() => {
                // one to start with: a record with its document is ~800 bytes, and the four a
                // first push reserves were a 3 KB block for an SNS invocation's one record
                let mut list = Vec::with_capacity(1);
                c.array(|c| {
                    list.push(Ok(record::<R>(c)?));
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

/// One record of an SQS or SNS Lambda event: the members the probe reads, as strings; the
/// document of its `Message` or body read in place by `R` when it can be.
fn record<'a, R: InPlace<'a>>(c: &mut Cursor<'a>) -> Option<RecordShape<'a, R::Doc>> {
    let mut rec = RecordShape { event_source: None, sns: None, body: None, message_id: None, in_place: None };
    // members seen: a second one is a duplicate (what is read in place leaves no value)
    let (mut sns_seen, mut body_seen) = (false, false);
    c.object(|c, key| {
        match key {
            "EventSource" | "eventSource" if rec.event_source.is_none() => {
                rec.event_source = Some(c.string()?)
            }
            "Sns" if !sns_seen => {
                sns_seen = true;
                let (mut t, mut m, mut m_seen) = (None, None, false);
                c.object(|c, key| {
                    match key {
                        "Type" if t.is_none() => t = Some(c.string()?),
                        "Message" if !m_seen => {
                            m_seen = true;
                            m = document_string::<R>(c, Part::Message, &mut rec.in_place)?;
                        }
                        "Type" | "Message" => return None,
                        _ => c.skip_value()?,
                    }
                    Some(())
                })?;
                rec.sns = Some((t, m.map(Msg::Written)));
            }
            "body" if !body_seen => {
                body_seen = true;
                rec.body = document_string::<R>(c, Part::Body, &mut rec.in_place)?.map(Body::Written);
            }
            "messageId" if rec.message_id.is_none() => rec.message_id = Some(c.string()?),
            // a duplicate (or both spellings of EventSource)
            "EventSource" | "eventSource" | "Sns" | "body" | "messageId" => return None,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    Some(rec)
}

/// A record's string that holds a document (`part`): read in place by `R` when it can be (the
/// document put in `doc`, which holds one at most; `Some(None)`), else kept as written.
fn document_string<'a, R: InPlace<'a>>(
    c: &mut Cursor<'a>,
    part: Part,
    doc: &mut Option<(Part, R::Doc)>,
) -> Option<Option<Written<'a>>> {
    if R::READS && doc.is_none() {
        let mark = c.mark();
        if let Some(read) = in_place::<R, 0>(c, part) {
            *doc = Some((part, read));
            return Some(None);
        }
        c.rewind(mark);
    }
    c.written_string().map(Some)
}

/// The document inside the string at the cursor, read in place by `R` (an SQS body that is an
/// SNS envelope by [`envelope_in_place`]); the cursor past the string. `None` (the cursor
/// anywhere) when `R` does not read it.
fn in_place<'a, R: InPlace<'a>, const L: usize>(c: &mut Cursor<'a, L>, part: Part) -> Option<R::Doc> {
    // the level inside, one up (a constant for each level)
    match L {
        0 => inside::<R, L, 1>(c, part),
        1 => inside::<R, L, 2>(c, part),
        _ => None,
    }
}

fn inside<'a, R: InPlace<'a>, const L: usize, const M: usize>(
    c: &mut Cursor<'a, L>,
    part: Part,
) -> Option<R::Doc> {
    let mut inner = c.inside::<M>()?;
    let doc = match part {
        Part::Message => R::message(&mut inner)?,
        Part::Body => {
            let start = inner.mark();
            match R::body(&mut inner) {
                Some(doc) => doc,
                None => {
                    inner.rewind(start);
                    envelope_in_place::<R, M>(&mut inner)?
                }
            }
        }
    };
    c.go_to(inner.close_string()?);
    Some(doc)
}

/// An SQS body that is an SNS envelope (raw message delivery off), read in place: the document
/// of its `Message`, as [`shape`] and the SNS rules read it (`Type` and `Message` once, no
/// member of another shape, not a control message); `None` for anything else.
fn envelope_in_place<'a, R: InPlace<'a>, const L: usize>(c: &mut Cursor<'a, L>) -> Option<R::Doc> {
    let (mut sns_type, mut doc, mut message_seen) = (None, None, false);
    c.object(|c, key| {
        match key {
            "Type" if sns_type.is_none() => sns_type = Some(c.string()?),
            "Message" if !message_seen => {
                message_seen = true;
                doc = Some(in_place::<R, L>(c, Part::Message)?);
            }
            // a duplicate, or a member of another shape
            k if PROBE_KEYS.contains(&k) => return None,
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    super::sns_control(sns_type.as_deref()).is_none().then_some(doc)?
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
