//! Why mail bounced, in words a sender acts on: the ledger's bounce subtype, SMTP enhanced status
//! code (RFC 3463) and diagnostic text grouped into a few [`Reason`]s, and complaints by their
//! feedback type (RFC 5965 `Feedback-Type`), counted per recipient domain.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ledger::{LedgerEntry, Offence};

/// What a sender understands of a bounce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The address does not exist (`5.1.1`, SES subtype `NoEmail`): remove it.
    UnknownUser,
    /// The domain does not exist or takes no mail (`5.1.2`, `5.1.10`, `5.4.4`).
    BadDomain,
    /// The mailbox is disabled or inactive (`5.2.1`).
    MailboxDisabled,
    /// The mailbox is full (`x.2.2`, SES subtype `MailboxFull`).
    MailboxFull,
    /// The message is too large (`5.2.3`, `5.3.4`, SES subtype `MessageTooLarge`).
    MessageTooLarge,
    /// The receiving server refused the sender or its content (`5.7.x`, "spam", "blocked"): a
    /// reputation or authentication problem, not a bad address.
    Blocked,
    /// The content or an attachment was refused (SES subtypes `ContentRejected`,
    /// `AttachmentRejected`).
    ContentRejected,
    /// The receiving server could not be reached (`x.4.x`).
    Unreachable,
    /// SES did not send: the address is on a suppression list (SES subtypes `Suppressed`,
    /// `OnAccountSuppressionList`).
    Suppressed,
    /// Anything else (no code, an unknown subtype).
    Other,
}

impl Reason {
    /// The words the report shows, with the codes a sender may search for.
    pub fn label(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown user (5.1.1)",
            Self::BadDomain => "domain does not exist (5.1.2)",
            Self::MailboxDisabled => "mailbox disabled (5.2.1)",
            Self::MailboxFull => "mailbox full (5.2.2)",
            Self::MessageTooLarge => "message too large (5.3.4)",
            Self::Blocked => "blocked / policy (5.7.x)",
            Self::ContentRejected => "content rejected",
            Self::Unreachable => "server unreachable (4.4.x)",
            Self::Suppressed => "on a suppression list (not sent)",
            Self::Other => "other",
        }
    }

    /// The reason of one bounce: SES's own subtypes first (they say what SES did), then the
    /// first enhanced status code in the diagnostic, then words of a block in it, then the
    /// `status` field, then other words of the diagnostic.
    pub fn of(subtype: Option<&str>, status: Option<&str>, diagnostic: Option<&str>) -> Reason {
        match subtype {
            Some("Suppressed" | "OnAccountSuppressionList") => return Self::Suppressed,
            Some("NoEmail") => return Self::UnknownUser,
            Some("MailboxFull") => return Self::MailboxFull,
            Some("MessageTooLarge") => return Self::MessageTooLarge,
            Some("ContentRejected" | "AttachmentRejected") => return Self::ContentRejected,
            _ => {}
        }
        let text = diagnostic.unwrap_or("").to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
        // The server's own reply outranks the `status` field when they disagree (a relay's
        // `5.1.1` with "Message considered as spam." is a block): its code, then words of a
        // block, then the status field, then other words.
        let blocked = has(&["spam", "blocked", "blacklist", "blocklist", "denied", "policy", "reputation"]);
        let code = diagnostic
            .and_then(first_code)
            .or_else(|| if blocked { Some((5, 7, 1)) } else { status.and_then(enhanced_code) });
        if let Some((_, subject, detail)) = code {
            match (subject, detail) {
                (1, 1 | 6) => return Self::UnknownUser,
                (1, 2 | 10) | (4, 4) => return Self::BadDomain,
                (2, 1) => return Self::MailboxDisabled,
                (2, 2) => return Self::MailboxFull,
                (2, 3) | (3, 4) => return Self::MessageTooLarge,
                (7, _) => return Self::Blocked,
                (4, _) => return Self::Unreachable,
                _ => {}
            }
        }
        if has(&["user unknown", "unknown user", "does not exist", "no such user", "no such mailbox"]) {
            Self::UnknownUser
        } else if has(&["mailbox full", "quota", "insufficient storage"]) {
            Self::MailboxFull
        } else {
            Self::Other
        }
    }
}

/// An RFC 3463 enhanced status code `class.subject.detail` (class 2, 4 or 5; up to 3 digits per
/// subject and detail), exactly.
fn enhanced_code(s: &str) -> Option<(u8, u16, u16)> {
    let mut parts = s.trim().split('.');
    let class: u8 = parts.next()?.parse().ok().filter(|c| matches!(c, 2 | 4 | 5))?;
    let mut part = || -> Option<u16> {
        let p = parts.next()?;
        (!p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit())).then(|| p.parse().ok())?
    };
    let (subject, detail) = (part()?, part()?);
    parts.next().is_none().then_some((class, subject, detail))
}

/// The first enhanced status code in a diagnostic (`smtp; 550-5.1.1 The email account…`): a
/// token of digits and dots, delimited by anything else.
fn first_code(diagnostic: &str) -> Option<(u8, u16, u16)> {
    diagnostic
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .find_map(enhanced_code)
}

/// The reasons of one domain's bounces and complaints in a window.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reasons {
    /// Hard bounces per reason, most first.
    pub hard_bounces: Vec<(Reason, usize)>,
    /// Soft bounces per reason, most first.
    pub soft_bounces: Vec<(Reason, usize)>,
    /// Complaints per feedback type (`abuse`, `fraud`, …; `not given` when the provider sent
    /// none), most first.
    pub complaints: Vec<(String, usize)>,
}

