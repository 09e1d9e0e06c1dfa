//! The reader's inverse: documents wrapped in the envelopes Lambda delivers them in (an SNS
//! envelope, an SNS→Lambda event, an SQS→Lambda event), with the fields and casing AWS writes.
//! The cost estimator replays a sample through the handler this way; tests build their payloads
//! with it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-monitor-events";

/// An SNS envelope (as SNS posts it, and as SQS carries it with raw delivery off).
pub fn sns_envelope(message: &str, seq: u64, time: DateTime<Utc>) -> Value {
    sns(message, seq, time, false)
}

/// The SNS message fields; `lambda` spells them as an SNS→Lambda record does (`SigningCertUrl`,
/// `UnsubscribeUrl`, with `MessageAttributes`) rather than as the HTTP envelope does.
fn sns(message: &str, seq: u64, time: DateTime<Utc>, lambda: bool) -> Value {
    let (cert, unsub) =
        if lambda { ("SigningCertUrl", "UnsubscribeUrl") } else { ("SigningCertURL", "UnsubscribeURL") };
    let mut v = json!({
        "Type": "Notification",
        "MessageId": format!("5e1f7c2a-{:04x}-4c5d-9e8f-{:012x}", seq & 0xffff, seq),
        "TopicArn": TOPIC,
        "Subject": null,
        "Message": message,
        "Timestamp": time.to_rfc3339_opts(SecondsFormat::Millis, true),
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        cert: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        unsub: format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={TOPIC}:0000")
    });
    if lambda && let Some(o) = v.as_object_mut() {
        o.insert("MessageAttributes".into(), json!({}));
    }
    v
}

/// An SNS→Lambda event with one record per message.
pub fn sns_lambda_event(messages: &[String], time: DateTime<Utc>) -> String {
    let records: Vec<Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            json!({
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": format!("{TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55"),
                "Sns": sns(m, i as u64, time, true)
            })
        })
        .collect();
    json!({"Records": records}).to_string()
}

/// An SQS→Lambda event: bodies are SNS envelopes (`raw = false`) or the documents themselves
/// (`raw = true`).
pub fn sqs_lambda_event(messages: &[String], raw: bool, time: DateTime<Utc>) -> String {
    let records: Vec<Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let body = if raw { m.clone() } else { sns_envelope(m, i as u64, time).to_string() };
            json!({
                "messageId": format!("059f36b4-87a3-44ab-83d2-{:012x}", i),
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": time.timestamp_millis().to_string(),
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": time.timestamp_millis().to_string()
                },
                "messageAttributes": {},
                "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:ses-monitor-events",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({"Records": records}).to_string()
}
