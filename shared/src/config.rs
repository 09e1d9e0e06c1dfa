//! Typed configuration, read once from environment variables at start-up.
//!
//! Every variable is documented in the README's configuration table and set by `template.yaml`.
//! Parsing is strict: a value that cannot be understood stops the function at start with an error
//! naming the variable, rather than running with a silent default.

use std::collections::HashMap;

use crate::domains::{DomainClassifier, Grouping};

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
}

/// Configuration of the ses-events function.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// CloudWatch namespace (`METRIC_NAMESPACE`, default `Custom/SES`).
    pub namespace: String,
    /// `METRICS_SINK`: `emf` (default) or `api`.
    pub sink: SinkKind,
    /// `TAG_DIMENSIONS`: message tags published as one-dimension rollups
    /// (default `EmailType,Campaign`; `name:default` sets the value for untagged mail, else `none`).
    pub tag_dimensions: Vec<TagDimension>,
    /// `TRACKED_DOMAINS` (comma-separated, `*` = all) and `DOMAIN_GROUPING` (`domain`|`provider`).
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
        let tag_dimensions =
            parse_tag_dimensions(get("TAG_DIMENSIONS").as_deref().unwrap_or("EmailType,Campaign"))?;
        let grouping = match get("DOMAIN_GROUPING").as_deref().map(str::trim) {
            None | Some("") | Some("domain") | Some("none") => Grouping::Domain,
            Some("provider") => Grouping::Provider,
            Some(other) => {
                return Err(err("DOMAIN_GROUPING", other, "expected `domain` or `provider`"));
            }
        };
        let tracked = parse_list(get("TRACKED_DOMAINS"));
        for d in &tracked {
            if *d != "*" && crate::address::recipient_domain(&format!("x@{d}")).is_none() {
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
            domains: DomainClassifier::new(tracked, grouping),
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
        if name == crate::metrics::RECIPIENT_DOMAIN || out.iter().any(|t| t.name == name) {
            return Err(err("TAG_DIMENSIONS", item, "duplicate dimension name"));
        }
        if name == "_aws"
            || name == crate::metrics::DELIVERY_LATENCY
            || crate::metrics::COUNT_METRICS.contains(&name)
        {
            return Err(err("TAG_DIMENSIONS", item, "a dimension may not be named like a metric or `_aws`"));
        }
        out.push(TagDimension { name: name.into(), default_value: default_value.into() });
    }
    if out.len() > MAX_TAG_DIMENSIONS {
        return Err(err("TAG_DIMENSIONS", s, "at most 5 tag dimensions"));
    }
    Ok(out)
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
        assert!(!c.log_recipients);
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
