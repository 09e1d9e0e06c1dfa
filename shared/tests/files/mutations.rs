//! Bad input never panics: every payload of `events/`, `events/alarms/` and the shared corpus,
//! mutated many ways (structure-aware: a value anywhere — also inside the JSON that SNS and SQS
//! carry as strings — replaced by a hostile one; and byte-level: truncated, bytes flipped), goes
//! through what each function does with a payload: ses-events' ingest and both metric encodings,
//! alarm-suppressor's handler on in-memory backends, rate-reporter's window request.
//!
//! Deterministic (a fixed seed per file), so a failure reproduces: the payload that panicked is
//! written under `target/mutation-failures/`. `MUTATIONS_PER_FILE` (default 40) sets the depth;
//! a longer local run: `MUTATIONS_PER_FILE=2000 cargo test --release -p ses-monitor --test files
//! mutations::`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;
use ses_monitor::alarm::parse_alarms;
use ses_monitor::alarm::states::MemoryAlarms;
use ses_monitor::envelope::{self, Units};
use ses_monitor::ingest;
use ses_monitor::ledger::{Ledger, MemoryLedger};
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::report;
use ses_monitor::ses::{self, SesDocuments};
use ses_monitor::sesv2::MemorySes;
use ses_monitor::sink::cloudwatch::{datums, plan_requests};
use ses_monitor::sink::emf;
use ses_monitor::store::MemoryStore;
use ses_monitor::suppress::{self, Deps, SuppressorConfig};

/// Values that have broken parsers elsewhere: empty and huge strings, control characters,
/// address edge cases, IDN, numbers out of every range, wrong types.
const HOSTILE: &[&str] = &[
    r#""""#,
    r#"" ""#,
    r#""\u0000""#,
    r#""\ufffd\u0007\u001b[31m""#,
    r#""@""#,
    r#""<>""#,
    r#""\"x\" <@>""#,
    r#""a@b@c""#,
    r#""user@""#,
    r#""@example.com""#,
    r#""user@xn--""#,
    r#""user@xn--zz""#,
    r#""Ünïcödé <üser@bücher.de>""#,
    r#""user@例え.テスト""#,
    r#""user@[127.0.0.1]""#,
    r#""user@.""#,
    r#""user@a..b""#,
    r#""😀@😀.😀""#,
    r#""\u202euser@example.com""#,
    r#""=?utf-8?B?w7w=?= <a@b.c>""#,
    r#""2026-13-45T99:99:99Z""#,
    r#""0000-01-01T00:00:00Z""#,
    r#""9999-12-31T23:59:59.999999999Z""#,
    r#""not json {""#,
    r#""{\"eventType\":\"Bounce\"}""#,
    r#""{\"notificationType\":\"Bounce\",\"bounce\":null,\"mail\":null}""#,
    "0",
    "-1",
    "1.7976931348623157e308",
    "-1e308",
    "18446744073709551616",
    "-9223372036854775809",
    "0.5",
    "true",
    "null",
    "[]",
    "{}",
    "[null]",
    r#"[{}]"#,
    r#"{"":""}"#,
    r#"["first@example.com","second@example.org"]"#,
    r#"[1,"a@example.com"]"#,
];

/// A small deterministic generator (xorshift64*), enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Every value in a document, as paths; strings holding JSON are entered (they are where SNS
/// and SQS carry the SES event and the alarm).
fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_nodes).sum(),
        Value::Object(o) => o.values().map(count_nodes).sum(),
        Value::String(s) => nested_json(s).map_or(0, |inner| count_nodes(&inner)),
        _ => 0,
    }
}

fn nested_json(s: &str) -> Option<Value> {
    let t = s.trim_start();
    if t.starts_with('{') || t.starts_with('[') { serde_json::from_str(t).ok() } else { None }
}

