//! Structured JSON logs through `tracing`, and the rule that keeps addresses out of them.
//!
//! Logs go to stderr as one JSON object per line (CloudWatch Logs reads both streams in Lambda;
//! locally, stdout stays free for EMF and the result). The level comes from `RUST_LOG`
//! (`level` and `target=level` directives, comma-separated: `info,aws_smithy_runtime=debug`),
//! else from Lambda's `AWS_LAMBDA_LOG_LEVEL`, else `info`. The filter is tracing-subscriber's
//! `Targets`, not `EnvFilter`: EnvFilter's span and field directives need a regex engine (0.6 MB
//! of each binary, a twentieth).
//!
//! Email addresses are personal data: [`redact`] turns one into `domain#hash` (a short SHA-256
//! prefix, stable across invocations, so one recipient can still be followed through the logs)
//! unless `LOG_RECIPIENTS=true`.

use std::io::Write;

use sha2::{Digest, Sha256};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;

/// Installs the JSON subscriber once; later calls do nothing.
///
/// Every line it writes goes through [`scrub`] unless `LOG_RECIPIENTS=true` ([`ScrubbedStderr`]):
/// at `debug` and `trace` the AWS SDK, hyper and the Lambda runtime log request and response
/// bodies (a DynamoDB item names its recipient), and those lines are not ours to redact one by one.
pub fn init() {
    use tracing_subscriber::util::SubscriberInitExt;
    // A value the configuration refuses stops the function anyway (with a logged error): until
    // then, the safe reading.
    let log_recipients =
        crate::platform::config::parse_bool("LOG_RECIPIENTS", std::env::var("LOG_RECIPIENTS").ok())
            .unwrap_or(false);
    // (also routes the `log` records of dependencies into it, as `fmt().try_init()` did)
    let _ = subscriber(filter_from_env(), ScrubbedStderr { log_recipients }).try_init();
}

/// The level filter: `RUST_LOG`, else Lambda's `AWS_LAMBDA_LOG_LEVEL`, else `info` — and then
/// `error` for aws-config, whose warnings about every credential and region provider it tried
/// (IMDS, profiles) are a page of SDK internals when a person runs a function without AWS
/// settings; [`crate::platform::aws::load`] says what is missing in one line instead.
pub fn filter_from_env() -> Targets {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().map(|l| lambda_level(&l).to_string()))
        .unwrap_or_else(|| "info,aws_config=error".into());
    filter.parse().unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO))
}

/// The functions' log format (one JSON object per line) on any writer: what [`init`] installs on
/// stderr (through [`ScrubbedStderr`]), and what the cost estimator measures the log volume with.
pub fn subscriber<W>(filter: Targets, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::layer::SubscriberExt;
    // The builder's own filter (INFO unless told) would stop what `filter` lets through.
    tracing_subscriber::fmt()
        .with_max_level(LevelFilter::TRACE)
        .json()
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_writer(writer)
        .finish()
        .with(filter)
}

/// The log's writer: stderr, each formatted line passed through [`scrub`] first unless
/// `log_recipients`. (The formatter hands over one whole line per event, so an address is never
/// split between two writes.)
#[derive(Debug, Clone, Copy)]
pub struct ScrubbedStderr {
    /// `LOG_RECIPIENTS`: write lines as they are.
    pub log_recipients: bool,
}

impl<'a> MakeWriter<'a> for ScrubbedStderr {
    type Writer = Scrubbed<std::io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        Scrubbed { inner: std::io::stderr(), log_recipients: self.log_recipients }
    }
}

/// A writer that [`scrub`]s what passes through it.
#[derive(Debug)]
pub struct Scrubbed<W> {
    /// Where the scrubbed text goes.
    pub inner: W,
    /// Pass text through unchanged.
    pub log_recipients: bool,
}

impl<W: Write> Write for Scrubbed<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.log_recipients || !buf.contains(&b'@') {
            self.inner.write_all(buf)?;
        } else {
            let text = String::from_utf8_lossy(buf);
            self.inner.write_all(scrub(&text, false).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Maps Lambda's log levels (`TRACE` … `FATAL`) to tracing's.
pub fn lambda_level(level: &str) -> &'static str {
    match level.trim().to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        _ => "info",
    }
}

