//! Pause holders under concurrency and reordering (issue 10, item 1), with the real
//! alarm-suppressor binary against the local AWS emulator: DescribeAlarms and SetAlarmState on
//! its CloudWatch, the lease and the journal in its DynamoDB, the configuration set and its tags
//! on its SESv2. Each invocation is the binary run once with `--event` (what Lambda runs, without
//! the runtime: it starts in a few milliseconds), configured as template.yaml configures it with
//! `PauseOnAlarm=true`.
//!
//! - [`concurrent_notifications_never_resume_while_an_alarm_holds_the_pause`]: two pause alarms,
//!   A and B; in each trial they go through ALARM/OK in the orderings of the issue (both ALARMs at
//!   once; B's OK with A's ALARM replayed; A's OK racing B's ALARM; …), every step's notifications
//!   run as concurrent processes, in an order that changes from trial to trial, each started right
//!   after its alarm's state change. After every step: sending is paused exactly when an alarm is
//!   in ALARM, and the holder tags name exactly those alarms. The issue measured 7 failures in 10
//!   trials of this with the binary before the change.
//! - [`notifications_out_of_order_act_on_the_current_state`]: an OK delivered before its ALARM,
//!   and an ALARM replayed (as the failure queue keeps it) after the alarm recovered.
//!
//! `PAUSE_TRIALS` sets the number of trials (default 200).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};
use serde_json::{Value, json};
use ses_monitor::sesv2::holders_from_tags;
use ses_monitor_tests::lambda::{Template, function_binary};
use ses_monitor_tests::{ACCOUNT_ID, Emulator, REGION, create_ledger_table, target_dir, test_credentials};

const STACK: &str = "ses-monitor";
const LEDGER_TABLE: &str = "ses-monitor-ledger";

/// The two pause alarms of the template the test drives (both in PAUSE_ON_ALARMS).
fn alarm_names() -> (String, String) {
    (format!("{STACK}-bounce-rate"), format!("{STACK}-complaint-rate"))
}

/// The emulator, the alarms, the configuration set, the table; and the binary's environment.
struct Bench {
    emu: Emulator,
    cw: aws_sdk_cloudwatch::Client,
    sesv2: aws_sdk_sesv2::Client,
    config_set: String,
    env: Vec<(String, String)>,
    bin: PathBuf,
    dir: PathBuf,
}

