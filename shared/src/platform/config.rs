//! Typed configuration, read once from environment variables at start-up.
//!
//! Every variable is documented in the README's configuration table and set by `template.yaml`.
//! Parsing is strict: a value that cannot be understood stops the function at start with an error
//! naming the variable, rather than running with a silent default.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::metrics::schema::MetricSet;
use crate::ses::domains::{DomainClassifier, Grouping};

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}={value:?}: {reason}")]
pub struct ConfigError {
    /// The environment variable.
    pub var: &'static str,
    /// Its value.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Where metrics go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SinkKind {
    /// CloudWatch Embedded Metric Format lines on stdout (no API call; CloudWatch Logs extracts them).
    #[default]
    Emf,
    /// PutMetricData through the AWS SDK.
    Api,
}

impl SinkKind {
    /// The name used in `METRICS_SINK`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Emf => "emf",
            Self::Api => "api",
        }
    }
}

/// A message tag published as a dimension, with the value used when a message lacks the tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDimension {
    /// Tag name in `mail.tags`, also the dimension name.
    pub name: String,
    /// Value for messages without the tag.
    pub default_value: String,
    /// `TAG_VALUES`: the values that get their own dimension value; the others are published as
    /// [`crate::ses::domains::OTHER`] (the default value always has its own).
    pub values: TagValues,
}

impl TagDimension {
    /// The dimension value a message's tag is published under: its value (sanitised by
    /// [`crate::metrics::schema::sanitize_dimension_value`]) when it is the default value or `TAG_VALUES`
    /// allows it, else [`crate::ses::domains::OTHER`]; the default value for a message without the tag.
    /// The second member is the sanitised value behind `other` (the EMF property `Other<Tag>`).
    ///
    /// ses-events publishes by it and alarm-suppressor scopes an alarm's tag dimension by it, so
    /// an alarm on `Campaign=other` finds the offenders of every capped campaign.
    pub fn dimension_value<'v>(&'v self, raw: Option<&'v str>) -> (Cow<'v, str>, Option<Cow<'v, str>>) {
        let value = match raw {
            Some(v) => crate::metrics::schema::sanitize_dimension_value(v),
            None => return (Cow::Borrowed(self.default_value.as_str()), None),
        };
        if value == self.default_value || self.values.allows(&value) {
            (value, None)
        } else {
            (Cow::Borrowed(crate::ses::domains::OTHER), Some(value))
        }
    }
}

/// Which values of a tag get their own dimension value (`TAG_VALUES`). Each value is a metric per
/// metric of the rollup, so an uncapped tag (a per-send id used as a tag) costs a metric per
/// send; the cap decides on the value alone, so every invocation decides the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagValues {
    /// `*`: every value (uncapped).
    All,
    /// Values matching one of these patterns, where `*` matches any run of characters (no
    /// pattern: only the tag's default value).
    Patterns(Vec<String>),
}

impl Default for TagValues {
    /// No value of its own until allowed: a capped campaign is still visible in the logs (the
    /// EMF property `Other<Tag>`), and one pattern makes it a metric.
    fn default() -> Self {
        Self::Patterns(Vec::new())
    }
}

impl TagValues {
    /// Whether `value` gets its own dimension value.
    pub fn allows(&self, value: &str) -> bool {
        match self {
            Self::All => true,
            Self::Patterns(ps) => ps.iter().any(|p| glob_match(p, value)),
        }
    }
}

impl std::fmt::Display for TagValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All => f.write_str("*"),
            Self::Patterns(ps) => f.write_str(&ps.join(",")),
        }
    }
}

