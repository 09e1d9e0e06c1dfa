//! An in-memory ledger with the same key and duplicate semantics, for tests (feature `test-util`).

use std::sync::Mutex;

use super::*;

/// An in-memory ledger with the same key and duplicate semantics, for tests and local runs.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    items: Mutex<std::collections::BTreeMap<(String, String), LedgerEntry>>,
}

impl MemoryLedger {
    /// Everything stored.
    pub fn all(&self) -> Vec<LedgerEntry> {
        self.items.lock().expect("not poisoned").values().cloned().collect()
    }
}

impl Ledger for MemoryLedger {
    async fn record(&self, entries: &[LedgerEntry]) -> Result<RecordReport, LedgerError> {
        let mut items = self.items.lock().expect("not poisoned");
        let mut report = RecordReport::default();
        for e in entries {
            let key = (partition_key(&e.dimension), sort_key(e));
            match items.entry(key) {
                std::collections::btree_map::Entry::Occupied(_) => report.duplicates += 1,
                std::collections::btree_map::Entry::Vacant(v) => {
                    v.insert(e.clone());
                    report.written += 1;
                }
            }
        }
        Ok(report)
    }

    async fn query(&self, q: &LedgerQuery) -> Result<Vec<LedgerEntry>, LedgerError> {
        let items = self.items.lock().expect("not poisoned");
        let mut out: Vec<LedgerEntry> = items
            .values()
            .filter(|e| q.dimension.as_ref().is_none_or(|d| *d == e.dimension))
            .filter(|e| e.timestamp >= q.start && e.timestamp <= q.end)
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.timestamp, &a.recipient).cmp(&(b.timestamp, &b.recipient)));
        Ok(out)
    }

    async fn mark_suppressed(&self, entries: &[LedgerEntry], at: DateTime<Utc>) -> Result<(), LedgerError> {
        let mut items = self.items.lock().expect("not poisoned");
        for e in entries {
            if let Some(stored) = items.get_mut(&(partition_key(&e.dimension), sort_key(e))) {
                stored.suppressed_at = Some(at);
            }
        }
        Ok(())
    }
}