impl Bench {
    async fn new(name: &str) -> Self {
        let emu = Emulator::start();
        let sdk = emu.sdk_config().await;
        create_ledger_table(&sdk, LEDGER_TABLE).await;
        let template = Template::load(STACK)
            .with_parameter("PauseOnAlarm", "true")
            .with_resource_name("LedgerTable", LEDGER_TABLE);
        let def = template.function("alarm-suppressor");
        let (a, b) = alarm_names();
        let paused: Vec<&str> = def.env["PAUSE_ON_ALARMS"].split(',').collect();
        assert!(paused.contains(&a.as_str()) && paused.contains(&b.as_str()), "{paused:?}");
        let config_set = def.env["CONFIGURATION_SET"].clone();
        let sesv2 = aws_sdk_sesv2::Client::new(&sdk);
        sesv2
            .create_configuration_set()
            .configuration_set_name(&config_set)
            .send()
            .await
            .expect("config set");
        let cw = aws_sdk_cloudwatch::Client::new(&sdk);
        for (alarm, metric) in [(&a, "Reputation.BounceRate"), (&b, "Reputation.ComplaintRate")] {
            // No actions: the test delivers the notifications itself, in the orders it wants.
            cw.put_metric_alarm()
                .alarm_name(alarm)
                .namespace("AWS/SES")
                .metric_name(metric)
                .statistic(Statistic::Average)
                .period(3600)
                .evaluation_periods(1)
                .threshold(0.05)
                .comparison_operator(ComparisonOperator::GreaterThanThreshold)
                .send()
                .await
                .expect("PutMetricAlarm");
        }
        let creds = test_credentials();
        let mut env: Vec<(String, String)> = def.env.into_iter().collect();
        env.extend([
            ("AWS_ENDPOINT_URL".into(), emu.endpoint_url()),
            ("AWS_REGION".into(), REGION.into()),
            ("AWS_ACCESS_KEY_ID".into(), creds.access_key_id().into()),
            ("AWS_SECRET_ACCESS_KEY".into(), creds.secret_access_key().into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("RUST_LOG".into(), "warn".into()),
        ]);
        let dir = target_dir().join("pause-concurrency").join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("payload directory");
        let empty = dir.join("empty-aws-config");
        std::fs::write(&empty, "").expect("empty AWS config");
        env.push(("AWS_CONFIG_FILE".into(), empty.display().to_string()));
        env.push(("AWS_SHARED_CREDENTIALS_FILE".into(), empty.display().to_string()));
        Self { emu, cw, sesv2, config_set, env, bin: function_binary("alarm-suppressor"), dir }
    }

    async fn set_alarm(&self, alarm: &str, state: StateValue) {
        self.cw
            .set_alarm_state()
            .alarm_name(alarm)
            .state_value(state)
            .state_reason("test")
            .send()
            .await
            .expect("SetAlarmState");
    }

    /// A notification of `alarm` announcing `state`, as SNS delivers it to the function; written
    /// once to a file the processes read.
    fn notification(&self, alarm: &str, state: &str) -> PathBuf {
        let path = self.dir.join(format!("{alarm}-{state}.json"));
        if !path.exists() {
            let metric = if alarm.ends_with("bounce-rate") {
                "Reputation.BounceRate"
            } else {
                "Reputation.ComplaintRate"
            };
            let message = json!({
                "AlarmName": alarm, "AWSAccountId": ACCOUNT_ID, "NewStateValue": state,
                "NewStateReason": "test", "StateChangeTime": "2026-11-27T09:45:00.000+0000",
                "Region": REGION, "OldStateValue": if state == "ALARM" { "OK" } else { "ALARM" },
                "Trigger": {"MetricName": metric, "Namespace": "AWS/SES", "Statistic": "AVERAGE",
                    "Dimensions": [], "Period": 3600, "EvaluationPeriods": 1,
                    "ComparisonOperator": "GreaterThanThreshold", "Threshold": 0.05}
            });
            let event = json!({"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                "Sns": {"Type": "Notification", "Message": message.to_string()}}]});
            std::fs::write(&path, event.to_string()).expect("payload file");
        }
        path
    }

    /// Starts one run of the binary on a payload file.
    fn spawn(&self, payload: &Path) -> std::process::Child {
        Command::new(&self.bin)
            .arg("--event")
            .arg(payload)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.bin.display()))
    }

    /// (sending enabled, the holders its tags name).
    async fn sending(&self) -> (bool, Vec<String>) {
        let out = self
            .sesv2
            .get_configuration_set()
            .configuration_set_name(&self.config_set)
            .send()
            .await
            .expect("GetConfigurationSet");
        let enabled = out.sending_options().is_none_or(|o| o.sending_enabled());
        (enabled, holders_from_tags(out.tags().iter().map(|t| (t.key(), t.value()))))
    }

    /// The pause alarms in ALARM now, sorted.
    async fn in_alarm(&self) -> Vec<String> {
        let (a, b) = alarm_names();
        let out =
            self.cw.describe_alarms().alarm_names(a).alarm_names(b).send().await.expect("DescribeAlarms");
        let mut v: Vec<String> = out
            .metric_alarms()
            .iter()
            .filter(|m| m.state_value() == Some(&StateValue::Alarm))
            .filter_map(|m| m.alarm_name().map(String::from))
            .collect();
        v.sort();
        v
    }

    /// Back to the start: both alarms OK, sending on, no holder tags.
    async fn reset(&self) {
        let (a, b) = alarm_names();
        self.set_alarm(&a, StateValue::Ok).await;
        self.set_alarm(&b, StateValue::Ok).await;
        self.sesv2
            .put_configuration_set_sending_options()
            .configuration_set_name(&self.config_set)
            .sending_enabled(true)
            .send()
            .await
            .expect("PutConfigurationSetSendingOptions");
        let arn = format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:configuration-set/{}", self.config_set);
        let keys: Vec<String> = [a, b].iter().map(|n| ses_monitor::sesv2::holder_tag_key(n)).collect();
        self.sesv2
            .untag_resource()
            .resource_arn(arn)
            .set_tag_keys(Some([vec![ses_monitor::sesv2::PAUSED_BY_TAG.to_string()], keys].concat()))
            .send()
            .await
            .expect("UntagResource");
    }
}

/// Waits for a run and returns its result JSON (the last stdout line); panics with its stderr
/// when it failed.
fn finish(child: std::process::Child, what: &str) -> Value {
    let Output { status, stdout, stderr } = child.wait_with_output().expect("wait for the binary");
    let out = String::from_utf8_lossy(&stdout);
    let err = String::from_utf8_lossy(&stderr);
    assert!(status.success(), "{what}: exit {status}\n{err}");
    let last = out.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{what}: result JSON: {e}: {out}\n{err}"))
}

/// One step: for each (alarm, state change or none, notification): change the alarm's state,
/// then start the run of the notification at once; all runs go concurrently.
type Step<'a> = &'a [(&'a str, Option<StateValue>, &'a str)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_notifications_never_resume_while_an_alarm_holds_the_pause() {
    let bench = Bench::new("concurrent").await;
    let trials: usize = std::env::var("PAUSE_TRIALS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let (a, b) = alarm_names();
    let (a, b) = (a.as_str(), b.as_str());
    use StateValue::{Alarm, Ok as Okay};
    // The orderings of the issue, and the stale deliveries SNS and the failure queue produce.
    let scenario: [(&str, Step); 5] = [
        ("both alarms go to ALARM at once", &[(a, Some(Alarm), "ALARM"), (b, Some(Alarm), "ALARM")]),
        ("B recovers; A's ALARM delivered again", &[(b, Some(Okay), "OK"), (a, None, "ALARM")]),
        ("A's OK races B's ALARM", &[(a, Some(Okay), "OK"), (b, Some(Alarm), "ALARM")]),
        ("A fires again while B recovers", &[(b, Some(Okay), "OK"), (a, Some(Alarm), "ALARM")]),
        ("A recovers; B's old ALARM replayed late", &[(a, Some(Okay), "OK"), (b, None, "ALARM")]),
    ];
    let started = Instant::now();
    let mut runs = 0usize;
    let mut outcomes = BTreeSet::new();
    for trial in 0..trials {
        bench.reset().await;
        for (s, (what, step)) in scenario.iter().enumerate() {
            // The order of the step's entries changes from trial to trial.
            let mut order: Vec<usize> = (0..step.len()).collect();
            if (trial + s) % 2 == 1 {
                order.reverse();
            }
            let mut children = Vec::new();
            for i in order {
                let (alarm, change, notified) = &step[i];
                if let Some(state) = change {
                    bench.set_alarm(alarm, state.clone()).await;
                }
                children
                    .push((format!("{alarm} {notified}"), bench.spawn(&bench.notification(alarm, notified))));
            }
            let results = tokio::task::spawn_blocking(move || {
                children.into_iter().map(|(what, c)| finish(c, &what)).collect::<Vec<Value>>()
            })
            .await
            .expect("runs");
            runs += results.len();
            for r in &results {
                if let Some(s) = r["alarms"][0]["sending"].as_str() {
                    outcomes.insert(s.split(':').next().unwrap_or_default().to_string());
                }
            }
            let in_alarm = bench.in_alarm().await;
            let (enabled, holders) = bench.sending().await;
            assert_eq!(
                enabled,
                in_alarm.is_empty(),
                "trial {trial}, step {s} ({what}): sending enabled={enabled} with {in_alarm:?} in ALARM; results {results:?}"
            );
            assert_eq!(
                holders, in_alarm,
                "trial {trial}, step {s} ({what}): holder tags; results {results:?}"
            );
        }
    }
    eprintln!(
        "{trials} trials, {runs} runs of {} in {:.1?} ({:.0} ms a run, 2 at a time); outcomes seen: {outcomes:?}",
        bench.bin.display(),
        started.elapsed(),
        started.elapsed().as_millis() as f64 / runs as f64 * 2.0
    );
    // Every kind of decision was exercised.
    for o in ["paused", "already_paused", "resumed"] {
        assert!(outcomes.contains(o), "{o} never happened: {outcomes:?}");
    }
    drop(bench.emu);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_out_of_order_act_on_the_current_state() {
    let bench = Bench::new("ordering").await;
    let (a, _) = alarm_names();
    let run = |state: &str| finish(bench.spawn(&bench.notification(&a, state)), state);

    // The alarm fired and recovered; its OK is delivered before its ALARM.
    bench.set_alarm(&a, StateValue::Alarm).await;
    bench.set_alarm(&a, StateValue::Ok).await;
    let ok = run("OK");
    let late = run("ALARM");
    assert_eq!(bench.sending().await, (true, vec![]), "the late ALARM paused nothing: {ok} {late}");
    assert_eq!(ok["alarms"][0]["sending"], "not_paused:ses-monitor", "{ok}");
    assert_eq!(late["alarms"][0]["sending"], "not_paused:ses-monitor", "{late}");

    // It fires and the ALARM is handled; it recovers and the OK resumes; hours later the ALARM
    // is replayed from the failure queue (an invocation record): it stays resumed.
    bench.set_alarm(&a, StateValue::Alarm).await;
    assert_eq!(run("ALARM")["alarms"][0]["sending"], "paused:ses-monitor");
    assert_eq!(bench.sending().await, (false, vec![a.clone()]));
    bench.set_alarm(&a, StateValue::Ok).await;
    assert_eq!(run("OK")["alarms"][0]["sending"], "resumed:ses-monitor");
    let record = json!({"version": "1.0", "timestamp": "2026-11-27T15:00:00.000Z",
        "requestContext": {"requestId": "r-1", "condition": "RetriesExhausted", "approximateInvokeCount": 3},
        "requestPayload": serde_json::from_str::<Value>(&std::fs::read_to_string(bench.notification(&a, "ALARM")).unwrap()).unwrap(),
        "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
        "responsePayload": {"errorMessage": "SES throttled"}});
    let replay = bench.dir.join("replay.json");
    std::fs::write(&replay, record.to_string()).unwrap();
    let r = finish(bench.spawn(&replay), "replay");
    assert_eq!(bench.sending().await, (true, vec![]), "the replayed ALARM paused nothing: {r}");
    assert_eq!(r["alarms"][0]["sending"], "not_paused:ses-monitor", "{r}");
}