/// How an address may appear in logs: itself when `log_recipients`, else `domain#hash`.
pub fn redact(address: &str, log_recipients: bool) -> String {
    if log_recipients {
        return address.to_string();
    }
    let domain = crate::ses::address::recipient_domain(address);
    let digest = Sha256::digest(crate::ses::address::normalise_address(address).as_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{}#{hash}", domain.as_deref().unwrap_or(crate::ses::address::INVALID))
}

/// Replaces every address-like token (`local@domain`) in free text with its [`redact`]ed form,
/// unless `log_recipients`. Used on texts that may quote input, such as parser error messages.
pub fn scrub(text: &str, log_recipients: bool) -> std::borrow::Cow<'_, str> {
    if log_recipients || !text.contains('@') {
        return std::borrow::Cow::Borrowed(text);
    }
    let is_addr_char = |c: char| c.is_alphanumeric() || "._%+-'!#$&*=?^`{|}~".contains(c);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (k, (at, c)) in chars.iter().enumerate() {
        if *c != '@' || *at < last {
            continue;
        }
        // Never back into what was already redacted ("a@b@c": the second `@` follows "a@b").
        let mut start = k;
        while start > 0 && chars[start - 1].0 >= last && is_addr_char(chars[start - 1].1) {
            start -= 1;
        }
        let mut end = k + 1;
        while end < chars.len()
            && (chars[end].1.is_alphanumeric() || chars[end].1 == '.' || chars[end].1 == '-')
        {
            end += 1;
        }
        while end > k + 1 && matches!(chars[end - 1].1, '.' | '-') {
            end -= 1;
        }
        if start == k || end == k + 1 {
            continue;
        }
        let (from, to) = (chars[start].0, chars.get(end).map_or(text.len(), |c| c.0));
        out.push_str(&text[last..from]);
        out.push_str(&redact(&text[from..to], false));
        last = to;
    }
    out.push_str(&text[last..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_hashed_unless_allowed() {
        let r = redact("Jane.Doe@Gmail.com", false);
        assert!(r.starts_with("gmail.com#"), "{r}");
        assert!(!r.to_lowercase().contains("jane"));
        assert_eq!(r, redact("jane.doe@gmail.com", false), "stable and case-insensitive");
        assert_ne!(r, redact("john@gmail.com", false));
        // the raw destination (with a display name) and the ledger's address hash alike
        assert_eq!(redact("\"Jane Doe\" <Jane.Doe@Gmail.com>", false), r);
        assert_eq!(redact("x@y.com", true), "x@y.com");
        assert!(redact("garbage", false).starts_with("invalid#"));
    }

    #[test]
    fn scrub_hides_addresses_in_free_text() {
        let t = r#"invalid type: string "Jane@Example.com", expected a sequence; also x@y.org."#;
        let s = scrub(t, false);
        assert!(!s.contains("Jane") && !s.contains("x@y"), "{s}");
        assert!(s.contains("example.com#") && s.contains("y.org#"), "{s}");
        let expected = format!(
            "invalid type: string \"{}\", expected a sequence; also {}.",
            redact("Jane@Example.com", false),
            redact("x@y.org", false)
        );
        assert_eq!(s, expected);
        assert_eq!(scrub("no addresses @ all", false), "no addresses @ all");
        assert_eq!(scrub(t, true), t);
    }

    #[test]
    fn scrub_survives_chained_at_signs() {
        // Found by the mutation test: a second `@` right after a redacted address made the
        // scan walk back into it and slice out of order (a panic).
        for t in ["a@b@c", "event from a@b@c, not SES", "x@y.org@z.net", "@@a@b@@", "a@b.c@@d@e"] {
            let s = scrub(t, false);
            assert!(!s.contains("a@b") && !s.contains("x@y"), "{t} → {s}");
        }
        assert_eq!(scrub("a@b@c", false), format!("{}@c", redact("a@b", false)));
    }

    #[test]
    fn the_log_writer_scrubs_every_line_unless_allowed() {
        let line = br#"{"level":"TRACE","fields":{"message":"response body: {\"Item\":{\"recipient\":{\"S\":\"jane@example.com\"}}}"}}"#;
        let mut out = Scrubbed { inner: Vec::new(), log_recipients: false };
        out.write_all(line).unwrap();
        let text = String::from_utf8(out.inner).unwrap();
        assert!(!text.contains("jane"), "{text}");
        assert!(text.contains(&redact("jane@example.com", false)), "{text}");
        serde_json::from_str::<serde_json::Value>(&text).expect("still one JSON line");
        let mut raw = Scrubbed { inner: Vec::new(), log_recipients: true };
        raw.write_all(line).unwrap();
        assert_eq!(raw.inner, line);
    }

    /// The lines [`subscriber`] writes for a debug and a trace event of `ses_monitor`, and a
    /// trace event of the SDK, under `filter`.
    fn written_under(filter: &str) -> Vec<String> {
        #[derive(Clone, Default)]
        struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
        impl Write for Buf {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().write(b)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buf = Buf::default();
        let sink = buf.clone();
        let make = move || sink.clone();
        tracing::subscriber::with_default(subscriber(filter.parse().unwrap(), make), || {
            tracing::debug!(target: "ses_monitor::ingest", "ours at debug");
            tracing::trace!(target: "ses_monitor::ingest", "ours at trace");
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "the sdk at trace");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["fields"]["message"].to_string())
            .collect()
    }

    #[test]
    fn rust_log_directives_filter_by_level_and_target() {
        // A bare level applies to everything: `trace` shows the SDK's trace (the privacy test
        // relies on it; the builder's own INFO filter once hid it).
        assert_eq!(written_under("trace").len(), 3);
        assert_eq!(written_under("info").len(), 0);
        assert_eq!(written_under("warn,ses_monitor=debug"), vec!["\"ours at debug\"".to_string()]);
        assert_eq!(written_under("info,aws_smithy_runtime=trace"), vec!["\"the sdk at trace\"".to_string()]);
    }

    #[test]
    fn lambda_levels() {
        assert_eq!(lambda_level("FATAL"), "error");
        assert_eq!(lambda_level("debug"), "debug");
        assert_eq!(lambda_level("bogus"), "info");
    }
}
