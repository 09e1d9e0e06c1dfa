//! Which recipient domains get their own dimension value (the cardinality cap), and the optional
//! grouping of domains by mailbox provider.
//!
//! Every distinct dimension value is a separate CloudWatch metric, billed monthly, so publishing
//! every domain a sender ever reaches would be costly and unreadable. Only *tracked* domains get
//! their own value: a built-in list of the large mailbox providers (they are where reputation
//! problems show first), plus `TRACKED_DOMAINS`. Everything else is [`OTHER`]. `*` tracks all.

use foldhash::{HashMap, HashSet};
use std::borrow::Cow;

/// Dimension value for domains that are not tracked.
pub const OTHER: &str = "other";

/// Large mailbox providers and the domains they receive mail for. The provider name is the
/// dimension value under `DOMAIN_GROUPING=provider`. Domains hosted by a provider under the
/// customer's own name (Google Workspace, Microsoft 365) cannot be told from the address.
pub const PROVIDERS: &[(&str, &[&str])] = &[
    ("gmail", &["gmail.com", "googlemail.com"]),
    (
        "microsoft",
        &[
            "outlook.com",
            "hotmail.com",
            "live.com",
            "msn.com",
            "passport.com",
            "windowslive.com",
            "hotmail.co.uk",
            "hotmail.fr",
            "hotmail.de",
            "hotmail.it",
            "hotmail.es",
            "hotmail.co.jp",
            "live.co.uk",
            "live.fr",
            "live.de",
            "live.it",
            "live.nl",
            "live.ca",
            "live.com.au",
            "outlook.fr",
            "outlook.de",
            "outlook.es",
            "outlook.it",
            "outlook.jp",
        ],
    ),
    (
        "yahoo",
        &[
            "yahoo.com",
            "yahoo.co.uk",
            "yahoo.fr",
            "yahoo.de",
            "yahoo.it",
            "yahoo.es",
            "yahoo.ca",
            "yahoo.com.au",
            "yahoo.com.br",
            "yahoo.co.in",
            "yahoo.com.mx",
            "ymail.com",
            "rocketmail.com",
            "aol.com",
            "aol.co.uk",
            "aim.com",
            "verizon.net",
        ],
    ),
    ("yahoo-japan", &["yahoo.co.jp"]),
    ("apple", &["icloud.com", "me.com", "mac.com"]),
    ("proton", &["proton.me", "protonmail.com", "protonmail.ch", "pm.me"]),
    (
        "united-internet",
        &["gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "gmx.fr", "web.de", "mail.com"],
    ),
    ("yandex", &["yandex.ru", "yandex.com", "ya.ru"]),
    ("mailru", &["mail.ru", "bk.ru", "inbox.ru", "list.ru"]),
    ("zoho", &["zoho.com", "zohomail.com"]),
    ("fastmail", &["fastmail.com", "fastmail.fm"]),
    ("tencent", &["qq.com", "foxmail.com"]),
    ("netease", &["163.com", "126.com", "yeah.net"]),
    ("naver", &["naver.com"]),
    ("kakao", &["hanmail.net", "daum.net", "kakao.com"]),
    ("comcast", &["comcast.net"]),
    ("att", &["att.net", "sbcglobal.net", "bellsouth.net"]),
    ("charter", &["charter.net", "spectrum.net"]),
    ("cox", &["cox.net"]),
    ("orange", &["orange.fr", "wanadoo.fr"]),
    ("free", &["free.fr"]),
    ("sfr", &["sfr.fr", "neuf.fr"]),
    ("laposte", &["laposte.net"]),
    ("t-online", &["t-online.de"]),
    ("libero", &["libero.it"]),
    ("wp", &["wp.pl", "o2.pl"]),
    ("onet", &["onet.pl", "op.pl"]),
    ("interia", &["interia.pl"]),
    ("seznam", &["seznam.cz"]),
    ("bt", &["btinternet.com"]),
    ("sky", &["sky.com"]),
    ("virgin", &["virginmedia.com"]),
    ("rogers", &["rogers.com"]),
    ("shaw", &["shaw.ca"]),
    ("telstra", &["bigpond.com"]),
    ("rediff", &["rediffmail.com"]),
    // The SES mailbox simulator: test traffic should be visible as such.
    ("ses-simulator", &["simulator.amazonses.com"]),
];

/// How recipient domains become dimension values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    /// One value per tracked domain.
    #[default]
    Domain,
    /// Provider name for provider domains (gmail.com + googlemail.com → `gmail`), the domain
    /// itself for the other tracked domains.
    Provider,
}

/// Decides the `RecipientDomain` dimension value of a (lower-case, ASCII) domain.
#[derive(Debug, Clone)]
pub struct DomainClassifier {
    track_all: bool,
    tracked: HashSet<Box<str>>,
    providers: HashMap<&'static str, &'static str>,
    grouping: Grouping,
}

/// The providers tracked by default (`TRACKED_PROVIDERS`): the four that receive most consumer
/// mail everywhere, and the SES mailbox simulator (test traffic, free unless used).
pub const DEFAULT_TRACKED_PROVIDERS: &[&str] = &["gmail", "microsoft", "yahoo", "apple", "ses-simulator"];

