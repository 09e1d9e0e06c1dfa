//! The offender policy: which ledger entries of an alarm's window and scope go on the
//! suppression list, in which order.

use super::*;

/// An address to suppress, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offender {
    /// The address.
    pub address: String,
    /// The suppression reason.
    pub reason: SuppressionReason,
    /// What decided it (complaint, hard bounce, or soft bounces over the limit).
    pub because: Offence,
    /// Its ledger entries in the window, to mark as suppressed.
    pub entries: Vec<LedgerEntry>,
}

/// Whether an entry falls in the scope: one of its domains (when it names any) and, for each tag
/// filter, one of its values (a missing tag has its default value).
fn in_scope(e: &LedgerEntry, scope: &Scope, tags: &[TagDimension]) -> bool {
    if !scope.recipient_domains.is_empty()
        && !scope.recipient_domains.iter().any(|d| e.dimension.eq_ignore_ascii_case(d))
    {
        return false;
    }
    // The entry's raw tag value, published as ses-events publishes it (sanitised, capped to
    // `other` by TAG_VALUES, the default value when missing): that is what the alarm's dimension
    // value names.
    scope.tags.iter().all(|(k, values)| {
        let raw = e.tags.iter().find(|(ek, _)| ek == k).map(|(_, v)| v.as_str());
        match tags.iter().find(|t| &t.name == k) {
            Some(t) => values.iter().any(|v| *v == t.dimension_value(raw).0),
            None => raw.is_some_and(|r| values.iter().any(|v| v == r)),
        }
    })
}

/// The offender policy: every complaint, every hard bounce, soft bounces ≥ `soft_limit`; entries
/// already suppressed are left out. Complaints first, then hard bounces, then soft, each oldest
/// first, so a cap keeps what matters most.
pub fn pick_offenders(entries: &[LedgerEntry], scope: &Scope, cfg: &SuppressorConfig) -> Vec<Offender> {
    let mut by_address: BTreeMap<&str, Vec<&LedgerEntry>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.suppressed_at.is_none() && in_scope(e, scope, &cfg.tag_dimensions)) {
        by_address.entry(&e.recipient).or_default().push(e);
    }
    let mut out: Vec<(u8, DateTime<Utc>, Offender)> = Vec::new();
    for (address, es) in by_address {
        let first = |k: Offence| es.iter().filter(|e| e.kind == k).map(|e| e.timestamp).min();
        let soft = es.iter().filter(|e| e.kind == Offence::SoftBounce).count() as u32;
        let (rank, because, reason, at) = if let Some(t) = first(Offence::Complaint) {
            (0, Offence::Complaint, SuppressionReason::Complaint, t)
        } else if let Some(t) = first(Offence::HardBounce) {
            (1, Offence::HardBounce, SuppressionReason::Bounce, t)
        } else if soft >= cfg.soft_bounce_limit
            && let Some(t) = first(Offence::SoftBounce)
        {
            (2, Offence::SoftBounce, SuppressionReason::Bounce, t)
        } else {
            continue;
        };
        let entries = es.into_iter().cloned().collect();
        out.push((rank, at, Offender { address: address.to_string(), reason, because, entries }));
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2.address).cmp(&(b.0, b.1, &b.2.address)));
    out.into_iter().map(|(_, _, o)| o).collect()
}
