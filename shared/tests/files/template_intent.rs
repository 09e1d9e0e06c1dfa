//! template.yaml says what the code expects: checked here, so the two cannot drift apart.
//!
//! - every function builds a binary that exists in the workspace (`cargo metadata`), and every
//!   package under `functions/` is deployed;
//! - the environment each function gets is exactly what its code reads (the configuration
//!   parsers are run with a recording lookup), agrees with README's configuration tables, and the
//!   template's default values are accepted by those parsers;
//! - PutMetricData is allowed only in the namespace the code publishes to by default;
//! - the alarm thresholds default to the seed's values; pause-on-alarm names real alarms;
//! - the ledger table, the SES event destinations and the dashboard match the code's layout.
//!
//! The template is written with long-form intrinsics (`Ref:`, `Fn::Sub:`), so it parses as plain
//! YAML. Intrinsics are evaluated here with the parameters' defaults (or overrides).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use ses_monitor::platform::config::{IngestConfig, parse_tag_dimensions};
use ses_monitor::report::ReporterConfig;
use ses_monitor::suppress::SuppressorConfig;
use ses_monitor_tests::lambda::{Template, scalar, single_key as single};
use ses_monitor_tests::{ACCOUNT_ID, REGION};

// ---------------------------------------------------------------------------------------------
// What each function reads. Keep these lists in step with the code; the tests below check them
// against the code's configuration parsers, the template and README.
// ---------------------------------------------------------------------------------------------

/// Read by `ses_monitor::platform::logging::init`, which every function calls.
const LOGGING: &[&str] = &["RUST_LOG", "LOG_RECIPIENTS"];

const SES_EVENTS_ENV: &[&str] = &[
    "METRICS_SINK",
    "METRIC_NAMESPACE",
    "TAG_DIMENSIONS",
    "TAG_VALUES",
    "TRACKED_PROVIDERS",
    "TRACKED_DOMAINS",
    "DOMAIN_GROUPING",
    "DOMAIN_METRICS",
    "TOTAL_METRICS",
    "TAG_METRICS",
    "LOG_RECIPIENTS",
    "LEDGER_TABLE",
    "LEDGER_TTL_DAYS",
    "RUST_LOG",
];

const ALARM_SUPPRESSOR_ENV: &[&str] = &[
    "LEDGER_TABLE",
    "ALARM_NAMESPACES",
    "ALARM_NAME_PREFIXES",
    "SOFT_BOUNCE_LIMIT",
    "MAX_SUPPRESSIONS",
    "MIN_LOOKBACK_MINUTES",
    "DRY_RUN",
    "PAUSE_ON_ALARMS",
    "CONFIGURATION_SET",
    "TAG_DIMENSIONS",
    "TAG_VALUES",
    "SUPPRESSION_CONCURRENCY",
    "LOG_RECIPIENTS",
    "RUST_LOG",
];

const RATE_REPORTER_ENV: &[&str] = &[
    "REPORT_SENDER",
    "REPORT_RECIPIENTS",
    "REPORT_CONFIGURATION_SET",
    "METRIC_NAMESPACE",
    "HARD_BOUNCE_THRESHOLDS",
    "COMPLAINT_THRESHOLDS",
    "REPORT_MIN_SENDS",
    "REPORT_TOP_DOMAINS",
    "LEDGER_TABLE",
    "LOG_RECIPIENTS",
    "RUST_LOG",
];

/// Variables the code reads that the template deliberately leaves unset, with the reason.
const NOT_SET: &[(&str, &str)] = &[
    ("AWS_LAMBDA_LOG_LEVEL", "set by Lambda itself (RUST_LOG, which the template sets, wins)"),
    ("AWS_MAX_ATTEMPTS", "AWS SDK setting: its default (3 attempts) is meant"),
    ("AWS_RETRY_MODE", "AWS SDK setting: its default (standard) is meant"),
    ("AWS_ENDPOINT_URL", "tests only: points the SDK at a local emulator"),
    ("REPORT_OUTPUT", "local runs only: a file to write the HTML report to"),
    ("REPORT_LONG_TAIL", "its default (10 untracked domains in the report's long tail) is meant"),
];

/// (binary, variables the template sets on it)
const FUNCTIONS: &[(&str, &[&str])] = &[
    ("ses-events", SES_EVENTS_ENV),
    ("alarm-suppressor", ALARM_SUPPRESSOR_ENV),
    ("rate-reporter", RATE_REPORTER_ENV),
];

// ---------------------------------------------------------------------------------------------
// Reading the template and evaluating intrinsics
// ---------------------------------------------------------------------------------------------

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn template() -> Value {
    let path = root().join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("template.yaml is not plain YAML: {e}"))
}

/// The stack name pseudo parameter used when evaluating.
const STACK: &str = "ses-monitor";

/// The harness's one evaluator of template intrinsics ([`Template`], with placeholders for the
/// resources the stack would name), read the ways these tests need: values as strings and lists,
/// `Fn::If` branches, conditions, a function's environment.
struct Eval<'a> {
    t: &'a Value,
    tpl: Template,
}

impl<'a> Eval<'a> {
    fn new(t: &'a Value) -> Self {
        Self::with(t, &[])
    }

    /// Parameter defaults, overridden by `overrides`.
    fn with(t: &'a Value, overrides: &[(&str, &str)]) -> Self {
        let tpl = Template::from_doc(t.clone(), STACK).with_placeholders();
        let tpl = overrides.iter().fold(tpl, |tpl, (k, v)| tpl.with_parameter(k, *v));
        Self { t, tpl }
    }

    fn param(&self, name: &str) -> Option<String> {
        self.tpl.parameter(name).map(str::to_string)
    }

    /// `Ref` of a parameter, pseudo parameter or resource.
    fn reference(&self, name: &str) -> String {
        self.string(&serde_json::json!({ "Ref": name }))
    }

    fn get_att(&self, res: &str, attr: &str) -> String {
        self.string(&serde_json::json!({ "Fn::GetAtt": [res, attr] }))
    }

    fn condition(&self, name: &str) -> bool {
        self.tpl.condition(name).unwrap_or_else(|e| panic!("condition {name}: {e}"))
    }

    /// Takes the branch an `Fn::If` picks (recursively); other values unchanged.
    fn pick(&self, v: &'a Value) -> Option<&'a Value> {
        self.tpl.pick(v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    /// A value that must come out as a string (`AWS::NoValue`: empty).
    fn string(&self, v: &Value) -> String {
        let x = self.tpl.eval(v).unwrap_or_else(|e| panic!("cannot evaluate {v}: {e}"));
        if Template::is_no_value(&x) {
            return String::new();
        }
        scalar(&x).unwrap_or_else(|| panic!("{v} is not a string: {x}"))
    }

    fn list(&self, v: &Value) -> Vec<String> {
        match self.tpl.eval(v).unwrap_or_else(|e| panic!("cannot evaluate {v}: {e}")) {
            Value::Array(items) => {
                items.iter().map(|x| scalar(x).unwrap_or_else(|| panic!("not a string: {x}"))).collect()
            }
            x => vec![scalar(&x).unwrap_or_else(|| panic!("not a string: {x}"))],
        }
    }

    /// A function's environment, evaluated.
    fn environment(&self, function: &str) -> BTreeMap<String, String> {
        let vars = &self.t["Resources"][function]["Properties"]["Environment"]["Variables"];
        vars.as_object()
            .unwrap_or_else(|| panic!("{function} has no Environment.Variables"))
            .iter()
            .map(|(k, v)| (k.clone(), self.string(v)))
            .collect()
    }
}

fn resources_of_type<'a>(t: &'a Value, ty: &str) -> Vec<(&'a str, &'a Value)> {
    t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == ty)
        .map(|(k, r)| (k.as_str(), r))
        .collect()
}

/// The function resource that builds `binary`.
fn function_for<'a>(t: &'a Value, binary: &str) -> &'a str {
    let found: Vec<_> = resources_of_type(t, "AWS::Serverless::Function")
        .into_iter()
        .filter(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"] == binary)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(found.len(), 1, "exactly one function must build the binary {binary}: {found:?}");
    found[0]
}

