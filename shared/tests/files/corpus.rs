//! Conformance with the sample corpus in `../shared/corpus` (real payloads written by others; see
//! its SOURCES.md): every file goes through `ingest`, and its outcome is compared with an
//! expectation written here by reading the file and DESIGN.md — not recorded from the code.
//!
//! The table has exactly one row per file: a file added to or removed from the corpus fails the
//! test, with its name, until its row is written (or deleted).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use ses_monitor::ingest::ingest;
use ses_monitor::metrics::RECIPIENT_DOMAIN;
use ses_monitor::platform::config::IngestConfig;

/// Skip reason codes (`SkipReason::as_str`).
const UNRECOGNISED: &str = "unrecognised_payload";
const NOT_SES: &str = "not_an_ses_event";
const PLAIN_TEXT: &str = "plain_text_message";
const SNS_CONTROL: &str = "sns_control_message";
const SETUP_NOTICE: &str = "ses_setup_notice";
const TOPIC_VALIDATED: &str = "ses_topic_validated_notice";
const MISSING_MESSAGE: &str = "missing_sns_message";
const INVALID_JSON: &str = "invalid_json";

/// The invocation time. Every dated SES event of the corpus is from 2012–2024, older than the
/// 14 days CloudWatch accepts, so each one is published at this time and counted in
/// `clamped_timestamps`; an event that is *not* clamped had no timestamp the parser could read.
const NOW: &str = "2026-11-27T10:00:00Z";

/// What one corpus file must give.
#[derive(Debug, Clone, Copy)]
struct Expect {
    /// Path relative to the corpus root.
    path: &'static str,
    /// The SES event type counted (metric name) and how many events of it.
    counted: Option<(&'static str, u64)>,
    /// Recipients concerned by the counted events (`Summary::recipients`).
    recipients: u64,
    /// The skip reason and how many records were skipped with it.
    skipped: Option<(&'static str, u64)>,
    /// `HardBounce` / `SoftBounce` totals.
    hard: u64,
    soft: u64,
    /// For SQS events, the `batchItemFailures` identifiers; `None` for every other payload.
    retry: Option<&'static [&'static str]>,
    /// Whether the counted events carry a timestamp the parser reads (see [`NOW`]).
    dated: bool,
    /// `RecipientDomain` values expected (checked when not empty).
    domains: &'static [&'static str],
}

/// A file that yields one SES event of `kind` concerning `recipients` recipients.
const fn ses(path: &'static str, kind: &'static str, recipients: u64) -> Expect {
    Expect {
        path,
        counted: Some((kind, 1)),
        recipients,
        skipped: None,
        hard: 0,
        soft: 0,
        retry: None,
        dated: true,
        domains: &[],
    }
}

/// One Permanent bounce event (HardBounce = recipients).
const fn hard(path: &'static str, recipients: u64) -> Expect {
    Expect { hard: recipients, ..ses(path, "Bounce", recipients) }
}

/// One Transient bounce event (SoftBounce = recipients).
const fn soft(path: &'static str, recipients: u64) -> Expect {
    Expect { soft: recipients, ..ses(path, "Bounce", recipients) }
}

/// A file whose single record is skipped with `reason`.
const fn skip(path: &'static str, reason: &'static str) -> Expect {
    Expect {
        path,
        counted: None,
        recipients: 0,
        skipped: Some((reason, 1)),
        hard: 0,
        soft: 0,
        retry: None,
        dated: false,
        domains: &[],
    }
}

impl Expect {
    /// The payload holds `n` records, all skipped with the same reason.
    const fn records(self, n: u64) -> Self {
        let skipped = match self.skipped {
            Some((reason, _)) => Some((reason, n)),
            None => None,
        };
        Self { skipped, ..self }
    }

