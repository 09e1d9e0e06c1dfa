//! The sample invocation payloads in `events/` (see events/README.md): each one goes through
//! `ingest` and must give the outcome written in the table below, and every file in the
//! directory must have a row.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ses_monitor::ingest::ingest;
use ses_monitor::platform::config::IngestConfig;

/// Every sample happens on 2026-11-26 between 09:00 and 10:00 UTC: at this invocation time none
/// is older than CloudWatch's 14 days, so none is clamped.
const NOW: &str = "2026-11-26T12:00:00Z";

const NEWSLETTER: [(&str, &str); 2] = [("Campaign", "black-friday-2026"), ("EmailType", "newsletter")];

/// What one file of events/ must give.
#[derive(Debug, Clone, Copy)]
struct Expect {
    file: &'static str,
    /// Counted events by type (`Summary::by_type`).
    by_type: &'static [(&'static str, u64)],
    /// Recipients concerned (`Summary::recipients`).
    recipients: u64,
    /// Skipped records by reason (`Summary::skip_reasons`).
    skipped: &'static [(&'static str, u64)],
    /// For SQS events, the records to retry (`batchItemFailures`); `None` for other payloads.
    retry: Option<&'static [&'static str]>,
    /// Count metrics over the totals series (`MetricBatch::totals`).
    totals: &'static [(&'static str, u64)],
    /// Every (dimension, value) published, totals `{}` aside.
    dims: &'static [(&'static str, &'static str)],
    /// DeliveryLatency samples (ms) in the totals series, ascending.
    latency: &'static [u64],
}

const NOTHING: Expect = Expect {
    file: "",
    by_type: &[],
    recipients: 0,
    skipped: &[],
    retry: None,
    totals: &[],
    dims: &[],
    latency: &[],
};