/// Replaces the `target`-th node (pre-order, as [`count_nodes`] counts) with `with`, or deletes
/// it from its object when `with` is `None`. Returns whether it was reached.
fn replace_node(v: &mut Value, target: &mut usize, with: &Option<Value>) -> bool {
    if *target == 0 {
        if let Some(w) = with {
            *v = w.clone();
        } else {
            *v = Value::Null;
        }
        return true;
    }
    *target -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|x| replace_node(x, target, with)),
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            for k in keys {
                if *target == 0 && with.is_none() {
                    o.remove(&k);
                    return true;
                }
                if replace_node(o.get_mut(&k).expect("key"), target, with) {
                    return true;
                }
            }
            false
        }
        Value::String(s) => {
            let Some(mut inner) = nested_json(s) else { return false };
            let hit = replace_node(&mut inner, target, with);
            if hit {
                *s = inner.to_string();
            }
            hit
        }
        _ => false,
    }
}

fn mutate(original: &str, rng: &mut Rng) -> String {
    let parsed: Option<Value> = serde_json::from_str(original).ok();
    match (rng.below(5), parsed) {
        // a value anywhere, also inside nested JSON strings, becomes a hostile one
        (0..=2, Some(mut doc)) => {
            let n = count_nodes(&doc);
            let mut target = rng.below(n);
            let with = if rng.below(8) == 0 {
                None
            } else {
                let h = HOSTILE[rng.below(HOSTILE.len())];
                Some(serde_json::from_str(h).unwrap_or_else(|e| panic!("HOSTILE entry {h}: {e}")))
            };
            replace_node(&mut doc, &mut target, &with);
            doc.to_string()
        }
        // truncated
        (3, _) => {
            let mut cut = rng.below(original.len() + 1);
            while !original.is_char_boundary(cut) {
                cut -= 1;
            }
            original[..cut].to_string()
        }
        // bytes flipped (kept valid UTF-8: the runtime hands the function a str)
        _ => {
            let mut bytes = original.as_bytes().to_vec();
            for _ in 0..1 + rng.below(4) {
                if bytes.is_empty() {
                    break;
                }
                let i = rng.below(bytes.len());
                bytes[i] = b"{}[]\",:\\0a@. \n"[rng.below(14)];
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    }
}

/// Everything the three functions do with a payload, on in-memory backends.
fn exercise(payload: &str, now: DateTime<Utc>, rt: &tokio::runtime::Runtime) {
    // ses-events
    let cfg = IngestConfig::default();
    let ingested = ingest::ingest(&cfg, payload, now);
    let _ = emf::encode(&ingested.batch);
    let _ = plan_requests(datums(&ingested.batch));
    let _ = serde_json::to_string(&ingested.summary).expect("the summary serialises");
    // alarm-suppressor, with the ledger holding what ses-events would have written
    let ledger = MemoryLedger::default();
    let scfg = SuppressorConfig::from_lookup(|k| match k {
        "LEDGER_TABLE" => Some("ledger".into()),
        "PAUSE_ON_ALARMS" => Some("*".into()),
        "CONFIGURATION_SET" => Some("marketing".into()),
        _ => None,
    })
    .expect("configuration");
    let ses = MemorySes::default();
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
    rt.block_on(async {
        ledger.record(&ingested.ledger_entries).await.expect("memory ledger");
        let _ = suppress::handle(&scfg, &deps, payload, now).await;
    });
    for notice in parse_alarms(payload).into_iter().flatten() {
        let _ = notice.window(chrono::Duration::minutes(15), now);
        let _ = notice.scope(&[]);
    }
    // rate-reporter
    let _ = report::window(payload, now);
}

/// The quick reader (a Lambda event's records and an SNS envelope read by hand, issue 13) reads
/// what the serde probe reads, on every seed payload and its mutations; where it is not sure, it
/// leaves the text to the probe (which must leave it a good part of them: the Lambda events and
/// SNS envelopes among the samples).
#[test]
fn the_quick_reader_reads_what_the_probe_reads() {
    let (mut differ, mut taken, mut runs) = (Vec::new(), 0usize, 0usize);
    for_each_mutated_payload(|name, i, payload| {
        runs += 1;
        match envelope::quick_reader_agrees(payload) {
            Ok(took) => taken += usize::from(took),
            Err(e) => differ.push(format!("{name} mutation {i}: {e}")),
        }
    });
    assert!(differ.is_empty(), "{} payloads read differently:\n{}", differ.len(), differ.join("\n"));
    assert!(taken * 5 > runs, "the quick reader took only {taken} of {runs} payloads");
}

/// The quick SES reader (issue 13) reads every SES document as serde does: each payload and
/// mutation as it is (an archive's line, a raw SQS body), and every document the envelope reader
/// finds in it (an SNS `Message`, an SQS body, a JSON line, an EventBridge `detail`: the
/// mutations reach inside those too). Where it is not sure, it leaves the document to serde,
/// which must be the exception: most documents are in SES's plain form.
#[test]
fn the_quick_ses_reader_reads_what_serde_reads() {
    let (mut differ, mut taken, mut docs, mut escaped) = (Vec::new(), 0usize, 0usize, 0usize);
    for_each_mutated_payload(|name, i, payload| {
        let mut units: Vec<envelope::Unit<'_>> = Vec::new();
        envelope::read::<SesDocuments>(payload, &mut units);
        let texts = units.iter().filter_map(|u| u.content.as_deref().ok());
        for (n, text) in std::iter::once(payload).chain(texts).enumerate() {
            match ses::quick_reader_agrees(text) {
                // the share is of the documents the envelope reader found (not of the payloads)
                Ok(took) if n > 0 => (docs, taken) = (docs + 1, taken + usize::from(took)),
                Ok(_) => {}
                Err(e) => differ.push(format!("{name} mutation {i}: {e}")),
            }
            match ses::escaped_reader_agrees(text) {
                Ok(took) if n > 0 => escaped += usize::from(took),
                Ok(_) => {}
                Err(e) => differ.push(format!("{name} mutation {i}, escaped: {e}")),
            }
        }
    });
    assert!(differ.is_empty(), "{} documents read differently:\n{}", differ.len(), differ.join("\n"));
    eprintln!("the quick SES reader took {taken} of {docs} documents, {escaped} also escaped once and twice");
    assert!(taken * 10 > docs * 8, "the quick SES reader took only {taken} of {docs} documents");
    // it leaves a string `processingTimeMillis` to the caller (its raw text would be escaped)
    assert!(escaped * 10 > taken * 9, "the escaped reader took only {escaped} of {taken} documents");
}

/// Every seed payload (the sample files, the corpus, [`eventbridge_seeds`]) and
/// `MUTATIONS_PER_FILE` (40) mutations of each, handed to `check` with its seed's name and the
/// mutation's number (0 = the seed itself).
fn for_each_mutated_payload(mut check: impl FnMut(&str, usize, &str)) {
    let per_file: usize = std::env::var("MUTATIONS_PER_FILE").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let files = seeds().into_iter().map(|(name, path)| {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        (name, text)
    });
    for (name, original) in files.chain(eventbridge_seeds()) {
        let mut rng = Rng::new(seed_of(&name));
        for i in 0..=per_file {
            let payload = if i == 0 { original.clone() } else { mutate(&original, &mut rng) };
            check(&name, i, &payload);
        }
    }
}

/// EventBridge SES events (what `EventsDelivery=eventbridge` delivers through SQS), made from the
/// SES documents of `events/` (no sample file has one): each on its own, and all of them as the
/// bodies of one SQS batch.
fn eventbridge_seeds() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    for (name, path) in seeds().iter().filter(|(n, _)| n.starts_with("events/sns-")) {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(message) = v["Records"][0]["Sns"]["Message"].as_str() else { continue };
        let Ok(detail) = serde_json::from_str::<Value>(message) else { continue };
        let event = serde_json::json!({
            "version": "0", "id": format!("eb-{name}"), "detail-type": "Email Delivered",
            "source": "aws.ses", "account": "123456789012", "time": "2026-11-26T09:30:00Z",
            "region": "us-east-1", "resources": [], "detail": detail,
        });
        docs.push((format!("eventbridge/{name}"), event.to_string()));
    }
    let records: Vec<Value> = docs
        .iter()
        .enumerate()
        .map(|(i, (_, body))| serde_json::json!({"messageId": format!("m{i}"), "eventSource": "aws:sqs", "body": body}))
        .collect();
    assert!(records.len() >= 10, "events/ has its SNS samples");
    docs.push(("eventbridge/sqs-batch".to_string(), serde_json::json!({ "Records": records }).to_string()));
    docs
}

/// The seed payloads, each named by its path under the repository or the corpus (the name
/// seeds its mutations, so a failure reproduces in any checkout).
fn seeds() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = vec![("events".to_string(), root.join("events"))];
    let corpus = root.join("../shared/corpus");
    if corpus.is_dir() {
        dirs.push(("corpus".to_string(), corpus));
    } else {
        crate::skip_notice(format_args!("{} not found: mutating events/ only", corpus.display()));
    }
    fn walk(name: &str, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            let file = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            if p.is_dir() {
                walk(&format!("{name}/{file}"), &p, out);
            } else if p.extension().is_some_and(|e| e == "json" || e == "jsonl") {
                out.push((format!("{name}/{file}"), p));
            }
        }
    }
    let mut files = Vec::new();
    for (name, dir) in dirs {
        walk(&name, &dir, &mut files);
    }
    files
}

