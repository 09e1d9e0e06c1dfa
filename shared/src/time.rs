//! Time as the payloads and the stores write it: one place for every parse and key format.

use chrono::{DateTime, SecondsFormat, Utc};

/// Parses an RFC 3339 time (`Z` or an offset such as `-07:00`), surrounding spaces ignored: what
/// SES events, EventBridge events and our own stores write.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// Parses a CloudWatch alarm timestamp leniently: RFC 3339 (`Z` or `+00:00`), the `+0000`
/// offsets CloudWatch writes, a space instead of `T`, and stray spaces after colons
/// (`2023-08-04T12: 36: 15.490+0000`, as in samples copied from a badly rendered page). Anything
/// else (including placeholders such as `date`) is `None`.
pub fn parse_cloudwatch(s: &str) -> Option<DateTime<Utc>> {
    let mut cleaned = String::with_capacity(s.len());
    let mut after_colon = false;
    for c in s.trim().chars() {
        if after_colon && c.is_whitespace() {
            continue;
        }
        after_colon = c == ':';
        cleaned.push(c);
    }
    if let Some(t) = parse_rfc3339(&cleaned) {
        return Some(t);
    }
    ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"]
        .iter()
        .find_map(|f| DateTime::parse_from_str(&cleaned, f).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// A time as a sortable key (RFC 3339, milliseconds, `Z`): the ledger's and the journal's sort
/// keys, so that string order is time order.
pub fn key(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn rfc3339_is_strict_but_trimmed() {
        assert_eq!(parse_rfc3339(" 2020-01-01T00:05:00.5Z "), Some(t("2020-01-01T00:05:00.500Z")));
        assert_eq!(parse_rfc3339("2019-10-02T19:04:40+02:00"), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_rfc3339("2015-06-03T17:43:27.123+0000"), None);
        assert_eq!(parse_rfc3339("date"), None);
    }

    #[test]
    fn cloudwatch_forms() {
        assert_eq!(parse_cloudwatch("2023-08-04T12: 36: 15.490+0000"), Some(t("2023-08-04T12:36:15.490Z")));
        assert_eq!(parse_cloudwatch("2015-06-03T17:43:27.123+0000"), Some(t("2015-06-03T17:43:27.123Z")));
        assert_eq!(parse_cloudwatch(" 2019-10-02T17:04:40Z "), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_cloudwatch("2019-10-02T19:04:40+02:00"), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_cloudwatch("2019-10-02 17:04:40+0000"), Some(t("2019-10-02T17:04:40Z")));
        assert_eq!(parse_cloudwatch("date"), None);
        assert_eq!(parse_cloudwatch(""), None);
        assert_eq!(parse_cloudwatch("2019-13-02T17:04:40Z"), None);
    }

    #[test]
    fn keys_sort_as_times() {
        let a = key(t("2026-01-01T09:59:59.999Z"));
        let b = key(t("2026-01-01T10:00:00Z"));
        assert_eq!(b, "2026-01-01T10:00:00.000Z");
        assert!(a < b);
    }
}