/// Every IAM policy statement of a role, in both branches of any `Fn::If`.
fn statements(role: &Value) -> Vec<&Value> {
    fn branches<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match single(v) {
            Some(("Fn::If", args)) => {
                for b in &args.as_array().unwrap()[1..] {
                    branches(b, out);
                }
            }
            Some(("Ref", _)) => {} // AWS::NoValue
            _ => out.push(v),
        }
    }
    let mut out = Vec::new();
    for p in role["Properties"]["Policies"].as_array().into_iter().flatten() {
        for s in p["PolicyDocument"]["Statement"].as_array().unwrap() {
            branches(s, &mut out);
        }
    }
    out
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
        other => panic!("statement without Action: {other}"),
    }
}

fn role_of<'a>(t: &'a Value, function: &str) -> &'a Value {
    let role = &t["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"];
    let name =
        role[0].as_str().unwrap_or_else(|| panic!("{function}: Role must be Fn::GetAtt [<role>, Arn]"));
    &t["Resources"][name]
}

// ---------------------------------------------------------------------------------------------
// Functions and the workspace
// ---------------------------------------------------------------------------------------------

/// (package name, its bin targets, is a default member, manifest path)
fn workspace_packages() -> Vec<(String, Vec<String>, bool, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(root())
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let default_members: BTreeSet<&str> = meta["workspace_default_members"]
        .as_array()
        .expect("cargo metadata has workspace_default_members")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let bins = p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"))
                .map(|t| t["name"].as_str().unwrap().to_string())
                .collect();
            let id = p["id"].as_str().unwrap();
            (
                p["name"].as_str().unwrap().to_string(),
                bins,
                default_members.contains(id),
                p["manifest_path"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_function_builds_a_binary_of_the_workspace() {
    let t = template();
    let packages = workspace_packages();
    let functions = resources_of_type(&t, "AWS::Serverless::Function");
    assert_eq!(functions.len(), FUNCTIONS.len(), "the functions in template.yaml and in FUNCTIONS differ");
    let arch = &t["Parameters"]["Architecture"];
    assert_eq!(arch["Default"], "arm64");
    assert_eq!(arch["AllowedValues"], serde_json::json!(["arm64", "x86_64"]));

    let mut built = BTreeSet::new();
    for (id, f) in &functions {
        let p = &f["Properties"];
        assert_eq!(p["Runtime"], "provided.al2023", "{id}");
        assert_eq!(p["Handler"], "bootstrap", "{id}");
        assert_eq!(p["Architectures"], serde_json::json!([{"Ref": "Architecture"}]), "{id}");
        // `sam build` runs `cargo lambda build --bin <Binary>` in CodeUri: the workspace root,
        // where cargo picks the binary among the workspace's default members.
        assert_eq!(p["CodeUri"], ".", "{id}: CodeUri must be the workspace root");
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{id}");
        let binary = f["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: Metadata.BuildProperties.Binary names the binary"));
        let owners: Vec<_> =
            packages.iter().filter(|(_, bins, _, _)| bins.iter().any(|b| b == binary)).collect();
        assert_eq!(owners.len(), 1, "{id}: exactly one workspace package must have the binary {binary}");
        let (package, _, default_member, _) = owners[0];
        assert!(*default_member, "{id}: package {package} must be in the workspace's default-members");
        built.insert(binary.to_string());
        // Each function has its own log group with a retention.
        let group = p["LoggingConfig"]["LogGroup"]["Ref"].as_str().expect("LoggingConfig.LogGroup: Ref");
        assert_eq!(t["Resources"][group]["Type"], "AWS::Logs::LogGroup");
        assert_eq!(t["Resources"][group]["Properties"]["RetentionInDays"]["Ref"], "LogRetentionDays");
    }
    assert_eq!(built, FUNCTIONS.iter().map(|(b, _)| b.to_string()).collect::<BTreeSet<_>>());
    // Every Lambda package of the workspace is deployed.
    for (name, bins, _, manifest) in &packages {
        if manifest.contains("/functions/") {
            assert!(
                bins.iter().any(|b| built.contains(b)),
                "package {name} (functions/) is not in template.yaml"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Environment: code ⇄ template ⇄ README
// ---------------------------------------------------------------------------------------------

/// The variables a configuration parser asks for (with nothing set).
fn recorded<T, E>(parse: impl FnOnce(&dyn Fn(&str) -> Option<String>) -> Result<T, E>) -> BTreeSet<String> {
    let seen = RefCell::new(BTreeSet::new());
    let get = |k: &str| {
        seen.borrow_mut().insert(k.to_string());
        None
    };
    assert!(parse(&get).is_ok(), "the defaults must parse");
    seen.into_inner()
}

fn code_reads(binary: &str) -> BTreeSet<String> {
    let mut vars = match binary {
        "ses-events" => recorded(|g| IngestConfig::from_lookup(g)),
        "alarm-suppressor" => recorded(|g| SuppressorConfig::from_lookup(g)),
        "rate-reporter" => recorded(|g| ReporterConfig::from_lookup(g)),
        other => panic!("no configuration parser known for {other}"),
    };
    vars.extend(LOGGING.iter().map(|s| s.to_string()));
    vars
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn explicit_lists_match_what_the_code_reads() {
    let not_set: BTreeSet<String> = NOT_SET.iter().map(|(v, _)| v.to_string()).collect();
    for (binary, listed) in FUNCTIONS {
        let reads = code_reads(binary);
        let listed = set(listed);
        let unlisted: Vec<_> = reads.difference(&listed).filter(|v| !not_set.contains(*v)).collect();
        assert!(
            unlisted.is_empty(),
            "{binary} reads {unlisted:?}: set them in template.yaml and list them here"
        );
        let unread: Vec<_> = listed.difference(&reads).collect();
        assert!(unread.is_empty(), "{binary}: listed but not read by the code: {unread:?}");
    }
}

#[test]
fn every_function_gets_exactly_the_variables_its_code_reads() {
    let t = template();
    for (binary, listed) in FUNCTIONS {
        let function = function_for(&t, binary);
        let env: BTreeSet<String> = Eval::new(&t).environment(function).into_keys().collect();
        assert_eq!(env, set(listed), "Environment.Variables of {function} ({binary})");
    }
}

fn parse_all(t: &Value, overrides: &[(&str, &str)]) {
    let eval = Eval::with(t, overrides);
    let env_of = |binary: &str| eval.environment(function_for(t, binary));
    let ses_events = env_of("ses-events");
    IngestConfig::from_lookup(|k| ses_events.get(k).cloned())
        .unwrap_or_else(|e| panic!("ses-events with {overrides:?}: {e}"));
    let suppressor = env_of("alarm-suppressor");
    SuppressorConfig::from_lookup(|k| suppressor.get(k).cloned())
        .unwrap_or_else(|e| panic!("alarm-suppressor with {overrides:?}: {e}"));
    let reporter = env_of("rate-reporter");
    ReporterConfig::from_lookup(|k| reporter.get(k).cloned())
        .unwrap_or_else(|e| panic!("rate-reporter with {overrides:?}: {e}"));
}

#[test]
fn every_value_the_parameters_allow_is_accepted_by_the_code() {
    let t = template();
    for (name, p) in t["Parameters"].as_object().unwrap() {
        let mut values: Vec<String> =
            p["AllowedValues"].as_array().into_iter().flatten().filter_map(scalar).collect();
        values.extend(["MinValue", "MaxValue"].iter().filter_map(|k| p.get(*k)).filter_map(scalar));
        for v in &values {
            parse_all(&t, &[(name.as_str(), v.as_str())]);
        }
    }
}

#[test]
fn template_defaults_are_accepted_by_the_code() {
    let t = template();
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[
            ("PauseOnAlarm", "true"),
            ("MetricsSink", "api"),
            ("EventsDelivery", "sqs"),
            ("UseExistingConfigurationSet", "true"),
            ("ReportSender", "reports@example.com"),
            ("ReportRecipients", "ops@example.com,deliverability@example.com"),
            ("TrackedDomains", "example.org,example.net"),
            ("TrackedProviders", "all"),
            ("DomainMetrics", "all"),
            ("TotalMetrics", "Send,HardBounce"),
            ("TagMetrics", "none"),
            ("EmailTypeValues", "*"),
            ("CampaignValues", "spring-*,black-friday-2026"),
            ("LongTailInsights", "false"),
            ("SesCloudWatchDestination", "true"),
        ],
    ];
    for overrides in cases {
        parse_all(&t, overrides);
    }
}

/// README's configuration section: `### <title>` → the backticked variable names in the first
/// column of its table.
fn readme_tables() -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = text.split("\n## Configuration").nth(1).expect("README has a `## Configuration` section");
    let section = section.split("\n## ").next().unwrap();
    let mut tables = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if let Some(title) = line.strip_prefix("### ") {
            current = Some(title.trim().to_string());
            tables.insert(title.trim().to_string(), BTreeSet::new());
        } else if let (Some(title), Some(row)) = (&current, line.strip_prefix('|')) {
            let first = row.split('|').next().unwrap_or("");
            let names = first.split('`').skip(1).step_by(2).filter(|w| {
                !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
            tables.get_mut(title).unwrap().extend(names.map(str::to_string));
        }
    }
    tables
}

#[test]
fn readme_tables_agree_with_the_lists() {
    let tables = readme_tables();
    let all = tables.get("All functions").expect("README: `### All functions` table");
    let documented: BTreeSet<&String> = tables.values().flatten().collect();
    let not_set: BTreeSet<String> = NOT_SET.iter().map(|(v, _)| v.to_string()).collect();
    for (binary, listed) in FUNCTIONS {
        let listed = set(listed);
        let own = tables.get(*binary).unwrap_or_else(|| panic!("README: `### {binary}` table missing"));
        // Every variable a function gets is documented in the configuration section (RUST_LOG
        // is in the ses-events table; every function reads it).
        for v in &listed {
            assert!(
                documented.contains(v),
                "{binary}: {v} is set by template.yaml but not documented in README"
            );
        }
        for v in own.iter().chain(all) {
            assert!(
                listed.contains(v) || not_set.contains(v),
                "README documents {v} for {binary}: set it in template.yaml and list it in this test, or add it to NOT_SET"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics namespace and IAM
// ---------------------------------------------------------------------------------------------

#[test]
fn put_metric_data_is_limited_to_the_namespace_the_code_uses() {
    let t = template();
    let eval = Eval::new(&t);
    let namespace = IngestConfig::default().namespace;
    assert_eq!(eval.param("MetricNamespace").as_deref(), Some(namespace.as_str()));

    let mut granted = 0;
    for (role_id, role) in resources_of_type(&t, "AWS::IAM::Role") {
        for s in statements(role) {
            let acts = actions(s);
            assert!(
                !acts.iter().any(|a| a == "*" || a.starts_with("cloudwatch:*") || a == "cloudwatch:Put*"),
                "{role_id}: wildcard CloudWatch action"
            );
            if acts.iter().any(|a| a == "cloudwatch:PutMetricData") {
                granted += 1;
                let cond = &s["Condition"]["StringEquals"]["cloudwatch:namespace"];
                assert_eq!(
                    cond,
                    &serde_json::json!({"Ref": "MetricNamespace"}),
                    "{role_id}: namespace condition"
                );
                assert_eq!(eval.string(cond), namespace);
            }
        }
    }
    assert_eq!(
        granted, 1,
        "exactly one statement grants cloudwatch:PutMetricData (ses-events, METRICS_SINK=api)"
    );
    // Everything else that names the namespace names the same parameter.
    let ses_events = eval.environment(function_for(&t, "ses-events"));
    assert_eq!(ses_events["METRIC_NAMESPACE"], namespace);
    let reporter = eval.environment(function_for(&t, "rate-reporter"));
    assert_eq!(reporter["METRIC_NAMESPACE"], namespace);
    assert_eq!(ReporterConfig::from_lookup(|_| None).unwrap().namespace, namespace);
    let suppressor = eval.environment(function_for(&t, "alarm-suppressor"));
    assert!(suppressor["ALARM_NAMESPACES"].split(',').any(|n| n == namespace));
    assert!(suppressor["ALARM_NAMESPACES"].split(',').any(|n| n == "AWS/SES"));
}

#[test]
fn each_role_has_only_the_dynamodb_actions_its_function_uses() {
    let t = template();
    let expected: &[(&str, &[&str])] = &[
        ("ses-events", &["dynamodb:PutItem"]),
        (
            "alarm-suppressor",
            &["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
        ),
        // the report's reasons, long tail (offenders by day) and journal (`J#<day>` partitions)
        ("rate-reporter", &["dynamodb:Query"]),
    ];
    for (binary, want) in expected {
        let role = role_of(&t, function_for(&t, binary));
        let mut got = BTreeSet::new();
        for s in statements(role) {
            for a in actions(s).into_iter().filter(|a| a.starts_with("dynamodb:")) {
                let resources = match &s["Resource"] {
                    Value::Array(r) => r.clone(),
                    r => vec![r.clone()],
                };
                for r in &resources {
                    let text = r.to_string();
                    assert!(text.contains("LedgerTable"), "{binary}: {a} on {text}, not the ledger table");
                }
                let journal_only = s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
                    == serde_json::json!(["J#*"]);
                if a == "dynamodb:Query" && !journal_only {
                    // offenders over all domains are read by day, through the index
                    let index = format!("/index/{}", ses_monitor::ledger::BY_DAY_INDEX);
                    assert!(
                        resources.iter().any(|r| r.to_string().contains(&index)),
                        "{binary}: Query needs the {index} index"
                    );
                }
                got.insert(a);
            }
        }
        assert_eq!(got, set(want), "{binary}: DynamoDB actions");
    }
}

/// The report is sent through a configuration set of its own (alarm-suppressor pauses the
/// monitored one, and the report must get out exactly then), which has no event destinations (the
/// report's own mail is not counted in the metrics).
#[test]
fn the_report_has_a_configuration_set_of_its_own() {
    let t = template();
    let sets: Vec<&str> =
        resources_of_type(&t, "AWS::SES::ConfigurationSet").into_iter().map(|(id, _)| id).collect();
    assert!(sets.contains(&"ReportConfigurationSet"), "{sets:?}");
    for (id, d) in resources_of_type(&t, "AWS::SES::ConfigurationSetEventDestination") {
        let set = &d["Properties"]["ConfigurationSetName"];
        assert!(!set.to_string().contains("ReportConfigurationSet"), "{id} is on the report's set");
    }
    let eval = Eval::with(&t, &[("ReportSender", "reports@mail.example.com")]);
    let env = eval.environment(function_for(&t, "rate-reporter"));
    assert_eq!(env["REPORT_CONFIGURATION_SET"], eval.reference("ReportConfigurationSet"));
    assert_ne!(env["REPORT_CONFIGURATION_SET"], eval.param("ConfigurationSetName").unwrap());
    let cfg = ReporterConfig::from_lookup(|k| env.get(k).cloned()).unwrap();
    assert_eq!(cfg.configuration_set.as_deref(), Some(env["REPORT_CONFIGURATION_SET"].as_str()));
    // without a sender there is no report email, and no set for it
    let env = Eval::new(&t).environment(function_for(&t, "rate-reporter"));
    assert_eq!(env["REPORT_CONFIGURATION_SET"], "");
}

#[test]
fn send_email_only_from_the_report_identity() {
    let t = template();
    let mut senders = 0;
    for (role_id, role) in resources_of_type(&t, "AWS::IAM::Role") {
        for s in statements(role) {
            if actions(s).iter().any(|a| a.starts_with("ses:Send")) {
                senders += 1;
                let reporter_role =
                    t["Resources"][function_for(&t, "rate-reporter")]["Properties"]["Role"]["Fn::GetAtt"][0]
                        .as_str()
                        .unwrap();
                assert_eq!(role_id, reporter_role, "only rate-reporter sends email");
                assert_eq!(
                    s["Condition"]["StringEquals"]["ses:FromAddress"],
                    serde_json::json!({"Ref": "ReportSender"})
                );
                let eval = Eval::with(&t, &[("ReportSender", "reports@mail.example.com")]);
                let resources = eval.list(&s["Resource"]);
                let prefix = format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:");
                assert_eq!(
                    resources,
                    [
                        format!("{prefix}identity/mail.example.com"),
                        format!("{prefix}identity/reports@mail.example.com"),
                        format!("{prefix}configuration-set/{STACK}-ReportConfigurationSet-1A2B3C4D5E6F"),
                    ]
                );
                // never the monitored set, which alarm-suppressor pauses
                let monitored = eval.param("ConfigurationSetName").expect("ConfigurationSetName");
                assert!(!resources.iter().any(|r| r.ends_with(&format!(":configuration-set/{monitored}"))));
            }
        }
    }
    assert_eq!(senders, 1, "one statement allows sending (rate-reporter's)");
    let reporter_role = role_of(&t, function_for(&t, "rate-reporter"));
    assert!(statements(reporter_role).iter().any(|s| actions(s).iter().any(|a| a == "ses:SendEmail")));
}

/// Every function's AWS calls have timeouts sized from its Lambda `Timeout` (a hung endpoint
/// fails the call with most of the function's time left), so the two must not drift apart.
#[test]
fn aws_call_timeouts_are_sized_for_each_functions_lambda_timeout() {
    let t = template();
    let mut seen = BTreeSet::new();
    for (binary, timeouts) in ses_monitor::platform::aws::Timeouts::FUNCTIONS {
        let f = &t["Resources"][function_for(&t, binary)]["Properties"];
        let secs = f["Timeout"].as_u64().unwrap_or_else(|| panic!("{binary}: Timeout"));
        assert_eq!(
            timeouts.lambda,
            std::time::Duration::from_secs(secs),
            "{binary}: Timeout in template.yaml"
        );
        assert!(timeouts.operation * 4 <= timeouts.lambda, "{binary}");
        seen.insert(binary.to_string());
    }
    let deployed: BTreeSet<String> = FUNCTIONS.iter().map(|(b, _)| b.to_string()).collect();
    assert_eq!(seen, deployed, "every function has its timeouts");
}

/// Every check the security scan (scripts/scan-template, checkov) is told to skip names its
/// reason, on the resource it is about.
#[test]
fn every_security_scan_skip_says_why() {
    let t = template();
    let mut skips = 0;
    for (id, r) in t["Resources"].as_object().expect("Resources") {
        for s in r["Metadata"]["checkov"]["skip"].as_array().into_iter().flatten() {
            let check = s["id"].as_str().unwrap_or_else(|| panic!("{id}: a skip without id"));
            assert!(check.starts_with("CKV_"), "{id}: {check}");
            let why = s["comment"].as_str().unwrap_or_default();
            assert!(why.len() >= 40, "{id} skips {check} without a reason worth the name: {why:?}");
            skips += 1;
        }
    }
    assert!(skips > 0);
}

// ---------------------------------------------------------------------------------------------
// Alarms and pause-on-alarm
// ---------------------------------------------------------------------------------------------

fn param_number(t: &Value, name: &str) -> f64 {
    Eval::new(t).param(name).unwrap_or_else(|| panic!("no parameter {name}")).parse().unwrap()
}

fn alarm<'a>(t: &'a Value, namespace: &str, metric: &str) -> &'a Value {
    let found: Vec<_> = resources_of_type(t, "AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|(_, a)| a["Properties"]["Namespace"] == namespace && a["Properties"]["MetricName"] == metric)
        .collect();
    assert_eq!(found.len(), 1, "one alarm on {namespace} {metric}");
    &found[0].1["Properties"]
}

fn threshold(t: &Value, alarm: &Value) -> f64 {
    let p = alarm["Threshold"]["Ref"].as_str().expect("Threshold: Ref <parameter>");
    param_number(t, p)
}

#[test]
fn alarm_thresholds_default_to_the_seed() {
    let t = template();
    let bounce = alarm(&t, "AWS/SES", "Reputation.BounceRate");
    assert_eq!(threshold(&t, bounce), 0.03);
    assert_eq!(bounce["ComparisonOperator"], "GreaterThanThreshold");

    let complaint = alarm(&t, "AWS/SES", "Reputation.ComplaintRate");
    assert_eq!(threshold(&t, complaint), 0.0008);
    assert_eq!(complaint["ComparisonOperator"], "GreaterThanThreshold");

    let reject = alarm(&t, "AWS/SES", "Reject");
    assert_eq!(threshold(&t, reject), 10.0);
    assert_eq!((reject["Statistic"].as_str(), reject["Period"].as_u64()), (Some("Sum"), Some(300)));
    assert_eq!(reject["ComparisonOperator"], "GreaterThanThreshold");

    let delivery = alarm(&t, "AWS/SES", "Delivery");
    assert_eq!(threshold(&t, delivery), 1.0);
    assert_eq!((delivery["Statistic"].as_str(), delivery["Period"].as_u64()), (Some("Sum"), Some(3600)));
    assert_eq!(delivery["EvaluationPeriods"], 2);
    assert_eq!(delivery["ComparisonOperator"], "LessThanThreshold");
    assert_eq!(delivery["TreatMissingData"], "breaching");

    // Hard-bounce rate: metric math HardBounce / Send over the namespace's totals.
    let hard: Vec<_> = resources_of_type(&t, "AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|(_, a)| a["Properties"]["Metrics"].is_array())
        .collect();
    assert_eq!(hard.len(), 1, "one metric-math alarm");
    let hard = &hard[0].1["Properties"];
    let metrics = hard["Metrics"].as_array().unwrap();
    let stat = |name: &str| {
        metrics
            .iter()
            .find(|m| m["MetricStat"]["Metric"]["MetricName"] == name)
            .unwrap_or_else(|| panic!("hard-bounce-rate alarm reads {name}"))
    };
    let ses_events = Eval::new(&t).environment(function_for(&t, "ses-events"));
    let published = IngestConfig::from_lookup(|k| ses_events.get(k).cloned()).unwrap().total_metrics;
    for name in ["HardBounce", "Send"] {
        assert!(published.contains(name), "the alarm reads {name} in total: TOTAL_METRICS must publish it");
        let m = stat(name);
        assert_eq!(m["MetricStat"]["Metric"]["Namespace"], serde_json::json!({"Ref": "MetricNamespace"}));
        assert!(
            m["MetricStat"]["Metric"].get("Dimensions").is_none(),
            "{name}: the totals have no dimensions"
        );
        assert_eq!(m["MetricStat"]["Stat"], "Sum");
    }
    let expr = metrics.iter().find(|m| m.get("Expression").is_some()).expect("an expression");
    let expr_text = Eval::new(&t).string(&expr["Expression"]);
    let (hb, send) = (stat("HardBounce")["Id"].as_str().unwrap(), stat("Send")["Id"].as_str().unwrap());
    assert!(
        expr_text.contains(&format!("{hb}, 0) / {send}")),
        "expression divides HardBounce by Send: {expr_text}"
    );
    assert_eq!(expr["ReturnData"], true);
    assert!(threshold(&t, hard) > 0.0 && threshold(&t, hard) < 1.0, "a fraction");

    // All alarms on SES data notify the alarm topic on ALARM and OK.
    for (id, a) in resources_of_type(&t, "AWS::CloudWatch::Alarm") {
        let p = &a["Properties"];
        assert!(
            p["AlarmActions"].as_array().unwrap().contains(&serde_json::json!({"Ref": "AlarmTopic"})),
            "{id}"
        );
        if p["Namespace"] != "AWS/SQS" {
            assert!(
                p["OKActions"].as_array().unwrap().contains(&serde_json::json!({"Ref": "AlarmTopic"})),
                "{id}"
            );
        }
    }
    // The report's thresholds: the seed's 2/5/10 % and 0.05/0.1/0.5 %, the code's defaults.
    assert_eq!(Eval::new(&t).param("HardBounceThresholds").as_deref(), Some("2,5,10"));
    assert_eq!(Eval::new(&t).param("ComplaintThresholds").as_deref(), Some("0.05,0.1,0.5"));
    let reporter = Eval::new(&t).environment(function_for(&t, "rate-reporter"));
    let from_template = ReporterConfig::from_lookup(|k| reporter.get(k).cloned()).unwrap();
    assert_eq!(from_template.thresholds, ReporterConfig::from_lookup(|_| None).unwrap().thresholds);
    assert_eq!(from_template.top_domains, ReporterConfig::from_lookup(|_| None).unwrap().top_domains);
    assert_eq!(Eval::new(&t).param("ReportSchedule").as_deref(), Some("cron(0 6 * * ? *)"));
}

#[test]
fn pause_on_alarm_is_off_by_default_and_names_real_alarms() {
    let t = template();
    assert_eq!(Eval::new(&t).param("PauseOnAlarm").as_deref(), Some("false"));
    let suppressor = function_for(&t, "alarm-suppressor");
    assert_eq!(Eval::new(&t).environment(suppressor)["PAUSE_ON_ALARMS"], "");

    let on = Eval::with(&t, &[("PauseOnAlarm", "true")]);
    let env = on.environment(suppressor);
    let names: BTreeSet<String> = resources_of_type(&t, "AWS::CloudWatch::Alarm")
        .iter()
        .map(|(_, a)| on.string(&a["Properties"]["AlarmName"]))
        .collect();
    assert!(!env["PAUSE_ON_ALARMS"].is_empty(), "PAUSE_ON_ALARMS names the alarms to pause on");
    let paused: Vec<&str> = env["PAUSE_ON_ALARMS"].split(',').collect();
    for p in &paused {
        assert!(names.contains(*p), "PAUSE_ON_ALARMS names {p}, which is no alarm of the template");
    }
    assert_eq!(env["CONFIGURATION_SET"], on.param("ConfigurationSetName").unwrap());

    // The pause permissions exist only with PauseOnAlarm, on the one set, and tag only our key.
    let role = role_of(&t, suppressor);
    let tagging: Vec<_> =
        statements(role).into_iter().filter(|s| actions(s).contains(&"ses:TagResource".into())).collect();
    assert_eq!(tagging.len(), 1);
    // one tag key per holder, and the list tag of earlier versions (read and removed)
    assert_eq!(
        tagging[0]["Condition"]["ForAllValues:StringLike"]["aws:TagKeys"],
        serde_json::json!([
            ses_monitor::sesv2::PAUSED_BY_TAG,
            format!("{}*", ses_monitor::sesv2::HOLDER_TAG_PREFIX)
        ])
    );
    assert!(ses_monitor::sesv2::holder_tag_key("x").starts_with(ses_monitor::sesv2::HOLDER_TAG_PREFIX));
    let granted = |eval: &Eval| {
        let policies = role["Properties"]["Policies"].as_array().unwrap();
        policies
            .iter()
            .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap())
            .filter_map(|s| eval.pick(s))
            .flat_map(actions)
            .collect::<BTreeSet<_>>()
    };
    let off = granted(&Eval::new(&t));
    assert!(!off.contains("ses:PutConfigurationSetSendingOptions") && !off.contains("ses:TagResource"));
    let on_actions = granted(&on);
    for a in [
        "ses:GetConfigurationSet",
        "ses:PutConfigurationSetSendingOptions",
        "ses:TagResource",
        "ses:UntagResource",
    ] {
        assert!(on_actions.contains(a), "PauseOnAlarm=true grants {a}");
    }
    assert!(off.contains("ses:PutSuppressedDestination"));
}

/// Each alarm of the template says in `Metadata.AlarmSuppressor` what alarm-suppressor does with
/// it, and the code agrees: read as alarm-suppressor reads its notification, with the function's
/// environment (PauseOnAlarm=true), only bounce and complaint alarms suppress; the pausing ones
/// are those of PAUSE_ON_ALARMS; the SQS alarms are not alarm-suppressor's.
#[test]
fn every_alarm_states_what_alarm_suppressor_does() {
    let t = template();
    let on = Eval::with(&t, &[("PauseOnAlarm", "true")]);
    let env = on.environment(function_for(&t, "alarm-suppressor"));
    let cfg = SuppressorConfig::from_lookup(|k| env.get(k).cloned()).unwrap();
    let alarms = resources_of_type(&t, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 5);
    for (id, a) in alarms {
        let declared = a["Metadata"]["AlarmSuppressor"].as_str().unwrap_or_else(|| {
            panic!("{id}: Metadata.AlarmSuppressor says what alarm-suppressor does with it")
        });
        let p = &a["Properties"];
        let name = on.string(&p["AlarmName"]);
        // The classic SNS alarm JSON of its ALARM notification.
        let mut trigger = serde_json::Map::new();
        if let Some(metrics) = p["Metrics"].as_array() {
            let metrics: Vec<Value> = metrics
                .iter()
                .map(|m| {
                    let mut m = m.clone();
                    if let Some(ns) = m.pointer("/MetricStat/Metric/Namespace").cloned() {
                        m["MetricStat"]["Metric"]["Namespace"] = Value::String(on.string(&ns));
                    }
                    m.as_object_mut().unwrap().remove("Expression");
                    m
                })
                .collect();
            trigger.insert("Metrics".into(), Value::Array(metrics));
        } else {
            trigger.insert("MetricName".into(), p["MetricName"].clone());
            trigger.insert("Namespace".into(), Value::String(on.string(&p["Namespace"])));
        }
        let alarm = serde_json::json!({"AlarmName": name, "NewStateValue": "ALARM", "Trigger": trigger});
        let parsed = ses_monitor::alarm::parse_alarms(&alarm.to_string());
        let notice = parsed[0].as_ref().unwrap_or_else(|e| panic!("{id}: {e}"));
        let owned = notice.is_owned(&cfg.name_prefixes, &cfg.namespaces);
        let actual = match (owned, cfg.suppresses(notice), cfg.pauses(&name)) {
            (false, _, _) => "ignore",
            (true, true, true) => "suppress+pause",
            (true, true, false) => "suppress",
            (true, false, true) => "pause",
            (true, false, false) => "notify",
        };
        assert_eq!(declared, actual, "{id} ({name})");
    }
}

/// alarm-suppressor reads the current state of the stack's alarms only (they are all named
/// `<stack>-…`), and of every alarm it pauses on.
#[test]
fn alarm_suppressor_reads_only_the_stacks_alarms() {
    let t = template();
    let on = Eval::with(&t, &[("PauseOnAlarm", "true")]);
    let role = role_of(&t, function_for(&t, "alarm-suppressor"));
    let describe: Vec<&Value> = statements(role)
        .into_iter()
        .filter(|s| actions(s).contains(&"cloudwatch:DescribeAlarms".into()))
        .collect();
    assert_eq!(describe.len(), 1);
    let resource = on.string(&describe[0]["Resource"]);
    assert_eq!(resource, format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{STACK}-*"));
    for (id, a) in resources_of_type(&t, "AWS::CloudWatch::Alarm") {
        let name = on.string(&a["Properties"]["AlarmName"]);
        assert!(name.starts_with(&format!("{STACK}-")), "{id}: {name} is readable by alarm-suppressor");
    }
    // Its DynamoDB writes are limited to its own items (and marking offenders).
    for s in statements(role) {
        let acts = actions(s);
        let leading = &s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
        if acts.iter().any(|a| a == "dynamodb:PutItem" || a == "dynamodb:DeleteItem") {
            assert_eq!(leading, &serde_json::json!(["J#*", "LOCK#*", "PENDING"]));
        }
        if acts.iter().any(|a| a == "dynamodb:UpdateItem") {
            assert_eq!(leading, &serde_json::json!(["D#*"]));
        }
    }
    assert_eq!(ses_monitor::ledger::partition_key("gmail.com"), "D#gmail.com");
}

/// SES's sending-status events reach the alarm topic (a rule, and the topic's permission for
/// EventBridge), and alarm-suppressor reads both detail-types; its sweep is scheduled with the
/// Scheduled Event itself as input, which it reads as a sweep.
#[test]
fn ses_status_events_and_the_sweep_reach_alarm_suppressor() {
    use ses_monitor::alarm::{Notification, parse_notifications};
    let t = template();
    let rules = resources_of_type(&t, "AWS::Events::Rule");
    let rule = rules
        .iter()
        .find(|(_, r)| {
            r["Properties"]["EventPattern"]["source"] == serde_json::json!(["aws.ses"])
                && r["Properties"]["Targets"][0]["Arn"] == serde_json::json!({"Ref": "AlarmTopic"})
        })
        .expect("a rule for SES sending status events");
    let p = &rule.1["Properties"];
    assert_eq!(p["Targets"][0]["Arn"], serde_json::json!({"Ref": "AlarmTopic"}));
    for dt in p["EventPattern"]["detail-type"].as_array().unwrap() {
        let ev = serde_json::json!({"source": "aws.ses", "detail-type": dt, "detail": {}});
        let got = parse_notifications(&ev.to_string());
        assert!(matches!(got[0], Ok(Notification::SendingStatus(_))), "{dt}: {got:?}");
    }
    let policy = &t["Resources"]["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    let events = policy
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Principal"]["Service"] == "events.amazonaws.com")
        .expect("EventBridge may publish to the alarm topic");
    assert_eq!(events["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0], rule.0);

    let f = &t["Resources"][function_for(&t, "alarm-suppressor")]["Properties"]["Events"];
    let schedules: Vec<&Value> =
        f.as_object().unwrap().values().filter(|e| e["Type"] == "Schedule").collect();
    assert_eq!(schedules.len(), 1, "one sweep schedule");
    assert!(schedules[0]["Properties"].get("Input").is_none(), "the Scheduled Event itself is the input");
    let ev = r#"{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#;
    assert!(matches!(parse_notifications(ev)[0], Ok(Notification::Sweep(_))));
}

// ---------------------------------------------------------------------------------------------
// Ledger, SES destinations, dashboard
// ---------------------------------------------------------------------------------------------

#[test]
fn ledger_table_has_the_layout_the_code_uses() {
    let t = template();
    let tables = resources_of_type(&t, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1);
    let p = &tables[0].1["Properties"];
    let keys = |schema: &Value| -> Vec<(String, String)> {
        schema
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k["AttributeName"].as_str().unwrap().into(), k["KeyType"].as_str().unwrap().into()))
            .collect()
    };
    let pair =
        |a: &str, b: &str| vec![(a.to_string(), "HASH".to_string()), (b.to_string(), "RANGE".to_string())];
    assert_eq!(keys(&p["KeySchema"]), pair("pk", "sk"));
    let gsis = p["GlobalSecondaryIndexes"].as_array().unwrap();
    assert_eq!(gsis.len(), 1);
    assert_eq!(gsis[0]["IndexName"], ses_monitor::ledger::BY_DAY_INDEX);
    assert_eq!(keys(&gsis[0]["KeySchema"]), pair("gsi1pk", "gsi1sk"));
    assert_eq!(gsis[0]["Projection"]["ProjectionType"], "ALL");
    assert_eq!(
        p["TimeToLiveSpecification"],
        serde_json::json!({"AttributeName": "expires_at", "Enabled": true})
    );
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
    assert_eq!(p["SSESpecification"]["SSEEnabled"], true);
    let eval = Eval::new(&t);
    assert_eq!(eval.param("LedgerTtlDays").as_deref(), Some("14"));
    assert_eq!(IngestConfig::default().ledger_ttl_days, 14);
}

#[test]
fn ses_destinations_cover_every_event_type_and_the_tag_dimensions() {
    let t = template();
    let all = [
        "send",
        "reject",
        "bounce",
        "complaint",
        "delivery",
        "open",
        "click",
        "renderingFailure",
        "deliveryDelay",
        "subscription",
    ];
    let destinations = resources_of_type(&t, "AWS::SES::ConfigurationSetEventDestination");
    assert_eq!(destinations.len(), 3);
    let eval = Eval::new(&t);
    let mut kinds = BTreeSet::new();
    for (id, d) in destinations {
        let dest = &d["Properties"]["EventDestination"];
        let types: BTreeSet<&str> =
            dest["MatchingEventTypes"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(types, all.into_iter().collect(), "{id}: all 10 event types");
        if let Some(sns) = dest.get("SnsDestination") {
            assert_eq!(sns["TopicARN"], serde_json::json!({"Ref": "SesEventsTopic"}));
            assert_eq!(d["Condition"], "PublishToSns", "{id}");
            kinds.insert("sns");
        }
        if let Some(eb) = dest.get("EventBridgeDestination") {
            // SES publishes only to the default bus of the account and region.
            assert_eq!(
                eval.string(&eb["EventBusArn"]),
                format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/default")
            );
            assert_eq!(d["Condition"], "DeliverViaEventBridge", "{id}");
            kinds.insert("eventbridge");
        }
        if let Some(cw) = dest.get("CloudWatchDestination") {
            // SES's own metrics per tag value are custom metrics with uncapped values: opt-in.
            assert_eq!(d["Condition"], "SesCloudWatchDestinationOn", "{id}");
            assert!(!eval.condition("SesCloudWatchDestinationOn"), "{id}: off by default");
            assert!(
                Eval::with(&t, &[("SesCloudWatchDestination", "true")])
                    .condition("SesCloudWatchDestinationOn")
            );
            let dims: Vec<(String, String, String)> = cw["DimensionConfigurations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["DimensionName"].as_str().unwrap().into(),
                        c["DimensionValueSource"].as_str().unwrap().into(),
                        eval.string(&c["DefaultDimensionValue"]),
                    )
                })
                .collect();
            let want = [("EmailType", "messageTag", "general"), ("Campaign", "messageTag", "none")];
            assert_eq!(dims, want.map(|(a, b, c)| (a.into(), b.into(), c.into())));
            // ses-events publishes the same tag rollups with the same defaults.
            let env = eval.environment(function_for(&t, "ses-events"));
            let tags = parse_tag_dimensions(&env["TAG_DIMENSIONS"]).unwrap();
            let tags: Vec<(String, String)> = tags.into_iter().map(|d| (d.name, d.default_value)).collect();
            assert_eq!(tags, dims.iter().map(|(n, _, d)| (n.clone(), d.clone())).collect::<Vec<_>>());
            kinds.insert("cloudwatch");
        }
    }
    assert_eq!(kinds, ["cloudwatch", "eventbridge", "sns"].into_iter().collect());
    let set = &t["Resources"]["ConfigurationSet"]["Properties"];
    assert_eq!(set["ReputationOptions"]["ReputationMetricsEnabled"], true);
    // Only SES of this account and configuration set may publish SES events.
    let policy = &t["Resources"]["SesEventsTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"];
    let statements = policy.as_array().unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Principal"], serde_json::json!({"Service": "ses.amazonaws.com"}));
    assert!(statements[0]["Condition"]["StringEquals"].get("aws:SourceAccount").is_some());
    assert!(
        eval.string(&statements[0]["Condition"]["ArnLike"]["aws:SourceArn"])
            .ends_with(":configuration-set/ses-monitor")
    );
}

/// SES's EventBridge detail-type of each event type a destination names (`MatchingEventTypes`),
/// from the EventBridge reference, "Amazon Simple Email Service events"; with the sample in
/// events/ that carries such an event.
const DETAIL_TYPES: [(&str, &str, &str); 10] = [
    ("send", "Email Sent", "sns-send.json"),
    ("reject", "Email Rejected", "sns-reject.json"),
    ("bounce", "Email Bounced", "sns-bounce-hard.json"),
    ("complaint", "Email Complaint Received", "sns-complaint.json"),
    ("delivery", "Email Delivered", "sns-delivery.json"),
    ("open", "Email Opened", "sns-open.json"),
    ("click", "Email Clicked", "sns-click.json"),
    ("renderingFailure", "Email Rendering Failed", "sns-rendering-failure.json"),
    ("deliveryDelay", "Email Delivery Delayed", "sns-delivery-delay.json"),
    ("subscription", "Email Subscribed", "sns-subscription.json"),
];

/// `EventsDelivery=eventbridge`: SES publishes to the default bus instead of the topic; one rule
/// takes only this configuration set's events of the published types to the queue ses-events
/// reads in batches (with EventBridge's retries and the dead-letter queue), and the queue admits
/// only that rule. Each detail-type the rule asks for, as the queue would hand it over, is read by
/// ses-events as the event type it stands for.
#[test]
fn eventbridge_delivery_takes_only_this_sets_published_events_to_the_queue() {
    let t = template();
    let default = Eval::new(&t);
    assert_eq!(default.param("EventsDelivery").as_deref(), Some("sns"));
    let allowed = t["Parameters"]["EventsDelivery"]["AllowedValues"].clone();
    assert_eq!(allowed, serde_json::json!(["sns", "sqs", "eventbridge"]));
    let eval = Eval::with(&t, &[("EventsDelivery", "eventbridge"), ("ConfigurationSetName", "shop-mail")]);
    let want = |delivery: &str| -> [bool; 4] {
        let e = Eval::with(&t, &[("EventsDelivery", delivery)]);
        ["PublishToSns", "DeliverViaSqs", "DeliverViaEventBridge", "DeliverViaQueue"].map(|c| e.condition(c))
    };
    assert_eq!(want("sns"), [true, false, false, false]);
    assert_eq!(want("sqs"), [true, true, false, true]);
    assert_eq!(want("eventbridge"), [false, false, true, true]);
    let r = &t["Resources"];
    for (id, condition) in [
        ("SesEventsRule", "DeliverViaEventBridge"),
        ("EventBridgeEventDestination", "DeliverViaEventBridge"),
        ("SesEventsQueue", "DeliverViaQueue"),
        ("SesEventsQueuePolicy", "DeliverViaQueue"),
        ("SesEventsQueueMapping", "DeliverViaQueue"),
        ("SesEventsSqsSubscription", "DeliverViaSqs"),
        ("SesEventsSnsSubscription", "DeliverViaSns"),
    ] {
        assert_eq!(r[id]["Condition"], condition, "{id}");
    }

    // The rule: SES events of this set, exactly the detail-types of the destination's types.
    let rule = &r["SesEventsRule"]["Properties"];
    assert_eq!(rule["EventBusName"], "default");
    assert_eq!(rule["State"], "ENABLED");
    let pattern = &rule["EventPattern"];
    assert_eq!(pattern["source"], serde_json::json!(["aws.ses"]));
    assert_eq!(
        eval.list(&pattern["detail"]["mail"]["tags"]["ses:configuration-set"]),
        vec!["shop-mail".to_string()],
        "only this configuration set's events (SES tags each with its set)"
    );
    let published: Vec<String> =
        eval.list(&r["EventBridgeEventDestination"]["Properties"]["EventDestination"]["MatchingEventTypes"]);
    let detail_types: BTreeSet<String> = eval.list(&pattern["detail-type"]).into_iter().collect();
    let expected: BTreeSet<String> = published
        .iter()
        .map(|ty| {
            let (_, dt, _) = DETAIL_TYPES
                .iter()
                .find(|(name, _, _)| name == ty)
                .unwrap_or_else(|| panic!("{ty}: no EventBridge detail-type known"));
            dt.to_string()
        })
        .collect();
    assert_eq!(detail_types, expected, "the rule asks for the published types, no other");
    assert_eq!(pattern.as_object().unwrap().len(), 3, "source, detail-type, detail: {pattern}");

    // Its one target: the queue, with retries and the dead-letter queue.
    let targets = rule["Targets"].as_array().unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0]["Arn"], serde_json::json!({"Fn::GetAtt": ["SesEventsQueue", "Arn"]}));
    assert_eq!(
        targets[0]["DeadLetterConfig"]["Arn"],
        serde_json::json!({"Fn::GetAtt": ["SesEventsDeadLetterQueue", "Arn"]})
    );
    let retry = &targets[0]["RetryPolicy"];
    assert!(retry["MaximumRetryAttempts"].as_u64().unwrap() > 0);
    assert!(retry["MaximumEventAgeInSeconds"].as_u64().unwrap() >= 3600);

    // Only that rule may send to the queue and to the dead-letter queue (besides SNS there).
    let rule_arn = serde_json::json!({"Fn::GetAtt": ["SesEventsRule", "Arn"]});
    let events_statements = |queue_policy: &str| -> Vec<Value> {
        let st = &r[queue_policy]["Properties"]["PolicyDocument"]["Statement"];
        st.as_array()
            .unwrap()
            .iter()
            .filter_map(|s| eval.pick(s))
            .filter(|s| !Template::is_no_value(s))
            .cloned()
            .collect()
    };
    for policy in ["SesEventsQueuePolicy", "SesEventsDeadLetterQueuePolicy"] {
        let statements = events_statements(policy);
        let from_rule: Vec<&Value> =
            statements.iter().filter(|s| s["Principal"]["Service"] == "events.amazonaws.com").collect();
        assert_eq!(from_rule.len(), 1, "{policy}: {statements:?}");
        assert_eq!(from_rule[0]["Action"], "sqs:SendMessage", "{policy}");
        assert_eq!(from_rule[0]["Condition"]["ArnEquals"]["aws:SourceArn"], rule_arn, "{policy}");
    }
    assert!(
        events_statements("SesEventsQueuePolicy")
            .iter()
            .all(|s| s["Principal"]["Service"] != "sns.amazonaws.com"),
        "with eventbridge, SNS does not feed the queue"
    );
    // The function reads the queue.
    let role = role_of(&t, function_for(&t, "ses-events"));
    let reads: Vec<&Value> = role["Properties"]["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap())
        .filter_map(|s| eval.pick(s))
        .filter(|s| s["Sid"] == "ReadTheEventQueue")
        .collect();
    assert_eq!(reads.len(), 1, "ses-events may read the queue with eventbridge");

    // What the queue hands over, an SQS batch of EventBridge events, is read by ses-events as the
    // event types the detail-types stand for.
    let cfg = IngestConfig::default();
    let now = chrono::Utc::now();
    for (ty, dt, sample) in DETAIL_TYPES {
        let text = std::fs::read_to_string(root().join("events").join(sample)).unwrap();
        let sns: Value = serde_json::from_str(&text).unwrap();
        let detail: Value =
            serde_json::from_str(sns["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap();
        let event = serde_json::json!({
            "version": "0", "id": "5e3b1b8e-7c4d-4a55-9f3e-0d6b2a1c9e77", "detail-type": dt,
            "source": "aws.ses", "account": ACCOUNT_ID, "time": "2026-11-26T09:30:00Z", "region": REGION,
            "resources": [format!("arn:aws:ses:{REGION}:{ACCOUNT_ID}:configuration-set/shop-mail")],
            "detail": detail,
        });
        let payload = ses_monitor::envelope::wrap::sqs_lambda_event(&[event.to_string()], true, now);
        let got = ses_monitor::ingest::ingest(&cfg, &payload, now).summary;
        let kind = ses_monitor::ses::EventKind::from_event_type(detail["eventType"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{sample}: not an event-publishing sample"));
        assert_eq!(
            (got.events, got.skipped, got.by_type.keys().copied().collect::<Vec<_>>()),
            (1, 0, vec![kind.metric_name()]),
            "{ty} ({dt}) from {sample}: {got:?}"
        );
    }
}

/// The dashboard's widgets, evaluated with `overrides`.
fn dashboard_widgets(t: &Value, overrides: &[(&str, &str)]) -> Vec<Value> {
    let dashboards = resources_of_type(t, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1);
    let eval = Eval::with(t, overrides);
    let body = eval.string(&dashboards[0].1["Properties"]["DashboardBody"]);
    let body: Value = serde_json::from_str(&body)
        .unwrap_or_else(|e| panic!("dashboard body is not JSON ({overrides:?}): {e}\n{body}"));
    body["widgets"].as_array().unwrap().clone()
}

/// The (dimension names, metric name) pairs a widget reads in `namespace`: metric arrays
/// (`[namespace, metric, dim, value, …, {options}]`, or `[".", …]` repeating the row before) and
/// SEARCH expressions (`{"namespace",Dim} MetricName="metric"`).
fn widget_metrics(widget: &Value, namespace: &str) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    for row in widget["properties"]["metrics"].as_array().into_iter().flatten() {
        let row = row.as_array().unwrap();
        if let Some(expr) = row[0]["expression"].as_str() {
            let Some(rest) = expr.strip_prefix("SEARCH('{") else { continue };
            let (inside, after) = rest.split_once('}').unwrap();
            let mut parts = inside.split(',');
            let ns = parts.next().unwrap().trim_matches('"');
            if ns != namespace {
                continue;
            }
            let dims: Vec<String> = parts.map(str::to_string).collect();
            let metric = after.split("MetricName=\"").nth(1).unwrap().split('"').next().unwrap();
            out.push((dims, metric.to_string()));
        } else if row[0] == namespace {
            let strings: Vec<&str> = row.iter().filter_map(Value::as_str).collect();
            let dims = strings[2..].iter().step_by(2).map(|d| d.to_string()).collect();
            out.push((dims, strings[1].to_string()));
        }
    }
    out
}

#[test]
fn dashboard_reads_only_what_ses_events_publishes() {
    let t = template();
    let namespace = "Acme Mail/SES";
    let ns = [("MetricNamespace", namespace)];
    let widgets = dashboard_widgets(&t, &ns);
    let cfg = {
        let env = Eval::with(&t, &ns).environment(function_for(&t, "ses-events"));
        IngestConfig::from_lookup(|k| env.get(k).cloned()).unwrap()
    };
    let mut read = BTreeSet::new();
    for w in &widgets {
        for (dims, metric) in widget_metrics(w, namespace) {
            let set = match dims.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
                [] => cfg.total_metrics,
                ["RecipientDomain"] => cfg.domain_metrics,
                [tag] if cfg.tag_dimensions.iter().any(|d| d.name == *tag) => cfg.tag_metrics,
                other => panic!(
                    "the dashboard reads {metric} by {other:?}, a dimension set ses-events does not publish"
                ),
            };
            assert!(
                set.contains(&metric),
                "the dashboard reads {metric} by {dims:?}, which the template's defaults do not publish ({set})"
            );
            read.insert((dims, metric));
        }
    }
    // What the dashboard is for: volume and reputation per mailbox provider, everything in total.
    for metric in ["Send", "Delivery", "HardBounce", "SoftBounce", "Complaint"] {
        assert!(
            read.contains(&(vec!["RecipientDomain".to_string()], metric.to_string())),
            "{metric} per provider"
        );
    }
    for metric in ["Send", "Delivery", "HardBounce", "Complaint", "Open", "Click", "DeliveryLatency"] {
        assert!(read.contains(&(Vec::new(), metric.to_string())), "{metric} in total");
    }
    let text = serde_json::to_string(&widgets).unwrap();
    for stat in ["p50", "p99"] {
        assert!(text.contains(&format!(r#""stat":"{stat}""#)), "DeliveryLatency {stat}");
    }
    for title in ["Volume", "Bounces and complaints", "Reputation (account)", "Engagement"] {
        assert!(widgets.iter().any(|w| w["properties"]["title"] == title), "widget {title}");
    }
    // The long-tail widgets show the template's Contributor Insights rules, with them only.
    let rules: BTreeSet<String> = widgets
        .iter()
        .filter_map(|w| w["properties"]["insightRule"]["ruleName"].as_str().map(str::to_string))
        .collect();
    let eval = Eval::new(&t);
    let defined: BTreeSet<String> = resources_of_type(&t, "AWS::CloudWatch::InsightRule")
        .iter()
        .map(|(id, r)| {
            assert_eq!(r["Condition"], "LongTailInsightsOn", "{id}");
            eval.get_att(id, "RuleName")
        })
        .collect();
    assert_eq!(rules, defined, "one widget per rule");
    let off = dashboard_widgets(&t, &[("LongTailInsights", "false")]);
    assert!(off.iter().all(|w| w["properties"].get("insightRule").is_none()));
    assert_eq!(off.len() + defined.len(), widgets.len());
}

#[test]
fn insight_rules_are_the_ones_the_estimator_prices() {
    let t = template();
    let eval = Eval::new(&t);
    assert_eq!(eval.param("LongTailInsights").as_deref(), Some("true"));
    let log_group = eval.reference("SesEventsLogGroup");
    let rules = resources_of_type(&t, "AWS::CloudWatch::InsightRule");
    assert_eq!(rules.len(), ses_monitor::ingest::cost::INSIGHT_RULES.len());
    for spec in ses_monitor::ingest::cost::INSIGHT_RULES {
        let (id, r) = rules
            .iter()
            .find(|(_, r)| eval.string(&r["Properties"]["RuleName"]) == format!("{STACK}-{}", spec.suffix))
            .unwrap_or_else(|| panic!("no rule {}", spec.suffix));
        let p = &r["Properties"];
        assert_eq!(p["RuleState"], "ENABLED", "{id}");
        let body: Value =
            serde_json::from_str(&eval.string(&p["RuleBody"])).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(body["Schema"], serde_json::json!({"Name": "CloudWatchLogRule", "Version": 1}), "{id}");
        assert_eq!(body["LogGroupNames"], serde_json::json!([log_group]), "{id}: ses-events' log group");
        assert_eq!(body["LogFormat"], "JSON");
        assert_eq!(body["AggregateOn"], "Sum");
        let c = &body["Contribution"];
        assert_eq!(c["Keys"], serde_json::json!([format!("$.{}", spec.key)]), "{id}");
        assert_eq!(c["ValueOf"], format!("$.{}", spec.value), "{id}");
        // the filters the estimator counts matches with (InsightRule::matches)
        assert_eq!(
            c["Filters"],
            serde_json::json!([
                {"Match": "$.RecipientDomain", "In": [ses_monitor::ses::domains::OTHER]},
                {"Match": format!("$.{}", spec.value), "GreaterThan": 0}
            ]),
            "{id}"
        );
        // the key is the property the EMF sink writes for the value behind `other`
        assert_eq!(spec.key, ses_monitor::sink::emf::other_property(ses_monitor::metrics::RECIPIENT_DOMAIN));
        let doc = serde_json::json!({"RecipientDomain": "other", spec.key: "tail.example", spec.value: 2});
        assert!(spec.matches(&doc));
        assert!(!spec.matches(&serde_json::json!({"RecipientDomain": "gmail", spec.value: 2})));
    }
}

#[test]
fn readme_deploy_section_lists_every_parameter_with_its_default() {
    let t = template();
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let deploy = text.split("\n## Deploy").nth(1).expect("README has a `## Deploy` section");
    let deploy = deploy.split("\n## ").next().unwrap();
    let table = deploy.split("\n### Parameters").nth(1).expect("`### Parameters` under `## Deploy`");
    let mut documented = BTreeMap::new();
    for row in table.lines().filter_map(|l| l.strip_prefix("| `")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        let name = cells[0].trim_end_matches('`').to_string();
        let default = cells[1].trim();
        let default =
            if default == "*(empty)*" { String::new() } else { default.trim_matches('`').to_string() };
        documented.insert(name, default);
    }
    let eval = Eval::new(&t);
    let params: BTreeMap<String, String> = t["Parameters"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), eval.param(k).unwrap_or_else(|| panic!("parameter {k} has no default"))))
        .collect();
    assert_eq!(documented, params, "README `### Parameters` (name, default) vs template.yaml");
}
