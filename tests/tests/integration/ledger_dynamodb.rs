//! The offender ledger against ministack's DynamoDB, through the real aws-sdk-dynamodb client:
//! `ses_monitor::ledger::DynamoLedger` on a table created as template.yaml declares it
//! ([`create_ledger_table`]). Entries come from SES events parsed by the crate
//! (`SesRecord::from_json(..)?.into_event()` → `ledger::entries_for`), and the raw items are read
//! back with Scan/GetItem to check the layout documented in `shared/src/ledger/mod.rs`.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, NaiveTime, SecondsFormat, SubsecRound, Utc};
use serde_json::{Value, json};
use ses_monitor::ingest::{self, PublishError};
use ses_monitor::ledger::{
    self, BY_DAY_INDEX, DynamoLedger, Ledger, LedgerEntry, LedgerError, LedgerQuery, Offence, RecordReport,
};
use ses_monitor::platform::aws::AwsError;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::ses::domains::DomainClassifier;
use ses_monitor::ses::{EventKind, SesRecord};
use ses_monitor::sink::MemorySink;
use ses_monitor::synth::{self, Generator};
use ses_monitor_tests::{Emulator, RequestLog, create_ledger_table, scan_table};

const TABLE: &str = "ses-monitor-ledger";
const TTL_DAYS: i64 = 14;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Today 00:00 UTC.
fn midnight() -> DateTime<Utc> {
    Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc()
}

/// An SES event-publishing Bounce.
fn bounce(message_id: &str, permanent: bool, at: DateTime<Utc>, recipients: &[&str], tags: Value) -> String {
    let (bt, st) = if permanent { ("Permanent", "General") } else { ("Transient", "MailboxFull") };
    let listed: Vec<Value> =
        recipients.iter().map(|r| json!({"emailAddress": r, "status": "5.1.1"})).collect();
    json!({
        "eventType": "Bounce",
        "mail": {"timestamp": ts(at - Duration::seconds(3)), "messageId": message_id,
                 "source": "news@mail.example.net", "destination": recipients, "tags": tags},
        "bounce": {"bounceType": bt, "bounceSubType": st, "bouncedRecipients": listed,
                   "timestamp": ts(at), "feedbackId": format!("fb-{message_id}")}
    })
    .to_string()
}

/// An SES identity notification (the older `notificationType` shape) for a complaint.
fn complaint(message_id: &str, at: DateTime<Utc>, recipients: &[&str]) -> String {
    let listed: Vec<Value> = recipients.iter().map(|r| json!({"emailAddress": r})).collect();
    json!({
        "notificationType": "Complaint",
        "mail": {"timestamp": ts(at - Duration::minutes(5)), "messageId": message_id,
                 "source": "news@mail.example.net", "destination": recipients},
        "complaint": {"complainedRecipients": listed, "timestamp": ts(at),
                      "feedbackId": format!("fb-{message_id}"), "complaintFeedbackType": "abuse"}
    })
    .to_string()
}

/// The ledger entries of one SES event, through the crate's parser and `entries_for`.
fn entries(json: &str) -> Vec<LedgerEntry> {
    let ev = SesRecord::from_json(json)
        .and_then(SesRecord::into_event)
        .unwrap_or_else(|e| panic!("not an SES event: {e:?}\n{json}"));
    ledger::entries_for(&ev, &DomainClassifier::default())
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_string())
}

async fn get_item(
    client: &aws_sdk_dynamodb::Client,
    e: &LedgerEntry,
) -> Option<HashMap<String, AttributeValue>> {
    client
        .get_item()
        .table_name(TABLE)
        .key("pk", s(&ledger::partition_key(&e.dimension)))
        .key("sk", s(&ledger::sort_key(e)))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem")
        .item()
        .cloned()
}

/// Entries as a query returns them: oldest first (then by recipient), and each entry's tags
/// sorted by name (`from_item` sorts them; `entries_for` keeps the order of `mail.tags`).
fn sorted(mut v: Vec<LedgerEntry>) -> Vec<LedgerEntry> {
    v.sort_by(|a, b| (a.timestamp, &a.recipient).cmp(&(b.timestamp, &b.recipient)));
    for e in &mut v {
        e.tags.sort();
    }
    v
}