/// Whether `value` matches `pattern`, in which `*` matches any run of characters (also none)
/// and every other character itself.
pub fn glob_match(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == value;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if value.len() < first.len() + last.len() || !value.starts_with(first) || !value.ends_with(last) {
        return false;
    }
    let mut rest = &value[first.len()..value.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Configuration of the ses-events function.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// CloudWatch namespace (`METRIC_NAMESPACE`, default `Custom/SES`).
    pub namespace: String,
    /// `METRICS_SINK`: `emf` (default) or `api`.
    pub sink: SinkKind,
    /// `TAG_DIMENSIONS`: message tags published as one-dimension rollups
    /// (default `EmailType,Campaign`; `name:default` sets the value for untagged mail, else `none`),
    /// with their `TAG_VALUES` caps.
    pub tag_dimensions: Vec<TagDimension>,
    /// `DOMAIN_METRICS`: the metrics of the `{RecipientDomain}` rollup.
    pub domain_metrics: MetricSet,
    /// `TOTAL_METRICS`: the metrics of the totals `{}`.
    pub total_metrics: MetricSet,
    /// `TAG_METRICS`: the metrics of each tag rollup.
    pub tag_metrics: MetricSet,
    /// `TRACKED_PROVIDERS` (providers of the built-in table, default
    /// [`crate::ses::domains::DEFAULT_TRACKED_PROVIDERS`], `all`, `none`), `TRACKED_DOMAINS`
    /// (comma-separated, `*` = all) and `DOMAIN_GROUPING` (`domain`|`provider`).
    pub domains: DomainClassifier,
    /// `LOG_RECIPIENTS=true` logs full addresses; otherwise logs carry domains and hashes.
    pub log_recipients: bool,
    /// `LEDGER_TABLE`: DynamoDB table of the offender ledger; unset = no ledger.
    pub ledger_table: Option<String>,
    /// `LEDGER_TTL_DAYS` (default 14): how long ledger items live.
    pub ledger_ttl_days: u32,
}

/// Largest number of tag rollups: each one multiplies the metric count.
pub const MAX_TAG_DIMENSIONS: usize = 5;

/// `DOMAIN_METRICS` by default: what the alarms, alarm-suppressor's scopes and the report need
/// per mailbox provider (sends, deliveries, hard and soft bounces, complaints).
pub const DEFAULT_DOMAIN_METRICS: &str = "Send,Delivery,HardBounce,SoftBounce,Complaint";
/// `TOTAL_METRICS` by default: every metric once, without dimensions.
pub const DEFAULT_TOTAL_METRICS: &str = "all";
/// `TAG_METRICS` by default: the reputation metrics (sends, hard and soft bounces, complaints).
pub const DEFAULT_TAG_METRICS: &str = "Send,HardBounce,SoftBounce,Complaint";

impl Default for IngestConfig {
    fn default() -> Self {
        Self::from_lookup(|_| None).expect("defaults are valid")
    }
}

impl IngestConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads from a map (tests, and callers that assemble their own environment).
    pub fn from_map(map: &HashMap<String, String>) -> Result<Self, ConfigError> {
        Self::from_lookup(|k| map.get(k).cloned())
    }

    /// Reads through any lookup function.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let namespace = get("METRIC_NAMESPACE")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "Custom/SES".into());
        check_namespace(&namespace)?;
        let sink = match get("METRICS_SINK").as_deref().map(str::trim) {
            None | Some("") | Some("emf") => SinkKind::Emf,
            Some("api") => SinkKind::Api,
            Some(other) => return Err(err("METRICS_SINK", other, "expected `emf` or `api`")),
        };
        let mut tag_dimensions =
            parse_tag_dimensions(get("TAG_DIMENSIONS").as_deref().unwrap_or("EmailType,Campaign"))?;
        parse_tag_values(get("TAG_VALUES").as_deref().unwrap_or(""), &mut tag_dimensions)?;
        let domain_metrics =
            parse_metric_set("DOMAIN_METRICS", get("DOMAIN_METRICS"), DEFAULT_DOMAIN_METRICS)?;
        let total_metrics = parse_metric_set("TOTAL_METRICS", get("TOTAL_METRICS"), DEFAULT_TOTAL_METRICS)?;
        let tag_metrics = parse_metric_set("TAG_METRICS", get("TAG_METRICS"), DEFAULT_TAG_METRICS)?;
        let grouping = match get("DOMAIN_GROUPING").as_deref().map(str::trim) {
            None | Some("") | Some("provider") => Grouping::Provider,
            Some("domain") | Some("none") => Grouping::Domain,
            Some(other) => {
                return Err(err("DOMAIN_GROUPING", other, "expected `domain` or `provider`"));
            }
        };
        let providers = match get("TRACKED_PROVIDERS").as_deref().map(str::trim) {
            None | Some("") => {
                Some(crate::ses::domains::DEFAULT_TRACKED_PROVIDERS.iter().map(|p| p.to_string()).collect())
            }
            Some(v) if v.eq_ignore_ascii_case("all") => None,
            Some(v) if v.eq_ignore_ascii_case("none") => Some(Vec::new()),
            Some(v) => {
                let list = parse_list(Some(v.to_string()));
                if let Some(bad) =
                    list.iter().find(|p| !crate::ses::domains::PROVIDERS.iter().any(|(q, _)| q == p))
                {
                    let known: Vec<&str> = crate::ses::domains::PROVIDERS.iter().map(|(p, _)| *p).collect();
                    return Err(err(
                        "TRACKED_PROVIDERS",
                        bad,
                        &format!("not a provider: one of {}, or all, or none", known.join(", ")),
                    ));
                }
                Some(list)
            }
        };
        let tracked = parse_list(get("TRACKED_DOMAINS"));
        for d in &tracked {
            if *d != "*" && crate::ses::address::recipient_domain(&format!("x@{d}")).is_none() {
                return Err(err("TRACKED_DOMAINS", d, "not a domain name"));
            }
        }
        let log_recipients = parse_bool("LOG_RECIPIENTS", get("LOG_RECIPIENTS"))?;
        let ledger_table = get("LEDGER_TABLE").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(t) = &ledger_table {
            let ok = (3..=255).contains(&t.len())
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
            if !ok {
                return Err(err("LEDGER_TABLE", t, "a DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . -"));
            }
        }
        let ledger_ttl_days = parse_number("LEDGER_TTL_DAYS", get("LEDGER_TTL_DAYS"), 14, 1..=365)?;
        Ok(Self {
            namespace,
            sink,
            tag_dimensions,
            domain_metrics,
            total_metrics,
            tag_metrics,
            domains: DomainClassifier::with_providers(providers.as_deref(), tracked, grouping),
            log_recipients,
            ledger_table,
            ledger_ttl_days,
        })
    }
}

