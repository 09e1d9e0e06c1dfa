//! The SES account suppression list and configuration-set sending switch, behind small traits,
//! with aws-sdk-sesv2 implementations and in-memory ones for tests.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Mutex;

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{SuppressionListReason, Tag};
use serde::Serialize;

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

/// A failed SES call (after the SDK's retries).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SES {op} failed: {message}")]
pub struct SesApiError {
    /// The operation.
    pub op: &'static str,
    /// What SES (or the transport) said.
    pub message: String,
    /// Whether trying again later may succeed (throttling, a server error, the network), as
    /// opposed to SES refusing this request itself (a malformed address, say).
    pub transient: bool,
    /// Whether SES refused this one request for what it carries (`BadRequestException`: an
    /// address it will not take), so that the caller may count it and go on with the others.
    /// Every other error (access denied, unknown credentials, a wrong region or endpoint,
    /// throttling after the retries, a server error, the network) is about the caller or the
    /// service, and would refuse every other request just the same.
    pub refused_item: bool,
}

impl SesApiError {
    /// A permanent error about one value, raised before any request (an invalid value).
    pub fn invalid(op: &'static str, message: impl Into<String>) -> Self {
        Self { op, message: message.into(), transient: false, refused_item: true }
    }
}

/// The account-level suppression list.
pub trait SuppressionList: Send + Sync {
    /// Puts an address on the list with a reason (an address already there is updated).
    fn suppress(
        &self,
        address: &str,
        reason: SuppressionReason,
    ) -> impl Future<Output = Result<(), SesApiError>> + Send;
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
    fn state(&self, set: &ConfigSetRef) -> impl Future<Output = Result<SendingState, SesApiError>> + Send;
    /// Records alarms as holders of the pause (one tag each; others' tags are left alone).
    fn add_holders(
        &self,
        set: &ConfigSetRef,
        alarms: &[String],
    ) -> impl Future<Output = Result<(), SesApiError>> + Send;
    /// Removes alarms' holder tags (and the earlier versions' list tag); others' are left alone.
    fn remove_holders(
        &self,
        set: &ConfigSetRef,
        alarms: &[String],
    ) -> impl Future<Output = Result<(), SesApiError>> + Send;
    /// Enables or disables sending.
    fn set_sending(
        &self,
        set: &ConfigSetRef,
        enabled: bool,
    ) -> impl Future<Output = Result<(), SesApiError>> + Send;
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

/// The SESv2 API.
#[derive(Debug, Clone)]
pub struct SesV2 {
    client: Client,
}

impl SesV2 {
    /// Wraps a client (built once per container).
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

fn api_err<E>(
    op: &'static str,
    e: &aws_sdk_sesv2::error::SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
) -> SesApiError
where
    E: aws_sdk_sesv2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    SesApiError {
        op,
        message: crate::platform::aws::error_text(e),
        transient: crate::platform::aws::is_transient(e),
        refused_item: refuses_the_item(e),
    }
}

/// `BadRequestException` with HTTP 400: SESv2's answer to a request whose content it refuses
/// (for PutSuppressedDestination, an address it does not accept). Only this counts as a refusal
/// of one item; see [`SesApiError::refused_item`].
fn refuses_the_item<E>(
    e: &aws_sdk_sesv2::error::SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
) -> bool
where
    E: aws_sdk_sesv2::error::ProvideErrorMetadata,
{
    match e {
        aws_sdk_sesv2::error::SdkError::ServiceError(se) => {
            se.raw().status().as_u16() == 400 && se.err().meta().code() == Some("BadRequestException")
        }
        _ => false,
    }
}

impl SuppressionList for SesV2 {
    async fn suppress(&self, address: &str, reason: SuppressionReason) -> Result<(), SesApiError> {
        let reason = match reason {
            SuppressionReason::Complaint => SuppressionListReason::Complaint,
            SuppressionReason::Bounce => SuppressionListReason::Bounce,
        };
        self.client
            .put_suppressed_destination()
            .email_address(address)
            .reason(reason)
            .send()
            .await
            .map_err(|e| api_err("PutSuppressedDestination", &e))?;
        Ok(())
    }
}

impl SendingControl for SesV2 {
    async fn state(&self, set: &ConfigSetRef) -> Result<SendingState, SesApiError> {
        let out = self
            .client
            .get_configuration_set()
            .configuration_set_name(&set.name)
            .send()
            .await
            .map_err(|e| api_err("GetConfigurationSet", &e))?;
        // SendingOptions absent means the default: sending enabled.
        let enabled = out.sending_options().is_none_or(|o| o.sending_enabled());
        let paused_by = holders_from_tags(out.tags().iter().map(|t| (t.key(), t.value())));
        Ok(SendingState { enabled, paused_by })
    }

    async fn add_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), SesApiError> {
        if alarms.is_empty() {
            return Ok(());
        }
        let mut req = self.client.tag_resource().resource_arn(&set.arn);
        for a in alarms {
            let value = holder_tag_value(a).ok_or_else(|| {
                SesApiError::invalid("TagResource", format!("alarm name too long for a tag value: {a:?}"))
            })?;
            let tag = Tag::builder()
                .key(holder_tag_key(a))
                .value(value)
                .build()
                .map_err(|e| SesApiError::invalid("TagResource", e.to_string()))?;
            req = req.tags(tag);
        }
        req.send().await.map_err(|e| api_err("TagResource", &e))?;
        Ok(())
    }

