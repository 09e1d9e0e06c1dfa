//! In-memory suppression list and configuration sets, recording every call, for tests (feature
//! `test-util`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::*;

/// In-memory suppression list and configuration sets, recording every call.
#[derive(Debug, Default)]
pub struct MemorySes {
    /// address → reason.
    pub suppressed: Mutex<BTreeMap<String, SuppressionReason>>,
    /// set name → state.
    pub sets: Mutex<HashMap<String, SendingState>>,
    /// Calls made, in order (`Suppress addr REASON`, `SetSending name true`, …).
    pub calls: Mutex<Vec<String>>,
    /// Emails sent.
    pub sent: Mutex<Vec<Email>>,
}

impl ReportMailer for MemorySes {
    async fn send(&self, email: &Email) -> Result<String, AwsError> {
        let mut sent = self.sent.lock().expect("not poisoned");
        sent.push(email.clone());
        Ok(format!("memory-{}", sent.len()))
    }
}

impl MemorySes {
    fn log(&self, s: String) {
        self.calls.lock().expect("not poisoned").push(s);
    }
}

impl SuppressionList for MemorySes {
    async fn suppress(&self, address: &str, reason: SuppressionReason) -> Result<(), AwsError> {
        self.log(format!("Suppress {address} {}", reason.as_str()));
        self.suppressed.lock().expect("not poisoned").insert(address.into(), reason);
        Ok(())
    }
}

/// Every call of the in-memory configuration sets yields to the scheduler first, as a network
/// call would, so that concurrent tasks interleave between a read and a write.
impl SendingControl for MemorySes {
    async fn state(&self, set: &ConfigSetRef) -> Result<SendingState, AwsError> {
        tokio::task::yield_now().await;
        let sets = self.sets.lock().expect("not poisoned");
        sets.get(&set.name).cloned().ok_or_else(|| {
            AwsError::invalid("SES", "GetConfigurationSet", format!("NotFoundException: {}", set.name))
        })
    }

    async fn add_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), AwsError> {
        tokio::task::yield_now().await;
        self.log(format!("AddHolders {} [{}]", set.name, alarms.join(",")));
        let mut sets = self.sets.lock().expect("not poisoned");
        let state = sets.entry(set.name.clone()).or_insert(SendingState { enabled: true, paused_by: vec![] });
        for a in alarms {
            if !state.paused_by.contains(a) {
                state.paused_by.push(a.clone());
            }
        }
        state.paused_by.sort();
        Ok(())
    }

    async fn remove_holders(&self, set: &ConfigSetRef, alarms: &[String]) -> Result<(), AwsError> {
        tokio::task::yield_now().await;
        self.log(format!("RemoveHolders {} [{}]", set.name, alarms.join(",")));
        let mut sets = self.sets.lock().expect("not poisoned");
        if let Some(state) = sets.get_mut(&set.name) {
            state.paused_by.retain(|a| !alarms.contains(a));
        }
        Ok(())
    }

    async fn set_sending(&self, set: &ConfigSetRef, enabled: bool) -> Result<(), AwsError> {
        tokio::task::yield_now().await;
        self.log(format!("SetSending {} {enabled}", set.name));
        let mut sets = self.sets.lock().expect("not poisoned");
        sets.entry(set.name.clone()).or_insert(SendingState { enabled: true, paused_by: vec![] }).enabled =
            enabled;
        Ok(())
    }
}
