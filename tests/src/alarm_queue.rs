//! An alarm topic with an SQS queue subscribed to it, as the alarm pipeline tests, the end-to-end
//! suite and the demo use it: CloudWatch alarm actions publish to the topic, the queue collects
//! the notifications (raw delivery off, so each body is the SNS envelope), and each one is turned
//! into the Lambda event alarm-suppressor would receive, through SQS or straight from SNS.

use std::collections::BTreeMap;

use aws_config::SdkConfig;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};
use serde_json::{Value, json};

use crate::REGION;

/// The alarm topic and an SQS queue subscribed to it (raw delivery off).
pub struct AlarmQueue {
    sqs: aws_sdk_sqs::Client,
    /// ARN of the alarm topic (what alarm actions name).
    pub topic_arn: String,
    /// URL of the subscribed queue.
    pub queue_url: String,
    /// ARN of the subscribed queue.
    pub queue_arn: String,
    /// ARN of the queue's subscription to the topic.
    pub subscription_arn: String,
}

/// One notification taken from the queue.
#[derive(Debug, Clone)]
pub struct AlarmMessage {
    /// The SQS message as received.
    pub message: Message,
    /// The SNS envelope (the SQS body).
    pub envelope: Value,
    /// The alarm JSON (the envelope's `Message`).
    pub alarm: Value,
}

impl AlarmQueue {
    /// Creates the topic `topic`, the queue `queue` and the subscription of one to the other.
    pub async fn new(sdk: &SdkConfig, topic: &str, queue: &str) -> Self {
        let sns = aws_sdk_sns::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let topic_arn =
            sns.create_topic().name(topic).send().await.expect("CreateTopic").topic_arn.expect("topic ARN");
        let (queue_url, queue_arn) = crate::create_queue(&sqs, queue).await;
        let subscription_arn = sns
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(&queue_arn)
            .attributes("RawMessageDelivery", "false")
            .return_subscription_arn(true)
            .send()
            .await
            .expect("Subscribe")
            .subscription_arn
            .expect("subscription ARN");
        Self { sqs, topic_arn, queue_url, queue_arn, subscription_arn }
    }

    /// Takes (receives and deletes) up to ten waiting notifications, waiting up to `wait_s`
    /// seconds for the first.
    pub async fn take(&self, wait_s: i32) -> Vec<AlarmMessage> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(wait_s)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .expect("ReceiveMessage");
        let mut taken = Vec::new();
        for m in out.messages() {
            if let Some(h) = m.receipt_handle() {
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(h)
                    .send()
                    .await
                    .expect("DeleteMessage");
            }
            let body = m.body().unwrap_or_default();
            let envelope: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
            let message = envelope["Message"].as_str().unwrap_or_else(|| panic!("no Message: {body}"));
            let alarm: Value =
                serde_json::from_str(message).unwrap_or_else(|e| panic!("alarm JSON: {e}: {message}"));
            taken.push(AlarmMessage { message: m.clone(), envelope, alarm });
        }
        taken
    }

    /// Takes every waiting notification, oldest batch first, until the queue answers empty.
    pub async fn take_all(&self) -> Vec<AlarmMessage> {
        let mut all = Vec::new();
        loop {
            let got = self.take(0).await;
            if got.is_empty() {
                return all;
            }
            all.extend(got);
        }
    }

    /// The SQS→Lambda event Lambda would build from a queued notification.
    pub fn sqs_event(&self, m: &AlarmMessage) -> Value {
        let attributes: BTreeMap<String, String> = m
            .message
            .attributes()
            .map(|a| a.iter().map(|(k, v)| (k.as_str().to_string(), v.clone())).collect())
            .unwrap_or_default();
        json!({"Records": [{
            "messageId": m.message.message_id(),
            "receiptHandle": m.message.receipt_handle(),
            "body": m.message.body(),
            "attributes": attributes,
            "messageAttributes": {},
            "md5OfBody": m.message.md5_of_body(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": REGION
        }]})
    }

    /// The SNS→Lambda event of the same notification (how the template's subscription of
    /// alarm-suppressor to the alarm topic delivers it): the envelope, with the two keys Lambda
    /// spells differently from the SQS body (`SigningCertUrl`, `UnsubscribeUrl`).
    pub fn sns_event(&self, m: &AlarmMessage) -> Value {
        let mut sns = m.envelope.clone();
        let o = sns.as_object_mut().expect("envelope object");
        for (from, to) in [("SigningCertURL", "SigningCertUrl"), ("UnsubscribeURL", "UnsubscribeUrl")] {
            if let Some(v) = o.remove(from) {
                o.insert(to.into(), v);
            }
        }
        o.entry("MessageAttributes").or_insert(json!({}));
        json!({"Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": self.subscription_arn,
            "Sns": sns
        }]})
    }
}
