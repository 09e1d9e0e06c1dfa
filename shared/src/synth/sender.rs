//! A whole sender's traffic over days: a B2C profile (providers, campaigns, a consumer's day) and
//! the stream of events each email brings, in time order (what the cost estimator is measured on).

use super::*;

/// The big mailbox providers' share of a B2C sender's recipients (about 38 % gmail.com, the rest
/// of the large providers about 37 %); the remaining [`SenderProfile::long_tail_share`] goes to
/// thousands of small domains. Shares of a typical consumer list (US and European providers).
pub const B2C_PROVIDER_DOMAINS: &[(&str, f64)] = &[
    ("gmail.com", 0.38),
    ("yahoo.com", 0.075),
    ("hotmail.com", 0.05),
    ("outlook.com", 0.045),
    ("icloud.com", 0.04),
    ("aol.com", 0.018),
    ("live.com", 0.014),
    ("comcast.net", 0.01),
    ("gmx.de", 0.009),
    ("web.de", 0.008),
    ("msn.com", 0.006),
    ("me.com", 0.006),
    ("orange.fr", 0.006),
    ("att.net", 0.005),
    ("googlemail.com", 0.005),
    ("hotmail.co.uk", 0.005),
    ("yahoo.co.uk", 0.005),
    ("t-online.de", 0.005),
    ("sbcglobal.net", 0.004),
    ("verizon.net", 0.004),
    ("btinternet.com", 0.004),
    ("free.fr", 0.004),
    ("libero.it", 0.004),
    ("protonmail.com", 0.004),
    ("mac.com", 0.003),
    ("cox.net", 0.003),
    ("bellsouth.net", 0.003),
    ("charter.net", 0.003),
    ("ymail.com", 0.003),
    ("laposte.net", 0.003),
    ("wanadoo.fr", 0.003),
    ("sky.com", 0.002),
    ("proton.me", 0.002),
    ("rocketmail.com", 0.001),
];

/// The traffic of one sender, as the cost estimates assume it: volume, recipient domains, tags
/// and what happens to the mail. [`SenderProfile::b2c`] is the sender of the cost issue (1M
/// emails a month to consumers); [`sender_traffic`] turns a profile into SES events.
#[derive(Debug, Clone)]
pub struct SenderProfile {
    /// Emails (one recipient each) per month of 730 hours.
    pub emails_per_month: u64,
    /// Seed of the deterministic generator.
    pub seed: u64,
    /// Provider domains and their share of all emails.
    pub providers: Vec<(String, f64)>,
    /// Share of emails to the long tail of small domains.
    pub long_tail_share: f64,
    /// Number of long-tail domains (their use follows Zipf's law: a few hundred get most of it).
    pub long_tail_domains: u32,
    /// `EmailType` tag values, used in equal shares.
    pub email_types: Vec<&'static str>,
    /// `Campaign` tag values (used with decreasing shares); empty: a unique value per email
    /// (a per-send id used as a tag).
    pub campaigns: Vec<String>,
    /// Share of emails that bounce hard (Permanent).
    pub hard_bounce: f64,
    /// Share of emails that bounce soft (Transient), after a DeliveryDelay.
    pub soft_bounce: f64,
    /// Share of delivered emails delayed first (DeliveryDelay, then Delivery).
    pub delay: f64,
    /// Share of delivered emails opened (an Open event, minutes to hours later).
    pub open: f64,
    /// Share of delivered emails clicked.
    pub click: f64,
    /// Share of delivered emails that draw a complaint.
    pub complaint: f64,
    /// Share of delivered emails that lead to an unsubscribe (Subscription event).
    pub unsubscribe: f64,
    /// Share of sends rejected by SES (Reject instead of a delivery).
    pub reject: f64,
}

impl SenderProfile {
    /// The B2C sender of the cost issue: ≈ 38 % gmail.com, the other big providers, a quarter of
    /// the mail to 5,000 small domains; 3 `EmailType` and 8 `Campaign` values; 1.2 % hard and
    /// 0.8 % soft bounces, 25 % opens, 3 % clicks, 1 % delays, 0.05 % complaints.
    pub fn b2c(emails_per_month: u64) -> Self {
        let providers: Vec<(String, f64)> =
            B2C_PROVIDER_DOMAINS.iter().map(|(d, w)| (d.to_string(), *w)).collect();
        let long_tail_share = 1.0 - providers.iter().map(|(_, w)| w).sum::<f64>();
        Self {
            emails_per_month,
            seed: 2026,
            providers,
            long_tail_share,
            long_tail_domains: 5_000,
            email_types: vec!["newsletter", "transactional", "promotion"],
            campaigns: [
                "black-friday-2026",
                "cyber-monday-2026",
                "advent-2026",
                "winter-sale-2026",
                "weekly-digest",
                "new-arrivals",
                "loyalty-club",
                "win-back",
            ]
            .map(String::from)
            .to_vec(),
            hard_bounce: 0.012,
            soft_bounce: 0.008,
            delay: 0.01,
            open: 0.25,
            click: 0.03,
            complaint: 0.0005,
            unsubscribe: 0.001,
            reject: 0.0002,
        }
    }

