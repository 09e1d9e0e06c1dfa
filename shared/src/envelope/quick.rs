//! The quick reader: the two shapes that carry nearly every payload (a Lambda event's `Records`,
//! an SNS envelope) read by hand, without serde.
//!
//! An SES event inside an SQS body or an SNS `Message` is a JSON string: every quote of it is
//! escaped (an SNS envelope inside an SQS body, twice: 480 escapes in 2.45 KB). serde_json
//! unescapes such a string one escape at a time (a search for the next escape, a copy, a decode);
//! this reader finds a string's end and unescapes it in one loop: 1.37 µs instead of 2.40 µs for
//! that body, measured side by side (issue-13 note).
//!
//! It reads only what it is sure of, and says `None` for anything else, which the serde probe
//! then reads as before (so every outcome, every error text, stays the probe's):
//! - the document is an object with `Records` alone (an array of objects), or an object with
//!   `Type` and/or `Message` and no other member the probe decides by;
//! - the members it reads are strings (`null`, another type, a duplicate → `None`); `Message` as
//!   an object → `None`;
//! - a key with an escape, a `\u` escape anywhere, nesting deeper than [`MAX_DEPTH`], trailing
//!   text → `None`;
//! - every value it skips is checked to the JSON grammar serde_json applies (strings without
//!   control characters, numbers, literals), so it never takes a text serde_json refuses.
//!
//! `tests/files/mutations.rs` compares it with the serde probe on every sample, corpus file and
//! thousands of their mutations.

use std::borrow::Cow;

use super::{Keys, Msg, RecordShape, Shape};

/// Deeper nesting is left to serde_json (whose own limit is 128).
pub const MAX_DEPTH: usize = 64;

/// The members by which the probe tells a document's shape ([`super::Probe`]'s fields): present
/// beside `Type`/`Message` (or beside `Records`), they make the document one the quick reader
/// leaves to the probe. (A test checks the probe's fields against it.)
pub(super) const PROBE_KEYS: [&str; 13] = [
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
    let mut c = Cursor { s: text, i: 0, depth: 0 };
    c.ws();
    let mut records: Option<Vec<super::RecordResult<'_>>> = None;
    let mut sns_type: Option<Cow<'_, str>> = None;
    let mut message: Option<Cow<'_, str>> = None;
    let mut other_probe_key = false;
    c.object(|c, key| {
        match key {
            "Records" if records.is_none() => {
                let mut list = Vec::new();
                c.array(|c| {
                    list.push(Ok(c.record()?));
                    Some(())
                })?;
                records = Some(list);
            }
            "Type" if sns_type.is_none() => sns_type = Some(c.string()?),
            "Message" if message.is_none() => message = Some(c.string()?),
            k if PROBE_KEYS.contains(&k) => {
                // a duplicate, or a member of another shape
                other_probe_key = true;
                c.skip_value()?;
            }
            _ => c.skip_value()?,
        }
        Some(())
    })?;
    c.ws();
    if c.i != text.len() || other_probe_key {
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
            message: message.map(Msg::Text),
            keys: Keys::default(),
            failed_event: None,
        }),
        _ => None,
    }
}

struct Cursor<'a> {
    s: &'a str,
    i: usize,
    depth: usize,
}

/// What a byte is inside a JSON string: 0 = itself, 1 = the closing quote, 2 = a backslash, 3 = a
/// control character (refused).
const STRING_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = 3;
        b += 1;
    }
    t[b'"' as usize] = 1;
    t[b'\\' as usize] = 2;
    t
};

