//! A hand-written JSON cursor for the quick readers ([`crate::envelope`]'s Lambda events and SNS
//! envelopes, [`crate::ses`]'s SES events): the few shapes that carry nearly every payload, read
//! without serde's per-token calls.
//!
//! It reads only what it is sure of and says `None` for anything else, so the caller leaves the
//! text to serde, which then gives every outcome and every error text as before:
//! - a key with an escape (it might spell a known one), a `\u` escape in a string it reads,
//!   nesting deeper than [`MAX_DEPTH`] → `None`;
//! - every value it skips is checked to the JSON grammar serde_json applies (strings without
//!   control characters, numbers, literals), so a reader built on it never takes a text serde_json
//!   refuses.
//!
//! Strings: the end of a string is found eight bytes at a time (serde_json's SWAR test), and an
//! escaped string is unescaped in the same loop (an SES event inside an SQS body has 150 escaped
//! quotes: serde_json's escape-at-a-time copy took 2.40 µs for a 2.45 KB body, this 1.37 µs).

use std::borrow::Cow;

/// Deeper nesting is left to serde_json (whose own limit is 128).
pub(crate) const MAX_DEPTH: usize = 64;

/// A position in a JSON text, read forward. Every method that reads says `None` for a text it
/// is not sure of (see the module's rules), leaving the position anywhere: the caller then drops
/// the whole reading.
pub(crate) struct Cursor<'a> {
    /// The whole text.
    s: &'a str,
    /// The next byte to read.
    i: usize,
    /// How many objects and arrays are open.
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

/// Where the first quote, backslash or control character of eight bytes is (serde_json's SWAR
/// test; the lowest flagged byte is always a true one, bytes above it may be flagged falsely).
fn first_special(chunk: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::MAX / 255;
    let w = u64::from_le_bytes(chunk.try_into().ok()?);
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    let hit = ((quote.wrapping_sub(ONES) & !quote)
        | (backslash.wrapping_sub(ONES) & !backslash)
        | (w.wrapping_sub(ONES * 0x20) & !w))
        & (ONES << 7);
    (hit != 0).then(|| hit.trailing_zeros() as usize / 8)
}

