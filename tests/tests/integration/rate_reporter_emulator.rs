//! rate-reporter against the local emulator, through its real clients: Custom/SES data points
//! seeded by ses-events' own `api` sink at times inside and outside the window, the report read
//! back with ListMetrics / GetMetricData, and the email sent with SESv2 SendEmail (ministack keeps
//! sent mail for inspection).

use chrono::{DateTime, Duration, Utc};
use ses_monitor::ingest;
use ses_monitor::ledger::DynamoLedger;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::report::activity::LedgerActivity;
use ses_monitor::report::reasons::Reason;
use ses_monitor::report::source::CloudWatchSource;
use ses_monitor::report::stats::Status;
use ses_monitor::report::{self, ReporterConfig};
use ses_monitor::ses::EventKind;
use ses_monitor::sesv2::SesV2;
use ses_monitor::sink::cloudwatch::CloudWatchSink;
use ses_monitor::store::DynamoStore;
use ses_monitor::synth::{EventSpec, ses_json};
use ses_monitor_tests::Emulator;

/// `n` events of one kind for `domain` at `time`.
fn events(
    kind: EventKind,
    domain: &str,
    n: usize,
    time: DateTime<Utc>,
    hard: bool,
    seq: &mut u64,
) -> Vec<String> {
    (0..n)
        .map(|i| {
            *seq += 1;
            ses_json(&EventSpec {
                kind,
                recipient: format!("user{i}@{domain}"),
                time,
                hard_bounce: hard,
                email_type: "newsletter",
                campaign: "c1".into(),
                latency_ms: 1500,
                seq: *seq,
            })
        })
        .collect()
}