const EVENTS: &[Expect] = &[
    // The directory's own documentation: not a payload, refused cleanly.
    Expect { file: "README.md", skipped: &[("invalid_json", 1)], ..NOTHING },
    // Send to alice@gmail.com, bob@yahoo.com and (Cc) carol@example.org: one Send per recipient;
    // example.org is not a tracked domain → "other".
    Expect {
        file: "sns-send.json",
        by_type: &[("Send", 1)],
        recipients: 3,
        totals: &[("Send", 3)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "yahoo.com"),
        ],
        ..NOTHING
    },
    // The same message delivered to alice@gmail.com only (delivery.recipients, not destination).
    Expect {
        file: "sns-delivery.json",
        by_type: &[("Delivery", 1)],
        recipients: 1,
        totals: &[("Delivery", 1)],
        dims: &[NEWSLETTER[0], NEWSLETTER[1], ("RecipientDomain", "gmail.com")],
        latency: &[1902],
        ..NOTHING
    },
    // Permanent/General from the mailbox simulator; transactional mail has no Campaign tag.
    Expect {
        file: "sns-bounce-hard.json",
        by_type: &[("Bounce", 1)],
        recipients: 1,
        totals: &[("Bounce", 1), ("HardBounce", 1)],
        dims: &[
            ("Campaign", "none"),
            ("EmailType", "transactional"),
            ("RecipientDomain", "simulator.amazonses.com"),
        ],
        ..NOTHING
    },
    // Transient/MailboxFull at hotmail.com.
    Expect {
        file: "sns-bounce-soft.json",
        by_type: &[("Bounce", 1)],
        recipients: 1,
        totals: &[("Bounce", 1), ("SoftBounce", 1)],
        dims: &[NEWSLETTER[0], NEWSLETTER[1], ("RecipientDomain", "hotmail.com")],
        ..NOTHING
    },
    // bob@yahoo.com complained about the 3-recipient message: only the complainant counts.
    Expect {
        file: "sns-complaint.json",
        by_type: &[("Complaint", 1)],
        recipients: 1,
        totals: &[("Complaint", 1)],
        dims: &[NEWSLETTER[0], NEWSLETTER[1], ("RecipientDomain", "yahoo.com")],
        ..NOTHING
    },
    Expect {
        file: "sns-reject.json",
        by_type: &[("Reject", 1)],
        recipients: 1,
        totals: &[("Reject", 1)],
        dims: &[("Campaign", "none"), ("EmailType", "transactional"), ("RecipientDomain", "other")],
        ..NOTHING
    },
    // Opens, clicks and subscriptions do not say which recipient acted: they count once in the
    // totals and once per recipient domain of the 3-recipient message. `recipients` still
    // counts the three recipients concerned (mail.destination, as DESIGN.md defines it).
    Expect {
        file: "sns-open.json",
        by_type: &[("Open", 1)],
        recipients: 3,
        totals: &[("Open", 1)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "yahoo.com"),
        ],
        ..NOTHING
    },
    Expect {
        file: "sns-click.json",
        by_type: &[("Click", 1)],
        recipients: 3,
        totals: &[("Click", 1)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "yahoo.com"),
        ],
        ..NOTHING
    },
    // eventType "Rendering Failure" (with a space) → metric RenderingFailure.
    Expect {
        file: "sns-rendering-failure.json",
        by_type: &[("RenderingFailure", 1)],
        recipients: 1,
        totals: &[("RenderingFailure", 1)],
        dims: &[("Campaign", "none"), ("EmailType", "transactional"), ("RecipientDomain", "outlook.com")],
        ..NOTHING
    },
    Expect {
        file: "sns-delivery-delay.json",
        by_type: &[("DeliveryDelay", 1)],
        recipients: 1,
        totals: &[("DeliveryDelay", 1)],
        dims: &[NEWSLETTER[0], NEWSLETTER[1], ("RecipientDomain", "outlook.com")],
        ..NOTHING
    },
    Expect {
        file: "sns-subscription.json",
        by_type: &[("Subscription", 1)],
        recipients: 3,
        totals: &[("Subscription", 1)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "yahoo.com"),
        ],
        ..NOTHING
    },
    // Identity-notification shape (notificationType, no mail.tags): two bounced recipients.
    Expect {
        file: "sns-notification-bounce.json",
        by_type: &[("Bounce", 1)],
        recipients: 2,
        totals: &[("Bounce", 2), ("HardBounce", 2)],
        dims: &[("Campaign", "none"), ("EmailType", "none"), ("RecipientDomain", "other")],
        ..NOTHING
    },
    // SQS, raw delivery off: Send (gmail.com + googlemail.com), a body cut short, Delivery to
    // both, Permanent bounce at outlook.com. Only the broken record is retried.
    Expect {
        file: "sqs-batch.json",
        by_type: &[("Bounce", 1), ("Delivery", 1), ("Send", 1)],
        recipients: 5,
        skipped: &[("invalid_json", 1)],
        retry: Some(&["15efcbf6-b831-4a29-b9d7-010c87cf771d"]),
        totals: &[("Send", 2), ("Delivery", 2), ("Bounce", 1), ("HardBounce", 1)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "googlemail.com"),
            ("RecipientDomain", "outlook.com"),
        ],
        latency: &[2288],
    },
    // SQS, raw delivery on: SES's plain-text topic-validation notice, then Delivery (yahoo.com),
    // Open (gmail.com) and Transient bounce (aol.com) as bare SES JSON.
    // The notice is benign: acknowledged, not retried.
    Expect {
        file: "sqs-raw-batch.json",
        by_type: &[("Bounce", 1), ("Delivery", 1), ("Open", 1)],
        recipients: 3,
        skipped: &[("ses_topic_validated_notice", 1)],
        retry: Some(&[]),
        totals: &[("Delivery", 1), ("Bounce", 1), ("Open", 1), ("SoftBounce", 1)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "aol.com"),
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "yahoo.com"),
        ],
        latency: &[3120],
    },
    // The dead-letter queue replayed: an on-failure invocation record whose requestPayload is
    // the SNS event ses-events failed on (a Permanent bounce at gmx.de).
    Expect {
        file: "dlq-invocation-record.json",
        by_type: &[("Bounce", 1)],
        recipients: 1,
        totals: &[("Bounce", 1), ("HardBounce", 1)],
        dims: &[NEWSLETTER[0], NEWSLETTER[1], ("RecipientDomain", "gmx.de")],
        ..NOTHING
    },
    // The dead-letter queue redriven into the SQS queue: an invocation record (Bounce at
    // web.de), an SNS event saved whole (Complaint at t-online.de), an SNS envelope (Delivery
    // at gmail.com): all three counted, none retried.
    Expect {
        file: "sqs-dlq-redrive.json",
        by_type: &[("Bounce", 1), ("Complaint", 1), ("Delivery", 1)],
        recipients: 3,
        retry: Some(&[]),
        totals: &[("Bounce", 1), ("HardBounce", 1), ("Complaint", 1), ("Delivery", 1)],
        dims: &[
            NEWSLETTER[0],
            NEWSLETTER[1],
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "t-online.de"),
            ("RecipientDomain", "web.de"),
        ],
        latency: &[1388],
        ..NOTHING
    },
    // The SNS Message is SES JSON cut off in the middle.
    // Broken JSON is `invalid_json`, as for the same truncation in a bare payload or an SQS body.
    Expect { file: "sns-broken-message.json", skipped: &[("invalid_json", 1)], ..NOTHING },
    Expect { file: "sns-plaintext.json", skipped: &[("plain_text_message", 1)], ..NOTHING },
    // 21 raw SES events, one per line (a Firehose → S3 archive): 7 Send (9 recipients),
    // 5 Delivery (6), a Permanent and a Transient Bounce, DeliveryDelay, Open and Click on a
    // 2-recipient message (once each), Complaint, Subscription, Reject, Rendering Failure.
    Expect {
        file: "backfill.jsonl",
        by_type: &[
            ("Bounce", 2),
            ("Click", 1),
            ("Complaint", 1),
            ("Delivery", 5),
            ("DeliveryDelay", 1),
            ("Open", 1),
            ("Reject", 1),
            ("RenderingFailure", 1),
            ("Send", 7),
            ("Subscription", 1),
        ],
        recipients: 26,
        totals: &[
            ("Send", 9),
            ("Delivery", 6),
            ("Bounce", 2),
            ("Complaint", 1),
            ("Reject", 1),
            ("Open", 1),
            ("Click", 1),
            ("RenderingFailure", 1),
            ("DeliveryDelay", 1),
            ("Subscription", 1),
            ("HardBounce", 1),
            ("SoftBounce", 1),
        ],
        dims: &[
            ("Campaign", "black-friday-2026"),
            ("Campaign", "none"),
            ("EmailType", "newsletter"),
            ("EmailType", "transactional"),
            ("RecipientDomain", "aol.com"),
            ("RecipientDomain", "gmail.com"),
            ("RecipientDomain", "hotmail.com"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "outlook.com"),
            ("RecipientDomain", "simulator.amazonses.com"),
            ("RecipientDomain", "yahoo.com"),
        ],
        latency: &[640, 1104, 1104, 1530, 2610],
        ..NOTHING
    },
];

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// Every metric in every rollup, every tag value, one value per domain of every built-in
/// provider: the table's `dims` are the full picture, before the defaults leave most of it out.
fn everything() -> IngestConfig {
    IngestConfig::from_lookup(|k| {
        Some(
            match k {
                "DOMAIN_METRICS" | "TAG_METRICS" | "TRACKED_PROVIDERS" => "all",
                "TAG_VALUES" => "EmailType=*;Campaign=*",
                "DOMAIN_GROUPING" => "domain",
                _ => return None,
            }
            .to_string(),
        )
    })
    .expect("valid configuration")
}

