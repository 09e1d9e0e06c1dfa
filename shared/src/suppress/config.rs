//! alarm-suppressor's configuration, read once from the environment.

use super::*;

/// Metric names whose alarms are about offenders, and so suppress: the per-domain counts
/// ses-events publishes and SES's own (`Bounce`, `Complaint`), and the account's reputation
/// rates. Any other metric (deliveries, rejects, sends) only notifies.
pub const OFFENDER_METRICS: [&str; 6] =
    ["HardBounce", "SoftBounce", "Bounce", "Complaint", "Reputation.BounceRate", "Reputation.ComplaintRate"];

/// Configuration of alarm-suppressor.
#[derive(Debug, Clone)]
pub struct SuppressorConfig {
    /// `ALARM_NAME_PREFIXES`: alarms whose name starts with one of these are ours.
    pub name_prefixes: Vec<String>,
    /// `ALARM_NAMESPACES` (default `Custom/SES,AWS/SES`): alarms on metrics of these are ours.
    pub namespaces: Vec<String>,
    /// `SOFT_BOUNCE_LIMIT` (default 3): soft bounces in the window that make an offender.
    pub soft_bounce_limit: u32,
    /// `MAX_SUPPRESSIONS` (default 500): most addresses suppressed per invocation.
    pub max_suppressions: usize,
    /// `MIN_LOOKBACK_MINUTES` (default 60): the shortest window looked at.
    pub min_lookback: Duration,
    /// `DRY_RUN=true`: report what would be done, change nothing.
    pub dry_run: bool,
    /// `PAUSE_ON_ALARMS`: alarm names that pause sending (needs `LEDGER_TABLE`, for the lease).
    pub pause_on_alarms: Vec<String>,
    /// `CONFIGURATION_SET`: the set to pause when the alarm has no configuration-set dimension.
    pub configuration_set: Option<String>,
    /// `LEDGER_TABLE`: the offender ledger (required to suppress anything); also holds the
    /// journal, the pause lease and pending work.
    pub ledger_table: Option<String>,
    /// `TAG_DIMENSIONS` and `TAG_VALUES`, as ses-events has them: the dimension value each raw
    /// tag value was published under (default value of a missing tag, `other` beyond the cap).
    pub tag_dimensions: Vec<TagDimension>,
    /// `SUPPRESSION_CONCURRENCY` (default 4): PutSuppressedDestination calls in flight.
    pub concurrency: usize,
    /// `LOG_RECIPIENTS`.
    pub log_recipients: bool,
    /// How long to wait for the pause lease ([`pause::LEASE_WAIT`]; not an environment variable).
    pub lease_wait: std::time::Duration,
}

impl SuppressorConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads through any lookup function.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let namespaces = match get("ALARM_NAMESPACES") {
            Some(v) => parse_list(Some(v)),
            None => vec!["Custom/SES".into(), "AWS/SES".into()],
        };
        let ledger_table = get("LEDGER_TABLE").map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let pause_on_alarms = parse_list(get("PAUSE_ON_ALARMS"));
        let mut tag_dimensions =
            parse_tag_dimensions(get("TAG_DIMENSIONS").as_deref().unwrap_or("EmailType,Campaign"))?;
        parse_tag_values(get("TAG_VALUES").as_deref().unwrap_or(""), &mut tag_dimensions)?;
        if !pause_on_alarms.is_empty() && ledger_table.is_none() {
            return Err(err(
                "PAUSE_ON_ALARMS",
                &pause_on_alarms.join(","),
                "needs LEDGER_TABLE: pause decisions take a lease in that table",
            ));
        }
        if let Some(long) = pause_on_alarms.iter().find(|a| holder_tag_value(a).is_none()) {
            return Err(err(
                "PAUSE_ON_ALARMS",
                long,
                "alarm name too long for the holder tag (256 escaped characters)",
            ));
        }
        Ok(Self {
            name_prefixes: parse_list(get("ALARM_NAME_PREFIXES")),
            namespaces,
            soft_bounce_limit: parse_number("SOFT_BOUNCE_LIMIT", get("SOFT_BOUNCE_LIMIT"), 3, 1..=1000)?,
            max_suppressions: parse_number("MAX_SUPPRESSIONS", get("MAX_SUPPRESSIONS"), 500, 0..=100_000)?
                as usize,
            min_lookback: Duration::minutes(i64::from(parse_number(
                "MIN_LOOKBACK_MINUTES",
                get("MIN_LOOKBACK_MINUTES"),
                60,
                0..=14 * 24 * 60,
            )?)),
            dry_run: parse_bool("DRY_RUN", get("DRY_RUN"))?,
            pause_on_alarms,
            configuration_set: get("CONFIGURATION_SET")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            ledger_table,
            tag_dimensions,
            concurrency: parse_number("SUPPRESSION_CONCURRENCY", get("SUPPRESSION_CONCURRENCY"), 4, 1..=64)?
                as usize,
            log_recipients: parse_bool("LOG_RECIPIENTS", get("LOG_RECIPIENTS"))?,
            lease_wait: pause::LEASE_WAIT,
        })
    }

    /// Whether an (owned) alarm suppresses offenders: one of its metrics in `ALARM_NAMESPACES`
    /// (any namespace when that list is empty) is an [`OFFENDER_METRICS`] metric. Composite
    /// alarms have no metrics: they never suppress.
    pub fn suppresses(&self, notice: &AlarmNotice) -> bool {
        notice.metrics.iter().any(|m| {
            OFFENDER_METRICS.contains(&m.name.as_str())
                && (self.namespaces.is_empty()
                    || m.namespace.as_deref().is_some_and(|ns| self.namespaces.iter().any(|n| n == ns)))
        })
    }

    /// Whether an alarm pauses sending (it is named in `PAUSE_ON_ALARMS`).
    pub fn pauses(&self, alarm: &str) -> bool {
        self.pause_on_alarms.iter().any(|a| a == alarm)
    }
}
