//! The real compiled function binaries, run the way Lambda runs them.
//!
//! - [`function_binary`]: the executable of a function: the `bootstrap` that `sam build` wrote
//!   (`.aws-sam/build/<LogicalId>/bootstrap`, what `sam deploy` uploads) when
//!   `SES_MONITOR_BOOTSTRAP_DIR` names that folder, as scripts/test does; else
//!   `target/release/<function>`, the same code built by plain cargo ([`release_binary`]). A
//!   missing one is a clear error telling how to build it.
//! - [`Template`]: template.yaml read as data, with a small evaluator for the intrinsics its
//!   function environments and alarms use (`Ref`, `Fn::Sub`, `Fn::If` and conditions), so each
//!   binary gets its configuration exactly as the stack would set it.
//! - [`LambdaFunction`]: one binary as a child process served by a Lambda Runtime API emulator
//!   (the `lambda-simulator` crate, in this process on a free loopback port): the process polls
//!   `/next`, handles the invocation and posts its response or error, as in Lambda. Its stdout
//!   and stderr are captured (last lines in memory, everything in a file under
//!   `target/lambda-logs/`).
//! - [`Steps`]: named test steps; a failing step's panic names the step and the functions it
//!   drove and carries their log tails, their last invocations as the runtime emulator saw them
//!   and the AWS emulator's log tail.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::fs::File;
use std::future::Future;
use std::io::{BufRead, BufReader, Write as _};
use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use lambda_simulator::{InvocationStatus, Simulator};
use serde_json::Value;

use crate::{ACCOUNT_ID, Emulator, REGION, repo_root, target_dir, test_credentials};

/// The three functions, by binary name.
pub const FUNCTIONS: [&str; 3] = ["ses-events", "alarm-suppressor", "rate-reporter"];

/// The command that builds what [`release_binary`] looks for (scripts/test runs it).
pub const BUILD_COMMAND: &str =
    "cargo build --release --locked -p ses-events -p alarm-suppressor -p rate-reporter";

/// Longest wait for one invocation (start-up included) before the test fails.
pub const INVOKE_TIMEOUT: Duration = Duration::from_secs(60);

/// Log lines of a function kept in memory (the file has them all).
const LOG_LINES_KEPT: usize = 2000;

/// The variable that points the tests at the artifacts of `sam build` (its `build` folder).
pub const BOOTSTRAP_DIR_VAR: &str = "SES_MONITOR_BOOTSTRAP_DIR";

/// The executable the tests run for the function whose binary is `name`:
/// `$SES_MONITOR_BOOTSTRAP_DIR/<LogicalId>/bootstrap` (the logical id from template.yaml) when
/// that variable is set, else [`release_binary`].
///
/// # Panics
/// When the file does not exist, with the command that builds it.
pub fn function_binary(name: &str) -> PathBuf {
    let Some(dir) = std::env::var_os(BOOTSTRAP_DIR_VAR).filter(|d| !d.is_empty()) else {
        return release_binary(name);
    };
    let logical_id = Template::load("ses-monitor").logical_id(name);
    let path = PathBuf::from(dir).join(&logical_id).join("bootstrap");
    assert!(
        path.is_file(),
        "{} not found: {BOOTSTRAP_DIR_VAR} says the tests drive what `sam build` built; run \
         scripts/sam-build (or unset {BOOTSTRAP_DIR_VAR} to use target/release)",
        path.display()
    );
    path
}

/// `target/release/<name>`.
///
/// # Panics
/// When the file does not exist: the message says to run [`BUILD_COMMAND`]. When it is older than
/// the sources it was built from, a warning is printed (the tests would run stale code).
pub fn release_binary(name: &str) -> PathBuf {
    let path = target_dir().join("release").join(name);
    assert!(
        path.is_file(),
        "{} not found: the end-to-end tests drive the release binaries (what is deployed as \
         `bootstrap`); build them first with\n    {BUILD_COMMAND}\n(scripts/test does this before \
         `cargo test`)",
        path.display()
    );
    static WARNED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut warned = WARNED.lock().unwrap_or_else(|e| e.into_inner());
    if warned.iter().any(|n| n == name) {
        return path;
    }
    warned.push(name.to_string());
    let built = modified(&path);
    let root = repo_root();
    let sources = [root.join("shared/src"), root.join("functions").join(name).join("src")];
    let newest = sources.iter().filter_map(|d| newest_file(d)).max();
    if let (Some(built), Some((src_time, src))) = (built, newest)
        && src_time > built
    {
        // Straight to stderr: `eprintln!` in a test is captured and dropped when it passes.
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} is older than {} — the test runs the old build; run `{BUILD_COMMAND}`",
            path.display(),
            src.display()
        );
    }
    path
}

