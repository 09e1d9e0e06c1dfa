//! rate-reporter's email at the wire level: the real `report::handle` on the example day, a real
//! `SesV2` on an `aws_sdk_sesv2::Client` whose HTTP layer is the SDK's `StaticReplayClient`, which
//! records the SendEmail request the SDK serialized. Checks what a mail client needs to show the
//! charts: every `cid:` the HTML references is an inline attachment with that content id, a PNG
//! (MIME type and bytes), and nothing else is attached. (The emulator test,
//! `rate_reporter_emulator`, sends through ministack's SendEmail; ministack keeps no attachments.)

use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use chrono::{DateTime, Utc};
use serde_json::Value;
use ses_monitor::report::{ReporterConfig, handle, render};
use ses_monitor::sesv2::SesV2;
use ses_monitor::synth::{example_activity, example_source};
use ses_monitor_tests::fast_retry_loader;

#[tokio::test]
async fn the_charts_are_inline_attachments_with_the_content_ids_the_html_references() {
    let mut ok =
        HttpResponse::new(StatusCode::try_from(200).unwrap(), SdkBody::from(r#"{"MessageId":"m-1"}"#));
    ok.headers_mut().insert("content-type", "application/json");
    let mut expected = HttpRequest::new(SdkBody::empty());
    expected.set_uri("https://email.us-east-1.amazonaws.com/v2/email/outbound-emails").unwrap();
    let replay = StaticReplayClient::new(vec![ReplayEvent::new(expected, ok)]);
    let sdk = fast_retry_loader(1).http_client(replay.clone()).load().await;
    let mailer = SesV2::new(aws_sdk_sesv2::Client::new(&sdk));

    let day: DateTime<Utc> = "2026-11-26T00:00:00Z".parse().unwrap();
    let cfg = ReporterConfig::from_lookup(|k| match k {
        "REPORT_SENDER" => Some("reports@example.net".into()),
        "REPORT_RECIPIENTS" => Some("ops@example.net".into()),
        "REPORT_TOP_DOMAINS" => Some("6".into()),
        _ => None,
    })
    .unwrap();
    let (source, activity) = (example_source(day), example_activity(day).await);
    let now = "2026-11-27T06:00:00Z".parse().unwrap();
    let r = handle(&cfg, &source, &activity, &mailer, "{}", now).await.expect("report sent");
    assert_eq!(r.email.message_id.as_deref(), Some("m-1"));

    let requests: Vec<_> = replay.actual_requests().collect();
    assert_eq!(requests.len(), 1);
    let req = requests[0];
    assert_eq!(
        (req.method(), req.uri()),
        ("POST", "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails")
    );
    let body: Value = serde_json::from_slice(req.body().bytes().unwrap()).unwrap();
    let simple = &body["Content"]["Simple"];
    let html = simple["Body"]["Html"]["Data"].as_str().unwrap();
    assert_eq!(html, render::html(&r.report, render::ImageSrc::ContentId));
    let cids: Vec<&str> = html.split("src=\"cid:").skip(1).map(|s| s.split('"').next().unwrap()).collect();
    assert_eq!(cids, ["chart-total.png", "chart-d0.png"], "the total's chart and the flagged domain's");
    let attachments = simple["Attachments"].as_array().expect("attachments");
    let ids: Vec<&str> = attachments.iter().map(|a| a["ContentId"].as_str().unwrap()).collect();
    assert_eq!(ids, cids, "one inline attachment per cid:, nothing else");
    let expected = render::charts(&r.report);
    let mut bytes = 0;
    for (a, want) in attachments.iter().zip(&expected) {
        assert_eq!(a["ContentDisposition"], "INLINE");
        assert_eq!(a["ContentType"], "image/png");
        assert_eq!(a["ContentTransferEncoding"], "BASE64");
        assert_eq!(a["FileName"], want.file_name.as_str());
        let raw = aws_smithy_types::base64::decode(a["RawContent"].as_str().unwrap()).unwrap();
        assert!(raw.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        assert_eq!(raw, want.data);
        bytes += raw.len();
    }
    // what the images add to the email, for the record (issue 12's note)
    eprintln!(
        "email: HTML {} bytes, text {} bytes, {} chart bytes",
        html.len(),
        simple["Body"]["Text"]["Data"].as_str().unwrap().len(),
        bytes
    );
    assert!(bytes < 20_000, "two small charts: {bytes} bytes");
}
