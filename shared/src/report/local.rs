//! A report without an AWS account: `rate-reporter --from-emf PATH|-` reads the EMF lines
//! ses-events prints (`ses-events --event archive.jsonl | rate-reporter --from-emf -`), keeps the
//! `Custom/SES` data points CloudWatch would extract from them ([`crate::sink::emf::extract`], the
//! one EMF reader), and builds the same report with the same code, from a [`PointSource`] instead
//! of CloudWatch. It writes the HTML (with its charts next to it) and the text to a folder and
//! prints the result JSON. Lines that are not EMF (ses-events' result JSON, logs) are skipped.
//!
//! The window: `--date YYYY-MM-DD`, `--window-hours N` (the last N hours of the data), or by
//! default the data's own span (whole hours); the 7 days before it are the baseline, when the
//! data has them. Bounce reasons, the long tail and the journal need the ledger table, which
//! EMF lines do not carry: the report says so.

use std::io::BufRead;
use std::process::ExitCode;

use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};

use crate::metrics::RECIPIENT_DOMAIN;
use crate::report::activity::NoActivity;
use crate::report::source::PointSource;
use crate::report::{ReporterConfig, build_report, render, write_local};

/// What `--from-emf` was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalArgs {
    /// The EMF file, `-` for stdin.
    pub input: String,
    /// The folder to write to (default `report`).
    pub out: String,
    /// The window.
    pub window: LocalWindow,
}

/// The window of a local report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalWindow {
    /// The data's own span, in whole hours.
    Span,
    /// One UTC day.
    Date(NaiveDate),
    /// The last N hours of the data.
    Hours(i64),
}

const USAGE: &str =
    "usage: rate-reporter --from-emf PATH|- [--out DIR] [--date YYYY-MM-DD | --window-hours N]
  reads the EMF lines ses-events prints (e.g. ses-events --event archive.jsonl | rate-reporter --from-emf -)
  and writes the report to DIR (default report/): report.html, its charts (PNG), report.txt;
  prints the result JSON. Default window: the data's own span (whole hours).";

