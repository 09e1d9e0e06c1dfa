//! The two sinks publish the same numbers: over generated batches and configurations, the EMF
//! documents (merged: one document for the series of a minute with identical values) are valid
//! against the EMF specification, and what CloudWatch would extract from them adds up, per
//! metric, dimension set, values and minute, to the aggregated series themselves (what the
//! one-document-per-series encoding published) and to the PutMetricData datums of the `api`
//! sink. A document that names the value behind `other` holds exactly that series' values, so
//! a Logs Insights query by `Other<Dimension>` reads the right numbers.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use ses_monitor::ingest::ingest;
use ses_monitor::metrics::{ALL_METRICS, DELIVERY_LATENCY, MetricBatch};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::ses::EventKind;
use ses_monitor::sink::cloudwatch::datums;
use ses_monitor::sink::emf::{encode, extract, other_property};
use ses_monitor::synth::Rng;

/// (metric, dimensions, minute) → (sum of values, number of samples).
type Sums = BTreeMap<(String, Vec<(String, String)>, i64), (f64, u64)>;

fn add(sums: &mut Sums, name: &str, dims: &[(String, String)], ts: i64, sum: f64, n: u64) {
    let mut dims = dims.to_vec();
    dims.sort();
    let e = sums.entry((name.to_string(), dims, ts)).or_default();
    e.0 += sum;
    e.1 += n;
}

/// What the aggregation says: each series' counts and latency samples.
fn from_batch(b: &MetricBatch) -> Sums {
    let mut sums = Sums::new();
    for s in &b.series {
        for (n, v) in &s.counts {
            add(&mut sums, n, &s.dimensions, s.timestamp_ms, *v as f64, 1);
        }
        if !s.latency.is_empty() {
            let total: f64 = s.latency.iter().map(|(v, c)| (*v * *c) as f64).sum();
            let n: u64 = s.latency.iter().map(|(_, c)| c).sum();
            add(&mut sums, DELIVERY_LATENCY, &s.dimensions, s.timestamp_ms, total, n);
        }
    }
    // A count datum is one sample whatever the number of series behind it: compare counts by sum.
    for ((name, _, _), v) in sums.iter_mut() {
        if name != DELIVERY_LATENCY {
            v.1 = 0;
        }
    }
    sums
}

/// What CloudWatch would extract from the EMF lines.
fn from_emf(lines: &[String]) -> Sums {
    let mut sums = Sums::new();
    for l in lines {
        for e in extract(l).unwrap_or_else(|err| panic!("invalid EMF ({err}): {l}")) {
            let n = if e.name == DELIVERY_LATENCY { e.values.len() as u64 } else { 0 };
            add(&mut sums, &e.name, &e.dimensions, e.timestamp_ms, e.values.iter().sum(), n);
        }
    }
    sums
}

/// What PutMetricData would publish.
fn from_datums(b: &MetricBatch) -> Sums {
    let mut sums = Sums::new();
    for d in datums(b) {
        let dims: Vec<(String, String)> = d
            .dimensions()
            .iter()
            .map(|x| (x.name().unwrap_or_default().to_string(), x.value().unwrap_or_default().to_string()))
            .collect();
        let ts = d.timestamp().and_then(|t| t.to_millis().ok()).expect("timestamp");
        let name = d.metric_name().unwrap_or_default();
        if d.values().is_empty() {
            add(&mut sums, name, &dims, ts, d.value().expect("value"), 0);
        } else {
            let total: f64 = d.values().iter().zip(d.counts()).map(|(v, c)| v * c).sum();
            let n: f64 = d.counts().iter().sum();
            add(&mut sums, name, &dims, ts, total, n as u64);
        }
    }
    sums
}

