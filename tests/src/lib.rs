//! Test harness for the ses-monitor integration tests.
//!
//! - [`Emulator`]: a private [ministack](https://pypi.org/project/ministack/) (local AWS emulator)
//!   on a free loopback port, started from `<repo>/.venv/bin/ministack` (installed by
//!   `scripts/setup-tools`) and killed when dropped. Each test starts its own, so tests share no
//!   state; one starts in well under a second.
//! - [`Emulator::sdk_config`]: the AWS configuration built the way production builds it
//!   (`aws_config::defaults(BehaviorVersion::latest())`), except that the endpoint is the
//!   emulator, the region is fixed and the credentials are static test ones.
//! - [`RequestLog`]: an SDK interceptor that records what each attempt put on the wire, so tests
//!   can assert attempts, compression and protocol headers.
//! - [`create_ledger_table`]: the offender-ledger DynamoDB table as template.yaml declares it
//!   (keys, the `by-day` index, TTL), and [`scan_table`] to read every raw item back.
//! - [`Emulator::sent_emails`]: what SESv2 SendEmail "sent" (ministack keeps it in memory).
//! - [`lambda`]: the function binaries served by a Lambda Runtime API emulator, their
//!   configuration read from template.yaml, and named test steps that report with the logs.
//! - [`alarm_queue`]: an alarm topic with an SQS queue subscribed to it, and the Lambda events
//!   alarm-suppressor would receive for each notification.
//! - [`ses_proxy`]: a recording SESv2 proxy in front of the emulator that answers the account
//!   suppression-list calls ministack lacks.
//! - [`faults`]: an endpoint that accepts and never answers, and a proxy that stops the emulator
//!   answering after a given number of requests of one operation.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_cloudwatch::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudwatch::config::{ConfigBag, Credentials, Intercept, RuntimeComponents};
use aws_sdk_cloudwatch::error::DisplayErrorContext;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection, ProjectionType, ScalarAttributeType, TimeToLiveSpecification, TimeToLiveStatus,
};

pub mod alarm_queue;
pub mod faults;
pub mod lambda;
pub mod ses_proxy;

/// How long [`Emulator::start`] waits for the emulator to answer.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

/// Region used against the emulator.
pub const REGION: &str = "us-east-1";

/// The AWS account id ministack answers with for [`test_credentials`] (ministack takes the
/// account from the access key only when the key is 12 digits, else `MINISTACK_ACCOUNT_ID`,
/// default `000000000000`). ARNs the emulator checks (SESv2 tags, SNS, SQS) carry it.
pub const ACCOUNT_ID: &str = "000000000000";

/// The repository root (the parent of this crate's directory).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when it was set for the build, else
/// `<repo>/target`).
pub fn target_dir() -> PathBuf {
    match option_env!("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() { d } else { repo_root().join(d) }
        }
        None => repo_root().join("target"),
    }
}

/// The ministack executable: `$MINISTACK_BIN` if set, else `<repo>/.venv/bin/ministack`.
pub fn ministack_bin() -> PathBuf {
    std::env::var_os("MINISTACK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/ministack"))
}

/// A running ministack on `127.0.0.1:<port>`, killed (with its whole process group) on drop.
///
/// Its stdout and stderr go to a log file under `target/ministack/`. When the test that owns the
/// emulator panics, the end of that log is printed and the file is kept; otherwise it is removed
/// on drop, unless `KEEP_MINISTACK_LOGS` is set.
#[derive(Debug)]
pub struct Emulator {
    child: Child,
    port: u16,
    log: PathBuf,
    keep_log: bool,
    /// Extra environment it was started with (kept for [`Emulator::restart`]).
    env: Vec<(String, String)>,
}

impl Emulator {
    /// Starts an emulator on a free loopback port and waits until it answers its health check.
    ///
    /// # Panics
    /// When the executable is missing (run `scripts/setup-tools`), or when the emulator exits or
    /// does not answer within [`START_TIMEOUT`]; the message names the log file.
    pub fn start() -> Self {
        Self::start_with_env(&[])
    }

    /// [`Emulator::start`] that keeps its state on disk in `state_dir` when it is stopped
    /// gracefully ([`EmulatorStopper::stop`]), and loads it again on [`Emulator::restart`]
    /// (ministack's `PERSIST_STATE=1`).
    pub fn start_persistent(state_dir: &Path) -> Self {
        std::fs::create_dir_all(state_dir).unwrap_or_else(|e| panic!("{}: {e}", state_dir.display()));
        Self::start_with_env(&[("PERSIST_STATE", "1".into()), ("STATE_DIR", state_dir.display().to_string())])
    }