/// Reads `--from-emf` arguments; `None` when the first argument is not `--from-emf`.
pub fn parse_args(args: &[String]) -> Option<Result<LocalArgs, String>> {
    let (first, rest) = args.split_first()?;
    if first != "--from-emf" {
        return None;
    }
    Some((|| {
        let mut it = rest.iter();
        let input = it.next().ok_or("--from-emf needs a path (or - for stdin)")?.clone();
        let mut out = LocalArgs { input, out: "report".into(), window: LocalWindow::Span };
        while let Some(a) = it.next() {
            let mut value = || it.next().cloned().ok_or_else(|| format!("{a} needs a value"));
            match a.as_str() {
                "--out" => out.out = value()?,
                "--date" => {
                    let v = value()?;
                    let d = NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                        .map_err(|_| format!("--date must be YYYY-MM-DD, got {v:?}"))?;
                    out.window = LocalWindow::Date(d);
                }
                "--window-hours" => {
                    let v = value()?;
                    let h = v.parse::<i64>().ok().filter(|h| (1..=24 * 366).contains(h));
                    out.window = LocalWindow::Hours(
                        h.ok_or_else(|| format!("--window-hours must be 1 to 8784, got {v:?}"))?,
                    );
                }
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        Ok(out)
    })())
}

/// What was read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Read {
    /// EMF lines read (those of other rollups and namespaces give the report nothing).
    pub emf_lines: usize,
    /// Lines skipped: not EMF (ses-events' result JSON, log lines) or not valid EMF.
    pub skipped: usize,
}

/// The data points of EMF lines in `namespace`, per `RecipientDomain` value.
pub fn read_emf(input: impl BufRead, namespace: &str) -> std::io::Result<(PointSource, Read)> {
    let mut source = PointSource::default();
    let mut read = Read::default();
    for line in input.lines() {
        let line = line?;
        let Ok(extracted) = crate::sink::emf::extract(line.trim()) else {
            read.skipped += 1;
            continue;
        };
        read.emf_lines += 1;
        for e in extracted.iter().filter(|e| e.namespace == namespace) {
            let [(k, domain)] = e.dimensions.as_slice() else { continue };
            let Some(at) = DateTime::from_timestamp_millis(e.timestamp_ms) else { continue };
            if k == RECIPIENT_DOMAIN && e.unit.as_deref() != Some("Milliseconds") {
                source.add(domain, &e.name, at, e.values.iter().sum());
            }
        }
    }
    Ok((source, read))
}

/// The window of a local report over data spanning `first..=last`.
pub fn window_of(
    w: LocalWindow,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let hour = Duration::hours(1);
    let end = last.duration_trunc(hour).unwrap_or(last) + hour;
    match w {
        LocalWindow::Span => (first.duration_trunc(hour).unwrap_or(first), end),
        LocalWindow::Date(d) => {
            let start = d.and_time(chrono::NaiveTime::MIN).and_utc();
            (start, start + Duration::days(1))
        }
        LocalWindow::Hours(h) => (end - Duration::hours(h), end),
    }
}

/// `rate-reporter --from-emf …`: `None` when the arguments are not for it.
pub async fn run_cli(args: &[String]) -> Option<ExitCode> {
    let parsed = parse_args(args)?;
    crate::platform::logging::init();
    let fail = |e: &dyn std::fmt::Display, code: u8| {
        eprintln!("error: {e}");
        Some(ExitCode::from(code))
    };
    let a = match parsed {
        Ok(a) => a,
        Err(e) => return fail(&e, 2),
    };
    let cfg = match ReporterConfig::from_env() {
        Ok(c) => c,
        Err(e) => return fail(&e, 1),
    };
    let input: Box<dyn BufRead> = if a.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&a.input) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => return fail(&format_args!("{}: {e}", a.input), 1),
        }
    };
    let (source, read) = match read_emf(input, &cfg.namespace) {
        Ok(r) => r,
        Err(e) => return fail(&format_args!("reading {}: {e}", a.input), 1),
    };
    let Some((first, last)) = source.span() else {
        return fail(&format_args!("no EMF line of namespace {} in {}", cfg.namespace, a.input), 1);
    };
    let (start, end) = window_of(a.window, first, last);
    let report = match build_report(&cfg, &source, &NoActivity, start, end).await {
        Ok(r) => r,
        Err(e) => return fail(&e, 1),
    };
    let dir = std::path::Path::new(&a.out);
    let html = dir.join("report.html");
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| write_local(&html.to_string_lossy(), &report, &render::charts(&report)))
        .and_then(|()| std::fs::write(dir.join("report.txt"), render::text(&report)));
    if let Err(e) = written {
        return fail(&format_args!("writing {}: {e}", dir.display()), 1);
    }
    eprintln!(
        "read {} EMF lines ({} other lines skipped); wrote {} ({} – {} UTC)",
        read.emf_lines,
        read.skipped,
        html.display(),
        start.format("%Y-%m-%d %H:%M"),
        end.format("%Y-%m-%d %H:%M")
    );
    println!("{}", serde_json::to_string(&report).unwrap_or_default());
    Some(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::config::IngestConfig;

    fn args(a: &[&str]) -> Option<Result<LocalArgs, String>> {
        parse_args(&a.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn arguments() {
        assert_eq!(args(&["--event", "x"]), None, "not ours");
        let a = args(&["--from-emf", "-", "--date", "2026-11-26", "--out", "r"]).unwrap().unwrap();
        assert_eq!(a.window, LocalWindow::Date("2026-11-26".parse().unwrap()));
        assert_eq!((a.input.as_str(), a.out.as_str()), ("-", "r"));
        assert!(args(&["--from-emf"]).unwrap().is_err());
        assert!(args(&["--from-emf", "x", "--window-hours", "0"]).unwrap().is_err());
        assert!(args(&["--from-emf", "x", "--bogus"]).unwrap().is_err());
    }

    /// The EMF lines ses-events' own sink writes for some events give the report the same counts
    /// as the events: the same aggregation, read back through `emf::extract`.
    #[tokio::test]
    async fn the_report_of_ses_events_emf_lines() {
        let day: DateTime<Utc> = "2026-11-26T00:00:00Z".parse().unwrap();
        let events = crate::synth::example_events(day);
        let cfg = IngestConfig::default();
        let ingested = crate::ingest::ingest(&cfg, &events.join("\n"), day + Duration::days(1));
        let mut emf = String::from("not an EMF line\n");
        for line in crate::sink::emf::encode(&ingested.batch) {
            emf.push_str(&line);
            emf.push('\n');
        }
        let (source, read) = read_emf(emf.as_bytes(), "Custom/SES").unwrap();
        assert_eq!(read.skipped, 1);
        let (first, last) = source.span().unwrap();
        let (start, end) = window_of(LocalWindow::Span, first, last);
        assert_eq!((start, end), (day, day + Duration::days(1)), "the data's own day");
        let rcfg = ReporterConfig::from_lookup(|_| None).unwrap();
        let report = build_report(&rcfg, &source, &NoActivity, start, end).await.unwrap();
        let sends = ingested.summary.by_type.get("Send").copied().unwrap_or(0);
        assert!(sends > 1000);
        assert_eq!(report.total.counts.sends, sends as f64);
        // hourly numbers for the charts, summing to the day's
        let total = &report.hourly[&report.total.domain];
        assert_eq!(total.hours.len(), 24);
        assert_eq!(total.sends.iter().sum::<f64>(), sends as f64);
        assert!(report.activity.is_none(), "no ledger in EMF lines");
    }
}