    /// Average emails per hour (a month is 730 hours).
    pub fn emails_per_hour(&self) -> f64 {
        self.emails_per_month as f64 / 730.0
    }
}

/// Share of a day's mail sent in each UTC hour: a consumer sender's day (quiet at night, a
/// morning and an evening peak). Sums to 24: averages 1 over the day.
pub const HOURLY_SHAPE: [f64; 24] = [
    0.35, 0.25, 0.2, 0.2, 0.25, 0.4, 0.7, 1.1, 1.45, 1.5, 1.45, 1.35, 1.35, 1.35, 1.3, 1.25, 1.25, 1.3, 1.45,
    1.5, 1.45, 1.15, 0.9, 0.55,
];

/// A pending event of [`SenderTraffic`], ordered by time (then sequence, for determinism).
#[derive(Debug)]
struct Pending(EventSpec);

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.0.time, self.0.seq, self.0.kind) == (o.0.time, o.0.seq, o.0.kind)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        // reversed: BinaryHeap is a max-heap, the earliest event comes out first
        (o.0.time, o.0.seq, o.0.kind).cmp(&(self.0.time, self.0.seq, self.0.kind))
    }
}

/// The SES events of a [`SenderProfile`] over `[from, to)`, in time order, as an iterator of
/// event specs (turn each into JSON with [`ses_json`]). Streams: memory holds only the events
/// still to come of mail already sent (opens arrive up to a few hours later). Events of mail
/// sent before `to` that happen after it are left out, as an export cut at `to` would.
#[derive(Debug)]
pub struct SenderTraffic {
    profile: SenderProfile,
    rng: Rng,
    /// Cumulative weights of the long tail (Zipf, exponent 1).
    tail_cdf: Vec<f64>,
    domain_total: f64,
    campaign_total: f64,
    pending: std::collections::BinaryHeap<Pending>,
    /// Start of the hour being sent.
    hour: DateTime<Utc>,
    to: DateTime<Utc>,
    /// Emails still to send in the current hour, and their spacing.
    left_in_hour: u64,
    sent_in_hour: u64,
    per_hour: u64,
    seq: u64,
}

/// [`SenderTraffic`] from a profile.
pub fn sender_traffic(profile: SenderProfile, from: DateTime<Utc>, to: DateTime<Utc>) -> SenderTraffic {
    let mut acc = 0.0;
    let tail_cdf: Vec<f64> = (1..=profile.long_tail_domains.max(1))
        .map(|k| {
            acc += 1.0 / k as f64;
            acc
        })
        .collect();
    let domain_total = profile.providers.iter().map(|(_, w)| w).sum::<f64>() + profile.long_tail_share;
    let campaign_total = (1..=profile.campaigns.len()).map(|k| 1.0 / k as f64).sum();
    let hour = from.duration_trunc(Duration::hours(1)).unwrap_or(from);
    let mut t = SenderTraffic {
        rng: Rng::new(profile.seed),
        profile,
        tail_cdf,
        domain_total,
        campaign_total,
        pending: std::collections::BinaryHeap::new(),
        hour,
        to,
        left_in_hour: 0,
        sent_in_hour: 0,
        per_hour: 0,
        seq: 0,
    };
    t.start_hour();
    t
}

impl SenderTraffic {
    fn start_hour(&mut self) {
        let shape = HOURLY_SHAPE[self.hour.hour() as usize];
        let mean = self.profile.emails_per_hour() * shape;
        // whole emails, the fraction carried by chance so the long-run mean is exact
        let whole = mean.floor();
        let n = whole as u64 + u64::from(self.rng.unit() < mean - whole);
        self.per_hour = n;
        self.left_in_hour = n;
        self.sent_in_hour = 0;
    }

    fn domain(&mut self) -> String {
        let mut x = self.rng.unit() * self.domain_total;
        for (d, w) in &self.profile.providers {
            if x < *w {
                return d.clone();
            }
            x -= w;
        }
        let total = self.tail_cdf.last().copied().unwrap_or(1.0);
        let y = self.rng.unit() * total;
        let k = self.tail_cdf.partition_point(|c| *c < y) + 1;
        // small companies, schools, regional ISPs: invented names under reserved TLDs
        let tld = ["example", "test", "invalid"][k % 3];
        format!("mail{k}.{tld}")
    }