/// Parses an unsigned number within `range`, with a default when unset or empty.
pub fn parse_number(
    var: &'static str,
    value: Option<String>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, ConfigError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => match v.parse::<u32>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(err(
                var,
                v,
                &format!("expected a whole number from {} to {}", range.start(), range.end()),
            )),
        },
    }
}

impl IngestConfig {
    /// Whether AWS clients are needed (the `api` sink or a ledger table).
    pub fn needs_aws(&self) -> bool {
        self.sink == SinkKind::Api || self.ledger_table.is_some()
    }

    /// The ledger's item lifetime.
    pub fn ledger_ttl(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.ledger_ttl_days))
    }
}

/// A comma-separated list, items trimmed, empty items dropped (unset = empty).
pub fn parse_list(value: Option<String>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses a boolean variable (`true/false/1/0/yes/no`, empty = false).
pub fn parse_bool(var: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(err(var, other, "expected true or false")),
    }
}

fn check_namespace(ns: &str) -> Result<(), ConfigError> {
    let ok_chars = ns.chars().all(|c| c.is_ascii_alphanumeric() || " ._-/#:".contains(c));
    if ns.is_empty() || ns.len() > 255 || !ok_chars {
        return Err(err("METRIC_NAMESPACE", ns, "1-255 characters of A-Z a-z 0-9 . - _ / # : and space"));
    }
    if ns.starts_with("AWS/") {
        return Err(err("METRIC_NAMESPACE", ns, "the AWS/ prefix is reserved for AWS services"));
    }
    Ok(())
}

