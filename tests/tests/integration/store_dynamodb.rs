//! alarm-suppressor's own items in the ledger table (`ses_monitor::store::DynamoStore`) against
//! the emulator's DynamoDB, through the real SDK client: the journal (idempotent writes, a time
//! window read back across days), the pause lease (conditional acquire, expiry, release by the
//! owner only) and pending work; none of them appears in the ledger's `by-day` index or in a
//! ledger query.

use chrono::{DateTime, Duration, Utc};
use ses_monitor::ledger::{DynamoLedger, Ledger, LedgerQuery};
use ses_monitor::store::{
    DynamoStore, Journal, JournalEntry, JournalEvent, LeaseLock, LeaseRequest, MemoryStore,
    PendingSuppression, PendingWork,
};
use ses_monitor_tests::{Emulator, create_ledger_table, scan_table};

const TABLE: &str = "ses-monitor-ledger";

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339")
}

fn entry(at: DateTime<Utc>, id: &str, event: JournalEvent) -> JournalEntry {
    JournalEntry { at, id: id.into(), event }
}

fn journal_sample(now: DateTime<Utc>) -> Vec<JournalEntry> {
    let yesterday = now - Duration::days(1);
    vec![
        entry(
            yesterday,
            "n1",
            JournalEvent::Alarm {
                alarm: "ses-monitor-bounce-rate".into(),
                state: "ALARM".into(),
                previous_state: Some("OK".into()),
                action: "suppressed".into(),
            },
        ),
        entry(
            yesterday + Duration::minutes(1),
            "p1",
            JournalEvent::Paused {
                configuration_set: "main".into(),
                alarms: vec!["ses-monitor-bounce-rate".into()],
            },
        ),
        entry(
            now - Duration::hours(1),
            "s1",
            JournalEvent::Suppressed {
                alarm: "ses-monitor-bounce-rate".into(),
                by_reason: [("BOUNCE".to_string(), 3)].into(),
                by_domain: [("gmail.com".to_string(), 2), ("yahoo.com".to_string(), 1)].into(),
                failed: 0,
                left_over: 0,
            },
        ),
        entry(
            now - Duration::minutes(5),
            "e1",
            JournalEvent::SendingStatus {
                enabled: false,
                status: "DISABLED".into(),
                resources: vec!["arn:aws:ses:us-east-1:000000000000:tenant/a/tn-1".into()],
                origin: Some("AWS_MANAGED".into()),
                cause: None,
            },
        ),
    ]
}

#[tokio::test]
async fn journal_is_idempotent_and_read_back_by_window() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let store = DynamoStore::new(client.clone(), TABLE);
    let memory = MemoryStore::default();
    let now = Utc::now();
    let sample = journal_sample(now);
    for e in &sample {
        assert!(store.record(e).await.expect("PutItem"), "{e:?}");
        assert!(
            !store.record(e).await.expect("PutItem again"),
            "a second write of the same key writes nothing"
        );
        memory.record(e).await.unwrap();
    }
    // The window across two days, and a narrower one; the same as the in-memory journal.
    let all = store.entries(now - Duration::days(2), now).await.expect("Query");
    assert_eq!(all, sample);
    assert_eq!(all, memory.entries(now - Duration::days(2), now).await.unwrap());
    let last_hours = store.entries(now - Duration::hours(2), now).await.expect("Query");
    assert_eq!(last_hours, sample[2..]);
    assert!(store.entries(now + Duration::minutes(1), now + Duration::hours(1)).await.unwrap().is_empty());
    assert!(
        store.entries(now - Duration::days(500), now).await.is_err(),
        "a window over 400 days is refused"
    );

    // The items: TTL 35 days after the entry, no `by-day` index key, and out of the ledger's way.
    let items = scan_table(&client, TABLE).await;
    assert_eq!(items.len(), sample.len());
    for i in &items {
        assert!(i["pk"].as_s().unwrap().starts_with("J#"));
        assert!(!i.contains_key("gsi1pk"), "not in the by-day index");
        let data: JournalEntry = serde_json::from_str(i["data"].as_s().unwrap()).unwrap();
        let ttl: i64 = i["expires_at"].as_n().unwrap().parse().unwrap();
        assert_eq!(ttl, (data.at + Duration::days(35)).timestamp());
    }
    let ledger = DynamoLedger::reader(client, TABLE);
    let q = LedgerQuery { dimension: None, start: now - Duration::days(2), end: now };
    assert!(ledger.query(&q).await.expect("ledger query").is_empty(), "journal items are no ledger entries");
}

