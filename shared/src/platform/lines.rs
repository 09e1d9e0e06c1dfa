//! The one reader of payload files and archives, a line at a time: `--event PATH` of every
//! function and ses-events' cost estimator (`--estimate-cost PATH`) open their file here.
//!
//! - A gzip file (what Firehose writes to S3) is recognised by its magic bytes, not its name, and
//!   read through a decompressor (concatenated gzip members too).
//! - The reader holds one line at a time in a buffer of its own (lines longer than
//!   [`MAX_LINE_BYTES`] are skipped, not buffered), so a 5 GB archive does not need 5 GB of
//!   memory.
//! - It counts the bytes read from the file (compressed bytes for a gzip file) against the
//!   file's size, for a progress line.
//! - [`Lines::is_json_lines`] tells an archive (one JSON document per line) from a single
//!   document (an SNS or SQS event, pretty-printed or not), which is read whole as before.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::IgnoredAny;

/// The longest line read: a Lambda payload is at most 6 MB, so no real document is longer; a
/// longer line (a file without line breaks) is skipped rather than held in memory.
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The size of the read buffers (the file's, and the decompressor's).
const BUFFER_BYTES: usize = 1 << 20;

/// One line of the file, or why it cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's text, without its line break.
    Text(&'a str),
    /// Longer than [`MAX_LINE_BYTES`] (its length in bytes): skipped.
    TooLong(usize),
    /// Not UTF-8: skipped.
    NotUtf8,
}

/// A payload file or archive, read a line at a time.
pub struct Lines {
    reader: Box<dyn BufRead + Send>,
    /// Lines read ahead by [`Lines::is_json_lines`], served first.
    ahead: VecDeque<Vec<u8>>,
    buf: Vec<u8>,
    number: usize,
    read: Arc<AtomicU64>,
    size: Option<u64>,
    gzip: bool,
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lines").field("number", &self.number).field("gzip", &self.gzip).finish()
    }
}

/// Counts the bytes that pass through.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Lines {
    /// Opens `path` (`-` = stdin). An error names the path.
    pub fn open(path: &str) -> io::Result<Self> {
        if path == "-" {
            return Self::new(io::stdin(), None);
        }
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{path}: {e}"));
        let file = std::fs::File::open(path).map_err(named)?;
        let size = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        Self::new(file, size).map_err(named)
    }

    /// Reads from any source of `size` bytes (when known), gzip or not.
    pub fn new(source: impl Read + Send + 'static, size: Option<u64>) -> io::Result<Self> {
        let read = Arc::new(AtomicU64::new(0));
        let counted = Counting { inner: source, read: read.clone() };
        let mut raw = BufReader::with_capacity(BUFFER_BYTES, counted);
        let gzip = raw.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(BUFFER_BYTES, flate2::bufread::MultiGzDecoder::new(raw)))
        } else {
            Box::new(raw)
        };
        Ok(Self { reader, ahead: VecDeque::new(), buf: Vec::new(), number: 0, read, size, gzip })
    }

    /// Whether the file is gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// Bytes read from the file so far (compressed bytes for a gzip file).
    pub fn bytes_read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// The file's size, when it is a file.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// Reads one raw line (line break removed) into `out`; `Ok(false)` at the end. A line longer
    /// than [`MAX_LINE_BYTES`] is consumed without being kept: `out` then holds its first
    /// `MAX_LINE_BYTES + 1` bytes only.
    fn raw_line(reader: &mut dyn BufRead, out: &mut Vec<u8>) -> io::Result<(bool, usize)> {
        out.clear();
        let mut total = 0usize;
        loop {
            let (done, used) = {
                let available = match reader.fill_buf() {
                    Ok(b) => b,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                if available.is_empty() {
                    return Ok((total > 0, total));
                }
                let (done, used) = match memchr(available) {
                    Some(i) => (true, i + 1),
                    None => (false, available.len()),
                };
                let keep = used.min((MAX_LINE_BYTES + 1).saturating_sub(out.len()));
                out.extend_from_slice(&available[..keep]);
                (done, used)
            };
            reader.consume(used);
            total += used;
            if done {
                if out.last() == Some(&b'\n') {
                    out.pop();
                    if out.last() == Some(&b'\r') {
                        out.pop();
                    }
                }
                return Ok((true, total));
            }
        }
    }

    /// The next line with its number (from 1); `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Line<'_>)>> {
        let len = match self.ahead.pop_front() {
            Some(line) => {
                self.buf = line;
                self.buf.len()
            }
            None => match Self::raw_line(self.reader.as_mut(), &mut self.buf)? {
                (false, _) => return Ok(None),
                (true, total) => total,
            },
        };
        self.number += 1;
        let line = if self.buf.len() > MAX_LINE_BYTES {
            Line::TooLong(len)
        } else {
            match std::str::from_utf8(&self.buf) {
                Ok(text) => Line::Text(text),
                Err(_) => Line::NotUtf8,
            }
        };
        Ok(Some((self.number, line)))
    }

    /// Whether the file is JSON lines (an archive): its first non-blank line is a JSON object by
    /// itself and another non-blank line follows. A single document (an SNS or SQS event, on one
    /// line or pretty-printed) is not. Reads at most up to the second non-blank line, which
    /// [`Lines::next_line`] then serves again.
    pub fn is_json_lines(&mut self) -> io::Result<bool> {
        let mut first: Option<bool> = None;
        while self.ahead.len() < 1 << 16 {
            let mut line = Vec::new();
            let (more, _) = Self::raw_line(self.reader.as_mut(), &mut line)?;
            if !more {
                return Ok(false);
            }
            let blank = line.iter().all(u8::is_ascii_whitespace);
            let parses = !blank && line.len() <= MAX_LINE_BYTES && {
                let t = std::str::from_utf8(&line).map(|t| t.trim().trim_start_matches('\u{feff}'));
                t.is_ok_and(|t| t.starts_with('{') && serde_json::from_str::<IgnoredAny>(t).is_ok())
            };
            self.ahead.push_back(line);
            match (blank, first) {
                (true, _) => {}
                (false, None) => first = Some(parses),
                (false, Some(first)) => return Ok(first),
            }
        }
        Ok(false)
    }

    /// The rest of the file as one text (a single document: read whole, as before).
    pub fn into_string(mut self) -> io::Result<String> {
        let had_ahead = !self.ahead.is_empty();
        let mut bytes = Vec::new();
        for (i, line) in self.ahead.drain(..).enumerate() {
            if i > 0 {
                bytes.push(b'\n');
            }
            bytes.extend_from_slice(&line);
        }
        let mut rest = Vec::new();
        self.reader.read_to_end(&mut rest)?;
        if had_ahead && !rest.is_empty() {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&rest);
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.utf8_error()))
    }
}