#[tokio::test]
async fn report_numbers_match_what_was_sent_and_the_email_goes_out() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let now = Utc::now();
    let day = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc() - Duration::days(1);
    let in_window = day + Duration::hours(10);
    let in_baseline = day - Duration::days(3);
    let too_old = day - Duration::days(10);
    let after = now - Duration::minutes(2);

    let mut seq = 0;
    let mut all = Vec::new();
    use EventKind::*;
    // inside the window
    all.extend(events(Send, "gmail.com", 200, in_window, false, &mut seq));
    all.extend(events(Delivery, "gmail.com", 180, in_window, false, &mut seq));
    all.extend(events(Bounce, "gmail.com", 16, in_window, true, &mut seq));
    all.extend(events(Bounce, "gmail.com", 4, in_window, false, &mut seq));
    all.extend(events(Send, "yahoo.com", 100, in_window, false, &mut seq));
    all.extend(events(Delivery, "yahoo.com", 99, in_window, false, &mut seq));
    all.extend(events(Complaint, "yahoo.com", 1, in_window, false, &mut seq));
    all.extend(events(Open, "yahoo.com", 30, in_window, false, &mut seq));
    // outside it: the baseline (3 days before), older than the baseline, and today
    all.extend(events(Send, "gmail.com", 700, in_baseline, false, &mut seq));
    all.extend(events(Bounce, "gmail.com", 7, in_baseline, true, &mut seq));
    all.extend(events(Send, "gmail.com", 30, too_old, false, &mut seq));
    all.extend(events(Send, "gmail.com", 50, after, false, &mut seq));
    all.extend(events(Bounce, "yahoo.com", 9, after, true, &mut seq));

    // Every metric per domain (the report reads bounces and opens too), one value per domain.
    let icfg = IngestConfig::from_lookup(|k| match k {
        "METRICS_SINK" => Some("api".into()),
        "DOMAIN_METRICS" => Some("all".into()),
        "DOMAIN_GROUPING" => Some("domain".into()),
        "LEDGER_TABLE" => Some("ledger".into()),
        _ => None,
    })
    .unwrap();
    let sink = CloudWatchSink::new(aws_sdk_cloudwatch::Client::new(&sdk));
    // the offender ledger too: the report's bounce reasons are read back from DynamoDB
    let dynamo = ses_monitor_tests::create_ledger_table(&sdk, "ledger").await;
    let ledger = DynamoLedger::new(dynamo.clone(), "ledger", Duration::days(14));
    let s = ingest::handle_with_ledger(&icfg, &sink, &ledger, &all.join("\n"), now)
        .await
        .expect("seeding through the api sink");
    assert_eq!(s.events as usize, all.len());
    assert_eq!(s.clamped_timestamps, 0);

    let ses = aws_sdk_sesv2::Client::new(&sdk);
    ses.create_email_identity().email_identity("reports@example.net").send().await.expect("identity");
    let cfg = ReporterConfig::from_lookup(|k| match k {
        "REPORT_SENDER" => Some("reports@example.net".into()),
        "REPORT_RECIPIENTS" => Some("ops@example.net,deliverability@example.net".into()),
        _ => None,
    })
    .unwrap();
    let source = CloudWatchSource::new(aws_sdk_cloudwatch::Client::new(&sdk));
    let activity = LedgerActivity {
        ledger: DynamoLedger::reader(dynamo.clone(), "ledger"),
        journal: DynamoStore::new(dynamo, "ledger"),
    };
    let r = report::handle(&cfg, &source, &activity, &SesV2::new(ses), "{}", now).await.expect("report");
    let report = &r.report;

    assert_eq!((report.start, report.end), (day, day + Duration::days(1)));
    let row = |d: &str| report.domains.iter().find(|r| r.domain == d).unwrap_or_else(|| panic!("{d} row"));
    let gmail = row("gmail.com");
    assert_eq!(gmail.counts.sends, 200.0);
    assert_eq!(gmail.counts.deliveries, 180.0);
    assert_eq!(gmail.counts.bounces, 20.0);
    assert_eq!(gmail.counts.hard_bounces, 16.0);
    assert_eq!(gmail.counts.soft_bounces, 4.0);
    // 16 of 200 (8%): the interval's low ≈ 5.0% … check against the same maths
    let (low, _) = ses_monitor::report::stats::wilson(16.0, 200.0, ses_monitor::report::stats::Z95);
    assert_eq!(gmail.hard_bounce_rate.low, low);
    assert!(low > 0.02 && low < 0.05, "{low}");
    assert_eq!(gmail.status, Status::Watch);
    // baseline: 700 sends over the 7 days before (the 10-day-old ones are outside it)
    assert!(
        (gmail.volume_vs_baseline.unwrap() - 200.0 / 100.0).abs() < 1e-9,
        "{:?}",
        gmail.volume_vs_baseline
    );
    assert!((gmail.hard_bounce_change_pp.unwrap() - (8.0 - 1.0)).abs() < 1e-9);
    let yahoo = row("yahoo.com");
    assert_eq!((yahoo.counts.sends, yahoo.counts.complaints, yahoo.counts.opens), (100.0, 1.0, 30.0));
    assert_eq!(yahoo.counts.hard_bounces, 0.0, "today's bounces are outside the window");
    assert_eq!(report.total.counts.sends, 300.0);
    assert_eq!(report.total.counts.hard_bounces, 16.0);
    // yahoo.com: 1 complaint in 100 sends, the interval's low (0.18%) is over WARN's 0.1%;
    // gmail.com's hard-bounce low sits just under WARN's 5% → WATCH: the riskier one comes first
    assert_eq!(yahoo.status, Status::Warn);
    assert_eq!(report.domains[0].domain, "yahoo.com", "riskiest first");
    assert_eq!(report.status, Status::Warn);
    // why: the flagged domains' reasons, from the ledger (the generator's hard-bounce replies:
    // 5.1.1 unknown user, 5.7.1 policy, 5.1.2 no such domain; soft: 4.2.2 mailbox full), in
    // the window only (today's yahoo.com bounces are not in it)
    let activity = report.activity.as_ref().expect("a ledger table");
    let why = activity.reasons.get("gmail.com").unwrap_or_else(|| panic!("gmail.com reasons: {activity:?}"));
    assert_eq!(why.hard_bounces.iter().map(|(_, n)| n).sum::<usize>(), 16, "{why:?}");
    assert!(why.hard_bounces.iter().any(|(r, _)| *r == Reason::UnknownUser), "{why:?}");
    assert_eq!(why.soft_bounces, vec![(Reason::MailboxFull, 4)]);
    assert_eq!(activity.reasons["yahoo.com"].complaints, vec![("abuse".to_string(), 1)]);
    assert!(activity.long_tail.is_empty(), "every domain is tracked here");
    assert_eq!(activity.actions.as_ref().map(|a| a.events.len()), Some(0), "an empty journal");

    // the email, as the emulator received it
    assert!(r.email.sent);
    let sent = emu.sent_emails();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m["Source"], "reports@example.net");
    let to: Vec<&str> = m["To"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(to, ["ops@example.net", "deliverability@example.net"]);
    let subject = m["Subject"].as_str().unwrap();
    assert_eq!(subject, r.email.subject);
    assert!(
        subject.starts_with("[WARN]")
            && subject.contains("300 sent")
            && subject.contains("16 hard bounces (5.33%)"),
        "{subject}"
    );
    assert!(m["BodyHtml"].as_str().unwrap().contains("gmail.com"));
    assert!(m["BodyText"].as_str().unwrap().contains("yahoo.com"));
}
