//! The `api` sink end to end against ministack, through the real aws-sdk-cloudwatch client (rpcv2
//! CBOR): SES events in an SNS→Lambda event → `ingest::handle` → PutMetricData → read back with
//! ListMetrics and GetMetricStatistics, compared with values computed here independently of the
//! aggregation code.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Datapoint, Dimension, DimensionFilter, Statistic};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use ses_monitor::ingest::{self, Summary};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::sink::cloudwatch::CloudWatchSink;
use ses_monitor_tests::{Emulator, RequestLog};

const NAMESPACE: &str = "Custom/SES";

/// The count metrics the generated events produce.
const COUNTS: [&str; 7] = ["Send", "Delivery", "Bounce", "HardBounce", "SoftBounce", "Complaint", "Open"];

/// A dimension set: empty for the totals series, else one `(name, value)`.
type Dims = Vec<(String, String)>;

/// Deterministic pseudo-random numbers (no dependency, same batch every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Send,
    Delivery,
    HardBounce,
    SoftBounce,
    Complaint,
    Open,
}

/// One generated SES event, with what the test needs to predict its metrics.
struct Generated {
    kind: Kind,
    time: DateTime<Utc>,
    recipients: Vec<String>,
    email_type: Option<&'static str>,
    campaign: Option<&'static str>,
    latency_ms: Option<u64>,
}

/// Recipient domains and the dimension value each must get with the default configuration
/// (gmail/yahoo/outlook are in the built-in tracked list; the others are capped to `other`).
const DOMAINS: [(&str, &str); 6] = [
    ("gmail.com", "gmail.com"),
    ("GMail.com", "gmail.com"),
    ("yahoo.com", "yahoo.com"),
    ("outlook.com", "outlook.com"),
    ("example.org", "other"),
    ("corp.example.net", "other"),
];

fn generate(n: usize, now: DateTime<Utc>) -> Vec<Generated> {
    let mut rng = Lcg(0x5e5_0001);
    (0..n)
        .map(|i| {
            let kind = match rng.next(100) {
                0..33 => Kind::Send,
                33..60 => Kind::Delivery,
                60..70 => Kind::HardBounce,
                70..78 => Kind::SoftBounce,
                78..88 => Kind::Complaint,
                _ => Kind::Open,
            };
            // Spread over 12 minutes of the last hour, never in the future.
            let time = now
                - Duration::minutes(2 + rng.next(12) as i64)
                - Duration::milliseconds(rng.next(60_000) as i64);
            let n_rcpt = match kind {
                // Feedback usually names one recipient; sends and deliveries up to three.
                Kind::HardBounce | Kind::SoftBounce | Kind::Complaint => 1 + rng.next(2) as usize,
                _ => 1 + rng.next(3) as usize,
            };
            let recipients = (0..n_rcpt)
                .map(|j| {
                    let (d, _) = DOMAINS[rng.next(DOMAINS.len() as u64) as usize];
                    format!("user{i}.{j}@{d}")
                })
                .collect();
            let email_type =
                [Some("welcome"), Some("receipt"), Some("newsletter"), None][rng.next(4) as usize];
            let campaign = [Some("spring-sale"), None][rng.next(2) as usize];
            let latency_ms = (kind == Kind::Delivery).then(|| 200 + 37 * rng.next(40));
            Generated { kind, time, recipients, email_type, campaign, latency_ms }
        })
        .collect()
}

/// The SES event-publishing JSON of a generated event.
fn ses_json(i: usize, g: &Generated) -> Value {
    let ts = g.time.to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut tags = serde_json::Map::new();
    tags.insert("ses:configuration-set".into(), json!(["monitored"]));
    if let Some(t) = g.email_type {
        tags.insert("EmailType".into(), json!([t]));
    }
    if let Some(c) = g.campaign {
        tags.insert("Campaign".into(), json!([c]));
    }
    let mail = json!({
        "timestamp": ts,
        "source": "sender@shop.example",
        "messageId": format!("0100018f-test-{i:05}"),
        "destination": g.recipients,
        "tags": tags,
    });
    let listed: Vec<Value> = g.recipients.iter().map(|r| json!({"emailAddress": r})).collect();
    match g.kind {
        Kind::Send => json!({"eventType": "Send", "mail": mail, "send": {}}),
        Kind::Delivery => json!({"eventType": "Delivery", "mail": mail, "delivery": {
            "timestamp": ts, "processingTimeMillis": g.latency_ms, "recipients": g.recipients,
            "smtpResponse": "250 ok", "reportingMTA": "a1-2.smtp-out.amazonses.com"}}),
        Kind::HardBounce | Kind::SoftBounce => {
            let (bt, st) = if g.kind == Kind::HardBounce {
                ("Permanent", "General")
            } else {
                ("Transient", "MailboxFull")
            };
            json!({"eventType": "Bounce", "mail": mail, "bounce": {
                "bounceType": bt, "bounceSubType": st, "bouncedRecipients": listed,
                "timestamp": ts, "feedbackId": format!("fb-{i}")}})
        }
        Kind::Complaint => json!({"eventType": "Complaint", "mail": mail, "complaint": {
            "complainedRecipients": listed, "timestamp": ts, "feedbackId": format!("fb-{i}"),
            "complaintFeedbackType": "abuse"}}),
        Kind::Open => json!({"eventType": "Open", "mail": mail, "open": {
            "timestamp": ts, "ipAddress": "192.0.2.1", "userAgent": "Mozilla/5.0"}}),
    }
}

