//! Tests of the alarm model and its parsing.

use super::*;
use crate::time::parse_cloudwatch as parse_time;
use serde_json::json;

fn one(payload: &str) -> Result<AlarmNotice, AlarmSkip> {
    let mut v = parse_alarms(payload);
    assert_eq!(v.len(), 1, "{v:?}");
    v.remove(0)
}

fn reason(payload: &str) -> AlarmSkipReason {
    one(payload).expect_err("a skip").reason
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn sns_alarm(trigger: serde_json::Value) -> serde_json::Value {
    json!({
        "AlarmName": "ses-bounce-gmail", "AWSAccountId": "123456789012",
        "NewStateValue": "ALARM", "OldStateValue": "OK", "NewStateReason": "Threshold Crossed",
        "StateChangeTime": "2024-05-01T10:00:00.000+0000", "Region": "EU (Ireland)",
        "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:ses-bounce-gmail",
        "Trigger": trigger
    })
}

fn sns_event(messages: &[String]) -> String {
    let records: Vec<_> = messages
        .iter()
        .map(|m| json!({"EventSource": "aws:sns", "Sns": {"Type": "Notification", "Message": m}}))
        .collect();
    json!({ "Records": records }).to_string()
}

fn single(domain: &str) -> serde_json::Value {
    sns_alarm(json!({
        "MetricName": "HardBounce", "Namespace": "Custom/SES", "Statistic": "SUM",
        "Dimensions": [{"name": "RecipientDomain", "value": domain}],
        "Period": 300, "EvaluationPeriods": 3, "DatapointsToAlarm": 2,
        "ComparisonOperator": "GreaterThanThreshold", "Threshold": 5.0,
        "TreatMissingData": "- TreatMissingData:                    missing"
    }))
}

fn math(d1: &str, d2: &str) -> serde_json::Value {
    sns_alarm(json!({
        "Period": "60", "EvaluationPeriods": "2",
        "Metrics": [
            {"Id": "e1", "Expression": "m1/m2", "ReturnData": true},
            {"Id": "m1", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum",
              "Metric": {"Namespace": "Custom/SES", "MetricName": "Bounce",
                         "Dimensions": [{"name": "RecipientDomain", "value": d1}]}}},
            {"Id": "m2", "ReturnData": false, "MetricStat": {"Period": 60, "Stat": "Sum",
              "Metric": {"Namespace": "Custom/SES", "MetricName": "Send",
                         "Dimensions": [{"name": "RecipientDomain", "value": d2}]}}}
        ]
    }))
}

fn notice(v: &serde_json::Value) -> AlarmNotice {
    one(&sns_event(&[v.to_string()])).unwrap()
}

fn direct(metrics: serde_json::Value) -> serde_json::Value {
    json!({
        "source": "aws.cloudwatch",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:111122223333:alarm:ses-x",
        "accountId": "111122223333", "time": "2024-02-17T11:53:08.431+0000",
        "region": "us-east-1",
        "alarmData": {
            "alarmName": "ses-x",
            "state": {"value": "ALARM", "reason": "r", "timestamp": "2024-02-17T11:53:08.431+0000"},
            "previousState": {"value": "OK", "reason": "p", "timestamp": "2024-02-17T11:00:00.000+0000"},
            "configuration": {"metrics": metrics}
        }
    })
}

#[test]
fn sns_single_metric() {
    let n = notice(&single("gmail.com"));
    assert_eq!(n.name, "ses-bounce-gmail");
    assert_eq!(n.state, AlarmState::Alarm);
    assert_eq!(n.previous_state, Some(AlarmState::Ok));
    assert_eq!(n.state_change_time, Some(t("2024-05-01T10:00:00Z")));
    assert_eq!(n.region.as_deref(), Some("EU (Ireland)"));
    assert_eq!(n.format, AlarmFormat::SnsNotification);
    assert!(!n.composite);
    assert_eq!(n.metrics.len(), 1);
    let m = &n.metrics[0];
    assert_eq!(m.namespace.as_deref(), Some("Custom/SES"));
    assert_eq!(m.name, "HardBounce");
    assert_eq!(m.stat.as_deref(), Some("SUM"));
    assert_eq!(m.dimensions, vec![("RecipientDomain".into(), "gmail.com".into())]);
    assert_eq!((n.period_s, n.evaluation_periods, n.datapoints_to_alarm), (Some(300), Some(3), Some(2)));
}