#[tokio::test]
async fn the_lease_is_exclusive_until_released_or_expired() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let store = DynamoStore::new(client.clone(), TABLE);
    let now = t("2026-11-27T10:00:00Z");
    let lease = Duration::seconds(60);
    let req = |name, owner, now| LeaseRequest { name, owner, now, lease };
    assert!(store.try_acquire(req("pause", "a", now)).await.expect("acquire"));
    assert!(!store.try_acquire(req("pause", "b", now + Duration::seconds(30))).await.expect("held"));
    assert!(
        !store.try_acquire(req("pause", "b", now + Duration::seconds(60))).await.expect("not yet expired")
    );
    assert!(store.try_acquire(req("other", "b", now)).await.expect("another name"), "leases are per name");
    assert!(!store.release("pause", "b").await.expect("release"), "only the owner releases");
    assert!(store.release("pause", "a").await.expect("release"));
    assert!(store.try_acquire(req("pause", "b", now)).await.expect("free again"));
    // b crashes: its lease expires, c takes it over, and b's late release does nothing to c's.
    assert!(store.try_acquire(req("pause", "c", now + Duration::seconds(61))).await.expect("expired"));
    assert!(!store.release("pause", "b").await.expect("late release"));
    let items = scan_table(&client, TABLE).await;
    let pause = items.iter().find(|i| i["pk"].as_s().unwrap() == "LOCK#pause").expect("the lease item");
    assert_eq!(pause["lock_owner"].as_s().unwrap(), "c");
    assert_eq!(pause["expires_at"].as_n().unwrap(), &(now + Duration::seconds(121)).timestamp().to_string());

    // Concurrent acquires: exactly one wins.
    let later = now + Duration::hours(1);
    let owners: Vec<String> = (0..8).map(|i| format!("o{i}")).collect();
    let results =
        futures_util::future::join_all(owners.iter().map(|o| store.try_acquire(req("race", o, later)))).await;
    let won = results.into_iter().map(|r| r.expect("acquire")).filter(|w| *w).count();
    assert_eq!(won, 1);
}

#[tokio::test]
async fn pending_work_is_kept_replaced_and_removed() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let store = DynamoStore::new(client, TABLE);
    let work = |alarm: &str, left: usize| PendingSuppression {
        alarm: alarm.into(),
        start: t("2026-11-27T08:45:00Z"),
        end: t("2026-11-27T09:46:00Z"),
        recipient_domains: vec!["aol.com".into(), "yahoo.com".into()],
        tags: vec![("Campaign".into(), vec!["spring".into()])],
        left_over: left,
    };
    assert!(store.pending().await.expect("Query").is_empty());
    store.put_pending(&work("a", 10)).await.expect("PutItem");
    store.put_pending(&work("b", 3)).await.expect("PutItem");
    store.put_pending(&work("a", 5)).await.expect("PutItem replaces");
    let mut got = store.pending().await.expect("Query");
    got.sort_by(|x, y| x.alarm.cmp(&y.alarm));
    assert_eq!(got, [work("a", 5), work("b", 3)]);
    store.remove_pending(&work("a", 5)).await.expect("DeleteItem");
    assert_eq!(store.pending().await.expect("Query"), [work("b", 3)]);
}
