//! Synthetic SES traffic, shaped like what SES really publishes, for benchmarks, load tests and
//! the demo. Deterministic: the same seed gives the same events.
//!
//! Each generated event has the full event-publishing layout (mail with headers, commonHeaders
//! and `ses:*` tags, and the type's own object), so parsing cost is realistic.

use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Timelike, Utc};
use serde_json::{Value, json};

use crate::ses::EventKind;

mod sender;

pub use sender::{B2C_PROVIDER_DOMAINS, HOURLY_SHAPE, SenderProfile, SenderTraffic, sender_traffic};

/// A small, fast, deterministic PRNG (xorshift64*), so no random-number crate is needed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed constant).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed })
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[0, n)`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `len` of `parts` drawn at random, one after the other (texts for tests that compare two
    /// readings of the same input).
    pub fn text(&mut self, parts: &[&str], len: usize) -> String {
        (0..len).map(|_| parts[self.below(parts.len() as u64) as usize]).collect()
    }
}

/// Recipient domains with their share of traffic: ten domains, the big providers plus two
/// business domains that are not tracked by default (they publish as `other`).
pub const DEFAULT_DOMAINS: &[(&str, f64)] = &[
    ("gmail.com", 0.34),
    ("yahoo.com", 0.12),
    ("outlook.com", 0.10),
    ("hotmail.com", 0.08),
    ("icloud.com", 0.08),
    ("aol.com", 0.04),
    ("gmx.de", 0.06),
    ("web.de", 0.04),
    ("example.org", 0.08),
    ("corp.example.com", 0.06),
];

/// Share of each event type in a realistic stream, per message sent: every message has a Send,
/// most a Delivery, a few bounce, opens are common, complaints rare.
pub const DEFAULT_MIX: &[(EventKind, f64)] = &[
    (EventKind::Send, 1.0),
    (EventKind::Delivery, 0.95),
    (EventKind::Bounce, 0.012),
    (EventKind::Complaint, 0.0003),
    (EventKind::Reject, 0.001),
    (EventKind::Open, 0.25),
    (EventKind::Click, 0.04),
    (EventKind::RenderingFailure, 0.001),
    (EventKind::DeliveryDelay, 0.01),
    (EventKind::Subscription, 0.002),
];

/// What one generated event should be.
#[derive(Debug, Clone)]
pub struct EventSpec {
    /// Event type.
    pub kind: EventKind,
    /// Recipient address.
    pub recipient: String,
    /// Event time. `mail.timestamp` (when SES accepted the message) is two seconds earlier, so a
    /// Send — which has no time of its own — counts at `time − 2 s`.
    pub time: DateTime<Utc>,
    /// For bounces: permanent (hard) or transient (soft).
    pub hard_bounce: bool,
    /// `EmailType` tag value.
    pub email_type: &'static str,
    /// `Campaign` tag value.
    pub campaign: String,
    /// Delivery latency in ms (deliveries).
    pub latency_ms: u64,
    /// Sequence number, used in ids.
    pub seq: u64,
}

/// Draws event specs from a domain mix and an event-type mix.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    domains: Vec<(String, f64)>,
    mix: Vec<(EventKind, f64)>,
    hard_bounce_share: f64,
    seq: u64,
}

impl Generator {
    /// A generator over [`DEFAULT_DOMAINS`] and [`DEFAULT_MIX`].
    pub fn new(seed: u64) -> Self {
        Self::with_mix(
            seed,
            DEFAULT_DOMAINS.iter().map(|(d, w)| (d.to_string(), *w)).collect(),
            DEFAULT_MIX.to_vec(),
        )
    }

    /// A generator over the given weights (they need not sum to 1).
    pub fn with_mix(seed: u64, domains: Vec<(String, f64)>, mix: Vec<(EventKind, f64)>) -> Self {
        Self { rng: Rng::new(seed), domains, mix, hard_bounce_share: 0.7, seq: 0 }
    }

    /// Sets the share of bounces that are permanent.
    pub fn hard_bounce_share(mut self, share: f64) -> Self {
        self.hard_bounce_share = share;
        self
    }

    fn pick<T: Clone>(rng: &mut Rng, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, w)| w).sum();
        let mut x = rng.unit() * total;
        for (item, w) in items {
            if x < *w {
                return item.clone();
            }
            x -= w;
        }
        items.last().expect("non-empty mix").0.clone()
    }

    /// The next event, at `time`.
    pub fn next_spec(&mut self, time: DateTime<Utc>) -> EventSpec {
        self.seq += 1;
        let kind = Self::pick(&mut self.rng, &self.mix);
        let domain = Self::pick(&mut self.rng, &self.domains);
        let user = self.rng.below(50_000);
        let email_type = ["newsletter", "transactional", "welcome"][self.rng.below(3) as usize];
        EventSpec {
            kind,
            recipient: format!("user{user}@{domain}"),
            time,
            hard_bounce: self.rng.unit() < self.hard_bounce_share,
            email_type,
            campaign: format!("spring-{}", self.rng.below(4)),
            latency_ms: 200 + self.rng.below(4000) + if self.rng.below(20) == 0 { 30_000 } else { 0 },
            seq: self.seq,
        }
    }

    /// The next event as SES JSON.
    pub fn next_json(&mut self, time: DateTime<Utc>) -> String {
        ses_json(&self.next_spec(time))
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The SES event-publishing JSON of one event.
pub fn ses_json(s: &EventSpec) -> String {
    ses_value(s).to_string()
}

/// The SES event-publishing JSON of one event, as a value.
pub fn ses_value(s: &EventSpec) -> Value {
    let message_id = format!(
        "0100018c{:08x}-{:08x}-4b2e-9c1a-5f6d7e8a9b0c-000000",
        s.seq,
        s.seq.wrapping_mul(2654435761) as u32
    );
    let sent = s.time - Duration::seconds(2);
    let mail = json!({
        "timestamp": ts(sent),
        "source": "News <news@mail.example.net>",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/mail.example.net",
        "sendingAccountId": "123456789012",
        "messageId": message_id,
        "destination": [s.recipient],
        "headersTruncated": false,
        "headers": [
            {"name": "From", "value": "News <news@mail.example.net>"},
            {"name": "To", "value": s.recipient},
            {"name": "Subject", "value": "Your weekly digest"},
            {"name": "MIME-Version", "value": "1.0"},
            {"name": "Content-Type", "value": "multipart/alternative; boundary=\"----=_Part_7_1234567.1700000000000\""},
            {"name": "List-Unsubscribe", "value": "<https://mail.example.net/u/abc123>"}
        ],
        "commonHeaders": {
            "from": ["News <news@mail.example.net>"],
            "to": [s.recipient],
            "messageId": message_id,
            "subject": "Your weekly digest"
        },
        "tags": {
            "ses:configuration-set": ["ses-monitor"],
            "ses:source-ip": ["192.0.2.10"],
            "ses:from-domain": ["mail.example.net"],
            "ses:caller-identity": ["mailer"],
            "ses:outgoing-ip": ["198.51.100.7"],
            "EmailType": [s.email_type],
            "Campaign": [s.campaign]
        }
    });
    let t = ts(s.time);
    let (event_type, key, detail) = match s.kind {
        EventKind::Send => ("Send", "send", json!({})),
        EventKind::Delivery => (
            "Delivery",
            "delivery",
            json!({
                "timestamp": t, "processingTimeMillis": s.latency_ms, "recipients": [s.recipient],
                "smtpResponse": "250 2.0.0 OK  1700000000 a1si123456qkb.42 - gsmtp",
                "reportingMTA": "a8-55.smtp-out.amazonses.com", "remoteMtaIp": "203.0.113.25"
            }),
        ),
        EventKind::Bounce => {
            let (bt, st, status, code) = if s.hard_bounce {
                // mostly unknown users; some policy blocks and dead domains, as real lists have
                match s.seq % 10 {
                    0 | 1 => (
                        "Permanent",
                        "General",
                        "5.7.1",
                        "smtp; 554 5.7.1 Message rejected: sender blocked by the recipient's policy",
                    ),
                    2 => (
                        "Permanent",
                        "General",
                        "5.1.2",
                        "smtp; 550 5.1.2 Host unknown: the domain does not exist",
                    ),
                    _ => (
                        "Permanent",
                        "General",
                        "5.1.1",
                        "smtp; 550 5.1.1 The email account that you tried to reach does not exist.",
                    ),
                }
            } else {
                (
                    "Transient",
                    "MailboxFull",
                    "4.2.2",
                    "smtp; 452 4.2.2 The email account that you tried to reach is over quota.",
                )
            };
            (
                "Bounce",
                "bounce",
                json!({
                    "bounceType": bt, "bounceSubType": st,
                    "bouncedRecipients": [{"emailAddress": s.recipient, "action": "failed", "status": status, "diagnosticCode": code}],
                    "timestamp": t, "feedbackId": format!("0100018c{:08x}-feedback-000000", s.seq),
                    "reportingMTA": "dsn; a8-55.smtp-out.amazonses.com"
                }),
            )
        }
        EventKind::Complaint => (
            "Complaint",
            "complaint",
            json!({
                "complainedRecipients": [{"emailAddress": s.recipient}], "timestamp": t,
                "feedbackId": format!("0100018c{:08x}-complaint-000000", s.seq),
                "userAgent": "Yahoo!-Mail-Feedback/2.0", "complaintFeedbackType": "abuse",
                "arrivalDate": t
            }),
        ),
        EventKind::Reject => ("Reject", "reject", json!({"reason": "Bad Content"})),
        EventKind::Open => (
            "Open",
            "open",
            json!({
                "ipAddress": "192.0.2.1", "timestamp": t,
                "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
            }),
        ),
        EventKind::Click => (
            "Click",
            "click",
            json!({
                "ipAddress": "192.0.2.1", "timestamp": t, "userAgent": "Mozilla/5.0",
                "link": "https://www.example.net/offer", "linkTags": {"samplekey0": ["samplevalue0"]}
            }),
        ),
        EventKind::RenderingFailure => (
            "Rendering Failure",
            "failure",
            json!({
                "errorMessage": "Attribute 'name' is not present in the rendering data.", "templateName": "WeeklyDigest"
            }),
        ),
        EventKind::DeliveryDelay => (
            "DeliveryDelay",
            "deliveryDelay",
            json!({
                "timestamp": t, "delayType": "TransientCommunicationFailure",
                "expirationTime": ts(s.time + Duration::hours(20)),
                "delayedRecipients": [{"emailAddress": s.recipient, "status": "4.4.1", "diagnosticCode": "smtp; 421 4.4.1 Unable to connect"}]
            }),
        ),
        EventKind::Subscription => (
            "Subscription",
            "subscription",
            json!({
                "contactList": "Newsletter", "timestamp": t, "source": "UnsubscribeHeader",
                "newTopicPreferences": {"unsubscribeAll": true, "topicSubscriptionStatus": []},
                "oldTopicPreferences": {"unsubscribeAll": false, "topicSubscriptionStatus": []}
            }),
        ),
    };
    json!({"eventType": event_type, "mail": mail, key: detail})
}

pub use crate::envelope::wrap::{sns_envelope, sns_lambda_event, sqs_lambda_event};

/// Events of `events` messages' worth of normal traffic spread over `[from, to)`; with `bad`,
/// about one event in nine is extra traffic to that domain with a quarter of it bouncing (90%
/// hard) and complaints forty times the usual rate.
pub fn traffic(
    seed: u64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    events: usize,
    bad: Option<&str>,
) -> Vec<String> {
    let span = (to - from).num_seconds();
    let mut gens: Vec<(Generator, f64)> = vec![(Generator::new(seed), 1.0)];
    if let Some(d) = bad {
        let mix: Vec<(EventKind, f64)> = DEFAULT_MIX
            .iter()
            .map(|(k, w)| match k {
                EventKind::Bounce => (*k, 0.25),
                EventKind::Complaint => (*k, 0.004),
                _ => (*k, *w),
            })
            .collect();
        gens.push((
            Generator::with_mix(seed + 1, vec![(d.to_string(), 1.0)], mix).hard_bounce_share(0.9),
            0.12,
        ));
    }
    let total: f64 = gens.iter().map(|(_, w)| w).sum();
    let mut pick = Rng::new(seed + 2);
    (0..events)
        .map(|i| {
            let t = from + Duration::seconds(span * i as i64 / events.max(1) as i64);
            let mut x = pick.unit() * total;
            let idx = gens
                .iter()
                .position(|(_, w)| {
                    if x < *w {
                        true
                    } else {
                        x -= w;
                        false
                    }
                })
                .unwrap_or(0);
            gens[idx].0.next_json(t)
        })
        .collect()
}

/// The SES events of the example day: a day of traffic with yahoo.com going bad.
pub fn example_events(day: DateTime<Utc>) -> Vec<String> {
    traffic(12, day, day + Duration::days(1), 12_000, Some("yahoo.com"))
}

/// The ledger and journal behind `docs/example-report/report.html`: the offenders of `day`'s traffic (the
/// ledger entries the real ses-events code makes of it), and alarm-suppressor's journal of a
/// hard-bounce alarm on yahoo at 10:00 that suppressed yahoo's offenders so far and paused
/// sending until 16:00.
pub async fn example_activity(
    day: DateTime<Utc>,
) -> crate::report::activity::LedgerActivity<crate::ledger::MemoryLedger, crate::store::MemoryStore> {
    use crate::store::{JournalEntry, JournalEvent};
    let cfg = crate::platform::config::IngestConfig::default();
    let events = example_events(day);
    let entries = crate::ingest::ingest(&cfg, &events.join("\n"), day + Duration::days(1)).ledger_entries;
    let alarm_at = day + Duration::hours(10);
    let mut by_reason = std::collections::BTreeMap::new();
    let mut suppressed = 0;
    for e in entries.iter().filter(|e| e.dimension == "yahoo" && e.timestamp < alarm_at) {
        let reason = match e.kind {
            crate::ledger::Offence::Complaint => "COMPLAINT",
            crate::ledger::Offence::HardBounce => "BOUNCE",
            crate::ledger::Offence::SoftBounce => continue,
        };
        *by_reason.entry(reason.to_string()).or_insert(0) += 1;
        suppressed += 1;
    }
    let alarm = "ses-monitor-yahoo-hard-bounce-rate".to_string();
    let journal = [
        (
            0,
            JournalEvent::Alarm {
                alarm: alarm.clone(),
                state: "ALARM".into(),
                previous_state: Some("OK".into()),
                action: "suppressed".into(),
            },
        ),
        (
            1,
            JournalEvent::Suppressed {
                alarm: alarm.clone(),
                by_reason,
                by_domain: std::collections::BTreeMap::from([("yahoo".to_string(), suppressed)]),
                failed: 0,
                left_over: 0,
            },
        ),
        (
            2,
            JournalEvent::Paused {
                configuration_set: "ses-monitor-main".into(),
                alarms: vec![alarm.clone()],
            },
        ),
        (
            6 * 3600,
            JournalEvent::Alarm {
                alarm: alarm.clone(),
                state: "OK".into(),
                previous_state: Some("ALARM".into()),
                action: "no_action_for_state".into(),
            },
        ),
        (
            6 * 3600 + 1,
            JournalEvent::Resumed { configuration_set: "ses-monitor-main".into(), released: vec![alarm] },
        ),
    ];
    use crate::ledger::Ledger;
    use crate::store::Journal;
    let ledger = crate::ledger::MemoryLedger::default();
    ledger.record(&entries).await.expect("a memory ledger takes everything");
    let store = crate::store::MemoryStore::default();
    for (s, event) in journal {
        let entry = JournalEntry { at: alarm_at + Duration::seconds(s), id: format!("example-{s}"), event };
        store.record(&entry).await.expect("a memory journal takes everything");
    }
    crate::report::activity::LedgerActivity { ledger, journal: store }
}

/// The numbers behind `docs/example-report/report.html`: the 7 days before `day` healthy, `day` with
/// yahoo.com going bad, each aggregated by the real ses-events code.
pub fn example_source(day: DateTime<Utc>) -> crate::report::source::PointSource {
    let cfg = crate::platform::config::IngestConfig::default();
    let base = day - Duration::days(7);
    let mut source = crate::report::source::PointSource::default();
    let now = day + Duration::days(1);
    for (events, key) in [(traffic(11, base, day, 84_000, None), base), (example_events(day), day)] {
        let batch = crate::ingest::ingest(&cfg, &events.join("\n"), now).batch;
        for s in batch.series {
            if let Some((_, domain)) =
                s.dimensions.iter().find(|(k, _)| k == crate::metrics::RECIPIENT_DOMAIN)
            {
                let at = DateTime::from_timestamp_millis(s.timestamp_ms).unwrap_or(key);
                for (metric, v) in &s.counts {
                    source.add(domain, metric, at, *v as f64);
                }
            }
        }
    }
    source.reputation.insert("Reputation.BounceRate".into(), 0.021);
    source.reputation.insert("Reputation.ComplaintRate".into(), 0.0004);
    source
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::config::IngestConfig;

    #[test]
    fn generated_events_parse_as_what_they_claim() {
        let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().unwrap();
        let mut g = Generator::new(7);
        let specs: Vec<EventSpec> = (0..500).map(|_| g.next_spec(now)).collect();
        let msgs: Vec<String> = specs.iter().map(ses_json).collect();
        for raw in [false, true] {
            let out =
                crate::ingest::ingest(&IngestConfig::default(), &sqs_lambda_event(&msgs, raw, now), now);
            assert_eq!(out.summary.events, 500);
            assert_eq!(out.summary.skipped, 0);
        }
        let out = crate::ingest::ingest(&IngestConfig::default(), &sns_lambda_event(&msgs[..3], now), now);
        assert_eq!(out.summary.events, 3);
        let sends = specs.iter().filter(|s| s.kind == EventKind::Send).count() as u64;
        let out = crate::ingest::ingest(&IngestConfig::default(), &sqs_lambda_event(&msgs, false, now), now);
        assert_eq!(out.summary.by_type.get("Send").copied().unwrap_or(0), sends);
    }

    #[test]
    fn b2c_sender_profile_has_the_shape_it_claims() {
        let from: DateTime<Utc> = "2026-11-02T00:00:00Z".parse().unwrap();
        let to = from + Duration::days(1);
        let events: Vec<EventSpec> = sender_traffic(SenderProfile::b2c(1_000_000), from, to).collect();
        assert!(events.windows(2).all(|w| w[0].time <= w[1].time), "in time order");
        assert!(events.iter().all(|e| e.time >= from && e.time < to));
        let of = |k: EventKind| events.iter().filter(|e| e.kind == k).count() as f64;
        let sends = of(EventKind::Send);
        // 1M a month is 1,370 an hour: a day is about 32,900 (the last minutes' sends fall past
        // the end by 2 s at most, so the count is exact to a few)
        assert!((sends - 24.0 * 1_000_000.0 / 730.0).abs() < 400.0, "{sends} sends");
        let share = |n: f64| n / sends;
        let gmail =
            events.iter().filter(|e| e.kind == EventKind::Send && e.recipient.ends_with("@gmail.com"));
        assert!((share(gmail.count() as f64) - 0.38).abs() < 0.01);
        let hard = events.iter().filter(|e| e.kind == EventKind::Bounce && e.hard_bounce).count() as f64;
        assert!((share(hard) - 0.012).abs() < 0.002, "hard bounces {}", share(hard));
        // a quarter of the delivered mail; opens of the last hours fall past the end
        let opens = share(of(EventKind::Open));
        assert!((0.22..0.25).contains(&opens), "opens {opens}");
        assert!(
            of(EventKind::Complaint) > 0.0
                && of(EventKind::Click) > 0.0
                && of(EventKind::DeliveryDelay) > 0.0
        );
        let domains: std::collections::BTreeSet<&str> =
            events.iter().filter_map(|e| e.recipient.split('@').nth(1)).collect();
        assert!(domains.len() > 1_500, "a long tail of thousands of small domains: {}", domains.len());
        let campaigns: std::collections::BTreeSet<&str> =
            events.iter().map(|e| e.campaign.as_str()).collect();
        let types: std::collections::BTreeSet<&str> = events.iter().map(|e| e.email_type).collect();
        assert_eq!((campaigns.len(), types.len()), (8, 3));
        // busier by day than at night
        let in_hour = |h: i64| {
            events.iter().filter(|e| e.kind == EventKind::Send && (e.time - from).num_hours() == h).count()
        };
        assert!(in_hour(9) > 3 * in_hour(2));
        // every event is SES JSON that ses-events counts
        let lines: Vec<String> = events.iter().take(2_000).map(ses_json).collect();
        let out = crate::ingest::ingest(&IngestConfig::default(), &lines.join("\n"), to);
        assert_eq!((out.summary.events, out.summary.skipped), (2_000, 0));
    }

    #[test]
    fn hourly_shape_averages_one() {
        assert!((HOURLY_SHAPE.iter().sum::<f64>() - 24.0).abs() < 1e-9);
    }

    #[test]
    fn unique_campaigns_per_send() {
        let from: DateTime<Utc> = "2026-11-02T00:00:00Z".parse().unwrap();
        let profile = SenderProfile { campaigns: Vec::new(), ..SenderProfile::b2c(1_000_000) };
        let sends: Vec<EventSpec> = sender_traffic(profile, from, from + Duration::hours(2))
            .filter(|e| e.kind == EventKind::Send)
            .collect();
        let distinct: std::collections::BTreeSet<&str> = sends.iter().map(|e| e.campaign.as_str()).collect();
        assert_eq!(distinct.len(), sends.len());
    }

    #[test]
    fn deterministic() {
        let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().unwrap();
        let a: Vec<String> = {
            let mut g = Generator::new(1);
            (0..5).map(|_| g.next_json(now)).collect()
        };
        let b: Vec<String> = {
            let mut g = Generator::new(1);
            (0..5).map(|_| g.next_json(now)).collect()
        };
        assert_eq!(a, b);
    }
}