    async fn remove_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), SesApiError> {
        if alarms.is_empty() {
            return Ok(());
        }
        // The earlier versions' list tag goes too (removing an absent key is no error).
        let mut req = self.client.untag_resource().resource_arn(&set.arn).tag_keys(PAUSED_BY_TAG);
        for a in alarms {
            req = req.tag_keys(holder_tag_key(a));
        }
        req.send().await.map_err(|e| api_err("UntagResource", &e))?;
        Ok(())
    }

    async fn set_sending(&self, set: &ConfigSetRef, enabled: bool) -> Result<(), SesApiError> {
        self.client
            .put_configuration_set_sending_options()
            .configuration_set_name(&set.name)
            .sending_enabled(enabled)
            .send()
            .await
            .map_err(|e| api_err("PutConfigurationSetSendingOptions", &e))?;
        Ok(())
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
}

/// Sends the report.
pub trait ReportMailer: Send + Sync {
    /// Sends one email; returns SES's message id.
    fn send(&self, email: &Email) -> impl Future<Output = Result<String, SesApiError>> + Send;
}

impl ReportMailer for SesV2 {
    async fn send(&self, email: &Email) -> Result<String, SesApiError> {
        use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
        let content = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| SesApiError::invalid("SendEmail", e.to_string()))
        };
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(Body::builder().html(content(&email.html)?).text(content(&email.text)?).build())
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&email.from)
            .destination(Destination::builder().set_to_addresses(Some(email.to.clone())).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(email.configuration_set.clone())
            .send()
            .await
            .map_err(|e| api_err("SendEmail", &e))?;
        Ok(out.message_id().unwrap_or_default().to_string())
    }
}

/// In-memory suppression list and configuration sets, recording every call.
#[derive(Debug, Default)]
pub struct MemorySes {
    /// address → reason.
    pub suppressed: Mutex<BTreeMap<String, SuppressionReason>>,
    /// set name → state.
    pub sets: Mutex<HashMap<String, SendingState>>,
    /// Calls made, in order (`Suppress addr REASON`, `SetSending name true`, …).
    pub calls: Mutex<Vec<String>>,
    /// Emails sent.
    pub sent: Mutex<Vec<Email>>,
}

impl ReportMailer for MemorySes {
    async fn send(&self, email: &Email) -> Result<String, SesApiError> {
        let mut sent = self.sent.lock().expect("not poisoned");
        sent.push(email.clone());
        Ok(format!("memory-{}", sent.len()))
    }
}

impl MemorySes {
    fn log(&self, s: String) {
        self.calls.lock().expect("not poisoned").push(s);
    }
}

impl SuppressionList for MemorySes {
    async fn suppress(&self, address: &str, reason: SuppressionReason) -> Result<(), SesApiError> {
        self.log(format!("Suppress {address} {}", reason.as_str()));
        self.suppressed.lock().expect("not poisoned").insert(address.into(), reason);
        Ok(())
    }
}

/// Every call of the in-memory configuration sets yields to the scheduler first, as a network
/// call would, so that concurrent tasks interleave between a read and a write.
impl SendingControl for MemorySes {
    async fn state(&self, set: &ConfigSetRef) -> Result<SendingState, SesApiError> {
        tokio::task::yield_now().await;
        let sets = self.sets.lock().expect("not poisoned");
        sets.get(&set.name).cloned().ok_or_else(|| {
            SesApiError::invalid("GetConfigurationSet", format!("NotFoundException: {}", set.name))
        })
    }

    async fn add_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), SesApiError> {
        tokio::task::yield_now().await;
        self.log(format!("AddHolders {} [{}]", set.name, alarms.join(",")));
        let mut sets = self.sets.lock().expect("not poisoned");
        let state = sets.entry(set.name.clone()).or_insert(SendingState { enabled: true, paused_by: vec![] });
        for a in alarms {
            if !state.paused_by.contains(a) {
                state.paused_by.push(a.clone());
            }
        }
        state.paused_by.sort();
        Ok(())
    }

    async fn remove_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), SesApiError> {
        tokio::task::yield_now().await;
        self.log(format!("RemoveHolders {} [{}]", set.name, alarms.join(",")));
        let mut sets = self.sets.lock().expect("not poisoned");
        if let Some(state) = sets.get_mut(&set.name) {
            state.paused_by.retain(|a| !alarms.contains(a));
        }
        Ok(())
    }

    async fn set_sending(&self, set: &ConfigSetRef, enabled: bool) -> Result<(), SesApiError> {
        tokio::task::yield_now().await;
        self.log(format!("SetSending {} {enabled}", set.name));
        let mut sets = self.sets.lock().expect("not poisoned");
        sets.entry(set.name.clone()).or_insert(SendingState { enabled: true, paused_by: vec![] }).enabled =
            enabled;
        Ok(())
    }
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
