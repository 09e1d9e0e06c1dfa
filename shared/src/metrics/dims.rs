//! The dimension values of one aggregation, interned: an id for each (rollup, value, value behind
//! [`OTHER`](crate::ses::domains::OTHER)), the texts kept once, one after the other in one
//! string. An SNS invocation of one event interns three or four values; kept as two boxed strings
//! and a map per rollup, that was a dozen allocations of its thirty (issue 13).

use std::hash::BuildHasher;
use std::ops::Range;

use hashbrown::HashTable;

/// The rollup of the totals series (id [`TOTALS`]).
pub(super) const TOTALS_ROLLUP: usize = usize::MAX;

/// The id of the totals series, which has no dimension value.
pub(super) const TOTALS: u32 = 0;

/// A dimension value: its rollup and where its texts are.
#[derive(Debug, Clone)]
struct Dim {
    /// 0 = RecipientDomain, 1.. = the tags; [`TOTALS_ROLLUP`] for the totals.
    rollup: usize,
    value: Range<usize>,
    other: Option<Range<usize>>,
}

/// The dimension values of one aggregation (see the module).
#[derive(Debug)]
pub(super) struct Dims {
    /// Every value's texts, one after the other.
    text: String,
    /// id → its value.
    dims: Vec<Dim>,
    /// The ids, found by the hash of (rollup, value, other).
    table: HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

impl Dims {
    /// Only the totals ([`TOTALS`]).
    pub(super) fn new() -> Self {
        // an SNS invocation of one event: three or four values of 5 to 20 bytes
        let mut dims = Vec::with_capacity(8);
        dims.push(Dim { rollup: TOTALS_ROLLUP, value: 0..0, other: None });
        Self {
            text: String::with_capacity(64),
            dims,
            table: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    /// The id of `value` in `rollup` (for [`OTHER`](crate::ses::domains::OTHER), of `other`
    /// behind it), given the first time it is asked for.
    pub(super) fn id(&mut self, rollup: usize, value: &str, other: Option<&str>) -> u32 {
        let Self { text, dims, table, hasher } = self;
        let hash = hasher.hash_one((rollup, value, other));
        let same = |id: &u32| {
            let d = &dims[*id as usize];
            d.rollup == rollup
                && text[d.value.clone()] == *value
                && d.other.as_ref().map(|o| &text[o.clone()]) == other
        };
        if let Some(id) = table.find(hash, same) {
            return *id;
        }
        let id = dims.len() as u32;
        let mut keep = |s: &str| {
            text.push_str(s);
            text.len() - s.len()..text.len()
        };
        let value = keep(value);
        let other = other.map(keep);
        dims.push(Dim { rollup, value, other });
        table.insert_unique(hash, id, |id| {
            let d = &dims[*id as usize];
            hasher.hash_one((d.rollup, &text[d.value.clone()], d.other.as_ref().map(|o| &text[o.clone()])))
        });
        id
    }

    /// The rollup of `id`.
    pub(super) fn rollup(&self, id: u32) -> usize {
        self.dims[id as usize].rollup
    }

    /// The value of `id` (empty for the totals).
    pub(super) fn value(&self, id: u32) -> &str {
        &self.text[self.dims[id as usize].value.clone()]
    }

    /// The value behind [`OTHER`](crate::ses::domains::OTHER) of `id`.
    pub(super) fn other(&self, id: u32) -> Option<&str> {
        self.dims[id as usize].other.as_ref().map(|o| &self.text[o.clone()])
    }

    /// Whether two ids are one dimension value (of one rollup, differing at most in what is
    /// behind [`OTHER`](crate::ses::domains::OTHER)).
    pub(super) fn same_value(&self, a: u32, b: u32) -> bool {
        self.rollup(a) == self.rollup(b) && self.value(a) == self.value(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_id_per_rollup_value_and_other() {
        let mut d = Dims::new();
        let gmail = d.id(0, "gmail", None);
        let other_a = d.id(0, "other", Some("a.example"));
        let other_b = d.id(0, "other", Some("b.example"));
        let tag = d.id(1, "gmail", None);
        // the same ones again, as many times as asked, after others were added
        for _ in 0..100 {
            assert_eq!(d.id(0, "gmail", None), gmail);
            assert_eq!(d.id(0, "other", Some("a.example")), other_a);
            assert_eq!(d.id(0, "other", Some("b.example")), other_b);
            assert_eq!(d.id(1, "gmail", None), tag);
        }
        let many: Vec<u32> = (0..500).map(|i| d.id(2, &format!("v{i}"), None)).collect();
        for (i, id) in many.iter().enumerate() {
            assert_eq!(d.id(2, &format!("v{i}"), None), *id);
            assert_eq!((d.rollup(*id), d.value(*id), d.other(*id)), (2, format!("v{i}").as_str(), None));
        }
        assert_eq!([TOTALS, gmail, other_a, other_b, tag], [0, 1, 2, 3, 4]);
        assert_eq!((d.rollup(TOTALS), d.value(TOTALS), d.other(TOTALS)), (TOTALS_ROLLUP, "", None));
        assert_eq!((d.value(other_b), d.other(other_b)), ("other", Some("b.example")));
        // "other" with nothing behind it is another value than with something
        assert_ne!(d.id(0, "other", None), other_a);
        assert!(d.same_value(other_a, other_b));
        assert!(!d.same_value(gmail, tag));
    }
}