/// `got == want`, reporting the length or the first difference only (entries are long).
fn assert_same(got: &[LedgerEntry], want: &[LedgerEntry]) {
    assert_eq!(got.len(), want.len(), "number of entries");
    if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
        panic!("entry {i} differs:\n got {:?}\nwant {:?}", got[i], want[i]);
    }
}

fn window(dimension: Option<&str>, start: DateTime<Utc>, end: DateTime<Utc>) -> LedgerQuery {
    LedgerQuery { dimension: dimension.map(str::to_string), start, end }
}

#[tokio::test]
async fn writes_are_conditional_and_keep_the_suppressed_mark() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let ledger = DynamoLedger::new(client.clone(), TABLE, Duration::days(TTL_DAYS));
    let t0 = midnight() - Duration::hours(3) + Duration::milliseconds(123);

    let mut all = entries(&bounce(
        "m-hard",
        true,
        t0,
        &["\"Ann\" <Ann@Gmail.com>", "bob@corp.example"],
        json!({"Campaign": ["spring"], "EmailType": ["newsletter"], "ses:configuration-set": ["main"]}),
    ));
    all.extend(entries(&bounce("m-soft", false, t0 + Duration::seconds(1), &["carol@yahoo.com"], json!({}))));
    all.extend(entries(&complaint("m-compl", t0 + Duration::seconds(2), &["Dave@Outlook.com"])));
    let delivery = json!({"eventType": "Delivery", "mail": {"messageId": "m-ok", "timestamp": ts(t0)},
        "delivery": {"timestamp": ts(t0), "recipients": ["erin@gmail.com"]}});
    assert!(entries(&delivery.to_string()).is_empty(), "deliveries are not offences");
    assert_eq!(all.len(), 4);

    // First delivery: every entry is new.
    assert_eq!(
        ledger.record(&all).await.unwrap(),
        RecordReport { written: 4, duplicates: 0, expired: 0, untimed: 0 }
    );

    // The items, as documented in shared/src/ledger/mod.rs.
    let items = scan_table(&client, TABLE).await;
    assert_eq!(items.len(), 4);
    let by_sk: BTreeMap<String, &HashMap<String, AttributeValue>> =
        items.iter().map(|i| (i["sk"].as_s().unwrap().clone(), i)).collect();
    let day = format!("DAY#{}", t0.format("%Y-%m-%d"));
    let ann = &by_sk[&format!("{}#HardBounce#m-hard#ann@gmail.com", ts(t0))];
    assert_eq!(ann["pk"], s("D#gmail.com"));
    assert_eq!(ann["gsi1pk"], s(&day));
    assert_eq!(ann["gsi1sk"], ann["sk"]);
    assert_eq!(ann["recipient"], s("ann@gmail.com"));
    assert_eq!(ann["domain"], s("gmail.com"));
    assert_eq!(ann["kind"], s("HardBounce"));
    assert_eq!(ann["subtype"], s("General"));
    assert_eq!(ann["message_id"], s("m-hard"));
    assert_eq!(ann["ts"], s(&ts(t0)));
    // TTL: epoch seconds of the event time + 14 days, as a number.
    assert_eq!(ann["expires_at"], AttributeValue::N((t0 + Duration::days(TTL_DAYS)).timestamp().to_string()));
    let tags = ann["tags"].as_m().unwrap();
    assert_eq!(tags["Campaign"], s("spring"));
    assert_eq!(tags["EmailType"], s("newsletter"));
    assert!(!ann.contains_key("suppressed_at"));
    let bob = &by_sk[&format!("{}#HardBounce#m-hard#bob@corp.example", ts(t0))];
    assert_eq!(bob["pk"], s("D#other"), "untracked domains share the `other` partition");
    assert_eq!(bob["domain"], s("corp.example"));
    let carol = &by_sk[&format!("{}#SoftBounce#m-soft#carol@yahoo.com", ts(t0 + Duration::seconds(1)))];
    assert_eq!(carol["subtype"], s("MailboxFull"));
    assert!(!carol.contains_key("tags"), "no tags, no attribute");
    let dave = &by_sk[&format!("{}#Complaint#m-compl#dave@outlook.com", ts(t0 + Duration::seconds(2)))];
    assert_eq!(dave["pk"], s("D#outlook.com"));
    assert_eq!(dave["subtype"], s("abuse"));
    // Every item reads back as the entry written.
    for e in &all {
        let item = get_item(&client, e).await.expect("written");
        assert_eq!(&ledger::from_item(&item).unwrap(), e);
    }

    // alarm-suppressor marks Ann as suppressed.
    // Stored with millisecond precision.
    let marked_at = Utc::now().trunc_subsecs(3);
    ledger.mark_suppressed(&all[..1], marked_at).await.unwrap();
    let item = get_item(&client, &all[0]).await.unwrap();
    assert_eq!(item["suppressed_at"], s(&ts(marked_at)));

    // A redelivery of the same events writes nothing and keeps the mark.
    assert_eq!(
        ledger.record(&all).await.unwrap(),
        RecordReport { written: 0, duplicates: 4, expired: 0, untimed: 0 }
    );
    let item = get_item(&client, &all[0]).await.unwrap();
    assert_eq!(item["suppressed_at"], s(&ts(marked_at)));
    let ann_back = ledger::from_item(&item).unwrap();
    assert_eq!(ann_back.suppressed_at, Some(marked_at));
    assert_eq!(scan_table(&client, TABLE).await.len(), 4);

    // A batch mixing old and new entries, and the same new entry twice in one call (an SNS batch
    // carrying a message twice): the concurrent conditional puts let exactly one through.
    let new = entries(&bounce("m-new", true, t0 + Duration::seconds(9), &["frank@gmail.com"], json!({})));
    let mut mixed = all.clone();
    mixed.extend(new.iter().cloned());
    mixed.extend(new.iter().cloned());
    assert_eq!(
        ledger.record(&mixed).await.unwrap(),
        RecordReport { written: 1, duplicates: 5, expired: 0, untimed: 0 }
    );
    assert_eq!(scan_table(&client, TABLE).await.len(), 5);

    // Marking an entry that is not there (expired meanwhile) is not an error and creates nothing.
    let ghost = entries(&bounce("m-ghost", true, t0, &["ghost@gmail.com"], json!({})));
    ledger.mark_suppressed(&ghost, marked_at).await.unwrap();
    assert!(get_item(&client, &ghost[0]).await.is_none());
    assert_eq!(scan_table(&client, TABLE).await.len(), 5);

    // The marks are visible through queries.
    let found = ledger.query(&window(Some("gmail.com"), t0, t0 + Duration::minutes(1))).await.unwrap();
    let marks: Vec<(&str, bool)> =
        found.iter().map(|e| (e.recipient.as_str(), e.suppressed_at.is_some())).collect();
    assert_eq!(marks, [("ann@gmail.com", true), ("frank@gmail.com", false)]);

    // The TTL follows the ledger's setting (LEDGER_TTL_DAYS).
    let short = DynamoLedger::new(client.clone(), TABLE, Duration::days(3));
    let e = entries(&bounce("m-ttl", true, t0, &["gina@gmail.com"], json!({})));
    assert_eq!(
        short.record(&e).await.unwrap(),
        RecordReport { written: 1, duplicates: 0, expired: 0, untimed: 0 }
    );
    let item = get_item(&client, &e[0]).await.unwrap();
    assert_eq!(item["expires_at"], AttributeValue::N((t0 + Duration::days(3)).timestamp().to_string()));
}

