//! Email address → recipient domain, in the form CloudWatch accepts as a dimension value.
//!
//! SES writes recipients as bare addresses (`user@example.com`) or with a display name
//! (`"Jane Doe" <Jane@Example.COM>`). The domain is lower-cased and internationalised domain
//! names are turned into punycode (`bücher.de` → `xn--bcher-kva.de`), because CloudWatch
//! dimension values must be ASCII. Anything that does not yield a plausible DNS domain is
//! reported as `None`; the caller files it under [`INVALID`].

use std::borrow::Cow;

/// The plain address inside `"Name" <Addr@Example.com>`, lower-cased: how the ledger keys a
/// recipient and what [`redact`](crate::platform::logging::redact) hashes, so one recipient has one hash
/// in every function's logs.
pub fn normalise_address(raw: &str) -> String {
    addr_spec(raw).unwrap_or(raw.trim()).to_lowercase()
}

/// Dimension value for an address whose domain cannot be read.
pub const INVALID: &str = "invalid";

/// Takes the domain out of an address, lower-cased and in ASCII (punycode for IDNs).
///
/// Borrows from `raw` when the domain is already lower-case ASCII (the common case), so the
/// hot path does not allocate. Returns `None` for text that holds no usable domain.
pub fn recipient_domain(raw: &str) -> Option<Cow<'_, str>> {
    let addr = addr_spec(raw)?;
    let (local, domain) = addr.rsplit_once('@')?;
    if local.trim().is_empty() {
        return None;
    }
    let domain = domain.trim();
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    if domain.is_ascii() {
        if !valid_ascii_domain(domain) {
            return None;
        }
        if domain.bytes().any(|b| b.is_ascii_uppercase()) {
            Some(Cow::Owned(domain.to_ascii_lowercase()))
        } else {
            Some(Cow::Borrowed(domain))
        }
    } else {
        let ascii = idna::domain_to_ascii(domain).ok()?;
        valid_ascii_domain(&ascii).then_some(Cow::Owned(ascii))
    }
}

/// The `local@domain` part of an address, without a display name or angle brackets (`None` for
/// unbalanced brackets).
pub fn addr_spec(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    if raw.ends_with('>') {
        let open = raw.rfind('<')?;
        Some(raw[open + 1..raw.len() - 1].trim())
    } else if raw.contains('<') || raw.contains('>') {
        None
    } else {
        Some(raw)
    }
}

/// At least two labels of 1–63 letters, digits, `-` or `_`, 253 bytes at most, not starting or
/// ending a label with `-`, and a top-level label that is not all digits (no IP literals).
fn valid_ascii_domain(d: &str) -> bool {
    if d.is_empty() || d.len() > 253 {
        return false;
    }
    let mut labels = 0;
    let mut last = "";
    for label in d.split('.') {
        let b = label.as_bytes();
        if b.is_empty() || b.len() > 63 || b[0] == b'-' || b[b.len() - 1] == b'-' {
            return false;
        }
        if !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_') {
            return false;
        }
        labels += 1;
        last = label;
    }
    labels >= 2 && !last.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        recipient_domain(s).map(Cow::into_owned)
    }

    #[test]
    fn bare_and_display_name_forms() {
        assert_eq!(d("user@example.com").as_deref(), Some("example.com"));
        assert_eq!(d("\"Jane Doe\" <Jane@Example.COM>").as_deref(), Some("example.com"));
        assert_eq!(d("Jane <jane@mail.example.co.uk>").as_deref(), Some("mail.example.co.uk"));
        assert_eq!(d(" <a@b.io> ").as_deref(), Some("b.io"));
        assert_eq!(d("\"a@b\"@quoted.example").as_deref(), Some("quoted.example"));
        assert_eq!(
            d("bounce+1587519229@simulator.amazonses.com").as_deref(),
            Some("simulator.amazonses.com")
        );
        assert_eq!(d("trailing@dot.example.").as_deref(), Some("dot.example"));
    }

    #[test]
    fn borrows_when_already_lower_case() {
        assert!(matches!(recipient_domain("a@gmail.com"), Some(Cow::Borrowed("gmail.com"))));
        assert!(matches!(recipient_domain("a@GMAIL.com"), Some(Cow::Owned(_))));
    }

    #[test]
    fn idn_becomes_punycode() {
        assert_eq!(d("kunde@Bücher.de").as_deref(), Some("xn--bcher-kva.de"));
        assert_eq!(d("user@例え.テスト").as_deref(), Some("xn--r8jz45g.xn--zckzah"));
        assert_eq!(d("x@xn--bcher-kva.de").as_deref(), Some("xn--bcher-kva.de"));
    }

    #[test]
    fn unusable_input_is_none() {
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "user@",
            "user@localhost",
            "a@[192.0.2.1]",
            "a@1.2.3.4",
            "a@exa mple.com",
            "a@-bad.com",
            "Name <a@b.com",
            "a@b..com",
            "xxx@xxx",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }
}