    /// [`Emulator::start`] with extra environment variables for ministack.
    pub fn start_with_env(env: &[(&str, String)]) -> Self {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let bin = ministack_bin();
        assert!(
            bin.is_file(),
            "{} not found: run scripts/setup-tools (it installs ministack and cbor2 into .venv)",
            bin.display()
        );
        let log_dir = target_dir().join("ministack");
        std::fs::create_dir_all(&log_dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_dir.display()));
        // The port is free when we look, but another process may take it before ministack binds
        // it: then ministack exits at once and we try again on another port.
        let mut last_failure = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log = log_dir.join(format!("ministack-{}-{port}.log", std::process::id()));
            match Self::try_start(&bin, port, &log, &env) {
                Ok(emulator) => return emulator,
                Err(Failure::Exited(msg)) => last_failure = msg,
                Err(Failure::Fatal(msg)) => panic!("{msg}"),
            }
        }
        panic!("{last_failure}")
    }

    fn try_start(bin: &Path, port: u16, log: &Path, env: &[(String, String)]) -> Result<Self, Failure> {
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| Failure::Fatal(format!("cannot create {}: {e}", log.display())))?;
        let err = out.try_clone().map_err(|e| Failure::Fatal(format!("cannot dup log file: {e}")))?;
        let child = Command::new(bin)
            .env("GATEWAY_PORT", port.to_string())
            .env("BIND_HOST", "127.0.0.1")
            .env("LOG_LEVEL", "INFO")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            // Its pid file goes to the temporary directory; keep it with the log.
            .env("TMPDIR", log.parent().expect("log has a directory"))
            .current_dir(log.parent().expect("log has a directory"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            // Its own process group, so that drop can kill it with anything it started.
            .process_group(0)
            .spawn()
            .map_err(|e| {
                Failure::Fatal(format!("cannot start {}: {e} (run scripts/setup-tools)", bin.display()))
            })?;
        let mut emulator = Self {
            child,
            port,
            log: log.to_path_buf(),
            // Kept when start-up fails, since the error message points to it.
            keep_log: true,
            env: env.to_vec(),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = emulator.child.try_wait() {
                let msg = format!(
                    "ministack exited during start-up ({status}); log {}:\n{}",
                    emulator.log.display(),
                    emulator.log_tail(40)
                );
                return Err(Failure::Exited(msg));
            }
            if health_ok(port) {
                emulator.keep_log = std::env::var_os("KEEP_MINISTACK_LOGS").is_some();
                return Ok(emulator);
            }
            if Instant::now() >= deadline {
                let msg = format!(
                    "ministack did not answer on 127.0.0.1:{port} within {START_TIMEOUT:?}; log {}:\n{}",
                    emulator.log.display(),
                    emulator.log_tail(40)
                );
                drop(emulator);
                return Err(Failure::Fatal(msg));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The loopback port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle that stops this emulator from any thread (e.g. from inside a proxy, in the middle
    /// of a function's run).
    pub fn stopper(&self) -> EmulatorStopper {
        EmulatorStopper { pid: self.child.id(), port: self.port }
    }

    /// Starts it again on the same port with the same environment, after
    /// [`EmulatorStopper::stop`] (with [`Emulator::start_persistent`] it loads the state it saved).
    ///
    /// # Panics
    /// When it does not answer within [`START_TIMEOUT`].
    pub fn restart(&mut self) {
        let _ = self.child.wait();
        let bin = ministack_bin();
        let fresh = match Self::try_start(&bin, self.port, &self.log, &self.env) {
            Ok(e) => e,
            Err(Failure::Exited(m) | Failure::Fatal(m)) => panic!("restart: {m}"),
        };
        // Take over its process; the old handle (already exited) is dropped without killing it.
        let old = std::mem::replace(self, fresh);
        std::mem::forget(old);
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its log file (stdout and stderr).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last `lines` lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// AWS configuration for SDK clients talking to this emulator: production's
    /// `aws_config::defaults(BehaviorVersion::latest())` with only the endpoint, the region and
    /// static test credentials set.
    pub async fn sdk_config(&self) -> SdkConfig {
        sdk_loader().endpoint_url(self.endpoint_url()).load().await
    }

    /// `GET <path>` on the emulator (its `/_ministack/...` inspection endpoints): status and body.
    ///
    /// # Panics
    /// When the emulator cannot be reached or answers something that is not HTTP.
    pub fn http_get(&self, path: &str) -> (u16, String) {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .unwrap_or_else(|e| panic!("cannot connect to ministack on {addr}: {e}"));
        s.set_read_timeout(Some(Duration::from_secs(10))).expect("set timeout");
        // HTTP/1.0: the answer is not chunked and ends when the connection closes.
        let req = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\n\r\n", self.port);
        s.write_all(req.as_bytes()).unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let text = String::from_utf8_lossy(&raw);
        let (head, body) =
            text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("GET {path}: no HTTP answer"));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("GET {path}: bad status line {head:?}"));
        (status, body.to_string())
    }

    /// The messages SESv2 SendEmail accepted, from ministack's `GET /_ministack/ses/messages`:
    /// one JSON object per message with `MessageId`, `Source`, `To`, `CC`, `BCC`, `Subject`,
    /// `BodyText`, `BodyHtml`, `Timestamp` (epoch seconds) and `Type` (`v2.SendEmail`), all
    /// accounts together, oldest first.
    pub fn sent_emails(&self) -> Vec<serde_json::Value> {
        let (status, body) = self.http_get("/_ministack/ses/messages");
        assert_eq!(status, 200, "GET /_ministack/ses/messages: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON from /_ministack/ses/messages");
        let mut out: Vec<serde_json::Value> = v["messages"]
            .as_object()
            .map(|accounts| accounts.values().filter_map(|m| m.as_array()).flatten().cloned().collect())
            .unwrap_or_default();
        out.sort_by(|a, b| a["Timestamp"].as_f64().partial_cmp(&b["Timestamp"].as_f64()).expect("numbers"));
        out
    }
}

/// Creates the SQS queue `name` in the emulator: its URL and ARN.
///
/// # Panics
/// When the emulator refuses either call.
pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> (String, String) {
    use aws_sdk_sqs::types::QueueAttributeName;
    let url = sqs.create_queue().queue_name(name).send().await.expect("CreateQueue").queue_url.expect("URL");
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("GetQueueAttributes");
    let arn = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .expect("QueueArn attribute")
        .clone();
    (url, arn)
}

/// Creates the offender-ledger table as template.yaml declares it, waits until it is active and
/// enables TTL; returns a client on it.
///
/// Layout (see `ses_monitor::ledger`): string keys `pk` (hash) and `sk` (range), on-demand
/// billing, the global secondary index [`ses_monitor::ledger::BY_DAY_INDEX`] on `gsi1pk` /
/// `gsi1sk` projecting all attributes, and TTL on `expires_at`. ministack honours TTL: a
/// background task deletes items whose `expires_at` has passed once a minute (counted from its
/// start); until then they are still read back, as in DynamoDB. So items written by a test
/// must not be older than their TTL, or they vanish mid-test.
///
/// # Panics
/// When any of these calls fails.
pub async fn create_ledger_table(sdk: &SdkConfig, name: &str) -> aws_sdk_dynamodb::Client {
    let client = aws_sdk_dynamodb::Client::new(sdk);
    let attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute definition")
    };
    let key = |n: &str, t: KeyType| {
        KeySchemaElement::builder().attribute_name(n).key_type(t).build().expect("key schema element")
    };
    let by_day = GlobalSecondaryIndex::builder()
        .index_name(ses_monitor::ledger::BY_DAY_INDEX)
        .key_schema(key("gsi1pk", KeyType::Hash))
        .key_schema(key("gsi1sk", KeyType::Range))
        .projection(Projection::builder().projection_type(ProjectionType::All).build())
        .build()
        .expect("index definition");
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(vec![attr("pk"), attr("sk"), attr("gsi1pk"), attr("gsi1sk")]))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(by_day)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateTable {name}: {}", DisplayErrorContext(&e)));
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(Duration::from_secs(30))
        .await
        .unwrap_or_else(|e| panic!("table {name} did not become active: {}", DisplayErrorContext(&e)));
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name("expires_at")
                .build()
                .expect("TTL specification"),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateTimeToLive {name}: {}", DisplayErrorContext(&e)));
    let ttl = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeTimeToLive {name}: {}", DisplayErrorContext(&e)));
    let desc = ttl.time_to_live_description().expect("a TTL description");
    assert_eq!(desc.time_to_live_status(), Some(&TimeToLiveStatus::Enabled), "{desc:?}");
    assert_eq!(desc.attribute_name(), Some("expires_at"), "{desc:?}");
    client
}

/// Creates in the emulator what the stack's SES part has: these configuration sets, and the
/// report sender's email identity.
///
/// # Panics
/// When a call fails.
pub async fn create_ses_resources(sdk: &SdkConfig, configuration_sets: &[&str], sender: &str) {
    let sesv2 = aws_sdk_sesv2::Client::new(sdk);
    for set in configuration_sets {
        sesv2
            .create_configuration_set()
            .configuration_set_name(*set)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateConfigurationSet {set}: {}", DisplayErrorContext(&e)));
    }
    sesv2
        .create_email_identity()
        .email_identity(sender)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateEmailIdentity {sender}: {}", DisplayErrorContext(&e)));
}

/// Every item of a table (Scan, all pages), in no particular order.
///
/// # Panics
/// When a Scan fails.
pub async fn scan_table(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Vec<HashMap<String, AttributeValue>> {
    let mut out = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .unwrap_or_else(|e| panic!("Scan {table}: {}", DisplayErrorContext(&e)));
        out.extend(page.items().iter().cloned());
        match page.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return out,
        }
    }
}