fn check(e: &Expect, text: &str, now: DateTime<Utc>) -> Vec<String> {
    let ingested = ingest(&everything(), text, now);
    let s = &ingested.summary;
    let b = &ingested.batch;
    let mut diffs = Vec::new();
    let mut diff = |what: &str, want: String, got: String| {
        if want != got {
            diffs.push(format!("{what}: expected {want}, got {got}"));
        }
    };

    let by_type: BTreeMap<&str, u64> = e.by_type.iter().copied().collect();
    diff("by_type", format!("{by_type:?}"), format!("{:?}", s.by_type));
    diff("events", by_type.values().sum::<u64>().to_string(), s.events.to_string());
    diff("recipients", e.recipients.to_string(), s.recipients.to_string());
    let skipped: BTreeMap<&str, u64> = e.skipped.iter().copied().collect();
    diff("skip_reasons", format!("{skipped:?}"), format!("{:?}", s.skip_reasons));
    diff("skipped", skipped.values().sum::<u64>().to_string(), s.skipped.to_string());
    diff(
        "batchItemFailures",
        format!("{:?}", e.retry.map(|ids| ids.to_vec())),
        format!("{:?}", s.retry_ids()),
    );
    let totals: BTreeMap<&str, u64> = e.totals.iter().copied().collect();
    let got_totals: BTreeMap<&str, u64> = b.totals().into_iter().collect();
    diff("totals", format!("{totals:?}"), format!("{got_totals:?}"));
    let dims: BTreeSet<(&str, &str)> = e.dims.iter().copied().collect();
    let got_dims: BTreeSet<(&str, &str)> =
        b.series.iter().flat_map(|s| s.dimensions.iter()).map(|(n, v)| (n.as_str(), v.as_str())).collect();
    diff("dimensions", format!("{dims:?}"), format!("{got_dims:?}"));
    let mut latency: Vec<u64> = b
        .series
        .iter()
        .filter(|s| s.dimensions.is_empty())
        .flat_map(|s| s.latency.iter())
        .flat_map(|&(ms, n)| std::iter::repeat_n(ms, n as usize))
        .collect();
    latency.sort_unstable();
    diff("latency", format!("{:?}", e.latency), format!("{latency:?}"));
    diff("clamped_timestamps", "0".into(), s.clamped_timestamps.to_string());
    diffs
}