#[tokio::test]
async fn window_queries_by_domain_and_across_midnight() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let ledger = DynamoLedger::new(client, TABLE, Duration::days(TTL_DAYS));
    let m = midnight();
    let sec = Duration::seconds;
    let events = [
        bounce("a", true, m - Duration::hours(12), &["a@gmail.com"], json!({})),
        bounce("b", true, m - sec(30), &["b@gmail.com"], json!({})),
        bounce("c", false, m - Duration::milliseconds(1), &["c@yahoo.com"], json!({})),
        complaint("d", m, &["d1@gmail.com", "d2@yahoo.com"]),
        bounce("e", true, m + sec(45), &["e@example.org"], json!({})),
        bounce("f", true, m + Duration::hours(2), &["f@gmail.com"], json!({})),
        bounce("g", true, m + sec(30), &["g@yahoo.com"], json!({})),
    ];
    let all: Vec<LedgerEntry> = events.iter().flat_map(|e| entries(e)).collect();
    assert_eq!(
        ledger.record(&all).await.unwrap(),
        RecordReport { written: 8, duplicates: 0, expired: 0, untimed: 0 }
    );
    let pick = |ids: &[&str]| -> Vec<LedgerEntry> {
        sorted(all.iter().filter(|e| ids.iter().any(|id| e.recipient.starts_with(id))).cloned().collect())
    };
    let q = |d: Option<&str>, a: DateTime<Utc>, b: DateTime<Utc>| {
        let ledger = &ledger;
        let query = window(d, a, b);
        async move { ledger.query(&query).await.unwrap() }
    };

    // One domain (the base table's partition), across midnight.
    assert_eq!(q(Some("gmail.com"), m - sec(60), m + sec(60)).await, pick(&["b", "d1"]));
    assert_eq!(q(Some("yahoo.com"), m - sec(60), m + sec(60)).await, pick(&["c", "d2", "g"]));
    assert_eq!(q(Some("other"), m - sec(60), m + sec(60)).await, pick(&["e"]));
    assert!(q(Some("hotmail.com"), m - sec(60), m + sec(60)).await.is_empty());
    // All domains (the by-day index: one query per day touched), oldest first; entries of the
    // same instant ordered by recipient.
    assert_eq!(q(None, m - sec(60), m + sec(60)).await, pick(&["b", "c", "d1", "d2", "g", "e"]));
    // Both ends are inclusive, to the millisecond.
    assert_eq!(q(None, m - sec(30), m + sec(45)).await, pick(&["b", "c", "d1", "d2", "g", "e"]));
    let ms = Duration::milliseconds(1);
    assert_eq!(q(None, m - sec(30) + ms, m + sec(45) - ms).await, pick(&["c", "d1", "d2", "g"]));
    assert_eq!(q(None, m - ms, m - ms).await, pick(&["c"]));
    assert_eq!(q(Some("gmail.com"), m, m).await, pick(&["d1"]));
    // A window inside the previous day, and one over three days (the first has no items).
    assert_eq!(q(None, m - Duration::hours(13), m - sec(1)).await, pick(&["a", "b"]));
    assert_eq!(q(None, m - Duration::hours(30), m + Duration::hours(20)).await, sorted(all.clone()));
    assert_eq!(q(Some("gmail.com"), m - Duration::hours(30), m + Duration::hours(20)).await.len(), 4);
}