/// `aws_config::defaults(BehaviorVersion::latest())` with the test region and static test
/// credentials; callers add the endpoint or an HTTP client.
pub fn sdk_loader() -> aws_config::ConfigLoader {
    aws_config::defaults(BehaviorVersion::latest()).region(REGION).credentials_provider(test_credentials())
}

/// [`sdk_loader`] with the SDK's standard retry mode at `max_attempts` and a backoff of a few
/// milliseconds: production's retry policy without its waiting, for the wire-level tests that
/// answer each attempt themselves.
pub fn fast_retry_loader(max_attempts: u32) -> aws_config::ConfigLoader {
    sdk_loader().retry_config(
        aws_config::retry::RetryConfig::standard()
            .with_max_attempts(max_attempts)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(5)),
    )
}

/// Static credentials accepted by the emulator (it does not check signatures).
pub fn test_credentials() -> Credentials {
    Credentials::new("AKIDSESMONITORTEST", "ses-monitor-test-secret", None, None, "ses-monitor-tests")
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- ministack log {} (last 60 lines) ---\n{}\n--- end of ministack log ---",
                self.log.display(),
                self.log_tail(60)
            );
        }
        if let Ok(pid) = i32::try_from(self.child.id()) {
            // SAFETY: kill(2) on the process group we created for this child (pgid == its pid);
            // it touches no memory of ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Killed, ministack cannot remove its pid file (in TMPDIR, set to the log directory).
        if let Some(dir) = self.log.parent() {
            let _ = std::fs::remove_file(dir.join(format!("ministack-{}.pid", self.port)));
        }
        if !self.keep_log && !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// Stops an [`Emulator`] gracefully from any thread: SIGTERM to its process group, then waits
/// until its port refuses connections (so a client's next call fails at once, as against a
/// service that is down).
#[derive(Debug, Clone, Copy)]
pub struct EmulatorStopper {
    pid: u32,
    port: u16,
}

impl EmulatorStopper {
    /// Stops it and waits (at most 20 s) until nothing listens on its port.
    ///
    /// # Panics
    /// When the port still answers after 20 s.
    pub fn stop(&self) {
        if let Ok(pid) = i32::try_from(self.pid) {
            // SAFETY: kill(2) on the process group created for the emulator (pgid == its pid).
            unsafe {
                libc::kill(-pid, libc::SIGTERM);
            }
        }
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
            assert!(Instant::now() < deadline, "ministack still listens on {addr} 20 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

enum Failure {
    /// The emulator exited during start-up (e.g. it lost the race for the port): try again.
    Exited(String),
    /// Anything else: give up.
    Fatal(String),
}

fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    l.local_addr().expect("local address").port()
}

/// Whether `GET /_ministack/health` answers 200 (so the port is ministack's, not someone else's).
fn health_ok(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
    let req =
        format!("GET /_ministack/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
}

/// What one request attempt put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentRequest {
    /// The request URI.
    pub uri: String,
    /// `Content-Encoding` (`gzip` when the SDK compressed the body).
    pub content_encoding: Option<String>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `smithy-protocol` (`rpc-v2-cbor` for the current CloudWatch protocol).
    pub smithy_protocol: Option<String>,
    /// `amz-sdk-request` (`attempt=N; max=M`).
    pub sdk_request: Option<String>,
    /// `x-amz-target` (the operation, for JSON protocols: `DynamoDB_20120810.Query`).
    pub target: Option<String>,
    /// Body size in bytes as sent (after compression), when the body is in memory.
    pub body_len: Option<usize>,
}

/// An interceptor that records every attempt the client transmits (after signing and request
/// compression). Clone it, add one clone to the client configuration with `.interceptor(…)`,
/// read the other.
#[derive(Debug, Clone, Default)]
pub struct RequestLog {
    sent: Arc<Mutex<Vec<SentRequest>>>,
}

impl RequestLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// The attempts recorded so far, in order.
    pub fn requests(&self) -> Vec<SentRequest> {
        self.sent.lock().expect("not poisoned").clone()
    }
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "ses-monitor-tests RequestLog"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let req = context.request();
        let header = |name: &str| req.headers().get(name).map(str::to_string);
        let sent = SentRequest {
            uri: req.uri().to_string(),
            content_encoding: header("content-encoding"),
            content_type: header("content-type"),
            smithy_protocol: header("smithy-protocol"),
            sdk_request: header("amz-sdk-request"),
            target: header("x-amz-target"),
            body_len: req.body().bytes().map(<[u8]>::len),
        };
        self.sent.lock().expect("not poisoned").push(sent);
        Ok(())
    }
}
