//! What ministack's SESv2 does for the calls alarm-suppressor and rate-reporter make, through the
//! real aws-sdk-sesv2 client (REST-JSON), and `ses_monitor::sesv2::SesV2` on top of it.
//!
//! A regression test of the emulator as much as of our code: if a ministack upgrade changes one
//! of these answers, the tests that build on them (pause/resume, the report mail) need another
//! look. Findings (ministack 1.5.33):
//! - configuration sets: Create / Get (with `SendingOptions.SendingEnabled` and `Tags`) /
//!   PutConfigurationSetSendingOptions work; unknown sets answer `NotFoundException`;
//! - TagResource / UntagResource / ListTagsForResource work on
//!   `arn:aws:ses:us-east-1:000000000000:configuration-set/<name>`; an ARN with another account
//!   or region is a `BadRequestException` ("Invalid ResourceArn"); tag values are not validated
//!   (real SES allows only letters, digits, spaces and `_ . : / = + -`);
//! - the suppression list is not emulated: PutSuppressedDestination, GetSuppressedDestination
//!   and DeleteSuppressedDestination answer HTTP 404 `NotFoundException` "Unknown SES v2 path";
//!   ListSuppressedDestinations always answers an empty list;
//! - SendEmail needs a verified identity (CreateEmailIdentity verifies at once) and keeps every
//!   message for `GET /_ministack/ses/messages`; it does not enforce a configuration set's
//!   `SendingEnabled = false` and accepts an unknown configuration set name.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, SuppressionListReason, Tag};
use ses_monitor::sesv2::SuppressionReason;
use ses_monitor::sesv2::{
    ConfigSetRef, PAUSED_BY_TAG, SendingControl, SendingState, SesV2, SuppressionList, holder_tag_key,
    holder_tag_value,
};
use ses_monitor_tests::{ACCOUNT_ID, Emulator, REGION};

fn arn(account: &str, name: &str) -> String {
    format!("arn:aws:ses:{REGION}:{account}:configuration-set/{name}")
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("tag")
}

async fn tags(client: &Client, arn: &str) -> Vec<(String, String)> {
    let out = client.list_tags_for_resource().resource_arn(arn).send().await.expect("ListTagsForResource");
    out.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
}

async fn sending_enabled(client: &Client, name: &str) -> bool {
    let out = client.get_configuration_set().configuration_set_name(name).send().await.expect("Get");
    out.sending_options().expect("SendingOptions present").sending_enabled()
}

