//! The SES account suppression list and configuration-set sending switch, behind small traits,
//! with aws-sdk-sesv2 implementations and in-memory ones for tests.

use std::future::Future;

use aws_sdk_sesv2::types::{SuppressionListReason, Tag};
use serde::Serialize;

use crate::platform::aws::AwsError;

mod client;
#[cfg(any(test, feature = "test-util"))]
mod memory;

pub use client::SesV2;
#[cfg(any(test, feature = "test-util"))]
pub use memory::MemorySes;

/// Why an address goes on the suppression list (SES knows exactly these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuppressionReason {
    /// The recipient complained.
    Complaint,
    /// The address bounced.
    Bounce,
}

impl SuppressionReason {
    /// `COMPLAINT` or `BOUNCE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Complaint => "COMPLAINT",
            Self::Bounce => "BOUNCE",
        }
    }
}

/// The account-level suppression list.
pub trait SuppressionList: Send + Sync {
    /// Puts an address on the list with a reason (an address already there is updated).
    fn suppress(
        &self,
        address: &str,
        reason: SuppressionReason,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// A configuration set's sending state, and which alarms hold it paused (through us).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendingState {
    /// Whether sending is enabled.
    pub enabled: bool,
    /// Alarms recorded as holding the pause, from the [`HOLDER_TAG_PREFIX`] tags (and the
    /// [`PAUSED_BY_TAG`] list of earlier versions); empty when we did not pause it. Sorted.
    pub paused_by: Vec<String>,
}

/// The tag an earlier version kept on a paused configuration set: every holder in one value
/// (`/`-separated). Read, and removed with the last holder; no longer written, because two
/// alarms rewriting one list at once lost a holder.
pub const PAUSED_BY_TAG: &str = "ses-monitor:paused-by";

/// The key prefix of the holder tags: one tag per alarm holding the pause,
/// `ses-monitor:paused-by:<12 hex digits of SHA-256 of the alarm name>` = the alarm name
/// (escaped as [`join_list`] escapes it). One key per alarm: recording or releasing one holder
/// never rewrites another's.
pub const HOLDER_TAG_PREFIX: &str = "ses-monitor:paused-by:";

/// Longest escaped alarm name a tag value holds (SES tag values hold 256 characters).
pub const MAX_HOLDER_VALUE: usize = 256;

/// The holder tag key of an alarm.
pub fn holder_tag_key(alarm: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(alarm.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("{HOLDER_TAG_PREFIX}{hex}")
}

/// The holder tag value of an alarm (its name, escaped), or `None` when it does not fit.
pub fn holder_tag_value(alarm: &str) -> Option<String> {
    Some(encode_name(alarm)).filter(|v| !v.is_empty() && v.len() <= MAX_HOLDER_VALUE)
}

/// The alarms a configuration set's tags record as holders: one per holder tag, and the names
/// in the earlier single [`PAUSED_BY_TAG`]; sorted, without duplicates.
pub fn holders_from_tags<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in tags {
        if k.starts_with(HOLDER_TAG_PREFIX) {
            out.push(decode_name(v.trim()));
        } else if k == PAUSED_BY_TAG {
            out.extend(split_list(v));
        }
    }
    out.retain(|n| !n.is_empty());
    out.sort();
    out.dedup();
    out
}

/// Pausing and resuming sending on a configuration set.
pub trait SendingControl: Send + Sync {
    /// The current state.
    fn state(&self, set: &ConfigSetRef) -> impl Future<Output = Result<SendingState, AwsError>> + Send;
    /// Records alarms as holders of the pause (one tag each; others' tags are left alone).
    fn add_holders(
        &self,
        set: &ConfigSetRef,
        alarms: &[String],
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Removes alarms' holder tags (and the earlier versions' list tag); others' are left alone.
    fn remove_holders(
        &self,
        set: &ConfigSetRef,
        alarms: &[String],
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Enables or disables sending.
    fn set_sending(
        &self,
        set: &ConfigSetRef,
        enabled: bool,
    ) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// A configuration set: its name, and its ARN (tags are set by ARN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigSetRef {
    /// The name.
    pub name: String,
    /// `arn:aws:ses:<region>:<account>:configuration-set/<name>`.
    pub arn: String,
}

impl ConfigSetRef {
    /// Builds the reference from its parts.
    pub fn new(partition: &str, region: &str, account: &str, name: &str) -> Self {
        Self {
            name: name.into(),
            arn: format!("arn:{partition}:ses:{region}:{account}:configuration-set/{name}"),
        }
    }
}

/// The tag value of a list of alarm names, as earlier versions wrote [`PAUSED_BY_TAG`]. SES tag
/// values allow only letters, digits, spaces and `_ . : / = + -`, so each name is escaped (any
/// other byte, and `=`, as `=XX`) and the names are joined with `/`. Tag values hold at most 256
/// characters: names that do not fit are dropped with a warning.
pub fn join_list(alarms: &[String]) -> String {
    let mut out = String::new();
    for a in alarms {
        let enc = encode_name(a);
        let extra = if out.is_empty() { enc.len() } else { enc.len() + 1 };
        if out.len() + extra > 256 {
            tracing::warn!(alarm = %a, "paused-by tag full: alarm name not recorded");
            continue;
        }
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&enc);
    }
    out
}

fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"_.:+-".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("={b:02X}"));
        }
    }
    out
}

