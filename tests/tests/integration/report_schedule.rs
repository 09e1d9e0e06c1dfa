//! The daily report as the stack wires it, end to end: the schedule of template.yaml fires (in
//! the emulator), what EventBridge hands the function is what reaches the real rate-reporter
//! binary, and the report goes out while the monitored configuration set is paused.
//!
//! - The rule is the template's `RateReporterFunction` `Schedule` event with its target input
//!   as declared (`Input`, `InputPath` or `InputTransformer`, if any); only the expression is
//!   `rate(1 minute)` so that ministack fires it within the test, and the target is an SQS queue
//!   (ministack cannot run our binary as a Lambda target), whose message body is exactly the
//!   payload Lambda would pass. With the old `Input: "{}"` that body was `{}`: the function could
//!   not know which day its schedule meant.
//! - That payload drives the real binary through the Lambda runtime emulator: the report covers
//!   the UTC day before the event's `time`. A replay three days later — the same event, the
//!   function's clock three days on — is the event with its `time` three days back against
//!   today's clock: it must report the day before *that* time, not yesterday.
//! - The monitored set (`ConfigurationSetName`) is paused first, as alarm-suppressor pauses it.
//!   ministack's SendEmail ignores configuration sets, so rate-reporter's SESv2 calls go through
//!   the recording proxy, and the test checks what SES would: the set the SendEmail request
//!   names exists and is not paused. With the old template the request named the paused set.

use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use ses_monitor_tests::lambda::{LambdaFunction, Template};
use ses_monitor_tests::ses_proxy::SesProxy;
use ses_monitor_tests::{ACCOUNT_ID, Emulator, REGION, create_ledger_table, create_ses_resources};

/// The stack's ledger table (rate-reporter's `LEDGER_TABLE`).
const LEDGER_TABLE: &str = "ses-monitor-ledger";

const REPORT_SENDER: &str = "reports@example.net";
const REPORT_RECIPIENTS: [&str; 2] = ["ops@example.net", "deliverability@example.net"];
/// The physical name CloudFormation would give the template's `ReportConfigurationSet`.
const REPORT_SET: &str = "ses-monitor-ReportConfigurationSet-1X2Y3Z";
const TARGET_QUEUE: &str = "ses-monitor-report-schedule-target";
/// ministack checks its rules every 10 s; `rate(1 minute)` first fires a minute after creation.
const FIRE_TIMEOUT: StdDuration = StdDuration::from_secs(100);

