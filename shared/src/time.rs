//! Time as the payloads and the stores write it: one place for every parse and key format.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};

/// Parses an RFC 3339 time (`Z` or an offset such as `-07:00`), surrounding spaces ignored: what
/// SES events, EventBridge events and our own stores write.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    utc_by_hand(s).or_else(|| DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc)))
}

/// The form SES and EventBridge write (`2026-11-28T00:00:02.000Z`: `T`, `Z`, no fraction or one of
/// up to nine digits) read by hand, what chrono reads of it; `None` for any other form (a leap
/// second, an offset, another separator, a longer fraction, an invalid date), which chrono reads.
/// Every SES event's time is parsed here: chrono's general parser was 3 % of an event's time.
fn utc_by_hand(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let (date_time, fraction) = (b.get(..19)?, b.get(19..b.len().checked_sub(1)?)?);
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', i0, i1, b':', s0, s1] = *date_time
    else {
        return None;
    };
    if b.last() != Some(&b'Z') {
        return None;
    }
    // a digit's value, or 10 and more for any other byte
    let digit = |b: u8| u32::from(b.wrapping_sub(b'0'));
    let two = |a: u8, b: u8| (digit(a) < 10 && digit(b) < 10).then(|| digit(a) * 10 + digit(b));
    let nanos = match fraction {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let mut n = 0;
            for d in digits {
                (digit(*d) < 10).then_some(())?;
                n = n * 10 + digit(*d);
            }
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let year = two(y0, y1)? * 100 + two(y2, y3)?;
    let date = NaiveDate::from_ymd_opt(year as i32, two(m0, m1)?, two(d0, d1)?)?;
    // a leap second (60) is refused here: chrono reads it in its own way
    let time = NaiveTime::from_hms_nano_opt(two(h0, h1)?, two(i0, i1)?, two(s0, s1)?, nanos)?;
    Some(date.and_time(time).and_utc())
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

    /// The hand reading agrees with chrono on SES's form and on every variation of it tried: each
    /// byte of a few times replaced by each of the bytes such times are made of, each prefix, and
    /// fractions of every length; where it says `None`, chrono is asked.
    #[test]
    fn the_hand_reading_reads_what_chrono_reads() {
        let chrono = |s: &str| DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc));
        let mut checked = 0;
        let mut by_hand = 0;
        let mut check = |s: &str| {
            assert_eq!(parse_rfc3339(s), chrono(s), "{s:?}");
            by_hand += usize::from(utc_by_hand(s.trim()).is_some());
            checked += 1;
        };
        let seeds = [
            "2026-11-28T00:00:02.000Z",
            "2020-02-29T23:59:59Z",
            "1999-12-31T12:30:45.123456789Z",
            "2016-12-31T23:59:60.5Z",
            "2021-01-01T00:00:00.1Z",
        ];
        for seed in seeds {
            check(seed);
            for i in 0..seed.len() {
                check(&seed[..i]);
                for b in b"0123456789-+:.TtZz 9" {
                    let mut m = seed.as_bytes().to_vec();
                    m[i] = *b;
                    check(std::str::from_utf8(&m).unwrap());
                }
            }
        }
        for digits in 0..12 {
            let fraction = if digits == 0 { String::new() } else { format!(".{}", "7".repeat(digits)) };
            check(&format!("2026-11-28T10:20:30{fraction}Z"));
            check(&format!("2026-11-28T10:20:30{fraction}+01:00"));
        }
        for bad in
            ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z"]
        {
            check(bad);
        }
        // the hand reading takes SES's form, and the test is not all fallbacks
        assert!(by_hand > checked / 5, "{by_hand} of {checked}");
        assert!(utc_by_hand("2026-11-28T00:00:02.000Z").is_some());
        assert!(utc_by_hand("2016-12-31T23:59:60Z").is_none());
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
