//! alarm-suppressor's sample payloads (events/alarms/) through the whole handler, against the
//! in-memory ledger and SES: each file's outcome is asserted, and every file is listed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use ses_monitor::alarm::AlarmState;
use ses_monitor::alarm::states::MemoryAlarms;
use ses_monitor::ledger::{Ledger, LedgerEntry, MemoryLedger, Offence};
use ses_monitor::sesv2::{MemorySes, SendingState};
use ses_monitor::store::MemoryStore;
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
        status: None,
        diagnostic: None,
        suppressed_at: None,
    }
}

async fn seeded() -> MemoryLedger {
    let l = MemoryLedger::default();
    let e = vec![
        // inside the gmail alarm's window (09:40 - 09:45 is the period; look-back 60 min)
        entry("a@gmail.com", "gmail", Offence::HardBounce, "2026-11-26T09:41:00Z"),
        entry("b@gmail.com", "gmail", Offence::Complaint, "2026-11-26T09:20:00Z"),
        entry("c@gmail.com", "gmail", Offence::SoftBounce, "2026-11-26T09:30:00Z"),
        entry("y@yahoo.com", "yahoo", Offence::HardBounce, "2026-11-26T09:42:00Z"),
        // before every window
        entry("old@gmail.com", "gmail", Offence::HardBounce, "2026-11-26T06:00:00Z"),
    ];
    l.record(&e).await.unwrap();
    l
}

const GMAIL: &str = "ses-monitor-hard-bounces-gmail";

#[tokio::test]
async fn every_alarm_sample_gives_its_outcome() {
    let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().unwrap();
    let map: BTreeMap<&str, &str> = [
        ("LEDGER_TABLE", "ledger"),
        ("PAUSE_ON_ALARMS", GMAIL),
        ("CONFIGURATION_SET", "ses-monitor-demo"),
        ("MAX_SUPPRESSIONS", "2"),
    ]
    .into();
    let cfg = SuppressorConfig::from_lookup(|k| map.get(k).map(|v| v.to_string())).unwrap();
    let ledger = seeded().await;
    let ses = MemorySes::default();
    ses.sets
        .lock()
        .unwrap()
        .insert("ses-monitor-demo".into(), SendingState { enabled: true, paused_by: vec![] });
    let alarms = MemoryAlarms::default();
    let store = MemoryStore::default();
    let deps = Deps {
        ledger: &ledger,
        list: &ses,
        sending: &ses,
        alarms: &alarms,
        store: &store,
        partition: "aws",
        region: "us-east-1",
    };
    let read = |f: &str| std::fs::read_to_string(dir().join(f)).unwrap();

    // (file, the gmail alarm's current state, action, suppressed by reason, sending)
    type Row<'a> = (&'a str, AlarmState, &'a str, &'a [(&'a str, usize)], Option<&'a str>);
    let expected: [Row; 5] = [
        (
            "sns-alarm-gmail-hard-bounces.json",
            AlarmState::Alarm,
            "suppressed",
            &[("BOUNCE", 1), ("COMPLAINT", 1)],
            Some("paused:ses-monitor-demo"),
        ),
        // all domains over the last hour (metric math on totals, 1 h period): yahoo's hard bounce;
        // gmail's offenders are already suppressed by the previous notice
        ("direct-alarm-hard-bounce-rate.json", AlarmState::Alarm, "suppressed", &[("BOUNCE", 1)], None),
        ("sns-alarm-not-ours.json", AlarmState::Alarm, "ignored_not_owned", &[], None),
        // the OK resumes because the alarm *is* OK (CloudWatch says so), not because it says so
        (
            "sns-ok-gmail-hard-bounces.json",
            AlarmState::Ok,
            "no_action_for_state",
            &[],
            Some("resumed:ses-monitor-demo"),
        ),
        // the next sweep: nothing pending, the set already as the alarms say
        ("scheduled-sweep.json", AlarmState::Ok, "", &[], None),
    ];
    let listed: BTreeSet<String> = expected
        .iter()
        .map(|e| e.0.to_string())
        .chain(["sns-ses-sending-status-disabled.json".into()])
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listed, on_disk, "every file in events/alarms has one row");

    for (file, current, action, suppressed, sending) in expected {
        alarms.set(GMAIL, current);
        let r = handle(&cfg, &deps, &read(file), now).await.unwrap();
        assert_eq!(r.skipped, 0, "{file}");
        if let Some(sweep) = &r.sweep {
            assert_eq!(sweep.sending.as_deref(), Some("not_paused:ses-monitor-demo"), "{file}");
            assert_eq!(sweep.pending, 0, "{file}");
            continue;
        }
        let a = &r.alarms[0];
        assert_eq!(a.action, action, "{file}");
        let got: Vec<(&str, usize)> = a.suppressed.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(got, suppressed, "{file}");
        assert_eq!(a.sending.as_deref(), sending, "{file}");
    }
    assert_eq!(
        *ses.calls.lock().unwrap(),
        [
            // the set is paused first (holder recorded before the pause), then the offenders
            // suppressed; the resume comes before the holder's tag goes
            "AddHolders ses-monitor-demo [ses-monitor-hard-bounces-gmail]",
            "SetSending ses-monitor-demo false",
            "Suppress b@gmail.com COMPLAINT",
            "Suppress a@gmail.com BOUNCE",
            "Suppress y@yahoo.com BOUNCE",
            "SetSending ses-monitor-demo true",
            "RemoveHolders ses-monitor-demo [ses-monitor-hard-bounces-gmail]",
        ]
    );

    // The SES sending-status event: a warning and a journal entry, nothing else.
    let r = handle(&cfg, &deps, &read("sns-ses-sending-status-disabled.json"), now).await.unwrap();
    assert_eq!((r.skipped, r.alarms.len(), r.sending_status.len()), (0, 0, 1));
    assert!(!r.sending_status[0].enabled);
    // Journal: the three notices of ours (at their state change times), then what was done.
    let kinds: Vec<&str> = store.all_entries().iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds,
        ["alarm", "alarm", "sending_status", "alarm", "paused", "resumed", "suppressed", "suppressed"]
    );
}