/// The dimension values each payload publishes with the default configuration: provider names
/// for the four big providers and the SES simulator, `other` for the rest; tag values `other`
/// until `TAG_VALUES` allows them (untagged mail: the default value); per provider and per tag
/// only the rollups' metrics (no opens, clicks, delays, rejects, rendering failures per provider
/// or tag: those payloads publish the totals only).
const DEFAULT_DIMS: &[(&str, &[(&str, &str)])] = &[
    ("README.md", &[]),
    (
        "sns-send.json",
        &[
            OTHER_TAGS[0],
            OTHER_TAGS[1],
            ("RecipientDomain", "gmail"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "yahoo"),
        ],
    ),
    ("sns-delivery.json", &[("RecipientDomain", "gmail")]),
    (
        "sns-bounce-hard.json",
        &[("Campaign", "none"), ("EmailType", "other"), ("RecipientDomain", "ses-simulator")],
    ),
    ("sns-bounce-soft.json", &[OTHER_TAGS[0], OTHER_TAGS[1], ("RecipientDomain", "microsoft")]),
    ("sns-complaint.json", &[OTHER_TAGS[0], OTHER_TAGS[1], ("RecipientDomain", "yahoo")]),
    ("sns-reject.json", &[]),
    ("sns-open.json", &[]),
    ("sns-click.json", &[]),
    ("sns-rendering-failure.json", &[]),
    ("sns-delivery-delay.json", &[]),
    ("sns-subscription.json", &[]),
    (
        "sns-notification-bounce.json",
        &[("Campaign", "none"), ("EmailType", "none"), ("RecipientDomain", "other")],
    ),
    (
        "sqs-batch.json",
        &[OTHER_TAGS[0], OTHER_TAGS[1], ("RecipientDomain", "gmail"), ("RecipientDomain", "microsoft")],
    ),
    ("sqs-raw-batch.json", &[OTHER_TAGS[0], OTHER_TAGS[1], ("RecipientDomain", "yahoo")]),
    ("dlq-invocation-record.json", &[OTHER_TAGS[0], OTHER_TAGS[1], ("RecipientDomain", "other")]),
    (
        "sqs-dlq-redrive.json",
        &[OTHER_TAGS[0], OTHER_TAGS[1], ("RecipientDomain", "gmail"), ("RecipientDomain", "other")],
    ),
    ("sns-broken-message.json", &[]),
    ("sns-plaintext.json", &[]),
    (
        "backfill.jsonl",
        &[
            ("Campaign", "none"),
            OTHER_TAGS[0],
            OTHER_TAGS[1],
            ("RecipientDomain", "gmail"),
            ("RecipientDomain", "microsoft"),
            ("RecipientDomain", "other"),
            ("RecipientDomain", "ses-simulator"),
            ("RecipientDomain", "yahoo"),
        ],
    ),
];

