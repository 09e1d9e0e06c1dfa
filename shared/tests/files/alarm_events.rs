//! alarm-suppressor's sample payloads (events/alarms/) through the whole handler, against the
//! in-memory ledger and SES: each file's outcome is asserted, and every file is listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use ses_monitor::ledger::{Ledger, LedgerEntry, MemoryLedger, Offence};
use ses_monitor::sesv2::{MemorySes, SendingState};
use ses_monitor::suppress::{Deps, SuppressorConfig, handle};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events/alarms")
}

fn entry(addr: &str, dim: &str, kind: Offence, at: &str) -> LedgerEntry {
    LedgerEntry {
        recipient: addr.into(),
        domain: addr.rsplit('@').next().unwrap().into(),
        dimension: dim.into(),
        kind,
        subtype: None,
        tags: vec![],
        message_id: format!("0100019ac{addr}"),
        timestamp: at.parse().unwrap(),
        suppressed_at: None,
    }
}

async fn seeded() -> MemoryLedger {
    let l = MemoryLedger::default();
    let e = vec![
        // inside the gmail alarm's window (09:40 - 09:45 is the period; look-back 60 min)
        entry("a@gmail.com", "gmail.com", Offence::HardBounce, "2026-11-26T09:41:00Z"),
        entry("b@gmail.com", "gmail.com", Offence::Complaint, "2026-11-26T09:20:00Z"),
        entry("c@gmail.com", "gmail.com", Offence::SoftBounce, "2026-11-26T09:30:00Z"),
        entry("y@yahoo.com", "yahoo.com", Offence::HardBounce, "2026-11-26T09:42:00Z"),
        // before every window
        entry("old@gmail.com", "gmail.com", Offence::HardBounce, "2026-11-26T06:00:00Z"),
    ];
    l.record(&e).await.unwrap();
    l
}

#[tokio::test]
async fn every_alarm_sample_gives_its_outcome() {
    let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
    let map: BTreeMap<&str, &str> = [
        ("LEDGER_TABLE", "ledger"),
        ("PAUSE_ON_ALARMS", "ses-monitor-hard-bounces-gmail"),
        ("CONFIGURATION_SET", "ses-monitor-demo"),
    ]
    .into();
    let cfg = SuppressorConfig::from_lookup(|k| map.get(k).map(|v| v.to_string())).unwrap();
    let ledger = seeded().await;
    let ses = MemorySes::default();
    ses.sets
        .lock()
        .unwrap()
        .insert("ses-monitor-demo".into(), SendingState { enabled: true, paused_by: vec![] });
    let deps = Deps { ledger: &ledger, list: &ses, sending: &ses, partition: "aws", region: "us-east-1" };
    let read = |f: &str| std::fs::read_to_string(dir().join(f)).unwrap();

    // (file, action, suppressed by reason, sending)
    type Row<'a> = (&'a str, &'a str, &'a [(&'a str, usize)], Option<&'a str>);
    let expected: [Row; 4] = [
        (
            "sns-alarm-gmail-hard-bounces.json",
            "suppressed",
            &[("BOUNCE", 1), ("COMPLAINT", 1)],
            Some("paused:ses-monitor-demo"),
        ),
        // all domains over the last hour (metric math on totals, 1 h period): yahoo's hard bounce;
        // gmail's offenders are already suppressed by the previous notice
        ("direct-alarm-hard-bounce-rate.json", "suppressed", &[("BOUNCE", 1)], None),
        ("sns-alarm-not-ours.json", "ignored_not_owned", &[], None),
        ("sns-ok-gmail-hard-bounces.json", "resumed", &[], Some("resumed:ses-monitor-demo")),
    ];
    let listed: BTreeSet<String> = expected.iter().map(|e| e.0.to_string()).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, on_disk, "every file in events/alarms has one row");

    for (file, action, suppressed, sending) in expected {
        let r = handle(&cfg, &deps, &read(file), now).await.unwrap();
        assert_eq!(r.skipped, 0, "{file}");
        let a = &r.alarms[0];
        assert_eq!(a.action, action, "{file}");
        let got: Vec<(&str, usize)> = a.suppressed.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(got, suppressed, "{file}");
        assert_eq!(a.sending.as_deref(), sending, "{file}");
    }
    assert_eq!(
        *ses.calls.lock().unwrap(),
        [
            // the set is paused first, then the offenders suppressed
            "SetPausedBy ses-monitor-demo [ses-monitor-hard-bounces-gmail]",
            "SetSending ses-monitor-demo false",
            "Suppress b@gmail.com COMPLAINT",
            "Suppress a@gmail.com BOUNCE",
            "Suppress y@yahoo.com BOUNCE",
            "SetSending ses-monitor-demo true",
            "SetPausedBy ses-monitor-demo []",
        ]
    );
}
