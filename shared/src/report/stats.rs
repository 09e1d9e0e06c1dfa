//! The daily deliverability report: counts per domain → rates with confidence intervals,
//! statuses, a ranking a person can act on.
//!
//! A rate from few sends says little (1 bounce in 3 sends is not a 33% problem), so each rate
//! carries a 95% Wilson score interval and a domain is flagged only when the interval's *lower*
//! bound crosses a threshold: the data must show the problem, not merely allow it.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The Wilson score interval of `k` successes in `n` trials, `(low, high)`; `(0, 0)` for n = 0.
pub fn wilson(k: f64, n: f64, z: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 0.0);
    }
    let k = k.clamp(0.0, n);
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Counts of one domain (or the total) over a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Send.
    pub sends: f64,
    /// Delivery.
    pub deliveries: f64,
    /// Bounce (hard, soft and undetermined).
    pub bounces: f64,
    /// HardBounce.
    pub hard_bounces: f64,
    /// SoftBounce.
    pub soft_bounces: f64,
    /// Complaint.
    pub complaints: f64,
    /// Reject.
    pub rejects: f64,
    /// DeliveryDelay.
    pub delays: f64,
    /// Open.
    pub opens: f64,
    /// Click.
    pub clicks: f64,
}

impl Counts {
    /// Metric names, in the order of [`Counts::set`].
    pub const METRICS: [&'static str; 10] = [
        "Send",
        "Delivery",
        "Bounce",
        "HardBounce",
        "SoftBounce",
        "Complaint",
        "Reject",
        "DeliveryDelay",
        "Open",
        "Click",
    ];

    /// Sets the value of one metric by name (unknown names are ignored).
    pub fn set(&mut self, metric: &str, v: f64) {
        match metric {
            "Send" => self.sends = v,
            "Delivery" => self.deliveries = v,
            "Bounce" => self.bounces = v,
            "HardBounce" => self.hard_bounces = v,
            "SoftBounce" => self.soft_bounces = v,
            "Complaint" => self.complaints = v,
            "Reject" => self.rejects = v,
            "DeliveryDelay" => self.delays = v,
            "Open" => self.opens = v,
            "Click" => self.clicks = v,
            _ => {}
        }
    }

    /// Every count times `f` (a 7-day baseline scaled to the window's length).
    pub fn scaled(&self, f: f64) -> Counts {
        let mut out = Counts::default();
        out.add(self);
        for v in [
            &mut out.sends,
            &mut out.deliveries,
            &mut out.bounces,
            &mut out.hard_bounces,
            &mut out.soft_bounces,
            &mut out.complaints,
            &mut out.rejects,
            &mut out.delays,
            &mut out.opens,
            &mut out.clicks,
        ] {
            *v *= f;
        }
        out
    }

    /// Adds another set of counts.
    pub fn add(&mut self, o: &Counts) {
        self.sends += o.sends;
        self.deliveries += o.deliveries;
        self.bounces += o.bounces;
        self.hard_bounces += o.hard_bounces;
        self.soft_bounces += o.soft_bounces;
        self.complaints += o.complaints;
        self.rejects += o.rejects;
        self.delays += o.delays;
        self.opens += o.opens;
        self.clicks += o.clicks;
    }

    /// The denominator of the rates: sends, or what was observed when the window holds
    /// feedback for mail sent before it (never less than any numerator, never zero-divided).
    pub fn base(&self) -> f64 {
        self.sends.max(self.deliveries + self.bounces).max(self.complaints)
    }

    /// Whether nothing happened.
    pub fn is_empty(&self) -> bool {
        self.base() == 0.0 && self.rejects == 0.0 && self.opens == 0.0 && self.clicks == 0.0
    }
}

/// A rate with its 95% Wilson interval.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    /// k / n (0 when n = 0).
    pub value: f64,
    /// Interval low.
    pub low: f64,
    /// Interval high.
    pub high: f64,
}

impl Rate {
    /// The rate of `k` in `n`.
    pub fn of(k: f64, n: f64) -> Self {
        let (low, high) = wilson(k, n, Z95);
        Self { value: if n > 0.0 { (k / n).min(1.0) } else { 0.0 }, low, high }
    }
}

/// Health, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Below every threshold (or not enough data to say otherwise).
    Ok,
    /// Lower bound over the first threshold.
    Watch,
    /// Over the second.
    Warn,
    /// Over the third.
    Critical,
}

impl Status {
    /// `OK`, `WATCH`, `WARN`, `CRITICAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Watch => "WATCH",
            Self::Warn => "WARN",
            Self::Critical => "CRITICAL",
        }
    }
}

/// WATCH / WARN / CRITICAL thresholds of one rate, as fractions (0.02 = 2%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Levels(pub [f64; 3]);

