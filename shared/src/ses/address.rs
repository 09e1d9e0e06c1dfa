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
    let (local, domain) = local_and_domain(raw)?;
    if local.trim().is_empty() {
        return None;
    }
    let domain = domain.trim();
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    match ascii_domain(domain) {
        AsciiDomain::Invalid => None,
        AsciiDomain::LowerCase => Some(Cow::Borrowed(domain)),
        AsciiDomain::UpperCase => Some(Cow::Owned(domain.to_ascii_lowercase())),
        AsciiDomain::NotAscii => {
            let ascii = idna::domain_to_ascii(domain).ok()?;
            valid_ascii_domain(&ascii).then_some(Cow::Owned(ascii))
        }
    }
}

/// An address's [`addr_spec`] split at its last `@`. A bare address with nothing to trim (how SES
/// writes recipients) is read in one pass; any other form through `addr_spec` (three searches
/// and a trim were 2 % of an event's time).
fn local_and_domain(raw: &str) -> Option<(&str, &str)> {
    let b = raw.as_bytes();
    let bare_end = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_graphic() && *c != b'>');
    if !(bare_end(b.first()) && bare_end(b.last())) {
        return addr_spec(raw)?.rsplit_once('@');
    }
    // nothing to trim, and not `…<addr>`: addr_spec gives it whole, or `None` for a bracket in it
    let mut at = None;
    for (i, c) in b.iter().enumerate() {
        match c {
            b'@' => at = Some(i),
            b'<' | b'>' => return None,
            _ => {}
        }
    }
    let at = at?;
    Some((&raw[..at], &raw[at + 1..]))
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

/// What one pass over a domain found.
#[derive(Debug, PartialEq, Eq)]
enum AsciiDomain {
    /// Not a plausible DNS domain (see [`ascii_domain`]).
    Invalid,
    /// Valid, and lower-case already.
    LowerCase,
    /// Valid, with upper-case letters.
    UpperCase,
    /// Has a byte beyond ASCII (an IDN, to be turned into punycode first).
    NotAscii,
}

/// Whether `d` is at least two labels of 1–63 letters, digits, `-` or `_`, 253 bytes at most,
/// not starting or ending a label with `-`, and a top-level label that is not all digits (no IP
/// literals); one pass, which also tells upper case and non-ASCII apart.
fn ascii_domain(d: &str) -> AsciiDomain {
    match scan_domain(d.as_bytes()) {
        // an IDN whatever else it holds: punycode decides
        AsciiDomain::Invalid if !d.is_ascii() => AsciiDomain::NotAscii,
        found => found,
    }
}

fn scan_domain(b: &[u8]) -> AsciiDomain {
    let mut upper = false;
    let mut labels = 0;
    // the current label: where it starts, whether it is all digits so far
    let (mut start, mut digits) = (0, true);
    for i in 0..=b.len() {
        match b.get(i).copied().unwrap_or(b'.') {
            b'.' => {
                let label = &b[start..i];
                if label.is_empty() || label.len() > 63 || label[0] == b'-' || label[label.len() - 1] == b'-'
                {
                    return AsciiDomain::Invalid;
                }
                labels += 1;
                if i < b.len() {
                    (start, digits) = (i + 1, true);
                }
            }
            b'0'..=b'9' => {}
            b'a'..=b'z' | b'-' | b'_' => digits = false,
            b'A'..=b'Z' => (upper, digits) = (true, false),
            0x80.. => return AsciiDomain::NotAscii,
            _ => return AsciiDomain::Invalid,
        }
    }
    if labels < 2 || digits || b.len() > 253 {
        return AsciiDomain::Invalid;
    }
    if upper { AsciiDomain::UpperCase } else { AsciiDomain::LowerCase }
}

/// [`ascii_domain`] for a domain known to be ASCII (punycode).
fn valid_ascii_domain(d: &str) -> bool {
    matches!(ascii_domain(d), AsciiDomain::LowerCase | AsciiDomain::UpperCase)
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

    /// The one-pass scan against the rule as it was written before (split on dots), on
    /// generated domains of letters, digits, dots, dashes and odd bytes.
    #[test]
    fn one_pass_scan_is_the_split_rule() {
        fn split_rule(d: &str) -> AsciiDomain {
            if !d.is_ascii() {
                return AsciiDomain::NotAscii;
            }
            let ok = !d.is_empty()
                && d.len() <= 253
                && d.split('.').all(|l| {
                    let b = l.as_bytes();
                    !b.is_empty()
                        && b.len() <= 63
                        && b[0] != b'-'
                        && b[b.len() - 1] != b'-'
                        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
                })
                && d.split('.').count() >= 2
                && !d.rsplit('.').next().unwrap_or("").bytes().all(|c| c.is_ascii_digit());
            match (ok, d.bytes().any(|b| b.is_ascii_uppercase())) {
                (false, _) => AsciiDomain::Invalid,
                (true, false) => AsciiDomain::LowerCase,
                (true, true) => AsciiDomain::UpperCase,
            }
        }
        let parts = ["a", "Z", "0", "7", ".", "-", "_", " ", "é", "xn--", "example", "COM", "1"];
        let mut rng = crate::synth::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut cases =
            vec![String::new(), "a".repeat(64) + ".com", "a.".repeat(127) + "a", "a.".repeat(126) + "a"];
        for _ in 0..20_000 {
            let n = rng.below(9) as usize;
            cases.push(rng.text(&parts, n));
        }
        for d in &cases {
            assert_eq!(ascii_domain(d), split_rule(d), "{d:?}");
        }
    }

    /// The one-pass reading of a bare address splits what `addr_spec` and `rsplit_once` split.
    #[test]
    fn bare_addresses_split_as_addr_spec_splits() {
        let parts = ["a", "Z", "@", "<", ">", " ", "\"", ".", "é", "\u{a0}", "b.com", "\t"];
        let mut rng = crate::synth::Rng::new(0x2545_f491_4f6c_dd1d);
        let mut one_pass = 0;
        for _ in 0..20_000 {
            let n = rng.below(8) as usize;
            let raw = rng.text(&parts, n);
            assert_eq!(local_and_domain(&raw), addr_spec(&raw).and_then(|a| a.rsplit_once('@')), "{raw:?}");
            one_pass += usize::from(raw.starts_with(|c: char| c.is_ascii_graphic() && c != '>'));
        }
        assert!(one_pass > 5_000, "{one_pass}");
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