/// An SNS→Lambda event carrying the SES events, one per record (the default trigger).
fn sns_event(events: &[Generated]) -> String {
    let records: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, g)| {
            json!({
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:ses-events:sub",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": format!("sns-{i}"),
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-events",
                    "Subject": null,
                    "Message": ses_json(i, g).to_string(),
                    "Timestamp": g.time.to_rfc3339_opts(SecondsFormat::Millis, true),
                }
            })
        })
        .collect();
    json!({ "Records": records }).to_string()
}

/// What the published metrics must contain, computed from the generated events with the rules
/// of DESIGN.md ("Metrics"), without the crate's aggregation code.
#[derive(Default)]
struct Expected {
    /// (dimensions, metric) → sum.
    sums: BTreeMap<(Dims, &'static str), f64>,
    /// (dimensions, metric) → minutes with a non-zero value (CloudWatch SampleCount: one datum
    /// per minute and series).
    minutes: BTreeMap<(Dims, &'static str), BTreeSet<i64>>,
    /// dimensions → latency samples.
    latency: BTreeMap<Dims, Vec<f64>>,
    /// (minute, dimensions) with latency samples: one DeliveryLatency datum each.
    latency_series: BTreeSet<(i64, Dims)>,
    /// Recipients counted.
    recipients: u64,
}

impl Expected {
    fn of(events: &[Generated]) -> Self {
        let mut e = Self::default();
        for g in events {
            let minute = g.time.timestamp().div_euclid(60);
            let domains: Vec<&str> = g
                .recipients
                .iter()
                .map(|r| {
                    let d = r.rsplit('@').next().unwrap();
                    DOMAINS.iter().find(|(k, _)| *k == d).unwrap().1
                })
                .collect();
            let distinct: BTreeSet<&str> = domains.iter().copied().collect();
            let n = g.recipients.len() as f64;
            let mut add = |dims: Dims, metric: &'static str, v: f64| {
                *e.sums.entry((dims.clone(), metric)).or_default() += v;
                e.minutes.entry((dims, metric)).or_default().insert(minute);
            };
            let metrics: &[&'static str] = match g.kind {
                Kind::Send => &["Send"],
                Kind::Delivery => &["Delivery"],
                Kind::HardBounce => &["Bounce", "HardBounce"],
                Kind::SoftBounce => &["Bounce", "SoftBounce"],
                Kind::Complaint => &["Complaint"],
                Kind::Open => &["Open"],
            };
            // Opens count once per message (per distinct domain, once in totals and tags);
            // everything else once per recipient.
            let per_message = g.kind == Kind::Open;
            let weight = if per_message { 1.0 } else { n };
            let tag_dims = [
                dims("EmailType", g.email_type.unwrap_or("none")),
                dims("Campaign", g.campaign.unwrap_or("none")),
            ];
            for m in metrics {
                if per_message {
                    for d in &distinct {
                        add(dims("RecipientDomain", d), m, 1.0);
                    }
                } else {
                    for d in &domains {
                        add(dims("RecipientDomain", d), m, 1.0);
                    }
                }
                add(Vec::new(), m, weight);
                for t in &tag_dims {
                    add(t.clone(), m, weight);
                }
            }
            if let Some(ms) = g.latency_ms {
                // One sample per series the delivery touched.
                let mut series: Vec<Dims> = distinct.iter().map(|d| dims("RecipientDomain", d)).collect();
                series.push(Vec::new());
                series.extend(tag_dims.iter().cloned());
                for s in series {
                    e.latency.entry(s.clone()).or_default().push(ms as f64);
                    e.latency_series.insert((minute, s));
                }
            }
            e.recipients += g.recipients.len() as u64;
        }
        e
    }

    fn sum(&self, d: &Dims, metric: &str) -> f64 {
        self.sums.iter().filter(|((dd, m), _)| dd == d && *m == metric).map(|(_, v)| *v).sum()
    }

    /// PutMetricData datums: one per (minute, series, count metric), one per (minute, series)
    /// for the latency distribution.
    fn datums(&self) -> usize {
        let counts: usize = self.minutes.values().map(BTreeSet::len).sum();
        counts + self.latency_series.len()
    }

    /// Metric names published under each dimension name (`""` for totals).
    fn listed(&self, dim_name: &str) -> BTreeSet<(String, String)> {
        let mut out: BTreeSet<(String, String)> = self
            .sums
            .keys()
            .filter(|(d, _)| d.first().map_or("", |x| x.0.as_str()) == dim_name)
            .map(|(d, m)| (m.to_string(), d.first().map(|x| x.1.clone()).unwrap_or_default()))
            .collect();
        out.extend(
            self.latency
                .keys()
                .filter(|d| d.first().map_or("", |x| x.0.as_str()) == dim_name)
                .map(|d| ("DeliveryLatency".to_string(), d.first().map(|x| x.1.clone()).unwrap_or_default())),
        );
        out
    }
}

fn dims(name: &str, value: &str) -> Dims {
    vec![(name.to_string(), value.to_string())]
}

fn api_config(extra: &[(&str, &str)]) -> IngestConfig {
    let mut map: HashMap<String, String> = HashMap::new();
    map.insert("METRICS_SINK".into(), "api".into());
    // Every metric in every rollup, every tag value, a value per provider domain: the model
    // below expects them all (the defaults publish a subset of the same series).
    for (k, v) in [
        ("DOMAIN_METRICS", "all"),
        ("TAG_METRICS", "all"),
        ("TAG_VALUES", "EmailType=*;Campaign=*"),
        ("DOMAIN_GROUPING", "domain"),
        ("TRACKED_PROVIDERS", "all"),
    ] {
        map.insert(k.into(), v.into());
    }
    for (k, v) in extra {
        map.insert(k.to_string(), v.to_string());
    }
    if map.get("TAG_DIMENSIONS").is_some_and(|t| t.is_empty()) {
        map.remove("TAG_VALUES"); // no tags to allow values of
    }
    IngestConfig::from_map(&map).expect("valid configuration")
}

/// Statistics of one series over the whole test window, all periods combined.
#[derive(Debug, Default, PartialEq)]
struct Stats {
    sum: f64,
    samples: f64,
    min: Option<f64>,
    max: Option<f64>,
}

struct Reader {
    client: Client,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Reader {
    async fn stats(&self, metric: &str, d: &Dims) -> Stats {
        let out = self
            .client
            .get_metric_statistics()
            .namespace(NAMESPACE)
            .metric_name(metric)
            .set_dimensions(Some(
                d.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect(),
            ))
            .start_time(smithy_time(self.start))
            .end_time(smithy_time(self.end))
            .period(3600)
            .statistics(Statistic::Sum)
            .statistics(Statistic::SampleCount)
            .statistics(Statistic::Minimum)
            .statistics(Statistic::Maximum)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GetMetricStatistics {metric} {d:?}: {e:?}"));
        // The window may straddle an hour boundary: combine the periods.
        out.datapoints().iter().fold(Stats::default(), |acc, p: &Datapoint| Stats {
            sum: acc.sum + p.sum().unwrap_or(0.0),
            samples: acc.samples + p.sample_count().unwrap_or(0.0),
            min: min_opt(acc.min, p.minimum()),
            max: max_opt(acc.max, p.maximum()),
        })
    }

    /// (metric, dimension value) of every metric that has the dimension `name`.
    async fn list(&self, name: &str) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_metrics()
                .namespace(NAMESPACE)
                .dimensions(DimensionFilter::builder().name(name).build())
                .set_next_token(token.take())
                .send()
                .await
                .expect("ListMetrics");
            for m in page.metrics() {
                assert_eq!(m.dimensions().len(), 1, "one dimension per series: {m:?}");
                out.insert((
                    m.metric_name().unwrap_or_default().to_string(),
                    m.dimensions()[0].value().unwrap_or_default().to_string(),
                ));
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return out;
            }
        }
    }