impl Levels {
    /// The status of an interval: the highest level its lower bound exceeds.
    pub fn status(&self, r: &Rate) -> Status {
        match self.0.iter().rposition(|t| r.low > *t) {
            Some(2) => Status::Critical,
            Some(1) => Status::Warn,
            Some(0) => Status::Watch,
            _ => Status::Ok,
        }
    }
}

/// The thresholds the report uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Hard-bounce rate (default 2% / 5% / 10%).
    pub hard_bounce: Levels,
    /// Complaint rate (default 0.05% / 0.1% / 0.5%).
    pub complaint: Levels,
    /// Fewest sends for a status other than OK (default 50). The interval alone would flag one
    /// hard bounce in three sends (its lower bound is 6.1%); a mailbox provider judges a sender
    /// on volume, and so does this report.
    pub min_volume: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            hard_bounce: Levels([0.02, 0.05, 0.10]),
            complaint: Levels([0.0005, 0.001, 0.005]),
            min_volume: 50.0,
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Recipient domain (dimension value), `all domains`, or `N more domains` for the folded tail.
    pub domain: String,
    /// Counts in the window.
    pub counts: Counts,
    /// Deliveries / sends.
    pub delivery_rate: Rate,
    /// Hard bounces / sends.
    pub hard_bounce_rate: Rate,
    /// Complaints / sends.
    pub complaint_rate: Rate,
    /// Worst of the hard-bounce and complaint statuses.
    pub status: Status,
    /// Status of the hard-bounce rate (OK under the minimum volume).
    pub hard_bounce_status: Status,
    /// Status of the complaint rate (OK under the minimum volume).
    pub complaint_status: Status,
    /// Sends against the 7 days before, scaled to the window's length (1.0 = as usual), when
    /// there is a baseline.
    pub volume_vs_baseline: Option<f64>,
    /// Hard-bounce rate minus the 7-day rate, in percentage points.
    pub hard_bounce_change_pp: Option<f64>,
    /// Complaint rate minus the 7-day rate, in percentage points.
    pub complaint_change_pp: Option<f64>,
    /// For the folded line: how many domains it holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub folded: Option<usize>,
    /// Whether the complaint rate measures anything: `false` for a provider that sends no
    /// complaint feedback to SES (Gmail), whose rate reads 0 % whatever its users do.
    pub complaints_measured: bool,
}

/// Mailbox providers that send no complaint feedback (feedback loop) to SES, as domains and as
/// the provider name `DOMAIN_GROUPING=provider` reports them under: Gmail has no feedback loop
/// for SES senders; its complaint rate is only in Google Postmaster Tools.
pub const NO_COMPLAINT_FEEDBACK: &[&str] = &["gmail", "gmail.com", "googlemail.com"];

/// Where a sender reads what [`NO_COMPLAINT_FEEDBACK`] providers do not send.
pub const POSTMASTER_TOOLS: &str = "https://postmaster.google.com";

impl Row {
    /// Builds a row from the window's counts and the 7 days before, scaled to the window's
    /// length (what the window holds as usual: a seventh of them for a one-day window).
    pub fn new(domain: &str, c: Counts, baseline: Option<Counts>, th: &Thresholds) -> Self {
        let n = c.base();
        let hard = Rate::of(c.hard_bounces, n);
        let complaint = Rate::of(c.complaints, n);
        let (hard_bounce_status, complaint_status) = if n < th.min_volume {
            (Status::Ok, Status::Ok)
        } else {
            (th.hard_bounce.status(&hard), th.complaint.status(&complaint))
        };
        let (mut volume, mut hard_pp, mut compl_pp) = (None, None, None);
        if let Some(b) = baseline.filter(|b| b.base() > 0.0) {
            let nb = b.base();
            if b.sends > 0.0 {
                volume = Some(c.sends / b.sends);
            }
            if n > 0.0 {
                hard_pp = Some(100.0 * (hard.value - b.hard_bounces / nb));
                compl_pp = Some(100.0 * (complaint.value - b.complaints / nb));
            }
        }
        Self {
            domain: domain.into(),
            counts: c,
            delivery_rate: Rate::of(c.deliveries, n),
            hard_bounce_rate: hard,
            complaint_rate: complaint,
            status: hard_bounce_status.max(complaint_status),
            hard_bounce_status,
            complaint_status,
            volume_vs_baseline: volume,
            hard_bounce_change_pp: hard_pp,
            complaint_change_pp: compl_pp,
            folded: None,
            complaints_measured: !NO_COMPLAINT_FEEDBACK.contains(&domain),
        }
    }
}