#[test]
fn sns_metric_math_with_numbers_as_strings() {
    let n = notice(&math("gmail.com", "gmail.com"));
    assert_eq!(n.expressions, vec!["m1/m2".to_string()]);
    assert_eq!(n.metrics.len(), 2);
    assert_eq!(n.metrics[0].id.as_deref(), Some("m1"));
    assert_eq!(n.metrics[1].name, "Send");
    assert_eq!((n.period_s, n.evaluation_periods), (Some(60), Some(2)));
    assert!(!n.composite);
}

#[test]
fn several_records_and_transports() {
    let a = single("gmail.com").to_string();
    let envelope = json!({"Type": "Notification", "Message": a}).to_string();
    // SNS→Lambda with two records, a plain-text message and a confirmation.
    let ev = json!({"Records": [
        {"EventSource": "aws:sns", "Sns": {"Message": a}},
        {"EventSource": "aws:sns", "Sns": {"Message": "Hello from SNS!"}},
        {"EventSource": "aws:sns", "Sns": {"Type": "SubscriptionConfirmation", "Message": "x"}},
        {"EventSource": "aws:sns", "Sns": {"Message": a}},
        {"EventSource": "aws:sns", "Sns": {"Type": "Notification"}},
        {"EventSource": "aws:kinesis", "kinesis": {}}
    ]})
    .to_string();
    let r = parse_alarms(&ev);
    assert_eq!(r.len(), 6);
    assert!(r[0].is_ok() && r[3].is_ok());
    assert_eq!(r[1].as_ref().unwrap_err().reason, AlarmSkipReason::PlainTextMessage);
    assert_eq!(r[2].as_ref().unwrap_err().reason, AlarmSkipReason::SnsControlMessage);
    assert_eq!(r[4].as_ref().unwrap_err().reason, AlarmSkipReason::MissingMessage);
    assert_eq!(r[5].as_ref().unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
    // SQS: enveloped, raw, plain text, broken, an EventBridge event as body.
    let ev = json!({"Records": [
        {"eventSource": "aws:sqs", "messageId": "1", "body": envelope},
        {"eventSource": "aws:sqs", "messageId": "2", "body": a},
        {"eventSource": "aws:sqs", "messageId": "3", "body": "plain"},
        {"eventSource": "aws:sqs", "messageId": "4", "body": "{broken"},
        {"eventSource": "aws:sqs", "messageId": "5"}
    ]})
    .to_string();
    let r = parse_alarms(&ev);
    assert_eq!(r[0].as_ref().unwrap().name, "ses-bounce-gmail");
    assert_eq!(r[1].as_ref().unwrap().name, "ses-bounce-gmail");
    assert_eq!(r[2].as_ref().unwrap_err().reason, AlarmSkipReason::PlainTextMessage);
    assert_eq!(r[3].as_ref().unwrap_err().reason, AlarmSkipReason::InvalidJson);
    assert_eq!(r[4].as_ref().unwrap_err().reason, AlarmSkipReason::MissingMessage);
    // Bare envelope, bare alarm (with BOM), and a Message that is an object.
    assert!(one(&envelope).is_ok());
    assert!(one(&format!("\u{feff} {a}\n")).is_ok());
    let obj = format!(r#"{{"Type":"Notification","Message":{a}}}"#);
    assert!(one(&obj).is_ok());
}

#[test]
fn failed_invocation_records_are_replayed() {
    // What the on-failure destination keeps when alarm-suppressor failed on a notification
    // in all three attempts (SES throttling, say): the notification is `requestPayload`.
    let a = single("gmail.com").to_string();
    let ev = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": a}}]});
    let record = json!({"version": "1.0", "requestContext": {"condition": "RetriesExhausted"},
        "requestPayload": ev, "responsePayload": {"errorMessage": "SES throttled"}});
    let r = parse_alarms(&record.to_string());
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].as_ref().unwrap().name, "ses-bounce-gmail");
    // `requestPayload` alone is not an invocation record
    let lookalike = json!({"requestPayload": ev}).to_string();
    assert_eq!(one(&lookalike).unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
    // a replay that failed again is wrapped twice: still read; absurd nesting is refused,
    // not recursed into (20,000 levels overflowed the stack)
    let twice = json!({"requestContext": {}, "requestPayload": record}).to_string();
    assert_eq!(parse_alarms(&twice)[0].as_ref().unwrap().name, "ses-bounce-gmail");
    let n = 20_000;
    let deep = format!("{}{{}}{}", r#"{"requestContext":{},"requestPayload":"#.repeat(n), "}".repeat(n));
    assert_eq!(one(&deep).unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
}

/// The failed-invocations queue redriven into alarm-suppressor's SQS queue: its bodies are
/// invocation records or SNS→Lambda events saved whole, read as ses-events reads them (one
/// envelope reader). The old copy of the reader in this module refused both.
#[test]
fn dead_letter_redrive_bodies_are_read() {
    let a = single("gmail.com").to_string();
    let sns_event = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": a}}]});
    let record = json!({"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": sns_event});
    let two = json!({"Records": [sns_event["Records"][0], sns_event["Records"][0]]});
    let payload = json!({"Records": [
        {"eventSource": "aws:sqs", "messageId": "d1", "body": record.to_string()},
        {"eventSource": "aws:sqs", "messageId": "d2", "body": sns_event.to_string()},
        {"eventSource": "aws:sqs", "messageId": "d3", "body": two.to_string()}
    ]});
    let r = parse_alarms(&payload.to_string());
    assert_eq!(r[0].as_ref().unwrap().name, "ses-bounce-gmail");
    assert_eq!(r[1].as_ref().unwrap().name, "ses-bounce-gmail");
    // a body holding two records is not one notification
    assert_eq!(r[2].as_ref().unwrap_err().reason, AlarmSkipReason::NotAnAlarm);
}

#[test]
fn direct_action_and_eventbridge() {
    let metrics = json!([{"id": "m1", "returnData": true, "metricStat": {
        "metric": {"namespace": "Custom/SES", "name": "Complaint",
                   "dimensions": {"RecipientDomain": "yahoo.com"}},
        "period": "120", "stat": "Sum"}}]);
    let d = direct(metrics.clone());
    let n = one(&d.to_string()).unwrap();
    assert_eq!(n.format, AlarmFormat::LambdaAction);
    assert_eq!(n.name, "ses-x");
    assert_eq!(n.account.as_deref(), Some("111122223333"));
    assert_eq!(n.previous_state, Some(AlarmState::Ok));
    assert_eq!(n.period_s, Some(120));
    assert_eq!(n.evaluation_periods, None);
    assert_eq!(n.metrics[0].dimensions, vec![("RecipientDomain".into(), "yahoo.com".into())]);
    assert_eq!(n.state_change_time, Some(t("2024-02-17T11:53:08.431Z")));

    let eb = json!({
        "version": "0", "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch", "account": "111122223333", "region": "us-east-1",
        "time": "2024-02-17T11:53:08Z",
        "resources": ["arn:aws:cloudwatch:us-east-1:111122223333:alarm:ses-x"],
        "detail": d["alarmData"].clone()
    });
    let n = one(&eb.to_string()).unwrap();
    assert_eq!(n.format, AlarmFormat::EventBridge);
    assert_eq!(n.arn.as_deref(), Some("arn:aws:cloudwatch:us-east-1:111122223333:alarm:ses-x"));
    assert_eq!(n.account.as_deref(), Some("111122223333"));
    // EventBridge → SNS → Lambda: the event is the SNS Message.
    let n = notice(&eb);
    assert_eq!(n.format, AlarmFormat::EventBridge);

    let mut change = eb.clone();
    change["detail-type"] = json!("CloudWatch Alarm Configuration Change");
    assert_eq!(reason(&change.to_string()), AlarmSkipReason::NotAStateChange);
    assert!(!AlarmSkipReason::NotAStateChange.is_bad_input());
    let sched = r#"{"source":"aws.events","detail-type":"Scheduled Event","detail":{}}"#;
    assert_eq!(reason(sched), AlarmSkipReason::NotAnAlarm);
    // An EC2 state-change event's detail does not fit AlarmData, and is not read as one.
    let ec2 = r#"{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{"state":"running"}}"#;
    assert_eq!(reason(ec2), AlarmSkipReason::NotAnAlarm);
}

#[test]
fn ses_sending_status_and_scheduled_events() {
    let ev = json!({"version": "0", "id": "3cc7", "detail-type": "Sending Status Enabled",
        "source": "aws.ses", "account": "111122223333", "time": "2025-10-01T03:37:17Z",
        "region": "us-east-1", "resources": ["arn:aws:ses:us-east-1:111122223333:tenant/a/tn-1"],
        "detail": {"version": "1.0.0", "data": {"origin": "CUSTOMER_MANAGED",
            "record": {"status": "REINSTATED", "cause": "Status manually updated."}}}});
    // through SNS, as the template's rule delivers it to the alarm topic
    let payload = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": ev.to_string()}}]});
    let got = parse_notifications(&payload.to_string());
    let Ok(Notification::SendingStatus(s)) = &got[0] else { panic!("{got:?}") };
    assert!(s.enabled);
    assert_eq!(s.status, "REINSTATED");
    assert_eq!(s.resources, ["arn:aws:ses:us-east-1:111122223333:tenant/a/tn-1"]);
    assert_eq!(
        (s.origin.as_deref(), s.cause.as_deref()),
        (Some("CUSTOMER_MANAGED"), Some("Status manually updated."))
    );
    assert_eq!(s.time, Some(t("2025-10-01T03:37:17Z")));
    assert_eq!(s.id.as_deref(), Some("3cc7"));
    // not an alarm for parse_alarms
    assert_eq!(
        parse_alarms(&payload.to_string())[0].as_ref().unwrap_err().reason,
        AlarmSkipReason::NotAnAlarm
    );
    // a detail of another shape keeps the event; the status comes from the detail-type
    let mut odd = ev.clone();
    odd["detail-type"] = json!("Sending Status Disabled");
    odd["detail"] = json!("paused");
    let Ok(Notification::SendingStatus(s)) = &parse_notifications(&odd.to_string())[0] else { panic!() };
    assert_eq!((s.enabled, s.status.as_str(), s.cause.as_deref()), (false, "DISABLED", None));
    // another SES event is no status event
    odd["detail-type"] = json!("Advisor Recommendation Status Open");
    assert_eq!(reason(&odd.to_string()), AlarmSkipReason::NotAnAlarm);
    // a scheduled event is the sweep
    let sched = r#"{"source":"aws.events","detail-type":"Scheduled Event","time":"2026-11-27T10:05:00Z",
        "resources":["arn:aws:events:us-east-1:1:rule/sweep"],"detail":{}}"#;
    let Ok(Notification::Sweep(s)) = &parse_notifications(sched)[0] else { panic!() };
    assert_eq!(s.time, Some(t("2026-11-27T10:05:00Z")));
    assert_eq!(s.rule.as_deref(), Some("arn:aws:events:us-east-1:1:rule/sweep"));
}

#[test]
fn plain_text_previews_carry_no_address() {
    let text = format!("{}jane.doe@example.com is unknown", "x".repeat(40));
    let payload = json!({"Records": [{"EventSource": "aws:sns", "Sns": {"Message": text}}]});
    let e = one(&payload.to_string()).unwrap_err();
    assert_eq!(e.reason, AlarmSkipReason::PlainTextMessage);
    // the address is cut by the 60-character preview: hidden first, so no half of it shows
    assert!(!e.detail.contains("jane"), "{}", e.detail);
}

#[test]
fn composite_alarms_have_no_metrics() {
    let mut d = direct(json!(null));
    d["alarmData"]["configuration"] = json!({"alarmRule": "ALARM(a) OR ALARM(b)"});
    d["alarmData"]["state"]["actionsSuppressedBy"] = json!("WaitPeriod");
    let n = one(&d.to_string()).unwrap();
    assert!(n.composite && n.metrics.is_empty());
    assert_eq!(n.alarm_rule.as_deref(), Some("ALARM(a) OR ALARM(b)"));
    assert_eq!(n.actions_suppressed_by.as_deref(), Some("WaitPeriod"));
    assert_eq!(n.period_s, None);
    // The SNS form of a composite alarm has AlarmRule and no Trigger.
    let mut s = single("gmail.com");
    s.as_object_mut().unwrap().remove("Trigger");
    s["AlarmRule"] = json!("ALARM(x)");
    let n = notice(&s);
    assert!(n.composite && n.metrics.is_empty());
}

#[test]
fn lenient_scalars_and_odd_timestamps() {
    // the time forms themselves: crate::time::tests::cloudwatch_forms
    let mut a = single("gmail.com");
    a["StateChangeTime"] = json!("date");
    a["Trigger"]["Period"] = json!(" 600 ");
    a["Trigger"]["EvaluationPeriods"] = json!(-1);
    a["Trigger"]["DatapointsToAlarm"] = json!("two");
    a["AWSAccountId"] = json!(123456789012_u64);
    a["Region"] = json!(null);
    a["Trigger"]["Dimensions"] = json!({"RecipientDomain": "gmail.com"});
    let n = notice(&a);
    assert_eq!(n.state_change_time, None);
    assert_eq!(n.period_s, Some(600));
    assert_eq!((n.evaluation_periods, n.datapoints_to_alarm), (None, None));
    assert_eq!(n.account.as_deref(), Some("123456789012"));
    assert_eq!(n.region, None);
    assert_eq!(n.metrics[0].dimensions, vec![("RecipientDomain".into(), "gmail.com".into())]);
    // Capitalised dimension keys and nameless entries.
    a["Trigger"]["Dimensions"] = json!([{"Name": "EmailType", "Value": "news"}, {"value": "x"}]);
    assert_eq!(notice(&a).metrics[0].dimensions, vec![("EmailType".into(), "news".into())]);
    // Unknown state values are kept.
    a["NewStateValue"] = json!("pending");
    assert_eq!(notice(&a).state, AlarmState::Other("pending".into()));
}

#[test]
fn bad_input_is_a_skip() {
    assert_eq!(reason(""), AlarmSkipReason::InvalidJson);
    assert_eq!(reason("{\"AlarmName\":"), AlarmSkipReason::InvalidJson);
    assert_eq!(reason("[1,2]"), AlarmSkipReason::NotAnAlarm);
    assert_eq!(reason("\"ALARM\""), AlarmSkipReason::NotAnAlarm);
    assert_eq!(reason(r#"{"Records":[]}"#), AlarmSkipReason::NotAnAlarm);
    assert_eq!(reason(r#"{"Records":"x"}"#), AlarmSkipReason::NotAnAlarm);
    assert_eq!(reason(r#"{"Records":[1]}"#), AlarmSkipReason::NotAnAlarm);
    assert_eq!(reason(r#"{"eventType":"Bounce"}"#), AlarmSkipReason::NotAnAlarm);
    assert_eq!(reason(r#"{"Type":"Notification","Message":42}"#), AlarmSkipReason::NotAnAlarm);
    let mut a = single("gmail.com");
    a["AlarmName"] = json!("  ");
    assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
    let mut a = single("gmail.com");
    a.as_object_mut().unwrap().remove("NewStateValue");
    assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
    let mut a = single("gmail.com");
    a["Trigger"] = json!("HardBounce > 5");
    assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
    let mut a = single("gmail.com");
    a["Trigger"]["Dimensions"] = json!("RecipientDomain=gmail.com");
    assert_eq!(reason(&a.to_string()), AlarmSkipReason::InvalidAlarm);
    let mut d = direct(json!({"m1": {}}));
    assert_eq!(reason(&d.to_string()), AlarmSkipReason::InvalidAlarm);
    d["alarmData"]["configuration"] = json!(null);
    d["alarmData"]["state"] = json!(null);
    assert_eq!(reason(&d.to_string()), AlarmSkipReason::InvalidAlarm);
    // Deep nesting stops.
    let mut s = single("gmail.com").to_string();
    for _ in 0..5 {
        s = json!({"Type": "Notification", "Message": s}).to_string();
    }
    assert_eq!(reason(&s), AlarmSkipReason::NotAnAlarm);
    assert!(AlarmSkipReason::InvalidAlarm.is_bad_input());
    let e = AlarmSkip::new(AlarmSkipReason::InvalidJson, "eof");
    assert_eq!(e.to_string(), "invalid_json: eof");
}

#[test]
fn window_uses_period_times_evaluations() {
    let n = notice(&single("gmail.com")); // 300 s × 3 at 10:00
    let now = t("2024-05-02T00:00:00Z");
    assert_eq!(n.window(Duration::zero(), now), (t("2024-05-01T09:45:00Z"), t("2024-05-01T10:00:00Z")));
    // The minimum look-back wins when longer, not when shorter.
    assert_eq!(n.window(Duration::hours(1), now).0, t("2024-05-01T09:00:00Z"));
    assert_eq!(n.window(Duration::minutes(5), now).0, t("2024-05-01T09:45:00Z"));
    assert_eq!(n.window(Duration::minutes(-5), now).0, t("2024-05-01T09:45:00Z"));
}

#[test]
fn window_defaults() {
    let mut n = notice(&single("gmail.com"));
    n.period_s = None;
    n.evaluation_periods = None;
    n.state_change_time = None;
    let now = t("2024-05-02T00:00:00Z");
    // No period: 300 s; no evaluation periods: 1; no time: now.
    assert_eq!(n.window(Duration::zero(), now), (t("2024-05-01T23:55:00Z"), now));
    n.period_s = Some(60);
    assert_eq!(n.window(Duration::zero(), now).0, t("2024-05-01T23:59:00Z"));
    // Absurd values neither panic nor reach past what the ledger keeps.
    n.period_s = Some(u64::MAX);
    n.evaluation_periods = Some(u32::MAX);
    let year = now - Duration::days(MAX_WINDOW_DAYS);
    assert_eq!(n.window(Duration::zero(), now).0, year);
    assert_eq!(n.window(TimeDelta::MAX, now).0, year);
    // A state change far in the future (a forged or broken time) counts as now.
    n.state_change_time = parse_time("+262142-12-31T23:59:59.000+0000");
    assert!(n.state_change_time.is_some());
    assert_eq!(n.window(Duration::zero(), now).1, now);
}

fn ns(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn scope_from_dimensions() {
    let n = notice(&single("GMail.com"));
    let s = n.scope(&ns(&["Custom/SES"]));
    assert_eq!(s.recipient_domains, ["gmail.com"]);
    assert!(s.tags.is_empty() && s.configuration_set.is_none());
    // Metrics outside the namespaces do not count.
    assert!(n.scope(&ns(&["AWS/SES"])).is_all());
    // Empty namespace list: every metric counts.
    assert_eq!(n.scope(&[]).recipient_domains, ["gmail.com"]);

    let mut a = single("gmail.com");
    a["Trigger"]["Dimensions"] = json!([
        {"name": "EmailType", "value": "marketing"},
        {"name": "ses:configuration-set", "value": "main"}
    ]);
    let s = notice(&a).scope(&[]);
    assert!(s.recipient_domains.is_empty());
    assert_eq!(s.tags, vec![("EmailType".into(), vec!["marketing".to_string()])]);
    assert_eq!(s.configuration_set.as_deref(), Some("main"));
    a["Trigger"]["Dimensions"] = json!([{"name": "ConfigurationSet", "value": "other"}]);
    assert_eq!(notice(&a).scope(&[]).configuration_set.as_deref(), Some("other"));
    // The two spellings disagreeing: no single configuration set.
    a["Trigger"]["Dimensions"] = json!([
        {"name": "ConfigurationSet", "value": "a"}, {"name": "ses:configuration-set", "value": "b"}
    ]);
    assert_eq!(notice(&a).scope(&[]).configuration_set, None);
}

#[test]
fn scope_of_metric_math() {
    let ses = ns(&["Custom/SES"]);
    // Same domain on both metrics.
    let n = notice(&math("gmail.com", "gmail.com"));
    assert_eq!(n.scope(&ses).recipient_domains, ["gmail.com"]);
    // m1 on yahoo.com, m2 on aol.com: those two, never all domains.
    let n = notice(&math("yahoo.com", "AOL.com"));
    assert_eq!(n.scope(&ses).recipient_domains, ["aol.com", "yahoo.com"]);
    assert!(!n.scope(&ses).is_all());
    // A total (no dimension) as denominator does not lift the restriction.
    let mut a = math("gmail.com", "x");
    a["Trigger"]["Metrics"][2]["MetricStat"]["Metric"]["Dimensions"] = json!([]);
    assert_eq!(notice(&a).scope(&ses).recipient_domains, ["gmail.com"]);
    // Differing tag values: either of them; an agreeing tag: its one value.
    let metrics = json!([
        {"id": "e1", "expression": "m1+m2"},
        {"id": "m1", "metricStat": {"period": 60, "stat": "Sum", "metric": {"namespace": "Custom/SES",
          "name": "Bounce", "dimensions": {"Campaign": "spring", "EmailType": "news"}}}},
        {"id": "m2", "metricStat": {"period": 60, "stat": "Sum", "metric": {"namespace": "Custom/SES",
          "name": "Complaint", "dimensions": {"Campaign": "autumn", "EmailType": "news"}}}},
        {"id": "m3", "metricStat": {"period": 60, "stat": "Sum", "metric": {"namespace": "AWS/EC2",
          "name": "CPUUtilization", "dimensions": {"EmailType": "ignored"}}}}
    ]);
    let n = one(&direct(metrics).to_string()).unwrap();
    let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        n.scope(&ses).tags,
        vec![("Campaign".into(), v(&["autumn", "spring"])), ("EmailType".into(), v(&["news"]))]
    );
    // Without a namespace filter the EC2 metric's value joins in.
    assert_eq!(n.scope(&[]).tags[1], ("EmailType".into(), v(&["ignored", "news"])));
}

#[test]
fn ownership() {
    let n = notice(&single("gmail.com")); // ses-bounce-gmail on Custom/SES
    assert!(n.is_owned(&[], &[]));
    assert!(n.is_owned(&ns(&["ses-"]), &[]));
    assert!(!n.is_owned(&ns(&["other-"]), &[]));
    assert!(n.is_owned(&[], &ns(&["Custom/SES"])));
    assert!(!n.is_owned(&[], &ns(&["AWS/SES"])));
    assert!(n.is_owned(&ns(&["other-"]), &ns(&["Custom/SES"])));
    assert!(n.is_owned(&ns(&["ses-"]), &ns(&["AWS/SES"])));
    assert!(!n.is_owned(&ns(&["other-"]), &ns(&["AWS/SES"])));
    // A composite alarm is owned only by its name.
    let mut c = single("gmail.com");
    c.as_object_mut().unwrap().remove("Trigger");
    let c = notice(&c);
    assert!(!c.is_owned(&[], &ns(&["Custom/SES"])));
    assert!(c.is_owned(&ns(&["ses-"]), &ns(&["Custom/SES"])));
}

#[test]
fn state_parsing() {
    assert_eq!(AlarmState::parse(" alarm "), AlarmState::Alarm);
    assert_eq!(AlarmState::parse("OK"), AlarmState::Ok);
    assert_eq!(AlarmState::parse("INSUFFICIENT_DATA"), AlarmState::InsufficientData);
    assert_eq!(AlarmState::parse("X").to_string(), "X");
    assert_eq!(AlarmState::InsufficientData.to_string(), "INSUFFICIENT_DATA");
}