/// What an escape `\c` stands for, by `c` (0: `\u`, which is left to serde, or no escape).
const ESCAPED: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'/' as usize] = b'/';
    t[b'b' as usize] = 0x08;
    t[b'f' as usize] = 0x0c;
    t[b'n' as usize] = b'\n';
    t[b'r' as usize] = b'\r';
    t[b't' as usize] = b'\t';
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

    /// The bytes up to the next quote, backslash or control character: the cursor is left on
    /// that byte, and its kind is returned (see [`STRING_BYTE`]).
    fn run(&mut self) -> Option<u8> {
        let bytes = self.bytes();
        // a local index, so the loop keeps it in a register
        let mut i = self.i;
        while let Some(chunk) = bytes.get(i..i + 8) {
            if let Some(k) = first_special(chunk) {
                self.i = i + k;
                // the kind from the byte in hand: a table load here would wait on the search
                return Some(match chunk[k] {
                    b'"' => 1,
                    b'\\' => 2,
                    _ => 3,
                });
            }
            i += 8;
        }
        // the last few bytes one at a time
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

    /// The rest of an escaped string, from the special byte at the cursor, unescaped into `out`;
    /// the cursor ends past the closing quote. Runs between escapes are copied eight bytes at a
    /// time, the eight that hold the run's end too, then `out` is cut back to it (fixed-size
    /// copies, no `memcpy` call per run: an escaped SES event has an escape every eight bytes).
    fn unescape_rest(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let bytes = self.bytes();
        // a local index, so the loop keeps it in a register
        let mut i = self.i;
        loop {
            // by the byte itself: a table load here would wait on the search before it
            match *bytes.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    return Some(());
                }
                b'\\' => {
                    let c = ESCAPED[*bytes.get(i + 1)? as usize];
                    if c == 0 {
                        return None;
                    }
                    out.push(c);
                    i += 2;
                }
                0..0x20 => return None,
                _ => loop {
                    let Some(chunk) = bytes.get(i..i + 8) else {
                        // the last few bytes one at a time
                        while STRING_BYTE[*bytes.get(i)? as usize] == 0 {
                            out.push(bytes[i]);
                            i += 1;
                        }
                        break;
                    };
                    out.extend_from_slice(chunk);
                    if let Some(k) = first_special(chunk) {
                        out.truncate(out.len() - 8 + k);
                        i += k;
                        break;
                    }
                    i += 8;
                },
            }
        }
    }

    /// The escape at `self.i` (a backslash): its character, `None` for `\u` (left to serde) or
    /// an invalid escape.
    fn escape(&mut self) -> Option<u8> {
        let c = ESCAPED[*self.bytes().get(self.i + 1)? as usize];
        self.i += 2;
        (c != 0).then_some(c)
    }

    /// A string, borrowed when it has no escape.
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
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
        // grows by doubling: an SQS body of 2 KB reallocates twice (4 KB at once measured
        // slower for an SQS batch of 1000: twice the memory)
        let mut out: Vec<u8> = Vec::with_capacity(512);
        out.extend_from_slice(&self.bytes()[start..self.i]);
        self.unescape_rest(&mut out)?;
        // Only ASCII bytes were decoded, between whole UTF-8 sequences of the input.
        String::from_utf8(out).ok().map(Cow::Owned)
    }

    /// A string skipped: serde_json checks a skipped `\u` escape for four hex digits only
    /// (whether it makes a character depends on what the string would be read into).
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        self.skip_string_rest()
    }

    /// [`Cursor::skip_string`] after the opening quote.
    fn skip_string_rest(&mut self) -> Option<()> {
        loop {
            match self.run()? {
                1 => {
                    self.i += 1;
                    return Some(());
                }
                2 if self.bytes().get(self.i + 1) == Some(&b'u') => {
                    let hex = self.bytes().get(self.i + 2..self.i + 6)?;
                    hex.iter().all(u8::is_ascii_hexdigit).then_some(())?;
                    self.i += 6;
                }
                2 => {
                    self.escape()?;
                }
                _ => return None,
            }
        }
    }

    /// An object's members, each key handed to `member`, which reads or skips the value.
    pub(crate) fn object(&mut self, mut member: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.sequence(b'{', b'}', |c| {
            let key = c.key()?;
            c.eat(b':')?;
            member(c, key)
        })
    }

    /// A key, borrowed; `None` when it has an escape (it might spell a known one).
    fn key(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        (self.run()? == 1).then(|| {
            self.i += 1;
            &self.s[start..self.i - 1]
        })
    }

    /// An array's items, each read (or skipped) by `item`.
    pub(crate) fn array(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
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

    /// Any value, skipped: checked to the grammar, nothing kept.
    pub(crate) fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.skip_string_rest()
            }
            // keys skipped like any string: no key of a skipped object is read
            b'{' => self.sequence(b'{', b'}', |c| {
                c.skip_string()?;
                c.eat(b':')?;
                c.skip_value()
            }),
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

    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { s: text, i: 0, depth: 0 }
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.ws();
        self.i == self.s.len()
    }

    /// The next value's first byte (after whitespace), not consumed.
    fn next_byte(&mut self) -> Option<u8> {
        self.ws();
        self.peek()
    }

    /// `null`: `Some(true)` when it is next (and read), `Some(false)` when another value is.
    pub(crate) fn null(&mut self) -> Option<bool> {
        if self.next_byte()? == b'n' {
            self.literal("null")?;
            return Some(true);
        }
        Some(false)
    }

    /// A string or `null`.
    pub(crate) fn opt_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null()? { Some(None) } else { self.string().map(Some) }
    }

    /// The text of the next value, skipped (checked to the grammar like any skipped value).
    pub(crate) fn raw_value(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.i;
        self.skip_value()?;
        Some(&self.s[start..self.i])
    }
}

/// The field names (and aliases) a serde-derived type asks its deserializer for: the tests tie
/// each quick reader's member names to the serde types it stands in for with it.
#[cfg(test)]
pub(crate) fn fields_of<'de, T: serde::Deserialize<'de>>() -> Vec<&'static str> {
    use serde::de::{self, Visitor};
    struct Fields(std::cell::RefCell<Vec<&'static str>>);
    impl<'de> serde::Deserializer<'de> for &Fields {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("field names only"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.borrow_mut().extend(fields);
            Err(de::Error::custom("field names only"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let f = Fields(Default::default());
    assert!(T::deserialize(&f).is_err());
    f.0.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings of every length up to 40 with escapes and multi-byte characters at every
    /// position (the eight-byte steps and the cut back after them), read as serde_json reads them.
    #[test]
    fn strings_read_as_serde_json_reads_them() {
        let parts = ["a", "é", "\"", "\\", "\n", "/", "✓", "\t", "xyz"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 0..40 {
            for _ in 0..50 {
                let text: String = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        parts[(seed % parts.len() as u64) as usize]
                    })
                    .collect();
                let json = serde_json::to_string(&text).unwrap();
                let mut c = Cursor::new(&json);
                assert_eq!(c.string().as_deref(), Some(text.as_str()), "{json}");
                assert!(c.at_end());
                let mut c = Cursor::new(&json);
                assert_eq!(c.skip_value(), Some(()), "{json}");
                assert!(c.at_end());
            }
        }
    }
}