/// The account's own reputation metrics (AWS/SES), as SES computes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Reputation {
    /// Latest `Reputation.BounceRate` in the window (fraction), if published.
    pub bounce_rate: Option<f64>,
    /// Latest `Reputation.ComplaintRate` in the window (fraction), if published.
    pub complaint_rate: Option<f64>,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Window start (inclusive).
    pub start: DateTime<Utc>,
    /// Window end (exclusive).
    pub end: DateTime<Utc>,
    /// Namespace read.
    pub namespace: String,
    /// Worst status over all rows.
    pub status: Status,
    /// All domains together.
    pub total: Row,
    /// Domains, riskiest first, then by volume; the long tail folded into one last row.
    pub domains: Vec<Row>,
    /// The account's reputation metrics.
    pub reputation: Reputation,
    /// Thresholds used.
    pub thresholds: Thresholds,
    /// Reasons, the long tail and what was done, from the ledger table; `None` without one.
    pub activity: Option<crate::report::activity::ActivityReport>,
    /// Hourly numbers for the charts: the total (under the total row's name) and each flagged
    /// domain. Not in the JSON (the charts are in the email).
    #[serde(skip)]
    pub hourly: std::collections::BTreeMap<String, crate::report::chart::Hourly>,
}

/// Orders rows: worst status first, then more sends first, then by name.
pub fn by_risk(a: &Row, b: &Row) -> Ordering {
    b.status
        .cmp(&a.status)
        .then(b.counts.sends.partial_cmp(&a.counts.sends).unwrap_or(Ordering::Equal))
        .then(a.domain.cmp(&b.domain))
}