    fn campaign(&mut self) -> String {
        if self.profile.campaigns.is_empty() {
            return format!("send-{:016x}", self.rng.next_u64());
        }
        let mut x = self.rng.unit() * self.campaign_total;
        for (k, c) in self.profile.campaigns.iter().enumerate() {
            let w = 1.0 / (k + 1) as f64;
            if x < w {
                return c.clone();
            }
            x -= w;
        }
        self.profile.campaigns[0].clone()
    }

    /// Sends one email at `t` and schedules what follows it.
    fn send(&mut self, t: DateTime<Utc>) {
        self.seq += 1;
        let p = &self.profile;
        let (hard, soft, reject) = (p.hard_bounce, p.soft_bounce, p.reject);
        let (delay, open, click, complaint, unsub) = (p.delay, p.open, p.click, p.complaint, p.unsubscribe);
        let domain = self.domain();
        let user = self.rng.below(10_000_000);
        let pick = self.rng.below(self.profile.email_types.len().max(1) as u64) as usize;
        let email_type: &'static str = self.profile.email_types.get(pick).copied().unwrap_or("none");
        let campaign = self.campaign();
        let base = EventSpec {
            kind: EventKind::Send,
            recipient: format!("user{user}@{domain}"),
            // mail.timestamp is time − 2 s: the Send counts at t
            time: t + Duration::seconds(2),
            hard_bounce: false,
            email_type,
            campaign,
            latency_ms: 0,
            seq: self.seq,
        };
        let at = |secs: i64, kind: EventKind| EventSpec {
            kind,
            time: t + Duration::seconds(secs.max(1)),
            ..base.clone()
        };
        self.pending.push(Pending(base.clone()));
        let x = self.rng.unit();
        if x < reject {
            self.pending.push(Pending(at(1, EventKind::Reject)));
            return;
        }
        if x < reject + hard {
            let mut b = at(2 + self.rng.below(20) as i64, EventKind::Bounce);
            b.hard_bounce = true;
            self.pending.push(Pending(b));
            return;
        }
        if x < reject + hard + soft {
            self.pending.push(Pending(at(60 + self.rng.below(600) as i64, EventKind::DeliveryDelay)));
            let mut b = at(900 + self.rng.below(2700) as i64, EventKind::Bounce);
            b.hard_bounce = false;
            self.pending.push(Pending(b));
            return;
        }
        let delayed = self.rng.unit() < delay;
        let latency_s = if delayed {
            self.pending.push(Pending(at(60 + self.rng.below(300) as i64, EventKind::DeliveryDelay)));
            600 + self.rng.below(3000) as i64
        } else {
            1 + self.rng.below(4) as i64
        };
        let mut d = at(latency_s, EventKind::Delivery);
        d.latency_ms = latency_s as u64 * 1000 + self.rng.below(1000);
        self.pending.push(Pending(d));
        let after = |rng: &mut Rng| latency_s + 60 + rng.below(4 * 3600) as i64;
        if self.rng.unit() < open {
            let s = after(&mut self.rng);
            self.pending.push(Pending(at(s, EventKind::Open)));
        }
        if self.rng.unit() < click {
            let s = after(&mut self.rng);
            self.pending.push(Pending(at(s, EventKind::Click)));
        }
        if self.rng.unit() < complaint {
            let s = after(&mut self.rng);
            self.pending.push(Pending(at(s, EventKind::Complaint)));
        }
        if self.rng.unit() < unsub {
            let s = after(&mut self.rng);
            self.pending.push(Pending(at(s, EventKind::Subscription)));
        }
    }
}

impl Iterator for SenderTraffic {
    type Item = EventSpec;

    fn next(&mut self) -> Option<EventSpec> {
        loop {
            // the next email's send time, if the hour still has one
            let next_send = (self.left_in_hour > 0 && self.hour < self.to).then(|| {
                let spacing = 3_600_000 / self.per_hour.max(1) as i64;
                self.hour + Duration::milliseconds(spacing * self.sent_in_hour as i64)
            });
            match (next_send, self.pending.peek()) {
                (Some(t), Some(p)) if p.0.time <= t => {}
                (Some(t), _) => {
                    self.left_in_hour -= 1;
                    self.sent_in_hour += 1;
                    self.send(t);
                    continue;
                }
                (None, _) if self.hour < self.to => {
                    self.hour += Duration::hours(1);
                    if self.hour < self.to {
                        self.start_hour();
                    }
                    continue;
                }
                _ => {}
            }
            let Pending(e) = self.pending.pop()?;
            if e.time >= self.to {
                self.pending.clear();
                return None;
            }
            return Some(e);
        }
    }
}