fn decode_name(enc: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = enc.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn split_list(v: &str) -> Vec<String> {
    v.split('/').map(str::trim).filter(|s| !s.is_empty()).map(decode_name).collect()
}

/// An email ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Email {
    /// Sender address (a verified SES identity).
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject.
    pub subject: String,
    /// HTML body.
    pub html: String,
    /// Plain-text alternative.
    pub text: String,
    /// Configuration set to send through, if any.
    pub configuration_set: Option<String>,
    /// Images the HTML shows by `cid:` reference, sent as inline attachments.
    pub inline_images: Vec<InlineImage>,
}

/// An image attached inline, referenced from the HTML as `cid:<content_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InlineImage {
    /// The content id (without angle brackets), as the HTML's `cid:` names it.
    pub content_id: String,
    /// The attachment's file name.
    pub file_name: String,
    /// The MIME type (`image/png`).
    pub content_type: String,
    /// The bytes.
    #[serde(skip)]
    pub data: Vec<u8>,
}

/// Sends the report.
pub trait ReportMailer: Send + Sync {
    /// Sends one email; returns SES's message id.
    fn send(&self, email: &Email) -> impl Future<Output = Result<String, AwsError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_and_tag_lists() {
        let r = ConfigSetRef::new("aws", "eu-west-1", "123456789012", "main");
        assert_eq!(r.arn, "arn:aws:ses:eu-west-1:123456789012:configuration-set/main");
        assert_eq!(join_list(&["a".into(), "b".into()]), "a/b");
        assert_eq!(split_list(" a/ b //"), vec!["a", "b"]);
        let odd: Vec<String> =
            vec!["Bounce rate > 5% (gmail)".into(), "x=y/z,ü".into(), "plain-name_1.2".into()];
        let joined = join_list(&odd);
        assert!(joined.bytes().all(|b| b.is_ascii_alphanumeric() || b" _.:/=+-".contains(&b)), "{joined}");
        assert_eq!(split_list(&joined), odd);
        assert_eq!(join_list(&["plain-name_1.2".into()]), "plain-name_1.2");
        // someone else's value never panics the decoder
        assert_eq!(split_list("=ü=4"), vec!["=ü=4"]);
        // one tag per holder: a stable short key, the escaped name as value
        let k = holder_tag_key("Bounce rate > 5% (gmail)");
        assert_eq!(k.len(), HOLDER_TAG_PREFIX.len() + 12);
        assert_eq!(k, holder_tag_key("Bounce rate > 5% (gmail)"));
        assert_ne!(k, holder_tag_key("Bounce rate > 5% (yahoo)"));
        let v = holder_tag_value("Bounce rate > 5% (gmail)").unwrap();
        assert!(v.bytes().all(|b| b.is_ascii_alphanumeric() || b" _.:/=+-".contains(&b)), "{v}");
        assert_eq!(holder_tag_value(&"ü".repeat(60)), None, "360 escaped characters do not fit");
        let tags = [(k.as_str(), v.as_str()), ("other", "x"), (PAUSED_BY_TAG, "old-a/old-b")];
        assert_eq!(holders_from_tags(tags), ["Bounce rate > 5% (gmail)", "old-a", "old-b"]);
        let long: Vec<String> = (0..40).map(|i| format!("alarm-name-{i:02}")).collect();
        let joined = join_list(&long);
        assert!(joined.len() <= 256);
        assert!(joined.ends_with(|c: char| c.is_ascii_digit()));
    }
}
