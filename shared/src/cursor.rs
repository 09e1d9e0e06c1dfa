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
//!
//! Escaped documents: a JSON document inside a JSON string (an SNS `Message`, an SQS body; an SNS
//! envelope inside an SQS body holds its `Message` twice escaped) is read where it lies, without
//! unescaping it first ([`Cursor::inside`]): at *level* 1 a quote of the document is written `\"`
//! and a backslash `\\`, at level 2 `\\\"` and `\\\\`; everything else a plain document
//! has (letters, digits, `{}[]:,`, spaces, UTF-8) is the same at every level, and a newline,
//! tab or return between tokens (SNS pretty-prints the envelope it puts in an SQS body) is its
//! escape written one level down (`\n`, `\\n`). The cursor reads only those forms: any other
//! (a `\/`, a `\u` for a character, a run of backslashes of another length) → `None`, and the
//! caller unescapes the text and reads it as before. Where the cursor reads a document, it
//! reads what unescaping it and reading the result would give (tests at every level).

use std::borrow::Cow;

/// Deeper nesting is left to serde_json (whose own limit is 128).
pub(crate) const MAX_DEPTH: usize = 64;

/// A position in a JSON text, read forward. Every method that reads says `None` for a text it
/// is not sure of (see the module's rules), leaving the position anywhere: the caller then drops
/// the whole reading.
pub(crate) struct Cursor<'a, const L: usize = 0> {
    /// The whole text.
    s: &'a str,
    /// The next byte to read.
    i: usize,
    /// How many objects and arrays are open.
    depth: usize,
}

/// The deepest level of escaping [`Cursor::inside`] reads (an SES event in an SNS envelope in
/// an SQS body).
pub(crate) const MAX_LEVEL: usize = 2;

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

/// `$f::<level>($args)` for a level known only when the program runs (0 to [`MAX_LEVEL`]; `None`
/// above).
#[cfg(any(test, feature = "test-util"))]
macro_rules! at_level {
    ($level:expr, $f:ident($($arg:expr),*)) => {
        match $level {
            0 => $f::<0>($($arg),*),
            1 => $f::<1>($($arg),*),
            2 => $f::<2>($($arg),*),
            _ => None,
        }
    };
}
#[cfg(any(test, feature = "test-util"))]
pub(crate) use at_level;

/// A JSON string as it is written in the payload, quotes and escapes included: an SQS body or an
/// SNS `Message` the quick reader did not read in place, unescaped only when it is needed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Written<'a> {
    text: &'a str,
}

impl<'a> Written<'a> {
    /// The string's value, unescaped (`None` cannot happen: [`Cursor::written_string`] checked it
    /// as [`Cursor::string`] reads it).
    pub(crate) fn unescape(&self) -> Option<Cow<'a, str>> {
        let mut c = Cursor::new(self.text);
        let value = c.string()?;
        c.at_end().then_some(value)
    }
}

/// A cursor's position, to come back to ([`Cursor::mark`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    i: usize,
    depth: usize,
}

/// For tests: `doc` as it is written inside a JSON string, `level` times (what
/// [`Cursor::escaped`] reads at that level).
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn escape(doc: &str, level: usize) -> String {
    let mut text = doc.to_string();
    for _ in 0..level {
        let quoted = serde_json::Value::from(text).to_string();
        text = quoted[1..quoted.len() - 1].to_string();
    }
    text
}

/// What [`Cursor::escape_at_level`] found.
enum Escape {
    /// The string's closing quote.
    End,
    /// An escaped character.
    Char(u8),
    /// `\u`: its four hex digits follow.
    Unicode,
    /// Nothing: the byte after the backslashes is a character of its own.
    Plain,
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
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { s: text, i: 0, depth: 0 }
    }

    /// A string as it is written, checked as [`Cursor::string`] would read it (a `\u` escape
    /// → `None`), without unescaping it: [`Written::unescape`] does that when it is needed.
    pub(crate) fn written_string(&mut self) -> Option<Written<'a>> {
        self.ws();
        let start = self.i;
        self.eat(b'"')?;
        self.skip_string_rest_with(false)?;
        Some(Written { text: &self.s[start..self.i] })
    }
}

