//! Retries of the `api` sink at the wire level, without an emulator: aws-smithy-mocks answers
//! PutMetricData with raw HTTP responses (CloudWatch's rpcv2 CBOR error shape), so the SDK's real
//! deserializer, error classification and standard retry strategy decide what happens.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::put_metric_data::PutMetricDataOutput;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, mock};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use ses_monitor::ingest;
use ses_monitor::platform::config::IngestConfig;
use ses_monitor::sink::cloudwatch::CloudWatchSink;
use ses_monitor::sink::{MetricSink, SinkError};
use ses_monitor_tests::{RequestLog, fast_retry_loader};

const MAX_ATTEMPTS: u32 = 3;

/// Minimal CBOR: a map of text strings (all that an rpcv2 error body needs).
fn cbor_text_map(pairs: &[(&str, &str)]) -> Vec<u8> {
    fn head(major: u8, len: usize, out: &mut Vec<u8>) {
        match len {
            0..24 => out.push(major << 5 | len as u8),
            24..256 => out.extend([major << 5 | 24, len as u8]),
            _ => {
                out.push(major << 5 | 25);
                out.extend((len as u16).to_be_bytes());
            }
        }
    }
    let mut out = Vec::new();
    head(5, pairs.len(), &mut out);
    for s in pairs.iter().flat_map(|(k, v)| [k, v]) {
        head(3, s.len(), &mut out);
        out.extend(s.as_bytes());
    }
    out
}

/// A CloudWatch rpcv2 CBOR error response, as the service sends it: the error in the body's
/// `__type` and, CloudWatch being query-compatible, in `x-amzn-query-error` too.
fn cloudwatch_error(status: u16, code: &str, fault: &str, message: &str) -> HttpResponse {
    let body =
        cbor_text_map(&[("__type", &format!("com.amazonaws.cloudwatch#{code}")), ("message", message)]);
    let mut r = HttpResponse::new(StatusCode::try_from(status).expect("valid status"), SdkBody::from(body));
    r.headers_mut().insert("content-type", "application/cbor");
    r.headers_mut().insert("smithy-protocol", "rpc-v2-cbor");
    r.headers_mut().insert("x-amzn-query-error", format!("{code};{fault}"));
    r.headers_mut().insert("x-amzn-requestid", "3bd8d5a4-0000-0000-0000-000000000000");
    r
}

fn throttling() -> HttpResponse {
    cloudwatch_error(400, "Throttling", "Sender", "Rate exceeded")
}

/// A CloudWatch client built like production's (`aws_config::defaults`), with an HTTP client
/// that never reaches the network, the mock rule, a request recorder and a retry configuration
/// with a tiny backoff so that the test is quick.
async fn mocked_client(rule: &Rule) -> (Client, RequestLog) {
    let sdk =
        fast_retry_loader(MAX_ATTEMPTS).http_client(aws_smithy_mocks::create_mock_http_client()).load().await;
    let log = RequestLog::new();
    let conf = aws_sdk_cloudwatch::config::Builder::from(&sdk)
        .interceptor(MockResponseInterceptor::new().rule_mode(RuleMode::Sequential).with_rule(rule))
        .interceptor(log.clone())
        .build();
    (Client::from_conf(conf), log)
}

/// A small batch (one PutMetricData request) from one SES event.
fn batch() -> ses_monitor::metrics::MetricBatch {
    let cfg = IngestConfig::default();
    let ses = r#"{"eventType":"Bounce","mail":{"destination":["a@gmail.com"],"tags":{"EmailType":["welcome"]}},
        "bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@gmail.com"}]}}"#;
    let ingested = ingest::ingest(&cfg, ses, chrono::Utc::now());
    assert_eq!(ingested.summary.events, 1);
    ingested.batch
}

fn attempts(log: &RequestLog) -> Vec<String> {
    log.requests().into_iter().map(|r| r.sdk_request.unwrap_or_default()).collect()
}

#[tokio::test]
async fn throttling_then_success_is_retried() {
    let rule = mock!(Client::put_metric_data)
        .match_requests(|req| req.namespace() == Some("Custom/SES"))
        .sequence()
        .http_response(throttling)
        .times(2)
        .output(|| PutMetricDataOutput::builder().build())
        .build();
    let (client, log) = mocked_client(&rule).await;
    let report =
        CloudWatchSink::new(client).publish(&batch()).await.expect("succeeds after two throttled attempts");
    assert_eq!(report.requests, 1);
    assert_eq!(rule.num_calls(), 3);
    assert_eq!(attempts(&log), ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]);
    // Every attempt is the same rpcv2 CBOR request.
    assert!(log.requests().iter().all(|r| {
        r.smithy_protocol.as_deref() == Some("rpc-v2-cbor")
            && r.uri.ends_with("/service/GraniteServiceVersion20100801/operation/PutMetricData")
    }));
}

#[tokio::test]
async fn persistent_throttling_fails_the_publish() {
    let rule = mock!(Client::put_metric_data).sequence().http_response(throttling).repeatedly().build();
    let (client, log) = mocked_client(&rule).await;
    let err = CloudWatchSink::new(client).publish(&batch()).await.expect_err("throttled on every attempt");
    assert!(matches!(err, SinkError::Api(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("Throttling"), "{text}");
    assert!(text.contains("Rate exceeded"), "{text}");
    assert_eq!(rule.num_calls(), MAX_ATTEMPTS as usize);
    assert_eq!(attempts(&log).len(), MAX_ATTEMPTS as usize);
}

#[tokio::test]
async fn server_errors_are_retried_too() {
    let rule = mock!(Client::put_metric_data)
        .sequence()
        .http_response(|| cloudwatch_error(500, "InternalServiceError", "Receiver", "oops"))
        .output(|| PutMetricDataOutput::builder().build())
        .build();
    let (client, log) = mocked_client(&rule).await;
    CloudWatchSink::new(client).publish(&batch()).await.expect("succeeds on the second attempt");
    assert_eq!(attempts(&log), ["attempt=1; max=3", "attempt=2; max=3"]);
}

#[tokio::test]
async fn invalid_parameters_are_not_retried() {
    let rule = mock!(Client::put_metric_data)
        .sequence()
        .http_response(|| {
            cloudwatch_error(
                400,
                "InvalidParameterValue",
                "Sender",
                "The value for parameter MetricData.member.1.Timestamp is invalid",
            )
        })
        .repeatedly()
        .build();
    let (client, log) = mocked_client(&rule).await;
    let err = CloudWatchSink::new(client).publish(&batch()).await.expect_err("a client error fails at once");
    assert!(err.to_string().contains("InvalidParameterValue"), "{err}");
    assert_eq!(attempts(&log).len(), 1);
}

#[tokio::test]
async fn a_failed_publish_fails_the_invocation() {
    let rule = mock!(Client::put_metric_data).sequence().http_response(throttling).repeatedly().build();
    let (client, _log) = mocked_client(&rule).await;
    let ses = r#"{"eventType":"Send","mail":{"destination":["a@gmail.com"]},"send":{}}"#;
    let err = ingest::handle(&IngestConfig::default(), &CloudWatchSink::new(client), ses, chrono::Utc::now())
        .await
        .expect_err("the invocation fails, so Lambda retries it");
    assert!(err.to_string().starts_with("PutMetricData failed:"), "{err}");
}