    /// Metric names that have a series with no dimension at all (the totals).
    async fn list_dimensionless(&self) -> BTreeSet<String> {
        let page = self.client.list_metrics().namespace(NAMESPACE).send().await.expect("ListMetrics");
        assert!(page.next_token().is_none(), "one page is enough here");
        page.metrics()
            .iter()
            .filter(|m| m.dimensions().is_empty())
            .map(|m| m.metric_name().unwrap_or_default().to_string())
            .collect()
    }
}

fn min_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

fn smithy_time(t: DateTime<Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_millis(t.timestamp_millis())
}

/// A client on the emulator that records each request it sends.
async fn client(emu: &Emulator) -> (Client, RequestLog) {
    let sdk = emu.sdk_config().await;
    let log = RequestLog::new();
    let conf = aws_sdk_cloudwatch::config::Builder::from(&sdk).interceptor(log.clone()).build();
    (Client::from_conf(conf), log)
}

async fn run(emu: &Emulator, cfg: &IngestConfig, payload: &str) -> (Summary, RequestLog, Client) {
    let (client, log) = client(emu).await;
    let sink = CloudWatchSink::new(client.clone());
    let summary = ingest::handle(cfg, &sink, payload, Utc::now())
        .await
        .unwrap_or_else(|e| panic!("publish failed: {e}"));
    (summary, log, client)
}

