//! One function binary served by a Lambda Runtime API emulator.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lambda_simulator::{InvocationStatus, Simulator};
use serde_json::Value;

use super::{FunctionDef, INVOKE_TIMEOUT, function_binary};
use crate::{ACCOUNT_ID, REGION, target_dir, test_credentials};

/// Log lines of a function kept in memory (the file has them all).
const LOG_LINES_KEPT: usize = 2000;

/// One invocation's outcome, as the runtime emulator recorded it.
#[derive(Debug, Clone)]
pub struct Invoked {
    /// The request id.
    pub request_id: String,
    /// The function's response, or its error (`type: message`).
    pub output: Result<Value, String>,
    /// When the function fetched the invocation from `/next`.
    pub started_at: Option<DateTime<Utc>>,
    /// When its response or error arrived.
    pub finished_at: Option<DateTime<Utc>>,
    /// Enqueue → response, measured here.
    pub elapsed: Duration,
}

/// A function binary served by its own Runtime API emulator. Killed on drop; its log file is
/// removed then unless the thread is panicking or `KEEP_LAMBDA_LOGS` is set.
pub struct LambdaFunction {
    name: String,
    sim: Simulator,
    child: Mutex<Child>,
    pid: u32,
    lines: Arc<Mutex<VecDeque<String>>>,
    log_path: PathBuf,
    spawned_at: DateTime<Utc>,
}

impl std::fmt::Debug for LambdaFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaFunction").field("name", &self.name).field("pid", &self.pid).finish()
    }
}

impl LambdaFunction {
    /// Starts the function's executable ([`function_binary`]) against a new Runtime API emulator, with Lambda's
    /// environment (function name, memory, log group, `AWS_LAMBDA_RUNTIME_API`, region), static
    /// test credentials, no AWS config files, then `def.env` and `extra_env` on top.
    ///
    /// # Panics
    /// When the binary is missing (see [`function_binary`]) or cannot be started.
    pub async fn start(def: &FunctionDef, extra_env: &[(&str, String)]) -> Self {
        Self::start_binary(&function_binary(&def.binary), def, extra_env).await
    }