/// Builds the report from per-domain counts (window and 7-day baseline).
///
/// Every domain whose status is not OK is listed; of the OK ones, the `top` largest are listed
/// and the rest folded into one row. Totals are the sum over domains (every recipient is counted
/// under exactly one `RecipientDomain` value, `other` and `invalid` included).
pub fn build(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    namespace: &str,
    domains: Vec<(String, Counts, Option<Counts>)>,
    reputation: Reputation,
    th: Thresholds,
    top: usize,
) -> Report {
    // The baseline covers the 7 days before the window, whatever the window's length.
    let share = (end - start).num_seconds() as f64 / (7.0 * 86_400.0);
    let mut total = Counts::default();
    let mut total_base = Counts::default();
    let mut has_base = false;
    let mut rows: Vec<Row> = Vec::new();
    for (d, c, b) in domains {
        total.add(&c);
        let b = b.map(|b| b.scaled(share));
        if let Some(b) = &b {
            total_base.add(b);
            has_base = true;
        }
        if !c.is_empty() {
            rows.push(Row::new(&d, c, b, &th));
        }
    }
    rows.sort_by(by_risk);
    let mut shown = Vec::new();
    let mut tail: Vec<Row> = Vec::new();
    let mut ok_shown = 0;
    for r in rows {
        if r.status > Status::Ok || ok_shown < top {
            if r.status == Status::Ok {
                ok_shown += 1;
            }
            shown.push(r);
        } else {
            tail.push(r);
        }
    }
    if tail.len() == 1 {
        shown.push(tail.pop().expect("one"));
    } else if !tail.is_empty() {
        let mut c = Counts::default();
        tail.iter().for_each(|r| c.add(&r.counts));
        let mut row = Row::new(&format!("{} more domains", tail.len()), c, None, &th);
        row.folded = Some(tail.len());
        shown.push(row);
    }
    let total = Row::new("all domains", total, has_base.then_some(total_base), &th);
    let status = shown.iter().map(|r| r.status).chain([total.status]).max().unwrap_or(Status::Ok);
    Report {
        start,
        end,
        namespace: namespace.into(),
        status,
        total,
        domains: shown,
        reputation,
        thresholds: th,
        activity: None,
        hourly: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, Table I (method 3, Wilson score):
        // 81/263 → 0.2553–0.3662; 15/148 → 0.0624–0.1605; 0/20 → 0–0.1611; 1/29 → 0.0061–0.1718.
        let cases = [
            (81.0, 263.0, 0.2553, 0.3662),
            (15.0, 148.0, 0.0624, 0.1605),
            (0.0, 20.0, 0.0, 0.1611),
            (1.0, 29.0, 0.0061, 0.1718),
        ];
        for (k, n, lo, hi) in cases {
            let (l, h) = wilson(k, n, Z95);
            assert!(close(l, lo, 6e-5) && close(h, hi, 6e-5), "{k}/{n}: got {l:.4}-{h:.4}, want {lo}-{hi}");
        }
        assert_eq!(wilson(0.0, 0.0, Z95), (0.0, 0.0));
        let (l, h) = wilson(10.0, 10.0, Z95);
        assert!(close(h, 1.0, 1e-12) && l > 0.69);
    }

    fn counts(sends: f64, hard: f64, complaints: f64) -> Counts {
        Counts {
            sends,
            deliveries: sends - hard,
            bounces: hard,
            hard_bounces: hard,
            complaints,
            ..Default::default()
        }
    }

    #[test]
    fn status_needs_the_lower_bound_over_the_threshold() {
        let th = Thresholds::default();
        // 1 hard bounce in 3 sends: 33%, the interval's low is 6.1% — but 3 sends is no volume
        assert!(Rate::of(1.0, 3.0).low > 0.06);
        assert_eq!(Row::new("x", counts(3.0, 1.0, 0.0), None, &th).status, Status::Ok);
        // 3 in 60 (5%): low ≈ 1.7% → OK; 10 in 60 (16.7%): low ≈ 9.3% → WARN
        assert_eq!(Row::new("x", counts(60.0, 3.0, 0.0), None, &th).status, Status::Ok);
        assert_eq!(Row::new("x", counts(60.0, 10.0, 0.0), None, &th).status, Status::Warn);
        // 120 of 1000 (12%): low ≈ 10.1% > 10% → CRITICAL
        assert_eq!(Row::new("x", counts(1000.0, 120.0, 0.0), None, &th).status, Status::Critical);
        // 40 of 1000 (4%): low ≈ 2.95% → WATCH
        assert_eq!(Row::new("x", counts(1000.0, 40.0, 0.0), None, &th).status, Status::Watch);
        // 70 of 1000 (7%): low ≈ 5.6% → WARN
        assert_eq!(Row::new("x", counts(1000.0, 70.0, 0.0), None, &th).status, Status::Warn);
        // complaints: 20 in 10 000 (0.2%): low ≈ 0.13% > 0.1% → WARN
        assert_eq!(Row::new("x", counts(10_000.0, 0.0, 20.0), None, &th).status, Status::Warn);
        // nothing sent: no division by zero, OK
        let r = Row::new("x", Counts::default(), None, &th);
        assert_eq!((r.status, r.hard_bounce_rate.value), (Status::Ok, 0.0));
    }

    #[test]
    fn baseline_changes() {
        let th = Thresholds::default();
        // a one-day window against 7 days of 700 sends: the usual day is a seventh
        let r = Row::new("x", counts(200.0, 10.0, 0.0), Some(counts(700.0, 7.0, 0.0).scaled(1.0 / 7.0)), &th);
        assert!(close(r.volume_vs_baseline.unwrap(), 2.0, 1e-9));
        assert!(close(r.hard_bounce_change_pp.unwrap(), 5.0 - 1.0, 1e-9));
        let r = Row::new("x", counts(200.0, 10.0, 0.0), Some(Counts::default()), &th);
        assert_eq!(r.volume_vs_baseline, None);
    }

    #[test]
    fn volume_is_against_the_baseline_for_the_windows_length() {
        // Steady traffic: 100 sends a day, 700 in the 7 days before. As usual for a day window
        // and for a 6-hour window (25 sends).
        let start: DateTime<Utc> = "2026-11-26T00:00:00Z".parse().unwrap();
        for (hours, sends) in [(24, 100.0), (6, 25.0)] {
            let end = start + chrono::Duration::hours(hours);
            let d = vec![("x".to_string(), counts(sends, 0.0, 0.0), Some(counts(700.0, 7.0, 0.0)))];
            let r = build(start, end, "Custom/SES", d, Reputation::default(), Thresholds::default(), 5);
            assert!(close(r.domains[0].volume_vs_baseline.unwrap(), 1.0, 1e-9), "{hours} h");
            assert!(close(r.total.volume_vs_baseline.unwrap(), 1.0, 1e-9), "{hours} h");
            assert!(close(r.domains[0].hard_bounce_change_pp.unwrap(), -1.0, 1e-9), "{hours} h");
        }
    }

    #[test]
    fn sorted_by_risk_then_volume_and_tail_folded() {
        let now = Utc::now();
        let mut domains = vec![
            ("big.example".to_string(), counts(5000.0, 10.0, 0.0), None),
            ("bad.example".to_string(), counts(500.0, 100.0, 0.0), None),
            ("mid.example".to_string(), counts(800.0, 1.0, 0.0), None),
            ("empty.example".to_string(), Counts::default(), None),
        ];
        for i in 0..5 {
            domains.push((format!("small{i}.example"), counts(10.0 + i as f64, 0.0, 0.0), None));
        }
        let r = build(now, now, "Custom/SES", domains, Reputation::default(), Thresholds::default(), 2);
        let names: Vec<&str> = r.domains.iter().map(|d| d.domain.as_str()).collect();
        assert_eq!(names, ["bad.example", "big.example", "mid.example", "5 more domains"]);
        assert_eq!(r.domains[3].folded, Some(5));
        assert_eq!(r.domains[3].counts.sends, 10.0 + 11.0 + 12.0 + 13.0 + 14.0);
        assert_eq!(r.status, Status::Critical);
        assert_eq!(r.total.counts.sends, 5000.0 + 500.0 + 800.0 + 60.0);
    }
}