/// Parses `TAG_DIMENSIONS` (`Name[:default],…`).
pub fn parse_tag_dimensions(s: &str) -> Result<Vec<TagDimension>, ConfigError> {
    let mut out: Vec<TagDimension> = Vec::new();
    for item in s.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, default_value) = match item.split_once(':') {
            Some((n, d)) => (n.trim(), d.trim()),
            None => (item, "none"),
        };
        let printable =
            |v: &str| !v.is_empty() && v.len() <= 255 && v.bytes().all(|b| (0x21..0x7f).contains(&b));
        if !printable(name) || !printable(default_value) {
            return Err(err(
                "TAG_DIMENSIONS",
                item,
                "tag names and defaults are 1-255 printable ASCII characters",
            ));
        }
        if name == crate::metrics::schema::RECIPIENT_DOMAIN || out.iter().any(|t| t.name == name) {
            return Err(err("TAG_DIMENSIONS", item, "duplicate dimension name"));
        }
        if name == "_aws"
            || name == crate::metrics::schema::DELIVERY_LATENCY
            || crate::metrics::schema::COUNT_METRICS.contains(&name)
            || name.starts_with(crate::metrics::schema::OTHER_PREFIX)
        {
            return Err(err(
                "TAG_DIMENSIONS",
                item,
                "a dimension may not be named like a metric, `_aws`, or start with `Other`",
            ));
        }
        out.push(TagDimension {
            name: name.into(),
            default_value: default_value.into(),
            values: TagValues::default(),
        });
    }
    if out.len() > MAX_TAG_DIMENSIONS {
        return Err(err("TAG_DIMENSIONS", s, "at most 5 tag dimensions"));
    }
    Ok(out)
}

/// Parses a metric set: a comma-separated list of metric names (any case), `all` or `none`;
/// unset or empty gives `default`.
pub fn parse_metric_set(
    var: &'static str,
    value: Option<String>,
    default: &str,
) -> Result<MetricSet, ConfigError> {
    let text =
        value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).unwrap_or_else(|| default.into());
    match text.to_ascii_lowercase().as_str() {
        "all" => return Ok(MetricSet::ALL),
        "none" => return Ok(MetricSet::NONE),
        _ => {}
    }
    MetricSet::of(text.split(',').map(str::trim).filter(|s| !s.is_empty())).map_err(|unknown| {
        err(
            var,
            &text,
            &format!(
                "{unknown:?} is not a metric: a comma-separated list of {}, or all, or none",
                crate::metrics::schema::ALL_METRICS.join(", ")
            ),
        )
    })
}

/// Parses `TAG_VALUES` (`Tag=pattern,pattern;Tag2=…`) into the tags' caps. A tag it does not name
/// keeps [`TagValues::default`]; `Tag=*` allows every value; `Tag=` only the default value.
pub fn parse_tag_values(s: &str, tags: &mut [TagDimension]) -> Result<(), ConfigError> {
    let mut seen: Vec<&str> = Vec::new();
    for item in s.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((name, patterns)) = item.split_once('=') else {
            return Err(err("TAG_VALUES", item, "expected Tag=pattern,pattern (tags separated by ;)"));
        };
        let name = name.trim();
        let Some(tag) = tags.iter_mut().find(|t| t.name == name) else {
            return Err(err("TAG_VALUES", item, &format!("{name:?} is not one of TAG_DIMENSIONS")));
        };
        if seen.contains(&name) {
            return Err(err("TAG_VALUES", item, "tag named twice"));
        }
        seen.push(name);
        let patterns: Vec<String> =
            patterns.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
        if let Some(bad) = patterns
            .iter()
            .find(|p| p.len() > 255 || !p.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b'='))
        {
            return Err(err(
                "TAG_VALUES",
                bad,
                "patterns are 1-255 printable ASCII characters, * as wildcard",
            ));
        }
        tag.values =
            if patterns.iter().any(|p| p == "*") { TagValues::All } else { TagValues::Patterns(patterns) };
    }
    Ok(())
}

