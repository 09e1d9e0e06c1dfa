//! The metric schema: metric and dimension names, and which metrics a rollup carries. A leaf:
//! it imports nothing of this crate, so configuration, aggregation, sinks, the report and the
//! suppressor all read the names from here without importing each other.

/// Dimension name of the per-domain rollup.
pub const RECIPIENT_DOMAIN: &str = "RecipientDomain";
/// Name of the delivery-latency distribution metric.
pub const DELIVERY_LATENCY: &str = "DeliveryLatency";
/// Prefix of the EMF property that carries the value behind an `other` dimension value
/// (`OtherRecipientDomain`, `OtherCampaign`, …): not a dimension, so no metric and no cost, but
/// searchable with Logs Insights and Contributor Insights.
pub const OTHER_PREFIX: &str = "Other";

pub(crate) const HARD_BOUNCE: usize = 10;
pub(crate) const SOFT_BOUNCE: usize = 11;

/// Count metrics, in publication order: the ten event kinds, then HardBounce and SoftBounce
/// ([`ALL_METRICS`] without `DeliveryLatency`).
pub const COUNT_METRICS: [&str; 12] = {
    let mut out = [""; 12];
    let mut i = 0;
    while i < 12 {
        out[i] = ALL_METRICS[i];
        i += 1;
    }
    out
};

/// Every metric ses-events can publish: the count metrics, then `DeliveryLatency`.
pub const ALL_METRICS: [&str; 13] = [
    "Send",
    "Delivery",
    "Bounce",
    "Complaint",
    "Reject",
    "Open",
    "Click",
    "RenderingFailure",
    "DeliveryDelay",
    "Subscription",
    "HardBounce",
    "SoftBounce",
    DELIVERY_LATENCY,
];
pub(crate) const LATENCY_BIT: u16 = 1 << 12;

/// Which metrics a rollup carries (`DOMAIN_METRICS`, `TOTAL_METRICS`, `TAG_METRICS`): every
/// metric of a rollup is a CloudWatch metric per dimension value, so each is paid for.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricSet(u16);

impl MetricSet {
    /// Every metric.
    pub const ALL: MetricSet = MetricSet((1 << 13) - 1);
    /// No metric: the rollup is not published.
    pub const NONE: MetricSet = MetricSet(0);

    /// The set of the named metrics; `None` for a name that is not a metric.
    pub fn of<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, &'a str> {
        let mut bits = 0u16;
        for n in names {
            let i = ALL_METRICS.iter().position(|m| m.eq_ignore_ascii_case(n)).ok_or(n)?;
            bits |= 1 << i;
        }
        Ok(Self(bits))
    }

    /// Whether the set holds the metric.
    pub fn contains(self, name: &str) -> bool {
        ALL_METRICS.iter().position(|m| *m == name).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// The bits of the set: bit i is [`ALL_METRICS`]`[i]`.
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The metric names, in [`ALL_METRICS`] order.
    pub fn names(self) -> Vec<&'static str> {
        ALL_METRICS.iter().enumerate().filter(|(i, _)| self.0 & (1 << i) != 0).map(|(_, n)| *n).collect()
    }
}

impl std::fmt::Debug for MetricSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::ALL => f.write_str("all"),
            Self::NONE => f.write_str("none"),
            s => f.write_str(&s.names().join(",")),
        }
    }
}

impl std::fmt::Display for MetricSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// Makes a tag value usable as a CloudWatch dimension value: printable ASCII (others become
/// `_`), trimmed, at most 255 characters, never empty.
pub fn sanitize_dimension_value(v: &str) -> std::borrow::Cow<'_, str> {
    let t = v.trim();
    if !t.is_empty() && t.len() <= 255 && t.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut s: String = t.chars().map(|c| if (' '..='~').contains(&c) { c } else { '_' }).take(255).collect();
    if s.trim().is_empty() {
        s = "none".into();
    }
    std::borrow::Cow::Owned(s)
}
