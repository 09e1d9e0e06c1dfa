//! Writes the SES events of a generated sender as JSON lines (one raw SES event per line, the
//! shape of a Firehose / S3 export): the sample `ses-events --estimate-cost` reads.
//!
//! ```sh
//! cargo run --release -p ses-monitor --example sender_traffic -- \
//!     --emails-per-month 1000000 --days 2 > sample.jsonl
//! ```
//!
//! Options: `--emails-per-month N` (default 1000000), `--days N` (default 2), `--from
//! YYYY-MM-DD` (default 2026-11-02, UTC midnight), `--seed N`, `--unique-campaigns` (a
//! different `Campaign` tag on every email, as when a per-send id is used as a tag). The profile
//! is [`ses_monitor::synth::SenderProfile::b2c`]: ≈ 38 % gmail.com, the other big providers, a
//! long tail of 5,000 small domains; 3 `EmailType` and 8 `Campaign` values; 1.2 % hard and
//! 0.8 % soft bounces, 25 % opens.

use std::io::{BufWriter, Write};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ses_monitor::synth::{SenderProfile, sender_traffic, ses_json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut profile = SenderProfile::b2c(1_000_000);
    let mut days = 2i64;
    let mut from: DateTime<Utc> = "2026-11-02T00:00:00Z".parse()?;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--emails-per-month" => profile.emails_per_month = value()?.parse()?,
            "--days" => days = value()?.parse()?,
            "--seed" => profile.seed = value()?.parse()?,
            "--from" => {
                from = NaiveDate::parse_from_str(&value()?, "%Y-%m-%d")?
                    .and_hms_opt(0, 0, 0)
                    .ok_or("date")?
                    .and_utc()
            }
            "--unique-campaigns" => profile.campaigns.clear(),
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for spec in sender_traffic(profile, from, from + Duration::days(days)) {
        writeln!(out, "{}", ses_json(&spec))?;
    }
    out.flush()?;
    Ok(())
}