const DOMAINS: [&str; 10] = [
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "yahoo.com",
    "aol.com",
    "gmx.de",
    "example.org",
    "mail7.example",
    "Weird.Example.NET",
    "not an address",
];

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A random SES event: any type, 1-3 recipients at provider, long-tail or unreadable domains,
/// tags from small sets or per-send ids.
fn random_event(rng: &mut Rng, i: u64, base: DateTime<Utc>, minutes: u64) -> String {
    let t = base + Duration::seconds(rng.below(minutes * 60) as i64);
    let recipients: Vec<String> = (0..1 + rng.below(3))
        .map(|k| {
            let d = DOMAINS[rng.below(DOMAINS.len() as u64) as usize];
            if d.contains(' ') { d.to_string() } else { format!("u{i}-{k}@{d}") }
        })
        .collect();
    let mut tags = serde_json::Map::new();
    if rng.below(5) > 0 {
        tags.insert("EmailType".into(), json!([(["news", "receipt", "welcome"])[rng.below(3) as usize]]));
    }
    match rng.below(4) {
        0 => {}
        1 => {
            tags.insert("Campaign".into(), json!([format!("send-{:x}", rng.next_u64())]));
        }
        _ => {
            tags.insert(
                "Campaign".into(),
                json!([(["spring-a", "spring-b", "bf-2026"])[rng.below(3) as usize]]),
            );
        }
    }
    let mail =
        json!({"timestamp": ts(t), "messageId": format!("m{i}"), "destination": recipients, "tags": tags});
    let entries: Vec<Value> = recipients.iter().map(|r| json!({"emailAddress": r})).collect();
    // deliveries and sends most of the time, as in real traffic; every other kind too
    let kind = match rng.below(21) {
        0..=6 => "Send",
        7..=12 => "Delivery",
        k => EventKind::ALL[(k - 11) as usize].metric_name(),
    };
    let detail = match kind {
        "Delivery" => {
            json!({"timestamp": ts(t), "processingTimeMillis": 100 + rng.below(40) * 50, "recipients": recipients})
        }
        "Bounce" => json!({"timestamp": ts(t), "bouncedRecipients": entries,
            "bounceType": (["Permanent", "Transient", "Undetermined"])[rng.below(3) as usize]}),
        "Complaint" => json!({"timestamp": ts(t), "complainedRecipients": entries}),
        "DeliveryDelay" => json!({"timestamp": ts(t), "delayedRecipients": entries}),
        "Reject" => json!({"reason": "Bad content"}),
        "RenderingFailure" => json!({"templateName": "T"}),
        _ => json!({"timestamp": ts(t)}),
    };
    let key = match kind {
        "RenderingFailure" => "failure".to_string(),
        "DeliveryDelay" => "deliveryDelay".to_string(),
        k => k.to_lowercase(),
    };
    let mut ev = json!({"eventType": kind, "mail": mail});
    ev[key] = detail;
    ev.to_string()
}

fn configuration(rng: &mut Rng, round: u64) -> IngestConfig {
    let mut map: BTreeMap<&str, String> = BTreeMap::new();
    let set = |rng: &mut Rng| -> String {
        match rng.below(4) {
            0 => "all".into(),
            1 => String::new(), // the default
            _ => {
                let names: Vec<&str> = ALL_METRICS.iter().filter(|_| rng.below(3) == 0).copied().collect();
                if names.is_empty() { "none".into() } else { names.join(",") }
            }
        }
    };
    if round > 0 {
        map.insert("DOMAIN_METRICS", set(rng));
        map.insert("TOTAL_METRICS", set(rng));
        map.insert("TAG_METRICS", set(rng));
        map.insert(
            "TAG_VALUES",
            ["", "Campaign=spring-*", "EmailType=*;Campaign=*", "EmailType=news,welcome;Campaign=bf-*"]
                [rng.below(4) as usize]
                .into(),
        );
        map.insert("DOMAIN_GROUPING", ["domain", "provider"][rng.below(2) as usize].into());
        map.insert("TRACKED_PROVIDERS", ["", "all", "none", "gmail"][rng.below(4) as usize].into());
        map.insert("TRACKED_DOMAINS", ["", "example.org", "*"][rng.below(3) as usize].into());
    }
    IngestConfig::from_lookup(|k| map.get(k).cloned()).expect("valid configuration")
}

