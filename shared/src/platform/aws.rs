//! AWS SDK plumbing shared by the functions: loading the configuration once, and turning SDK
//! errors into short, useful messages.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudwatch::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// The timeouts of every AWS call a function makes. Without them, an endpoint that accepts a
/// connection and never answers holds the function until Lambda kills it (60–300 s), with no
/// retry and no error of ours in the log. With them, a hung attempt is cut, the SDK retries it
/// (its standard mode: 3 attempts with back-off), and the operation fails with an error that
/// names the timeout well before Lambda's own — so the invocation fails in time, Lambda retries
/// it, and the failure queue keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// The function's Lambda timeout these are sized for (its `Timeout` in template.yaml).
    pub lambda: Duration,
    /// Establishing a connection (TCP and TLS).
    pub connect: Duration,
    /// One attempt: connecting, sending, and the whole answer.
    pub attempt: Duration,
    /// One operation: every attempt and the back-off between them.
    pub operation: Duration,
}

impl Timeouts {
    /// ses-events (a 60 s function): 15 s per operation, 5 s per attempt, 3 s to connect.
    pub const SES_EVENTS: Self = Self::within(Duration::from_secs(60));
    /// alarm-suppressor (300 s): 75 s per operation, 25 s per attempt, 3 s to connect.
    pub const ALARM_SUPPRESSOR: Self = Self::within(Duration::from_secs(300));
    /// rate-reporter (300 s): 75 s per operation, 25 s per attempt, 3 s to connect.
    pub const RATE_REPORTER: Self = Self::within(Duration::from_secs(300));
    /// Each function's, by binary name (template_intent checks them against template.yaml).
    pub const FUNCTIONS: [(&'static str, Self); 3] = [
        ("ses-events", Self::SES_EVENTS),
        ("alarm-suppressor", Self::ALARM_SUPPRESSOR),
        ("rate-reporter", Self::RATE_REPORTER),
    ];

    /// Sized from a Lambda timeout: an operation may take a quarter of it, so a function's first
    /// hung call fails with three quarters of its time left; each attempt a third of that, so
    /// the SDK's retries fit in; connecting at most 3 s (a lost SYN is sent again after 1 s).
    pub const fn within(lambda: Duration) -> Self {
        let operation = Duration::from_millis(lambda.as_millis() as u64 / 4);
        let attempt = Duration::from_millis(operation.as_millis() as u64 / 3);
        let connect = if attempt.as_millis() < 3000 { attempt } else { Duration::from_secs(3) };
        Self { lambda, connect, attempt, operation }
    }

    /// As the SDK's configuration.
    pub fn config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }
}

/// The standard AWS configuration loader (region, credentials, `AWS_ENDPOINT_URL`,
/// `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE`) with these timeouts and [`http_client`]; [`load`] uses
/// it, tests add an endpoint or credentials to it.
pub fn loader(timeouts: Timeouts) -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts.config())
        .http_client(http_client())
}

/// The HTTPS client of every AWS call (the services', and the credential providers' of
/// aws-config): the SDK's own hyper + rustls client, with two differences from its default.
///
/// - TLS on *ring* rather than aws-lc: the SDK crates are built without their default client
///   (Cargo.toml), so aws-lc is not linked; the binaries are smaller, and TLS to AWS endpoints
///   needs nothing ring lacks.
/// - The trust store (the system's CA certificates) is read at the first request, not when a
///   client is built ([`FirstRequestTls`]): the function starts without it.
pub fn http_client() -> SharedHttpClient {
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    SharedHttpClient::new(FirstRequestTls(https))
}

/// An HTTP client whose connector (TLS configuration and trust store included) is made when the
/// first request needs it. The SDK's client makes it when an SDK client is built, "so that native
/// certs load at client initialization time": reading and parsing the system's certificates
/// then takes a few milliseconds of every cold start before the first `/next` (measured: 6.1 →
/// 1.9 ms to the first `/next` without it, ses-events at its template configuration), though
/// most ses-events invocations (EMF metrics, no bounce or complaint) make no AWS call at all.
/// Everything else is the inner client's: connector cache, pool, timeouts, retries.
#[derive(Debug, Clone)]
pub struct FirstRequestTls(pub SharedHttpClient);