const OTHER_TAGS: [(&str, &str); 2] = [("Campaign", "other"), ("EmailType", "other")];

#[test]
fn the_defaults_publish_lean_rollups() {
    let now: DateTime<Utc> = NOW.parse().expect("NOW is RFC 3339");
    let mut failures = Vec::new();
    for (file, want) in DEFAULT_DIMS {
        assert!(EVENTS.iter().any(|e| e.file == *file), "{file}: not in EVENTS");
        let text = std::fs::read_to_string(events_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let batch = ingest(&IngestConfig::default(), &text, now).batch;
        let got: BTreeSet<(&str, &str)> = batch
            .series
            .iter()
            .flat_map(|s| s.dimensions.iter())
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let want: BTreeSet<(&str, &str)> = want.iter().copied().collect();
        if got != want {
            failures.push(format!("{file}: expected {want:?}, got {got:?}"));
        }
        // The totals are the same as with everything on.
        let full = ingest(&everything(), &text, now).batch;
        if batch.totals() != full.totals() {
            failures.push(format!("{file}: totals {:?} against {:?}", batch.totals(), full.totals()));
        }
    }
    assert_eq!(DEFAULT_DIMS.len(), EVENTS.len(), "one row per file of events/");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // What is behind `other` stays in the series (and so in the EMF logs).
    let text = std::fs::read_to_string(events_dir().join("sns-send.json")).unwrap();
    let batch = ingest(&IngestConfig::default(), &text, now).batch;
    let behind: BTreeSet<(&str, &str)> = batch
        .series
        .iter()
        .filter_map(|s| Some((s.dimensions.first()?.0.as_str(), s.other.as_deref()?)))
        .collect();
    let want: BTreeSet<(&str, &str)> =
        [("Campaign", "black-friday-2026"), ("EmailType", "newsletter"), ("RecipientDomain", "example.org")]
            .into();
    assert_eq!(behind, want);
}

#[test]
fn every_sample_payload_gives_its_expected_outcome() {
    let dir = events_dir();
    let now: DateTime<Utc> = NOW.parse().expect("NOW is RFC 3339");
    let mut on_disk: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() && path.file_name().is_some_and(|n| n == "alarms") {
            continue; // alarm-suppressor's payloads: see alarm_events.rs
        }
        assert!(path.is_file(), "{}: events/ holds files only", path.display());
        on_disk.insert(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    let mut rows: BTreeMap<&str, &Expect> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for e in EVENTS {
        if rows.insert(e.file, e).is_some() {
            duplicates.push(e.file);
        }
    }
    let without_row: Vec<&String> = on_disk.iter().filter(|f| !rows.contains_key(f.as_str())).collect();
    let without_file: Vec<&&str> = rows.keys().filter(|f| !on_disk.contains(**f)).collect();
    assert!(
        duplicates.is_empty() && without_row.is_empty() && without_file.is_empty(),
        "the table must have exactly one row per file in events/\n  files without a row: \
         {without_row:?}\n  rows without a file: {without_file:?}\n  duplicate rows: {duplicates:?}"
    );

    let mut failures = Vec::new();
    for (file, e) in &rows {
        let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|err| panic!("{file}: {err}"));
        let text = String::from_utf8(bytes).unwrap_or_else(|err| panic!("{file}: not UTF-8: {err}"));
        // `cargo lambda invoke --data-file` sends the file as one JSON document.
        if file.ends_with(".json")
            && let Err(err) = serde_json::from_str::<serde_json::Value>(&text)
        {
            failures.push(format!("{file}: not a JSON document: {err}"));
        }
        for d in check(e, &text, now) {
            failures.push(format!("{file}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es) against the events/ table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