#[test]
fn emf_and_put_metric_data_publish_what_was_aggregated() {
    let base: DateTime<Utc> = "2026-11-26T09:00:00Z".parse().unwrap();
    let now = base + Duration::hours(1);
    let mut rng = Rng::new(20261126);
    let mut merged_docs = 0usize;
    let mut series_total = 0usize;
    for round in 0..60u64 {
        let cfg = configuration(&mut rng, round);
        // small batches over many minutes, and big ones in few (distributions over 100 samples)
        let (events, minutes) = [(1, 1), (5, 2), (100, 3), (400, 2)][(round % 4) as usize];
        let lines: Vec<String> = (0..events).map(|i| random_event(&mut rng, i, base, minutes)).collect();
        let batch = ingest(&cfg, &lines.join("\n"), now).batch;
        let emf = encode(&batch);
        let want = from_batch(&batch);
        let got = from_emf(&emf);
        assert_eq!(got, want, "round {round}: EMF against the series\n{emf:#?}");
        assert_eq!(from_datums(&batch), want, "round {round}: PutMetricData against the series");
        for line in &emf {
            let doc: Value = serde_json::from_str(line).unwrap();
            assert_eq!(doc["_aws"]["CloudWatchMetrics"].as_array().map(Vec::len), Some(1), "{line}");
            // A document naming the value behind `other` holds exactly that series' values.
            for s in batch.series.iter().filter(|s| s.other.is_some()) {
                let (dim, value) = &s.dimensions[0];
                if doc.get(dim).and_then(Value::as_str) != Some(value.as_str())
                    || doc.get(other_property(dim)).and_then(Value::as_str) != s.other.as_deref()
                    || doc["_aws"]["Timestamp"] != s.timestamp_ms
                {
                    continue;
                }
                for (n, v) in &s.counts {
                    assert_eq!(doc[*n], json!(v), "{line}");
                }
                let names: Vec<&str> = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["Name"].as_str().unwrap())
                    .filter(|n| *n != DELIVERY_LATENCY)
                    .collect();
                assert_eq!(names, s.counts.iter().map(|(n, _)| *n).collect::<Vec<_>>(), "{line}");
            }
        }
        if batch.series.iter().all(|s| s.latency.iter().map(|(_, c)| c).sum::<u64>() <= 100) {
            assert!(emf.len() <= batch.series.len(), "merging never adds documents");
        }
        merged_docs += emf.len();
        series_total += batch.series.len();
    }
    assert!(merged_docs < series_total, "documents {merged_docs} for {series_total} series");
}

#[test]
fn one_event_to_one_recipient_is_one_document() {
    let now: DateTime<Utc> = "2026-11-26T10:00:00Z".parse().unwrap();
    let send = r#"{"eventType":"Send","mail":{"timestamp":"2026-11-26T09:59:00Z","destination":["a@tail.example"],
        "tags":{"EmailType":["news"],"Campaign":["spring"]}}}"#;
    for cfg in [
        IngestConfig::default(),
        IngestConfig::from_lookup(|k| match k {
            "DOMAIN_METRICS" | "TAG_METRICS" => Some("all".into()),
            "TAG_VALUES" => Some("EmailType=*;Campaign=*".into()),
            _ => None,
        })
        .unwrap(),
    ] {
        let batch = ingest(&cfg, send, now).batch;
        assert_eq!(batch.series.len(), 4, "totals, domain, two tags");
        let emf = encode(&batch);
        assert_eq!(emf.len(), 1, "{emf:?}");
        let doc: Value = serde_json::from_str(&emf[0]).unwrap();
        assert_eq!(
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([[], ["RecipientDomain"], ["EmailType"], ["Campaign"]])
        );
        assert_eq!((doc["Send"].clone(), doc["RecipientDomain"].clone()), (json!(1), json!("other")));
        assert_eq!(doc["OtherRecipientDomain"], "tail.example", "the long tail is in the logs");
    }
}