    /// An SQS event: the records Lambda must retry.
    const fn retry(self, ids: &'static [&'static str]) -> Self {
        Self { retry: Some(ids), ..self }
    }

    /// The event has no readable timestamp: it is published at the invocation time, unclamped.
    const fn undated(self) -> Self {
        Self { dated: false, ..self }
    }

    /// The `RecipientDomain` dimension values the event publishes.
    const fn domains(self, domains: &'static [&'static str]) -> Self {
        Self { domains, ..self }
    }
}

#[rustfmt::skip]
const CORPUS: &[Expect] = &[
    // Provenance notes, not a payload: refused cleanly like any non-JSON input.
    skip("SOURCES.md", INVALID_JSON),

    // --- CloudWatch alarms: never SES. Bare or EventBridge-shaped → unrecognised; inside an SNS
    // Message → the message is JSON without eventType/notificationType → not_an_ses_event.
    skip("cloudwatch-alarm/awsdocs-eventbridge-alarm-configuration-change-metric.json", UNRECOGNISED),
    skip("cloudwatch-alarm/awsdocs-eventbridge-alarm-state-change-anomaly-detection.json", UNRECOGNISED),
    skip("cloudwatch-alarm/awsdocs-eventbridge-alarm-state-change-composite-suppressor.json", UNRECOGNISED),
    skip("cloudwatch-alarm/awsdocs-eventbridge-alarm-state-change-metric-math.json", UNRECOGNISED),
    skip("cloudwatch-alarm/awsdocs-eventbridge-alarm-state-change-single-metric.json", UNRECOGNISED),
    skip("cloudwatch-alarm/go-sns-lambda-alarm-metric-math.json", NOT_SES),
    skip("cloudwatch-alarm/go-sns-lambda-alarm-single-metric.json", NOT_SES),
    // Direct alarm → Lambda action (source aws.cloudwatch, alarmData).
    skip("cloudwatch-alarm/java-direct-lambda-alarm-composite.json", UNRECOGNISED),
    skip("cloudwatch-alarm/java-direct-lambda-alarm-metric.json", UNRECOGNISED),
    // The alarm JSON alone (what sits inside Sns.Message), not wrapped in SNS.
    skip("cloudwatch-alarm/localstack-snapshot-alarm-message-action-executed-after-mute-window.json", UNRECOGNISED),
    skip("cloudwatch-alarm/localstack-snapshot-alarm-message-treat-missing-breaching.json", UNRECOGNISED),
    skip("cloudwatch-alarm/powertools-direct-lambda-alarm-metric-math.json", UNRECOGNISED),
    skip("cloudwatch-alarm/rust-alarm-composite-suppressor-eventbridge-hybrid.json", UNRECOGNISED),
    skip("cloudwatch-alarm/rust-direct-lambda-alarm-composite-malformed-timestamps.json", UNRECOGNISED),
    skip("cloudwatch-alarm/rust-direct-lambda-alarm-metric-malformed-timestamps.json", UNRECOGNISED),
    // Two SNS records, each an alarm: both skipped, one per record.
    skip("cloudwatch-alarm/rust-sns-lambda-alarm-metric-math-two-records.json", NOT_SES).records(2),
    skip("cloudwatch-alarm/rust-sns-lambda-alarm-single-metric.json", NOT_SES),

    // --- EventBridge scheduled events (source aws.events): not SES.
    skip("eventbridge/awsdocs-lambda-java-events-scheduled-detailType-camelcase.json", UNRECOGNISED),
    skip("eventbridge/awsdocs-scheduled-event.json", UNRECOGNISED),
    skip("eventbridge/dotnet-scheduled-event-epoch-time.json", UNRECOGNISED),
    skip("eventbridge/dotnet-testtool-scheduled-event-no-version-placeholders.json", UNRECOGNISED),
    skip("eventbridge/java-scheduled-event.json", UNRECOGNISED),
    skip("eventbridge/serverless-event-mocks-scheduled-9digit-account.json", UNRECOGNISED),

    // The UTF-8 BOM is accepted: the SNS event parses, and its Message is "Hello from SNS!".
    skip("nonstrict-json/dotnet-lambda-sns-utf8-bom.json", PLAIN_TEXT),

    // --- SES event publishing (eventType), bare documents.
    hard("ses-event-publishing/awsdocs-bounce-permanent-general.json", 1),
    ses("ses-event-publishing/awsdocs-click.json", "Click", 1),
    ses("ses-event-publishing/awsdocs-complaint-abuse.json", "Complaint", 1),
    ses("ses-event-publishing/awsdocs-delivery.json", "Delivery", 1),
    ses("ses-event-publishing/awsdocs-deliverydelay-transient-communication-failure.json", "DeliveryDelay", 1),
    ses("ses-event-publishing/awsdocs-open.json", "Open", 1),
    // mail.destination is the sender's own address in the AWS example; it is still the recipient.
    ses("ses-event-publishing/awsdocs-reject-bad-content.json", "Reject", 1),
    // eventType "Rendering Failure" (with a space) → metric RenderingFailure.
    ses("ses-event-publishing/awsdocs-rendering-failure.json", "RenderingFailure", 1),
    ses("ses-event-publishing/awsdocs-send.json", "Send", 1),
    ses("ses-event-publishing/awsdocs-subscription.json", "Subscription", 1),
    ses("ses-event-publishing/awsdocs2026-click-isbotevent.json", "Click", 1),
    ses("ses-event-publishing/awsdocs2026-delivery-remotemtaip-invalid.json", "Delivery", 1),
    ses("ses-event-publishing/awsdocs2026-open-isbotevent.json", "Open", 1),
    hard("ses-event-publishing/keila-bounce-permanent-general-2021-11.json", 1),
    ses("ses-event-publishing/keila-send-2021-07.json", "Send", 1).domains(&["simulator.amazonses.com"]),
    ses("ses-event-publishing/laravel-ses-complaint-onaccountsuppressionlist-no-feedbacktype.json", "Complaint", 1),
    // LocalStack placeholders: the recipient is "<recipient-email-address>" (no domain → invalid)
    // and every timestamp is the word "timestamp" (unreadable → published at NOW, not clamped).
    ses("ses-event-publishing/localstack-snapshot-delivery-outgoing-ip-tag.json", "Delivery", 1).undated().domains(&["invalid"]),
    ses("ses-event-publishing/localstack-snapshot-send-sendrawemail-empty-headers.json", "Send", 1).undated().domains(&["invalid"]),
    ses("ses-event-publishing/localstack-snapshot-send-templated-no-sourcearn.json", "Send", 1).undated().domains(&["invalid"]),
    hard("ses-event-publishing/mailcoach-bounce-permanent-general.json", 1),
    ses("ses-event-publishing/mailcoach-click-linktags-null.json", "Click", 1),
    ses("ses-event-publishing/mailcoach-complaint-simulator-subtype-null.json", "Complaint", 1),
    ses("ses-event-publishing/mailcoach-open-2019.json", "Open", 1),
    ses("ses-event-publishing/mailcoach-open-2022.json", "Open", 1),
    ses("ses-event-publishing/relay-subscription-early-awsdocs-canary-invalid-ip.json", "Subscription", 1),

    // --- SES identity notifications (notificationType), bare documents.
    hard("ses-notifications/ag84ark-bounce-simulator-source-identity-mismatch.json", 1),
    skip("ses-notifications/aws-ses-sns-engine-amazonsnssubscriptionsucceeded.json", SETUP_NOTICE),
    // Three destinations, one bounced recipient: only bouncedRecipients count.
    hard("ses-notifications/awsdocs-bounce-with-dsn.json", 1),
    // Three destinations, two bounced recipients.
    hard("ses-notifications/awsdocs-bounce-without-dsn.json", 2),
    // Three destinations, one complainedRecipient.
    ses("ses-notifications/awsdocs-complaint-with-feedback-report.json", "Complaint", 1),
    ses("ses-notifications/awsdocs-complaint-without-feedback-report.json", "Complaint", 1),
    ses("ses-notifications/awsdocs-delivery.json", "Delivery", 1),
    // Plus-addressed simulator recipient: the domain is still simulator.amazonses.com.
    hard("ses-notifications/bh-wp-bounce-plus-address-display-name-source-no-headers.json", 1).domains(&["simulator.amazonses.com"]),
    hard("ses-notifications/carbon-bounce-permanent-suppressed-2014.json", 1),
    // Four destinations, one complainant; timestamps with a -07:00 offset still read (clamped).
    ses("ses-notifications/carbon-complaint-2012-offset-timestamp-no-feedback.json", "Complaint", 1),
    // destination has 2 addresses but delivery.recipients only 1: delivery.recipients wins.
    ses("ses-notifications/carbon-delivery-2014-multi-destination.json", "Delivery", 1).domains(&["simulator.amazonses.com"]),
    // Two bounced recipients (example.com and cru.org, both untracked → "other").
    hard("ses-notifications/cru-bounce-unicode-emoji-subject.json", 2).domains(&["other"]),
    ses("ses-notifications/cru-complaint-anycompany-feedback-loop.json", "Complaint", 1),
    // Two destinations, one bounced recipient.
    hard("ses-notifications/janis-bounce-empty-diagnostic-redacted-account.json", 1),
    ses("ses-notifications/lambda-local-delivery-no-headers.json", "Delivery", 1),
    hard("ses-notifications/laravel-ses-bounce-permanent-general-simulator.json", 1),
    ses("ses-notifications/laravel-ses-complaint-abuse-simulator.json", "Complaint", 1),
    ses("ses-notifications/laravel-ses-complaint-simulator-raw-2020-04-01.json", "Complaint", 1),
    ses("ses-notifications/laravel-ses-delivery.json", "Delivery", 1),
    ses("ses-notifications/relay-awsdocs-complaint-with-feedback-plus-subtype-null.json", "Complaint", 1),
    hard("ses-notifications/relay-bounce-permanent-general-simulator-2022.json", 1),
    hard("ses-notifications/relay-bounce-permanent-onaccountsuppressionlist.json", 1),
    hard("ses-notifications/relay-bounce-permanent-suppressionlist-simulator.json", 1),
    // Made-up bounceSubType values: still Transient → SoftBounce.
    soft("ses-notifications/relay-bounce-transient-fictional-subtype-SRETeamEatenByDinosaurs.json", 1),
    soft("ses-notifications/relay-bounce-transient-fictional-subtype-StopRelayingSpamForThisUser.json", 1),
    soft("ses-notifications/relay-bounce-transient-general-ooto-simulator.json", 1),
    ses("ses-notifications/relay-complaint-simulator-subtype-null.json", "Complaint", 1),
    ses("ses-notifications/relay-delivery-ooto-simulator.json", "Delivery", 1),
    ses("ses-notifications/relay-delivery-success-simulator.json", "Delivery", 1),
    hard("ses-notifications/sisimai-bounce-permanent-general-simulator-2.json", 1),
    hard("ses-notifications/sisimai-bounce-permanent-general-simulator.json", 1),
    hard("ses-notifications/sisimai-bounce-redacted-xxx.json", 1),
    ses("ses-notifications/sisimai-complaint-abuse-simulator.json", "Complaint", 1),
    ses("ses-notifications/sisimai-delivery-simulator-complaint-address.json", "Delivery", 1),
    ses("ses-notifications/sisimai-delivery-simulator-success.json", "Delivery", 1),

    // --- SNS envelopes: HTTP(S) bodies (one envelope) and SNS→Lambda events (Records[].Sns).
    // AmazonSnsSubscriptionSucceeded inside an SNS Message: acknowledged, not counted.
    skip("sns-envelopes/aws-ses-sns-engine-http-amazonsnssubscriptionsucceeded.json", SETUP_NOTICE),
    skip("sns-envelopes/awsdocs-lambda-java-events-sns-xmpl-ids.json", PLAIN_TEXT),
    hard("sns-envelopes/bh-wp-http-bounce-simulator-plus-address.json", 1),
    // A WordPress capture {"headers": "...", "body": "<SNS body>"}: neither SNS, SQS nor SES.
    skip("sns-envelopes/bh-wp-http-request-capture-headers-and-body.json", UNRECOGNISED),
    skip("sns-envelopes/go-lambda-sns-plaintext.json", PLAIN_TEXT),
    // Message with irregular spacing; mail holds only messageId (no destination).
    hard("sns-envelopes/hilotter-lambda-sns-minimal-classic-bounce.json", 1),
    // Message is JSON ({"id":42,"name":"Bob"}) but not SES.
    skip("sns-envelopes/java-lambda-sns-json-message.json", NOT_SES),
    hard("sns-envelopes/keila-http-bounce-signed-2021-08.json", 1),
    hard("sns-envelopes/keila-http-bounce-signed-2021-11.json", 1),
    ses("sns-envelopes/keila-http-send-signed-2021-07.json", "Send", 1),
    skip("sns-envelopes/keila-http-subscription-confirmation-signed.json", SNS_CONTROL),
    ses("sns-envelopes/lambda-local-lambda-sns-ses-delivery-notification.json", "Delivery", 1).domains(&["other"]),
    // Three destinations, one bounced recipient.
    hard("sns-envelopes/laravel-ses-http-bounce-docs.json", 1),
    hard("sns-envelopes/laravel-ses-http-bounce-simulator.json", 1),
    ses("sns-envelopes/laravel-ses-http-click-docs.json", "Click", 1),
    ses("sns-envelopes/laravel-ses-http-complaint-docs.json", "Complaint", 1),
    ses("sns-envelopes/laravel-ses-http-complaint-onaccountsuppressionlist.json", "Complaint", 1),
    ses("sns-envelopes/laravel-ses-http-complaint-simulator.json", "Complaint", 1),
    ses("sns-envelopes/laravel-ses-http-delivery-docs.json", "Delivery", 1),
    ses("sns-envelopes/laravel-ses-http-delivery.json", "Delivery", 1),
    // The Message string starts with a space before "{".
    ses("sns-envelopes/laravel-ses-http-open-docs-leading-space.json", "Open", 1),
    ses("sns-envelopes/laravel-ses-http-reject-docs.json", "Reject", 1),
    // SES's plain-text "Successfully validated SNS topic for Amazon SES event publishing."
    skip("sns-envelopes/laravel-ses-http-ses-topic-validated-plaintext.json", TOPIC_VALIDATED),
    skip("sns-envelopes/laravel-ses-http-subscription-confirmation.json", SNS_CONTROL),
    hard("sns-envelopes/mailcoach-http-bounce-permanent-general.json", 1),
    ses("sns-envelopes/mailcoach-http-click-linktags-null.json", "Click", 1),
    ses("sns-envelopes/mailcoach-http-complaint-simulator-subtype-null.json", "Complaint", 1),
    ses("sns-envelopes/mailcoach-http-open-2019.json", "Open", 1),
    ses("sns-envelopes/mailcoach-http-open-2022.json", "Open", 1),
    skip("sns-envelopes/mailcoach-http-subscription-confirmation.json", SNS_CONTROL),
    // Records[0].Sns holds only "Message" (no Type, no EventSource).
    hard("sns-envelopes/phrase-lambda-sns-minimal-bounce.json", 1),
    // Same, and the complaint has no mail and no timestamp at all.
    ses("sns-envelopes/phrase-lambda-sns-minimal-complaint.json", "Complaint", 1).undated(),
    skip("sns-envelopes/powertools-lambda-sns-plaintext-message-attributes.json", PLAIN_TEXT),
    hard("sns-envelopes/relay-http-bounce-onaccountsuppressionlist.json", 1),
    soft("sns-envelopes/relay-http-bounce-transient-fictional-subtype-spam.json", 1),
    soft("sns-envelopes/relay-http-bounce-transient-fictional-subtype.json", 1),
    skip("sns-envelopes/relay-http-subscription-confirmation.json", SNS_CONTROL),
    // Message is JSON ({"foo":...,"bar":123}) but not SES.
    skip("sns-envelopes/rust-lambda-sns-json-message.json", NOT_SES),
    skip("sns-envelopes/serverless-event-mocks-lambda-sns-empty-subject.json", PLAIN_TEXT),
    // Three destinations, two bounced recipients.
    hard("sns-envelopes/ses-events-logger-lambda-sns-classic-bounce-no-headers.json", 2),
    // The SES record sits directly in Records[0].Sns instead of in Sns.Message: not guessed at.
    skip("sns-envelopes/ses-events-logger-lambda-sns-event-inline-NOT-in-message.json", MISSING_MESSAGE),
    hard("sns-envelopes/sisimai-email-json-bounce-simulator.json", 1),
    hard("sns-envelopes/smoketurner-lambda-sns-ses-event-bounce.json", 1),
    ses("sns-envelopes/smoketurner-lambda-sns-ses-event-delivery.json", "Delivery", 1),

    // --- SQS side.
    // An SNS envelope (an SQS body on its own) whose Message is a JSON object, not a string:
    // not what AWS sends, but unambiguous, and the envelope code reads it.
    hard("sqs-envelopes/ag84ark-sqs-body-sns-envelope-message-as-object.json", 1),
    // An SNS envelope on its own with the plain-text Message "This is a test message.".
    skip("sqs-envelopes/awsdocs-sns-sqs-body-raw-delivery-disabled.json", PLAIN_TEXT),
    // SQS events whose SNS Message is JSON but not SES: bad input, so the record is retried
    // (and ends in the dead-letter queue).
    skip("sqs-envelopes/powertools-sqs-sns-envelope-raw-off.json", NOT_SES)
        .retry(&["79406a00-bf15-46ca-978c-22c3613fcb30"]),
    skip("sqs-envelopes/powertools-sqs-sns-fifo-envelope-raw-off.json", NOT_SES)
        .retry(&["69bc4bbd-ed69-4325-a434-85c3b428ceab"]),
];