#[tokio::test]
async fn batch_of_ses_events_reads_back_exactly() {
    let emu = Emulator::start();
    let now = Utc::now();
    let events = generate(240, now);
    let expected = Expected::of(&events);
    let counts = COUNTS;
    // The generated batch has every count metric for every domain value.
    for m in counts {
        for d in ["gmail.com", "yahoo.com", "outlook.com", "other"] {
            assert!(expected.sum(&dims("RecipientDomain", d), m) > 0.0, "the batch exercises {m} for {d}");
        }
    }
    let cfg = api_config(&[]);

    let (summary, log, client) = run(&emu, &cfg, &sns_event(&events)).await;

    // What the invocation says it did.
    assert_eq!(summary.events, events.len() as u64);
    assert_eq!(summary.skipped, 0, "{:?}", summary.skip_reasons);
    assert_eq!(summary.clamped_timestamps, 0);
    assert_eq!(summary.recipients, expected.recipients);
    assert_eq!(summary.metrics.sink, "api");
    assert_eq!(summary.metrics.namespace, NAMESPACE);
    assert_eq!(summary.metrics.datums, expected.datums());
    assert!(expected.datums() < 1000, "the batch fits in one request");
    assert_eq!(summary.metrics.requests, 1);
    let totals: BTreeMap<&str, u64> =
        expected.sums.iter().filter(|((d, _), _)| d.is_empty()).map(|((_, m), v)| (*m, *v as u64)).collect();
    assert_eq!(summary.metrics.totals, totals);

    // On the wire: one rpcv2 CBOR request, gzipped by the SDK (the body is over 10 KiB), and
    // ministack took it (the numbers below are read back from it).
    let sent = log.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].smithy_protocol.as_deref(), Some("rpc-v2-cbor"));
    assert_eq!(sent[0].content_type.as_deref(), Some("application/cbor"));
    assert_eq!(sent[0].content_encoding.as_deref(), Some("gzip"), "{sent:?}");

    let reader = Reader { client, start: now - Duration::hours(1), end: now + Duration::minutes(5) };

    // Exactly the expected series exist.
    assert_eq!(reader.list("RecipientDomain").await, expected.listed("RecipientDomain"));
    assert_eq!(reader.list("EmailType").await, expected.listed("EmailType"));
    assert_eq!(reader.list("Campaign").await, expected.listed("Campaign"));
    let domains: BTreeSet<String> =
        reader.list("RecipientDomain").await.into_iter().map(|(_, v)| v).collect();
    assert_eq!(domains, ["gmail.com", "other", "outlook.com", "yahoo.com"].map(String::from).into());
    let total_metrics: BTreeSet<String> = expected.listed("").into_iter().map(|(m, _)| m).collect();
    assert_eq!(reader.list_dimensionless().await, total_metrics);

    // Per-domain and per-tag counts: sums, and one sample per minute (N events of a minute
    // became one datum).
    let mut checked = 0;
    for ((d, m), minutes) in &expected.minutes {
        if d.is_empty() {
            continue; // totals: see below
        }
        let got = reader.stats(m, d).await;
        assert_eq!(got.sum, expected.sum(d, m), "{m} {d:?}");
        assert_eq!(got.samples, minutes.len() as f64, "{m} {d:?}");
        checked += 1;
    }
    assert!(checked > 40, "{checked} series checked");

    // Totals (`{}`). ministack 1.5.33 answers a GetMetricStatistics without dimensions with
    // the sum of *every* dimension set of the metric (real CloudWatch returns only the series
    // with no dimension), so the totals series is what is left after taking away every
    // dimensioned series it lists.
    for m in counts {
        let all = reader.stats(m, &Vec::new()).await;
        let mut dimensioned = 0.0;
        for name in ["RecipientDomain", "EmailType", "Campaign"] {
            for (metric, value) in reader.list(name).await {
                if metric == m {
                    dimensioned += reader.stats(m, &dims(name, &value)).await.sum;
                }
            }
        }
        assert_eq!(all.sum - dimensioned, expected.sum(&Vec::new(), m), "{m} {{}}");
        // Every rollup adds up to the same total for per-recipient metrics.
        if m != "Open" {
            assert_eq!(all.sum, 4.0 * expected.sum(&Vec::new(), m), "{m} {{}}");
        }
    }

    // Delivery latency: the distribution (Values/Counts) of each series.
    for (d, samples) in &expected.latency {
        if d.is_empty() {
            continue;
        }
        let got = reader.stats("DeliveryLatency", d).await;
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(
            got,
            Stats {
                sum: samples.iter().sum(),
                samples: samples.len() as f64,
                min: Some(min),
                max: Some(max),
            },
            "DeliveryLatency {d:?}"
        );
    }
    let all_latency = &expected.latency[&Vec::new()];
    let got = reader.stats("DeliveryLatency", &Vec::new()).await;
    assert_eq!(got.min, all_latency.iter().copied().reduce(f64::min), "{{}} min");
    assert_eq!(got.max, all_latency.iter().copied().reduce(f64::max), "{{}} max");
}

