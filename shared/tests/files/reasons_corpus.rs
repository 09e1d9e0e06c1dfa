//! The report's bounce reasons over the real diagnostic strings of the shared corpus
//! (`../shared/corpus`): each file goes through `ingest` (the parser and the ledger entries
//! ses-events writes), then `report::reasons::group`. Expectations are written from reading each
//! file's `bounceSubType`, `status` and `diagnosticCode`.

use std::path::Path;

use ses_monitor::ingest::ingest;
use ses_monitor::ledger::{LedgerEntry, MAX_DIAGNOSTIC_LEN};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::report::reasons::{Reason, group};

fn entries(path: &str) -> Vec<LedgerEntry> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus").join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    let cfg = IngestConfig::from_lookup(|_| None).unwrap();
    ingest(&cfg, &text, "2026-11-27T10:00:00Z".parse().unwrap()).ledger_entries
}

/// (file, hard-bounce reasons, soft-bounce reasons, complaint feedback types) over all its entries.
type Row = (&'static str, &'static [Reason], &'static [Reason], &'static [&'static str]);

const FILES: &[Row] = &[
    // "smtp; 550-5.1.1 The email account that you tried to reach does not exist…" (Gmail), status 5.1.1
    ("ses-event-publishing/mailcoach-bounce-permanent-general.json", &[Reason::UnknownUser], &[], &[]),
    ("sns-envelopes/mailcoach-http-bounce-permanent-general.json", &[Reason::UnknownUser], &[], &[]),
    // "smtp; 550 5.1.1 <jane@example.com>... User" (AWS docs, with a DSN)
    ("ses-notifications/awsdocs-bounce-with-dsn.json", &[Reason::UnknownUser], &[], &[]),
    // "smtp; 550 5.1.1 user unknown ( blacklisted address: … )" — the simulator's suppression
    // address, but SES subtype General and status 5.1.1: an unknown user to the sender
    (
        "ses-notifications/relay-bounce-permanent-suppressionlist-simulator.json",
        &[Reason::UnknownUser],
        &[],
        &[],
    ),
    // status 5.1.1, empty diagnostic
    (
        "ses-notifications/janis-bounce-empty-diagnostic-redacted-account.json",
        &[Reason::UnknownUser],
        &[],
        &[],
    ),
    // SES's own suppression: subtype Suppressed (2014) / OnAccountSuppressionList
    ("ses-notifications/carbon-bounce-permanent-suppressed-2014.json", &[Reason::Suppressed], &[], &[]),
    (
        "ses-notifications/relay-bounce-permanent-onaccountsuppressionlist.json",
        &[Reason::Suppressed],
        &[],
        &[],
    ),
    // Transient, subtype "StopRelayingSpamForThisUser", status 5.1.1 but the diagnostic says
    // "Message considered as spam." (no code): the server's words win, a block
    (
        "ses-notifications/relay-bounce-transient-fictional-subtype-StopRelayingSpamForThisUser.json",
        &[],
        &[Reason::Blocked],
        &[],
    ),
    // Transient, subtype "SRETeamEatenByDinosaurs", a diagnostic with no code and no known words,
    // status 5.1.1: the status field decides
    (
        "ses-notifications/relay-bounce-transient-fictional-subtype-SRETeamEatenByDinosaurs.json",
        &[],
        &[Reason::UnknownUser],
        &[],
    ),
];

#[test]
fn bounce_reasons_of_real_diagnostics() {
    for (path, hard, soft, complaints) in FILES {
        let e = entries(path);
        assert!(!e.is_empty(), "{path}: no ledger entries");
        let all = group(&e, |_| "all");
        let r = &all["all"];
        let reasons = |v: &[(Reason, usize)]| v.iter().map(|(r, _)| *r).collect::<Vec<_>>();
        assert_eq!(reasons(&r.hard_bounces), *hard, "{path}: hard bounces");
        assert_eq!(reasons(&r.soft_bounces), *soft, "{path}: soft bounces");
        let types: Vec<&str> = r.complaints.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(types, *complaints, "{path}: complaints");
    }
}

/// Every complaint of the corpus with a feedback type is grouped under it; and no diagnostic the
/// ledger keeps holds an address (`<jane@example.com>` is scrubbed to its domain and hash).
#[test]
fn complaint_types_and_no_address_in_a_kept_diagnostic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let mut complaints = 0;
    let mut diagnostics = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for f in std::fs::read_dir(&dir).unwrap() {
            let p = f.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().and_then(|x| x.to_str()) != Some("json") {
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(&p).unwrap();
            for e in entries(&rel) {
                if let Some(d) = &e.diagnostic {
                    diagnostics += 1;
                    assert!(d.chars().count() <= MAX_DIAGNOSTIC_LEN, "{rel}: {d}");
                    assert!(!d.contains(&e.recipient), "{rel}: the address is kept in {d:?}");
                    assert!(!d.contains("jane@"), "{rel}: {d:?}");
                }
                if e.kind == ses_monitor::ledger::Offence::Complaint && text.contains("\"abuse\"") {
                    complaints += 1;
                    let g = group([&e], |_| "x");
                    assert_eq!(g["x"].complaints, vec![("abuse".to_string(), 1)], "{rel}");
                }
            }
        }
    }
    assert!(complaints >= 5, "corpus complaints with feedback type abuse: {complaints}");
    assert!(diagnostics >= 10, "diagnostics kept: {diagnostics}");
}