fn modified(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn newest_file(dir: &Path) -> Option<(SystemTime, PathBuf)> {
    let mut best: Option<(SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let p = entry.path();
        let cand = if p.is_dir() { newest_file(&p) } else { modified(&p).map(|t| (t, p)) };
        if let Some(c) = cand
            && best.as_ref().is_none_or(|b| c.0 > b.0)
        {
            best = Some(c);
        }
    }
    best
}

// --- template.yaml ------------------------------------------------------------------------------

/// template.yaml as data, with parameter values (their defaults unless overridden) and the
/// physical names of the resources the evaluated values refer to.
#[derive(Debug, Clone)]
pub struct Template {
    doc: Value,
    stack_name: String,
    parameters: BTreeMap<String, String>,
    resource_names: BTreeMap<String, String>,
}

/// A function of the template: its resource and what Lambda would give the binary.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// Logical id in the template.
    pub logical_id: String,
    /// Binary name (`Metadata.BuildProperties.Binary`).
    pub binary: String,
    /// `MemorySize` (MB).
    pub memory_mb: u32,
    /// `Timeout` (seconds).
    pub timeout_s: u64,
    /// `Environment.Variables`, evaluated.
    pub env: BTreeMap<String, String>,
}

impl Template {
    /// Reads `<repo>/template.yaml` for a stack of that name.
    ///
    /// # Panics
    /// When the file is missing or not YAML.
    pub fn load(stack_name: &str) -> Self {
        let path = repo_root().join("template.yaml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: Value = serde_norway::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not YAML this harness reads: {e}", path.display()));
        let mut parameters = BTreeMap::new();
        if let Some(ps) = doc["Parameters"].as_object() {
            for (k, p) in ps {
                if let Some(d) = scalar(&p["Default"]) {
                    parameters.insert(k.clone(), d);
                }
            }
        }
        Self { doc, stack_name: stack_name.into(), parameters, resource_names: BTreeMap::new() }
    }

    /// Sets a parameter.
    ///
    /// # Panics
    /// When the template declares no such parameter (it was renamed: the test needs a look).
    pub fn with_parameter(mut self, name: &str, value: impl Into<String>) -> Self {
        assert!(
            self.doc["Parameters"].get(name).is_some(),
            "template.yaml has no parameter {name}: update the test"
        );
        self.parameters.insert(name.into(), value.into());
        self
    }

    /// The value `Ref: <logical id>` of a resource has (its physical name).
    pub fn with_resource_name(mut self, logical_id: &str, name: impl Into<String>) -> Self {
        self.resource_names.insert(logical_id.into(), name.into());
        self
    }

    /// A parameter's value.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// The stack name `AWS::StackName` stands for.
    pub fn stack_name(&self) -> &str {
        &self.stack_name
    }

    /// The resources of a type, by logical id.
    pub fn resources_of_type(&self, ty: &str) -> Vec<(String, Value)> {
        self.doc["Resources"]
            .as_object()
            .map(|rs| {
                rs.iter().filter(|(_, r)| r["Type"] == ty).map(|(k, r)| (k.clone(), r.clone())).collect()
            })
            .unwrap_or_default()
    }

    /// The logical id of the function whose `Metadata.BuildProperties.Binary` is `binary`.
    ///
    /// # Panics
    /// When there is none.
    pub fn logical_id(&self, binary: &str) -> String {
        self.resources_of_type("AWS::Serverless::Function")
            .into_iter()
            .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == binary)
            .map(|(id, _)| id)
            .unwrap_or_else(|| panic!("template.yaml has no function with Binary: {binary}"))
    }

    /// The function whose `Metadata.BuildProperties.Binary` is `binary`, with its environment
    /// evaluated (SAM `Globals.Function` values apply when the function sets none).
    ///
    /// # Panics
    /// When there is no such function or a value uses an intrinsic this evaluator lacks.
    pub fn function(&self, binary: &str) -> FunctionDef {
        let logical_id = self.logical_id(binary);
        let res = &self.doc["Resources"][&logical_id];
        let globals = &self.doc["Globals"]["Function"];
        let prop = |k: &str| {
            let v = &res["Properties"][k];
            let v = if v.is_null() { &globals[k] } else { v };
            self.eval(v).unwrap_or_else(|e| panic!("{logical_id}.{k}: {e}"))
        };
        let number = |k: &str| prop(k).as_u64().or_else(|| scalar(&prop(k))?.parse().ok());
        let mut env = BTreeMap::new();
        for source in [&globals["Environment"]["Variables"], &res["Properties"]["Environment"]["Variables"]] {
            if let Some(vars) = source.as_object() {
                for (k, v) in vars {
                    let v = self.eval(v).unwrap_or_else(|e| panic!("{logical_id} environment {k}: {e}"));
                    if v != Value::String(NO_VALUE.into()) {
                        env.insert(k.clone(), scalar(&v).unwrap_or_else(|| v.to_string()));
                    }
                }
            }
        }
        FunctionDef {
            // Lambda's defaults when neither the function nor Globals set them.
            memory_mb: number("MemorySize").unwrap_or(128) as u32,
            timeout_s: number("Timeout").unwrap_or(3),
            logical_id,
            binary: binary.into(),
            env,
        }
    }

    /// Whether a condition of the template holds.
    ///
    /// # Errors
    /// When it is unknown or uses an unsupported function.
    pub fn condition(&self, name: &str) -> Result<bool, String> {
        let c = self.doc["Conditions"].get(name).ok_or_else(|| format!("no condition {name}"))?;
        self.truth(c)
    }

    fn truth(&self, c: &Value) -> Result<bool, String> {
        let (f, args) = single_key(c).ok_or_else(|| format!("not a condition: {c}"))?;
        let list = || args.as_array().ok_or_else(|| format!("{f} takes a list"));
        match f {
            "Fn::Equals" => {
                let l = list()?;
                let a = self.eval(l.first().unwrap_or(&Value::Null))?;
                let b = self.eval(l.get(1).unwrap_or(&Value::Null))?;
                Ok(scalar(&a) == scalar(&b))
            }
            "Fn::Not" => Ok(!self.truth(list()?.first().ok_or("Fn::Not of nothing")?)?),
            "Fn::And" => list()?.iter().try_fold(true, |acc, x| Ok(acc && self.truth(x)?)),
            "Fn::Or" => list()?.iter().try_fold(false, |acc, x| Ok(acc || self.truth(x)?)),
            "Condition" => self.condition(args.as_str().ok_or("Condition takes a name")?),
            other => Err(format!("unsupported condition function {other}")),
        }
    }

    /// Evaluates a template value: `Ref`, `Fn::Sub`, `Fn::If` (with `AWS::NoValue`), recursively
    /// through lists and maps. `Fn::GetAtt` and the others are refused.
    ///
    /// # Errors
    /// On an unknown name or an unsupported intrinsic.
    pub fn eval(&self, v: &Value) -> Result<Value, String> {
        if let Some((f, args)) = single_key(v)
            && (f == "Ref" || f.starts_with("Fn::"))
        {
            return match f {
                "Ref" => self.reference(args.as_str().ok_or("Ref takes a name")?).map(Value::String),
                "Fn::Sub" => self.sub(args).map(Value::String),
                "Fn::If" => {
                    let l = args.as_array().filter(|l| l.len() == 3).ok_or("Fn::If takes 3 items")?;
                    let cond = l[0].as_str().ok_or("Fn::If needs a condition name")?;
                    self.eval(if self.condition(cond)? { &l[1] } else { &l[2] })
                }
                other => Err(format!("unsupported intrinsic {other} in {v}")),
            };
        }
        match v {
            Value::Array(items) => {
                let out: Result<Vec<Value>, String> = items.iter().map(|x| self.eval(x)).collect();
                Ok(Value::Array(out?.into_iter().filter(|x| x != NO_VALUE).collect()))
            }
            Value::Object(m) => {
                let mut out = serde_json::Map::new();
                for (k, x) in m {
                    let x = self.eval(x)?;
                    if x != NO_VALUE {
                        out.insert(k.clone(), x);
                    }
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        Ok(match name {
            "AWS::StackName" => self.stack_name.clone(),
            "AWS::Region" => REGION.into(),
            "AWS::AccountId" => ACCOUNT_ID.into(),
            "AWS::Partition" => "aws".into(),
            "AWS::URLSuffix" => "amazonaws.com".into(),
            "AWS::NoValue" => NO_VALUE.into(),
            _ => match self.parameters.get(name).or_else(|| self.resource_names.get(name)) {
                Some(v) => v.clone(),
                None => return Err(format!("Ref {name}: no such parameter, or no name given for it")),
            },
        })
    }

    fn sub(&self, args: &Value) -> Result<String, String> {
        let (text, vars) = match args {
            Value::String(s) => (s.as_str(), serde_json::Map::new()),
            Value::Array(l) if l.len() == 2 => (
                l[0].as_str().ok_or("Fn::Sub template must be a string")?,
                l[1].as_object().cloned().ok_or("Fn::Sub variables must be a map")?,
            ),
            other => return Err(format!("bad Fn::Sub {other}")),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            if let Some(lit) = after.strip_prefix('!') {
                out.push_str("${");
                rest = lit;
                continue;
            }
            let end = after.find('}').ok_or_else(|| format!("unclosed ${{ in {text}"))?;
            let name = &after[..end];
            let value = match vars.get(name) {
                Some(v) => scalar(&self.eval(v)?).ok_or_else(|| format!("${{{name}}} is not a string"))?,
                None => self.reference(name)?,
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// What `Ref: AWS::NoValue` evaluates to (removed from lists and maps).
const NO_VALUE: &str = "\u{0}AWS::NoValue";

fn single_key(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    m.iter().next().map(|(k, v)| (k.as_str(), v))
}

/// A scalar as CloudFormation passes it to an environment variable (numbers and booleans as text).
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

// --- one function -------------------------------------------------------------------------------

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
        let bin = function_binary(&def.binary);
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
        let mut cmd = Command::new(&bin);
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

// --- named steps --------------------------------------------------------------------------------

/// Runs the steps of a test by name and reports a failing one with the logs that explain it.
pub struct Steps<'e> {
    emulator: &'e Emulator,
    done: Vec<(String, Duration)>,
}

impl<'e> Steps<'e> {
    /// Steps against this AWS emulator (its log tail goes into failure messages).
    pub fn new(emulator: &'e Emulator) -> Self {
        Self { emulator, done: Vec::new() }
    }

    /// Runs one step. If it panics, panics again with a message naming the step and the
    /// functions, with each function's log tail and last invocations and the AWS emulator's log
    /// tail.
    pub async fn run<T>(
        &mut self,
        name: &str,
        functions: &[&LambdaFunction],
        step: impl Future<Output = T>,
    ) -> T {
        let t0 = Instant::now();
        match (CatchUnwind { inner: Box::pin(step) }).await {
            Ok(v) => {
                let took = t0.elapsed();
                eprintln!("step {name}: ok ({took:.1?})");
                self.done.push((name.to_string(), took));
                v
            }
            Err(payload) => {
                let cause = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "(non-text panic)".into());
                let names: Vec<&str> = functions.iter().map(|f| f.name()).collect();
                let mut msg = format!(
                    "step {name:?} failed (function{} {}): {cause}",
                    if names.len() == 1 { "" } else { "s" },
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                );
                for f in functions {
                    let _ = write!(
                        msg,
                        "\n--- {} log, last 40 lines (all of it: {}) ---\n{}\n--- {} invocations, last 5 \
                         (Runtime API emulator) ---\n{}",
                        f.name(),
                        f.log_path().display(),
                        f.log_tail(40),
                        f.name(),
                        f.recent_invocations(5).await
                    );
                }
                let _ = write!(
                    msg,
                    "\n--- AWS emulator (ministack) log, last 30 lines ({}) ---\n{}",
                    self.emulator.log_path().display(),
                    self.emulator.log_tail(30)
                );
                panic!("{msg}");
            }
        }
    }

    /// The steps that passed, with their durations.
    pub fn timings(&self) -> &[(String, Duration)] {
        &self.done
    }
}

/// A future that turns a panic while polling into an `Err` (like `FutureExt::catch_unwind`).
struct CatchUnwind<F> {
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn std::any::Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.inner;
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(payload) => Poll::Ready(Err(payload)),
        }
    }
}

/// Environment variables as a `HashMap` (for `IngestConfig::from_map` and friends).
pub fn env_map(env: &BTreeMap<String, String>) -> HashMap<String, String> {
    env.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}