#[test]
fn mutated_payloads_never_panic() {
    let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().expect("time");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/mutation-failures");
    let seed_files = seeds().len();
    assert!(seed_files >= 20, "seed payloads found: {seed_files}");
    let mut failures = Vec::new();
    let mut runs = 0usize;
    for_each_mutated_payload(|name, i, payload| {
        runs += 1;
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| exercise(payload, now, &rt))) {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            std::fs::create_dir_all(&out_dir).expect("failure folder");
            let file = out_dir.join(format!("{}-{i}.json", failures.len()));
            std::fs::write(&file, payload).expect("write the failing payload");
            failures.push(format!("{name} mutation {i}: {msg} (payload: {})", file.display()));
        }
    });
    eprintln!("{runs} payloads ({seed_files} seed files and the EventBridge seeds, each with its mutations)");
    assert!(failures.is_empty(), "{} payloads panicked:\n{}", failures.len(), failures.join("\n"));
}

/// One parse per document (issue 13): ses-events reads a document that is an SES event as it is
/// (an archive's line, a raw SQS body, SES JSON) or an EventBridge SES event (its `detail`) with
/// one parse, without the envelope reader's probe. For every seed payload and its mutations, that reads exactly what the probe path reads
/// (summary, metrics, ledger entries): the envelope reader's units, each handed to the same
/// counting.
#[test]
fn the_one_parse_path_reads_what_the_probe_path_reads() {
    let now: DateTime<Utc> = "2026-11-27T10:00:00Z".parse().expect("time");
    let cfg = IngestConfig::default();
    let mut differ = Vec::new();
    let mut runs = 0usize;
    for_each_mutated_payload(|name, i, payload| {
        runs += 1;
        let one_parse = ingest::ingest(&cfg, payload, now);
        let mut units: Vec<envelope::Unit<'_>> = Vec::new();
        envelope::read::<SesDocuments>(payload, &mut units);
        let mut reader = ingest::Reader::new(&cfg, now);
        for unit in units {
            reader.push(unit);
        }
        let probed = reader.finish();
        if (&one_parse.summary, &one_parse.batch, &one_parse.ledger_entries)
            != (&probed.summary, &probed.batch, &probed.ledger_entries)
        {
            differ.push(format!("{name} mutation {i}: {:?}\n  vs {:?}", one_parse.summary, probed.summary));
        }
    });
    assert!(runs > 100);
    assert!(differ.is_empty(), "{} payloads read differently:\n{}", differ.len(), differ.join("\n"));
}
