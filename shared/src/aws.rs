//! AWS SDK plumbing shared by the functions: loading the configuration once, and turning SDK
//! errors into short, useful messages.

use aws_sdk_cloudwatch::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Loads the AWS configuration the standard way (region, credentials, `AWS_ENDPOINT_URL`,
/// `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE`), once per container.
pub async fn load() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// `Code: message (request id …)` for a service error; the full context chain for transport
/// errors (timeouts, refused connections), which are short. Unlike `DisplayErrorContext` on a
/// service error, it does not carry the raw HTTP response into logs and results.
pub fn error_text<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e {
        SdkError::ServiceError(se) => {
            let err = se.err();
            let meta = err.meta();
            let mut s = format!(
                "{}: {}",
                meta.code().unwrap_or("UnknownError"),
                meta.message().unwrap_or("no message")
            );
            if let Some(id) = meta.extra("aws_request_id") {
                s.push_str(&format!(" (request id {id})"));
            }
            s
        }
        other => DisplayErrorContext(other).to_string(),
    }
}

/// Whether an error (after the SDK's own retries) may go away: throttling, a 5xx, a timeout or a
/// connection failure. A 4xx other than throttling is the service refusing the request itself.
pub fn is_transient<E>(e: &SdkError<E, aws_sdk_cloudwatch::config::http::HttpResponse>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e {
        SdkError::ServiceError(se) => {
            let code = se.err().meta().code().unwrap_or("");
            let throttled = matches!(
                code,
                "Throttling"
                    | "ThrottlingException"
                    | "TooManyRequestsException"
                    | "RequestLimitExceeded"
                    | "LimitExceededException"
            );
            throttled || !(400..500).contains(&se.raw().status().as_u16())
        }
        SdkError::ConstructionFailure(_) => false,
        _ => true,
    }
}

/// The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}