impl<'a> Cursor<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.peek()? == b).then(|| self.i += 1)
    }

    /// The bytes up to the next quote, backslash or control character.
    fn run(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        // a local index, so the loop keeps it in a register
        let mut i = self.i;
        // eight bytes at a time while none of them ends the run (serde_json's SWAR test)
        const ONES: u64 = u64::MAX / 255;
        while let Some(chunk) = bytes.get(i..i + 8) {
            let w = u64::from_le_bytes(chunk.try_into().ok()?);
            let quote = w ^ (ONES * u64::from(b'"'));
            let backslash = w ^ (ONES * u64::from(b'\\'));
            let hit = (quote.wrapping_sub(ONES) & !quote)
                | (backslash.wrapping_sub(ONES) & !backslash)
                | (w.wrapping_sub(ONES * 0x20) & !w);
            if hit & (ONES << 7) != 0 {
                break;
            }
            i += 8;
        }
        // then byte by byte to the byte that ends it
        while i < bytes.len() {
            let kind = STRING_BYTE[bytes[i] as usize];
            if kind != 0 {
                self.i = i;
                return Some(kind);
            }
            i += 1;
        }
        self.i = i;
        None
    }

    /// The escape at `self.i` (a backslash): its character, `None` for `\u` (left to serde) or
    /// an invalid escape.
    fn escape(&mut self) -> Option<u8> {
        let c = *self.bytes().get(self.i + 1)?;
        self.i += 2;
        Some(match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            _ => return None,
        })
    }

    /// A string, borrowed when it has no escape.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        match self.run()? {
            1 => {
                self.i += 1;
                return Some(Cow::Borrowed(&self.s[start..self.i - 1]));
            }
            2 => {}
            _ => return None,
        }
        // grows by doubling: an SQS body of 2 KB reallocates twice
        let mut out: Vec<u8> = Vec::with_capacity(512);
        out.extend_from_slice(&self.bytes()[start..self.i]);
        loop {
            // at a backslash
            out.push(self.escape()?);
            let from = self.i;
            let end = self.run()?;
            out.extend_from_slice(&self.bytes()[from..self.i]);
            match end {
                1 => {
                    self.i += 1;
                    // Only ASCII bytes were decoded, between whole UTF-8 sequences of the input.
                    return String::from_utf8(out).ok().map(Cow::Owned);
                }
                2 => {}
                _ => return None,
            }
        }
    }

    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.run()? {
                1 => {
                    self.i += 1;
                    return Some(());
                }
                2 => {
                    self.escape()?;
                }
                _ => return None,
            }
        }
    }

    /// An object's members, each key handed to `member`, which reads or skips the value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.sequence(b'{', b'}', |c| {
            let key = match c.string()? {
                Cow::Borrowed(k) => k,
                // an escaped key might spell a known one
                Cow::Owned(_) => return None,
            };
            c.eat(b':')?;
            member(c, key)
        })
    }

    fn array(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.sequence(b'[', b']', item)
    }

    /// `open`, items separated by commas (each read by `item`), `close`.
    fn sequence(&mut self, open: u8, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(open)?;
        self.enter()?;
        self.ws();
        if self.peek()? != close {
            loop {
                item(self)?;
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    b if b == close => break,
                    _ => return None,
                }
            }
        }
        self.i += 1;
        self.depth -= 1;
        Some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.skip_string(),
            b'{' => self.object(|c, _| c.skip_value()),
            b'[' => self.array(Self::skip_value),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.s[self.i..].starts_with(word).then(|| self.i += word.len())
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as serde_json reads a number.
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.one_or_more_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.one_or_more_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    fn one_or_more_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// One record of an SQS or SNS Lambda event: the members the probe reads, as strings.
    fn record(&mut self) -> Option<RecordShape<'a>> {
        let mut rec = RecordShape { event_source: None, sns: None, body: None, message_id: None };
        self.object(|c, key| {
            match key {
                "EventSource" | "eventSource" if rec.event_source.is_none() => {
                    rec.event_source = Some(c.string()?)
                }
                "Sns" if rec.sns.is_none() => {
                    let (mut t, mut m) = (None, None);
                    c.object(|c, key| {
                        match key {
                            "Type" if t.is_none() => t = Some(c.string()?),
                            "Message" if m.is_none() => m = Some(c.string()?),
                            "Type" | "Message" => return None,
                            _ => c.skip_value()?,
                        }
                        Some(())
                    })?;
                    rec.sns = Some((t, m.map(Msg::Text)));
                }
                "body" if rec.body.is_none() => rec.body = Some(c.string()?),
                "messageId" if rec.message_id.is_none() => rec.message_id = Some(c.string()?),
                // a duplicate (or both spellings of EventSource)
                "EventSource" | "eventSource" | "Sns" | "body" | "messageId" => return None,
                _ => c.skip_value()?,
            }
            Some(())
        })?;
        Some(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    let msg = r.sns.and_then(|(_, m)| match m {
                        Some(Msg::Text(t)) => Some(t.into_owned()),
                        _ => None,
                    });
                    (r.message_id.map(Cow::into_owned), r.body.map(Cow::into_owned), msg)
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
        assert!(matches!(s.message, Some(Msg::Text(ref t)) if t == r#"{"eventType":"Send"}"#));
    }
}