/// Per-message kinds count once per message in the totals (see `EventKind::is_per_message`).
fn per_message(kind: &str) -> bool {
    matches!(kind, "Open" | "Click" | "Subscription")
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}

fn files_under(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under the root");
                let rel: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect();
                out.push(rel.join("/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// Compares one file's outcome with its row; returns the differences.
fn check(e: &Expect, text: &str, now: DateTime<Utc>) -> Vec<String> {
    // One dimension value per domain (not per provider), so `domains` checks the address parsing.
    let cfg = IngestConfig::from_lookup(|k| (k == "DOMAIN_GROUPING").then(|| "domain".to_string()))
        .expect("valid configuration");
    let ingested = ingest(&cfg, text, now);
    let s = &ingested.summary;
    let mut diffs = Vec::new();
    let mut diff = |what: &str, want: String, got: String| {
        if want != got {
            diffs.push(format!("{what}: expected {want}, got {got}"));
        }
    };

    let (kind, events) = e.counted.unwrap_or(("", 0));
    let want_types: BTreeMap<&str, u64> = e.counted.into_iter().collect();
    diff("events", events.to_string(), s.events.to_string());
    diff("by_type", format!("{want_types:?}"), format!("{:?}", s.by_type));
    diff("recipients", e.recipients.to_string(), s.recipients.to_string());

    let want_skips: BTreeMap<&str, u64> = e.skipped.into_iter().collect();
    let skipped = e.skipped.map_or(0, |(_, n)| n);
    diff("skipped", skipped.to_string(), s.skipped.to_string());
    diff("skip_reasons", format!("{want_skips:?}"), format!("{:?}", s.skip_reasons));
    diff(
        "batchItemFailures",
        format!("{:?}", e.retry.map(|ids| ids.to_vec())),
        format!("{:?}", s.retry_ids()),
    );

    // Totals over the `{}` series: the event's own metric (per recipient, or once per message
    // for opens, clicks and subscriptions), plus HardBounce / SoftBounce for bounces.
    let mut want_totals: BTreeMap<&str, u64> = BTreeMap::new();
    if events > 0 {
        let n = if per_message(kind) { events } else { e.recipients };
        want_totals.insert(kind, n);
    }
    if e.hard > 0 {
        want_totals.insert("HardBounce", e.hard);
    }
    if e.soft > 0 {
        want_totals.insert("SoftBounce", e.soft);
    }
    let got_totals: BTreeMap<&str, u64> = ingested.batch.totals().into_iter().collect();
    diff("totals", format!("{want_totals:?}"), format!("{got_totals:?}"));

    let clamped = if e.dated { events } else { 0 };
    diff("clamped_timestamps", clamped.to_string(), s.clamped_timestamps.to_string());

    if !e.domains.is_empty() {
        let want: BTreeSet<&str> = e.domains.iter().copied().collect();
        let got: BTreeSet<&str> = ingested
            .batch
            .series
            .iter()
            .flat_map(|s| s.dimensions.iter())
            .filter(|(name, _)| name == RECIPIENT_DOMAIN)
            .map(|(_, value)| value.as_str())
            .collect();
        diff("RecipientDomain values", format!("{want:?}"), format!("{got:?}"));
    }
    diffs
}

#[test]
fn corpus_outcomes_match_the_table() {
    let root = corpus_root();
    if !root.is_dir() {
        crate::skip_notice(format_args!(
            "corpus tests skipped: no corpus at {} (it lives outside this repository)",
            root.display()
        ));
        return;
    }
    let now: DateTime<Utc> = NOW.parse().expect("NOW is RFC 3339");

    // One row per file, no more, no less.
    let files = files_under(&root);
    let mut rows: BTreeMap<&str, &Expect> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for e in CORPUS {
        if rows.insert(e.path, e).is_some() {
            duplicates.push(e.path);
        }
    }
    let on_disk: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let without_row: Vec<&str> = on_disk.iter().filter(|f| !rows.contains_key(*f)).copied().collect();
    let without_file: Vec<&str> = rows.keys().filter(|p| !on_disk.contains(*p)).copied().collect();
    assert!(
        duplicates.is_empty() && without_row.is_empty() && without_file.is_empty(),
        "the table must have exactly one row per corpus file\n  \
         files without a row: {without_row:?}\n  rows without a file: {without_file:?}\n  \
         duplicate rows: {duplicates:?}"
    );

    let mut failures = Vec::new();
    for (path, e) in &rows {
        // Bytes → String: the BOM file must reach the parser as it is.
        let bytes = std::fs::read(root.join(path)).unwrap_or_else(|err| panic!("{path}: {err}"));
        let text = String::from_utf8(bytes).unwrap_or_else(|err| panic!("{path}: not UTF-8: {err}"));
        for d in check(e, &text, now) {
            failures.push(format!("{path}: {d}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es) against the corpus table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The table's own arithmetic: what the corpus adds up to, so a changed row shows in review.
#[test]
fn corpus_table_summary() {
    let files = CORPUS.len();
    let counted = CORPUS.iter().filter(|e| e.counted.is_some()).count();
    let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
    for (reason, n) in CORPUS.iter().filter_map(|e| e.skipped) {
        *reasons.entry(reason).or_default() += n;
    }
    assert_eq!(files, 133, "132 payloads + SOURCES.md");
    assert_eq!(counted, 90, "files that yield an SES event");
    assert_eq!(
        reasons,
        BTreeMap::from([
            (INVALID_JSON, 1),
            (MISSING_MESSAGE, 1),
            (NOT_SES, 9),
            (PLAIN_TEXT, 6),
            (SETUP_NOTICE, 2),
            (SNS_CONTROL, 4),
            (TOPIC_VALIDATED, 1),
            (UNRECOGNISED, 20),
        ])
    );
}