/// A [`ConfigError`] for `var=value`.
pub(crate) fn err(var: &'static str, value: &str, reason: &str) -> ConfigError {
    ConfigError { var, value: value.into(), reason: reason.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> Result<IngestConfig, ConfigError> {
        let map = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        IngestConfig::from_map(&map)
    }

    #[test]
    fn defaults() {
        let c = IngestConfig::default();
        assert_eq!(c.namespace, "Custom/SES");
        assert_eq!(c.sink, SinkKind::Emf);
        let names: Vec<_> = c.tag_dimensions.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["EmailType", "Campaign"]);
        assert!(c.tag_dimensions.iter().all(|t| t.default_value == "none"));
        assert!(c.tag_dimensions.iter().all(|t| t.values == TagValues::Patterns(Vec::new())));
        assert!(!c.log_recipients);
        assert_eq!(c.domain_metrics.names(), ["Send", "Delivery", "Complaint", "HardBounce", "SoftBounce"]);
        assert_eq!(c.total_metrics, MetricSet::ALL);
        assert_eq!(c.tag_metrics.names(), ["Send", "Complaint", "HardBounce", "SoftBounce"]);
        assert_eq!(c.domains.grouping(), Grouping::Provider);
        assert_eq!(c.domains.classify("outlook.com"), "microsoft");
        assert_eq!(c.domains.classify("web.de"), "other");
    }

    #[test]
    fn metric_sets_per_rollup() {
        let c = cfg(&[
            ("DOMAIN_METRICS", " send , DeliveryLatency,open "),
            ("TOTAL_METRICS", "NONE"),
            ("TAG_METRICS", "All"),
        ])
        .unwrap();
        assert_eq!(c.domain_metrics.names(), ["Send", "Open", "DeliveryLatency"]);
        assert!(c.total_metrics.is_empty());
        assert_eq!(c.tag_metrics, MetricSet::ALL);
        // empty is the default, as for every variable
        assert_eq!(
            cfg(&[("DOMAIN_METRICS", "")]).unwrap().domain_metrics,
            IngestConfig::default().domain_metrics
        );
        for var in ["DOMAIN_METRICS", "TOTAL_METRICS", "TAG_METRICS"] {
            let e = cfg(&[(var, "Send,Bounces")]).unwrap_err();
            assert_eq!(e.var, var);
            assert!(
                e.reason.contains("\"Bounces\" is not a metric") && e.reason.contains("DeliveryLatency"),
                "{e}"
            );
        }
    }

    #[test]
    fn tag_values() {
        let c = cfg(&[
            ("TAG_DIMENSIONS", "EmailType,Campaign,Tenant"),
            ("TAG_VALUES", "Campaign=spring-*, bf-2026 ; EmailType=*"),
        ])
        .unwrap();
        let values: Vec<String> = c.tag_dimensions.iter().map(|t| t.values.to_string()).collect();
        assert_eq!(values, ["*", "spring-*,bf-2026", ""]);
        let campaign = &c.tag_dimensions[1].values;
        assert!(campaign.allows("spring-sale") && campaign.allows("bf-2026"));
        assert!(
            !campaign.allows("bf-2027") && !campaign.allows("Spring-sale") && !campaign.allows("x-spring-1")
        );
        assert!(c.tag_dimensions[0].values.allows("anything"));
        assert!(!c.tag_dimensions[2].values.allows("anything"));
        for bad in ["Campaign", "Unknown=a", "Campaign=a;Campaign=b", "Campaign=a=b"] {
            assert_eq!(cfg(&[("TAG_VALUES", bad)]).unwrap_err().var, "TAG_VALUES", "{bad}");
        }
        assert_eq!(cfg(&[("TAG_DIMENSIONS", "OtherCampaign")]).unwrap_err().var, "TAG_DIMENSIONS");
    }

    #[test]
    fn glob_patterns() {
        for (p, v, m) in [
            ("a", "a", true),
            ("a", "ab", false),
            ("*", "", true),
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("a*c", "ac", true),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "acb", false),
            ("ab*ba", "aba", false),
            ("*-2026", "black-friday-2026", true),
        ] {
            assert_eq!(glob_match(p, v), m, "{p} {v}");
        }
    }

    #[test]
    fn tracked_providers() {
        let c =
            cfg(&[("TRACKED_PROVIDERS", "united-internet, gmail"), ("DOMAIN_GROUPING", "domain")]).unwrap();
        assert_eq!(c.domains.classify("web.de"), "web.de");
        assert_eq!(c.domains.classify("outlook.com"), "other");
        assert_eq!(cfg(&[("TRACKED_PROVIDERS", "all")]).unwrap().domains.classify("orange.fr"), "orange");
        assert_eq!(cfg(&[("TRACKED_PROVIDERS", "none")]).unwrap().domains.classify("gmail.com"), "other");
        let e = cfg(&[("TRACKED_PROVIDERS", "gmail,hotmail")]).unwrap_err();
        assert_eq!((e.var, e.value.as_str()), ("TRACKED_PROVIDERS", "hotmail"));
    }

    #[test]
    fn explicit_values() {
        let c = cfg(&[
            ("METRICS_SINK", "api"),
            ("TAG_DIMENSIONS", "EmailType:general, Tenant"),
            ("TRACKED_DOMAINS", "example.org,*"),
            ("DOMAIN_GROUPING", "provider"),
            ("LOG_RECIPIENTS", "TRUE"),
            ("METRIC_NAMESPACE", " Acme/Mail "),
        ])
        .unwrap();
        assert_eq!(c.sink, SinkKind::Api);
        // trimmed, as rate-reporter and alarm-suppressor read it: all three use one namespace
        assert_eq!(c.namespace, "Acme/Mail");
        assert_eq!(cfg(&[("METRIC_NAMESPACE", " ")]).unwrap().namespace, "Custom/SES");
        assert_eq!(c.tag_dimensions[0].default_value, "general");
        assert_eq!(c.tag_dimensions[1].name, "Tenant");
        assert!(c.domains.tracks_all());
        assert!(c.log_recipients);
        assert_eq!(cfg(&[("TAG_DIMENSIONS", "")]).unwrap().tag_dimensions.len(), 0);
    }

    #[test]
    fn errors_name_the_variable() {
        assert_eq!(cfg(&[("METRICS_SINK", "kafka")]).unwrap_err().var, "METRICS_SINK");
        assert_eq!(cfg(&[("METRIC_NAMESPACE", "AWS/SES")]).unwrap_err().var, "METRIC_NAMESPACE");
        assert_eq!(cfg(&[("METRIC_NAMESPACE", "a\u{7}b")]).unwrap_err().var, "METRIC_NAMESPACE");
        assert_eq!(cfg(&[("TAG_DIMENSIONS", "a,a")]).unwrap_err().var, "TAG_DIMENSIONS");
        assert_eq!(cfg(&[("TAG_DIMENSIONS", "RecipientDomain")]).unwrap_err().var, "TAG_DIMENSIONS");
        assert_eq!(cfg(&[("TAG_DIMENSIONS", "a,b,c,d,e,f")]).unwrap_err().var, "TAG_DIMENSIONS");
        assert_eq!(cfg(&[("TRACKED_DOMAINS", "not a domain")]).unwrap_err().var, "TRACKED_DOMAINS");
        assert_eq!(cfg(&[("DOMAIN_GROUPING", "x")]).unwrap_err().var, "DOMAIN_GROUPING");
        let e = cfg(&[("LOG_RECIPIENTS", "maybe")]).unwrap_err();
        assert_eq!(e.to_string(), "LOG_RECIPIENTS=\"maybe\": expected true or false");
    }
}