/// A cursor's `L`: how many times the document is escaped in its text (0: a plain JSON text).
/// A constant, so a plain text's reading has no test for it.
impl<'a, const L: usize> Cursor<'a, L> {
    fn bytes(&self) -> &'a [u8] {
        self.s.as_bytes()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.i += 1,
                // above level 0, a newline, tab or return is escaped (a pretty-printed SNS
                // envelope in an SQS body): 2^(level-1) backslashes and its letter
                Some(b'\\') if L > 0 => {
                    let run = 1 << L.saturating_sub(1);
                    let bytes = &self.bytes()[self.i..];
                    match bytes.get(run) {
                        Some(b'n' | b't' | b'r') if bytes[..run].iter().all(|b| *b == b'\\') => {
                            self.i += run + 1
                        }
                        _ => return,
                    }
                }
                _ => return,
            }
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
                // the kind from the word in hand: a load here (of the byte, or of a table) would
                // wait on the search
                let word = u64::from_le_bytes(chunk.try_into().ok()?);
                return Some(match (word >> (8 * k)) as u8 {
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

    /// Where the cursor is, to come back to with [`Cursor::rewind`].
    pub(crate) fn mark(&self) -> Mark {
        Mark { i: self.i, depth: self.depth }
    }

    /// Back to a [`Cursor::mark`] (after a reading that said `None`).
    pub(crate) fn rewind(&mut self, mark: Mark) {
        (self.i, self.depth) = (mark.i, mark.depth);
    }

    /// A cursor that reads the document inside the string the cursor is at (after whitespace),
    /// where it lies: at level `M`, which must be `L + 1` (`None` otherwise, or above
    /// [`MAX_LEVEL`]). This cursor is past the opening quote; once the document is read,
    /// [`Cursor::close_string`] on the inner one gives where this one goes on.
    pub(crate) fn inside<const M: usize>(&mut self) -> Option<Cursor<'a, M>> {
        (M == L + 1 && M <= MAX_LEVEL).then_some(())?;
        self.open_quote()?;
        Some(Cursor { s: self.s, i: self.i, depth: 0 })
    }

    /// After a document read with a cursor from [`Cursor::inside`]: whitespace, then the closing
    /// quote of the string it is in (written one level down); the position past it, where the
    /// outer cursor goes on ([`Cursor::go_to`]).
    pub(crate) fn close_string(&mut self) -> Option<usize> {
        self.ws();
        // a quote one level down: 2^(L-1) - 1 backslashes and the quote
        let run = (1usize << L.checked_sub(1)?) - 1;
        let bytes = self.bytes().get(self.i..self.i + run + 1)?;
        (bytes[..run].iter().all(|b| *b == b'\\') && bytes[run] == b'"').then_some(self.i + run + 1)
    }

    /// On to `i`, past a string read by an inner cursor ([`Cursor::close_string`]).
    pub(crate) fn go_to(&mut self, i: usize) {
        self.i = i;
    }

    /// The opening quote of a string, after whitespace.
    fn open_quote(&mut self) -> Option<()> {
        if L == 0 {
            return self.eat(b'"');
        }
        self.ws();
        self.quote_at_level()
    }

    /// Above level 0: past the document's quote (a string's opening or closing one), when the
    /// backslashes at the cursor are one.
    fn quote_at_level(&mut self) -> Option<()> {
        match self.escape_at_level()? {
            (0, Escape::End) => Some(()),
            _ => None,
        }
    }

    /// Above level 0, at a backslash inside a string: what the run of backslashes there and the
    /// byte after it stand for in the document, read past: so many backslashes of the string,
    /// then its closing quote, an escaped character, a `\u` escape (the cursor on its hex
    /// digits) or nothing (the byte after the run is a character of its own). A document's
    /// backslash is 2^level of them, its quote 2^level - 1 and a quote; a run of any other
    /// length (a `\/`, an escaped newline written at this level) → `None` (see the module's
    /// rules).
    fn escape_at_level(&mut self) -> Option<(usize, Escape)> {
        let bytes = self.bytes();
        // the commonest by far, every string's opening and closing: the document's quote (at
        // level 1 `\"`), checked at once, not counted
        let quote = (1 << L) - 1;
        if bytes.get(self.i + quote) == Some(&b'"')
            && bytes[self.i..self.i + quote].iter().all(|b| *b == b'\\')
        {
            self.i += quote + 1;
            return Some((0, Escape::End));
        }
        let run = bytes[self.i..].iter().take_while(|b| **b == b'\\').count();
        let end = self.i + run;
        let after = *bytes.get(end)?;
        let unit = 1 << L;
        if after == b'"' {
            if !(run + 1).is_multiple_of(unit) {
                return None;
            }
            // the document's backslashes before its quote
            let n = (run + 1) / unit - 1;
            self.i = end + 1;
            return Some((n / 2, if n % 2 == 1 { Escape::Char(b'"') } else { Escape::End }));
        }
        if !run.is_multiple_of(unit) {
            return None;
        }
        let n = run / unit;
        if n.is_multiple_of(2) {
            self.i = end;
            return Some((n / 2, Escape::Plain));
        }
        // the last backslash escapes the byte after
        self.i = end + 1;
        match after {
            b'u' => Some((n / 2, Escape::Unicode)),
            b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some((n / 2, Escape::Char(ESCAPED[after as usize]))),
            _ => None,
        }
    }

    /// A string, borrowed when it has no escape. Inlined where it is read (a string without an
    /// escape is a few instructions, the call was most of them); the rest is not.
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        self.open_quote()?;
        let start = self.i;
        if L > 0 {
            return self.escaped_string_rest(start);
        }
        match self.run()? {
            1 => {
                self.i += 1;
                Some(Cow::Borrowed(&self.s[start..self.i - 1]))
            }
            2 => self.unescaped_string_rest(start),
            _ => None,
        }
    }

    /// [`Cursor::string`] at level 0 from its first escape, the string opened at `start`.
    #[inline(never)]
    fn unescaped_string_rest(&mut self, start: usize) -> Option<Cow<'a, str>> {
        // grows by doubling: an SQS body of 2 KB reallocates twice (4 KB at once measured
        // slower for an SQS batch of 1000: twice the memory)
        let mut out: Vec<u8> = Vec::with_capacity(512);
        out.extend_from_slice(&self.bytes()[start..self.i]);
        self.unescape_rest(&mut out)?;
        // Only ASCII bytes were decoded, between whole UTF-8 sequences of the input.
        String::from_utf8(out).ok().map(Cow::Owned)
    }

    /// [`Cursor::string`] above level 0, after the opening quote at `start`.
    fn escaped_string_rest(&mut self, start: usize) -> Option<Cow<'a, str>> {
        // a raw quote would end the text the document is in
        if self.run()? != 2 {
            return None;
        }
        let end = self.i;
        let mut escape = self.escape_at_level()?;
        if let (0, Escape::End) = escape {
            return Some(Cow::Borrowed(&self.s[start..end]));
        }
        // Escapes in a kept string are rare (a display name in quotes): one run at a time.
        let mut out = self.bytes()[start..end].to_vec();
        loop {
            let (backslashes, then) = escape;
            out.resize(out.len() + backslashes, b'\\');
            match then {
                Escape::End => break,
                Escape::Char(c) => out.push(c),
                Escape::Plain => {}
                Escape::Unicode => return None,
            }
            let from = self.i;
            if self.run()? != 2 {
                return None;
            }
            out.extend_from_slice(&self.bytes()[from..self.i]);
            escape = self.escape_at_level()?;
        }
        // Only ASCII bytes were decoded, between whole UTF-8 sequences of the input.
        String::from_utf8(out).ok().map(Cow::Owned)
    }

    /// Four hex digits (a skipped `\u` escape's), the cursor on the first.
    fn skip_hex4(&mut self) -> Option<()> {
        let hex = self.bytes().get(self.i..self.i + 4)?;
        hex.iter().all(u8::is_ascii_hexdigit).then_some(())?;
        self.i += 4;
        Some(())
    }

    /// A string skipped, after its opening quote: serde_json checks a skipped `\u` escape for
    /// four hex digits only (whether it makes a character depends on what the string would be
    /// read into).
    fn skip_string_rest(&mut self) -> Option<()> {
        self.skip_string_rest_with(true)
    }

    /// [`Cursor::skip_string_rest`]; a `\u` escape is refused unless `unicode`. Inlined where it
    /// is called (in `skip_value`, for every string of a skipped value): a call for each was 1 %
    /// of an event's instructions.
    #[inline(always)]
    fn skip_string_rest_with(&mut self, unicode: bool) -> Option<()> {
        if L > 0 {
            loop {
                // a raw quote would end the text the document is in
                if self.run()? != 2 {
                    return None;
                }
                match self.escape_at_level()?.1 {
                    Escape::End => return Some(()),
                    Escape::Char(_) | Escape::Plain => {}
                    Escape::Unicode if unicode => self.skip_hex4()?,
                    Escape::Unicode => return None,
                }
            }
        }
        loop {
            match self.run()? {
                1 => {
                    self.i += 1;
                    return Some(());
                }
                2 if self.bytes().get(self.i + 1) == Some(&b'u') => {
                    unicode.then_some(())?;
                    self.i += 2;
                    self.skip_hex4()?;
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
    #[inline(always)]
    fn key(&mut self) -> Option<&'a str> {
        self.open_quote()?;
        let start = self.i;
        let kind = self.run()?;
        let end = self.i;
        if L > 0 {
            (kind == 2).then_some(())?;
            return self.quote_at_level().map(|()| &self.s[start..end]);
        }
        (kind == 1).then(|| {
            self.i += 1;
            &self.s[start..end]
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

    /// Any value, skipped: checked to the grammar, nothing kept. One loop over the tokens, the
    /// open objects and arrays kept as bits (an object's keys are skipped like any string: no key
    /// of a skipped object is read), rather than a call per nested value: an SES event's `mail`
    /// headers, skipped whole, are most of its tokens.
    pub(crate) fn skip_value(&mut self) -> Option<()> {
        // the objects and arrays open in this value, innermost lowest: 1 = an object
        let (mut open, mut count) = (0u64, 0usize);
        // whether the next string is a key (a colon and its value follow): keys and values are
        // skipped at one place, so the string loop is inlined once
        let mut key = false;
        loop {
            // a value, or a key
            self.ws();
            let b = self.peek()?;
            if key && !matches!(b, b'"' | b'\\') {
                return None;
            }
            match b {
                b'"' if L == 0 => {
                    self.i += 1;
                    self.skip_string_rest()?;
                }
                b'\\' if L > 0 => {
                    self.quote_at_level()?;
                    self.skip_string_rest()?;
                }
                b @ (b'{' | b'[') => {
                    self.i += 1;
                    self.enter()?;
                    (open, count) = ((open << 1) | u64::from(b == b'{'), count + 1);
                    self.ws();
                    let close = if b == b'{' { b'}' } else { b']' };
                    if self.peek()? == close {
                        self.i += 1;
                        self.depth -= 1;
                        (open, count) = (open >> 1, count - 1);
                    } else {
                        key = b == b'{';
                        continue;
                    }
                }
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            if key {
                key = false;
                self.eat(b':')?;
                continue;
            }
            // after a value: the end of the open objects and arrays it ends, or the next member
            loop {
                if count == 0 {
                    return Some(());
                }
                self.ws();
                let object = open & 1 == 1;
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        key = object;
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                self.i += 1;
                self.depth -= 1;
                (open, count) = (open >> 1, count - 1);
            }
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

    /// For tests: a cursor at the start of a document escaped `L` times in `text` (the content
    /// of a JSON string, at `L` 1); `None` above [`MAX_LEVEL`]. The functions read one level up
    /// from where they are, with [`Cursor::inside`].
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn escaped(text: &'a str) -> Option<Self> {
        (L <= MAX_LEVEL).then_some(Self { s: text, i: 0, depth: 0 })
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
    /// Above level 0, only a number or a literal: the text of anything else is escaped.
    pub(crate) fn raw_value(&mut self) -> Option<&'a str> {
        self.ws();
        if L > 0 && matches!(self.peek()?, b'\\' | b'{' | b'[') {
            return None;
        }
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
        let mut rng = crate::synth::Rng::new(0x2545_f491_4f6c_dd1d);
        for len in 0..40 {
            for _ in 0..50 {
                let text = rng.text(&parts, len);
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

    /// The same strings, written once and twice inside JSON strings (an SNS `Message`, an SNS
    /// envelope in an SQS body), read where they lie; and kept as written in a plain text.
    #[test]
    fn strings_read_at_every_level() {
        fn read<const L: usize>(text: &str) -> (Option<String>, Option<()>) {
            let mut c = Cursor::<L>::escaped(text).unwrap();
            let value = c.string().filter(|_| c.at_end()).map(Cow::into_owned);
            let mut c = Cursor::<L>::escaped(text).unwrap();
            (value, c.skip_value().filter(|_| c.at_end()))
        }
        let parts = ["a", "é", "\"", "\\", "\n", "/", "✓", "\t", "xyz", "\\\"", "\\\\"];
        let mut rng = crate::synth::Rng::new(0x9e37_79b9_7f4a_7c15);
        for len in 0..30 {
            for _ in 0..40 {
                let text = rng.text(&parts, len);
                let doc = serde_json::to_string(&text).unwrap();
                let want = (Some(text.clone()), Some(()));
                assert_eq!(read::<1>(&escape(&doc, 1)), want, "{doc} at level 1");
                assert_eq!(read::<2>(&escape(&doc, 2)), want, "{doc} at level 2");
                // kept as written, and unescaped when needed
                let outer = serde_json::to_string(&doc).unwrap();
                let w = Cursor::new(&outer).written_string().unwrap();
                assert_eq!(w.unescape().as_deref(), Some(doc.as_str()));
            }
        }
    }

    /// A whole document, pretty-printed as SNS writes an envelope into an SQS body (newlines
    /// and spaces between tokens), read at each level: the same keys, every value skipped.
    #[test]
    fn documents_read_at_every_level() {
        fn keys<const L: usize>(text: &str) -> Option<Vec<String>> {
            let mut c = Cursor::<L>::escaped(text)?;
            let mut out = Vec::new();
            c.object(|c, key| {
                out.push(key.to_string());
                c.skip_value()
            })?;
            c.at_end().then_some(out)
        }
        let doc = "{\n  \"Type\" : \"Notification\",\n\t\"n\": [1, -2.5e3, true, false, null, {}, []],\r\n  \
                   \"Message\" : \"{\\\"a\\\":\\\"\\\\u00e9 \\\\\\\" \\\\\\\\\\\"}\",\n  \"é\": {\"x\": [\"\\u0041\"]}\n}";
        let want = Some(vec!["Type", "n", "Message", "é"].into_iter().map(String::from).collect());
        assert_eq!(keys::<0>(doc), want);
        assert_eq!(keys::<1>(&escape(doc, 1)), want);
        assert_eq!(keys::<2>(&escape(doc, 2)), want);
    }

    /// Escapes a JSON writer may use but the plain form does not (`\/`, `\u` for a character,
    /// whitespace escaped at the wrong level, a run of backslashes of another length) are left
    /// to the caller, which unescapes the text and reads it as before.
    #[test]
    fn other_escapes_are_left_to_the_caller() {
        // at level 1, each a valid JSON string's content
        for text in [r#"\"a\/b\""#, r#"\u0022ab\""#, r#"\"a\u00e9\""#, r#"\"a\\\/\""#, "\\\"a\\\\\\u0041\\\""]
        {
            assert_eq!(Cursor::<1>::escaped(text).unwrap().string(), None, "{text}");
        }
        // a skipped string's \u escape is only checked, as serde_json checks it
        assert_eq!(Cursor::<1>::escaped(r#"\"a\\u00e9\""#).unwrap().skip_value(), Some(()));
        assert_eq!(Cursor::<1>::escaped(r#"\"a\\u00e9\""#).unwrap().string(), None);
        // a newline escaped for level 1 inside a level-2 document
        assert_eq!(Cursor::<2>::escaped("{\\n}").unwrap().object(|_, _| Some(())), None);
        assert_eq!(Cursor::<2>::escaped("{\\\\n}").unwrap().object(|_, _| Some(())), Some(()));
        assert!(Cursor::<3>::escaped("{}").is_none());
    }

    /// A skipped value takes exactly the texts serde_json takes as one value (`IgnoredAny`),
    /// nested containers included, at every level of escaping.
    #[test]
    fn skipped_values_keep_the_grammar() {
        fn skips<const L: usize>(text: &str) -> bool {
            let mut c = Cursor::<L>::escaped(text).unwrap();
            c.skip_value().is_some() && c.at_end()
        }
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let good = [
            "[]",
            "{}",
            "[ ]",
            "{ }",
            "[[],{}]",
            r#"{"a":{"b":[1,{"c":null}]},"d":"e"}"#,
            r#"[1,-2.5e3,true,false,null,"x",{"k":[]}]"#,
            " [ 1 , { \"a\" : [ ] } ] ",
            &deep(MAX_DEPTH),
        ];
        let bad = [
            "[1,]",
            r#"{"a":1,}"#,
            "[1 2]",
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            "{1:2}",
            "[}",
            r#"{"a":1]"#,
            "[1}",
            r#"{"a":[1}}"#,
            "[[]",
            "{",
            "]",
            r#"{"a":1"#,
            "[,1]",
            r#"{,"a":1}"#,
            "[01]",
            "[1.]",
            "[tru]",
            "[nul]",
            r#"{"a":1}}"#,
            r#"[{"a":[1,{"b":2]}]"#,
            "",
            &deep(MAX_DEPTH + 1),
        ];
        for text in good.iter().chain(&bad) {
            let serde = serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            // serde_json's own nesting limit is 128; ours is MAX_DEPTH (the rest goes to serde)
            let want = serde && !text.starts_with(&"[".repeat(MAX_DEPTH + 1));
            assert_eq!(skips::<0>(text), want, "{text}");
            assert_eq!(skips::<1>(&escape(text, 1)), want, "{text} at level 1");
            assert_eq!(skips::<2>(&escape(text, 2)), want, "{text} at level 2");
        }
        assert!(good.iter().all(|t| skips::<0>(t)) && bad.iter().all(|t| !skips::<0>(t)));
    }
}