#[tokio::test]
async fn configuration_set_sending_switch_and_tags() {
    let emu = Emulator::start();
    let client = Client::new(&emu.sdk_config().await);
    let name = "ses-monitor-main";
    client.create_configuration_set().configuration_set_name(name).send().await.expect("Create");
    let dup = client.create_configuration_set().configuration_set_name(name).send().await.unwrap_err();
    assert!(dup.as_service_error().is_some_and(|e| e.is_already_exists_exception()), "{dup:?}");

    let got = client.get_configuration_set().configuration_set_name(name).send().await.expect("Get");
    assert_eq!(got.configuration_set_name(), Some(name));
    assert!(got.sending_options().is_some_and(|o| o.sending_enabled()));
    assert!(got.tags().is_empty());
    let missing = client.get_configuration_set().configuration_set_name("nope").send().await.unwrap_err();
    assert!(missing.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{missing:?}");

    // Pause and resume.
    client
        .put_configuration_set_sending_options()
        .configuration_set_name(name)
        .sending_enabled(false)
        .send()
        .await
        .expect("Put");
    assert!(!sending_enabled(&client, name).await);
    client
        .put_configuration_set_sending_options()
        .configuration_set_name(name)
        .sending_enabled(true)
        .send()
        .await
        .expect("Put");
    assert!(sending_enabled(&client, name).await);
    let missing = client
        .put_configuration_set_sending_options()
        .configuration_set_name("nope")
        .sending_enabled(false)
        .send()
        .await
        .unwrap_err();
    assert!(missing.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{missing:?}");

    // Tags by ARN: the account must be ministack's.
    let own = arn(ACCOUNT_ID, name);
    client
        .tag_resource()
        .resource_arn(&own)
        .tags(tag(PAUSED_BY_TAG, "ses-hard-bounce-gmail"))
        .send()
        .await
        .expect("Tag");
    assert_eq!(tags(&client, &own).await, [(PAUSED_BY_TAG.to_string(), "ses-hard-bounce-gmail".to_string())]);
    let got = client.get_configuration_set().configuration_set_name(name).send().await.expect("Get");
    assert_eq!(got.tags().len(), 1, "GetConfigurationSet shows the tags too");
    // Tagging again replaces the value.
    client
        .tag_resource()
        .resource_arn(&own)
        .tags(tag(PAUSED_BY_TAG, "other-alarm"))
        .send()
        .await
        .expect("Tag");
    assert_eq!(tags(&client, &own).await, [(PAUSED_BY_TAG.to_string(), "other-alarm".to_string())]);
    for wrong in
        [arn("123456789012", name), format!("arn:aws:ses:eu-west-1:{ACCOUNT_ID}:configuration-set/{name}")]
    {
        let e = client.tag_resource().resource_arn(&wrong).tags(tag("k", "v")).send().await.unwrap_err();
        assert!(e.as_service_error().is_some_and(|e| e.is_bad_request_exception()), "{wrong}: {e:?}");
    }
    let e = client.list_tags_for_resource().resource_arn(arn(ACCOUNT_ID, "nope")).send().await.unwrap_err();
    assert!(e.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{e:?}");
    client.untag_resource().resource_arn(&own).tag_keys(PAUSED_BY_TAG).send().await.expect("Untag");
    assert!(tags(&client, &own).await.is_empty());
    // Removing a tag that is not there is not an error (so a repeated OK is harmless).
    client.untag_resource().resource_arn(&own).tag_keys(PAUSED_BY_TAG).send().await.expect("Untag again");
}

/// The same through `ses_monitor::sesv2::SesV2`, the `SendingControl` alarm-suppressor uses.
#[tokio::test]
async fn sending_control_pauses_and_resumes() {
    let emu = Emulator::start();
    let client = Client::new(&emu.sdk_config().await);
    client.create_configuration_set().configuration_set_name("main").send().await.expect("Create");
    let ses = SesV2::new(client.clone());
    let set = ConfigSetRef::new("aws", REGION, ACCOUNT_ID, "main");
    assert_eq!(set.arn, arn(ACCOUNT_ID, "main"));

    assert_eq!(ses.state(&set).await.unwrap(), SendingState { enabled: true, paused_by: vec![] });
    let (a, b) = ("ses-hard-bounce-gmail".to_string(), "Bounce rate > 5% (gmail)".to_string());
    ses.add_holders(&set, std::slice::from_ref(&a)).await.unwrap();
    ses.set_sending(&set, false).await.unwrap();
    // one tag per holder: adding b leaves a's tag alone
    ses.add_holders(&set, std::slice::from_ref(&b)).await.unwrap();
    assert_eq!(
        ses.state(&set).await.unwrap(),
        SendingState { enabled: false, paused_by: vec![b.clone(), a.clone()] }
    );
    let mut on_the_set = tags(&client, &set.arn).await;
    on_the_set.sort();
    let mut want =
        vec![(holder_tag_key(&a), a.clone()), (holder_tag_key(&b), holder_tag_value(&b).expect("fits"))];
    want.sort();
    assert_eq!(on_the_set, want);
    assert!(!sending_enabled(&client, "main").await);
    // releasing a keeps b
    ses.remove_holders(&set, std::slice::from_ref(&a)).await.unwrap();
    assert_eq!(ses.state(&set).await.unwrap().paused_by, std::slice::from_ref(&b));
    // an earlier version's list tag is read, and removed with the holders
    client
        .tag_resource()
        .resource_arn(&set.arn)
        .tags(tag(PAUSED_BY_TAG, "old-alarm"))
        .send()
        .await
        .expect("Tag");
    assert_eq!(ses.state(&set).await.unwrap().paused_by, [b.clone(), "old-alarm".to_string()]);
    ses.set_sending(&set, true).await.unwrap();
    ses.remove_holders(&set, &[b, "old-alarm".to_string()]).await.unwrap();
    assert_eq!(ses.state(&set).await.unwrap(), SendingState { enabled: true, paused_by: vec![] });
    assert!(tags(&client, &set.arn).await.is_empty());

    let missing = ConfigSetRef::new("aws", REGION, ACCOUNT_ID, "nope");
    let e = ses.state(&missing).await.unwrap_err();
    assert_eq!(e.op, "GetConfigurationSet");
    assert!(e.message.starts_with("NotFoundException"), "{e}");
    let e = ses.set_sending(&missing, false).await.unwrap_err();
    assert!(e.message.starts_with("NotFoundException"), "{e}");
}

/// The suppression list is not emulated: wire-level tests (aws-smithy-mocks) cover our calls.
#[tokio::test]
async fn suppression_list_is_not_emulated() {
    let emu = Emulator::start();
    let client = Client::new(&emu.sdk_config().await);
    let put = client
        .put_suppressed_destination()
        .email_address("a@gmail.com")
        .reason(SuppressionListReason::Bounce)
        .send()
        .await
        .unwrap_err();
    let se = put.as_service_error().expect("a service error");
    assert!(se.is_not_found_exception(), "{put:?}");
    assert!(format!("{se}").contains("Unknown SES v2 path"), "{se}");
    let get = client.get_suppressed_destination().email_address("a@gmail.com").send().await.unwrap_err();
    assert!(get.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{get:?}");
    let del = client.delete_suppressed_destination().email_address("a@gmail.com").send().await.unwrap_err();
    assert!(del.as_service_error().is_some_and(|e| e.is_not_found_exception()), "{del:?}");
    let list = client.list_suppressed_destinations().send().await.expect("List answers");
    assert!(list.suppressed_destination_summaries().is_empty());
    // Through our SuppressionList: a failure that names the operation and the answer.
    let e = SesV2::new(client).suppress("a@gmail.com", SuppressionReason::Complaint).await.unwrap_err();
    assert_eq!(e.op, "PutSuppressedDestination");
    assert!(e.message.starts_with("NotFoundException: Unknown SES v2 path"), "{e}");
}

fn text(s: &str) -> Content {
    Content::builder().data(s).charset("UTF-8").build().expect("content")
}

#[tokio::test]
async fn send_email_is_kept_for_inspection() {
    let emu = Emulator::start();
    let client = Client::new(&emu.sdk_config().await);
    assert!(emu.sent_emails().is_empty());
    let mail = |from: &str, set: Option<&str>| {
        client
            .send_email()
            .from_email_address(from)
            .destination(
                Destination::builder()
                    .to_addresses("ops@example.com")
                    .to_addresses("team@example.com")
                    .build(),
            )
            .content(
                EmailContent::builder()
                    .simple(
                        Message::builder()
                            .subject(text("SES deliverability report 2026-11-26"))
                            .body(
                                Body::builder()
                                    .text(text("plain report"))
                                    .html(text("<p>html report</p>"))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .set_configuration_set_name(set.map(str::to_string))
    };
    // Not verified: refused.
    let e = mail("reports@mail.example.net", None).send().await.unwrap_err();
    assert!(e.as_service_error().is_some_and(|e| e.is_message_rejected()), "{e:?}");
    // A domain identity is verified as soon as it is created.
    client
        .create_email_identity()
        .email_identity("mail.example.net")
        .send()
        .await
        .expect("CreateEmailIdentity");
    let id = mail("reports@mail.example.net", None)
        .send()
        .await
        .expect("SendEmail")
        .message_id()
        .map(str::to_string)
        .expect("SendEmail returns a MessageId");
    let sent = emu.sent_emails();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m["MessageId"].as_str(), Some(id.as_str()));
    assert_eq!(m["Type"], "v2.SendEmail");
    assert_eq!(m["Source"], "reports@mail.example.net");
    assert_eq!(m["To"], serde_json::json!(["ops@example.com", "team@example.com"]));
    assert_eq!(m["Subject"], "SES deliverability report 2026-11-26");
    assert_eq!(m["BodyText"], "plain report");
    assert_eq!(m["BodyHtml"], "<p>html report</p>");
    assert!(m["Timestamp"].as_f64().is_some());

    // Neither a paused nor an unknown configuration set stops the message (real SES refuses both).
    client.create_configuration_set().configuration_set_name("paused").send().await.expect("Create");
    client
        .put_configuration_set_sending_options()
        .configuration_set_name("paused")
        .sending_enabled(false)
        .send()
        .await
        .expect("Put");
    mail("reports@mail.example.net", Some("paused")).send().await.expect("accepted by ministack");
    mail("reports@mail.example.net", Some("no-such-set")).send().await.expect("accepted by ministack");
    assert_eq!(emu.sent_emails().len(), 3);
}