/// The position of the first `\n`.
fn memchr(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', bytes)
}

/// The lines of a text held in memory, as [`str::lines`] gives them (split at `\n`, a `\r`
/// before it removed, no empty line after a final break), found with SIMD: a JSON-lines payload
/// of ses-events is split here.
pub fn lines_of(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text).filter(|t| !t.is_empty());
    std::iter::from_fn(move || {
        let t = rest?;
        let Some(i) = memchr(t.as_bytes()) else {
            rest = None;
            return Some(t);
        };
        rest = Some(&t[i + 1..]).filter(|r| !r.is_empty());
        Some(t[..i].strip_suffix('\r').unwrap_or(&t[..i]))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn lines_of_splits_as_str_lines_does() {
        for text in ["", "\n", "a", "a\n", "a\r\nb", "a\n\nb\n", "\r\n\r\n", "a\rb\n", "x\n\r", "é\nü\r\n"]
        {
            assert_eq!(lines_of(text).collect::<Vec<_>>(), text.lines().collect::<Vec<_>>(), "{text:?}");
        }
    }

    fn lines(data: &[u8]) -> Lines {
        Lines::new(io::Cursor::new(data.to_vec()), Some(data.len() as u64)).unwrap()
    }

    fn all(mut l: Lines) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        while let Some((n, line)) = l.next_line().unwrap() {
            out.push((n, format!("{line:?}")));
        }
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn lines_of_plain_and_gzip_files_alike() {
        let text = b"{\"a\":1}\r\n\n{\"b\":2}\nlast";
        let plain = all(lines(text));
        assert_eq!(
            plain,
            vec![
                (1, r#"Text("{\"a\":1}")"#.to_string()),
                (2, r#"Text("")"#.to_string()),
                (3, r#"Text("{\"b\":2}")"#.to_string()),
                (4, r#"Text("last")"#.to_string())
            ]
        );
        let z = gzip(text);
        let l = lines(&z);
        assert!(l.is_gzip());
        assert_eq!(all(l), plain);
        // concatenated members, as appended archives are
        let mut two = gzip(b"{\"a\":1}\n");
        two.extend(gzip(b"{\"b\":2}\n"));
        assert_eq!(all(lines(&two)).len(), 2);
    }

    #[test]
    fn long_and_broken_lines_are_skipped_not_kept() {
        let mut data = vec![b'x'; MAX_LINE_BYTES + 10];
        data.extend_from_slice(b"\n\xff\xfe\nok\n");
        let mut l = lines(&data);
        assert_eq!(l.next_line().unwrap(), Some((1, Line::TooLong(MAX_LINE_BYTES + 11))));
        assert!(l.buf.len() <= MAX_LINE_BYTES + 1);
        assert_eq!(l.next_line().unwrap(), Some((2, Line::NotUtf8)));
        assert_eq!(l.next_line().unwrap(), Some((3, Line::Text("ok"))));
        assert_eq!(l.next_line().unwrap(), None);
        assert_eq!(l.bytes_read(), data.len() as u64);
    }

    #[test]
    fn archives_are_told_from_single_documents() {
        let doc = "{\n  \"Records\": [\n    {\"eventSource\": \"aws:sqs\"}\n  ]\n}\n";
        let one_line = "{\"Records\":[]}\n";
        let archive = "\n{\"eventType\":\"Send\"}\n{\"eventType\":\"Send\"}\n";
        let broken_first = "{\"eventType\":\n{\"eventType\":\"Send\"}\n";
        for (text, want) in [(doc, false), (one_line, false), (archive, true), (broken_first, false)] {
            let mut l = lines(text.as_bytes());
            assert_eq!(l.is_json_lines().unwrap(), want, "{text:?}");
            // nothing is lost by looking
            assert_eq!(l.into_string().unwrap().trim(), text.trim(), "{text:?}");
        }
        let mut l = lines(archive.as_bytes());
        assert!(l.is_json_lines().unwrap());
        let got = all(l);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1], (2, r#"Text("{\"eventType\":\"Send\"}")"#.to_string()));
        let mut l = lines(&gzip(archive.as_bytes()));
        assert!(l.is_json_lines().unwrap());
        assert_eq!(all(l).len(), 3);
    }
}