impl HttpClient for FirstRequestTls {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// Loads the AWS configuration once per container, with the function's [`Timeouts`].
pub async fn load(timeouts: Timeouts) -> aws_config::SdkConfig {
    loader(timeouts).load().await
}

/// What a person running a function without credentials reads, instead of the providers' chain.
pub const NO_CREDENTIALS: &str = "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and \
    AWS_SECRET_ACCESS_KEY (any values for a local emulator at AWS_ENDPOINT_URL), or run scripts/demo, \
    which needs no AWS account (RUST_LOG=debug shows what was tried)";

/// What a person running a function without a region reads.
pub const NO_REGION: &str = "no AWS region: set AWS_REGION (and AWS_ENDPOINT_URL to use a local \
    emulator), or run scripts/demo, which needs no AWS account";

/// A failed AWS call, after the SDK's retries: the one error type of every adapter (the ledger,
/// the store, SESv2, the report's CloudWatch reads, alarm states).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{service} {op} failed: {message}")]
pub struct AwsError {
    /// The service, as a person names it (`SES`, `CloudWatch`, `DynamoDB`).
    pub service: &'static str,
    /// The operation.
    pub op: &'static str,
    /// What the service (or the transport) said ([`error_text`]).
    pub message: String,
    /// Whether the service refused this one request for what it carries (SESv2's
    /// `BadRequestException`: an address it will not take), so that the caller may count it and
    /// go on with the others. Every other error (access denied, unknown credentials, a wrong
    /// region or endpoint, throttling after the retries, a server error, the network) is about
    /// the caller or the service, and would refuse every other request just the same.
    pub refused_item: bool,
}

impl AwsError {
    /// An error with a message of our own (an answer that cannot be used, say).
    pub fn new(service: &'static str, op: &'static str, message: impl Into<String>) -> Self {
        Self { service, op, message: message.into(), refused_item: false }
    }

    /// An SDK error, described by [`error_text`].
    pub fn sdk<E, R>(service: &'static str, op: &'static str, e: &SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        Self::new(service, op, error_text(e))
    }

    /// A refusal of one value, raised before any request (an invalid value).
    pub fn invalid(service: &'static str, op: &'static str, message: impl Into<String>) -> Self {
        Self { refused_item: true, ..Self::new(service, op, message) }
    }
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
        // A transport error (a timeout, a refused connection, credentials that could not be
        // loaded): its chain of messages, one line; the SDK's structures only at debug level.
        other => {
            tracing::debug!(error = %DisplayErrorContext(other), "AWS call failed");
            let mut text = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                if s.downcast_ref::<CredentialsError>().is_some() {
                    return NO_CREDENTIALS.to_string();
                }
                if s.to_string().contains("Missing Region") {
                    return NO_REGION.to_string();
                }
                let said = s.to_string();
                if !text.ends_with(&said) {
                    text.push_str(": ");
                    text.push_str(&said);
                }
                source = s.source();
            }
            text
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_leave_most_of_the_function_time() {
        let t = Timeouts::SES_EVENTS;
        assert_eq!(
            (t.connect, t.attempt, t.operation),
            (Duration::from_secs(3), Duration::from_secs(5), Duration::from_secs(15))
        );
        for (f, t) in Timeouts::FUNCTIONS {
            assert!(t.operation * 4 <= t.lambda, "{f}");
            assert!(t.attempt * 3 <= t.operation && t.connect <= t.attempt, "{f}: {t:?}");
            let c = t.config();
            assert_eq!(c.operation_timeout(), Some(t.operation));
            assert_eq!(c.operation_attempt_timeout(), Some(t.attempt));
            assert_eq!(c.connect_timeout(), Some(t.connect));
        }
        assert_eq!(Timeouts::within(Duration::from_secs(4)).connect, Duration::from_millis(333));
    }
}