/// One EventBridge JSON API call on the emulator (ministack routes by `X-Amz-Target`).
async fn events_api(emu: &Emulator, action: &str, body: Value) -> Value {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
        .post(emu.endpoint_url())
        .header("x-amz-target", format!("AWSEvents.{action}"))
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("EventBridge {action}: {e}"));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "EventBridge {action}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduled_report_names_its_day_and_goes_out_while_sending_is_paused() {
    let emu = Emulator::start();
    let sdk = emu.sdk_config().await;
    let proxy = SesProxy::start(&emu.endpoint_url());
    let template = Template::load("ses-monitor")
        .with_parameter("ReportSender", REPORT_SENDER)
        .with_parameter("ReportRecipients", REPORT_RECIPIENTS.join(","))
        .with_resource_name("ReportConfigurationSet", REPORT_SET)
        .with_resource_name("LedgerTable", LEDGER_TABLE);
    let monitored = template.parameter("ConfigurationSetName").expect("ConfigurationSetName").to_string();

    // What the stack creates, and the monitored set paused as alarm-suppressor pauses it.
    create_ses_resources(&sdk, &[&monitored, REPORT_SET], REPORT_SENDER).await;
    // the ledger table: the report reads its offenders and alarm-suppressor's journal
    create_ledger_table(&sdk, LEDGER_TABLE).await;
    let sesv2 = aws_sdk_sesv2::Client::new(&sdk);
    sesv2
        .put_configuration_set_sending_options()
        .configuration_set_name(&monitored)
        .sending_enabled(false)
        .send()
        .await
        .expect("pause the monitored set");

    // The template's schedule, delivered to a queue in place of the function.
    let (id, function) = template
        .resources_of_type("AWS::Serverless::Function")
        .into_iter()
        .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == "rate-reporter")
        .expect("rate-reporter in template.yaml");
    let schedules: Vec<&Value> = function["Properties"]["Events"]
        .as_object()
        .map(|evs| evs.values().filter(|e| e["Type"] == "Schedule").collect())
        .unwrap_or_default();
    assert_eq!(schedules.len(), 1, "{id}: one Schedule event");
    let props = &schedules[0]["Properties"];
    assert!(props["Schedule"].is_object() || props["Schedule"].is_string(), "{props}");
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let queue_url = sqs.create_queue().queue_name(TARGET_QUEUE).send().await.expect("CreateQueue").queue_url;
    let queue_url = queue_url.expect("queue URL");
    let queue_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{TARGET_QUEUE}");
    events_api(
        &emu,
        "PutRule",
        json!({"Name": "ses-monitor-daily-report", "ScheduleExpression": "rate(1 minute)", "State": "ENABLED"}),
    )
    .await;
    let mut target = json!({"Id": "RateReporterFunction", "Arn": queue_arn});
    for k in ["Input", "InputPath", "InputTransformer"] {
        if let Some(v) = props.get(k) {
            target[k] = template.eval(v).unwrap_or_else(|e| panic!("{id} Schedule {k}: {e}"));
        }
    }
    let put =
        events_api(&emu, "PutTargets", json!({"Rule": "ses-monitor-daily-report", "Targets": [target]}))
            .await;
    assert_eq!(put["FailedEntryCount"], 0, "{put}");

    let t0 = Instant::now();
    let body = loop {
        let got = sqs
            .receive_message()
            .queue_url(&queue_url)
            .wait_time_seconds(5)
            .send()
            .await
            .expect("ReceiveMessage");
        if let Some(m) = got.messages().first() {
            break m.body().unwrap_or_default().to_string();
        }
        assert!(t0.elapsed() < FIRE_TIMEOUT, "the schedule did not fire within {FIRE_TIMEOUT:?}");
    };
    eprintln!("the schedule fired after {:.0?}: {body}", t0.elapsed());
    let event: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    assert_eq!(
        (&event["source"], &event["detail-type"]),
        (&json!("aws.events"), &json!("Scheduled Event")),
        "the function gets the Scheduled Event itself, not a fixed input: {body}"
    );
    let fired: DateTime<Utc> = event["time"]
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .unwrap_or_else(|| panic!("time: {body}"))
        .with_timezone(&Utc);

    // The real binary, as the template configures it; SESv2 through the recording proxy.
    let def = template.function("rate-reporter");
    assert_eq!(def.env["REPORT_CONFIGURATION_SET"], REPORT_SET);
    let reporter = LambdaFunction::start(
        &def,
        &[("AWS_ENDPOINT_URL", emu.endpoint_url()), ("AWS_ENDPOINT_URL_SESV2", proxy.endpoint_url())],
    )
    .await;
    let day_before = |t: DateTime<Utc>| {
        (t.date_naive() - Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight").and_utc()
    };
    let secs = |t: DateTime<Utc>| json!(t.to_rfc3339_opts(SecondsFormat::Secs, true));
    let got = reporter.invoke(&event).await.unwrap_or_else(|e| panic!("rate-reporter: {e}"));
    assert_eq!(got["report"]["start"], secs(day_before(fired)), "{got}");

    // A replay three days later (the failed-invocations queue replayed, or a Lambda retry).
    let mut replay = event.clone();
    let three_days_earlier = fired - Duration::days(3);
    replay["time"] = json!(three_days_earlier.to_rfc3339_opts(SecondsFormat::Secs, true));
    let got = reporter.invoke(&replay).await.unwrap_or_else(|e| panic!("rate-reporter replay: {e}"));
    assert_eq!(got["report"]["start"], secs(day_before(three_days_earlier)), "the schedule's day: {got}");
    assert_ne!(got["report"]["start"], secs(day_before(Utc::now())), "not the day before the replay");

    // Both reports went out, through a set that is not paused; the monitored one still is.
    assert_eq!(got["email"]["sent"], true, "{got}");
    let sends: Vec<Value> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/v2/email/outbound-emails")
        .map(|r| r.body)
        .collect();
    assert_eq!(sends.len(), 2, "{sends:?}");
    for s in &sends {
        let set = s["ConfigurationSetName"].as_str().unwrap_or_else(|| panic!("no configuration set: {s}"));
        assert_ne!(set, monitored, "the report is sent through the paused, monitored set");
        let state =
            sesv2.get_configuration_set().configuration_set_name(set).send().await.expect("the set exists");
        assert!(state.sending_options().is_none_or(|o| o.sending_enabled()), "{set} is paused");
    }
    let monitored_state =
        sesv2.get_configuration_set().configuration_set_name(&monitored).send().await.expect("monitored set");
    assert_eq!(monitored_state.sending_options().map(|o| o.sending_enabled()), Some(false));
    assert_eq!(emu.sent_emails().len(), 2);
}
