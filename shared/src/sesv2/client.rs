//! The SESv2 API through aws-sdk-sesv2: the suppression list, sending control and the report's
//! email.

use aws_sdk_sesv2::Client;

use super::*;

/// The SESv2 API.
#[derive(Debug, Clone)]
pub struct SesV2 {
    client: Client,
}

impl SesV2 {
    /// Wraps a client (built once per container).
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

fn api_err<E>(
    op: &'static str,
    e: &aws_sdk_sesv2::error::SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
) -> AwsError
where
    E: aws_sdk_sesv2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    AwsError { refused_item: refuses_the_item(e), ..AwsError::sdk("SES", op, e) }
}

/// `BadRequestException` with HTTP 400: SESv2's answer to a request whose content it refuses
/// (for PutSuppressedDestination, an address it does not accept). Only this counts as a refusal
/// of one item; see [`AwsError::refused_item`].
fn refuses_the_item<E>(
    e: &aws_sdk_sesv2::error::SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
) -> bool
where
    E: aws_sdk_sesv2::error::ProvideErrorMetadata,
{
    match e {
        aws_sdk_sesv2::error::SdkError::ServiceError(se) => {
            se.raw().status().as_u16() == 400 && se.err().meta().code() == Some("BadRequestException")
        }
        _ => false,
    }
}

impl SuppressionList for SesV2 {
    async fn suppress(&self, address: &str, reason: SuppressionReason) -> Result<(), AwsError> {
        let reason = match reason {
            SuppressionReason::Complaint => SuppressionListReason::Complaint,
            SuppressionReason::Bounce => SuppressionListReason::Bounce,
        };
        self.client
            .put_suppressed_destination()
            .email_address(address)
            .reason(reason)
            .send()
            .await
            .map_err(|e| api_err("PutSuppressedDestination", &e))?;
        Ok(())
    }
}

impl SendingControl for SesV2 {
    async fn state(&self, set: &ConfigSetRef) -> Result<SendingState, AwsError> {
        let out = self
            .client
            .get_configuration_set()
            .configuration_set_name(&set.name)
            .send()
            .await
            .map_err(|e| api_err("GetConfigurationSet", &e))?;
        // SendingOptions absent means the default: sending enabled.
        let enabled = out.sending_options().is_none_or(|o| o.sending_enabled());
        let paused_by = holders_from_tags(out.tags().iter().map(|t| (t.key(), t.value())));
        Ok(SendingState { enabled, paused_by })
    }

    async fn add_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), AwsError> {
        if alarms.is_empty() {
            return Ok(());
        }
        let mut req = self.client.tag_resource().resource_arn(&set.arn);
        for a in alarms {
            let value = holder_tag_value(a).ok_or_else(|| {
                AwsError::invalid("SES", "TagResource", format!("alarm name too long for a tag value: {a:?}"))
            })?;
            let tag = Tag::builder()
                .key(holder_tag_key(a))
                .value(value)
                .build()
                .map_err(|e| AwsError::invalid("SES", "TagResource", e.to_string()))?;
            req = req.tags(tag);
        }
        req.send().await.map_err(|e| api_err("TagResource", &e))?;
        Ok(())
    }

    async fn remove_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), AwsError> {
        if alarms.is_empty() {
            return Ok(());
        }
        // The earlier versions' list tag goes too (removing an absent key is no error).
        let mut req = self.client.untag_resource().resource_arn(&set.arn).tag_keys(PAUSED_BY_TAG);
        for a in alarms {
            req = req.tag_keys(holder_tag_key(a));
        }
        req.send().await.map_err(|e| api_err("UntagResource", &e))?;
        Ok(())
    }

    async fn set_sending(&self, set: &ConfigSetRef, enabled: bool) -> Result<(), AwsError> {
        self.client
            .put_configuration_set_sending_options()
            .configuration_set_name(&set.name)
            .sending_enabled(enabled)
            .send()
            .await
            .map_err(|e| api_err("PutConfigurationSetSendingOptions", &e))?;
        Ok(())
    }
}

impl ReportMailer for SesV2 {
    async fn send(&self, email: &Email) -> Result<String, AwsError> {
        use aws_sdk_sesv2::types::{
            Attachment, AttachmentContentDisposition, AttachmentContentTransferEncoding, Body, Content,
            Destination, EmailContent, Message,
        };
        let content = |data: &str| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| AwsError::invalid("SES", "SendEmail", e.to_string()))
        };
        let attachments = email
            .inline_images
            .iter()
            .map(|i| {
                Attachment::builder()
                    .raw_content(aws_smithy_types::Blob::new(i.data.clone()))
                    .content_disposition(AttachmentContentDisposition::Inline)
                    .content_id(&i.content_id)
                    .content_type(&i.content_type)
                    .content_transfer_encoding(AttachmentContentTransferEncoding::Base64)
                    .file_name(&i.file_name)
                    .build()
                    .map_err(|e| AwsError::invalid("SES", "SendEmail", e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(Body::builder().html(content(&email.html)?).text(content(&email.text)?).build())
            .set_attachments((!attachments.is_empty()).then_some(attachments))
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&email.from)
            .destination(Destination::builder().set_to_addresses(Some(email.to.clone())).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(email.configuration_set.clone())
            .send()
            .await
            .map_err(|e| api_err("SendEmail", &e))?;
        Ok(out.message_id().unwrap_or_default().to_string())
    }
}