    /// [`LambdaFunction::start`] with another executable (a crate's own test build of its
    /// binary, `env!("CARGO_BIN_EXE_<name>")`).
    ///
    /// # Panics
    /// When the binary cannot be started.
    pub async fn start_binary(bin: &Path, def: &FunctionDef, extra_env: &[(&str, String)]) -> Self {
        let sim = Simulator::builder()
            .function_name(&def.binary)
            .memory_size_mb(def.memory_mb)
            .invocation_timeout(Duration::from_secs(def.timeout_s))
            .region(REGION)
            .account_id(ACCOUNT_ID)
            .handler("bootstrap")
            .build()
            .await
            .unwrap_or_else(|e| panic!("cannot start the Runtime API emulator for {}: {e}", def.binary));
        let creds = test_credentials();
        let dir = target_dir().join("lambda-logs");
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        // Hermetic: no AWS profile of the machine running the test (it could set an endpoint).
        let no_profile = dir.join("empty-aws-config");
        std::fs::write(&no_profile, "").unwrap_or_else(|e| panic!("{}: {e}", no_profile.display()));
        let mut cmd = Command::new(bin);
        cmd.env_clear()
            .envs(sim.lambda_env_vars())
            .env("AWS_ACCESS_KEY_ID", creds.access_key_id())
            .env("AWS_SECRET_ACCESS_KEY", creds.secret_access_key())
            .env("AWS_CONFIG_FILE", &no_profile)
            .env("AWS_SHARED_CREDENTIALS_FILE", &no_profile)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            // libfaketime's variables pass through, so the suite can be run at another date
            // (`faketime -f '@2027-01-15 12:00:00' target/debug/deps/integration-… e2e::`).
            .envs(std::env::vars().filter(|(k, _)| k == "LD_PRELOAD" || k.starts_with("FAKETIME")))
            .envs(&def.env)
            .envs(extra_env.iter().map(|(k, v)| (*k, v.as_str())))
            .current_dir(target_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let spawned_at = Utc::now();
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let pid = child.id();
        let log_path = dir.join(format!("{}-{}-{pid}.log", def.binary, std::process::id()));
        let file = Arc::new(Mutex::new(
            File::create(&log_path).unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display())),
        ));
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let out = child.stdout.take().expect("piped stdout");
        let err = child.stderr.take().expect("piped stderr");
        capture(out, lines.clone(), file.clone());
        capture(err, lines.clone(), file);
        Self { name: def.binary.clone(), sim, child: Mutex::new(child), pid, lines, log_path, spawned_at }
    }

    /// Function (binary) name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// When the process was spawned.
    pub fn spawned_at(&self) -> DateTime<Utc> {
        self.spawned_at
    }

    /// The file with everything it wrote.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Its log lines (stdout and stderr, interleaved as read), the last `n`.
    pub fn log_tail(&self, n: usize) -> String {
        let lines = self.lines.lock().expect("not poisoned");
        let skip = lines.len().saturating_sub(n);
        lines.iter().skip(skip).cloned().collect::<Vec<_>>().join("\n")
    }

    /// Its log lines kept in memory (the last [`LOG_LINES_KEPT`]).
    pub fn log_lines(&self) -> Vec<String> {
        self.lines.lock().expect("not poisoned").iter().cloned().collect()
    }

    /// A `kB` field of `/proc/<pid>/status` (`VmHWM`: peak resident set; `VmRSS`: current).
    pub fn proc_status_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Invokes it and returns its response; `Err` carries the function error, a timeout or the
    /// process's exit, with the log tail.
    pub async fn invoke(&self, payload: &Value) -> Result<Value, String> {
        self.invoke_timed(payload).await.output
    }

    /// Invokes it and waits (at most [`INVOKE_TIMEOUT`]) for the response or error.
    pub async fn invoke_timed(&self, payload: &Value) -> Invoked {
        let t0 = Instant::now();
        let id = self.sim.enqueue_payload(payload.clone()).await;
        let deadline = t0 + INVOKE_TIMEOUT;
        let fail = |request_id: &str, msg: String| Invoked {
            request_id: request_id.into(),
            output: Err(msg),
            started_at: None,
            finished_at: None,
            elapsed: t0.elapsed(),
        };
        loop {
            match self.sim.wait_for_invocation_complete(&id, Duration::from_millis(250)).await {
                Ok(state) => {
                    let output = match state.status {
                        InvocationStatus::Success => {
                            Ok(state.response.as_ref().map(|r| r.payload.clone()).unwrap_or(Value::Null))
                        }
                        other => Err(state.error.as_ref().map_or_else(
                            || format!("invocation ended {other:?}"),
                            |e| format!("{}: {}", e.error_type, e.error_message),
                        )),
                    };
                    let finished_at = state
                        .response
                        .as_ref()
                        .map(|r| r.received_at)
                        .or(state.error.as_ref().map(|e| e.received_at));
                    return Invoked {
                        request_id: id,
                        output,
                        started_at: state.started_at,
                        finished_at,
                        elapsed: t0.elapsed(),
                    };
                }
                Err(lambda_simulator::SimulatorError::Timeout(_)) => {}
                Err(e) => return fail(&id, format!("runtime emulator: {e}")),
            }
            if let Ok(Some(status)) = self.child.lock().expect("not poisoned").try_wait() {
                return fail(&id, format!("{} exited ({status}) before answering", self.name));
            }
            if Instant::now() >= deadline {
                return fail(&id, format!("{} did not answer within {INVOKE_TIMEOUT:?}", self.name));
            }
        }
    }

    /// The last `n` invocations as the runtime emulator recorded them, one line each.
    pub async fn recent_invocations(&self, n: usize) -> String {
        let mut states = self.sim.get_all_invocation_states().await;
        states.sort_by_key(|s| s.invocation.created_at);
        let skip = states.len().saturating_sub(n);
        let mut out = String::new();
        for s in states.iter().skip(skip) {
            let detail = match (&s.response, &s.error) {
                (Some(r), _) => truncate(&r.payload.to_string(), 300),
                (_, Some(e)) => format!("{}: {}", e.error_type, truncate(&e.error_message, 300)),
                _ => String::new(),
            };
            let _ = writeln!(out, "{} {:?} {detail}", s.invocation.request_id, s.status);
        }
        out
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn capture(
    stream: impl std::io::Read + Send + 'static,
    lines: Arc<Mutex<VecDeque<String>>>,
    file: Arc<Mutex<File>>,
) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let _ = writeln!(file.lock().expect("not poisoned"), "{line}");
            let mut l = lines.lock().expect("not poisoned");
            if l.len() == LOG_LINES_KEPT {
                l.pop_front();
            }
            l.push_back(line);
        }
    });
}

impl Drop for LambdaFunction {
    fn drop(&mut self) {
        if let Ok(child) = self.child.get_mut() {
            if let Ok(pid) = i32::try_from(child.id()) {
                // SAFETY: kill(2) on the process group created for this child (pgid == its pid).
                unsafe {
                    libc::kill(-pid, libc::SIGKILL);
                }
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let keep = std::thread::panicking() || std::env::var_os("KEEP_LAMBDA_LOGS").is_some();
        if !keep {
            let _ = std::fs::remove_file(&self.log_path);
        }
    }
}