/// The number of items in each page of a plain Query (no `Limit`) on one partition.
async fn query_pages(
    client: &aws_sdk_dynamodb::Client,
    index: Option<&str>,
    attr: &str,
    key: &str,
) -> Vec<usize> {
    let mut pages = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name(TABLE)
            .set_index_name(index.map(str::to_string))
            .key_condition_expression(format!("{attr} = :p"))
            .expression_attribute_values(":p", s(key))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("Query");
        pages.push(out.items().len());
        match out.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return pages,
        }
    }
}

/// A Query page holds at most 1 MB; the ledger follows `LastEvaluatedKey` (it sets no `Limit`).
#[tokio::test]
async fn queries_follow_pages_past_one_megabyte() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let ledger = DynamoLedger::new(client.clone(), TABLE, Duration::days(TTL_DAYS));
    // 25 bounce events of 100 recipients each, all at gmail.com on one day, with long tags:
    // 2500 items of about 1.4 KB, about 3.5 MB in one partition of the table and of the index.
    let m = midnight();
    let long = |k: &str| json!([format!("{k}-{}", "x".repeat(200))]);
    let tags = json!({"Campaign": long("c"), "EmailType": long("e"), "Audience": long("a"),
        "Template": long("t"), "Segment": long("s")});
    let mut all = Vec::new();
    for i in 0..25 {
        let recipients: Vec<String> = (0..100).map(|j| format!("user{i:02}-{j:03}@gmail.com")).collect();
        let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        all.extend(entries(&bounce(
            &format!("m-{i:02}"),
            true,
            m + Duration::seconds(i),
            &refs,
            tags.clone(),
        )));
    }
    assert_eq!(all.len(), 2500);
    let started = std::time::Instant::now();
    assert_eq!(
        ledger.record(&all).await.unwrap(),
        RecordReport { written: 2500, duplicates: 0, expired: 0, untimed: 0 }
    );
    eprintln!("2500 conditional puts: {:?}", started.elapsed());

    // ministack pages as DynamoDB does (1 MB of items read per page).
    let base_pages = query_pages(&client, None, "pk", "D#gmail.com").await;
    let day = format!("DAY#{}", m.format("%Y-%m-%d"));
    let index_pages = query_pages(&client, Some(BY_DAY_INDEX), "gsi1pk", &day).await;
    eprintln!("items per page: table {base_pages:?}, index {index_pages:?}");
    assert!(base_pages.len() >= 3, "{base_pages:?}");
    assert!(index_pages.len() >= 3, "{index_pages:?}");
    assert_eq!(base_pages.iter().sum::<usize>(), 2500);
    assert_eq!(index_pages.iter().sum::<usize>(), 2500);

    // The ledger reads every page: as many Query requests as pages, every entry once.
    let log = RequestLog::new();
    let conf = aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(log.clone()).build();
    let logged = DynamoLedger::new(aws_sdk_dynamodb::Client::from_conf(conf), TABLE, Duration::days(14));
    let expected = sorted(all);
    let one_domain = logged.query(&window(Some("gmail.com"), m, m + Duration::minutes(1))).await.unwrap();
    assert_same(&one_domain, &expected);
    let queries = |log: &RequestLog| {
        log.requests().iter().filter(|r| r.target.as_deref() == Some("DynamoDB_20120810.Query")).count()
    };
    assert_eq!(queries(&log), base_pages.len());
    let every_domain = logged.query(&window(None, m, m + Duration::minutes(1))).await.unwrap();
    assert_same(&every_domain, &expected);
    assert_eq!(queries(&log), base_pages.len() + index_pages.len());
}