#[tokio::test]
async fn small_batch_goes_uncompressed() {
    let emu = Emulator::start();
    let now = Utc::now();
    let events = generate(3, now);
    let expected = Expected::of(&events);
    let (summary, log, client) = run(&emu, &api_config(&[]), &sns_event(&events)).await;
    assert_eq!(summary.metrics.requests, 1);
    let sent = log.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].content_encoding, None, "under 10 KiB: {sent:?}");
    assert!(sent[0].body_len.unwrap() < 10 * 1024);
    let reader = Reader { client, start: now - Duration::hours(1), end: now + Duration::minutes(5) };
    assert_eq!(reader.list("RecipientDomain").await, expected.listed("RecipientDomain"));
    for ((d, m), _) in expected.sums.iter().filter(|((d, _), _)| !d.is_empty()) {
        assert_eq!(reader.stats(m, d).await.sum, expected.sum(d, m), "{m} {d:?}");
    }
}

#[tokio::test]
async fn more_than_1000_datums_take_several_requests() {
    let emu = Emulator::start();
    let now = Utc::now();
    let minute = now - Duration::minutes(3);
    let ts = minute.to_rfc3339_opts(SecondsFormat::Millis, true);
    // 1200 distinct tracked domains, one send each, no tag dimensions: 1200 domain series and
    // the totals, one Send datum each.
    let lines: Vec<String> = (0..1200)
        .map(|i| {
            json!({"eventType": "Send", "mail": {"timestamp": ts,
                "destination": [format!("a@d{i:04}.example")]}, "send": {}})
            .to_string()
        })
        .collect();
    let cfg = api_config(&[("TRACKED_DOMAINS", "*"), ("TAG_DIMENSIONS", "")]);
    let (summary, log, client) = run(&emu, &cfg, &lines.join("\n")).await;
    assert_eq!(summary.events, 1200, "{:?}", summary.skip_reasons);
    assert_eq!(summary.metrics.datums, 1201);
    assert_eq!(summary.metrics.requests, 2);
    let sent = log.requests();
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|r| r.content_encoding.as_deref() == Some("gzip")), "{sent:?}");
    let reader = Reader { client, start: now - Duration::hours(1), end: now + Duration::minutes(5) };
    let listed = reader.list("RecipientDomain").await;
    assert_eq!(listed.len(), 1200);
    assert!(listed.iter().all(|(m, _)| m == "Send"));
    for i in [0, 999, 1000, 1199] {
        let d = dims("RecipientDomain", &format!("d{i:04}.example"));
        assert_eq!(
            reader.stats("Send", &d).await,
            Stats { sum: 1.0, samples: 1.0, min: Some(1.0), max: Some(1.0) }
        );
    }
    // The totals series alone has no dimension; ministack sums every series when asked
    // without dimensions (see above), so 1200 domain sends + 1200 in totals.
    assert_eq!(reader.stats("Send", &Vec::new()).await.sum, 2400.0);
}