impl DomainClassifier {
    /// Builds the classifier tracking every provider of [`PROVIDERS`], the extra tracked domains
    /// (`*` tracks every domain) and the grouping. Extra domains are normalised like recipient
    /// domains (lower case, punycode).
    pub fn new<I, S>(extra_tracked: I, grouping: Grouping) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::with_providers(None, extra_tracked, grouping)
    }

    /// Like [`DomainClassifier::new`], tracking only the named providers of [`PROVIDERS`]
    /// (`None`: all of them). The domains of the others are [`OTHER`] unless tracked by name;
    /// under [`Grouping::Provider`] a tracked domain of an untracked provider still publishes the
    /// provider's name.
    pub fn with_providers<I, S>(
        tracked_providers: Option<&[String]>,
        extra_tracked: I,
        grouping: Grouping,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut track_all = false;
        let mut tracked: HashSet<Box<str>> = HashSet::default();
        let mut providers = HashMap::default();
        for (provider, domains) in PROVIDERS {
            let on = tracked_providers.is_none_or(|t| t.iter().any(|p| p == provider));
            for d in *domains {
                if on {
                    tracked.insert((*d).into());
                }
                providers.insert(*d, *provider);
            }
        }
        for d in extra_tracked {
            let d = d.as_ref().trim();
            if d == "*" {
                track_all = true;
            } else if let Some(norm) = crate::ses::address::recipient_domain(&format!("x@{d}")) {
                tracked.insert(norm.as_ref().into());
            }
        }
        Self { track_all, tracked, providers, grouping }
    }

    /// The dimension value for `domain` (already lower-case ASCII, as returned by
    /// [`crate::ses::address::recipient_domain`]).
    pub fn classify<'d>(&self, domain: &'d str) -> Cow<'d, str> {
        if !(self.track_all || self.tracked.contains(domain)) {
            return Cow::Borrowed(OTHER);
        }
        if self.grouping == Grouping::Provider
            && let Some(p) = self.providers.get(domain)
        {
            return Cow::Borrowed(p);
        }
        Cow::Borrowed(domain)
    }

    /// The providers of [`PROVIDERS`] whose domains are all tracked.
    pub fn tracked_providers(&self) -> Vec<&'static str> {
        PROVIDERS
            .iter()
            .filter(|(_, ds)| self.track_all || ds.iter().all(|d| self.tracked.contains(*d)))
            .map(|(p, _)| *p)
            .collect()
    }

    /// Number of explicitly tracked domains (built-in + configured).
    pub fn tracked_len(&self) -> usize {
        self.tracked.len()
    }

    /// How tracked domains become dimension values.
    pub fn grouping(&self) -> Grouping {
        self.grouping
    }

    /// Whether every domain is tracked (`TRACKED_DOMAINS=*`).
    pub fn tracks_all(&self) -> bool {
        self.track_all
    }
}

impl Default for DomainClassifier {
    fn default() -> Self {
        Self::new(std::iter::empty::<&str>(), Grouping::Domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_tracked_and_other() {
        let c = DomainClassifier::default();
        assert_eq!(c.classify("gmail.com"), "gmail.com");
        assert_eq!(c.classify("googlemail.com"), "googlemail.com");
        assert_eq!(c.classify("example.org"), OTHER);
    }

    #[test]
    fn configured_domains_are_normalised() {
        let c = DomainClassifier::new([" Example.ORG ", "bücher.de"], Grouping::Domain);
        assert_eq!(c.classify("example.org"), "example.org");
        assert_eq!(c.classify("xn--bcher-kva.de"), "xn--bcher-kva.de");
        assert_eq!(c.classify("example.net"), OTHER);
    }

    #[test]
    fn star_tracks_everything() {
        let c = DomainClassifier::new(["*"], Grouping::Domain);
        assert!(c.tracks_all());
        assert_eq!(c.classify("anything.example"), "anything.example");
    }

    #[test]
    fn provider_grouping() {
        let c = DomainClassifier::new(["example.org"], Grouping::Provider);
        assert_eq!(c.classify("gmail.com"), "gmail");
        assert_eq!(c.classify("googlemail.com"), "gmail");
        assert_eq!(c.classify("hotmail.co.uk"), "microsoft");
        assert_eq!(c.classify("aol.com"), "yahoo");
        assert_eq!(c.classify("example.org"), "example.org");
        assert_eq!(c.classify("example.net"), OTHER);
    }

    #[test]
    fn only_the_chosen_providers_are_tracked() {
        let chosen: Vec<String> = DEFAULT_TRACKED_PROVIDERS.iter().map(|p| p.to_string()).collect();
        let c = DomainClassifier::with_providers(Some(&chosen), ["gmx.de"], Grouping::Provider);
        assert_eq!(c.classify("googlemail.com"), "gmail");
        assert_eq!(c.classify("hotmail.co.uk"), "microsoft");
        assert_eq!(c.classify("aol.com"), "yahoo");
        assert_eq!(c.classify("me.com"), "apple");
        assert_eq!(c.classify("simulator.amazonses.com"), "ses-simulator");
        // an untracked provider is the long tail, unless one of its domains is tracked by name
        assert_eq!(c.classify("web.de"), OTHER);
        assert_eq!(c.classify("gmx.de"), "united-internet");
        let d = DomainClassifier::with_providers(Some(&chosen), std::iter::empty::<&str>(), Grouping::Domain);
        assert_eq!(d.classify("googlemail.com"), "googlemail.com");
        assert_eq!(d.classify("orange.fr"), OTHER);
        assert!(DEFAULT_TRACKED_PROVIDERS.iter().all(|p| PROVIDERS.iter().any(|(q, _)| q == p)));
        assert_eq!(c.tracked_providers(), DEFAULT_TRACKED_PROVIDERS);
    }

    #[test]
    fn provider_table_has_no_duplicate_domains() {
        let mut seen = HashSet::default();
        for (_, ds) in PROVIDERS {
            for d in *ds {
                assert!(seen.insert(*d), "{d} listed twice");
                assert_eq!(crate::ses::address::recipient_domain(&format!("a@{d}")).as_deref(), Some(*d));
            }
        }
    }
}