fn ledger_config(table: &str) -> IngestConfig {
    IngestConfig::from_map(&HashMap::from([("LEDGER_TABLE".to_string(), table.to_string())]))
        .expect("valid configuration")
}

/// ses-events' whole invocation with the ledger: a redelivered payload (by SNS again, or through
/// SQS, later) is counted as duplicates and writes nothing.
#[tokio::test]
async fn ingest_writes_each_offender_once() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let client = create_ledger_table(&sdk, TABLE).await;
    let ledger = DynamoLedger::new(client.clone(), TABLE, Duration::days(TTL_DAYS));
    let cfg = ledger_config(TABLE);
    let now = Utc::now();
    let domains =
        vec![("gmail.com".to_string(), 0.5), ("yahoo.com".into(), 0.3), ("example.org".into(), 0.2)];
    let mix = vec![
        (EventKind::Send, 1.0),
        (EventKind::Delivery, 1.0),
        (EventKind::Bounce, 1.0),
        (EventKind::Complaint, 0.5),
    ];
    let mut generator = Generator::with_mix(11, domains, mix).hard_bounce_share(0.6);
    let specs: Vec<_> = (0..200).map(|i| generator.next_spec(now - Duration::seconds(i))).collect();
    let messages: Vec<String> = specs.iter().map(synth::ses_json).collect();
    let offenders =
        specs.iter().filter(|s| matches!(s.kind, EventKind::Bounce | EventKind::Complaint)).count();
    let hard = specs.iter().filter(|s| s.kind == EventKind::Bounce && s.hard_bounce).count();
    let soft = specs.iter().filter(|s| s.kind == EventKind::Bounce && !s.hard_bounce).count();
    assert!(hard > 10 && soft > 10 && offenders > hard + soft + 10, "{hard} {soft} {offenders}");
    let sink = MemorySink::default();

    let payload = synth::sns_lambda_event(&messages, now);
    let first = ingest::handle_with_ledger(&cfg, &sink, &ledger, &payload, now).await.unwrap();
    assert_eq!(first.events, 200, "{:?}", first.skip_reasons);
    assert_eq!(
        first.ledger,
        Some(RecordReport { written: offenders, duplicates: 0, expired: 0, untimed: 0 })
    );

    let again = ingest::handle_with_ledger(&cfg, &sink, &ledger, &payload, now).await.unwrap();
    assert_eq!(
        again.ledger,
        Some(RecordReport { written: 0, duplicates: offenders, expired: 0, untimed: 0 })
    );
    let later = now + Duration::minutes(7);
    let via_sqs = synth::sqs_lambda_event(&messages, false, later);
    let replay = ingest::handle_with_ledger(&cfg, &sink, &ledger, &via_sqs, later).await.unwrap();
    assert_eq!(
        replay.ledger,
        Some(RecordReport { written: 0, duplicates: offenders, expired: 0, untimed: 0 })
    );
    assert_eq!(sink.batches().len(), 3, "metrics are published every time (they are not idempotent)");

    // What the table holds: one entry per offending recipient, with its kind.
    assert_eq!(scan_table(&client, TABLE).await.len(), offenders);
    let stored = ledger.query(&window(None, now - Duration::minutes(5), now)).await.unwrap();
    assert_eq!(stored.len(), offenders);
    let count = |k: Offence| stored.iter().filter(|e| e.kind == k).count();
    assert_eq!((count(Offence::HardBounce), count(Offence::SoftBounce)), (hard, soft));
    assert_eq!(count(Offence::Complaint), offenders - hard - soft);
    let mut want: Vec<&str> = specs
        .iter()
        .filter(|s| matches!(s.kind, EventKind::Bounce | EventKind::Complaint))
        .map(|s| s.recipient.as_str())
        .collect();
    let mut got: Vec<&str> = stored.iter().map(|e| e.recipient.as_str()).collect();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    let other = stored.iter().filter(|e| e.domain == "example.org").count();
    assert!(other > 0);
    assert_eq!(stored.iter().filter(|e| e.dimension == "other").count(), other);
}

/// A ledger that cannot be written fails the invocation (so Lambda retries it), before any
/// metric is published.
#[tokio::test]
async fn ledger_failure_fails_the_invocation() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let ledger = DynamoLedger::new(aws_sdk_dynamodb::Client::new(&sdk), "no-such-table", Duration::days(14));
    let cfg = ledger_config("no-such-table");
    let now = Utc::now();
    let messages =
        [bounce("m-1", true, now, &["a@gmail.com"], json!({})), complaint("m-2", now, &["b@yahoo.com"])];
    let sink = MemorySink::default();
    let err = ingest::handle_with_ledger(&cfg, &sink, &ledger, &synth::sns_lambda_event(&messages, now), now)
        .await
        .expect_err("the table does not exist");
    match &err {
        PublishError::Ledger(LedgerError::Aws(AwsError { op, message, .. })) => {
            assert_eq!(*op, "PutItem");
            assert!(message.starts_with("ResourceNotFoundException"), "{message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(sink.batches().is_empty(), "nothing published when the ledger failed");
    let q = ledger.query(&window(None, now - Duration::hours(1), now)).await;
    assert!(matches!(q, Err(LedgerError::Aws(AwsError { op: "Query", .. }))), "{q:?}");
}
