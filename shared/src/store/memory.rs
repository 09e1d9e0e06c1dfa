//! The three stores in memory, with the same key semantics, for tests (feature `test-util`).

use std::collections::HashMap;
use std::sync::Mutex;

use super::*;

/// The three stores in memory, with the same key semantics.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Journal entries by (pk, sk).
    pub journal: Mutex<BTreeMap<(String, String), JournalEntry>>,
    /// Leases: name → (owner, expiry).
    pub leases: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
    /// Pending work by sort key.
    pub pending: Mutex<BTreeMap<String, PendingSuppression>>,
}

impl MemoryStore {
    /// Every journal entry, oldest first.
    pub fn all_entries(&self) -> Vec<JournalEntry> {
        let mut v: Vec<JournalEntry> = self.journal.lock().expect("not poisoned").values().cloned().collect();
        v.sort_by_key(|a| (a.at, a.sort_key()));
        v
    }
}

impl Journal for MemoryStore {
    async fn record(&self, entry: &JournalEntry) -> Result<bool, LedgerError> {
        let mut j = self.journal.lock().expect("not poisoned");
        let key = (entry.partition_key(), entry.sort_key());
        if j.contains_key(&key) {
            return Ok(false);
        }
        j.insert(key, entry.clone());
        Ok(true)
    }
    async fn entries(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<JournalEntry>, LedgerError> {
        Ok(self.all_entries().into_iter().filter(|e| e.at >= start && e.at <= end).collect())
    }
}

impl LeaseLock for MemoryStore {
    async fn try_acquire(&self, req: LeaseRequest<'_>) -> Result<bool, LedgerError> {
        let LeaseRequest { name, owner, now, lease } = req;
        let mut l = self.leases.lock().expect("not poisoned");
        // Epoch seconds, as DynamoDB compares them.
        match l.get(name) {
            Some((_, until)) if until.timestamp() >= now.timestamp() => Ok(false),
            _ => {
                l.insert(name.to_string(), (owner.to_string(), now + lease));
                Ok(true)
            }
        }
    }
    async fn release(&self, name: &str, owner: &str) -> Result<bool, LedgerError> {
        let mut l = self.leases.lock().expect("not poisoned");
        match l.get(name) {
            Some((o, _)) if o == owner => {
                l.remove(name);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl PendingWork for MemoryStore {
    async fn put_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        self.pending.lock().expect("not poisoned").insert(p.sort_key(), p.clone());
        Ok(())
    }
    async fn pending(&self) -> Result<Vec<PendingSuppression>, LedgerError> {
        Ok(self.pending.lock().expect("not poisoned").values().cloned().collect())
    }
    async fn remove_pending(&self, p: &PendingSuppression) -> Result<(), LedgerError> {
        self.pending.lock().expect("not poisoned").remove(&p.sort_key());
        Ok(())
    }
}