impl Reasons {
    /// Whether there is nothing to say.
    pub fn is_empty(&self) -> bool {
        self.hard_bounces.is_empty() && self.soft_bounces.is_empty() && self.complaints.is_empty()
    }
}

/// Most first, then by key: a stable order for the report.
fn ranked<K: Ord + Clone>(m: BTreeMap<K, usize>) -> Vec<(K, usize)> {
    let mut v: Vec<(K, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Groups ledger entries by a key (the `RecipientDomain` dimension value, or the real domain for
/// the long tail) into [`Reasons`].
pub fn group<'a>(
    entries: impl IntoIterator<Item = &'a LedgerEntry>,
    key: impl Fn(&LedgerEntry) -> &str,
) -> BTreeMap<String, Reasons> {
    type Counts = (BTreeMap<Reason, usize>, BTreeMap<Reason, usize>, BTreeMap<String, usize>);
    let mut by: BTreeMap<String, Counts> = BTreeMap::new();
    for e in entries {
        let c = by.entry(key(e).to_string()).or_default();
        let reason = || Reason::of(e.subtype.as_deref(), e.status.as_deref(), e.diagnostic.as_deref());
        match e.kind {
            Offence::HardBounce => *c.0.entry(reason()).or_default() += 1,
            Offence::SoftBounce => *c.1.entry(reason()).or_default() += 1,
            Offence::Complaint => {
                let t = match e.subtype.as_deref().map(str::trim) {
                    // a complaint's subtype is `OnAccountSuppressionList` or its feedback type
                    Some("OnAccountSuppressionList") => "on the suppression list (not sent)".to_string(),
                    Some(t) if !t.is_empty() => t.chars().take(40).collect::<String>().to_ascii_lowercase(),
                    _ => "not given".to_string(),
                };
                *c.2.entry(t).or_default() += 1;
            }
        }
    }
    by.into_iter()
        .map(|(k, (h, s, c))| {
            (k, Reasons { hard_bounces: ranked(h), soft_bounces: ranked(s), complaints: ranked(c) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_exactly() {
        assert_eq!(enhanced_code("5.1.1"), Some((5, 1, 1)));
        assert_eq!(enhanced_code(" 4.4.1 "), Some((4, 4, 1)));
        assert_eq!(enhanced_code("5.1.10"), Some((5, 1, 10)));
        for bad in ["", "5.1", "5.1.1.1", "3.1.1", "5.x.1", "5..1", "5.1.1234"] {
            assert_eq!(enhanced_code(bad), None, "{bad}");
        }
        assert_eq!(first_code("smtp; 550 5.1.1 user unknown"), Some((5, 1, 1)));
        assert_eq!(first_code("smtp; 550-5.7.1 [1.2.3.4] blocked."), Some((5, 7, 1)));
        assert_eq!(first_code("host 10.0.0.1 said no"), None, "an IP address is not a code");
    }

    #[test]
    fn subtypes_codes_and_words() {
        assert_eq!(Reason::of(Some("General"), Some("5.1.1"), None), Reason::UnknownUser);
        assert_eq!(Reason::of(Some("General"), Some("5.2.2"), None), Reason::MailboxFull);
        assert_eq!(Reason::of(Some("General"), Some("4.2.2"), None), Reason::MailboxFull);
        assert_eq!(Reason::of(Some("General"), Some("5.7.1"), None), Reason::Blocked);
        assert_eq!(Reason::of(Some("General"), Some("5.7.26"), None), Reason::Blocked, "DMARC");
        assert_eq!(Reason::of(Some("General"), Some("5.1.2"), None), Reason::BadDomain);
        assert_eq!(Reason::of(Some("General"), Some("5.3.4"), None), Reason::MessageTooLarge);
        assert_eq!(Reason::of(Some("MailboxFull"), None, None), Reason::MailboxFull);
        assert_eq!(Reason::of(Some("NoEmail"), None, None), Reason::UnknownUser);
        assert_eq!(Reason::of(Some("OnAccountSuppressionList"), Some("5.1.1"), None), Reason::Suppressed);
        // no status field: the diagnostic's code, then its words
        assert_eq!(Reason::of(None, None, Some("smtp; 552 5.2.2 over quota")), Reason::MailboxFull);
        assert_eq!(Reason::of(None, None, Some("550 Mailbox quota exceeded")), Reason::MailboxFull);
        assert_eq!(Reason::of(None, None, Some("554 rejected by policy")), Reason::Blocked);
        assert_eq!(Reason::of(None, None, None), Reason::Other);
        // the corpus' delay reply (its bounces in the corpus never carry it)
        let unreachable = Some("smtp; 421 4.4.1 Unable to connect to remote host");
        assert_eq!(Reason::of(None, Some("4.4.1"), unreachable), Reason::Unreachable);
        assert_eq!(Reason::of(Some("Undetermined"), Some("5.0.0"), Some("")), Reason::Other);
        // the server's words outrank a status field that says otherwise
        assert_eq!(
            Reason::of(Some("General"), Some("5.1.1"), Some("Message considered as spam.")),
            Reason::Blocked
        );
        assert_eq!(
            Reason::of(Some("General"), Some("5.1.1"), Some("smtp; 552 5.2.2 full")),
            Reason::MailboxFull
        );
    }
}
